/**
 * The checks of a config that need the policy and selector builders: event
 * selector limits per trail, the size of the central bucket and key policies
 * (with the user's own statements, whose Sids must not clash with the
 * computed ones). config/ cannot import the builders (it is the ground
 * floor), so these are a step of their own that the loader's callers pass
 * in: `loadConfig(file, FLEET_CHECKS)`. The loader runs them with every other
 * rule, on every part of the config that parsed, so one run reports every
 * problem (docs/config-errors.md).
 */
import type { FleetCheck } from '../config/load';
import { guardDeployerIssues, guardSizeIssues } from './guard/checks';
import type { FleetConfig } from '../config/model';
import type { ConfigIssue } from '../config/validate';
import { trailPath } from '../config/validate';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES, PolicyDocument, Statement } from './policies/document';
import { FleetPolicies, fleetBucketPolicy, fleetCentralKeyPolicy, fleetPolicies } from './policies/fleet-policies';
import type { TrailRef } from './policies/trail-ref';
import { eventSelectors, selectorLimitProblems } from './selectors';
import { bootstrapRoles } from './bootstrap-roles';
import { INLINE_ROLE_POLICY_LIMIT, MANAGED_POLICIES_PER_ROLE, MANAGED_POLICY_LIMIT, TRUST_POLICY_LIMIT } from './policies/deployer-policies';

/**
 * CloudTrail's limits on event selectors, per trail (modules/selectors.ts).
 * Reported at dataEvents, or at networkActivityEvents when the trail has no
 * data events (long eventNames lists alone can fill the 500 values).
 */
export const selectorLimits: FleetCheck = (config) =>
  config.trails.flatMap((t) => {
    const d = t.dataEvents;
    const hasData = d.s3.allBuckets || d.s3.buckets.length || d.lambda.allFunctions || d.lambda.functions.length || d.dynamodb.allTables || d.dynamodb.tables.length || d.advanced.length;
    const key = !hasData && t.networkActivityEvents.length > 0 ? 'networkActivityEvents' : 'dataEvents';
    return selectorLimitProblems(eventSelectors(config.partition, t)).map((message) => ({ path: trailPath(t, key), message }));
  });

/**
 * The central bucket policy and key policy fit the AWS size limits, and the
 * user's own statements keep their Sids unique in them. An organization
 * trail without the top-level organization has a problem of its own (the
 * policy cannot be written for it): it is left out of the sizes.
 */
export const policySizes: FleetCheck = (config) => {
  const sized = config.organization || !config.trails.some((t) => t.organizationTrail) ? config : { ...config, trails: config.trails.filter((t) => !t.organizationTrail) };
  const policies = fleetPolicies(sized);
  const issues: ConfigIssue[] = [...extraStatementIssues(sized, policies)];
  if (!policies.bucket.fits) issues.push({ path: 'accounts', message: bucketPolicyTooBig(sized, policies.bucket.bytes) });
  if (policies.centralKey && !policies.centralKey.fits) issues.push({ path: 'central.kmsKey', message: centralKeyPolicyTooBig(sized, policies.centralKey.bytes) });
  return issues;
};

/**
 * IAM quotas of the roles `cloudtrail-fleet bootstrap` creates (docs/bootstrap.md):
 * a role's permissions fit in one inline policy (10,240 characters) or in at
 * most 10 managed policies of 6,144; a trust policy in 2,048.
 */
export const deployerRoleSizes: FleetCheck = (config) => {
  if (!config.bootstrap) return [];
  const issues: ConfigIssue[] = [];
  for (const r of bootstrapRoles(config)) {
    if (!r.policies.fits) {
      issues.push({
        path: 'accounts',
        message:
          `the permissions of ${r.arn} (${r.policies.chars} characters) do not fit in ${MANAGED_POLICIES_PER_ROLE} managed policies of ${MANAGED_POLICY_LIMIT} characters ` +
          `(IAM quotas; one inline policy holds ${INLINE_ROLE_POLICY_LIMIT}): account ${r.accountId} has too many trails for one role; move trails to other accounts or merge trails`,
      });
    }
    if (r.trustChars > TRUST_POLICY_LIMIT) {
      issues.push({ path: 'bootstrap.deployer', message: `the trust policy of ${r.arn} needs ${r.trustChars} characters, over IAM's default quota of ${TRUST_POLICY_LIMIT}; shorten the names in it` });
    }
  }
  return issues;
};

/** Every check that needs the builders, in the order their problems are listed for a config given as data. */
export const FLEET_CHECKS: readonly FleetCheck[] = [selectorLimits, policySizes, guardDeployerIssues, guardSizeIssues, deployerRoleSizes];

/** Sids must be unique in a policy (S3 and KMS reject duplicates). */
function duplicateSids(doc: PolicyDocument, extras: readonly Statement[], where: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const computed = doc.Statement.slice(0, doc.Statement.length - extras.length).map((s) => s.Sid);
  const seen = new Map<string, number>();
  extras.forEach((s, i) => {
    const sid = s.Sid!;
    if (computed.includes(sid)) {
      issues.push({
        path: `${where}[${i}].Sid`,
        message: `Sid "${sid}" is already a statement of the computed policy; rename yours (Sids must be unique in a policy), or drop it if the computed statement says the same (cloudtrail-fleet policies cloudtrail-central prints it)`,
      });
    } else if (seen.has(sid)) {
      issues.push({
        path: `${where}[${i}].Sid`,
        message: `Sid "${sid}" is also used by ${where}[${seen.get(sid)}]; Sids must be unique in a policy: rename one`,
      });
    } else seen.set(sid, i);
  });
  return issues;
}

