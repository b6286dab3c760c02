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
      });
    const bucket = new LogBucket(this, 'log-bucket', {
      bucketName: central.bucketName,
      kmsKeyArn: key?.key.arn,
      policy: policies.bucket.document,
      retention: central.retention,
      objectLock: central.objectLock,
      accessLogging: central.accessLogging,
    });

    new TerraformOutput(this, 'bucket_name', { value: bucket.bucket.bucket });
    new TerraformOutput(this, 'bucket_arn', { value: bucket.bucket.arn });
    if (key) new TerraformOutput(this, 'kms_key_arn', { value: key.key.arn });
    new TerraformOutput(this, 'bucket_policy_bytes', {
      value: policies.bucket.bytes,
      description: `bytes of the bucket policy (S3 limit 20480), encoding ${policies.bucket.encoding}`,
    });
  }
}
