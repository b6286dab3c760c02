/**
 * The protected set as pure functions over synthesized stacks and plans
 * (modules/change-safety.ts), for the deploy gate and the transition tests:
 * which addresses are protected and what losing each costs in words, which
 * destroys a config declares, which planned deletes are undeclared losses,
 * and the changes only a comparison with the deployed base can see; and the
 * one notion of "declared" (modules/gate-declarations.ts) they judge by.
 */
import { configOf, rawWith, stackOf, synthFleet } from '../helpers/fleet';
import { centralForgets, classifyAddress, protectedAddresses, transitionProblems, undeclaredLosses } from '../../modules/change-safety';
import {
  declarationsFromStacks,
  declarationsOf,
  declaresAliasRename,
  declaresDestroy,
  declaresRename,
  declaresRetain,
  NO_DECLARATIONS,
  type Declarations,
} from '../../modules/gate-declarations';
import { everyTrailAddress } from '../../modules/trail-transitions';

const synth = (change: (r: any) => void = () => undefined) => synthFleet(configOf(rawWith(change)));

describe('protectedAddresses', () => {
  test('the central stack: the bucket and the parts that protect or admit its contents, the central key and alias; not lifecycle or access logging', () => {
    const central = stackOf(
      synth((r) => {
        r.central.objectLock = { mode: 'GOVERNANCE', days: 30 };
        r.central.retention = { expireAfterDays: 400 };
        r.central.accessLogging = { targetBucket: 'my-access-logs' };
      }),
      'cloudtrail-central',
    );
    expect(protectedAddresses('cloudtrail-central', central).map((p) => `${p.kind} ${p.address}`)).toEqual([
      'central-key-alias aws_kms_alias.central_key_alias',
      'central-key aws_kms_key.central_key',
      'log-bucket aws_s3_bucket.log_bucket',
      'bucket-object-lock aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
      'bucket-ownership-controls aws_s3_bucket_ownership_controls.log_bucket_ownership_controls',
      'bucket-policy aws_s3_bucket_policy.log_bucket_policy',
      'bucket-public-access-block aws_s3_bucket_public_access_block.log_bucket_public_access_block',
      'bucket-encryption aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption',
      'bucket-versioning aws_s3_bucket_versioning.log_bucket_versioning',
    ]);
    expect(classifyAddress('cloudtrail-central', 'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle', central)).toBeUndefined();
    expect(classifyAddress('cloudtrail-central', 'aws_s3_bucket_logging.log_bucket_access_logging', central)).toBeUndefined();
  });

  test('an account stack: the trail, its created key and alias; not its topic, queue, log group or role', () => {
    const stacks = synth((r) =>
      Object.assign(r.accounts[0], {
        kmsKey: { create: { alias: 'alias/ct-222' } },
        sns: { create: { topicName: 't', sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: 'lg' } },
      }),
    );
    const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
    expect(protectedAddresses('cloudtrail-account-222222222222', stack)).toEqual([
      {
        stack: 'cloudtrail-account-222222222222',
        address: 'aws_cloudtrail.trail_my-trail',
        kind: 'trail',
        what: 'trail my-trail of account 222222222222',
        cost: 'trail my-trail stops logging account 222222222222: no evidence is recorded from then on',
      },
      {
        stack: 'cloudtrail-account-222222222222',
        address: 'aws_kms_alias.trail_my-trail_key_alias',
        kind: 'trail-key-alias',
        what: "the alias alias/ct-222 of trail my-trail's key (account 222222222222)",
        cost: 'the alias alias/ct-222 is deleted: the key and the log files it encrypted are not affected, but the key can no longer be found by that name',
      },
      {
        stack: 'cloudtrail-account-222222222222',
        address: 'aws_kms_key.trail_my-trail_key',
        kind: 'trail-key',
        what: 'the KMS key of trail my-trail (account 222222222222)',
        cost: 'SSE-KMS log files of 222222222222 (trail my-trail) become unreadable after 30 days',
      },
    ]);
  });

  test('costs name the bucket and the central key’s deletion window from the stack', () => {
    const central = stackOf(synth((r) => (r.central.kmsKey = { deletionWindowInDays: 7 })), 'cloudtrail-central');
    expect(classifyAddress('cloudtrail-central', 'aws_kms_key.central_key', central)!.cost).toBe(
      "SSE-KMS log files encrypted with the central key (trails with kmsKey: central, and the bucket's default encryption) become unreadable after 7 days",
    );
    expect(classifyAddress('cloudtrail-central', 'aws_s3_bucket_policy.log_bucket_policy', central)!.cost).toBe(
      "every trail's deliveries into s3://my-bucket are refused (no policy admits CloudTrail)",
    );
    expect(classifyAddress('cloudtrail-central', 'aws_s3_bucket_versioning.log_bucket_versioning', central)!.cost).toBe(
      'versioning of s3://my-bucket is suspended: an overwritten or deleted log file can no longer be recovered',
    );
  });

  test('without the stack, an address is still classified from its name (trail names with "." are written "--")', () => {
    expect(classifyAddress('cloudtrail-account-333333333333', 'aws_kms_key.trail_org--trail_key')).toMatchObject({
      kind: 'trail-key',
      cost: 'SSE-KMS log files of 333333333333 (trail org.trail) become unreadable after 30 days',
    });
    expect(classifyAddress('cloudtrail-account-333333333333', 'aws_sns_topic.trail_x_topic')).toBeUndefined();
    expect(classifyAddress('cloudtrail-other', 'aws_kms_key.trail_x_key')).toBeUndefined();
  });
});