/** Duplicate Sids and size of the policies with the user's statements in them. */
export function extraStatementIssues(config: FleetConfig, policies: FleetPolicies): ConfigIssue[] {
  const { central } = config;
  const issues: ConfigIssue[] = [];
  const bucketExtras = central.bucketPolicyExtraStatements;
  if (bucketExtras.length > 0) {
    issues.push(...duplicateSids(policies.bucket.document, bucketExtras, 'central.bucketPolicy.extraStatements'));
    if (!policies.bucket.fits) {
      // Each statement and the comma before it.
      const own = bucketExtras.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(s)) + 1, 0);
      issues.push({
        path: 'central.bucketPolicy.extraStatements',
        message: `your ${bucketExtras.length} extra statement(s) add about ${own} bytes to the bucket policy, which then needs ${policies.bucket.bytes} bytes, over the S3 limit of ${BUCKET_POLICY_LIMIT_BYTES}; shorten or merge them (one statement per service, lists of ARNs), or move what they grant to another bucket`,
      });
    }
  }
  const keyExtras = central.kmsKey?.extraStatements ?? [];
  if (keyExtras.length > 0 && policies.centralKey) {
    issues.push(...duplicateSids(policies.centralKey.document, keyExtras, 'central.kmsKey.extraStatements'));
    if (!policies.centralKey.fits) {
      issues.push({
        path: 'central.kmsKey.extraStatements',
        message: `with your ${keyExtras.length} extra statement(s) the central key policy needs ${policies.centralKey.bytes} bytes, over the KMS limit of ${KEY_POLICY_LIMIT_BYTES}; shorten or merge them`,
      });
    }
  }
  return issues;
}

/**
 * How many accounts (the first ones, in account id order, with all their
 * trails) fit in a policy: bisection over the real policy builder, so the
 * number in a message is never an over-estimate. Only runs for a config that
 * is already rejected.
 */
function accountsThatFit(trails: readonly TrailRef[], fits: (trails: readonly TrailRef[]) => boolean): number {
  const accounts = [...new Set(trails.map((t) => t.accountId))];
  let lo = 0;
  let hi = accounts.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const first = new Set(accounts.slice(0, mid));
    if (fits(trails.filter((t) => first.has(t.accountId)))) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Why the bucket policy cannot fit, with the change that makes it fit: fewer
 * distinct prefixes when they are the cause (each adds a statement), else
 * fewer accounts per bucket (its most compact form costs about 15 bytes per
 * account) or an organization trail (member accounts need no entry).
 */
function bucketPolicyTooBig(config: FleetConfig, bytes: number): string {
  const accounts = new Set(config.trails.map((t) => t.accountId)).size;
  const head =
    `the bucket policy for ${accounts} accounts and ${config.trails.length} trails needs ${bytes} bytes even in its most compact form, ` +
    `over the S3 limit of ${BUCKET_POLICY_LIMIT_BYTES}; `;
  const prefixes = new Set(config.trails.map((t) => t.prefix ?? '')).size;
  if (prefixes > 1) {
    const shared = fleetBucketPolicy(
      config,
      config.trails.map((t) => ({ ...t, prefix: undefined })),
    ).bytes;
    if (shared <= BUCKET_POLICY_LIMIT_BYTES) {
      const perPrefix = (bytes - shared) / (prefixes - 1);
      const fit = 1 + Math.floor((BUCKET_POLICY_LIMIT_BYTES - shared) / perPrefix);
      return (
        head +
        `its ${prefixes} distinct prefixes add a statement each (about ${Math.round(perPrefix)} bytes): with one shared prefix it would need ${shared} bytes; ` +
        `let accounts share prefixes (about ${fit} distinct prefixes fit)`
      );
    }
  }
  const fit = accountsThatFit(config.trails, (trails) => fleetBucketPolicy(config, trails).fits);
  return (
    head +
    `about ${fit} accounts fit in one bucket policy: split the accounts over several buckets (one config per bucket, at most about ${fit} accounts each), ` +
    `or log them with one organization trail (organizationTrail: true in the management account), whose member accounts need no entry in the policy` +
    (prefixes > 1 ? `; sharing one prefix also saves a statement per distinct prefix (${prefixes} now)` : '')
  );
}

/**
 * Why the central key policy cannot fit: its reader list, or the accounts
 * whose trails name the central key (about 30 bytes each in its most compact
 * form). Trails with kmsKey none still use the key through the bucket's
 * default encryption, which needs no entry per account.
 */
function centralKeyPolicyTooBig(config: FleetConfig, bytes: number): string {
  const trails = config.trails.filter((t) => t.kmsKey.kind === 'central');
  const accounts = new Set(trails.map((t) => t.accountId)).size;
  const readers = config.central.kmsKey!.decryptPrincipals;
  const head = `the central key policy for ${accounts} accounts needs ${bytes} bytes even in its most compact form, over the KMS limit of ${KEY_POLICY_LIMIT_BYTES}; `;
  const organizationId = config.organization?.id;
  const withoutReaders = fleetCentralKeyPolicy(config, trails, []).bytes;
  if (withoutReaders <= KEY_POLICY_LIMIT_BYTES) {
    return (
      head +
      `use fewer decryptPrincipals (${readers.length} listed, ${bytes - withoutReaders} bytes): grant one reader role and let readers assume it`
    );
  }
  const fit = accountsThatFit(trails, (some) => fleetCentralKeyPolicy(config, some).fits);
  return (
    head +
    `about ${fit} accounts fit on one key: give the other accounts kmsKey: none (their log files get the bucket's default encryption with the central key, through S3, which needs no entry per account) ` +
    `or kmsKey: { create: { alias: alias/<name> } } (a key in their own account)` +
    (organizationId ? '' : '; setting organization (id, managementAccountId) also lets key lookups be granted to the organization instead of each account, about twice as many fit')
  );
}
