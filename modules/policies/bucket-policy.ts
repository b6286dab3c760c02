/**
 * The central bucket's policy, computed from the configured trails.
 *
 * CloudTrail needs `s3:GetBucketAcl` on the bucket and `s3:PutObject` under
 * `[<prefix>/]AWSLogs/<account>/` (organization trails: `AWSLogs/<org id>/`),
 * with `s3:x-amz-acl = bucket-owner-full-control` (facts §1). Bucket policies
 * are limited to 20 KB, so the policy comes in three encodings, tried in
 * order; the first that fits is used:
 *
 * 1. `per-account`: the AWS-documented form. One write statement per account,
 *    naming its folders and its trail ARNs. About 80 accounts fit.
 * 2. `per-prefix-trail-arns`: one statement per distinct prefix whose
 *    Resource uses the `${aws:SourceAccount}` policy variable, so a trail can
 *    only ever resolve to its own account's folder; still scoped to exact
 *    trail ARNs. Each trail ARN is listed once.
 * 3. `per-prefix-source-account`: as 2, scoped by `aws:SourceAccount` lists
 *    instead of trail ARNs (15 bytes an account: 1,000+ accounts fit).
 *
 * In 2 and 3 the bucket ACL check and the write share a statement, and the
 * `bucket-owner-full-control` requirement becomes an explicit Deny, so no
 * account list is repeated. Every encoding ends with a TLS-only Deny.
 */
import type { Partition } from '../../config/rules';
import { bucketArn, CLOUDTRAIL_PRINCIPAL, logFolder } from '../arns';
import { BUCKET_POLICY_LIMIT_BYTES, firstThatFits, policy, PolicyDocument, SizedPolicy, sortedUnique, Statement } from './document';
import { admittedArns, groupBy, TrailRef } from './trail-ref';

export const BUCKET_POLICY_ENCODINGS = ['per-account', 'per-prefix-trail-arns', 'per-prefix-source-account'] as const;
export type BucketPolicyEncoding = (typeof BUCKET_POLICY_ENCODINGS)[number];

export interface BucketPolicyInput {
  readonly partition: Partition;
  readonly bucketName: string;
  readonly trails: readonly TrailRef[];
  /** Required when any trail is an organization trail. */
  readonly organizationId?: string;
  /** The user's own statements, appended verbatim (they count in the size limit). @default none */
  readonly extraStatements?: readonly Statement[];
}

export type BucketPolicyResult = SizedPolicy<BucketPolicyEncoding>;

const service = { Service: CLOUDTRAIL_PRINCIPAL };
const ACL = 'bucket-owner-full-control';

/** Builds the policy in the given encoding. */
export function bucketPolicyDocument(input: BucketPolicyInput, encoding: BucketPolicyEncoding): PolicyDocument {
  const bucket = bucketArn(input.partition, input.bucketName);
  const objects = (folder: string) => `${bucket}/${folder}*`;
  const arns = (ts: readonly TrailRef[]) => sortedUnique(ts.flatMap((t) => admittedArns(input.partition, t)));
  const statements: Statement[] = [];

  if (encoding === 'per-account') {
    statements.push({
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: service,
      Action: 's3:GetBucketAcl',
      Resource: bucket,
      Condition: { StringEquals: { 'aws:SourceArn': arns(input.trails) } },
    });
    for (const [accountId, trails] of groupBy(input.trails, (t) => t.accountId)) {
      statements.push({
        Sid: `AWSCloudTrailWrite${accountId}`,
        Effect: 'Allow',
        Principal: service,
        Action: 's3:PutObject',
        Resource: sortedUnique(trails.map((t) => objects(logFolder(t.prefix, accountId)))),
        Condition: { StringEquals: { 's3:x-amz-acl': ACL, 'aws:SourceArn': arns(trails) } },
      });
    }
  } else {
    const groups = groupBy(input.trails, (t) => t.prefix ?? '');
    groups.forEach(([prefix, trails], i) => {
      const scope: Record<string, string[]> =
        encoding === 'per-prefix-trail-arns'
          ? { 'aws:SourceArn': arns(trails) }
          : { 'aws:SourceAccount': sortedUnique(trails.map((t) => t.accountId)) };
      statements.push({
        Sid: `AWSCloudTrailDelivery${groups.length > 1 ? i + 1 : ''}`,
        Effect: 'Allow',
        Principal: service,
        Action: ['s3:GetBucketAcl', 's3:PutObject'],
        Resource: [bucket, objects(logFolder(prefix || undefined, '${aws:SourceAccount}'))],
        Condition: { StringEquals: scope },
      });
    });
    statements.push({
      Sid: 'DenyCloudTrailWriteWithoutBucketOwnerFullControl',
      Effect: 'Deny',
      Principal: service,
      Action: 's3:PutObject',
      Resource: `${bucket}/*`,
      Condition: { StringNotEquals: { 's3:x-amz-acl': ACL } },
    });
  }

  // Organization trails write member accounts' logs under AWSLogs/<org id>/.
  const orgTrails = input.trails.filter((t) => t.organizationTrail);
  if (orgTrails.length > 0) {
    if (!input.organizationId) throw new Error('organization trails need the organization id');
    groupBy(orgTrails, (t) => t.prefix ?? '').forEach(([prefix, trails], i, all) => {
      statements.push({
        Sid: `AWSCloudTrailOrganizationWrite${all.length > 1 ? i + 1 : ''}`,
        Effect: 'Allow',
        Principal: service,
        Action: 's3:PutObject',
        Resource: objects(logFolder(prefix || undefined, input.organizationId!)),
        Condition: { StringEquals: { 's3:x-amz-acl': ACL, 'aws:SourceArn': arns(trails) } },
      });
    });
  }

  statements.push({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucket, `${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  statements.push(...(input.extraStatements ?? []));
  return policy(statements);
}

/** Picks the first encoding that fits in 20 KB (or the smallest, with `fits: false`). */
export function bucketPolicy(input: BucketPolicyInput): BucketPolicyResult {
  return firstThatFits(BUCKET_POLICY_ENCODINGS, (encoding) => bucketPolicyDocument(input, encoding), BUCKET_POLICY_LIMIT_BYTES);
}
