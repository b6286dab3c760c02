/**
 * Terraform itself on config changes (before -> after): each "before" stack
 * is planned with the real aws provider 5.100.0 and turned into the state an
 * apply leaves, then the "after" stack is planned on it
 * (__tests__/helpers/terraform-transition.ts: offline, no credentials, no
 * refresh). What the plan does to each address is read from
 * `terraform show -json`, and no protected resource may be deleted or
 * replaced unless the config declares it (modules/change-safety.ts:
 * `undeclaredLosses`, with what the "after" synthesis declares:
 * modules/gate-declarations.ts).
 *
 * All pairs are planned in one Terraform run (two plans); the ones Terraform
 * must refuse in a second run. Without `terraform` or the provider mirror the
 * tests are skipped and say so.
 */
import { configOf, rawWith, stackOf, synthFleet, type StackJson } from '../helpers/fleet';
import { actionsOf, planTransitions, PLUGIN_DIR, terraformAvailable, type TransitionPlan } from '../helpers/terraform-transition';
import { undeclaredLosses } from '../../modules/change-safety';
import { declarationsFromStacks } from '../../modules/gate-declarations';
import type { FleetConfig } from '../../config/model';

if (!terraformAvailable) console.warn(`SKIPPED: transition tests need terraform on PATH and a provider mirror at ${PLUGIN_DIR}; Terraform did not check any config change`);
const tf = terraformAvailable ? describe : describe.skip;

interface Pair {
  readonly stack: string;
  readonly before: FleetConfig;
  readonly after: FleetConfig;
  /** Changes the synthesized "after" stack (a control: what the plan would do without the project's blocks). */
  readonly tamper?: (after: StackJson) => void;
}

const fleet = (change: (r: any) => void) => configOf(rawWith(change));
const ALL_OPTIONS = { sns: { create: { topicName: 'ct-notify', sqsQueue: true } }, cloudWatchLogs: { create: { logGroupName: 'ct-logs' } } };
const hardened = (r: any) => {
  r.central.objectLock = { mode: 'GOVERNANCE', days: 30 };
  r.central.retention = { transitionToGlacierAfterDays: 90, expireAfterDays: 400 };
  r.central.accessLogging = { targetBucket: 'my-access-logs' };
};
const unhardened = (r: any) => {
  delete r.central.objectLock;
  delete r.central.retention;
  delete r.central.accessLogging;
};
/** Account 222222222222 with a created key, SNS + SQS and CloudWatch Logs. */
const created = (r: any) => Object.assign(r.accounts[0], { kmsKey: { create: { alias: 'alias/ct-222' } }, ...ALL_OPTIONS });

const PAIRS: Record<string, Pair> = {
  'central-policy-only': { stack: 'cloudtrail-central', before: fleet(hardened), after: fleet((r) => (r.central.bucketManagement = 'policyOnly')) },
  'central-none': { stack: 'cloudtrail-central', before: fleet(hardened), after: fleet((r) => (r.central.bucketManagement = 'none')) },
  'central-no-key': { stack: 'cloudtrail-central', before: fleet(() => undefined), after: fleet((r) => (r.central.kmsKey = false)) },
  'central-no-key-control': {
    stack: 'cloudtrail-central',
    before: fleet(() => undefined),
    after: fleet((r) => (r.central.kmsKey = false)),
    tamper: (s) => delete s.removed,
  },
  'central-unhardened': {
    stack: 'cloudtrail-central',
    before: fleet(hardened),
    after: fleet((r) => {
      hardened(r);
      unhardened(r);
    }),
  },
  'key-create-to-central': { stack: 'cloudtrail-account-222222222222', before: fleet(created), after: fleet((r) => Object.assign(created(r), { kmsKey: 'central' })) },
  'key-create-to-central-control': {
    stack: 'cloudtrail-account-222222222222',
    before: fleet(created),
    after: fleet((r) => Object.assign(created(r), { kmsKey: 'central' })),
    tamper: (s) => delete s.removed,
  },
  // The scenario of the earlier lifecycle test, with the retained entry no longer saying what the base deployed.
  'decommission-and-retain': {
    stack: 'cloudtrail-account-444444444444',
    before: fleet((r) =>
      r.accounts.push(
        { accountId: '444444444444', trailName: 'trail-a', ...ALL_OPTIONS },
        { accountId: '444444444444', trailName: 'trail-b', region: 'eu-west-1', kmsKey: { create: { alias: 'alias/ct-b' } } },
      ),
    ),
    after: fleet((r) =>
      r.accounts.push(
        { accountId: '444444444444', trailName: 'trail-a', lifecycle: 'decommission', ...ALL_OPTIONS },
        { accountId: '444444444444', trailName: 'trail-b', region: 'eu-west-1', lifecycle: 'retain', kmsKey: 'none' },
      ),
    ),
  },
  'decommission-keeps-key': { stack: 'cloudtrail-account-222222222222', before: fleet(created), after: fleet((r) => Object.assign(created(r), { lifecycle: 'decommission' })) },
  'decommission-delete-keys': {
    stack: 'cloudtrail-account-222222222222',
    before: fleet(created),
    after: fleet((r) => Object.assign(created(r), { lifecycle: 'decommission', deleteKeys: true })),
  },
  rename: { stack: 'cloudtrail-account-222222222222', before: fleet(created), after: fleet((r) => Object.assign(created(r), { trailName: 'new-trail', renamedFrom: 'my-trail' })) },
  'rename-to-central-key': {
    stack: 'cloudtrail-account-222222222222',
    before: fleet(created),
    after: fleet((r) => Object.assign(r.accounts[0], { trailName: 'new-trail', renamedFrom: 'my-trail' })),
  },
};

