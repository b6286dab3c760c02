/**
 * KMS key policies for log file encryption (facts §3).
 *
 * CloudTrail encrypts each log file with `kms:GenerateDataKey*`, passing the
 * trail ARN as encryption context `aws:cloudtrail:arn`; it calls
 * `kms:DescribeKey` when a trail is saved, and `kms:Decrypt` when the bucket
 * uses an S3 Bucket Key. Readers decrypt with the same context present.
 */
import type { Partition } from '../../config/rules';
import { accountRootArn, bucketArn, CLOUDTRAIL_PRINCIPAL } from '../arns';
import { firstThatFits, KEY_POLICY_LIMIT_BYTES, policy, PolicyDocument, SizedPolicy, sortedUnique, Statement } from './document';
import { admittedArns, TrailRef } from './trail-ref';

const service = { Service: CLOUDTRAIL_PRINCIPAL };

/** S3's endpoint name as KMS sees it in `kms:ViaService`. */
export function s3ViaService(partition: Partition, region: string): string {
  return `s3.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
}
const CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';

function adminStatement(partition: Partition, accountId: string): Statement {
  return {
    Sid: 'EnableKeyAdministrationByOwnerAccount',
    Effect: 'Allow',
    Principal: { AWS: accountRootArn(partition, accountId) },
    Action: 'kms:*',
    Resource: '*',
  };
}

/**
 * CloudTrail may encrypt (`GenerateDataKey*`, with its trail ARN as
 * encryption context), describe the key and decrypt (S3 Bucket Key) only for
 * the listed trails (facts §3).
 */
function trailStatements(trailArns: readonly string[]): Statement[] {
  const arns = [...trailArns];
  return [
    {
      Sid: 'AllowCloudTrailToEncryptLogs',
      Effect: 'Allow',
      Principal: service,
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': arns }, StringLike: { [CONTEXT]: arns } },
    },
    {
      Sid: 'AllowCloudTrailToDescribeKeyAndUseBucketKey',
      Effect: 'Allow',
      Principal: service,
      Action: ['kms:DescribeKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': arns } },
    },
  ];
}

function readerStatement(readers: readonly string[]): Statement {
  return {
    Sid: 'AllowLogReadersToDecrypt',
    Effect: 'Allow',
    Principal: { AWS: sortedUnique(readers) },
    Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
    Resource: '*',
    Condition: { Null: { [CONTEXT]: 'false' } },
  };
}

/**
 * Log files that get the bucket's default SSE-KMS (trails with `kmsKey: none`,
 * and with an S3 Bucket Key) carry the bucket ARN as encryption context, not a
 * trail ARN: readers decrypt them through S3, for this bucket only.
 */
function readerViaS3Statement(readers: readonly string[], partition: Partition, bucketName: string, region: string): Statement {
  const bucket = bucketArn(partition, bucketName);
  return {
    Sid: 'AllowLogReadersToDecryptThroughS3',
    Effect: 'Allow',
    Principal: { AWS: sortedUnique(readers) },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:ViaService': s3ViaService(partition, region) },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket, `${bucket}/*`] },
    },
  };
}

/**
 * A trail that names no key writes with no encryption header, so the bucket's
 * default SSE-KMS applies and S3 uses the key on CloudTrail's behalf. Scoped
 * to requests that come through S3 for this bucket's objects.
 */
function viaS3Statement(partition: Partition, bucketName: string, region: string): Statement {
  const bucket = bucketArn(partition, bucketName);
  return {
    Sid: 'AllowCloudTrailThroughS3DefaultEncryption',
    Effect: 'Allow',
    Principal: service,
    Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:ViaService': s3ViaService(partition, region) },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket, `${bucket}/*`] },
    },
  };
}

export const KEY_POLICY_ENCODINGS = ['per-trail', 'per-account', 'per-account-org'] as const;
export type KeyPolicyEncoding = (typeof KEY_POLICY_ENCODINGS)[number];

export interface CentralKeyPolicyInput {
  readonly partition: Partition;
  /** Lets the most compact encoding admit key lookups by organization instead of an account list. */
  readonly organizationId?: string;
  readonly centralAccountId: string;
  readonly region: string;
  readonly bucketName: string;
  readonly trails: readonly TrailRef[];
  readonly decryptPrincipals: readonly string[];
  /** The user's own statements, appended verbatim (they count in the size limit). @default none */
  readonly extraStatements?: readonly Statement[];
}

export type KeyPolicyResult = SizedPolicy<KeyPolicyEncoding>;