describe('what a config declares (modules/gate-declarations.ts, one notion for the gate and for plans)', () => {
  const config = configOf(
    rawWith((r) => {
      Object.assign(r.accounts[0], { trailName: 'new-trail', renamedFrom: 'my-trail' });
      r.accounts.push(
        { accountId: '333333333333', lifecycle: 'decommission', kmsKey: { create: { alias: 'alias/ct-333' } } },
        { accountId: '444444444444', lifecycle: 'decommission', deleteKeys: true, kmsKey: { create: { alias: 'alias/ct' } } },
        { accountId: '555555555555', lifecycle: 'retain' },
      );
    }),
  );
  const fromStacks = declarationsFromStacks(synthFleet(config));
  const addresses = (trailName: string) => everyTrailAddress({ trailName, region: 'us-east-2' }, { bucketRegion: 'us-east-2' }).map((a) => a.address);
  const destroys = (d: Declarations, account: string, trailName: string) => addresses(trailName).filter((a) => declaresDestroy(d, account, trailName, a.split('.')[0]));

  test('the synthesis carries exactly what the config declares', () => {
    expect(fromStacks).toEqual(declarationsOf(config));
    expect(fromStacks).not.toEqual(NO_DECLARATIONS);
  });

  test('decommission declares the destroy of the trail module\'s addresses but the key and alias; deleteKeys declares those too', () => {
    expect(addresses('my-trail')).toHaveLength(11);
    expect(destroys(fromStacks, '333333333333', 'my-trail')).toEqual(addresses('my-trail').filter((a) => !a.startsWith('aws_kms_')));
    expect(destroys(fromStacks, '333333333333', 'my-trail')).toHaveLength(9);
    expect(destroys(fromStacks, '444444444444', 'my-trail')).toEqual(addresses('my-trail'));
  });

  test('retain declares no destroy, only that the forgotten trail is no longer admitted', () => {
    expect(destroys(fromStacks, '555555555555', 'my-trail')).toEqual([]);
    expect(declaresRetain(fromStacks, '555555555555', 'my-trail')).toBe(true);
    expect(declaresRetain(fromStacks, '333333333333', 'my-trail')).toBe(false);
  });

  test('renamedFrom declares the old trail\'s destroy and its replacement by the new one, created first; nothing else of the old trail', () => {
    expect(destroys(fromStacks, '222222222222', 'my-trail')).toEqual(['aws_cloudtrail.trail_my-trail']);
    expect(declaresRename(fromStacks, '222222222222', 'my-trail', 'new-trail', true)).toBe(true);
    expect(declaresRename(fromStacks, '222222222222', 'my-trail', 'new-trail', false)).toBe(false);
    expect(declaresRename(fromStacks, '222222222222', 'my-trail', 'other-trail', true)).toBe(false);
    expect(declaresRename(fromStacks, '333333333333', 'my-trail', 'new-trail', true)).toBe(false);
  });

  test('an active trail, and a synthesis without the entry (an earlier release), declare nothing', () => {
    expect(destroys(fromStacks, '222222222222', 'new-trail')).toEqual([]);
    expect(destroys(NO_DECLARATIONS, '333333333333', 'my-trail')).toEqual([]);
  });

  test('a new alias name written in the config declares the alias\'s replacement; an unknown or unchanged name does not', () => {
    expect(declaresAliasRename('alias/ct-333', 'alias/ct-333-v2')).toBe(true);
    expect(declaresAliasRename('alias/ct-333', 'alias/ct-333')).toBe(false);
    expect(declaresAliasRename('alias/ct-333', undefined)).toBe(false);
  });
});

