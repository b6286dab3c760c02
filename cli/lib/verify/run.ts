/**
 * Verifies every trail of a fleet against AWS: does it exist, is it logging
 * and delivering, does it match the config, and does the central bucket hold
 * recent log files in its folder. Accounts are checked `concurrency` at a time.
 */
import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FleetConfig, TrailConfig } from '../../../config/model';
import { stackNameForAccount } from '../../../modules/arns';
import { AwsAccess, describeError, mapPool, withRetry } from './aws';
import { Drift, expectedTrail, insightDrift, selectorDrift, trailDrift } from './drift';
import { age, cloudTrailFolder, dateFolders, folderProblems, statusProblems } from './health';
import { DigestReport, verifyDigests } from './digests';

export interface VerifyOptions {
  /** A delivery older than this is unhealthy. */
  readonly maxAgeMs: number;
  /** Trails checked at once. */
  readonly concurrency: number;
  /** Also validate digest chains of log files since this time. */
  readonly digestsSince?: Date;
  /** @default new Date() */
  readonly now?: Date;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface TrailReport {
  readonly accountId: string;
  readonly trailName: string;
  readonly region: string;
  readonly trailArn: string;
  readonly healthy: boolean;
  /** undefined when the account could not be reached. */
  readonly exists?: boolean;
  readonly isLogging?: boolean;
  readonly latestDeliveryTime?: string;
  readonly latestDeliveryAge?: string;
  /** `s3://bucket/<prefix>/AWSLogs/<account>/CloudTrail/` */
  readonly folder: string;
  readonly folderNewestObject?: string;
  readonly problems: readonly string[];
  readonly drift: readonly Drift[];
  readonly digests?: DigestReport;
}

export interface FleetReport {
  readonly healthy: boolean;
  readonly checkedAt: string;
  readonly maxAgeHours: number;
  readonly trails: readonly TrailReport[];
}

/** Newest LastModified under a prefix (every page). */
async function newestUnder(s3: S3Client, bucket: string, prefix: string, retry: AwsAccess['retry'], undatedNow: Date): Promise<{ newest?: Date; regions: string[] }> {
  let newest: Date | undefined;
  const regions: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const out = await withRetry(() => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })), retry);
    for (const o of out?.Contents ?? []) {
      // ListObjectsV2 always dates its objects; an undated entry still proves the folder is not empty.
      const at = o.LastModified ?? (o.Key ? undatedNow : undefined);
      if (at && (!newest || at > newest)) newest = at;
    }
    for (const p of out?.CommonPrefixes ?? []) if (p.Prefix) regions.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    token = out?.IsTruncated ? out.NextContinuationToken : undefined;
    if (!token) break;
  }
  return { newest, regions };
}

/**
 * Newest log file of a trail's folder within the age window: the home
 * region's recent date folders first (one or two calls for a healthy trail),
 * then the other region folders found under `CloudTrail/`.
 */
export async function newestLogFile(s3: S3Client, bucket: string, folder: string, homeRegion: string, now: Date, maxAgeMs: number, retry: AwsAccess['retry'] = {}): Promise<Date | undefined> {
  const dates = dateFolders(now, maxAgeMs);
  let newest: Date | undefined;
  const fresh = () => newest !== undefined && now.getTime() - newest.getTime() <= maxAgeMs;
  const scan = async (region: string) => {
    for (const date of dates) {
      const found = (await newestUnder(s3, bucket, `${folder}${region}/${date}`, retry, now)).newest;
      if (found && (!newest || found > newest)) newest = found;
      if (fresh()) return;
    }
  };
  await scan(homeRegion);
  if (fresh()) return newest;
  const listing = await withRetry(() => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, Delimiter: '/' })), retry);
  // S3 puts nothing in Contents here (log files sit in region folders), but a listing that does (a mock that ignores
  // Delimiter, an S3-compatible store) still shows what the folder holds.
  for (const o of listing?.Contents ?? []) {
    const at = o.LastModified ?? (o.Key ? now : undefined);
    if (at && (!newest || at > newest)) newest = at;
  }
  if (fresh()) return newest;
  for (const p of listing?.CommonPrefixes ?? []) {
    const region = p.Prefix?.slice(folder.length).replace(/\/$/, '');
    if (!region || region === homeRegion) continue;
    await scan(region);
    if (fresh()) break;
  }
  return newest;
}

