// Types of the cdktf Jest matchers (registered in helpers/setup.ts).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { App } from 'cdktf';
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FleetConfig } from '../../config/model';
import { buildFleet } from '../../stacks/fleet';
import {
  addressesOf,
  awsProvidersOf,
  configOf,
  defaultRaw,
  onlyResource,
  parsePolicy,
  rawWith,
  resourcesOf,
  stackOf,
  synthFleet,
  synthManifest,
  type StackJson,
} from '../helpers/fleet';

const CENTRAL_ALIAS_ARN = 'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs';
const LOOKUP = 'key_111111111111_cloudtrail-logs';
const KEY_ARN = 'arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const accountStack = (config: FleetConfig, account = '222222222222'): StackJson => stackOf(synthFleet(config), `cloudtrail-account-${account}`);
const trailOf = (stack: StackJson, name = 'my-trail') => {
  const t = resourcesOf(stack, 'aws_cloudtrail')[`trail_${name}`];
  if (!t) throw new Error(`no trail_${name}; have ${Object.keys(resourcesOf(stack, 'aws_cloudtrail')).join(', ')}`);
  return t;
};
const ref = (attr: string, name = 'my-trail') => `\${aws_cloudtrail.trail_${name}.${attr}}`;

describe('the account provider', () => {
  test('is in the trail region and allowed in exactly this account', () => {
    const stack = accountStack(configOf(defaultRaw()));
    expect(awsProvidersOf(stack)).toEqual([{ region: 'us-east-2', allowed_account_ids: ['222222222222'] }]);
  });

  test('assumes the configured role and tags everything with the account tags', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) => {
          r.defaults.tags = { 'managed-by': 'cloudtrail-fleet' };
          Object.assign(r.accounts[0], { assumeRoleArn: 'arn:aws:iam::222222222222:role/TerraformDeploy', region: 'eu-west-1', tags: { team: 'a' } });
        }),
      ),
    );
    expect(awsProvidersOf(stack)[0]).toEqual({
      region: 'eu-west-1',
      allowed_account_ids: ['222222222222'],
      assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/TerraformDeploy', session_name: 'cloudtrail-fleet' }],
      default_tags: [{ tags: { 'managed-by': 'cloudtrail-fleet', team: 'a' } }],
    });
  });

  test('with two trails, tags they share are default_tags and the others go on each trail', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) => {
          r.accounts[0].tags = { team: 'a', tier: 'gold' };
          r.accounts.push({ accountId: '222222222222', trailName: 'second', tags: { team: 'a', tier: 'silver' } });
        }),
      ),
    );
    expect(awsProvidersOf(stack)[0].default_tags).toEqual([{ tags: { team: 'a' } }]);
    expect(trailOf(stack).tags).toEqual({ tier: 'gold' });
    expect(trailOf(stack, 'second').tags).toEqual({ tier: 'silver' });
  });
});

describe('the trail', () => {
  test('the guide example: multi-region, global events, log file validation, logging on, into the central bucket', () => {
    const stack = accountStack(configOf(defaultRaw()));
    const trail = onlyResource(stack, 'aws_cloudtrail');
    expect(trail).toMatchObject({
      name: 'my-trail',
      s3_bucket_name: 'my-bucket',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      is_organization_trail: false,
    });
    expect(trail.s3_key_prefix).toBeUndefined();
    expect(trail.provider).toBeUndefined();
    expect(JSON.stringify(stack)).toHaveResourceWithProperties(Cloudtrail, { name: 'my-trail', is_multi_region_trail: true, enable_log_file_validation: true });
  });

  test('every trail setting reaches the resource', () => {
    const trail = onlyResource(
      accountStack(
        configOf(
          rawWith((r) =>
            Object.assign(r.accounts[0], {
              trailName: 'audit.trail_2',
              prefix: 'team-a/prod',
              multiRegion: false,
              includeGlobalServiceEvents: false,
              logFileValidation: false,
              enableLogging: false,
            }),
          ),
        ),
      ),
      'aws_cloudtrail',
    );
    expect(trail).toMatchObject({
      name: 'audit.trail_2',
      s3_key_prefix: 'team-a/prod',
      is_multi_region_trail: false,
      include_global_service_events: false,
      enable_log_file_validation: false,
      enable_logging: false,
    });
  });

  test('an organization trail in the management account is marked as one', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) => {
          r.organization = { id: 'o-exampleorgid', managementAccountId: '222222222222' };
          r.accounts[0].organizationTrail = true;
        }),
      ),
    );
    expect(onlyResource(stack, 'aws_cloudtrail').is_organization_trail).toBe(true);
    expect(stack.output.trail.value.IsOrganizationTrail).toBe(ref('is_organization_trail'));
  });
});

