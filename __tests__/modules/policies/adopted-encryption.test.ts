/**
 * Adopting an SSE-S3 bucket that a console-made trail already writes to, and
 * switching its default encryption to SSE-KMS with the central key: the
 * existing trail (which names no key, kmsKey: none) keeps delivering. Its
 * writes reach the key only through S3's default encryption, so the computed
 * bucket policy and the computed key policy are evaluated with the IAM
 * evaluator for exactly the requests CloudTrail and S3 make.
 */
import type { IamRequest } from '../../helpers/iam-evaluator';
import { evaluate, isAllowed } from '../../helpers/iam-evaluator';
import { configOf, onlyResource, parsePolicy, rawWith, resourcesOf, stackOf, synthFleet } from '../../helpers/fleet';

const CT = 'cloudtrail.amazonaws.com';
const BUCKET_ARN = 'arn:aws:s3:::my-bucket';
const EXISTING_TRAIL = 'arn:aws:cloudtrail:us-east-2:111111111111:trail/my-trail';
const KEY = 'arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

// The guide's first account: bucket and trail made in the console, adopted here; the central key is new.
const config = configOf(
  rawWith((r) => {
    r.central.adopt = true;
    r.accounts.unshift({ accountId: '111111111111', adopt: true, kmsKey: 'none' });
  }),
);
const stacks = synthFleet(config);
const central = stackOf(stacks, 'cloudtrail-central');
const bucketPolicy = parsePolicy(onlyResource(central, 'aws_s3_bucket_policy').policy);
const keyPolicy = parsePolicy(onlyResource(central, 'aws_kms_key').policy);

/** A log file (or digest) of the existing trail, as CloudTrail writes it: no encryption header. */
const logObject = (folder = 'AWSLogs/111111111111/CloudTrail/us-east-2/2026/11/26/x.json.gz') => `${BUCKET_ARN}/${folder}`;
const cloudTrail = (action: string, resource: string, extra: IamRequest['context'] = {}): IamRequest => ({
  principal: { service: CT },
  action,
  resource,
  context: { 'aws:SourceArn': EXISTING_TRAIL, 'aws:SourceAccount': '111111111111', 'aws:SecureTransport': 'true', ...extra },
});
/** S3 encrypting the object with the bucket default key on CloudTrail's behalf (bucket key: context = bucket ARN). */
const viaS3 = (action: string, s3Context = BUCKET_ARN): IamRequest => ({
  principal: { service: CT },
  action,
  resource: KEY,
  context: {
    'aws:SourceArn': EXISTING_TRAIL,
    'aws:SourceAccount': '111111111111',
    'kms:ViaService': 's3.us-east-2.amazonaws.com',
    'kms:EncryptionContext:aws:s3:arn': s3Context,
  },
});

test('the bucket, once adopted, gets SSE-KMS with the central key as its default', () => {
  const rule = onlyResource(central, 'aws_s3_bucket_server_side_encryption_configuration').rule[0];
  expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
  expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toBe('${aws_kms_key.central_key.arn}');
  expect(rule.bucket_key_enabled).toBe(true);
  expect((central.import as { to: string }[]).map((b) => b.to)).toContain('aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption');
});

test("the existing trail's bucket ACL check and log file writes are allowed by the computed bucket policy", () => {
  expect(evaluate(bucketPolicy, cloudTrail('s3:GetBucketAcl', BUCKET_ARN)).decision).toBe('Allow');
  const write = cloudTrail('s3:PutObject', logObject(), { 's3:x-amz-acl': 'bucket-owner-full-control' });
  expect(evaluate(bucketPolicy, write).decision).toBe('Allow');
  const digest = cloudTrail('s3:PutObject', logObject('AWSLogs/111111111111/CloudTrail-Digest/us-east-2/2026/11/26/d.json.gz'), {
    's3:x-amz-acl': 'bucket-owner-full-control',
  });
  expect(isAllowed(bucketPolicy, digest)).toBe(true);
});

test('S3 may use the central key for those writes (GenerateDataKey, and Decrypt for the bucket key)', () => {
  expect(evaluate(keyPolicy, viaS3('kms:GenerateDataKey')).decision).toBe('Allow');
  expect(isAllowed(keyPolicy, viaS3('kms:Decrypt'))).toBe(true);
  // Without a bucket key, the context is the object ARN.
  expect(isAllowed(keyPolicy, viaS3('kms:GenerateDataKey', logObject()))).toBe(true);
});

test('the same requests outside the adopted bucket, or not through S3, are not allowed', () => {
  expect(isAllowed(keyPolicy, viaS3('kms:GenerateDataKey', 'arn:aws:s3:::another-bucket'))).toBe(false);
  const direct = { ...viaS3('kms:GenerateDataKey'), context: { 'aws:SourceArn': EXISTING_TRAIL, 'aws:SourceAccount': '111111111111' } };
  // The trail names no key, so CloudTrail itself never calls KMS; a direct call needs its trail ARN as context.
  expect(isAllowed(keyPolicy, direct)).toBe(false);
  // A trail the config does not list cannot write, even into its account's folder.
  const stranger = cloudTrail('s3:PutObject', logObject(), {
    'aws:SourceArn': 'arn:aws:cloudtrail:us-east-2:111111111111:trail/console-leftover',
    's3:x-amz-acl': 'bucket-owner-full-control',
  });
  expect(isAllowed(bucketPolicy, stranger)).toBe(false);
});

test('the adopted trail keeps naming no key, so nothing changes for it until the config says so', () => {
  const trail = Object.values(resourcesOf(stackOf(stacks, 'cloudtrail-account-111111111111'), 'aws_cloudtrail'))[0] as Record<string, unknown>;
  expect(trail.kms_key_id).toBeUndefined();
  expect(trail.s3_bucket_name).toBe('my-bucket');
  expect(trail.s3_key_prefix).toBeUndefined();
});
