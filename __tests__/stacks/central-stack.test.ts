// Types of the cdktf Jest matchers (registered in helpers/setup.ts).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { FleetConfig } from '../../config/model';
import type { PolicyDocument, Statement } from '../../modules/policies/document';
import { fleetPolicies } from '../../modules/policies/fleet-policies';
import {
  awsProvidersOf,
  configOf,
  defaultRaw,
  issuesOf,
  list,
  onlyResource,
  parsePolicy,
  rawWith,
  resourcesOf,
  stackOf,
  statementBySid,
  synthFleet,
  type StackJson,
} from '../helpers/fleet';

const BUCKET = 'arn:aws:s3:::my-bucket';
const CT = { Service: 'cloudtrail.amazonaws.com' };
const trailArn = (account: string, name = 'my-trail', region = 'us-east-2') => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
const KEY_ARN = 'arn:aws:kms:us-east-2:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const centralOf = (config: FleetConfig): StackJson => stackOf(synthFleet(config), 'cloudtrail-central');
const bucketPolicyOf = (stack: StackJson): PolicyDocument => parsePolicy(onlyResource(stack, 'aws_s3_bucket_policy').policy);
const keyPolicyOf = (stack: StackJson): PolicyDocument => parsePolicy(resourcesOf(stack, 'aws_kms_key').central_key.policy);
const sids = (doc: PolicyDocument) => doc.Statement.map((s) => s.Sid);
const condition = (s: Statement, op: string, key: string) => list(s.Condition?.[op]?.[key]);

/**
 * A fleet that uses every kind of trail key:
 * 222 central key with a prefix (two trails), 333 none (SSE-S3), 444 its own key ARN,
 * 555 a created key, 666 central key from eu-west-1, and the central account itself.
 */
function mixedRaw(): any {
  return rawWith((r) => {
    r.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/SecurityAudit', 'arn:aws:iam::111111111111:role/Forensics'] };
    r.accounts = [
      { accountId: '222222222222', prefix: 'team-a' },
      { accountId: '222222222222', trailName: 'second-trail', prefix: 'team-a2', multiRegion: false },
      { accountId: '333333333333', kmsKey: 'none' },
      { accountId: '444444444444', kmsKey: { arn: 'arn:aws:kms:us-east-2:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab' } },
      { accountId: '555555555555', kmsKey: { create: { alias: 'alias/ct-555' } } },
      { accountId: '666666666666', region: 'eu-west-1' },
      { accountId: '111111111111', trailName: 'bucket-owner-trail' },
    ];
  });
}

