/**
 * What the stacks hand Terraform so that no config change destroys a
 * protected resource it did not ask to destroy (docs/changing-safely.md):
 * `removed { lifecycle { destroy = false } }` for every protected address the
 * current config does not manage but could have managed, `moved` blocks for
 * a renamed trail, and the trail's and keys' lifecycle settings. Read from
 * the synthesized cdk.tf.json.
 */
import { addressesOf, awsProvidersOf, configOf, parsePolicy, rawWith, resourcesOf, stackOf, synthFleet, type StackJson } from '../helpers/fleet';
import { everyTrailAddress } from '../../modules/trail-transitions';
import { fleetPolicies } from '../../modules/policies/fleet-policies';

const synth = (change: (r: any) => void) => synthFleet(configOf(rawWith(change)));
const central = (change: (r: any) => void = () => undefined) => stackOf(synth(change), 'cloudtrail-central');
const account = (change: (r: any) => void, id = '222222222222') => stackOf(synth(change), `cloudtrail-account-${id}`);
const forgotten = (stack: StackJson): string[] => (stack.removed ?? []).map((r: any) => r.from);
const moves = (stack: StackJson): string[] => (stack.moved ?? []).map((m: any) => `${m.from} -> ${m.to}`);

/** Every removed block forgets (destroy = false), and none names an address the stack still declares. */
function expectOnlyForgets(stack: StackJson): void {
  for (const r of stack.removed ?? []) expect(r).toEqual({ from: r.from, lifecycle: { destroy: false } });
  const declared = new Set(addressesOf(stack));
  for (const from of forgotten(stack)) expect(declared.has(from)).toBe(false);
}

const BUCKET_PARTS_BUT_POLICY = [
  'aws_s3_bucket.log_bucket',
  'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle',
  'aws_s3_bucket_logging.log_bucket_access_logging',
  'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
  'aws_s3_bucket_ownership_controls.log_bucket_ownership_controls',
  'aws_s3_bucket_public_access_block.log_bucket_public_access_block',
  'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption',
  'aws_s3_bucket_versioning.log_bucket_versioning',
];

