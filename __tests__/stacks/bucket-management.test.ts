/**
 * central.bucketManagement: a bucket the project must not own. The central
 * stack holds at most the bucket policy (policyOnly) or nothing of the bucket
 * (none: the computed policy is an output for the owning team); every
 * account stack is byte-for-byte what it is with a managed bucket.
 */
import { configOf, parsePolicy, rawWith, resourcesOf, stackOf, synthFleet, synthFleetFiles, type StackJson } from '../helpers/fleet';
import { fleetPolicies } from '../../modules/policies/fleet-policies';

const fleet = (r: any) => {
  r.accounts.push({ accountId: '333333333333', prefix: 'team-b', sns: { create: { topicName: 'ct-333' } } });
};
const withMode = (mode?: string, more: (r: any) => void = () => undefined) =>
  configOf(
    rawWith((r) => {
      fleet(r);
      if (mode) r.central.bucketManagement = mode;
      more(r);
    }),
  );
const resourceTypes = (stack: StackJson) => Object.keys(stack.resource ?? {}).sort();

describe('bucketManagement: policyOnly', () => {
  const config = withMode('policyOnly');
  const central = stackOf(synthFleet(config), 'cloudtrail-central');

  test('the central stack manages the bucket policy and the central key, nothing else of the bucket', () => {
    expect(resourceTypes(central)).toEqual(['aws_kms_alias', 'aws_kms_key', 'aws_s3_bucket_policy']);
  });

  test('the policy is the computed one, on the named bucket, at the same address as with a managed bucket', () => {
    const policy = resourcesOf(central, 'aws_s3_bucket_policy').log_bucket_policy;
    expect(policy.bucket).toBe('my-bucket');
    expect(parsePolicy(policy.policy)).toEqual(fleetPolicies(config).bucket.document);
  });

  test('outputs: bucket name and ARN from the config, key ARN, policy bytes', () => {
    expect(central.output.bucket_name.value).toBe('my-bucket');
    expect(central.output.bucket_arn.value).toBe('arn:aws:s3:::my-bucket');
    expect(central.output.kms_key_arn).toBeDefined();
    expect(central.output.bucket_policy_bytes.value).toBe(fleetPolicies(config).bucket.bytes);
    expect(central.output.bucket_policy).toBeUndefined();
  });

  test('with adopt, only the policy is imported', () => {
    const adopted = stackOf(synthFleet(withMode('policyOnly', (r) => (r.central.adopt = true))), 'cloudtrail-central');
    expect(adopted.import).toEqual([{ to: 'aws_s3_bucket_policy.log_bucket_policy', id: 'my-bucket' }]);
  });
});

describe('bucketManagement: none', () => {
  const config = withMode('none');
  const central = stackOf(synthFleet(config), 'cloudtrail-central');

  test('the central stack holds no bucket resource at all (only the central key)', () => {
    expect(resourceTypes(central)).toEqual(['aws_kms_alias', 'aws_kms_key']);
  });

  test('without a central key it holds no resource at all', () => {
    const bare = stackOf(synthFleet(withMode('none', (r) => (r.central.kmsKey = false))), 'cloudtrail-central');
    expect(bare.resource).toBeUndefined();
    expect(Object.keys(bare.output).sort()).toEqual(['bucket_arn', 'bucket_name', 'bucket_policy', 'bucket_policy_bytes']);
  });

  test('the computed policy is an output for the owning team, exactly the policy a managed bucket would get', () => {
    const managed = stackOf(synthFleet(withMode()), 'cloudtrail-central');
    const managedPolicy = resourcesOf(managed, 'aws_s3_bucket_policy').log_bucket_policy.policy;
    expect(central.output.bucket_policy.value).toBe(managedPolicy);
    const doc = parsePolicy(central.output.bucket_policy.value);
    expect(doc.Statement.map((s) => s.Sid)).toEqual(
      expect.arrayContaining(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite222222222222', 'AWSCloudTrailWrite333333333333', 'DenyInsecureTransport']),
    );
    expect(central.output.bucket_policy.description).toMatch(/for the team that owns my-bucket to apply/);
  });
});

test.each(['policyOnly', 'none'])('with bucketManagement %s every account stack is byte-for-byte the managed one', (mode) => {
  const managed = synthFleetFiles(withMode());
  const other = synthFleetFiles(withMode(mode));
  const accountFiles = [...managed.keys()].filter((f) => /stacks\/cloudtrail-account-/.test(f));
  expect(accountFiles.length).toBeGreaterThanOrEqual(2);
  for (const f of accountFiles) expect(other.get(f)).toBe(managed.get(f));
  // ... and they still deliver to the named bucket.
  const a333 = stackOf(synthFleet(withMode(mode)), 'cloudtrail-account-333333333333');
  expect(Object.values(resourcesOf(a333, 'aws_cloudtrail'))[0].s3_bucket_name).toBe('my-bucket');
});