describe('the trail KMS key', () => {
  test('the central key is looked up by its alias ARN, and kms_key_id gets the key ARN', () => {
    const stack = accountStack(configOf(defaultRaw()));
    expect(resourcesOf(stack, 'aws_cloudtrail')['trail_my-trail'].kms_key_id).toBe(`\${data.aws_kms_key.${LOOKUP}.arn}`);
    expect(stack.data.aws_kms_key).toEqual({ [LOOKUP]: expect.objectContaining({ key_id: CENTRAL_ALIAS_ARN }) });
    expect(stack.data.aws_kms_key[LOOKUP].provider).toBeUndefined();
    expect(JSON.stringify(stack)).toHaveDataSourceWithProperties(DataAwsKmsKey, { key_id: CENTRAL_ALIAS_ARN });
  });

  test('kms_key_id is never an alias ARN, whatever the choice', () => {
    const config = configOf(
      rawWith((r) => {
        r.accounts = [
          { accountId: '222222222222' },
          { accountId: '333333333333', kmsKey: { arn: 'arn:aws:kms:us-east-2:333333333333:alias/own-key' } },
          { accountId: '444444444444', kmsKey: { arn: KEY_ARN.replace('222222222222', '444444444444') } },
          { accountId: '555555555555', kmsKey: { create: { alias: 'alias/ct-555' } } },
          { accountId: '666666666666', kmsKey: { arn: CENTRAL_ALIAS_ARN } },
        ];
      }),
    );
    const stacks = synthFleet(config);
    const ids: Record<string, string> = {};
    for (const [name, stack] of stacks) {
      for (const t of Object.values<any>(resourcesOf(stack, 'aws_cloudtrail'))) ids[name] = t.kms_key_id;
    }
    expect(ids).toEqual({
      'cloudtrail-account-222222222222': `\${data.aws_kms_key.${LOOKUP}.arn}`,
      'cloudtrail-account-333333333333': '${data.aws_kms_key.key_333333333333_own-key.arn}',
      'cloudtrail-account-444444444444': KEY_ARN.replace('222222222222', '444444444444'),
      'cloudtrail-account-555555555555': '${aws_kms_key.trail_my-trail_key.arn}',
      'cloudtrail-account-666666666666': `\${data.aws_kms_key.${LOOKUP}.arn}`,
    });
    for (const id of Object.values(ids)) expect(id).not.toMatch(/:alias\//);
    expect(stackOf(stacks, 'cloudtrail-account-333333333333').data.aws_kms_key['key_333333333333_own-key'].key_id).toBe('arn:aws:kms:us-east-2:333333333333:alias/own-key');
    // A key ARN needs no lookup.
    expect(stackOf(stacks, 'cloudtrail-account-444444444444').data).toBeUndefined();
  });

  test('two aliases that differ only by "/" and "_" get two lookups instead of a synth crash', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) => {
          r.central.kmsKey = { alias: 'alias/cloudtrail/logs' };
          r.accounts.push({ accountId: '222222222222', trailName: 'second', kmsKey: { arn: 'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail_logs' } });
        }),
      ),
    );
    const lookups = stack.data.aws_kms_key;
    expect(Object.values<any>(lookups).map((l) => l.key_id).sort()).toEqual([
      'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail/logs',
      'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail_logs',
    ]);
    const byKeyId = Object.fromEntries(Object.entries<any>(lookups).map(([name, l]) => [l.key_id, name]));
    expect(trailOf(stack).kms_key_id).toBe(`\${data.aws_kms_key.${byKeyId['arn:aws:kms:us-east-2:111111111111:alias/cloudtrail/logs']}.arn}`);
    expect(trailOf(stack, 'second').kms_key_id).toBe(`\${data.aws_kms_key.${byKeyId['arn:aws:kms:us-east-2:111111111111:alias/cloudtrail_logs']}.arn}`);
  });

  test('kmsKey none gives SSE-S3 (no kms_key_id) and no lookup', () => {
    const stack = accountStack(configOf(rawWith((r) => (r.accounts[0].kmsKey = 'none'))));
    expect(onlyResource(stack, 'aws_cloudtrail').kms_key_id).toBeUndefined();
    expect(stack.data).toBeUndefined();
    expect(stack.output.trail.value.KmsKeyId).toBeUndefined();
  });

  test('a created key lives in the bucket region, rotates, and admits only this account’s trail', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) => {
          r.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/SecurityAudit'] };
          Object.assign(r.accounts[0], { region: 'eu-west-1', kmsKey: { create: { alias: 'alias/ct-222' } } });
        }),
      ),
    );
    const key = resourcesOf(stack, 'aws_kms_key')['trail_my-trail_key'];
    expect(key).toMatchObject({ provider: 'aws.us-east-2', enable_key_rotation: true });
    expect(resourcesOf(stack, 'aws_kms_alias')['trail_my-trail_key_alias']).toMatchObject({ name: 'alias/ct-222', provider: 'aws.us-east-2' });
    const doc = parsePolicy(key.policy);
    const encrypt = doc.Statement.find((s) => s.Sid === 'AllowCloudTrailToEncryptLogs')!;
    expect(encrypt.Condition).toEqual({
      StringEquals: { 'aws:SourceArn': ['arn:aws:cloudtrail:eu-west-1:222222222222:trail/my-trail'] },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': ['arn:aws:cloudtrail:eu-west-1:222222222222:trail/my-trail'] },
    });
    expect(doc.Statement.find((s) => s.Sid === 'AllowLogReadersToDecrypt')?.Principal).toEqual({ AWS: ['arn:aws:iam::111111111111:role/SecurityAudit'] });
  });
});

