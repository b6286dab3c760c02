/**
 * `cloudtrail-fleet check-config [file]` (npm run check-config): validates a config without synthesizing and
 * prints, per account, what each trail logs and where it delivers, then the
 * warnings worth a human's eye. Exit 1 when the config is invalid.
 *
 * `--current-policy <file>` (the bucket's policy today, as
 * `aws s3api get-bucket-policy` prints it) and `--current-key-policy <file>`
 * (the adopted central key's, from `aws kms get-key-policy`) also print which
 * of its Sids the apply replaces, keeps or drops.
 *
 * `--base <git ref | folder of a previous synth>` also runs the change gate
 * (cli/lib/change-plan.ts, docs/changing-safely.md): every destroy,
 * replacement, forget and move the change makes Terraform plan, and what it
 * costs.
 *
 * Exit 0 when the config is valid (and the change safe), 1 when the change
 * is unsafe or the apply would drop statements of a current policy (unless
 * `--allow-unsafe`), 2 when the config is invalid.
 */
import { readFileSync } from 'fs';
import { CommandIO, CommandSpec, EXIT, ParsedArgs, UsageError, parseCommandArgs, stringOption } from '../command';
import { configPath, loadConfig } from '../../config/load';
import type { FleetConfig, TrailConfig } from '../../config/model';
import { fleetWarnings } from '../../modules/fleet-warnings';
import { accountRootArn, logFolder } from '../../modules/arns';
import { admittedArns } from '../../modules/policies/trail-ref';
import { fleetPolicies } from '../../modules/policies/fleet-policies';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { eventSelectors } from '../../modules/selectors';
import { ChangePlan, changePlanJson, formatChangePlan } from '../lib/change-plan';
import { gateChange } from '../lib/change-gate';
import { transitionProblems } from '../../modules/change-safety';
import { cloudTrailCovers, formatPolicyDiff, parseCurrentPolicy, PolicyDiff, policyDiff } from '../../modules/policies/policy-diff';
import type { Statement } from '../../modules/policies/document';
import { guardJson, guardSummary } from '../../stacks/summary';

function events(t: TrailConfig): string {
  const parts: string[] = [];
  const m = t.managementEvents;
  if (m.readWrite !== 'None') {
    const excluded = [m.excludeKmsEvents && 'KMS', m.excludeRdsDataApiEvents && 'RDS Data API'].filter(Boolean);
    parts.push(`management ${m.readWrite}${excluded.length ? ` (no ${excluded.join(', ')})` : ''}`);
  }
  const d = t.dataEvents;
  if (d.s3.allBuckets) parts.push(`S3 all buckets ${d.s3.allBuckets}`);
  if (d.s3.buckets.length) parts.push(`S3 ${d.s3.buckets.length} bucket(s)`);
  if (d.lambda.allFunctions) parts.push(`Lambda all ${d.lambda.allFunctions}`);
  if (d.lambda.functions.length) parts.push(`Lambda ${d.lambda.functions.length} function(s)`);
  if (d.dynamodb.allTables) parts.push(`DynamoDB all ${d.dynamodb.allTables}`);
  if (d.dynamodb.tables.length) parts.push(`DynamoDB ${d.dynamodb.tables.length} table(s)`);
  if (d.advanced.length) parts.push(`${d.advanced.length} raw advanced selector(s)`);
  if (t.networkActivityEvents.length) {
    const sources = t.networkActivityEvents.map((n) => `${n.eventSource.replace(/\.amazonaws\.com$/, '')}${n.eventNames.length ? ` (${n.eventNames.join(', ')})` : ''}`);
    parts.push(`network activity ${sources.join(', ')}`);
  }
  const insights = [t.insights.apiCallRate && 'call rate', t.insights.apiErrorRate && 'error rate'].filter(Boolean);
  if (insights.length) parts.push(`Insights ${insights.join(' + ')}`);
  return parts.join('; ');
}

