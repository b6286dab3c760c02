import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { FleetStack } from './fleet-stack';
import type { FleetConfig } from '../config/model';
import { CENTRAL_STACK } from '../modules/arns';
import { awsProvider } from '../modules/account-providers';
import { applyBackend } from '../modules/backend';
import { CentralKey } from '../modules/central-key';
import { LogBucket } from '../modules/log-bucket';
import { fleetPolicies } from '../modules/policies/fleet-policies';
import { keyIdOf } from '../config/adoption';
import { bucketArn } from '../modules/arns';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { renderPolicy } from '../modules/policies/document';
import { importExisting } from '../modules/adoption';
import { pinAddress } from '../modules/addresses';
import { centralForgets } from '../modules/change-safety';
import { forget } from '../modules/terraform-blocks';

/** `cloudtrail-central`: the log bucket, its policy and the central key, in the bucket owner's account. */
export class CentralStack extends FleetStack {
  constructor(scope: Construct, config: FleetConfig) {
    super(scope, CENTRAL_STACK);
    const { central } = config;
    const policies = fleetPolicies(config);
    applyBackend(this, CENTRAL_STACK, config.backend);
    awsProvider(this, 'aws', { accountId: central.accountId, region: central.region, assumeRoleArn: central.assumeRoleArn, tags: central.tags });

    const key =
      central.kmsKey &&
      new CentralKey(this, 'central-key', {
        alias: central.kmsKey.alias,
        multiRegion: central.kmsKey.multiRegion,
        deletionWindowInDays: central.kmsKey.deletionWindowInDays,
        policy: policies.centralKey!.document,
        existingKeyId: central.kmsKey.existingKeyArn && keyIdOf(central.kmsKey.existingKeyArn),
      });

    // central.bucketManagement: the bucket is ours (managed), another team's with our policy on it
    // (policyOnly), or another team's altogether (none: its owner applies the policy we output).
    if (central.bucketManagement === 'managed') {
      const bucket = new LogBucket(this, 'log-bucket', {
        bucketName: central.bucketName,
        kmsKeyArn: key?.key.arn,
        policy: policies.bucket.document,
        retention: central.retention,
        objectLock: central.objectLock,
        accessLogging: central.accessLogging,
        adopt: central.adopt,
      });
      new TerraformOutput(this, 'bucket_name', { value: bucket.bucket.bucket });
      new TerraformOutput(this, 'bucket_arn', { value: bucket.bucket.arn });
    } else {
      if (central.bucketManagement === 'policyOnly') {
        // Same address as in a managed bucket, so switching modes never replaces the policy.
        const policy = pinAddress(
          new S3BucketPolicy(this, 'bucket-policy', { bucket: central.bucketName, policy: renderPolicy(policies.bucket.document) }),
          'log_bucket_policy',
        );
        if (central.adopt && !central.adopt.except.includes('policy')) importExisting(policy, central.bucketName);
      } else {
        new TerraformOutput(this, 'bucket_policy', {
          value: renderPolicy(policies.bucket.document),
          description: `the computed bucket policy, for the team that owns ${central.bucketName} to apply (bucketManagement: none)`,
        });
      }
      new TerraformOutput(this, 'bucket_name', { value: central.bucketName });
      new TerraformOutput(this, 'bucket_arn', { value: bucketArn(config.partition, central.bucketName) });
    }
    // What this config no longer manages is forgotten, never destroyed (modules/change-safety.ts).
    forget(this, centralForgets(central));

    if (key) new TerraformOutput(this, 'kms_key_arn', { value: key.key.arn });
    new TerraformOutput(this, 'bucket_policy_bytes', {
      value: policies.bucket.bytes,
      description: `bytes of the bucket policy (S3 limit 20480), encoding ${policies.bucket.encoding}`,
    });
  }
}