describe('outputs', () => {
  test('trail_arn and trail, with the keys `aws cloudtrail create-trail` prints', () => {
    const stack = accountStack(configOf(defaultRaw()));
    expect(Object.keys(stack.output).sort()).toEqual(['trail', 'trail_arn']);
    expect(stack.output.trail_arn.value).toBe(ref('arn'));
    expect(stack.output.trail.value).toEqual({
      Name: ref('name'),
      TrailARN: ref('arn'),
      S3BucketName: ref('s3_bucket_name'),
      IsMultiRegionTrail: ref('is_multi_region_trail'),
      IncludeGlobalServiceEvents: ref('include_global_service_events'),
      LogFileValidationEnabled: ref('enable_log_file_validation'),
      IsOrganizationTrail: ref('is_organization_trail'),
      KmsKeyId: ref('kms_key_id'),
    });
  });

  test('S3KeyPrefix, SnsTopicARN and CloudWatchLogsLogGroupArn appear only when set', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) =>
          Object.assign(r.accounts[0], {
            prefix: 'team-a',
            sns: { topicArn: 'arn:aws:sns:us-east-2:111111111111:security-notifications' },
            cloudWatchLogs: { create: { logGroupName: 'aws-cloudtrail-logs-222' } },
          }),
        ),
      ),
    );
    expect(Object.keys(stack.output.trail.value).sort()).toEqual(
      [
        'CloudWatchLogsLogGroupArn',
        'IncludeGlobalServiceEvents',
        'IsMultiRegionTrail',
        'IsOrganizationTrail',
        'KmsKeyId',
        'LogFileValidationEnabled',
        'Name',
        'S3BucketName',
        'S3KeyPrefix',
        'SnsTopicARN',
        'TrailARN',
      ].sort(),
    );
    expect(stack.output.trail.value.S3KeyPrefix).toBe(ref('s3_key_prefix'));
    // The topic's ARN itself (the trail's computed sns_topic_arn goes stale in the plan when a topic is added).
    expect(stack.output.trail.value.SnsTopicARN).toBe('arn:aws:sns:us-east-2:111111111111:security-notifications');
    expect(stack.output.trail.value.CloudWatchLogsLogGroupArn).toBe(ref('cloud_watch_logs_group_arn'));
  });

  test('SnsTopicARN of a created topic is the topic ARN (known after the apply that creates it)', () => {
    const stack = accountStack(configOf(rawWith((r) => Object.assign(r.accounts[0], { sns: { create: { topicName: 'ct-222-notify' } } }))));
    const [topicName] = Object.keys(stack.resource.aws_sns_topic);
    expect(stack.output.trail.value.SnsTopicARN).toBe(`\${aws_sns_topic.${topicName}.arn}`);
  });

  test('with two trails in one account, both outputs are maps keyed by trail name', () => {
    const stack = accountStack(configOf(rawWith((r) => r.accounts.push({ accountId: '222222222222', trailName: 'second', multiRegion: false }))));
    expect(stack.output.trail_arn.value).toEqual({ 'my-trail': ref('arn'), second: ref('arn', 'second') });
    expect(Object.keys(stack.output.trail.value).sort()).toEqual(['my-trail', 'second']);
    expect(stack.output.trail.value.second.Name).toBe(ref('name', 'second'));
  });
});

