/**
 * Is a trail delivering? Pure checks over GetTrailStatus and the newest
 * object in the trail's folder of the central bucket.
 */
import type { GetTrailStatusCommandOutput } from '@aws-sdk/client-cloudtrail';
import { logFolder } from '../../../modules/arns';
import type { FleetConfig, TrailConfig } from '../../../config/model';

export type TrailStatus = Omit<GetTrailStatusCommandOutput, '$metadata'>;

const ERROR_FIELDS = ['LatestDeliveryError', 'LatestDigestDeliveryError', 'LatestNotificationError', 'LatestCloudWatchLogsDeliveryError'] as const;

export function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 90) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} d`;
}

/**
 * Problems of a trail's status. `enableLogging` is what the config asks for:
 * a trail the config keeps stopped is not unhealthy for being stopped.
 */
export function statusProblems(status: TrailStatus, t: Pick<TrailConfig, 'enableLogging' | 'logFileValidation'>, now: Date, maxAgeMs: number): string[] {
  const problems: string[] = [];
  if (t.enableLogging && status.IsLogging !== true) problems.push(`logging is stopped (IsLogging false${status.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : ''})`);
  for (const field of ERROR_FIELDS) {
    if (field === 'LatestDigestDeliveryError' && !t.logFileValidation) continue;
    const value = status[field];
    if (value) problems.push(`${field}: ${value}`);
  }
  if (t.enableLogging) {
    if (!status.LatestDeliveryTime) problems.push('no log file delivered yet (no LatestDeliveryTime)');
    else if (now.getTime() - status.LatestDeliveryTime.getTime() > maxAgeMs) {
      problems.push(`last log file delivered ${age(status.LatestDeliveryTime, now)} ago (LatestDeliveryTime ${status.LatestDeliveryTime.toISOString()}), older than --max-age`);
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

export function folderProblems(bucket: string, folder: string, newest: Date | undefined, now: Date, maxAgeMs: number): string[] {
  if (!newest) return [`no log file under s3://${bucket}/${folder} in the last ${age(new Date(now.getTime() - maxAgeMs), now)}`];
  if (now.getTime() - newest.getTime() > maxAgeMs) return [`newest log file under s3://${bucket}/${folder} is ${age(newest, now)} old, older than --max-age`];
  return [];
}
