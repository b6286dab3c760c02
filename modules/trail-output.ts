import type { FleetTrail } from './fleet-trail';

/**
 * The trail as `aws cloudtrail create-trail` prints it: the same keys, with
 * the optional ones present only when set.
 */
export function trailOutput(ft: FleetTrail): Record<string, unknown> {
  const { trail: t } = ft;
  const cfg = ft.config;
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    ...(cfg.prefix ? { S3KeyPrefix: t.s3KeyPrefix } : {}),
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.isMultiRegionTrail,
    TrailARN: t.arn,
    LogFileValidationEnabled: t.enableLogFileValidation,
    IsOrganizationTrail: t.isOrganizationTrail,
    ...(cfg.kmsKey.kind !== 'none' ? { KmsKeyId: t.kmsKeyId } : {}),
    ...(cfg.sns ? { SnsTopicARN: t.snsTopicArn } : {}),
    ...(cfg.cloudWatchLogs ? { CloudWatchLogsLogGroupArn: t.cloudWatchLogsGroupArn } : {}),
  };
}