describe('undeclaredLosses', () => {
  const stack = 'cloudtrail-account-222222222222';
  const change = (address: string, actions: string[], previous?: string, names?: { before?: string; after?: string }) => ({
    address,
    previous_address: previous,
    change: { actions, before: names?.before ? { name: names.before } : undefined, after: names?.after ? { name: names.after } : undefined },
  });

  test('a delete or replace of a protected address is a loss unless declared; forgets, moves, updates and unprotected deletes are not', () => {
    const config = configOf(rawWith(() => undefined));
    const losses = undeclaredLosses(stack, [
      change('aws_kms_key.trail_my-trail_key', ['delete']),
      change('aws_cloudtrail.trail_my-trail', ['delete', 'create']),
      change('aws_kms_alias.trail_my-trail_key_alias', ['forget']),
      change('aws_kms_key.trail_x_key', ['update'], 'aws_kms_key.trail_y_key'),
      change('aws_sns_topic.trail_my-trail_topic', ['delete']),
    ], declarationsFromStacks(synthFleet(config)));
    expect(losses.map((l) => `${l.address} ${l.action} ${l.order ?? ''}`.trim())).toEqual([
      'aws_kms_key.trail_my-trail_key delete',
      'aws_cloudtrail.trail_my-trail replace delete-then-create',
    ]);
  });

  test('a renamed trail may be replaced only when the new trail is created first', () => {
    const config = configOf(rawWith((r) => Object.assign(r.accounts[0], { trailName: 'new-trail', renamedFrom: 'my-trail' })));
    const declared = declarationsFromStacks(synthFleet(config));
    const renamed = { after: 'new-trail' };
    expect(undeclaredLosses(stack, [change('aws_cloudtrail.trail_new-trail', ['create', 'delete'], 'aws_cloudtrail.trail_my-trail', renamed)], declared)).toEqual([]);
    // Deleted first: a gap in logging the config did not ask for.
    expect(
      undeclaredLosses(stack, [change('aws_cloudtrail.trail_new-trail', ['delete', 'create'], 'aws_cloudtrail.trail_my-trail', renamed)], declared).map((l) => `${l.address} ${l.order}`),
    ).toEqual(['aws_cloudtrail.trail_my-trail delete-then-create']);
    // The old trail's delete (a rename without moved blocks) is declared; another trail replaced is not.
    expect(undeclaredLosses(stack, [change('aws_cloudtrail.trail_my-trail', ['delete'])], declared)).toEqual([]);
    expect(undeclaredLosses(stack, [change('aws_cloudtrail.trail_other', ['create', 'delete'], undefined, { after: 'other' })], declared)).toHaveLength(1);
  });

  test('an alias replaced for a new name is declared; an alias deleted is not', () => {
    const declared = declarationsFromStacks(synthFleet(configOf(rawWith(() => undefined))));
    expect(undeclaredLosses(stack, [change('aws_kms_alias.trail_my-trail_key_alias', ['delete', 'create'], undefined, { before: 'alias/a', after: 'alias/b' })], declared)).toEqual([]);
    expect(undeclaredLosses(stack, [change('aws_kms_alias.trail_my-trail_key_alias', ['delete'])], declared).map((l) => l.action)).toEqual(['delete']);
  });
});

describe('centralForgets', () => {
  test('by bucketManagement, central key and object lock', () => {
    const key = { alias: 'alias/x' } as any;
    expect(centralForgets({ kmsKey: key, bucketManagement: 'managed', objectLock: { mode: 'GOVERNANCE', days: 1 } })).toEqual([]);
    expect(centralForgets({ kmsKey: undefined, bucketManagement: 'managed', objectLock: { mode: 'GOVERNANCE', days: 1 } })).toEqual([
      'aws_kms_alias.central_key_alias',
      'aws_kms_key.central_key',
    ]);
    expect(centralForgets({ kmsKey: key, bucketManagement: 'policyOnly' })).not.toContain('aws_s3_bucket_policy.log_bucket_policy');
    expect(centralForgets({ kmsKey: key, bucketManagement: 'none' })).toContain('aws_s3_bucket_policy.log_bucket_policy');
  });
});

describe('transitionProblems: what only a comparison with the deployed base shows', () => {
  test('taking the bucket back into management without central.adopt', () => {
    const base = synth((r) => (r.central.bucketManagement = 'policyOnly'));
    const current = synth();
    expect(transitionProblems(base, current)).toEqual([
      {
        stack: 'cloudtrail-central',
        address: 'aws_s3_bucket.log_bucket',
        message:
          'central.bucketManagement is managed, but the deployed central stack did not manage the bucket my-bucket (bucketManagement policyOnly or none): Terraform would try to create a bucket that exists and the apply fails (BucketAlreadyOwnedByYou). Add central.adopt: true (or adopt: { except: [...] } listing the parts the bucket does not have yet) so the deploy imports the bucket and its parts (docs/adopting.md)',
      },
    ]);
    expect(transitionProblems(base, synth((r) => (r.central.adopt = { except: ['versioning', 'encryption', 'publicAccessBlock', 'ownershipControls'] })))).toEqual([]);
    // A first deploy (no base central stack) is not a take-over.
    expect(transitionProblems(new Map(), current)).toEqual([]);
    expect(transitionProblems(current, current)).toEqual([]);
  });

  test('a trail whose home region changes is not reported here: it is the change gate\'s own finding (home-region, unsafe)', () => {
    expect(transitionProblems(synth(), synth((r) => (r.accounts[0].region = 'eu-west-1')))).toEqual([]);
  });
});
