/**
 * Change safety: a replaced log bucket or trail loses audit data, so config
 * edits that do not concern a resource must never change its Terraform
 * address (type + name) or its attributes, and output must be deterministic.
 */
import * as path from 'path';
import { loadConfig } from '../../config/load';
import type { FleetConfig } from '../../config/model';
import { addressesOf, awsProvidersOf, configOf, defaultRaw, rawWith, ROOT, synthFleetFiles, type StackJson } from '../helpers/fleet';
import { FLEET_CHECKS } from '../../modules/fleet-checks';

const STACK_FILE = /^stacks\/([^/]+)\/cdk\.tf\.json$/;

/** stack name -> parsed cdk.tf.json, from the exact files of a synth. */
function stacksOf(files: Map<string, string>): Map<string, StackJson> {
  const out = new Map<string, StackJson>();
  for (const [file, text] of files) {
    const m = STACK_FILE.exec(file);
    if (m) out.set(m[1], JSON.parse(text));
  }
  return out;
}

const accountOfStack = (name: string) => /^cloudtrail-account-(\d{12})$/.exec(name)?.[1];

/** A fleet with every kind of trail: prefixes, SNS + SQS, CloudWatch Logs, keys of each kind, two trails in one account, other regions. */
function fleetRaw(): any {
  return rawWith((r) => {
    r.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/SecurityAudit'] };
    r.central.tags = { owner: 'security' };
    r.accounts = [
      {
        accountId: '222222222222',
        name: 'workloads',
        prefix: 'team-a',
        sns: { create: { topicName: 'ct-222', sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: 'ct-222' } },
        dataEvents: { s3: { buckets: [{ name: 'payments-data', readWrite: 'WriteOnly' }] } },
      },
      { accountId: '333333333333', name: 'data', region: 'eu-west-1', kmsKey: { arn: 'arn:aws:kms:us-east-2:333333333333:alias/own' } },
      { accountId: '444444444444', name: 'sandbox', kmsKey: 'none', tags: { env: 'sandbox' } },
      { accountId: '444444444444', trailName: 'second', multiRegion: false, region: 'ap-south-1', tags: { env: 'sandbox' } },
      { accountId: '555555555555', kmsKey: { create: { alias: 'alias/ct-555' } }, assumeRoleArn: 'arn:aws:iam::555555555555:role/Deploy' },
    ];
  });
}

function synthRaw(change: (raw: any) => void = () => undefined): Map<string, string> {
  const raw = fleetRaw();
  change(raw);
  return synthFleetFiles(configOf(raw));
}

/** The central stack without the attributes that legitimately follow the account list (the two policies and their size). */
function centralWithoutPolicies(stack: StackJson): StackJson {
  const copy = JSON.parse(JSON.stringify(stack));
  delete copy.resource.aws_s3_bucket_policy.log_bucket_policy.policy;
  delete copy.resource.aws_kms_key.central_key.policy;
  delete copy.output.bucket_policy_bytes;
  return copy;
}

