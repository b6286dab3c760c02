/**
 * Verifies every trail of a fleet against AWS: does it exist, is it logging
 * and delivering, does it match the config (including the settings Terraform
 * cannot see: Insights event categories and event aggregation), and does the
 * central bucket hold recent log files in its folder, and for an
 * organization trail in each listed member account's folder. Trails and
 * member folders are checked `concurrency` at a time.
 *
 * Could not check: the first failure that means nothing can be checked (no
 * credentials, credentials refused, AWS or the emulator unreachable) stops
 * the run at once with `CouldNotCheck` (exit 3): no trail is reported, no
 * folder called empty, no role blamed. So does a run in which every role
 * verify needed refused the caller and no trail could be reached another way.
 */
import {
  CloudTrailClient,
  GetEventConfigurationCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  type InsightSelector,
} from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FleetConfig, TrailConfig } from '../../../config/model';
import { stackNameForAccount } from '../../../modules/arns';
import { CouldNotCheck } from '../../command';
import { AwsAccess, describeError, mapPool, withRetry } from './aws';
import { classifyAwsFailure, couldNotCheckReason } from '../aws-failure';
import { aggregationDrift, Drift, expectedTrail, insightsDrift, selectorDrift, trailDrift } from './drift';
import { age, cloudTrailFolder, dateFolders, folderProblems, FolderState, folderState, statusProblems } from './health';
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
  /** `unlisted` = the folder could not be listed: nothing is known about it. */
  readonly folderState: FolderState;
  readonly folderNewestObject?: string;
  readonly problems: readonly string[];
  readonly drift: readonly Drift[];
  /** What was not compared, and why (never unhealthy), e.g. a call this region does not support. */
  readonly notes: readonly string[];
  readonly digests?: DigestReport;
  /** An organization trail: each member account of the config, in its own folder. */
  readonly members?: readonly MemberReport[];
}

/** An organization trail's delivery for one member account listed in the config. */
export interface MemberReport {
  readonly accountId: string;
  readonly healthy: boolean;
  /** `s3://bucket/[<prefix>/]AWSLogs/<org id>/<member>/CloudTrail/` */
  readonly folder: string;
  readonly folderState: FolderState;
  readonly folderNewestObject?: string;
  readonly problems: readonly string[];
  readonly digests?: DigestReport;
}

