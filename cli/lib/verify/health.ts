/**
 * Is a trail delivering? Pure checks over GetTrailStatus and the newest
 * object in the trail's folder of the central bucket.
 */
import type { GetTrailStatusCommandOutput } from '@aws-sdk/client-cloudtrail';
import { logFolder } from '../../../modules/arns';
import type { FleetConfig, TrailConfig } from '../../../config/model';

export type TrailStatus = Omit<GetTrailStatusCommandOutput, '$metadata'>;

/** What the config expects a trail to deliver to, for the messages and to tell live errors from stale ones. */
export interface DeliveryTargets {
  readonly s3BucketName?: string;
  /** undefined = the config sends no notifications (an error is still reported, said to be possibly left from before). */
  readonly snsTopicArn?: string;
  /** undefined = the config delivers no CloudWatch Logs (likewise). */
  readonly cloudWatchLogsLogGroupArn?: string;
  readonly cloudWatchLogsRoleArn?: string;
  /** The stack that deploys the trail, e.g. `cloudtrail-account-222222222222`. */
  readonly stackName?: string;
}

/** CloudTrail delivers a digest file every hour, even for an hour without log files: three missed ones are a problem. */
export const DIGEST_STALE_MS = 3 * 3_600_000;

export function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 90) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} d`;
}

/** What an S3 delivery error (LatestDeliveryError, LatestDigestDeliveryError) asks the user to do; `bucket` = `s3://name` when known. */
function s3DeliveryHint(error: string, bucket: string | undefined, withKms: boolean): string {
  const theBucket = bucket ? `the bucket ${bucket}` : 'the bucket';
  if (/NoSuchBucket/i.test(error)) return `${theBucket} does not exist: deploy cloudtrail-central, or correct central.bucketName`;
  if (withKms && /KMS|Kms|kms/.test(error)) return 'the trail\'s KMS key refuses CloudTrail (disabled, pending deletion, or its key policy): check the key named by kmsKey and deploy its stack';
  if (/AccessDenied|Forbidden|AllAccessDisabled/i.test(error)) {
    return `the bucket policy${bucket ? ` of ${bucket}` : ''}${withKms ? ' (or the KMS key policy)' : ''} does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config`;
  }
  return 'see the S3 error responses in the Amazon S3 API Reference; CloudTrail keeps this error until its next successful delivery';
}

/**
 * Problems of a trail's status (GetTrailStatus). `enableLogging` is what the
 * config asks for: a trail the config keeps stopped is not unhealthy for
 * being stopped. Each `Latest*Error` is reported with what it stops and what
 * to do (with `targets`, naming the bucket, topic, log group and role). A
 * digest delivery error counts only with log file validation on.
 */
