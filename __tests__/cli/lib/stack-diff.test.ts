import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { configOf, defaultRaw, rawWith } from '../../helpers/fleet';
import { synthStacks } from '../../../cli/lib/fleet-synth';
import { deployOrder, disappearedMessages, leavingIn, stackChanges, terraformContent } from '../../../cli/lib/stack-diff';
import { affected, parseAffectedArgs } from '../../../cli/commands/affected';

const threeAccounts = () =>
  rawWith((raw) => {
    raw.accounts = [{ accountId: '222222222222' }, { accountId: '333333333333' }, { accountId: '444444444444' }];
  });

describe('stackChanges (what affected lists)', () => {
  const base = synthStacks(configOf(threeAccounts()));

  test('the same config lists nothing', () => {
    expect(stackChanges(base, synthStacks(configOf(threeAccounts())))).toEqual({ affected: [], disappeared: [] });
  });

  test('reordering accounts lists nothing', () => {
    const raw = threeAccounts();
    raw.accounts.reverse();
    expect(stackChanges(base, synthStacks(configOf(raw))).affected).toEqual([]);
  });

  test('adding one account lists the central stack (its policy admits the account) and that account, central first', () => {
    const raw = threeAccounts();
    raw.accounts.splice(1, 0, { accountId: '999999999999' });
    expect(stackChanges(base, synthStacks(configOf(raw)))).toEqual({
      affected: ['cloudtrail-central', 'cloudtrail-account-999999999999'],
      disappeared: [],
    });
  });

  test('changing a default lists every stack it reaches, and only those', () => {
    const raw = threeAccounts();
    raw.defaults.insights = { apiCallRate: true };
    raw.accounts[0].insights = { apiCallRate: false };
    expect(stackChanges(base, synthStacks(configOf(raw))).affected).toEqual(['cloudtrail-account-333333333333', 'cloudtrail-account-444444444444']);
  });

  test('a change of a name label (metadata only) lists nothing; cdktf comment keys are ignored', () => {
    const raw = threeAccounts();
    raw.accounts[0].name = 'renamed';
    expect(stackChanges(base, synthStacks(configOf(raw))).affected).toEqual([]);
    const stack = { '//': { metadata: { version: '0.21.0' } }, resource: { aws_x: { a: { '//': { metadata: { path: 'p' } }, b: 1 } } } };
    expect(terraformContent(stack)).toEqual({ resource: { aws_x: { a: { b: 1 } } } });
    const moved = JSON.parse(JSON.stringify(base.get('cloudtrail-central')));
    moved['//'] = { metadata: { stackName: 'other', version: '9.9.9' } };
    expect(stackChanges(new Map([['cloudtrail-central', moved]]), new Map([['cloudtrail-central', base.get('cloudtrail-central')!]])).affected).toEqual([]);
  });

  test('a removed account is reported as disappeared, with a warning while the base still manages its trail', () => {
    const raw = threeAccounts();
    raw.accounts.pop();
    const changes = stackChanges(base, synthStacks(configOf(raw)));
    expect(changes.affected).toEqual(['cloudtrail-central']);
    expect(changes.disappeared).toEqual([{ stack: 'cloudtrail-account-444444444444', withoutLifecycle: true }]);
    const [message] = disappearedMessages(changes.disappeared);
    expect(message).toMatch(/^warning: stack cloudtrail-account-444444444444 .*keep running, unmanaged.*lifecycle: decommission.*lifecycle: retain/);
  });

  test('a stack that no longer managed anything disappears without a warning', () => {
    const empty = { terraform: {}, provider: { aws: [{ region: 'us-east-2' }] } };
    const changes = stackChanges(new Map([['cloudtrail-account-555555555555', empty]]), new Map());
    expect(changes.disappeared).toEqual([{ stack: 'cloudtrail-account-555555555555', withoutLifecycle: false }]);
    expect(disappearedMessages(changes.disappeared)[0]).toMatch(/^removed: /);
  });

  test('deploy order puts the central stack first', () => {
    expect(deployOrder(['cloudtrail-account-3', 'cloudtrail-central', 'cloudtrail-account-1'])).toEqual([
      'cloudtrail-central',
      'cloudtrail-account-1',
      'cloudtrail-account-3',
    ]);
  });
});