describe('editing the account list', () => {
  let base: Map<string, string>;
  beforeAll(() => {
    base = synthRaw();
  });

  test('reordering accounts changes no byte of any stack', () => {
    const reversed = synthRaw((r) => r.accounts.reverse());
    const shuffled = synthRaw((r) => (r.accounts = [r.accounts[3], r.accounts[0], r.accounts[4], r.accounts[2], r.accounts[1]]));
    expect([...reversed.keys()]).toEqual([...base.keys()]);
    for (const [file, text] of base) {
      expect(reversed.get(file)).toBe(text);
      expect(shuffled.get(file)).toBe(text);
    }
  });

  test('renaming an account label changes no byte of any stack', () => {
    const renamed = synthRaw((r) => {
      r.accounts[0].name = 'workloads-prod';
      delete r.accounts[1].name;
    });
    expect(renamed).toEqual(base);
  });

  test('adding an account leaves every other account stack byte-identical, and only the policies change centrally', () => {
    const added = synthRaw((r) => r.accounts.splice(1, 0, { accountId: '300000000000', prefix: 'new-team' }));
    const before = stacksOf(base);
    const after = stacksOf(added);
    expect([...after.keys()].sort()).toEqual([...before.keys(), 'cloudtrail-account-300000000000'].sort());
    for (const name of before.keys()) {
      if (name === 'cloudtrail-central') continue;
      expect(added.get(`stacks/${name}/cdk.tf.json`)).toBe(base.get(`stacks/${name}/cdk.tf.json`));
    }
    const centralBefore = before.get('cloudtrail-central')!;
    const centralAfter = after.get('cloudtrail-central')!;
    expect(addressesOf(centralAfter)).toEqual(addressesOf(centralBefore));
    expect(centralWithoutPolicies(centralAfter)).toEqual(centralWithoutPolicies(centralBefore));
    expect(centralAfter.resource.aws_s3_bucket_policy.log_bucket_policy.policy).toContain('AWSLogs/300000000000/');
  });

  test('removing an account leaves every other account stack byte-identical, and only the policies change centrally', () => {
    const removed = synthRaw((r) => (r.accounts = r.accounts.filter((a: any) => a.accountId !== '333333333333')));
    const before = stacksOf(base);
    const after = stacksOf(removed);
    expect([...after.keys()]).toEqual([...before.keys()].filter((n) => n !== 'cloudtrail-account-333333333333'));
    for (const name of after.keys()) {
      if (name !== 'cloudtrail-central') expect(removed.get(`stacks/${name}/cdk.tf.json`)).toBe(base.get(`stacks/${name}/cdk.tf.json`));
    }
    expect(addressesOf(after.get('cloudtrail-central')!)).toEqual(addressesOf(before.get('cloudtrail-central')!));
    expect(centralWithoutPolicies(after.get('cloudtrail-central')!)).toEqual(centralWithoutPolicies(before.get('cloudtrail-central')!));
    expect(after.get('cloudtrail-central')!.resource.aws_s3_bucket_policy.log_bucket_policy.policy).not.toContain('333333333333');
  });

  test('removing one trail of an account keeps the address and settings of its other trail', () => {
    const removed = stacksOf(synthRaw((r) => (r.accounts = r.accounts.filter((a: any) => a.trailName !== 'second'))));
    const before = stacksOf(base).get('cloudtrail-account-444444444444')!;
    const after = removed.get('cloudtrail-account-444444444444')!;
    expect(addressesOf(before)).toEqual(['aws_cloudtrail.trail_my-trail', 'aws_cloudtrail.trail_second', 'data.aws_kms_key.key_111111111111_cloudtrail-logs']);
    // The lookup of the central key went with the only trail that used it.
    expect(addressesOf(after)).toEqual(['aws_cloudtrail.trail_my-trail']);
    // Which provider block serves the trail's region may change (no replacement); nothing else does.
    const { provider: _before, ...trailBefore } = before.resource.aws_cloudtrail['trail_my-trail'];
    const { provider: _after, ...trailAfter } = after.resource.aws_cloudtrail['trail_my-trail'];
    expect(trailAfter).toEqual(trailBefore);
  });

  test("changing one account's settings touches no other account stack", () => {
    const changed = synthRaw((r) => Object.assign(r.accounts[0], { prefix: 'team-z', enableLogging: false }));
    for (const [file, text] of base) {
      if (file.includes('cloudtrail-account-222222222222') || file.includes('cloudtrail-central') || file === 'manifest.json') continue;
      expect(changed.get(file)).toBe(text);
    }
    expect(changed.get('stacks/cloudtrail-account-222222222222/cdk.tf.json')).not.toBe(base.get('stacks/cloudtrail-account-222222222222/cdk.tf.json'));
  });

  test('resource addresses come from trail names, never from list positions', () => {
    const stacks = stacksOf(base);
    expect(addressesOf(stacks.get('cloudtrail-account-222222222222')!)).toEqual([
      'aws_cloudtrail.trail_my-trail',
      'aws_cloudwatch_log_group.trail_my-trail_log_group',
      'aws_iam_role.trail_my-trail_cwl_role',
      'aws_iam_role_policy.trail_my-trail_cwl_role_policy',
      'aws_sns_topic.trail_my-trail_topic',
      'aws_sns_topic_policy.trail_my-trail_topic_policy',
      'aws_sns_topic_subscription.trail_my-trail_queue_subscription',
      'aws_sqs_queue.trail_my-trail_queue',
      'aws_sqs_queue_policy.trail_my-trail_queue_policy',
      'data.aws_kms_key.key_111111111111_cloudtrail-logs',
    ]);
    expect(addressesOf(stacks.get('cloudtrail-account-555555555555')!)).toEqual([
      'aws_cloudtrail.trail_my-trail',
      'aws_kms_alias.trail_my-trail_key_alias',
      'aws_kms_key.trail_my-trail_key',
    ]);
  });
});