describe('the central stack forgets what the config no longer manages', () => {
  test('a managed bucket without objectLock forgets the object lock configuration (the provider would strip the default retention)', () => {
    const stack = central();
    expect(forgotten(stack)).toEqual(['aws_s3_bucket_object_lock_configuration.log_bucket_object_lock']);
    expectOnlyForgets(stack);
  });

  test('with objectLock, retention and access logging, a managed bucket forgets nothing (lifecycle and logging are never protected)', () => {
    const stack = central((r) => {
      r.central.objectLock = { mode: 'GOVERNANCE', days: 30 };
      r.central.retention = { expireAfterDays: 400 };
      r.central.accessLogging = { targetBucket: 'my-access-logs' };
    });
    expect(stack.removed).toBeUndefined();
    expect(addressesOf(stack)).toContain('aws_s3_bucket_object_lock_configuration.log_bucket_object_lock');
  });

  test('without retention or access logging nothing forgets them: Terraform may destroy them (that keeps more, not less)', () => {
    expect(forgotten(central())).not.toContain('aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle');
    expect(forgotten(central())).not.toContain('aws_s3_bucket_logging.log_bucket_access_logging');
  });

  test('central.kmsKey: false forgets the central key and its alias (they stay in AWS)', () => {
    const stack = central((r) => (r.central.kmsKey = false));
    expect(forgotten(stack)).toEqual([
      'aws_kms_alias.central_key_alias',
      'aws_kms_key.central_key',
      'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
    ]);
    expectOnlyForgets(stack);
  });

  test('bucketManagement policyOnly forgets the bucket and every part but the policy, which keeps its address', () => {
    const stack = central((r) => (r.central.bucketManagement = 'policyOnly'));
    expect(forgotten(stack)).toEqual(BUCKET_PARTS_BUT_POLICY);
    expect(addressesOf(stack)).toContain('aws_s3_bucket_policy.log_bucket_policy');
    expectOnlyForgets(stack);
  });

  test('bucketManagement none forgets the policy too', () => {
    const stack = central((r) => (r.central.bucketManagement = 'none'));
    expect(forgotten(stack)).toEqual([...BUCKET_PARTS_BUT_POLICY, 'aws_s3_bucket_policy.log_bucket_policy'].sort());
    expectOnlyForgets(stack);
  });

  test("a managed bucket's policy names the bucket, not a reference to it, so switching modes never replaces the policy", () => {
    const managed = resourcesOf(central(), 'aws_s3_bucket_policy').log_bucket_policy;
    const policyOnly = resourcesOf(central((r) => (r.central.bucketManagement = 'policyOnly')), 'aws_s3_bucket_policy').log_bucket_policy;
    expect(managed.bucket).toBe('my-bucket');
    expect(managed.depends_on).toEqual(['aws_s3_bucket.log_bucket']);
    expect(policyOnly.bucket).toBe(managed.bucket);
    expect(policyOnly.policy).toBe(managed.policy);
  });

  test('an adopted multi-Region central key (mrk- id) is synthesized with multi_region = true, without saying so', () => {
    const stack = central((r) => {
      r.central.kmsKey = { existingKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab', alias: 'alias/cloudtrail-logs' };
    });
    expect(resourcesOf(stack, 'aws_kms_key').central_key.multi_region).toBe(true);
    expect(stack.import).toContainEqual({ to: 'aws_kms_key.central_key', id: 'mrk-1234abcd12ab34cd56ef1234567890ab' });
  });
});

describe('account stacks: trail keys are forgotten, never scheduled for deletion', () => {
  test('a trail whose kmsKey is not { create } forgets the created-key addresses of its name, through the provider of the bucket region', () => {
    for (const kmsKey of ['central', 'none', { arn: 'arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab' }]) {
      const stack = account((r) => (Object.assign(r.accounts[0], { kmsKey, region: 'eu-west-1' })));
      expect(forgotten(stack)).toEqual(['aws_kms_alias.trail_my-trail_key_alias', 'aws_kms_key.trail_my-trail_key']);
      expectOnlyForgets(stack);
      expect(awsProvidersOf(stack).map((p) => `${p.alias ?? 'default'}:${p.region}`)).toContain('us-east-2:us-east-2');
    }
  });

  test('a trail with kmsKey { create } declares its key with prevent_destroy (a replacement is refused) and forgets nothing', () => {
    const stack = account((r) => (r.accounts[0].kmsKey = { create: { alias: 'alias/ct' } }));
    expect(stack.removed).toBeUndefined();
    expect(resourcesOf(stack, 'aws_kms_key')['trail_my-trail_key'].lifecycle).toEqual({ prevent_destroy: true });
    expect(resourcesOf(stack, 'aws_kms_alias')['trail_my-trail_key_alias'].lifecycle).toBeUndefined();
  });

  test('every trail is created before its replacement is destroyed, and refuses a plan when its home region is not the configured one', () => {
    const stack = account((r) => (r.accounts[0].region = 'eu-west-1'));
    const { lifecycle } = resourcesOf(stack, 'aws_cloudtrail')['trail_my-trail'];
    expect(lifecycle.create_before_destroy).toBe(true);
    expect(lifecycle.postcondition).toHaveLength(1);
    expect(lifecycle.postcondition[0].condition).toBe('${(self.home_region == "eu-west-1")}');
    expect(lifecycle.postcondition[0].error_message).toMatch(
      /^Trail my-trail of account 222222222222 is configured with home region eu-west-1, but the deployed trail's home_region \(shown above\) is another region: CloudTrail cannot move a trail.*add an entry with another trailName in eu-west-1 next to it and deploy.*lifecycle: decommission on the old entry.*docs\/changing-safely\.md/,
    );
  });
});

describe('lifecycle: decommission and retain', () => {
  const leaving = (lifecycle: string, more: Record<string, unknown> = {}) =>
    account(
      (r) => {
        r.accounts.push({ accountId: '333333333333', lifecycle, kmsKey: { create: { alias: 'alias/ct-333' } }, ...more });
      },
      '333333333333',
    );

  test('decommission forgets the created key and alias (the trail and the rest are destroyed)', () => {
    const stack = leaving('decommission');
    expect(stack.resource).toBeUndefined();
    expect(forgotten(stack)).toEqual(['aws_kms_alias.trail_my-trail_key_alias', 'aws_kms_key.trail_my-trail_key']);
  });

  test('decommission forgets the key even when the entry no longer says { create } (whatever the base had)', () => {
    const stack = leaving('decommission', { kmsKey: 'central' });
    expect(forgotten(stack)).toEqual(['aws_kms_alias.trail_my-trail_key_alias', 'aws_kms_key.trail_my-trail_key']);
  });

  test('decommission with deleteKeys: true forgets nothing: the key is destroyed (scheduled for deletion) with the trail', () => {
    const stack = leaving('decommission', { deleteKeys: true });
    expect(stack.removed).toBeUndefined();
    // The destroy needs the provider of the bucket region, where the key lives.
    expect(awsProvidersOf(stack).map((p) => `${p.alias ?? 'default'}:${p.region}`)).toContain('us-east-2:us-east-2');
  });

  test('retain forgets every address the trail module can create for the name, whatever the entry says now', () => {
    const bare = leaving('retain', { kmsKey: 'none' });
    const full = leaving('retain', { sns: { create: { topicName: 't', sqsQueue: true } }, cloudWatchLogs: { create: { logGroupName: 'lg' } } });
    const every = [
      'aws_cloudtrail.trail_my-trail',
      'aws_cloudwatch_log_group.trail_my-trail_log_group',
      'aws_iam_role.trail_my-trail_cwl_role',
      'aws_iam_role_policy.trail_my-trail_cwl_role_policy',
      'aws_kms_alias.trail_my-trail_key_alias',
      'aws_kms_key.trail_my-trail_key',
      'aws_sns_topic.trail_my-trail_topic',
      'aws_sns_topic_policy.trail_my-trail_topic_policy',
      'aws_sns_topic_subscription.trail_my-trail_queue_subscription',
      'aws_sqs_queue.trail_my-trail_queue',
      'aws_sqs_queue_policy.trail_my-trail_queue_policy',
    ];
    expect(forgotten(bare)).toEqual(every);
    expect(forgotten(full)).toEqual(every);
  });

  test('every trail address comes from the module: the template covers exactly what a trail with every option declares', () => {
    const stack = account((r) =>
      Object.assign(r.accounts[0], {
        trailName: 'org.trail-1',
        kmsKey: { create: { alias: 'alias/ct' } },
        sns: { create: { topicName: 't', sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: 'lg' } },
      }),
    );
    const every = everyTrailAddress({ trailName: 'org.trail-1', region: 'us-east-2' }, { bucketRegion: 'us-east-2' }).map((a) => a.address);
    expect(every).toEqual(addressesOf(stack));
  });
});

describe('renamedFrom: the new trail replaces the old one, which keeps delivering until it is gone', () => {
  const renamed = (more: Record<string, unknown> = {}) =>
    synth((r) => {
      Object.assign(r.accounts[0], {
        trailName: 'new-trail',
        renamedFrom: 'my-trail',
        kmsKey: { create: { alias: 'alias/ct' } },
        sns: { create: { topicName: 't', sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: 'lg' } },
        ...more,
      });
    });
  const OLD = 'arn:aws:cloudtrail:us-east-2:222222222222:trail/my-trail';
  const NEW = 'arn:aws:cloudtrail:us-east-2:222222222222:trail/new-trail';

  test('every address of the old trail that the new one declares is moved to it (the key moves, never deleted)', () => {
    const stack = stackOf(renamed(), 'cloudtrail-account-222222222222');
    expect(moves(stack)).toEqual([
      'aws_cloudtrail.trail_my-trail -> aws_cloudtrail.trail_new-trail',
      'aws_cloudwatch_log_group.trail_my-trail_log_group -> aws_cloudwatch_log_group.trail_new-trail_log_group',
      'aws_iam_role.trail_my-trail_cwl_role -> aws_iam_role.trail_new-trail_cwl_role',
      'aws_iam_role_policy.trail_my-trail_cwl_role_policy -> aws_iam_role_policy.trail_new-trail_cwl_role_policy',
      'aws_kms_alias.trail_my-trail_key_alias -> aws_kms_alias.trail_new-trail_key_alias',
      'aws_kms_key.trail_my-trail_key -> aws_kms_key.trail_new-trail_key',
      'aws_sns_topic.trail_my-trail_topic -> aws_sns_topic.trail_new-trail_topic',
      'aws_sns_topic_policy.trail_my-trail_topic_policy -> aws_sns_topic_policy.trail_new-trail_topic_policy',
      'aws_sns_topic_subscription.trail_my-trail_queue_subscription -> aws_sns_topic_subscription.trail_new-trail_queue_subscription',
      'aws_sqs_queue.trail_my-trail_queue -> aws_sqs_queue.trail_new-trail_queue',
      'aws_sqs_queue_policy.trail_my-trail_queue_policy -> aws_sqs_queue_policy.trail_new-trail_queue_policy',
    ]);
    expect(stack.removed).toBeUndefined();
    expect(resourcesOf(stack, 'aws_cloudtrail')['trail_new-trail'].lifecycle.create_before_destroy).toBe(true);
  });

  test('when the new trail has no created key, the old one is forgotten, not moved', () => {
    const stack = stackOf(renamed({ kmsKey: 'central', sns: undefined, cloudWatchLogs: undefined }), 'cloudtrail-account-222222222222');
    expect(moves(stack)).toEqual(['aws_cloudtrail.trail_my-trail -> aws_cloudtrail.trail_new-trail']);
    expect(forgotten(stack)).toEqual([
      'aws_kms_alias.trail_my-trail_key_alias',
      'aws_kms_alias.trail_new-trail_key_alias',
      'aws_kms_key.trail_my-trail_key',
      'aws_kms_key.trail_new-trail_key',
    ]);
    expectOnlyForgets(stack);
  });

  test('the central bucket and key policies, the created key policy and the topic policy admit both the old and the new trail', () => {
    const stacks = renamed();
    const c = stackOf(stacks, 'cloudtrail-central');
    const bucket = parsePolicy(resourcesOf(c, 'aws_s3_bucket_policy').log_bucket_policy.policy);
    const write = bucket.Statement.find((s) => s.Sid === 'AWSCloudTrailWrite222222222222')!;
    expect((write.Condition as any).StringEquals['aws:SourceArn']).toEqual([OLD, NEW]);
    const acl = bucket.Statement.find((s) => s.Sid === 'AWSCloudTrailAclCheck')!;
    expect((acl.Condition as any).StringEquals['aws:SourceArn']).toEqual([OLD, NEW]);

    const a = stackOf(stacks, 'cloudtrail-account-222222222222');
    const key = parsePolicy(resourcesOf(a, 'aws_kms_key')['trail_new-trail_key'].policy);
    const encrypt = key.Statement.find((s) => s.Sid === 'AllowCloudTrailToEncryptLogs')!;
    expect((encrypt.Condition as any).StringEquals['aws:SourceArn']).toEqual([OLD, NEW]);
    expect((encrypt.Condition as any).StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toEqual([OLD, NEW]);
    const topic = parsePolicy(resourcesOf(a, 'aws_sns_topic_policy')['trail_new-trail_topic_policy'].policy);
    expect((topic.Statement[0].Condition as any).StringEquals['aws:SourceArn']).toEqual([NEW, OLD]);
  });

  test('the central key policy admits both while a trail with kmsKey: central is renamed', () => {
    const c = stackOf(renamed({ kmsKey: 'central' }), 'cloudtrail-central');
    const key = parsePolicy(resourcesOf(c, 'aws_kms_key').central_key.policy);
    const encrypt = key.Statement.find((s) => s.Sid === 'AllowCloudTrailToEncryptLogs')!;
    expect((encrypt.Condition as any).StringEquals['aws:SourceArn']).toEqual([OLD, NEW]);
  });

  test('the policy sizes count the extra ARN (size limits and encodings see it like any other trail)', () => {
    const plain = configOf(rawWith((r) => (r.accounts[0].trailName = 'new-trail')));
    const renamedConfig = configOf(rawWith((r) => Object.assign(r.accounts[0], { trailName: 'new-trail', renamedFrom: 'my-trail' })));
    // A list entry: the quoted ARN and a comma. The per-account bucket policy lists trail ARNs twice (ACL check, the account's
    // write statement); the per-trail key policy three times (aws:SourceArn and encryption context to encrypt, aws:SourceArn to describe).
    const entry = JSON.stringify(OLD).length + 1;
    expect(fleetPolicies(renamedConfig).bucket.bytes - fleetPolicies(plain).bucket.bytes).toBe(2 * entry);
    expect(fleetPolicies(renamedConfig).centralKey!.bytes - fleetPolicies(plain).centralKey!.bytes).toBe(3 * entry);
  });

  test('without renamedFrom nothing is moved and the old trail is not admitted', () => {
    const stacks = synth((r) => (r.accounts[0].trailName = 'new-trail'));
    expect(stackOf(stacks, 'cloudtrail-account-222222222222').moved).toBeUndefined();
    expect(resourcesOf(stackOf(stacks, 'cloudtrail-central'), 'aws_s3_bucket_policy').log_bucket_policy.policy).not.toContain('trail/my-trail');
  });
});
