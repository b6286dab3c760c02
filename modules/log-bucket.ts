/**
 * The central log bucket with its hardening. Logical ids are fixed
 * (`overrideLogicalId`), so moving or renaming this construct can never give
 * the bucket a new Terraform address, which would plan a replacement of the
 * audit evidence; `prevent_destroy` makes Terraform refuse any plan that
 * would replace it, and `force_destroy` stays off so a non-empty bucket is
 * never deleted with its objects. `prevent_destroy` does not stop a destroy
 * when the block leaves the config: the central stack then forgets the
 * bucket and its parts instead (`removed` blocks, modules/change-safety.ts).
 */
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { CentralConfig } from '../config/model';
import type { TerraformResource } from 'cdktf';
import { pinAddress } from './addresses';
import type { BucketPart } from '../config/adoption';
import { PolicyDocument, renderPolicy } from './policies/document';
import { importExisting } from './adoption';

export interface LogBucketProps {
  readonly bucketName: string;
  /** Key ARN for default SSE-KMS (with an S3 Bucket Key). @default AES256 (SSE-S3) */
  readonly kmsKeyArn?: string;
  /** The computed bucket policy. */
  readonly policy: PolicyDocument;
  /** Lifecycle of log objects. @default objects are kept forever */
  readonly retention?: CentralConfig['retention'];
  /** Default object lock retention. @default no object lock */
  readonly objectLock?: CentralConfig['objectLock'];
  /** Server access logging of the log bucket. @default off */
  readonly accessLogging?: CentralConfig['accessLogging'];
  /**
   * The bucket exists: import it and each part, except the listed parts
   * (which the bucket does not have yet: they are created). @default created
   */
  readonly adopt?: { readonly except: readonly BucketPart[] };
}

/**
 * The Terraform name (`aws_<type>.<name>`) of the bucket and of each part. Fixed: the
 * central stack forgets, by these addresses, what a config no longer manages
 * (modules/change-safety.ts), and `policyOnly` keeps the policy at the same address.
 */
export const BUCKET_ADDRESSES: Readonly<Record<BucketPart | 'bucket', string>> = {
  bucket: 'aws_s3_bucket.log_bucket',
  policy: 'aws_s3_bucket_policy.log_bucket_policy',
  versioning: 'aws_s3_bucket_versioning.log_bucket_versioning',
  encryption: 'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption',
  publicAccessBlock: 'aws_s3_bucket_public_access_block.log_bucket_public_access_block',
  ownershipControls: 'aws_s3_bucket_ownership_controls.log_bucket_ownership_controls',
  lifecycle: 'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle',
  objectLock: 'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
  accessLogging: 'aws_s3_bucket_logging.log_bucket_access_logging',
};

/** Pins a bucket resource to its fixed address in BUCKET_ADDRESSES. */
function pinPart<T extends TerraformResource>(resource: T, part: BucketPart | 'bucket'): T {
  const [type, name] = BUCKET_ADDRESSES[part].split('.');
  if (resource.terraformResourceType !== type) throw new Error(`LogBucket: ${part} is a ${resource.terraformResourceType}, not ${type}`);
  return pinAddress(resource, name);
}

/** The config name of each part, by construct id. */
const PART_OF_CONSTRUCT: Readonly<Record<string, BucketPart | 'bucket'>> = {
  bucket: 'bucket',
  policy: 'policy',
  versioning: 'versioning',
  encryption: 'encryption',
  'public-access-block': 'publicAccessBlock',
  ownership: 'ownershipControls',
  lifecycle: 'lifecycle',
  'object-lock': 'objectLock',
  'access-logging': 'accessLogging',
};


export class LogBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    this.bucket = pinPart(
      new S3Bucket(this, 'bucket', { bucket: props.bucketName, forceDestroy: false, lifecycle: { preventDestroy: true } }),
      'bucket',
    );
    const bucket = this.bucket.id;

    pinPart(
      new S3BucketPublicAccessBlock(this, 'public-access-block', {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      'publicAccessBlock',
    );
    // ACLs off: every object belongs to the bucket owner, whoever wrote it.
    pinPart(
      new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } }),
      'ownershipControls',
    );
    const versioning = pinPart(
      new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } }),
      'versioning',
    );
    pinPart(
      new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
        bucket,
        rule: [
          props.kmsKeyArn
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
        ],
      }),
      'encryption',
    );

    if (props.retention) {
      const rule = lifecycleRule(props.retention);
      pinPart(
        new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket, rule: [rule], dependsOn: [versioning] }),
        'lifecycle',
      );
    }
    if (props.objectLock) {
      // Enables object lock on the existing bucket (needs versioning) instead of
      // setting object_lock_enabled on aws_s3_bucket, which would replace it.
      pinPart(
        new S3BucketObjectLockConfigurationA(this, 'object-lock', {
          bucket,
          objectLockEnabled: 'Enabled',
          rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days, years: props.objectLock.years } },
          dependsOn: [versioning],
        }),
        'objectLock',
      );
    }
    if (props.accessLogging) {
      pinPart(
        new S3BucketLoggingA(this, 'access-logging', {
          bucket,
          targetBucket: props.accessLogging.targetBucket,
          targetPrefix: props.accessLogging.targetPrefix ?? '',
        }),
        'accessLogging',
      );
    }

    // The bucket's name, not a reference to it: the policy's `bucket` forces a new resource, and an unknown value (a
    // bucket being created) would plan the policy's replacement, deleting it first. With the name, the policy keeps its
    // address and value whatever bucketManagement was or becomes (policyOnly writes the same).
    this.policy = pinPart(
      new S3BucketPolicy(this, 'policy', { bucket: props.bucketName, policy: renderPolicy(props.policy), dependsOn: [this.bucket] }),
      'policy',
    );

    // An adopted bucket and each of its parts are imported by the bucket name (modules/adoption.ts).
    if (props.adopt) {
      for (const child of this.node.children) {
        const part = PART_OF_CONSTRUCT[child.node.id];
        if (!part) throw new Error(`LogBucket: no bucket part for construct ${child.node.id}; add it to PART_OF_CONSTRUCT`);
        if (!(props.adopt.except as readonly string[]).includes(part)) importExisting(child as TerraformResource, props.bucketName);
      }
    }
  }
}

function lifecycleRule(r: NonNullable<CentralConfig['retention']>): S3BucketLifecycleConfigurationRule {
  return {
    id: 'cloudtrail-log-retention',
    status: 'Enabled',
    filter: [{ prefix: '' }],
    transition: r.transitionToGlacierAfterDays !== undefined ? [{ days: r.transitionToGlacierAfterDays, storageClass: 'GLACIER' }] : undefined,
    expiration: r.expireAfterDays !== undefined ? [{ days: r.expireAfterDays }] : undefined,
    noncurrentVersionExpiration:
      r.noncurrentVersionExpireAfterDays !== undefined ? [{ noncurrentDays: r.noncurrentVersionExpireAfterDays }] : undefined,
  };
}
