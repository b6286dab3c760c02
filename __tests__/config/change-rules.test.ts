/**
 * The config keys and rules of safe changes (docs/changing-safely.md):
 * renamedFrom, deleteKeys (with the warning that dates the loss), the KMS
 * alias a leaving trail keeps, an adopted multi-Region central key, and tag
 * lengths counted in characters. Every bad input is rejected with the exact
 * message: the path, the value, the rule and the fix.
 */
import { configOf, issuesOf, rawWith } from '../helpers/fleet';
import { configWarnings } from '../../config/warnings';
import { synthSummary } from '../../stacks/summary';
import { synthReport } from '../../stacks/synth-output';
import { report } from '../../cli/commands/check-config';

const KEY = 'arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK = 'arn:aws:kms:us-east-2:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab';
/** A pinned clock: 2026-12-06T10:00:00Z. */
const NOW = () => new Date(Date.UTC(2026, 11, 6, 10, 0, 0));

const withAccounts = (...accounts: any[]) => rawWith((r) => r.accounts.push(...accounts));

describe('renamedFrom', () => {
  test('is accepted on an active trail and resolved onto the trail', () => {
    const config = configOf(rawWith((r) => Object.assign(r.accounts[0], { trailName: 'new-trail', renamedFrom: 'my-trail' })));
    expect(config.trails[0]).toMatchObject({ trailName: 'new-trail', renamedFrom: 'my-trail' });
  });

  test('must be a valid trail name', () => {
    expect(issuesOf(rawWith((r) => (r.accounts[0].renamedFrom = 'a..b')))).toEqual([
      { path: 'accounts[0].renamedFrom', message: 'trail names must not have adjacent ".", "_" or "-"; "a..b" has ".."' },
    ]);
  });

  test('cannot be the trail’s own name', () => {
    expect(issuesOf(rawWith((r) => (r.accounts[0].renamedFrom = 'my-trail')))).toEqual([
      { path: 'accounts[0].renamedFrom', message: 'renamedFrom is the trail\'s own name "my-trail"; set it to the name the trail had before (the deployed one), or remove it' },
    ]);
  });

  test('cannot name another configured trail of the account', () => {
    const raw = withAccounts({ accountId: '222222222222', trailName: 'second', renamedFrom: 'my-trail' });
    expect(issuesOf(raw)).toEqual([
      {
        path: 'accounts[1].renamedFrom',
        message:
          'renamedFrom "my-trail" is the name of the trail of accounts[0] (account 222222222222), which is still in the config; the renamed trail replaces it: remove accounts[0] (the deploy deletes the old trail once the new one exists), or remove renamedFrom to keep both',
      },
    ]);
  });

  test('cannot name a trail of the account that is leaving the fleet either', () => {
    const raw = withAccounts(
      { accountId: '333333333333', trailName: 'old', lifecycle: 'retain' },
      { accountId: '333333333333', trailName: 'new-trail', renamedFrom: 'old' },
    );
    expect(issuesOf(raw)).toEqual([{ path: 'accounts[2].renamedFrom', message: expect.stringMatching(/^renamedFrom "old" is the name of the trail of accounts\[1\] \(account 333333333333\)/) }]);
  });

  test('a trail of another account with that name does not matter', () => {
    expect(() => configOf(withAccounts({ accountId: '333333333333', trailName: 'new-trail', renamedFrom: 'my-trail' }))).not.toThrow();
  });

  test('two trails cannot be renamed from the same trail', () => {
    const raw = rawWith((r) => {
      Object.assign(r.accounts[0], { trailName: 'a-trail', renamedFrom: 'old-trail' });
      r.accounts.push({ accountId: '222222222222', trailName: 'b-trail', renamedFrom: 'old-trail' });
    });
    expect(issuesOf(raw)).toEqual([
      { path: 'accounts[1].renamedFrom', message: 'trail "old-trail" of account 222222222222 is already renamed by accounts[0] (to "a-trail"); one trail can be renamed into one trail only' },
    ]);
  });

  test('applies only to an active trail', () => {
    expect(issuesOf(rawWith((r) => Object.assign(r.accounts[0], { renamedFrom: 'old-trail', lifecycle: 'decommission' })))).toEqual([
      { path: 'accounts[0].renamedFrom', message: 'renamedFrom applies to an active trail (it is created before the old one is deleted); this entry has lifecycle decommission: remove renamedFrom' },
    ]);
  });

  test('cannot be combined with adopt', () => {
    expect(issuesOf(rawWith((r) => Object.assign(r.accounts[0], { trailName: 'new-trail', renamedFrom: 'my-trail', adopt: true })))).toEqual([
      {
        path: 'accounts[0].renamedFrom',
        message:
          'with adopt the trail is imported by its ARN under the new name "new-trail", which does not exist before the rename; finish the adoption first (deploy, then remove adopt), then rename in a later change',
      },
    ]);
  });

  test('is an account key, not a setting for defaults', () => {
    const issues = issuesOf(rawWith((r) => (r.defaults.renamedFrom = 'x-trail')));
    expect(issues[0].path).toBe('defaults');
    expect(issues[0].message).toMatch(/^unknown key "renamedFrom"/);
  });

  test('a renamed trail counts twice against the 5 trails per region (the old one is deleted only after the new one exists)', () => {
    const raw = rawWith((r) => {
      r.accounts = [1, 2, 3, 4].map((i) => ({ accountId: '222222222222', trailName: `trail-${i}` }));
      r.accounts.push({ accountId: '222222222222', trailName: 'trail-5', renamedFrom: 'trail-0' });
    });
    expect(issuesOf(raw)).toEqual([
      {
        path: 'accounts[0]',
        message:
          'account 222222222222 would have 6 trails in every region (multi-region trails count in every region; a renamed trail counts twice, as the old one is deleted only after the new one exists); CloudTrail allows 5: remove trails, or merge their event settings into fewer trails',
      },
    ]);
  });
});