export interface FleetReport {
  /** Every trail and every organization member folder is healthy. */
  readonly healthy: boolean;
  readonly checkedAt: string;
  readonly maxAgeHours: number;
  /** The identity verify ran as (STS GetCallerIdentity), when AWS was asked. */
  readonly caller?: string;
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

/** Rethrows what means "could not check" as CouldNotCheck; returns when `e` is a finding about this trail. */
function rethrowCouldNotCheck(e: unknown, access: AwsAccess): void {
  if (e instanceof CouldNotCheck) throw e;
  // Refused credentials here are a region the account has not enabled, not the caller's: only these two stop the run.
  const reason = couldNotCheckReason(e, { endpoint: access.endpoint, fatal: ['no-credentials', 'unreachable'] });
  if (reason) throw new CouldNotCheck(reason);
}

/** What to do about an error of one call, where it is clear ('' otherwise). */
function callHint(e: unknown, t: Pick<TrailConfig, 'accountId' | 'region'>, permission: string): string {
  const kind = classifyAwsFailure(e).kind;
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  // An answer that is not an AWS error at all (an emulator's "not implemented" page).
  if ((e as Error)?.name === 'SyntaxError' && status !== undefined && status >= 500) return ` (HTTP ${status} without an AWS error: the endpoint does not implement ${permission.replace(/^\w+:/, '')})`;
  if (kind === 'credentials-rejected') return ` (is ${t.region} enabled in account ${t.accountId}? an opt-in region refuses every call until it is enabled)`;
  if (kind === 'access-denied') return ` (verify needs ${permission})`;
  return '';
}

/** The member accounts of an organization trail: every other account of the config. */
export function organizationMembers(config: Pick<FleetConfig, 'organization' | 'trails'>, t: Pick<TrailConfig, 'organizationTrail' | 'accountId'>): string[] {
  if (!t.organizationTrail || !config.organization) return [];
  return [...new Set(config.trails.map((o) => o.accountId))].filter((a) => a !== t.accountId).sort();
}

/** GetEventConfiguration does not exist where this trail lives (a partition without event aggregation). */
const UNSUPPORTED = new Set(['UnsupportedOperationException', 'UnknownOperationException']);

async function checkTrail(config: FleetConfig, t: TrailConfig, access: AwsAccess, options: VerifyOptions, now: Date): Promise<TrailReport> {
  const expected = expectedTrail(config, t);
  const { central } = config;
  const folder = cloudTrailFolder(config, t);
  const problems: string[] = [];
  const drift: Drift[] = [];
  const notes: string[] = [];
  let exists: boolean | undefined;
  let isLogging: boolean | undefined;
  let latestDelivery: Date | undefined;
  const retry = access.retry;
  const targets = { ...expected, stackName: stackNameForAccount(t.accountId) };

  let client: CloudTrailClient | undefined;
  const cloudTrailChecks = async () => {
    try {
      client = await access.cloudTrailClient(t.assumeRoleArn, t.region);
    } catch (e) {
      rethrowCouldNotCheck(e, access);
      problems.push(
        `cannot assume ${t.assumeRoleArn} (${describeError(e)}): check that the role exists in ${t.accountId} and trusts the caller${access.caller ? ` (${access.caller})` : ''}; the stacks use the same role`,
      );
    }
    if (!client) return;
    const ct = client;
    try {
      const { Trail: trail } = (await withRetry(() => ct.send(new GetTrailCommand({ Name: t.trailName })), retry)) ?? {};
      exists = trail !== undefined;
      if (trail) drift.push(...trailDrift(expected, trail));
    } catch (e) {
      rethrowCouldNotCheck(e, access);
      if ((e as Error).name === 'TrailNotFoundException') exists = false;
      else problems.push(`GetTrail failed: ${describeError(e)}${callHint(e, t, 'cloudtrail:GetTrail')}`);
    }
    if (exists === false) {
      problems.push(`trail ${t.trailName} does not exist in ${t.accountId} ${t.region} (TrailNotFoundException): deploy ${stackNameForAccount(t.accountId)}, or it was deleted outside Terraform`);
    }
    if (!exists) return;
    const name = t.trailName;
    // The calls run at once; their findings are added in this order, so the report is the same whichever answers first.
    type Found = { drift?: Drift[]; problems?: string[]; notes?: string[] };
    const calls: [string, Promise<Found>][] = [
      [
        'GetTrailStatus',
        withRetry(() => ct.send(new GetTrailStatusCommand({ Name: name })), retry).then((out): Found => {
          const status = out ?? {};
          isLogging = status.IsLogging;
          latestDelivery = status.LatestDeliveryTime;
          return {
            problems: statusProblems(status, t, now, options.maxAgeMs, targets),
            drift: !t.enableLogging && status.IsLogging ? [{ setting: 'enableLogging', expected: 'false', actual: 'true' }] : [],
          };
        }),
      ],
      [
        'GetEventSelectors',
        withRetry(() => ct.send(new GetEventSelectorsCommand({ TrailName: name })), retry).then((sel): Found => ({
          drift: selectorDrift(expected.selectors, sel?.EventSelectors, sel?.AdvancedEventSelectors),
        })),
      ],
      [
        'GetInsightSelectors',
        withRetry(() => ct.send(new GetInsightSelectorsCommand({ TrailName: name })), retry)
          .then((ins) => ins?.InsightSelectors ?? [])
          .catch((e): InsightSelector[] => {
            if ((e as Error).name === 'InsightNotEnabledException') return [];
            throw e;
          })
          .then((selectors): Found => ({ drift: insightsDrift(expected, selectors) })),
      ],
      [
        'GetEventConfiguration',
        withRetry(() => ct.send(new GetEventConfigurationCommand({ TrailName: name })), retry).then(
          (out): Found => ({ drift: aggregationDrift(expected.eventAggregation, out?.AggregationConfigurations) }),
          (e): Found => {
            if (!UNSUPPORTED.has((e as Error).name)) throw e;
            return { notes: [`event aggregation not compared: GetEventConfiguration is not available here (${describeError(e)})`] };
          },
        ),
      ],
    ];
    const settled = await Promise.allSettled(calls.map(([, p]) => p));
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        problems.push(...(s.value.problems ?? []));
        drift.push(...(s.value.drift ?? []));
        notes.push(...(s.value.notes ?? []));
        return;
      }
      rethrowCouldNotCheck(s.reason, access);
      const [call] = calls[i];
      problems.push(`${describeError(s.reason)}${callHint(s.reason, t, `cloudtrail:${call}`)}`);
    });
  };

  // The folder is read with the central account's credentials, whatever happens above (and at the same time).
  const found = await Promise.all([cloudTrailChecks(), checkFolder(config, t, t.accountId, access, options, now)]).then(([, f]) => f);
  problems.push(...found.problems);

  let digests: DigestReport | undefined;
  if (options.digestsSince && t.logFileValidation && client) {
    digests = await checkDigests(config, t, t.accountId, client, access, options, now, problems);
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
    folderState: found.state,
    folderNewestObject: found.newest?.toISOString(),
    problems,
    drift,
    notes,
    digests,
  };
}