/**
 * The central key's policy. `per-trail` names every trail ARN (encryption
 * context and `aws:SourceArn`); `per-account` is the compact form for large
 * fleets: the encryption context must be a trail of the calling account
 * (`${aws:SourceAccount}` in the pattern), and the account lists appear once.
 * `per-account-org` (only with an organization) grants the central key's
 * `kms:DescribeKey` lookup to the organization (`aws:PrincipalOrgID`) rather
 * than to each account, so only one account list remains.
 */
export function centralKeyPolicyDocument(input: CentralKeyPolicyInput, encoding: KeyPolicyEncoding): PolicyDocument {
  const { partition } = input;
  const trailArns = sortedUnique(input.trails.flatMap((t) => admittedArns(partition, t)));
  const accounts = sortedUnique(input.trails.map((t) => t.accountId));
  const statements: Statement[] = [adminStatement(partition, input.centralAccountId)];

  if (input.trails.length === 0) {
    // No trail names this key; only S3 default encryption (below) uses it.
  } else if (encoding === 'per-trail') {
    statements.push(
      ...trailStatements(trailArns),
      {
        Sid: 'AllowTrailAccountsToLookUpKey',
        Effect: 'Allow',
        Principal: { AWS: accounts.map((a) => accountRootArn(partition, a)) },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
    );
  } else {
    const ownTrails = `arn:${partition}:cloudtrail:*:\${aws:SourceAccount}:trail/*`;
    statements.push(
      {
        Sid: 'AllowCloudTrailOfConfiguredAccounts',
        Effect: 'Allow',
        Principal: service,
        Action: ['kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': accounts } },
      },
      {
        // CloudTrail's own calls (not through S3) must carry a trail ARN of the calling account as context.
        Sid: 'DenyDirectEncryptionWithoutOwnTrailContext',
        Effect: 'Deny',
        Principal: service,
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: {
          StringNotLike: { [CONTEXT]: ownTrails },
          StringNotEquals: { 'kms:ViaService': s3ViaService(partition, input.region) },
        },
      },
      {
        // Through S3 too: whenever a trail ARN is the context, it is a trail of the calling account.
        // (The bucket's default encryption for kmsKey: none carries no trail context and is not concerned.)
        Sid: 'DenyEncryptionForAnotherAccountsTrail',
        Effect: 'Deny',
        Principal: service,
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { Null: { [CONTEXT]: 'false' }, StringNotLike: { [CONTEXT]: ownTrails } },
      },
      {
        Sid: 'AllowTrailAccountsToLookUpKey',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:DescribeKey',
        Resource: '*',
        // Only the key's metadata; with an organization, any member account may read it (no list to grow).
        Condition:
          encoding === 'per-account-org' ? { StringEquals: { 'aws:PrincipalOrgID': input.organizationId! } } : { StringEquals: { 'aws:PrincipalAccount': accounts } },
      },
    );
  }
  statements.push(viaS3Statement(partition, input.bucketName, input.region));
  if (input.decryptPrincipals.length > 0) {
    statements.push(readerStatement(input.decryptPrincipals), readerViaS3Statement(input.decryptPrincipals, partition, input.bucketName, input.region));
  }
  statements.push(...(input.extraStatements ?? []));
  return policy(statements);
}

/** Picks the first encoding that fits in 32 KB (or the smallest, with `fits: false`). */
export function centralKeyPolicy(input: CentralKeyPolicyInput): KeyPolicyResult {
  const encodings = KEY_POLICY_ENCODINGS.filter((e) => e !== 'per-account-org' || input.organizationId);
  return firstThatFits(encodings, (encoding) => centralKeyPolicyDocument(input, encoding), KEY_POLICY_LIMIT_BYTES);
}

export interface TrailKeyPolicyInput {
  readonly partition: Partition;
  readonly accountId: string;
  readonly bucketName: string;
  readonly bucketRegion: string;
  /** The trails of this account that use the key. */
  readonly trails: readonly TrailRef[];
  /** The bucket owner's readers (decrypt). */
  readonly readers: readonly string[];
}

/**
 * Policy of a key created in a trail's own account (`kmsKey: { create }`):
 * CloudTrail may encrypt only for this account's trails that use the key,
 * and the bucket owner's readers may decrypt.
 */
export function trailKeyPolicy(input: TrailKeyPolicyInput): PolicyDocument {
  const trailArns = sortedUnique(input.trails.flatMap((t) => admittedArns(input.partition, t)));
  return policy([
    adminStatement(input.partition, input.accountId),
    ...trailStatements(trailArns),
    readerStatement(input.readers),
  ]);
}

export { KEY_POLICY_LIMIT_BYTES };
