/**
 * Rules that span several keys or accounts. Field-level rules live
 * in the schema; these run on the resolved config so they see what each
 * account really gets after `defaults` are merged in. The checks that need
 * the policy and selector builders (policy sizes, selector limits) are a
 * step of their own, run by the loader's callers: modules/fleet-checks.ts.
 */
import type { ConfigFile } from './schema';
import type { FleetConfig, TrailConfig } from './model';
import { trailsByAccount } from './model';
import { MAX_TAGS, parseArn, partitionOfRegion, tooManyTags } from './rules';
import { REGIONS } from './regions';
import { adoptionIssues } from './adoption-rules';
import { changeRuleIssues } from './change-rules';

export interface ConfigIssue {
  /** Config path, e.g. `accounts[1].trailName`. */
  readonly path: string;
  readonly message: string;
}

export const MAX_TRAILS_PER_REGION = 5;

/** `accounts[3].kmsKey.arn`, with a note when the account inherited the key from defaults. */
function at(t: TrailConfig, path: string): string {
  const top = path.split(/[.[]/)[0];
  return `accounts[${t.index}].${path}${t.inherited.has(top) ? ' (from defaults)' : ''}`;
}
/** The config path of a trail setting in messages, for checks outside this file (modules/fleet-checks.ts). */
export const trailPath = at;

function arnsOf(t: TrailConfig): [string, string][] {
  const out: [string, string][] = [];
  if (t.assumeRoleArn) out.push(['assumeRoleArn', t.assumeRoleArn]);
  if (t.kmsKey.kind === 'arn') out.push(['kmsKey.arn', t.kmsKey.arn]);
  if (t.sns?.kind === 'existing') out.push(['sns.topicArn', t.sns.topicArn]);
  if (t.cloudWatchLogs?.logGroup.kind === 'existing') out.push(['cloudWatchLogs.logGroupArn', t.cloudWatchLogs.logGroup.arn]);
  if (t.cloudWatchLogs?.roleArn) out.push(['cloudWatchLogs.roleArn', t.cloudWatchLogs.roleArn]);
  t.dataEvents.lambda.functions.forEach((f, i) => out.push([`dataEvents.lambda.functions[${i}].arn`, f.arn]));
  t.dataEvents.dynamodb.tables.forEach((f, i) => out.push([`dataEvents.dynamodb.tables[${i}].arn`, f.arn]));
  return out;
}

/**
 * Reports every name that two trails would create twice in one account and
 * region. `trails` must be in config list order, so the later entry is reported.
 */
function duplicates(
  issues: ConfigIssue[],
  trails: readonly TrailConfig[],
  what: string,
  key: (t: TrailConfig) => [string, string] | undefined,
  note: (first: TrailConfig, firstPath: string) => string = () => '',
) {
  const seen = new Map<string, TrailConfig>();
  for (const t of trails) {
    const k = key(t);
    if (!k) continue;
    const id = `${t.accountId}|${k[1]}`;
    const first = seen.get(id);
    if (first) {
      issues.push({
        path: at(t, k[0]),
        message: `${what} "${k[1].split('|').pop()}" is already used by accounts[${first.index}] (account ${t.accountId}); choose another${note(first, at(first, k[0]))}`,
      });
    } else seen.set(id, t);
  }
}

export function validateResolved(file: ConfigFile, config: FleetConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { partition, central, organization } = config;
  const push = (path: string, message: string) => issues.push({ path, message });

  // A trail name is required, here or in defaults.
  file.accounts.forEach((account, i) => {
    if ((account.trailName ?? file.defaults?.trailName) === undefined) {
      push(`accounts[${i}].trailName`, 'no trail name: set trailName in this account or in defaults.trailName');
    }
  });

  // Partition consistency of the central settings.
  // (Every region is a real one of a supported partition by now: the schema checks that.)
  if (partitionOfRegion(central.region) !== partition) {
    push(
      'central.region',
      `region ${central.region} is not in partition ${partition}; set partition: ${partitionOfRegion(central.region)} or use a region of partition ${partition} (${REGIONS[partition].join(', ')})`,
    );
  }
  // The S3 state backend's role is used in the state bucket's partition.
  if (config.backend.type === 's3' && config.backend.assumeRoleArn) {
    const rolePartition = parseArn(config.backend.assumeRoleArn)!.partition;
    const statePartition = partitionOfRegion(config.backend.region);
    if (rolePartition !== statePartition) {
      push(
        'backend.assumeRoleArn',
        `ARN is in partition ${rolePartition}, but the state bucket's region ${config.backend.region} is in ${statePartition}; use a role of partition ${statePartition} (arn:${statePartition}:iam::...)`,
      );
    }
  }
  if (central.assumeRoleArn) {
    const arn = parseArn(central.assumeRoleArn)!;
    if (arn.partition !== partition) push('central.assumeRoleArn', `ARN is in partition ${arn.partition}, but partition is ${partition}; every ARN must be in one partition (write arn:${partition}:...)`);
    if (arn.account !== central.accountId) {
      push('central.assumeRoleArn', `role is in account ${arn.account}, not the central account ${central.accountId}; the provider's allowed_account_ids would refuse it`);
    }
  }
  central.kmsKey?.decryptPrincipals.forEach((p, i) => {
    const arn = parseArn(p)!;
    if (arn.partition !== partition) {
      push(`central.kmsKey.decryptPrincipals[${i}]`, `ARN is in partition ${arn.partition}, but partition is ${partition}; every ARN must be in one partition (write arn:${partition}:...)`);
    }
  });
  if (central.accessLogging?.targetBucket === central.bucketName) {
    push('central.accessLogging.targetBucket', 'access logs of the log bucket must go to another bucket (logging a bucket into itself loops)');
  }
  const r = central.retention;
  if (r?.expireAfterDays !== undefined && r.transitionToGlacierAfterDays !== undefined && r.expireAfterDays <= r.transitionToGlacierAfterDays) {
    push('central.retention.expireAfterDays', `expiry (${r.expireAfterDays} days) must come after the transition to Glacier (${r.transitionToGlacierAfterDays} days)`);
  }

  // One sort for every duplicate check (config.trails is in account order).
  const inListOrder = [...config.trails].sort((a, b) => a.index - b.index);
  // A trail leaving the fleet still owns its name in its account until the deploy that removes it.
  duplicates(issues, [...inListOrder, ...config.leaving].sort((a, b) => a.index - b.index), 'trail name', (t) => ['trailName', t.trailName]);
  // A leaving trail's created alias stays in AWS (retain; decommission forgets the key and alias unless deleteKeys, and even
  // then the delete and a create of the same name in one apply are not ordered): no other trail of the account may create it.
  duplicates(
    issues,
    [...inListOrder, ...config.leaving].sort((a, b) => a.index - b.index),
    'KMS alias',
    (t) => (t.kmsKey.kind === 'create' ? ['kmsKey.create.alias', t.kmsKey.alias] : undefined),
    (first, firstPath) =>
      ` (${firstPath} creates it${first.lifecycle === 'active' ? '' : `, and with lifecycle ${first.lifecycle} the alias stays in AWS`}; an alias names one key per account and region, so creating it twice fails at apply)`,
  );
  issues.push(...changeRuleIssues(config));
  duplicates(issues, inListOrder, 'SNS topic', (t) => (t.sns?.kind === 'create' ? ['sns.create.topicName', `${t.region}|${t.sns.topicName}`] : undefined));
  duplicates(issues, inListOrder, 'SQS queue', (t) =>
    t.sns?.kind === 'create' && t.sns.sqsQueueName ? ['sns.create.sqsQueue', `${t.region}|${t.sns.sqsQueueName}`] : undefined,
  );
  duplicates(issues, inListOrder, 'log group', (t) =>
    t.cloudWatchLogs?.logGroup.kind === 'create' ? ['cloudWatchLogs.create.logGroupName', `${t.region}|${t.cloudWatchLogs.logGroup.name}`] : undefined,
  );

  for (const t of config.trails) {
    const where = (p: string) => at(t, p);
    // Each part is checked by the schema; defaults and the account together can still exceed the limit.
    const tagCount = Object.keys(t.tags).length;
    if (tagCount > MAX_TAGS) push(`accounts[${t.index}].tags`, tooManyTags(tagCount, ' once defaults.tags are merged in'));
    if (partitionOfRegion(t.region) !== partition) {
      push(`accounts[${t.index}].region`, `region ${t.region} is not in partition ${partition}; every account of a fleet must be in the bucket's partition (use a region of partition ${partition})`);
    }
    for (const [path, value] of arnsOf(t)) {
      const arn = parseArn(value)!;
      if (arn.partition !== partition) push(where(path), `"${value}" is in partition ${arn.partition}, but partition is ${partition}; every ARN must be in one partition (write arn:${partition}:...)`);
    }
    if (t.assumeRoleArn && parseArn(t.assumeRoleArn)!.account !== t.accountId) {
      push(
        where('assumeRoleArn'),
        `role is in account ${parseArn(t.assumeRoleArn)!.account}, not ${t.accountId}; the provider's allowed_account_ids would refuse it (use a role in ${t.accountId})`,
      );
    }

    // Encryption.
    if (t.kmsKey.kind === 'central' && !central.kmsKey) {
      push(where('kmsKey'), 'kmsKey is central, but central.kmsKey is false (no central key); use none, { arn } or { create }, or enable central.kmsKey');
    }
    if (t.kmsKey.kind === 'arn') {
      const arn = parseArn(t.kmsKey.arn)!;
      if (arn.region !== central.region) {
        push(where('kmsKey.arn'), `the key is in ${arn.region}, but a trail's KMS key must be in the bucket's region (${central.region}) (KmsKeyNotFoundException)`);
      }
    }
    if (t.kmsKey.kind === 'create' && t.accountId === central.accountId && central.kmsKey?.alias === t.kmsKey.alias) {
      push(where('kmsKey.create.alias'), `${t.kmsKey.alias} is the central key's alias in the same account and region; choose another alias`);
    }

    // CloudWatch Logs: log group and role must be in the trail's own account.
    const cwl = t.cloudWatchLogs;
    if (cwl?.logGroup.kind === 'existing') {
      const arn = parseArn(cwl.logGroup.arn)!;
      if (arn.account !== t.accountId) {
        push(
          where('cloudWatchLogs.logGroupArn'),
          `the log group is in account ${arn.account}, but CloudTrail delivers only to a log group in the trail's own account (${t.accountId}); create one there instead`,
        );
      }
    }
    if (cwl?.roleArn && parseArn(cwl.roleArn)!.account !== t.accountId) {
      push(
        where('cloudWatchLogs.roleArn'),
        `the role is in account ${parseArn(cwl.roleArn)!.account}, but CloudTrail needs a role in the trail's own account (${t.accountId}); name a role there or leave roleArn out to have one created`,
      );
    }

    // Trail flags.
    if (t.multiRegion && !t.includeGlobalServiceEvents) {
      push(where('includeGlobalServiceEvents'), 'a multi-region trail must include global service events; set multiRegion: false or includeGlobalServiceEvents: true');
    }
    if (t.organizationTrail) {
      if (!organization) push(where('organizationTrail'), 'organization trails need the top-level organization (id and managementAccountId); add it or set organizationTrail: false');
      else if (t.accountId !== organization.managementAccountId) {
        push(
          where('organizationTrail'),
          `only the management account (${organization.managementAccountId}) can create an organization trail; ${t.accountId} is not it (set organizationTrail: false here)`,
        );
      }
    }

    // Events.
    const m = t.managementEvents;
    if (m.readWrite === 'None' && (m.excludeKmsEvents || m.excludeRdsDataApiEvents)) {
      push(where('managementEvents'), 'excluding KMS or RDS Data API events needs management events; set readWrite to All, ReadOnly or WriteOnly, or drop the exclusion');
    }
    if (t.insights.apiCallRate && !(m.readWrite === 'All' || m.readWrite === 'WriteOnly')) {
      push(where('insights.apiCallRate'), `API call rate Insights need Write management events, but managementEvents.readWrite is ${m.readWrite}; use All or WriteOnly`);
    }
    if (t.insights.apiErrorRate && m.readWrite === 'None') {
      push(where('insights.apiErrorRate'), 'API error rate Insights need Read or Write management events, but managementEvents.readWrite is None; use All, ReadOnly or WriteOnly');
    }
    const d = t.dataEvents;
    const hasData =
      d.s3.allBuckets || d.s3.buckets.length || d.lambda.allFunctions || d.lambda.functions.length || d.dynamodb.allTables || d.dynamodb.tables.length || d.advanced.length;
    if (m.readWrite === 'None' && !hasData) {
      push(where('managementEvents.readWrite'), 'the trail would log nothing: management events are None and no data events are set; log management events (All, ReadOnly or WriteOnly) or add dataEvents');
    }
  }

  // At most 5 trails per account and region; a multi-region trail counts in every region. A renamed trail counts
  // twice: it is created before the trail it replaces is deleted (docs/changing-safely.md).
  const byAccount = trailsByAccount(config);
  for (const [accountId, active] of byAccount) {
    const trails = [...active, ...active.filter((t) => t.renamedFrom !== undefined)];
    const multi = trails.filter((t) => t.multiRegion);
    for (const region of new Set([...(multi.length ? ['*'] : []), ...trails.map((t) => t.region)])) {
      const here = [...multi, ...trails.filter((t) => !t.multiRegion && t.region === region)];
      if (here.length > MAX_TRAILS_PER_REGION) {
        const where = region === '*' ? 'every region' : region;
        push(
          `accounts[${Math.min(...here.map((t) => t.index))}]`,
          `account ${accountId} would have ${here.length} trails in ${where} (multi-region trails count in every region` +
            `${here.some((t) => t.renamedFrom !== undefined) ? '; a renamed trail counts twice, as the old one is deleted only after the new one exists' : ''}); ` +
            `CloudTrail allows ${MAX_TRAILS_PER_REGION}: remove trails, or merge their event settings into fewer trails`,
        );
        break;
      }
    }
  }

  // One account stack has one set of credentials.
  for (const [accountId, trails] of byAccount) {
    const roles = new Set(trails.map((t) => t.assumeRoleArn ?? ''));
    if (roles.size > 1) {
      const t = [...trails].sort((a, b) => a.index - b.index)[1];
      push(
        `accounts[${t.index}].assumeRoleArn`,
        `every entry of account ${accountId} must use the same assumeRoleArn (its trails share one stack and one set of credentials); use ${trails.find((o) => o.index !== t.index)?.assumeRoleArn ?? 'no assumeRoleArn'} here too`,
      );
    }
  }

  issues.push(...adoptionIssues(config));
  return issues;
}