function encryption(t: TrailConfig): string {
  switch (t.kmsKey.kind) {
    case 'central':
      return 'SSE-KMS central key';
    case 'none':
      return 'bucket default';
    case 'arn':
      return `SSE-KMS ${t.kmsKey.arn}`;
    case 'create':
      return `SSE-KMS new ${t.kmsKey.alias}`;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/**
 * With `--base <git ref | folder of a previous synth>`: what the change from
 * the base makes Terraform destroy, replace, forget or move, and whether it
 * is safe (the change gate, shared with `affected`).
 */
export function baseChange(config: FleetConfig, base: string, configFile: string): ChangePlan {
  return baseCheck(config, base, configFile).plan;
}

/** What `--base` adds to the report's warnings (see baseCheck). */
export function baseWarnings(config: FleetConfig, base: string, configFile: string): string[] {
  return baseCheck(config, base, configFile).warnings;
}

/** The gate's plan of the change from the base, and the transition warnings the gate does not judge. */
function baseCheck(config: FleetConfig, base: string, configFile: string): { plan: ChangePlan; warnings: string[] } {
  const gate = gateChange(base, configFile, config);
  // What the gate does not judge (a bucket taken back without adopt fails at apply; modules/change-safety.ts).
  const warnings = transitionProblems(gate.base.stacks, gate.current).map((p) => `warning: stack ${p.stack}: ${p.message}`);
  return { plan: gate.plan, warnings };
}

export function report(config: FleetConfig, extraWarnings: readonly string[] = [], now: () => Date = () => new Date()): string {
  const { central, organization } = config;
  const rows = [['ACCOUNT', 'TRAIL', 'REGION', 'DELIVERS TO', 'ENCRYPTION', 'SELECTORS', 'EVENTS', 'ALSO']];
  for (const t of config.trails) {
    const folder = logFolder(t.prefix, t.organizationTrail && organization ? `${organization.id}/…` : t.accountId);
    const also = [t.sns && 'SNS', t.sns?.kind === 'create' && t.sns.sqsQueueName && 'SQS', t.cloudWatchLogs && 'CloudWatch Logs', t.organizationTrail && 'org trail'].filter(Boolean);
    rows.push([
      t.accountId,
      t.trailName,
      t.multiRegion ? `${t.region} (all)` : t.region,
      `s3://${central.bucketName}/${folder}`,
      encryption(t),
      eventSelectors(config.partition, t).kind,
      events(t) || '-',
      also.join(', ') || '-',
    ]);
  }
  const { bucket, centralKey } = fleetPolicies(config);
  const lines = [table(rows), '', `bucket policy: ${bucket.bytes} bytes of 20480 (${bucket.encoding})`];
  if (centralKey) lines.push(`central key policy: ${centralKey.bytes} bytes of 32768 (${centralKey.encoding})`);
  lines.push(...guardSummary(config));
  const warnings = fleetWarnings(config, now);
  const count = warnings.length + extraWarnings.length;
  lines.push('', count ? `${count} warning(s):` : 'no warnings');
  for (const w of warnings) lines.push(`  - ${w.path}: ${w.message}`);
  for (const w of extraWarnings) lines.push(`  - accounts: ${w.replace(/^warning: /, '')}`);
  if (config.leaving.length > 0) {
    lines.push('', 'leaving the fleet (no policy admits them):');
    for (const t of config.leaving) {
      const does =
        t.lifecycle === 'retain'
          ? 'the next deploy stops managing it; it keeps running'
          : t.deleteKeys
            ? 'the next deploy destroys it and schedules the deletion of its KMS key (deleteKeys)'
            : 'the next deploy destroys it; a KMS key created for it is kept, no longer managed';
      lines.push(`  - accounts[${t.index}] ${t.accountId} trail ${t.trailName}: ${does}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface CheckConfigArgs {
  readonly configFile?: string;
  readonly currentPolicy?: string;
  readonly currentKeyPolicy?: string;
  /** A git ref or the folder of a previous synth: the change gate. */
  readonly base?: string;
  /** Exit 0 even when the change is unsafe or statements would be dropped. */
  readonly allowUnsafe?: boolean;
  readonly json?: boolean;
}

export const command: CommandSpec = {
  name: 'check-config',
  summary: 'validate a config and show what each trail does, its policy sizes and warnings',
  positionals: [{ name: 'file', description: 'the config file (the same as --config)' }],
  options: {
    'current-policy': { type: 'string', value: '<file>', description: "the bucket's policy today (aws s3api get-bucket-policy): which of its Sids the apply replaces, keeps or drops" },
    'current-key-policy': { type: 'string', value: '<file>', description: "the adopted central key's policy today (aws kms get-key-policy), compared the same way" },
    base: { type: 'string', value: '<ref|folder>', description: 'a git ref or the folder of a previous cdktf synth: also list what the change from it destroys, replaces or forgets, and fail when it is unsafe' },
    'allow-unsafe': { type: 'boolean', description: 'exit 0 even when the change is unsafe or current statements would be dropped (the listing stays)' },
  },
  details: [
    'Reads only the config (and the files given): no AWS access, no Terraform.',
    'Exit 1 when --base finds an unsafe change (a protected resource destroyed or replaced without the config declaring it, an account',
    'dropped without a lifecycle step, a running trail the central policies stop admitting), or when --current-policy / --current-key-policy',
    'statements would be dropped (docs/changing-safely.md); --allow-unsafe exits 0 anyway.',
  ].join('\n'),
  run: (args, io) => runCheckConfig(toCheckConfigArgs(args), io),
};

function toCheckConfigArgs(args: ParsedArgs): CheckConfigArgs {
  const [file] = args.positionals;
  if (file && args.config && file !== args.config) throw new UsageError(`one config file only; got ${args.config} and ${file}`);
  return {
    configFile: file ?? args.config,
    currentPolicy: stringOption(args, 'current-policy'),
    currentKeyPolicy: stringOption(args, 'current-key-policy'),
    base: stringOption(args, 'base'),
    allowUnsafe: args.values['allow-unsafe'] === true ? true : undefined,
    json: args.json,
  };
}

/** The command line as check-config reads it (tests). */
export function parseArgs(argv: readonly string[]): CheckConfigArgs {
  const { json, ...rest } = toCheckConfigArgs(parseCommandArgs(command, argv));
  const out = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as CheckConfigArgs;
  return json ? { ...out, json } : out;
}

export interface CurrentPolicyDiff {
  readonly title: string;
  readonly diff: PolicyDiff;
}

/** What applying the computed policies does to the current ones (the files named by the args). */
export function currentPolicyDiffs(config: FleetConfig, args: CheckConfigArgs, readFile = (f: string) => readFileSync(f, 'utf8')): CurrentPolicyDiff[] {
  const { bucket, centralKey } = fleetPolicies(config);
  const read = (f: string) => {
    try {
      return readFile(f);
    } catch (e) {
      throw new Error(`cannot read the current policy ${f}: ${(e as Error).message}; save it first (aws s3api get-bucket-policy --bucket <name> > ${f}, or aws kms get-key-policy --key-id <id> --policy-name default > ${f})`);
    }
  };
  const out: CurrentPolicyDiff[] = [];
  // What the computed policies admit: a current CloudTrail statement for any other trail is not covered by them.
  const admitted = {
    trailArns: new Set(config.trails.flatMap((t) => admittedArns(config.partition, t))),
    accounts: new Set(config.trails.map((t) => t.accountId)),
  };
  if (args.currentPolicy) {
    const current = parseCurrentPolicy(read(args.currentPolicy), args.currentPolicy);
    const path = 'central.bucketPolicy.extraStatements';
    const diff = policyDiff(current, bucket.document, config.central.bucketPolicyExtraStatements, path, cloudTrailCovers(admitted, path));
    const note = config.central.bucketManagement === 'none' ? ' (bucketManagement none: the owning team applies it)' : '';
    out.push({ title: `bucket policy of ${config.central.bucketName} (${args.currentPolicy})${note}`, diff });
  }
  if (args.currentKeyPolicy) {
    if (!centralKey) throw new Error('--current-key-policy: the config has no central key (central.kmsKey is false)');
    const current = parseCurrentPolicy(read(args.currentKeyPolicy), args.currentKeyPolicy);
    const root = accountRootArn(config.partition, config.central.accountId);
    // The key's administrators (the account root, kms:*) are granted by the computed admin statement too.
    const admins = (s: Statement) =>
      typeof s.Principal === 'object' && [s.Principal.AWS ?? []].flat().includes(root) && [s.Action].flat().includes('kms:*');
    const path = 'central.kmsKey.extraStatements';
    const diff = policyDiff(current, centralKey.document, config.central.kmsKey!.extraStatements, path, cloudTrailCovers(admitted, path, admins));
    out.push({ title: `central key policy (${args.currentKeyPolicy})`, diff });
  }
  return out;
}

/** The text of currentPolicyDiffs. */
export function currentPolicyReport(config: FleetConfig, args: CheckConfigArgs, readFile = (f: string) => readFileSync(f, 'utf8')): string {
  return currentPolicyDiffs(config, args, readFile)
    .map((d) => formatPolicyDiff(d.title, d.diff))
    .join('\n');
}

const droppedCount = (diffs: readonly CurrentPolicyDiff[]) => diffs.reduce((n, d) => n + d.diff.current.filter((c) => c.fate === 'dropped').length, 0);

export function runCheckConfig(args: CheckConfigArgs, io: CommandIO): number {
  const file = configPath(args.configFile);
  const config = loadConfig(args.configFile, FLEET_CHECKS);
  const change = args.base ? baseCheck(config, args.base, file) : undefined;
  const plan = change?.plan;
  const extra = change?.warnings ?? [];
  const policies = args.currentPolicy || args.currentKeyPolicy ? currentPolicyDiffs(config, args) : [];
  const dropped = droppedCount(policies);
  const unsafe = (plan?.unsafe.length ?? 0) > 0 || dropped > 0;
  if (args.json) {
    io.stdout(
      `${JSON.stringify(
        {
          ...(reportJson(config, extra, io.now) as object),
          ...(plan ? { change: changePlanJson(plan, args.allowUnsafe) } : {}),
          ...(policies.length ? { currentPolicies: policies.map((p) => ({ title: p.title, statements: p.diff.current, added: p.diff.added })), dropped } : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(report(config, extra, io.now));
    if (plan) io.stdout(`\n${formatChangePlan(plan, args.allowUnsafe)}`);
    if (policies.length) io.stdout(`\n${policies.map((d) => formatPolicyDiff(d.title, d.diff)).join('\n')}`);
    if (dropped > 0) {
      io.stdout(
        args.allowUnsafe
          ? `\n${dropped} current statement(s) would be dropped; proceeding anyway (--allow-unsafe)\n`
          : `\n${dropped} current statement(s) would be dropped: keep them in extraStatements, or pass --allow-unsafe to proceed anyway\n`,
      );
    }
  }
  return unsafe && !args.allowUnsafe ? EXIT.problems : EXIT.ok;
}

/** `check-config --json`: what the text report says, as data. */
export function reportJson(config: FleetConfig, extraWarnings: readonly string[] = [], now: () => Date = () => new Date()): unknown {
  const { bucket, centralKey } = fleetPolicies(config);
  return {
    trails: config.trails.map((t) => ({
      accountId: t.accountId,
      trailName: t.trailName,
      region: t.region,
      multiRegion: t.multiRegion,
      folder: `s3://${config.central.bucketName}/${logFolder(t.prefix, t.organizationTrail && config.organization ? config.organization.id : t.accountId)}`,
      encryption: encryption(t),
      selectors: eventSelectors(config.partition, t).kind,
      events: events(t),
    })),
    bucketPolicy: { bytes: bucket.bytes, limit: 20480, encoding: bucket.encoding },
    centralKeyPolicy: centralKey ? { bytes: centralKey.bytes, limit: 32768, encoding: centralKey.encoding } : null,
    guard: guardJson(config),
    warnings: [...fleetWarnings(config, now).map((w) => ({ path: w.path, message: w.message })), ...extraWarnings.map((w) => ({ path: 'accounts', message: w.replace(/^warning: /, '') }))],
    leaving: config.leaving.map((t) => ({ index: t.index, accountId: t.accountId, trailName: t.trailName, lifecycle: t.lifecycle })),
  };
}
