/**
 * Things that are allowed but worth a human's eye (`npm run check-config`).
 * Errors are in validate.ts; these never stop a synth.
 */
import type { FleetConfig, TrailConfig } from './model';
import { trailsByAccount } from './model';
import type { Statement } from './policy-document';

export interface ConfigWarning {
  readonly path: string;
  readonly message: string;
}

function at(t: TrailConfig, key?: string): string {
  return `accounts[${t.index}]${key ? `.${key}` : ''}`;
}

/** Regions a trail logs in; `*` for a multi-region trail. */
function regionsOf(t: TrailConfig): string {
  return t.multiRegion ? '*' : t.region;
}

/** Whether a statement's Principal includes the CloudTrail service or everyone. */
function admitsCloudTrail(st: Statement): boolean {
  const p = st.Principal as unknown;
  if (p === undefined) return false;
  if (p === '*') return true;
  const values = Object.values(p as Record<string, string | string[]>).flatMap((v) => (Array.isArray(v) ? v : [v]));
  return values.some((v) => v === '*' || v === 'cloudtrail.amazonaws.com');
}

function hasSourceCondition(st: Statement): boolean {
  const keys = Object.values((st.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase()));
  return keys.some((k) => ['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceorgid', 'aws:sourceorgpaths'].includes(k));
}