describe('stacks and their order', () => {
  test('every account stack depends on cloudtrail-central, so the bucket policy is applied first', () => {
    const config = configOf(rawWith((r) => r.accounts.push({ accountId: '333333333333' })));
    const manifest = synthManifest(config);
    expect(Object.keys(manifest.stacks).sort()).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-account-333333333333', 'cloudtrail-central']);
    expect(manifest.stacks['cloudtrail-central'].dependencies).toEqual([]);
    expect(manifest.stacks['cloudtrail-account-222222222222'].dependencies).toEqual(['cloudtrail-central']);
    expect(manifest.stacks['cloudtrail-account-333333333333'].dependencies).toEqual(['cloudtrail-central']);

    const outdir = mkdtempSync(path.join(os.tmpdir(), 'deps-'));
    try {
      const { central, accounts } = buildFleet(new App({ outdir, skipValidation: true }), config);
      expect(accounts).toHaveLength(2);
      for (const stack of accounts) expect(stack.dependencies).toEqual([central]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('an account listed twice with two trail names gives one stack with both trails and one key lookup', () => {
    const stacks = synthFleet(configOf(rawWith((r) => r.accounts.push({ accountId: '222222222222', trailName: 'data-events', prefix: 'data' }))));
    expect([...stacks.keys()]).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
    const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
    expect(Object.keys(resourcesOf(stack, 'aws_cloudtrail')).sort()).toEqual(['trail_data-events', 'trail_my-trail']);
    expect(trailOf(stack, 'data-events')).toMatchObject({ name: 'data-events', s3_key_prefix: 'data' });
    expect(Object.keys(stack.data.aws_kms_key)).toEqual([LOOKUP]);
    expect(awsProvidersOf(stack)).toHaveLength(1);
  });

  test('the central account may also have a trail: a separate account stack, writing under AWSLogs/<central id>/', () => {
    const stacks = synthFleet(configOf(rawWith((r) => r.accounts.unshift({ accountId: '111111111111', name: 'log-archive' }))));
    expect([...stacks.keys()]).toEqual(['cloudtrail-account-111111111111', 'cloudtrail-account-222222222222', 'cloudtrail-central']);
    const own = stackOf(stacks, 'cloudtrail-account-111111111111');
    expect(onlyResource(own, 'aws_cloudtrail')).toMatchObject({ name: 'my-trail', s3_bucket_name: 'my-bucket' });
    expect(awsProvidersOf(own)).toEqual([{ region: 'us-east-2', allowed_account_ids: ['111111111111'] }]);
    const policy = parsePolicy(onlyResource(stackOf(stacks, 'cloudtrail-central'), 'aws_s3_bucket_policy').policy);
    expect(policy.Statement.find((s) => s.Sid === 'AWSCloudTrailWrite111111111111')?.Resource).toEqual(['arn:aws:s3:::my-bucket/AWSLogs/111111111111/*']);
  });

  test('a trail whose name has a "." gets a Terraform name that cannot collide', () => {
    const stack = accountStack(
      configOf(
        rawWith((r) => {
          r.accounts[0].trailName = 'a.b';
          r.accounts.push({ accountId: '222222222222', trailName: 'a-b' });
        }),
      ),
    );
    expect(Object.keys(resourcesOf(stack, 'aws_cloudtrail')).sort()).toEqual(['trail_a--b', 'trail_a-b']);
    expect(trailOf(stack, 'a--b').name).toBe('a.b');
  });
});

describe('trails in another region than the central key', () => {
  let stack: StackJson;
  beforeAll(() => {
    stack = accountStack(configOf(rawWith((r) => (r.accounts[0].region = 'eu-west-1'))));
  });

  test('the default provider is in the trail region and the key lookup uses an aliased provider in the key region', () => {
    expect(awsProvidersOf(stack)).toEqual([
      { region: 'eu-west-1', allowed_account_ids: ['222222222222'] },
      { alias: 'us-east-2', region: 'us-east-2', allowed_account_ids: ['222222222222'] },
    ]);
    expect(stack.data.aws_kms_key[LOOKUP]).toMatchObject({ key_id: CENTRAL_ALIAS_ARN, provider: 'aws.us-east-2' });
    expect(onlyResource(stack, 'aws_cloudtrail').provider).toBeUndefined();
    expect(onlyResource(stack, 'aws_cloudtrail').kms_key_id).toBe(`\${data.aws_kms_key.${LOOKUP}.arn}`);
  });

  test('the trail ARN in the policies carries the trail home region', () => {
    const central = stackOf(synthFleet(configOf(rawWith((r) => (r.accounts[0].region = 'eu-west-1')))), 'cloudtrail-central');
    expect(onlyResource(central, 'aws_s3_bucket_policy').policy).toContain('arn:aws:cloudtrail:eu-west-1:222222222222:trail/my-trail');
  });

  test('trails of one account in two regions: the first region (sorted) is the default, the other aliased', () => {
    const two = accountStack(
      configOf(
        rawWith((r) => {
          r.accounts[0].multiRegion = false;
          r.accounts.push({ accountId: '222222222222', trailName: 'eu-trail', region: 'eu-west-1', multiRegion: false });
        }),
      ),
    );
    expect(awsProvidersOf(two).map((p) => [p.alias, p.region])).toEqual([
      [undefined, 'eu-west-1'],
      ['us-east-2', 'us-east-2'],
    ]);
    expect(trailOf(two).provider).toBe('aws.us-east-2');
    expect(trailOf(two, 'eu-trail').provider).toBeUndefined();
    expect(addressesOf(two)).toEqual(['aws_cloudtrail.trail_eu-trail', 'aws_cloudtrail.trail_my-trail', `data.aws_kms_key.${LOOKUP}`]);
  });
});
