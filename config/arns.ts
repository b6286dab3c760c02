/**
 * The ARNs the config itself needs (resolving `kmsKey: { arn }` to the central
 * key, checking extra bucket policy statements). modules/arns.ts re-exports
 * them with the ARN builders the constructs use.
 */
import type { Partition } from './rules';

export function bucketArn(partition: Partition, bucketName: string): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

export function kmsAliasArn(partition: Partition, region: string, accountId: string, alias: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:${alias}`;
}