export function statusProblems(
  status: TrailStatus,
  t: Pick<TrailConfig, 'enableLogging' | 'logFileValidation'>,
  now: Date,
  maxAgeMs: number,
  targets?: DeliveryTargets,
): string[] {
  const problems: string[] = [];
  if (t.enableLogging && status.IsLogging !== true) problems.push(`logging is stopped (IsLogging false${status.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : ''})`);
  const bucket = targets?.s3BucketName ? `s3://${targets.s3BucketName}` : undefined;
  const to = bucket ? ` to ${bucket}` : '';
  const stack = targets?.stackName ?? 'the account stack';
  if (status.LatestDeliveryError) {
    problems.push(`log files are not delivered${to} (LatestDeliveryError: ${status.LatestDeliveryError}): ${s3DeliveryHint(status.LatestDeliveryError, bucket, true)}`);
  }
  if (status.LatestDigestDeliveryError && t.logFileValidation) {
    problems.push(
      `digest files are not delivered${to}, so new log files cannot be proven intact (LatestDigestDeliveryError: ${status.LatestDigestDeliveryError}): ${s3DeliveryHint(status.LatestDigestDeliveryError, bucket, false)}`,
    );
  }
  // Errors of deliveries the config does not make are still reported (CloudTrail clears one only with a successful delivery).
  const stale = (what: string) => ` (the config ${what}: if the live trail no longer does either, this error is left from an earlier setting)`;
  if (status.LatestCloudWatchLogsDeliveryError) {
    const group = targets?.cloudWatchLogsLogGroupArn;
    const e = status.LatestCloudWatchLogsDeliveryError;
    const hint = /ResourceNotFound/i.test(e)
      ? `the log group does not exist: deploy ${stack}, or correct cloudWatchLogs`
      : `the delivery role${targets?.cloudWatchLogsRoleArn ? ` ${targets.cloudWatchLogsRoleArn}` : ''} must trust cloudtrail.amazonaws.com and allow logs:CreateLogStream and logs:PutLogEvents on the log group: deploy ${stack}`;
    const left = targets && !group ? stale('delivers no CloudWatch Logs') : '';
    problems.push(`events are not delivered to CloudWatch Logs${group ? ` ${group}` : ''} (LatestCloudWatchLogsDeliveryError: ${e}): ${hint}${left}`);
  }
  if (status.LatestNotificationError) {
    const topic = targets?.snsTopicArn;
    const e = status.LatestNotificationError;
    const hint = /NotFound/i.test(e)
      ? `the topic does not exist: deploy ${stack}, or correct sns.topicArn`
      : "the topic policy must allow SNS:Publish to cloudtrail.amazonaws.com for this trail (aws:SourceArn), and a KMS-encrypted topic's key must let CloudTrail use it";
    const left = targets && !topic ? stale('sends no notifications') : '';
    problems.push(`SNS notifications${topic ? ` to ${topic}` : ''} fail (LatestNotificationError: ${e}): ${hint}${left}`);
  }
  if (t.enableLogging) {
    if (!status.LatestDeliveryTime) problems.push('no log file delivered yet (no LatestDeliveryTime)');
    else if (now.getTime() - status.LatestDeliveryTime.getTime() > maxAgeMs) {
      problems.push(`last log file delivered ${age(status.LatestDeliveryTime, now)} ago (LatestDeliveryTime ${status.LatestDeliveryTime.toISOString()}), older than --max-age`);
    }
  }
  if (t.enableLogging && t.logFileValidation && status.IsLogging === true && !status.LatestDigestDeliveryError) {
    const digest = status.LatestDigestDeliveryTime;
    const loggingSince = status.StartLoggingTime;
    if (digest && now.getTime() - digest.getTime() > DIGEST_STALE_MS && (!loggingSince || now.getTime() - loggingSince.getTime() > DIGEST_STALE_MS)) {
      problems.push(
        `last digest file delivered ${age(digest, now)} ago (LatestDigestDeliveryTime ${digest.toISOString()}): CloudTrail delivers one every hour while log file validation is on; log files since then cannot be proven intact`,
      );
    } else if (!digest && loggingSince && now.getTime() - loggingSince.getTime() > DIGEST_STALE_MS) {
      problems.push(`no digest file delivered since logging started ${age(loggingSince, now)} ago (no LatestDigestDeliveryTime) although log file validation is on`);
    }
  }
  return problems;
}

/** `[<prefix>/]AWSLogs/<account>/CloudTrail/`, or `[<prefix>/]AWSLogs/<org id>/<account>/CloudTrail/` for an organization trail. */
export function cloudTrailFolder(config: Pick<FleetConfig, 'organization'>, t: Pick<TrailConfig, 'prefix' | 'accountId' | 'organizationTrail'>): string {
  const owner = t.organizationTrail && config.organization ? `${config.organization.id}/${t.accountId}` : t.accountId;
  return `${logFolder(t.prefix, owner)}CloudTrail/`;
}

/** The date folders (`YYYY/MM/DD/`) that can hold objects newer than `maxAgeMs`, newest first. */
export function dateFolders(now: Date, maxAgeMs: number): string[] {
  const out: string[] = [];
  const day = 86_400_000;
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let d = first; d >= now.getTime() - maxAgeMs - day && out.length < 31; d -= day) {
    const date = new Date(d);
    out.push(`${date.getUTCFullYear()}/${String(date.getUTCMonth() + 1).padStart(2, '0')}/${String(date.getUTCDate()).padStart(2, '0')}/`);
  }
  return out;
}

/** What the FOLDER column says: `unlisted` = the folder could not be listed (nothing is known about it). */
export type FolderState = 'recent' | 'old' | 'empty' | 'unlisted';

export function folderState(listed: boolean, newest: Date | undefined, now: Date, maxAgeMs: number): FolderState {
  if (!listed) return 'unlisted';
  if (!newest) return 'empty';
  return now.getTime() - newest.getTime() > maxAgeMs ? 'old' : 'recent';
}

/** `why`, when given, follows a problem: what the empty or old folder most likely means. */
export function folderProblems(bucket: string, folder: string, newest: Date | undefined, now: Date, maxAgeMs: number, why?: string): string[] {
  const tail = why ? `: ${why}` : '';
  if (!newest) return [`no log file under s3://${bucket}/${folder} in the last ${age(new Date(now.getTime() - maxAgeMs), now)}${tail}`];
  if (now.getTime() - newest.getTime() > maxAgeMs) return [`newest log file under s3://${bucket}/${folder} is ${age(newest, now)} old, older than --max-age${tail}`];
  return [];
}