/** Lists one delivery folder (the trail's, or an organization member's) with the central account's credentials. */
async function checkFolder(
  config: FleetConfig,
  t: TrailConfig,
  account: string,
  access: AwsAccess,
  options: VerifyOptions,
  now: Date,
): Promise<{ state: FolderState; newest?: Date; problems: string[] }> {
  const { central } = config;
  const folder = cloudTrailFolder(config, { ...t, accountId: account });
  let s3: S3Client;
  try {
    s3 = await access.s3Client(central.assumeRoleArn, central.region);
  } catch (e) {
    rethrowCouldNotCheck(e, access);
    return {
      state: 'unlisted',
      problems: [
        `cannot list s3://${central.bucketName}/${folder}: cannot assume the central account's role ${central.assumeRoleArn} (${describeError(e)}): check that it exists in ${central.accountId} and trusts the caller${access.caller ? ` (${access.caller})` : ''}`,
      ],
    };
  }
  try {
    const newest = await newestLogFile(s3, central.bucketName, folder, t.region, now, options.maxAgeMs, access.retry);
    const member = account !== t.accountId;
    const why = member
      ? `the organization trail ${t.trailName} (${t.accountId}) delivers nothing for ${account}: is ${account} a member of ${config.organization?.id} (aws organizations list-accounts), and is the trail logging?`
      : undefined;
    return { state: folderState(true, newest, now, options.maxAgeMs), newest, problems: t.enableLogging ? folderProblems(central.bucketName, folder, newest, now, options.maxAgeMs, why) : [] };
  } catch (e) {
    rethrowCouldNotCheck(e, access);
    const denied = classifyAwsFailure(e).kind === 'access-denied';
    const what = central.assumeRoleArn ? `the central account's role ${central.assumeRoleArn}` : "the central account's credentials";
    return {
      state: 'unlisted',
      problems: [`cannot list s3://${central.bucketName}/${folder} with ${what}: ${describeError(e)}${denied ? ' (verify needs s3:ListBucket on the bucket)' : ''}`],
    };
  }
}

async function checkDigests(
  config: FleetConfig,
  t: TrailConfig,
  account: string,
  client: CloudTrailClient,
  access: AwsAccess,
  options: VerifyOptions,
  now: Date,
  problems: string[],
): Promise<DigestReport | undefined> {
  const { central } = config;
  try {
    const s3 = await access.s3Client(central.assumeRoleArn, central.region);
    const digests = await verifyDigests({
      config,
      trail: t,
      account,
      s3,
      cloudTrail: client,
      cloudTrailFor: (region) => access.cloudTrailClient(t.assumeRoleArn, region),
      since: options.digestsSince!,
      now,
      retry: access.retry,
    });
    // A backfill finding names a `_backfill.json.gz` digest in its location or detail; JSON has `backfill: true` too.
    problems.push(...digests.findings.map((f) => `digest: ${f.kind} ${f.location}${f.detail ? ` (${f.detail})` : ''}`));
    return digests;
  } catch (e) {
    rethrowCouldNotCheck(e, access);
    problems.push(`digest validation failed: ${describeError(e)}`);
    return undefined;
  }
}