describe('deleteKeys', () => {
  const decommissioned = (more: Record<string, unknown> = {}) =>
    withAccounts({ accountId: '444444444444', lifecycle: 'decommission', kmsKey: { create: { alias: 'alias/ct-444' } }, deleteKeys: true, ...more });

  test('is accepted with lifecycle: decommission and a created key', () => {
    const config = configOf(decommissioned());
    expect(config.leaving[0]).toMatchObject({ accountId: '444444444444', deleteKeys: true });
    expect(config.trails[0].deleteKeys).toBe(false);
  });

  test('on an active trail is rejected', () => {
    expect(issuesOf(rawWith((r) => Object.assign(r.accounts[0], { kmsKey: { create: { alias: 'alias/ct' } }, deleteKeys: true })))).toEqual([
      {
        path: 'accounts[0].deleteKeys',
        message: 'deleteKeys applies only to lifecycle: decommission (the deploy that destroys the trail); this trail is active and its key is never deleted: remove deleteKeys, or set lifecycle: decommission',
      },
    ]);
  });

  test('with lifecycle: retain is rejected', () => {
    expect(issuesOf(decommissioned({ lifecycle: 'retain' }))).toEqual([
      { path: 'accounts[1].deleteKeys', message: 'deleteKeys applies only to lifecycle: decommission; lifecycle is retain, which leaves the trail and its key running: remove deleteKeys' },
    ]);
  });

  test('without a created key is rejected, naming what the trail uses', () => {
    expect(issuesOf(decommissioned({ kmsKey: 'central' }))).toEqual([
      {
        path: 'accounts[1].deleteKeys',
        message:
          'deleteKeys deletes the key this project created for the trail (kmsKey: { create }), but kmsKey is central (the central key, which this stack does not manage): there is no created key to delete. Remove deleteKeys, or, if the deployed trail had a created key, set kmsKey back to its { create: { alias } } so the key is named',
      },
    ]);
  });

  test('must be true or false', () => {
    expect(issuesOf(decommissioned({ deleteKeys: 'yes' }))).toEqual([{ path: 'accounts[1].deleteKeys', message: 'deleteKeys must be true or false, got the string "yes"' }]);
  });

  test('check-config and synth warn which account’s log files become unreadable, and on which date if deployed today', () => {
    const config = configOf(decommissioned());
    const expected = {
      path: 'accounts[1].deleteKeys',
      message:
        'the deploy schedules the deletion of the KMS key alias/ct-444 of trail my-trail (account 444444444444): the SSE-KMS log files of 444444444444 in s3://my-bucket ' +
        'become unreadable 30 days after the deploy, on 2027-01-05 if it is deployed today (2026-12-06); until then aws kms cancel-key-deletion keeps them readable. ' +
        'Remove deleteKeys to keep the key (it is then no longer managed, and stays)',
    };
    expect(configWarnings(config, NOW)).toContainEqual(expected);
    expect(report(config, [], NOW)).toContain(`  - accounts[1].deleteKeys: ${expected.message}`);
    expect(synthReport(config, {}, NOW)).toContain(`warning: accounts[1].deleteKeys: ${expected.message}`);
    // In the summary even when warnings are off.
    expect(synthReport(config, { CLOUDTRAIL_WARNINGS: 'off' }, NOW)).toContain(`  deleteKeys: ${expected.message}`);
    expect(synthSummary(config, () => new Date(Date.UTC(2027, 1, 1)))).toContain('on 2027-03-03 if it is deployed today (2027-02-01)');
  });

  test('without deleteKeys a decommission warns of nothing about keys', () => {
    const config = configOf(decommissioned({ deleteKeys: undefined }));
    expect(configWarnings(config, NOW).filter((w) => w.path.endsWith('deleteKeys'))).toEqual([]);
    expect(synthSummary(config, NOW)).not.toContain('deleteKeys');
  });
});

