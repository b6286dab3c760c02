/**
 * Which Terraform failures deploy retries: only those whose every error is
 * a documented transient AWS error (eventual consistency of bucket and key
 * policies, KMS, IAM), read from Terraform's `-no-color` output.
 */
import { backoffMs, classifyFailure } from '../../../../cli/lib/deploy/transient';
import { awsErrorCode, diagnostics, firstErrorLine } from '../../../../cli/lib/terraform/output';
import { awsApplyError } from '../../../helpers/fake-terraform';

const error = (service: string, operation: string, code: string, message: string, address = 'aws_cloudtrail.trail_my-trail', action = 'creating CloudTrail Trail (my-trail)') =>
  awsApplyError({ action, service, operation, code, message, address });

const afterCentral = { centralApplied: true };
const alone = { centralApplied: false };

describe('reading Terraform output', () => {
  test('-no-color blocks: summary, detail and the resource address', () => {
    const out = `aws_cloudtrail.trail_my-trail: Creating...\n${error('CloudTrail', 'CreateTrail', 'InsufficientS3BucketPolicyException', 'Incorrect S3 bucket policy is detected for bucket: my-bucket')}`;
    const [d] = diagnostics(out);
    expect(d.severity).toBe('Error');
    expect(d.address).toBe('aws_cloudtrail.trail_my-trail');
    expect(awsErrorCode(d)).toBe('InsufficientS3BucketPolicyException');
    expect(firstErrorLine(out)).toBe(
      'Error: creating CloudTrail Trail (my-trail): operation error CloudTrail: CreateTrail, https response error StatusCode: 400, RequestID: 7f1e0c2a-5d8b-4c3e-9a61-0b2f4e6d8c10, InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected for bucket: my-bucket',
    );
  });

  test('the boxed form (some Terraform versions draw a box even without colour)', () => {
    const out = '╷\n│ Error: reading KMS Key (alias): operation error KMS: DescribeKey, https response error StatusCode: 400, RequestID: 1, NotFoundException: Alias is not found.\n│ \n│   with data.aws_kms_key.central,\n│   on cdk.tf.json line 10, in data.aws_kms_key.central:\n╵\n╷\n│ Warning: Deprecated attribute\n╵\n';
    const ds = diagnostics(out);
    expect(ds.map((d) => [d.severity, d.address])).toEqual([
      ['Error', 'data.aws_kms_key.central'],
      ['Warning', undefined],
    ]);
    expect(awsErrorCode(ds[0])).toBe('NotFoundException');
  });

  test('no error block: no first error line', () => {
    expect(firstErrorLine('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n')).toBeUndefined();
  });
});