async function checkMember(config: FleetConfig, t: TrailConfig, account: string, access: AwsAccess, options: VerifyOptions, now: Date): Promise<MemberReport> {
  const found = await checkFolder(config, t, account, access, options, now);
  const problems = [...found.problems];
  let digests: DigestReport | undefined;
  if (options.digestsSince && t.logFileValidation) {
    // The public keys are per region, the same for every account: read them as the organization trail's account.
    let client: CloudTrailClient | undefined;
    try {
      client = await access.cloudTrailClient(t.assumeRoleArn, t.region);
    } catch (e) {
      rethrowCouldNotCheck(e, access);
      problems.push(`digests not checked: cannot assume ${t.assumeRoleArn} for ListPublicKeys (${describeError(e)})`);
    }
    if (client) digests = await checkDigests(config, t, account, client, access, options, now, problems);
  }
  return {
    accountId: account,
    healthy: problems.length === 0,
    folder: `s3://${config.central.bucketName}/${cloudTrailFolder(config, { ...t, accountId: account })}`,
    folderState: found.state,
    folderNewestObject: found.newest?.toISOString(),
    problems,
    digests,
  };
}

type Work = { readonly kind: 'trail'; readonly t: TrailConfig } | { readonly kind: 'member'; readonly t: TrailConfig; readonly account: string };

/** Everything one run checks: each trail, then each organization trail's member folders. */
export function verifyWork(config: FleetConfig): Work[] {
  return [
    ...config.trails.map((t): Work => ({ kind: 'trail', t })),
    ...config.trails.flatMap((t) => organizationMembers(config, t).map((account): Work => ({ kind: 'member', t, account }))),
  ];
}

export async function verifyFleet(config: FleetConfig, access: AwsAccess, options: VerifyOptions): Promise<FleetReport> {
  const now = options.now ?? new Date();
  access.useRegion(config.central.region);
  const work = verifyWork(config);
  let stop: CouldNotCheck | undefined;
  let stopRun: (e: CouldNotCheck) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => (stopRun = reject));
  stopped.catch(() => undefined);
  const pool = mapPool(
    work,
    options.concurrency,
    async (item): Promise<TrailReport | MemberReport | undefined> => {
      if (stop) return undefined;
      try {
        return item.kind === 'trail' ? await checkTrail(config, item.t, access, options, now) : await checkMember(config, item.t, item.account, access, options, now);
      } catch (e) {
        if (!(e instanceof CouldNotCheck)) throw e;
        stop ??= e;
        stopRun(stop);
        return undefined;
      }
    },
    (done) => options.onProgress?.(done, work.length),
  );
  // The first "could not check" ends the run at once: calls still in flight are not waited for.
  const results = await Promise.race([pool, stopped]);
  if (stop) throw stop;

  const trails = work.flatMap((item, i) => {
    if (item.kind !== 'trail') return [];
    const members = work.flatMap((m, j) => (m.kind === 'member' && m.t === item.t ? [results[j] as MemberReport] : []));
    const report = results[i] as TrailReport;
    return [item.t.organizationTrail && config.organization ? { ...report, members } : report];
  });

  // Every role verify needed refused the caller, and no trail answered any other way: the credentials are wrong, not the fleet.
  const roles = [...access.roles.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (roles.length > 0 && roles.every(([, outcome]) => outcome === 'denied') && trails.every((r) => r.exists === undefined)) {
    throw new CouldNotCheck(
      `${access.caller ?? 'the caller'} may assume none of the ${roles.length} role(s) verify needs (AccessDenied on each, e.g. ${roles[0][0]}): ` +
        "run verify with the credentials these roles trust (the deploy's, or an auditor identity their trust policies name)",
    );
  }
  const healthy = trails.every((r) => r.healthy && (r.members ?? []).every((m) => m.healthy));
  return { healthy, checkedAt: now.toISOString(), maxAgeHours: options.maxAgeMs / 3_600_000, ...(access.caller ? { caller: access.caller } : {}), trails };
}