describe('the log bucket', () => {
  let stack: StackJson;
  beforeAll(() => {
    stack = centralOf(configOf(defaultRaw()));
  });

  test('is never force-destroyed and Terraform refuses to destroy it', () => {
    expect(resourcesOf(stack, 'aws_s3_bucket')).toEqual({
      log_bucket: expect.objectContaining({ bucket: 'my-bucket', force_destroy: false, lifecycle: { prevent_destroy: true } }),
    });
    // The same, through the cdktf matcher.
    expect(JSON.stringify(stack)).toHaveResourceWithProperties(S3Bucket, { bucket: 'my-bucket', force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(stack, 'aws_s3_bucket').log_bucket.object_lock_enabled).toBeUndefined();
  });

  test('blocks every kind of public access', () => {
    expect(onlyResource(stack, 'aws_s3_bucket_public_access_block')).toMatchObject({
      bucket: '${aws_s3_bucket.log_bucket.id}',
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test('turns ACLs off: the bucket owner owns every object (BucketOwnerEnforced)', () => {
    expect(onlyResource(stack, 'aws_s3_bucket_ownership_controls')).toMatchObject({
      bucket: '${aws_s3_bucket.log_bucket.id}',
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
  });

  test('keeps every version of every object', () => {
    expect(onlyResource(stack, 'aws_s3_bucket_versioning')).toMatchObject({
      bucket: '${aws_s3_bucket.log_bucket.id}',
      versioning_configuration: { status: 'Enabled' },
    });
  });

  test('encrypts by default with the central key and an S3 Bucket Key', () => {
    expect(onlyResource(stack, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.central_key.arn}' }, bucket_key_enabled: true },
    ]);
  });

  test('encrypts with AES256 (SSE-S3) when central.kmsKey is false, and creates no key', () => {
    const plain = centralOf(configOf(rawWith((r) => (r.central.kmsKey = false))));
    expect(onlyResource(plain, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    expect(resourcesOf(plain, 'aws_kms_key')).toEqual({});
    expect(resourcesOf(plain, 'aws_kms_alias')).toEqual({});
    expect(Object.keys(plain.output).sort()).toEqual(['bucket_arn', 'bucket_name', 'bucket_policy_bytes']);
  });

  test('has no lifecycle, object lock or access logging unless configured', () => {
    for (const type of ['aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_object_lock_configuration', 'aws_s3_bucket_logging']) {
      expect(resourcesOf(stack, type)).toEqual({});
    }
  });
});

describe('retention, object lock and access logging', () => {
  test('retention becomes one lifecycle rule: Glacier transition, expiry and noncurrent-version expiry, after versioning', () => {
    const stack = centralOf(
      configOf(rawWith((r) => (r.central.retention = { transitionToGlacierAfterDays: 90, expireAfterDays: 2557, noncurrentVersionExpireAfterDays: 30 }))),
    );
    const lifecycle = resourcesOf(stack, 'aws_s3_bucket_lifecycle_configuration').log_bucket_lifecycle;
    expect(lifecycle.bucket).toBe('${aws_s3_bucket.log_bucket.id}');
    expect(lifecycle.depends_on).toEqual(['aws_s3_bucket_versioning.log_bucket_versioning']);
    expect(lifecycle.rule).toEqual([
      {
        id: 'cloudtrail-log-retention',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        transition: [{ days: 90, storage_class: 'GLACIER' }],
        expiration: [{ days: 2557 }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
      },
    ]);
  });

  test('retention with only an expiry has no transition', () => {
    const stack = centralOf(configOf(rawWith((r) => (r.central.retention = { expireAfterDays: 400 }))));
    const [rule] = resourcesOf(stack, 'aws_s3_bucket_lifecycle_configuration').log_bucket_lifecycle.rule;
    expect(rule.expiration).toEqual([{ days: 400 }]);
    expect(rule.transition).toBeUndefined();
    expect(rule.noncurrent_version_expiration).toBeUndefined();
  });

  test('object lock is configured on the existing bucket (no replacement), in days or years', () => {
    const days = centralOf(configOf(rawWith((r) => (r.central.objectLock = { mode: 'GOVERNANCE', days: 365 }))));
    expect(resourcesOf(days, 'aws_s3_bucket_object_lock_configuration').log_bucket_object_lock).toMatchObject({
      bucket: '${aws_s3_bucket.log_bucket.id}',
      object_lock_enabled: 'Enabled',
      rule: { default_retention: { mode: 'GOVERNANCE', days: 365 } },
      depends_on: ['aws_s3_bucket_versioning.log_bucket_versioning'],
    });
    expect(resourcesOf(days, 'aws_s3_bucket').log_bucket.object_lock_enabled).toBeUndefined();

    const years = centralOf(configOf(rawWith((r) => (r.central.objectLock = { mode: 'COMPLIANCE', years: 7 }))));
    expect(resourcesOf(years, 'aws_s3_bucket_object_lock_configuration').log_bucket_object_lock.rule).toEqual({ default_retention: { mode: 'COMPLIANCE', years: 7 } });
  });

  test('access logging goes to the target bucket and prefix', () => {
    const stack = centralOf(configOf(rawWith((r) => (r.central.accessLogging = { targetBucket: 'my-access-logs', targetPrefix: 'cloudtrail/' }))));
    expect(resourcesOf(stack, 'aws_s3_bucket_logging').log_bucket_access_logging).toMatchObject({
      bucket: '${aws_s3_bucket.log_bucket.id}',
      target_bucket: 'my-access-logs',
      target_prefix: 'cloudtrail/',
    });
    const noPrefix = centralOf(configOf(rawWith((r) => (r.central.accessLogging = { targetBucket: 'my-access-logs' }))));
    expect(resourcesOf(noPrefix, 'aws_s3_bucket_logging').log_bucket_access_logging.target_prefix).toBe('');
  });

  test('bad retention, object lock and access logging settings are rejected with their paths', () => {
    expect(issuesOf(rawWith((r) => (r.central.retention = { transitionToGlacierAfterDays: 100, expireAfterDays: 100 })))).toEqual([
      { path: 'central.retention.expireAfterDays', message: 'expiry (100 days) must come after the transition to Glacier (100 days)' },
    ]);
    expect(issuesOf(rawWith((r) => (r.central.retention = { noncurrentVersionExpireAfterDays: 1.5 })))).toEqual([
      { path: 'central.retention.noncurrentVersionExpireAfterDays', message: 'must be a whole number, got number 1.5' },
    ]);
    expect(issuesOf(rawWith((r) => (r.central.objectLock = { mode: 'LEGAL_HOLD', days: 1 })))).toEqual([
      { path: 'central.objectLock.mode', message: expect.stringMatching(/must be one of GOVERNANCE, COMPLIANCE/) },
    ]);
    expect(issuesOf(rawWith((r) => (r.central.objectLock = { mode: 'GOVERNANCE', years: 0 })))).toEqual([
      { path: 'central.objectLock.years', message: 'objectLock.years must be at least 1' },
    ]);
    expect(issuesOf(rawWith((r) => (r.central.accessLogging = { targetBucket: 'my-bucket', targetPrefix: 'x/' })))).toEqual([
      { path: 'central.accessLogging.targetBucket', message: expect.stringMatching(/must go to another bucket/) },
    ]);
    expect(issuesOf(rawWith((r) => (r.central.accessLogging = { targetBucket: 'logs-bucket', targetPrefix: 'p'.repeat(201) })))).toEqual([
      { path: 'central.accessLogging.targetPrefix', message: 'must be at most 200 characters' },
    ]);
  });
});

describe('the bucket policy', () => {
  test('the guide example: ACL check and a write for 222222222222 under AWSLogs/222222222222/, then the TLS deny', () => {
    const doc = bucketPolicyOf(centralOf(configOf(defaultRaw())));
    expect(doc.Statement).toEqual([
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: CT,
        Action: 's3:GetBucketAcl',
        Resource: BUCKET,
        Condition: { StringEquals: { 'aws:SourceArn': [trailArn('222222222222')] } },
      },
      {
        Sid: 'AWSCloudTrailWrite222222222222',
        Effect: 'Allow',
        Principal: CT,
        Action: 's3:PutObject',
        Resource: [`${BUCKET}/AWSLogs/222222222222/*`],
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': [trailArn('222222222222')] } },
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [BUCKET, `${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  describe('with many accounts, prefixes and regions', () => {
    let doc: PolicyDocument;
    beforeAll(() => {
      doc = bucketPolicyOf(centralOf(configOf(mixedRaw())));
    });

    test('the ACL check names every configured trail, whatever its key', () => {
      const acl = statementBySid(doc, 'AWSCloudTrailAclCheck');
      expect(acl).toMatchObject({ Effect: 'Allow', Principal: CT, Action: 's3:GetBucketAcl', Resource: BUCKET });
      // Sorted, so the policy does not depend on the order of accounts in the config.
      expect(condition(acl, 'StringEquals', 'aws:SourceArn')).toEqual(
        [
          trailArn('111111111111', 'bucket-owner-trail'),
          trailArn('222222222222'),
          trailArn('222222222222', 'second-trail'),
          trailArn('333333333333'),
          trailArn('444444444444'),
          trailArn('555555555555'),
          trailArn('666666666666', 'my-trail', 'eu-west-1'),
        ].sort(),
      );
    });

    test('each account writes only under [prefix/]AWSLogs/<its id>/, with its own trail ARNs and bucket-owner-full-control', () => {
      const expected: Record<string, [string[], string[]]> = {
        '111111111111': [[`${BUCKET}/AWSLogs/111111111111/*`], [trailArn('111111111111', 'bucket-owner-trail')]],
        '222222222222': [
          [`${BUCKET}/team-a/AWSLogs/222222222222/*`, `${BUCKET}/team-a2/AWSLogs/222222222222/*`],
          [trailArn('222222222222'), trailArn('222222222222', 'second-trail')],
        ],
        '333333333333': [[`${BUCKET}/AWSLogs/333333333333/*`], [trailArn('333333333333')]],
        '444444444444': [[`${BUCKET}/AWSLogs/444444444444/*`], [trailArn('444444444444')]],
        '555555555555': [[`${BUCKET}/AWSLogs/555555555555/*`], [trailArn('555555555555')]],
        '666666666666': [[`${BUCKET}/AWSLogs/666666666666/*`], [trailArn('666666666666', 'my-trail', 'eu-west-1')]],
      };
      for (const [account, [resources, arns]] of Object.entries(expected)) {
        const s = statementBySid(doc, `AWSCloudTrailWrite${account}`);
        expect(s).toMatchObject({ Effect: 'Allow', Principal: CT, Action: 's3:PutObject' });
        expect(list(s.Resource)).toEqual(resources);
        expect(s.Condition).toEqual({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arns } });
      }
      expect(doc.Statement.filter((s) => s.Action === 's3:PutObject')).toHaveLength(Object.keys(expected).length);
    });

    test('no CloudTrail statement is unconditioned, and the TLS deny comes last', () => {
      for (const s of doc.Statement.filter((st) => st.Effect === 'Allow')) {
        expect(s.Principal).toEqual(CT);
        expect([...condition(s, 'StringEquals', 'aws:SourceArn'), ...condition(s, 'StringEquals', 'aws:SourceAccount')].length).toBeGreaterThan(0);
      }
      expect(doc.Statement[doc.Statement.length - 1]).toEqual({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [BUCKET, `${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    });
  });

  test('an organization trail may also write under [prefix/]AWSLogs/<org id>/', () => {
    const doc = bucketPolicyOf(
      centralOf(
        configOf(
          rawWith((r) => {
            r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
            r.accounts.push({ accountId: '111111111111', trailName: 'org-trail', organizationTrail: true, prefix: 'org' });
          }),
        ),
      ),
    );
    expect(statementBySid(doc, 'AWSCloudTrailOrganizationWrite')).toEqual({
      Sid: 'AWSCloudTrailOrganizationWrite',
      Effect: 'Allow',
      Principal: CT,
      Action: 's3:PutObject',
      Resource: `${BUCKET}/org/AWSLogs/o-exampleorgid/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': [trailArn('111111111111', 'org-trail')] } },
    });
    expect(list(statementBySid(doc, 'AWSCloudTrailWrite111111111111').Resource)).toEqual([`${BUCKET}/org/AWSLogs/111111111111/*`]);
  });

  test('the bucket_policy_bytes output is the byte length of the policy Terraform gets', () => {
    for (const config of [configOf(defaultRaw()), configOf(mixedRaw())]) {
      const stack = centralOf(config);
      const rendered = onlyResource(stack, 'aws_s3_bucket_policy').policy as string;
      expect(stack.output.bucket_policy_bytes.value).toBe(Buffer.byteLength(rendered, 'utf8'));
      expect(stack.output.bucket_policy_bytes.value).toBe(fleetPolicies(config).bucket.bytes);
    }
  });

  test('1,000 accounts fit in 20 KB, and each account is still confined to its own folder', () => {
    const config = configOf(
      rawWith((r) => {
        r.central.kmsKey = false; // keeps this test about the bucket policy only
        r.accounts = Array.from({ length: 1000 }, (_, i) => ({ accountId: String(100000000000 + i) }));
      }),
    );
    const { bucket } = fleetPolicies(config);
    expect(bucket.fits).toBe(true);
    expect(bucket.bytes).toBeLessThanOrEqual(20 * 1024);
    const doc = bucket.document;
    const writes = doc.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).includes('s3:PutObject'));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) {
      // The folder is the caller's own account: a policy variable, never a wildcard.
      const objects = list(s.Resource).filter((x) => x.startsWith(`${BUCKET}/`));
      expect(objects).toEqual([`${BUCKET}/AWSLogs/\${aws:SourceAccount}/*`]);
      const scope = [...condition(s, 'StringEquals', 'aws:SourceArn'), ...condition(s, 'StringEquals', 'aws:SourceAccount')];
      expect(scope.length).toBe(1000);
    }
    // bucket-owner-full-control is still required, as an explicit deny.
    const deny = doc.Statement.find((s) => s.Effect === 'Deny' && list(s.Action).includes('s3:PutObject'))!;
    expect(deny).toMatchObject({ Principal: CT, Resource: `${BUCKET}/*`, Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } });
    expect(statementBySid(doc, 'DenyInsecureTransport').Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  test('a fleet whose policy cannot fit in 20 KB fails at synth with the size and a suggestion', () => {
    const issues = issuesOf(
      rawWith((r) => {
        r.central.kmsKey = false;
        r.accounts = Array.from({ length: 1200 }, (_, i) => ({ accountId: String(100000000000 + i), prefix: `team-${i}` }));
      }),
    );
    expect(issues).toEqual([
      {
        path: 'accounts',
        message: expect.stringMatching(
          /^the bucket policy for 1200 accounts and 1200 trails needs \d+ bytes even in its most compact form, over the S3 limit of 20480; .*let accounts share .*prefix/,
        ),
      },
    ]);
  });
});

describe('the central KMS key', () => {
  let stack: StackJson;
  let doc: PolicyDocument;
  beforeAll(() => {
    stack = centralOf(configOf(mixedRaw()));
    doc = keyPolicyOf(stack);
  });

  test('rotates, cannot be destroyed by Terraform, and has a fixed address and its alias', () => {
    expect(resourcesOf(stack, 'aws_kms_key')).toEqual({
      central_key: expect.objectContaining({ enable_key_rotation: true, lifecycle: { prevent_destroy: true }, deletion_window_in_days: 30, multi_region: false }),
    });
    expect(JSON.stringify(stack)).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(resourcesOf(stack, 'aws_kms_alias')).toEqual({
      central_key_alias: expect.objectContaining({ name: 'alias/cloudtrail-logs', target_key_id: '${aws_kms_key.central_key.key_id}' }),
    });
  });

  test('alias, multi-Region and deletion window come from central.kmsKey', () => {
    const custom = centralOf(configOf(rawWith((r) => (r.central.kmsKey = { alias: 'alias/org/ct', multiRegion: true, deletionWindowInDays: 7 }))));
    expect(resourcesOf(custom, 'aws_kms_key').central_key).toMatchObject({ multi_region: true, deletion_window_in_days: 7, enable_key_rotation: true });
    expect(resourcesOf(custom, 'aws_kms_alias').central_key_alias.name).toBe('alias/org/ct');
  });

  test("the central account's administrators manage the key", () => {
    expect(doc.Statement[0]).toEqual({
      Sid: 'EnableKeyAdministrationByOwnerAccount',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'kms:*',
      Resource: '*',
    });
  });

  test('CloudTrail may generate data keys only for the trails that use the central key (encryption context and source ARN)', () => {
    const central = [
      trailArn('111111111111', 'bucket-owner-trail'),
      trailArn('222222222222'),
      trailArn('222222222222', 'second-trail'),
      trailArn('666666666666', 'my-trail', 'eu-west-1'),
    ].sort();
    const s = statementBySid(doc, 'AllowCloudTrailToEncryptLogs');
    expect(s).toEqual({
      Sid: 'AllowCloudTrailToEncryptLogs',
      Effect: 'Allow',
      Principal: CT,
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': central }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': central } },
    });
    // Trails with kmsKey none, { arn } and { create } are not admitted.
    for (const other of ['333333333333', '444444444444', '555555555555']) expect(JSON.stringify(s)).not.toContain(other);
  });

  test('CloudTrail may describe the key for those trails, and their accounts may look it up by alias', () => {
    expect(statementBySid(doc, 'AllowCloudTrailToDescribeKeyAndUseBucketKey')).toMatchObject({
      Principal: CT,
      Action: ['kms:DescribeKey', 'kms:Decrypt'],
      Condition: { StringEquals: { 'aws:SourceArn': expect.arrayContaining([trailArn('222222222222'), trailArn('666666666666', 'my-trail', 'eu-west-1')]) } },
    });
    expect(statementBySid(doc, 'AllowTrailAccountsToLookUpKey')).toEqual({
      Sid: 'AllowTrailAccountsToLookUpKey',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root', 'arn:aws:iam::666666666666:root'] },
      Action: 'kms:DescribeKey',
      Resource: '*',
    });
  });

  test('the configured readers may decrypt log files only (the CloudTrail encryption context must be present)', () => {
    expect(statementBySid(doc, 'AllowLogReadersToDecrypt')).toEqual({
      Sid: 'AllowLogReadersToDecrypt',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111111111111:role/Forensics', 'arn:aws:iam::111111111111:role/SecurityAudit'] },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } },
    });
  });

  test('without decryptPrincipals there is no reader statement (the admin statement covers the central account)', () => {
    expect(sids(keyPolicyOf(centralOf(configOf(defaultRaw()))))).toEqual([
      'EnableKeyAdministrationByOwnerAccount',
      'AllowCloudTrailToEncryptLogs',
      'AllowCloudTrailToDescribeKeyAndUseBucketKey',
      'AllowTrailAccountsToLookUpKey',
      'AllowCloudTrailThroughS3DefaultEncryption',
    ]);
  });

  test('S3 may use the key for CloudTrail writes into this bucket only (default encryption)', () => {
    expect(statementBySid(doc, 'AllowCloudTrailThroughS3DefaultEncryption')).toEqual({
      Sid: 'AllowCloudTrailThroughS3DefaultEncryption',
      Effect: 'Allow',
      Principal: CT,
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-2.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [BUCKET, `${BUCKET}/*`] },
      },
    });
  });

  test('the kms_key_arn output is the central key', () => {
    expect(stack.output.kms_key_arn).toEqual({ value: '${aws_kms_key.central_key.arn}' });
  });
});

describe('a trail with kmsKey: none delivering into a bucket whose default is SSE-KMS', () => {
  let stacks: Map<string, StackJson>;
  beforeAll(() => {
    stacks = synthFleet(configOf(rawWith((r) => (r.accounts[0].kmsKey = 'none'))));
  });

  test('the trail names no key, so S3 applies the bucket default (the central key)', () => {
    const trail = onlyResource(stackOf(stacks, 'cloudtrail-account-222222222222'), 'aws_cloudtrail');
    expect(trail.kms_key_id).toBeUndefined();
    const central = stackOf(stacks, 'cloudtrail-central');
    expect(onlyResource(central, 'aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: '${aws_kms_key.central_key.arn}',
    });
  });

  test('the bucket policy still admits the trail, and the key policy lets CloudTrail use the key through S3 for this bucket', () => {
    const central = stackOf(stacks, 'cloudtrail-central');
    const bucket = bucketPolicyOf(central);
    expect(condition(statementBySid(bucket, 'AWSCloudTrailWrite222222222222'), 'StringEquals', 'aws:SourceArn')).toEqual([trailArn('222222222222')]);
    const key = keyPolicyOf(central);
    const viaS3 = statementBySid(key, 'AllowCloudTrailThroughS3DefaultEncryption');
    expect(viaS3.Principal).toEqual(CT);
    expect(list(viaS3.Action)).toContain('kms:GenerateDataKey*');
    expect(viaS3.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.us-east-2.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [BUCKET, `${BUCKET}/*`] },
    });
    // No trail names the key directly, so nothing else is granted to CloudTrail or the accounts.
    expect(sids(key)).toEqual(['EnableKeyAdministrationByOwnerAccount', 'AllowCloudTrailThroughS3DefaultEncryption']);
  });

  test('in aws-cn the via-S3 service name ends in .cn', () => {
    const config = configOf(
      rawWith((r) => {
        r.partition = 'aws-cn';
        r.central.region = 'cn-north-1';
        r.accounts[0].kmsKey = 'none';
      }),
    );
    const viaS3 = statementBySid(fleetPolicies(config).centralKey!.document, 'AllowCloudTrailThroughS3DefaultEncryption');
    expect(viaS3.Condition?.StringEquals).toEqual({ 'kms:ViaService': 's3.cn-north-1.amazonaws.com.cn' });
    expect(viaS3.Condition?.StringLike).toEqual({ 'kms:EncryptionContext:aws:s3:arn': ['arn:aws-cn:s3:::my-bucket', 'arn:aws-cn:s3:::my-bucket/*'] });
  });
});

describe('the central provider and outputs', () => {
  test('one AWS provider in the central region, allowed only in the central account, no role or tags unless set', () => {
    const stack = centralOf(configOf(defaultRaw()));
    expect(awsProvidersOf(stack)).toEqual([{ region: 'us-east-2', allowed_account_ids: ['111111111111'] }]);
  });

  test('assume_role and default_tags come from central.assumeRoleArn and central.tags', () => {
    const stack = centralOf(
      configOf(
        rawWith((r) => {
          r.central.assumeRoleArn = 'arn:aws:iam::111111111111:role/TerraformDeploy';
          r.central.tags = { owner: 'security', 'cost-center': '42' };
        }),
      ),
    );
    expect(awsProvidersOf(stack)).toEqual([
      {
        region: 'us-east-2',
        allowed_account_ids: ['111111111111'],
        assume_role: [{ role_arn: 'arn:aws:iam::111111111111:role/TerraformDeploy', session_name: 'cloudtrail-fleet' }],
        default_tags: [{ tags: { owner: 'security', 'cost-center': '42' } }],
      },
    ]);
  });

  test('outputs are exactly bucket_name, bucket_arn, kms_key_arn and bucket_policy_bytes, at stack level', () => {
    const stack = centralOf(configOf(defaultRaw()));
    expect(Object.keys(stack.output).sort()).toEqual(['bucket_arn', 'bucket_name', 'bucket_policy_bytes', 'kms_key_arn']);
    expect(stack.output.bucket_name.value).toBe('${aws_s3_bucket.log_bucket.bucket}');
    expect(stack.output.bucket_arn.value).toBe('${aws_s3_bucket.log_bucket.arn}');
    expect(stack.output.kms_key_arn.value).toBe('${aws_kms_key.central_key.arn}');
    expect(typeof stack.output.bucket_policy_bytes.value).toBe('number');
    expect(stack.output.bucket_policy_bytes.description).toMatch(/S3 limit 20480/);
  });

  test('the bucket policy and key policy are literal JSON, with no Terraform references', () => {
    const stack = centralOf(configOf(mixedRaw()));
    expect(onlyResource(stack, 'aws_s3_bucket_policy').policy).not.toMatch(/\$\{(?!aws:)/);
    expect(resourcesOf(stack, 'aws_kms_key').central_key.policy).not.toMatch(/\$\{(?!aws:)/);
    expect(stack.data).toBeUndefined();
  });

  test("a trail key ARN of another account is not the central stack's business", () => {
    const stack = centralOf(configOf(rawWith((r) => (r.accounts[0].kmsKey = { arn: KEY_ARN.replace('333333333333', '222222222222') }))));
    expect(sids(keyPolicyOf(stack))).toEqual(['EnableKeyAdministrationByOwnerAccount', 'AllowCloudTrailThroughS3DefaultEncryption']);
  });
});