describe('deterministic output', () => {
  test('two synths of the same config are byte-identical, manifest included', () => {
    const first = synthRaw();
    const second = synthRaw();
    expect([...first.keys()]).toContain('manifest.json');
    expect(second).toEqual(first);
  });

  test('the output holds no machine-specific path', () => {
    for (const [file, text] of synthRaw()) {
      expect([file, text.includes(ROOT)]).toEqual([file, false]);
      expect([file, text.includes('/tmp/')]).toEqual([file, false]);
    }
  });
});

describe('the log bucket and the central key', () => {
  const configs: [string, () => FleetConfig][] = [
    ['the default config', () => configOf(defaultRaw())],
    ['a fleet of every kind of trail', () => configOf(fleetRaw())],
    ['the every-option example', () => loadConfig(path.join(ROOT, 'config', 'examples', 'every-option.yaml'), FLEET_CHECKS)],
    ['the SSE-S3 example (no central key)', () => loadConfig(path.join(ROOT, 'config', 'examples', 'sse-s3-and-s3-backend.yaml'), FLEET_CHECKS)],
  ];

  test.each(configs)('keep fixed addresses, prevent_destroy and no force_destroy in %s', (_name, make) => {
    const config = make();
    const central = stacksOf(synthFleetFiles(config)).get('cloudtrail-central')!;
    const bucket = central.resource.aws_s3_bucket;
    expect(Object.keys(bucket)).toEqual(['log_bucket']);
    expect(bucket.log_bucket).toMatchObject({ bucket: config.central.bucketName, force_destroy: false, lifecycle: { prevent_destroy: true } });
    if (config.central.kmsKey) {
      expect(Object.keys(central.resource.aws_kms_key)).toEqual(['central_key']);
      expect(central.resource.aws_kms_key.central_key.lifecycle).toEqual({ prevent_destroy: true });
      expect(Object.keys(central.resource.aws_kms_alias)).toEqual(['central_key_alias']);
    } else {
      expect(central.resource.aws_kms_key).toBeUndefined();
    }
    for (const address of ['aws_s3_bucket_policy.log_bucket_policy', 'aws_s3_bucket_versioning.log_bucket_versioning', 'aws_s3_bucket_public_access_block.log_bucket_public_access_block']) {
      expect(addressesOf(central)).toContain(address);
    }
  });
});

describe('credentials can never reach another account', () => {
  const configs: [string, () => FleetConfig][] = [
    ['a fleet of every kind of trail', () => configOf(fleetRaw())],
    ['the every-option example', () => loadConfig(path.join(ROOT, 'config', 'examples', 'every-option.yaml'), FLEET_CHECKS)],
    ['the SSE-S3 example', () => loadConfig(path.join(ROOT, 'config', 'examples', 'sse-s3-and-s3-backend.yaml'), FLEET_CHECKS)],
  ];

  test.each(configs)("every provider of every stack in %s is allowed only in that stack's account", (_name, make) => {
    const config = make();
    const stacks = stacksOf(synthFleetFiles(config));
    // The central stack, one per account, and (guard.prevention) cloudtrail-guard in the management account.
    const guard = config.guard?.prevention ? 1 : 0;
    expect(stacks.size).toBe(new Set(config.trails.map((t) => t.accountId)).size + 1 + guard);
    for (const [name, stack] of stacks) {
      const account =
        name === 'cloudtrail-central' ? config.central.accountId : name === 'cloudtrail-guard' ? config.organization!.managementAccountId : accountOfStack(name)!;
      const providers = awsProvidersOf(stack);
      expect(providers.length).toBeGreaterThan(0);
      for (const p of providers) expect([name, p.allowed_account_ids]).toEqual([name, [account]]);
      // Every resource and data source uses a provider of its own stack.
      const aliases = new Set(providers.filter((p) => p.alias).map((p) => `aws.${p.alias}`));
      for (const kind of ['resource', 'data'] as const) {
        for (const byName of Object.values<Record<string, any>>(stack[kind] ?? {})) {
          for (const r of Object.values(byName)) if (r.provider !== undefined) expect(aliases).toContain(r.provider);
        }
      }
      const roles = new Set(providers.map((p) => p.assume_role?.[0]?.role_arn));
      expect(roles.size).toBe(1);
      const [role] = roles;
      if (role !== undefined) expect(role).toMatch(new RegExp(`^arn:aws:iam::${account}:role/`));
    }
  });
});