/** A day as YYYY-MM-DD (UTC). */
function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Days a created trail key waits in PendingDeletion once its deletion is scheduled (FleetTrail's deletion_window_in_days). */
export const TRAIL_KEY_DELETION_WINDOW_DAYS = 30;

/**
 * `deleteKeys: true`: which account's log files become unreadable, and on
 * which date if the change is deployed today (`now`, injectable so tests pin it).
 */
export function keyDeletionWarning(config: FleetConfig, t: TrailConfig, now: Date): ConfigWarning {
  const alias = t.kmsKey.kind === 'create' ? t.kmsKey.alias : 'its created key';
  const days = TRAIL_KEY_DELETION_WINDOW_DAYS;
  const on = new Date(now.getTime() + days * 24 * 3600 * 1000);
  return {
    path: `accounts[${t.index}].deleteKeys`,
    message:
      `the deploy schedules the deletion of the KMS key ${alias} of trail ${t.trailName} (account ${t.accountId}): the SSE-KMS log files of ${t.accountId} ` +
      `in s3://${config.central.bucketName} become unreadable ${days} days after the deploy, on ${day(on)} if it is deployed today (${day(now)}); ` +
      `until then aws kms cancel-key-deletion keeps them readable. Remove deleteKeys to keep the key (it is then no longer managed, and stays)`,
  };
}

export function configWarnings(config: FleetConfig, now: () => Date = () => new Date()): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const { central } = config;
  for (const t of config.leaving) if (t.lifecycle === 'decommission' && t.deleteKeys && t.kmsKey.kind === 'create') warnings.push(keyDeletionWarning(config, t, now()));
  const byAccount = trailsByAccount(config);

  // The first copy of management events is free; every further trail logging them in a region is charged.
  for (const trails of byAccount.values()) {
    const logging = trails.filter((t) => t.managementEvents.readWrite !== 'None');
    for (let i = 1; i < logging.length; i++) {
      const t = logging[i];
      const overlap = logging.slice(0, i).find((o) => regionsOf(o) === '*' || regionsOf(t) === '*' || o.region === t.region);
      if (overlap) {
        warnings.push({
          path: at(t, 'managementEvents'),
          message: `trail ${t.trailName} logs management events in a region where trail ${overlap.trailName} of account ${t.accountId} already does; the second copy is charged`,
        });
      }
    }
  }

  const lock = central.objectLock;
  if (lock?.mode === 'COMPLIANCE') {
    const period = lock.days !== undefined ? `${lock.days} days` : `${lock.years} years`;
    warnings.push({
      path: 'central.objectLock.mode',
      message: `COMPLIANCE mode: no one, not even the root user, can delete or shorten the lock of a log object for ${period}, and the bucket cannot be deleted while locked objects remain; GOVERNANCE can be bypassed with s3:BypassGovernanceRetention`,
    });
  }
  if (lock && central.retention?.expireAfterDays !== undefined) {
    const lockDays = lock.days ?? lock.years! * 365;
    if (central.retention.expireAfterDays < lockDays) {
      warnings.push({
        path: 'central.retention.expireAfterDays',
        message: `objects expire after ${central.retention.expireAfterDays} days but stay locked for about ${lockDays}: expiry only adds a delete marker, the locked version stays (and is billed) until its lock ends`,
      });
    }
  }

  if (config.backend.type === 's3' && config.backend.dynamodbTable) {
    warnings.push({
      path: 'backend.dynamodbTable',
      message:
        'Terraform 1.11 deprecates DynamoDB state locking for the S3 backend (every init warns); leave dynamodbTable out to lock with the S3 lock file (use_lockfile), which needs Terraform >= 1.10',
    });
  }

  // What AWS checks at apply time that no plan shows.
  const orgTrail = config.trails.find((t) => t.organizationTrail);
  if (orgTrail) {
    warnings.push({
      path: at(orgTrail, 'organizationTrail'),
      message:
        `organization trail ${orgTrail.trailName} needs trusted access between CloudTrail and AWS Organizations, enabled once in the management account ` +
        `(aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com); without it the apply fails with CloudTrailAccessNotEnabledException`,
    });
  }
  const readers = (central.kmsKey?.decryptPrincipals ?? []).filter((p) => !p.endsWith(':root'));
  if (readers.length > 0) {
    warnings.push({
      path: 'central.kmsKey.decryptPrincipals',
      message: `${readers.join(', ')} must exist before cloudtrail-central is applied: KMS rejects a key policy naming a role or user that does not exist (MalformedPolicyDocumentException)`,
    });
  }

  // An extra Allow for CloudTrail (or anyone) without a source condition admits every trail of every AWS account,
  // past the per-account folders the computed statements keep (confused deputy).
  const extras: [string, readonly Statement[]][] = [
    ['central.bucketPolicy.extraStatements', central.bucketPolicyExtraStatements],
    ['central.kmsKey.extraStatements', central.kmsKey?.extraStatements ?? []],
  ];
  for (const [where, statements] of extras) {
    statements.forEach((st, i) => {
      if (st.Effect === 'Allow' && admitsCloudTrail(st) && !hasSourceCondition(st)) {
        warnings.push({
          path: `${where}[${i}]`,
          message: `statement ${st.Sid ?? i} allows ${JSON.stringify(st.Principal)} with no aws:SourceArn, aws:SourceAccount or aws:SourceOrgID condition: a trail of any AWS account could use it, outside the folders and trails the computed statements admit; add such a condition`,
        });
      }
    });
  }

  for (const t of config.trails) {
    const s3 = t.dataEvents.s3;
    if (s3.allBuckets && t.accountId === central.accountId) {
      warnings.push({
        path: at(t, 'dataEvents.s3.allBuckets'),
        message: `S3 data events on all buckets of ${t.accountId} include the log bucket ${central.bucketName}: every log delivery is logged again (a feedback loop that grows the bill); list buckets instead`,
      });
    }
    s3.buckets.forEach((b, i) => {
      if (b.name === central.bucketName) {
        warnings.push({
          path: at(t, `dataEvents.s3.buckets[${i}]`),
          message: `S3 data events on the log bucket ${central.bucketName} itself: every log delivery is logged again (a feedback loop)`,
        });
      }
    });
    if (!t.enableLogging) warnings.push({ path: at(t, 'enableLogging'), message: `trail ${t.trailName} is created with logging stopped: it records nothing` });
    if (!t.logFileValidation) {
      warnings.push({ path: at(t, 'logFileValidation'), message: `trail ${t.trailName} writes no digest files: tampering with its log files cannot be detected` });
    }
    if (!t.multiRegion) {
      warnings.push({ path: at(t, 'multiRegion'), message: `trail ${t.trailName} logs only ${t.region}; activity in other regions of ${t.accountId} is not recorded` });
    }
    if (t.kmsKey.kind === 'none' && central.kmsKey) {
      warnings.push({
        path: at(t, 'kmsKey'),
        message: `trail ${t.trailName} names no key; its files get the bucket's default encryption (the central key, through S3) rather than CloudTrail's SSE-KMS with the trail ARN as context`,
      });
    }
  }
  return warnings;
}