test('deploy order: a leaving account stack (it manages nothing any more) before central, then the others', () => {
  const empty = { terraform: {}, provider: { aws: [{ region: 'us-east-2' }] } };
  const busy = { ...empty, resource: { aws_cloudtrail: { trail: {} } } };
  const stacks = new Map<string, Record<string, unknown>>([
    ['cloudtrail-central', busy],
    ['cloudtrail-account-111111111111', busy],
    ['cloudtrail-account-222222222222', empty],
    ['cloudtrail-guard', empty],
  ]);
  expect(deployOrder(stacks.keys(), leavingIn(stacks))).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central', 'cloudtrail-account-111111111111', 'cloudtrail-guard']);
  expect(stackChanges(new Map(), stacks).affected).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central', 'cloudtrail-account-111111111111', 'cloudtrail-guard']);
});

describe('affected against a git ref', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'affected-repo-'));
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'fleet.yaml'), stringify(threeAccounts()));
    git('add', 'fleet.yaml');
    git('commit', '-q', '-m', 'base');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  test('reads the config at the ref with git show and lists only what changed', () => {
    const raw = threeAccounts();
    raw.accounts.push({ accountId: '555555555555' });
    writeFileSync(path.join(repo, 'fleet.yaml'), stringify(raw));
    expect(affected(['--base', 'HEAD'], path.join(repo, 'fleet.yaml'))).toMatchObject({
      stdout: 'cloudtrail-central\ncloudtrail-account-555555555555\n',
      stderr: '',
      json: { affected: ['cloudtrail-central', 'cloudtrail-account-555555555555'], disappeared: [] },
    });
  });

  test('a config file absent at the ref makes every stack affected', () => {
    writeFileSync(path.join(repo, 'other.yaml'), stringify(defaultRaw()));
    expect(affected(['--base', 'HEAD'], path.join(repo, 'other.yaml')).stdout).toBe('cloudtrail-central\ncloudtrail-account-222222222222\n');
  });

  test('the config named by CLOUDTRAIL_CONFIG: read as usual, and a missing one is blamed on CLOUDTRAIL_CONFIG, not on the command line', () => {
    const saved = process.env.CLOUDTRAIL_CONFIG;
    try {
      process.env.CLOUDTRAIL_CONFIG = path.join(repo, 'fleet.yaml');
      expect(affected(['--base', 'HEAD']).stderr).toBe('');
      const missing = path.join(repo, 'nope.yaml');
      process.env.CLOUDTRAIL_CONFIG = missing;
      expect(() => affected(['--base', 'HEAD'])).toThrow(
        `${missing}: 1 problem in the config\n${missing}: the config file ${missing} does not exist; CLOUDTRAIL_CONFIG names it: point CLOUDTRAIL_CONFIG at a YAML or JSON config file`,
      );
    } finally {
      if (saved === undefined) delete process.env.CLOUDTRAIL_CONFIG;
      else process.env.CLOUDTRAIL_CONFIG = saved;
    }
  });

  test('an unknown ref or missing --base is rejected with what to give', () => {
    expect(() => parseAffectedArgs([])).toThrow('--base is required: a git ref (origin/main, HEAD~1) or the folder of a previous cdktf synth');
    expect(() => parseAffectedArgs(['--bsae', 'x'])).toThrow(/unknown option --bsae \(did you mean --base\?\)/);
    expect(() => affected(['--base', 'no-such-ref'], path.join(repo, 'fleet.yaml'))).toThrow(/--base no-such-ref: neither a folder nor a git commit or ref.*origin\/main/);
    expect(() => parseAffectedArgs([])).toThrow('--base is required: a git ref (origin/main, HEAD~1) or the folder of a previous cdktf synth');
  });
});