describe('a KMS alias that a leaving trail keeps', () => {
  test('a retained trail and an active trail of the account creating the same alias are rejected, naming both', () => {
    const raw = withAccounts(
      { accountId: '333333333333', trailName: 'old', lifecycle: 'retain', kmsKey: { create: { alias: 'alias/ct-333' } } },
      { accountId: '333333333333', trailName: 'new-trail', kmsKey: { create: { alias: 'alias/ct-333' } } },
    );
    expect(issuesOf(raw)).toEqual([
      {
        path: 'accounts[2].kmsKey.create.alias',
        message:
          'KMS alias "alias/ct-333" is already used by accounts[1] (account 333333333333); choose another (accounts[1].kmsKey.create.alias creates it, and with lifecycle retain the alias stays in AWS; an alias names one key per account and region, so creating it twice fails at apply)',
      },
    ]);
  });

  test('a decommissioned trail keeps its alias too (forgotten with its key)', () => {
    const raw = withAccounts(
      { accountId: '333333333333', trailName: 'new-trail', kmsKey: { create: { alias: 'alias/ct-333' } } },
      { accountId: '333333333333', trailName: 'old', lifecycle: 'decommission', kmsKey: { create: { alias: 'alias/ct-333' } } },
    );
    expect(issuesOf(raw)).toEqual([{ path: 'accounts[2].kmsKey.create.alias', message: expect.stringMatching(/^KMS alias "alias\/ct-333" is already used by accounts\[1\] \(account 333333333333\); choose another \(accounts\[1\]\.kmsKey\.create\.alias creates it;/) }]);
  });

  test('the same alias in another account is fine', () => {
    expect(() =>
      configOf(
        withAccounts(
          { accountId: '333333333333', lifecycle: 'retain', kmsKey: { create: { alias: 'alias/ct' } } },
          { accountId: '444444444444', kmsKey: { create: { alias: 'alias/ct' } } },
        ),
      ),
    ).not.toThrow();
  });
});

describe('an adopted central key', () => {
  test('with an mrk- key id is multi-Region without saying so', () => {
    const config = configOf(rawWith((r) => (r.central.kmsKey = { existingKeyArn: MRK, alias: 'alias/cloudtrail-logs' })));
    expect(config.central.kmsKey!.multiRegion).toBe(true);
  });

  test('with an mrk- key id and multiRegion: false is rejected', () => {
    expect(issuesOf(rawWith((r) => (r.central.kmsKey = { existingKeyArn: MRK, alias: 'alias/cloudtrail-logs', multiRegion: false })))).toEqual([
      {
        path: 'central.kmsKey.multiRegion',
        message:
          'the existing key mrk-1234abcd12ab34cd56ef1234567890ab is a multi-Region key (its id starts with mrk-), but multiRegion is false; set multiRegion: true or leave it out (a multi-Region key cannot become single-Region: Terraform would plan to replace the key, which prevent_destroy refuses)',
      },
    ]);
  });

  test('with a single-Region key id and multiRegion: true is rejected', () => {
    expect(issuesOf(rawWith((r) => (r.central.kmsKey = { existingKeyArn: KEY, alias: 'alias/cloudtrail-logs', multiRegion: true })))).toEqual([
      {
        path: 'central.kmsKey.multiRegion',
        message:
          'the existing key 1234abcd-12ab-34cd-56ef-1234567890ab is a single-Region key (its id does not start with mrk-), but multiRegion is true; set multiRegion: false or leave it out (a key cannot become multi-Region: Terraform would plan to replace it, which prevent_destroy refuses)',
      },
    ]);
  });

  test('a created central key stays single-Region unless asked', () => {
    expect(configOf(rawWith(() => undefined)).central.kmsKey!.multiRegion).toBe(false);
    expect(configOf(rawWith((r) => (r.central.kmsKey = { multiRegion: true }))).central.kmsKey!.multiRegion).toBe(true);
  });
});

describe('tag lengths are counted in characters, as AWS counts them', () => {
  const astral = '\u{20000}'; // one character, two UTF-16 units
  test('128 characters of U+20000 are a valid key and 256 a valid value', () => {
    const config = configOf(rawWith((r) => (r.central.tags = { [astral.repeat(128)]: astral.repeat(256) })));
    expect(Object.keys(config.central.tags)[0]).toHaveLength(256); // UTF-16 units
  });

  test('129 characters of U+20000 are rejected as 129 characters, not 258', () => {
    const key = astral.repeat(129);
    expect(issuesOf(rawWith((r) => (r.central.tags = { [key]: 'v' })))).toEqual([
      { path: `central.tags[${JSON.stringify(key)}]`, message: `tag keys are 1 to 128 characters; "${key}" has 129` },
    ]);
    expect(issuesOf(rawWith((r) => (r.central.tags = { k: astral.repeat(257) })))).toEqual([
      { path: 'central.tags.k', message: 'tag values are at most 256 characters; this one has 257' },
    ]);
  });
});