describe('documented transient errors are retried', () => {
  test.each([
    ['InsufficientS3BucketPolicyException', error('CloudTrail', 'CreateTrail', 'InsufficientS3BucketPolicyException', 'Incorrect S3 bucket policy is detected for bucket: my-bucket')],
    ['InsufficientEncryptionPolicyException', error('CloudTrail', 'UpdateTrail', 'InsufficientEncryptionPolicyException', 'Insufficient permissions to access S3 bucket my-bucket or KMS key arn:aws:kms:us-east-2:111111111111:key/x.')],
    ['InsufficientS3BucketPolicyException on PutInsightSelectors', error('CloudTrail', 'PutInsightSelectors', 'InsufficientS3BucketPolicyException', 'Incorrect S3 bucket policy')],
    ['KMS NotFoundException (the central key alias not visible yet)', error('KMS', 'DescribeKey', 'NotFoundException', 'Alias arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs is not found.', 'data.aws_kms_key.central', 'reading KMS Key (arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs)')],
    ['KMS InvalidStateException', error('KMS', 'DescribeKey', 'InvalidStateException', 'arn:aws:kms:us-east-2:111111111111:key/x is pending import.', 'data.aws_kms_key.central')],
    ['the delivery role not yet visible (IAM propagation)', error('CloudTrail', 'CreateTrail', 'InvalidCloudWatchLogsRoleArnException', 'Access denied. Verify in IAM that the role has adequate permissions.')],
    ['the log group not yet usable by the new role (IAM propagation)', error('CloudTrail', 'CreateTrail', 'InvalidCloudWatchLogsLogGroupArnException', 'Access denied. Check the permissions for your role.')],
  ])('%s', (_, output) => {
    const k = classifyFailure(output, alone);
    expect(k.transient).toBe(true);
    expect(k.reasons).toHaveLength(1);
  });

  test('KMS AccessDeniedException is transient only right after cloudtrail-central changed the key policy in this run', () => {
    const denied = error('KMS', 'DescribeKey', 'AccessDeniedException', 'User: arn:aws:sts::222222222222:assumed-role/TerraformDeploy/cloudtrail-fleet is not authorized to perform: kms:DescribeKey', 'data.aws_kms_key.central');
    expect(classifyFailure(denied, afterCentral).transient).toBe(true);
    expect(classifyFailure(denied, alone).transient).toBe(false);
  });

  test('several transient errors in one apply: retried, each named', () => {
    const out = error('CloudTrail', 'CreateTrail', 'InsufficientS3BucketPolicyException', 'x', 'aws_cloudtrail.a') + error('CloudTrail', 'CreateTrail', 'InsufficientEncryptionPolicyException', 'y', 'aws_cloudtrail.b');
    expect(classifyFailure(out, alone)).toMatchObject({ transient: true, reasons: ['InsufficientS3BucketPolicyException on aws_cloudtrail.a', 'InsufficientEncryptionPolicyException on aws_cloudtrail.b'] });
  });
});

describe('everything else fails at once', () => {
  test.each([
    ['an SNS topic that does not exist', error('CloudTrail', 'CreateTrail', 'InsufficientSnsTopicPolicyException', 'SNS Topic does not exist or the topic policy is incorrect!')],
    ['a denied CloudTrail call', error('CloudTrail', 'CreateTrail', 'AccessDeniedException', 'not authorized to perform: cloudtrail:CreateTrail')],
    ['a CloudWatch Logs role that is wrong, not slow', error('CloudTrail', 'CreateTrail', 'InvalidCloudWatchLogsRoleArnException', 'You must specify a role ARN that exists in your account.')],
    ['a key policy naming a principal that does not exist', error('KMS', 'CreateKey', 'MalformedPolicyDocumentException', 'Policy contains a statement with one or more invalid principals.', 'aws_kms_key.central')],
    ['a trail that already exists', error('CloudTrail', 'CreateTrail', 'TrailAlreadyExistsException', 'Trail my-trail already exists for customer: 222222222222')],
    ['an S3 NotFound (not KMS)', error('S3', 'HeadBucket', 'NotFound', 'Not Found', 'aws_s3_bucket.log_bucket')],
    ['wrong credentials for the stack', '\nError: Invalid provider configuration\n\nProvider "registry.terraform.io/hashicorp/aws" requires explicit configuration.\n'],
    ['allowed_account_ids refuses', '\nError: AWS account ID not allowed: 999999999999\n\n  with provider["registry.terraform.io/hashicorp/aws"],\n'],
    ['a state lock held by another run', '\nError: Error acquiring the state lock\n\nError message: resource temporarily unavailable\nLock Info:\n  ID: 1\n'],
  ])('%s', (_, output) => {
    expect(classifyFailure(output, afterCentral).transient).toBe(false);
  });

  test('output without an Error block (a crash, a kill)', () => {
    expect(classifyFailure('panic: runtime error\n', afterCentral)).toEqual({ transient: false, reasons: [], errors: [] });
  });
});

describe('backoff', () => {
  test('doubles from the base, capped at 120 s, jittered within ±25%', () => {
    const mid = { baseMs: 10_000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, mid))).toEqual([10_000, 20_000, 40_000, 80_000, 120_000, 120_000]);
    expect(backoffMs(1, { baseMs: 10_000, random: () => 0 })).toBe(7_500);
    expect(backoffMs(1, { baseMs: 10_000, random: () => 0.999999 })).toBe(12_500);
  });
});