const REFUSED: Record<string, Pair> = {
  'home-region': { stack: 'cloudtrail-account-222222222222', before: fleet(() => undefined), after: fleet((r) => (r.accounts[0].region = 'eu-west-1')) },
  'trail-key-multi-region': {
    stack: 'cloudtrail-account-333333333333',
    before: fleet((r) => r.accounts.push({ accountId: '333333333333', kmsKey: { create: { alias: 'alias/ct-333' } } })),
    after: fleet((r) => r.accounts.push({ accountId: '333333333333', kmsKey: { create: { alias: 'alias/ct-333', multiRegion: true } } })),
  },
};

function plan(pairs: Record<string, Pair>): Map<string, TransitionPlan> {
  return planTransitions(
    Object.entries(pairs).map(([name, p]) => {
      const after = JSON.parse(JSON.stringify(stackOf(synthFleet(p.after), p.stack)));
      p.tamper?.(after);
      return { name, before: stackOf(synthFleet(p.before), p.stack), after, account: p.stack === 'cloudtrail-central' ? '111111111111' : p.stack.slice(-12) };
    }),
  );
}

tf('config changes planned by Terraform on the state of the base', () => {
  let plans: Map<string, TransitionPlan>;
  beforeAll(() => {
    plans = plan(PAIRS);
  }, 600_000);

  const planOf = (name: string) => {
    const p = plans.get(name)!;
    if (!p.ok) throw new Error(`Terraform refused the plan of ${name}:\n${p.output}`);
    return p;
  };
  const losses = (name: string) => {
    const pair = PAIRS[name];
    return undeclaredLosses(pair.stack, planOf(name).changes, declarationsFromStacks(synthFleet(pair.after)), stackOf(synthFleet(pair.before), pair.stack));
  };
  const lossWords = (name: string) => losses(name).map((l) => `${l.address} ${l.action}: ${l.cost}`);

  test('no pair plans an undeclared delete or replace of a protected resource', () => {
    for (const name of Object.keys(PAIRS)) if (!PAIRS[name].tamper) expect([name, lossWords(name)]).toEqual([name, []]);
  });

  test('bucketManagement managed -> policyOnly forgets the bucket and its parts; the policy stays, unchanged (no "1 to add")', () => {
    expect(actionsOf(planOf('central-policy-only'))).toEqual([
      'aws_s3_bucket.log_bucket: forget',
      'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle: forget',
      'aws_s3_bucket_logging.log_bucket_access_logging: forget',
      'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock: forget',
      'aws_s3_bucket_ownership_controls.log_bucket_ownership_controls: forget',
      'aws_s3_bucket_public_access_block.log_bucket_public_access_block: forget',
      'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption: forget',
      'aws_s3_bucket_versioning.log_bucket_versioning: forget',
    ]);
    const policy = planOf('central-policy-only').changes.find((c) => c.address === 'aws_s3_bucket_policy.log_bucket_policy')!;
    expect(policy.change.actions).toEqual(['no-op']);
  });

  test('bucketManagement managed -> none forgets the policy too and deletes nothing', () => {
    const actions = actionsOf(planOf('central-none'));
    expect(actions).toContain('aws_s3_bucket_policy.log_bucket_policy: forget');
    expect(actions.filter((a) => !a.endsWith(': forget'))).toEqual([]);
  });

  test('central.kmsKey: false forgets the central key and alias; the default encryption becomes SSE-S3 in place', () => {
    expect(actionsOf(planOf('central-no-key'))).toEqual([
      'aws_kms_alias.central_key_alias: forget',
      'aws_kms_key.central_key: forget',
      'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption: update',
    ]);
  });

  test('control: without the removed blocks Terraform would schedule the central key for deletion, and the check says what it costs', () => {
    expect(lossWords('central-no-key-control')).toEqual([
      'aws_kms_alias.central_key_alias delete: account stacks look up the central key by the alias alias/cloudtrail-logs: their plans fail until it exists again',
      "aws_kms_key.central_key delete: SSE-KMS log files encrypted with the central key (trails with kmsKey: central, and the bucket's default encryption) become unreadable after 30 days",
    ]);
  });

  test('dropping objectLock forgets the object lock configuration; dropping retention and access logging deletes them (not protected)', () => {
    expect(actionsOf(planOf('central-unhardened'))).toEqual([
      'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle: delete',
      'aws_s3_bucket_logging.log_bucket_access_logging: delete',
      'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock: forget',
    ]);
  });

  test('kmsKey { create } -> central forgets the created key and alias; the trail switches keys in place', () => {
    expect(actionsOf(planOf('key-create-to-central'))).toEqual([
      'aws_cloudtrail.trail_my-trail: update',
      'aws_kms_alias.trail_my-trail_key_alias: forget',
      'aws_kms_key.trail_my-trail_key: forget',
    ]);
  });

  test('control: without the removed blocks the trail key would be scheduled for deletion', () => {
    expect(lossWords('key-create-to-central-control')).toEqual([
      expect.stringMatching(/^aws_kms_alias\.trail_my-trail_key_alias delete: the alias alias\/ct-222 is deleted/),
      'aws_kms_key.trail_my-trail_key delete: SSE-KMS log files of 222222222222 (trail my-trail) become unreadable after 30 days',
    ]);
  });

  test('decommission destroys the trail and its deliveries; retain forgets exactly what the base deployed, whatever the entry says now', () => {
    expect(actionsOf(planOf('decommission-and-retain'))).toEqual([
      'aws_cloudtrail.trail_trail-a: delete',
      'aws_cloudtrail.trail_trail-b: forget',
      'aws_cloudwatch_log_group.trail_trail-a_log_group: delete',
      'aws_iam_role.trail_trail-a_cwl_role: delete',
      'aws_iam_role_policy.trail_trail-a_cwl_role_policy: delete',
      'aws_kms_alias.trail_trail-b_key_alias: forget',
      'aws_kms_key.trail_trail-b_key: forget',
      'aws_sns_topic.trail_trail-a_topic: delete',
      'aws_sns_topic_policy.trail_trail-a_topic_policy: delete',
      'aws_sns_topic_subscription.trail_trail-a_queue_subscription: delete',
      'aws_sqs_queue.trail_trail-a_queue: delete',
      'aws_sqs_queue_policy.trail_trail-a_queue_policy: delete',
    ]);
  });

  test('decommission forgets the created key and alias', () => {
    const actions = actionsOf(planOf('decommission-keeps-key'));
    expect(actions).toContain('aws_kms_key.trail_my-trail_key: forget');
    expect(actions).toContain('aws_kms_alias.trail_my-trail_key_alias: forget');
    expect(actions).toContain('aws_cloudtrail.trail_my-trail: delete');
  });

  test('decommission with deleteKeys: true deletes the key (declared, so not a loss)', () => {
    const actions = actionsOf(planOf('decommission-delete-keys'));
    expect(actions).toContain('aws_kms_key.trail_my-trail_key: delete');
    expect(actions).toContain('aws_kms_alias.trail_my-trail_key_alias: delete');
    expect(losses('decommission-delete-keys')).toEqual([]);
    // Without the declaration, the same plan is a loss:
    const pair = PAIRS['decommission-delete-keys'];
    const undeclared = undeclaredLosses(pair.stack, planOf('decommission-delete-keys').changes, declarationsFromStacks(synthFleet(PAIRS['decommission-keeps-key'].after)));
    expect(undeclared.map((l) => `${l.address}: ${l.action}`)).toEqual(['aws_kms_alias.trail_my-trail_key_alias: delete', 'aws_kms_key.trail_my-trail_key: delete']);
  });

  test('a renamed trail is created before the old one is deleted; its key, alias, topic, queue and log group move with it', () => {
    expect(actionsOf(planOf('rename'))).toEqual([
      'aws_cloudtrail.trail_my-trail -> aws_cloudtrail.trail_new-trail: create,delete',
      'aws_cloudwatch_log_group.trail_my-trail_log_group -> aws_cloudwatch_log_group.trail_new-trail_log_group: no-op',
      // The delivery role is named after the trail: replaced too, also created first.
      'aws_iam_role.trail_my-trail_cwl_role -> aws_iam_role.trail_new-trail_cwl_role: create,delete',
      'aws_iam_role_policy.trail_my-trail_cwl_role_policy -> aws_iam_role_policy.trail_new-trail_cwl_role_policy: create,delete',
      'aws_kms_alias.trail_my-trail_key_alias -> aws_kms_alias.trail_new-trail_key_alias: no-op',
      // Its description and policy (both trail ARNs) change in place.
      'aws_kms_key.trail_my-trail_key -> aws_kms_key.trail_new-trail_key: update',
      'aws_sns_topic.trail_my-trail_topic -> aws_sns_topic.trail_new-trail_topic: no-op',
      'aws_sns_topic_policy.trail_my-trail_topic_policy -> aws_sns_topic_policy.trail_new-trail_topic_policy: update',
      'aws_sns_topic_subscription.trail_my-trail_queue_subscription -> aws_sns_topic_subscription.trail_new-trail_queue_subscription: no-op',
      'aws_sqs_queue.trail_my-trail_queue -> aws_sqs_queue.trail_new-trail_queue: no-op',
      'aws_sqs_queue_policy.trail_my-trail_queue_policy -> aws_sqs_queue_policy.trail_new-trail_queue_policy: no-op',
    ]);
    const trail = planOf('rename').changes.find((c) => c.address === 'aws_cloudtrail.trail_new-trail')!;
    expect(trail.change.after).toMatchObject({ name: 'new-trail' });
  });

  test('a renamed trail that no longer has a created key forgets the old key instead of deleting it', () => {
    expect(actionsOf(planOf('rename-to-central-key'))).toEqual([
      'aws_cloudtrail.trail_my-trail -> aws_cloudtrail.trail_new-trail: create,delete',
      'aws_cloudwatch_log_group.trail_my-trail_log_group: delete',
      'aws_iam_role.trail_my-trail_cwl_role: delete',
      'aws_iam_role_policy.trail_my-trail_cwl_role_policy: delete',
      'aws_kms_alias.trail_my-trail_key_alias: forget',
      'aws_kms_key.trail_my-trail_key: forget',
      'aws_sns_topic.trail_my-trail_topic: delete',
      'aws_sns_topic_policy.trail_my-trail_topic_policy: delete',
      'aws_sns_topic_subscription.trail_my-trail_queue_subscription: delete',
      'aws_sqs_queue.trail_my-trail_queue: delete',
      'aws_sqs_queue_policy.trail_my-trail_queue_policy: delete',
    ]);
  });
});

tf('config changes Terraform must refuse', () => {
  let output: string;
  beforeAll(() => {
    const plans = plan(REFUSED);
    expect([...plans.values()].every((p) => !p.ok)).toBe(true);
    output = plans.get('home-region')!.output;
  }, 600_000);

  test('a trail whose home region changed: the plan fails on its postcondition, saying how to move a trail', () => {
    expect(output).toContain('Resource postcondition failed');
    expect(output).toMatch(/self\.home_region is "us-east-2"/);
    expect(output.replace(/\s+/g, ' ')).toContain(
      "Trail my-trail of account 222222222222 is configured with home region eu-west-1, but the deployed trail's home_region (shown above) is another region",
    );
  });

  test('a created trail key that would be replaced (multiRegion changed): prevent_destroy refuses the plan', () => {
    expect(output).toContain('Instance cannot be destroyed');
    expect(output).toMatch(/module\.trail-key-multi-region\.aws_kms_key\.trail_my-trail_key has\s+lifecycle\.prevent_destroy set/);
  });
});