async function checkTrail(config: FleetConfig, t: TrailConfig, access: AwsAccess, options: VerifyOptions, now: Date): Promise<TrailReport> {
  const expected = expectedTrail(config, t);
  const { central } = config;
  const folder = cloudTrailFolder(config, t);
  const problems: string[] = [];
  const drift: Drift[] = [];
  let exists: boolean | undefined;
  let isLogging: boolean | undefined;
  let latestDelivery: Date | undefined;
  const retry = access.retry;

  let client: CloudTrailClient | undefined;
  const cloudTrailChecks = async () => {
    try {
      client = await access.cloudTrailClient(t.assumeRoleArn, t.region);
    } catch (e) {
      problems.push(
        `cannot assume ${t.assumeRoleArn} (${describeError(e)}): check that the role exists in ${t.accountId} and trusts the caller; the stacks use the same role`,
      );
    }
    if (client) {
      const ct = client;
      try {
        const { Trail: trail } = (await withRetry(() => ct.send(new GetTrailCommand({ Name: t.trailName })), retry)) ?? {};
        exists = trail !== undefined;
        if (trail) drift.push(...trailDrift(expected, trail));
      } catch (e) {
        if ((e as Error).name === 'TrailNotFoundException') {
          exists = false;
        } else problems.push(`GetTrail failed: ${describeError(e)}`);
      }
      if (exists === false) {
        problems.push(`trail ${t.trailName} does not exist in ${t.accountId} ${t.region} (TrailNotFoundException): deploy ${stackNameForAccount(t.accountId)}, or it was deleted outside Terraform`);
      }
      if (exists) {
        const name = t.trailName;
        const calls: Promise<void>[] = [
          withRetry(() => ct.send(new GetTrailStatusCommand({ Name: name })), retry).then((out) => {
            const status = out ?? {};
            isLogging = status.IsLogging;
            latestDelivery = status.LatestDeliveryTime;
            problems.push(...statusProblems(status, t, now, options.maxAgeMs));
            if (!t.enableLogging && status.IsLogging) drift.push({ setting: 'enableLogging', expected: 'false', actual: 'true' });
          }),
          withRetry(() => ct.send(new GetEventSelectorsCommand({ TrailName: name })), retry).then((sel) => {
            drift.push(...selectorDrift(expected.selectors, sel?.EventSelectors, sel?.AdvancedEventSelectors));
          }),
          withRetry(() => ct.send(new GetInsightSelectorsCommand({ TrailName: name })), retry)
            .then((ins) => (ins?.InsightSelectors ?? []).flatMap((i) => (i.InsightType ? [i.InsightType] : [])))
            .catch((e) => {
              if ((e as Error).name === 'InsightNotEnabledException') return [] as string[];
              throw e;
            })
            .then((types) => {
              drift.push(...insightDrift(expected.insightTypes, types));
            }),
        ];
        const settled = await Promise.allSettled(calls);
        for (const s of settled) if (s.status === 'rejected') problems.push(describeError(s.reason));
      }
    }
  };

  // The folder is read with the central account's credentials, whatever happens above (and at the same time).
  let newest: Date | undefined;
  const folderProblemsFound: string[] = [];
  const folderCheck = async () => {
    try {
      const s3 = await access.s3Client(central.assumeRoleArn, central.region);
      newest = await newestLogFile(s3, central.bucketName, folder, t.region, now, options.maxAgeMs, retry);
      if (t.enableLogging) folderProblemsFound.push(...folderProblems(central.bucketName, folder, newest, now, options.maxAgeMs));
    } catch (e) {
      folderProblemsFound.push(`cannot list s3://${central.bucketName}/${folder} with the central account's credentials: ${describeError(e)}`);
    }
  };
  await Promise.all([cloudTrailChecks(), folderCheck()]);
  problems.push(...folderProblemsFound);

  let digests: DigestReport | undefined;
  if (options.digestsSince && t.logFileValidation && client) {
    try {
      const s3 = await access.s3Client(central.assumeRoleArn, central.region);
      digests = await verifyDigests({
        config,
        trail: t,
        s3,
        cloudTrail: client,
        cloudTrailFor: (region) => access.cloudTrailClient(t.assumeRoleArn, region),
        since: options.digestsSince,
        now,
        retry,
      });
      problems.push(...digests.findings.map((f) => `digest: ${f.kind} ${f.location}${f.detail ? ` (${f.detail})` : ''}`));
    } catch (e) {
      problems.push(`digest validation failed: ${describeError(e)}`);
    }
  }

  return {
    accountId: t.accountId,
    trailName: t.trailName,
    region: t.region,
    trailArn: expected.trailArn,
    healthy: problems.length === 0 && drift.length === 0,
    exists,
    isLogging,
    latestDeliveryTime: latestDelivery?.toISOString(),
    latestDeliveryAge: latestDelivery && age(latestDelivery, now),
    folder: `s3://${central.bucketName}/${folder}`,
    folderNewestObject: newest?.toISOString(),
    problems,
    drift,
    digests,
  };
}

export async function verifyFleet(config: FleetConfig, access: AwsAccess, options: VerifyOptions): Promise<FleetReport> {
  const now = options.now ?? new Date();
  const trails = await mapPool(config.trails, options.concurrency, (t) => checkTrail(config, t, access, options, now), (done) =>
    options.onProgress?.(done, config.trails.length),
  );
  return { healthy: trails.every((t) => t.healthy), checkedAt: now.toISOString(), maxAgeHours: options.maxAgeMs / 3_600_000, trails };
}
