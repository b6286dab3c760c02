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
 * `--base <git ref | folder of a previous synth>` also warns about accounts
 * dropped without `lifecycle: decommission | retain` (docs/day-two.md).
 */
import { readFileSync } from 'fs';
import { CommandIO, CommandSpec, EXIT, ParsedArgs, UsageError, parseCommandArgs, stringOption } from '../command';
import { configPath, loadConfig } from '../../config/load';
import type { FleetConfig, TrailConfig } from '../../config/model';
import { configWarnings } from '../../config/warnings';
import { accountRootArn, logFolder } from '../../modules/arns';
import { admittedArns } from '../../modules/policies/trail-ref';
import { fleetPolicies } from '../../modules/policies/fleet-policies';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { eventSelectors } from '../../modules/selectors';
import { loadBase, synthStacks } from '../lib/fleet-synth';
import { disappearedMessages, stackChanges } from '../lib/stack-diff';
import { transitionProblems } from '../../modules/change-safety';
import { cloudTrailCovers, formatPolicyDiff, parseCurrentPolicy, policyDiff } from '../../modules/policies/policy-diff';
import type { Statement } from '../../modules/policies/document';

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
 * With `--base <git ref | folder of a previous synth>`: stacks of the base
 * that this config drops while they still manage a trail (they must leave
 * through `lifecycle: decommission | retain` first).
 */
export function baseWarnings(config: FleetConfig, base: string, configFile: string): string[] {
  const baseStacks = loadBase(base, configFile).stacks;
  const current = synthStacks(config);
  const { disappeared } = stackChanges(baseStacks, current);
  return [
    ...disappearedMessages(disappeared.filter((d) => d.withoutLifecycle)),
    // Taking the bucket back without adopt, moving a trail's home region (modules/change-safety.ts).
    ...transitionProblems(baseStacks, current).map((p) => `warning: stack ${p.stack}: ${p.message}`),
  ];
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
  const warnings = configWarnings(config, now);
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
  /** A git ref or the folder of a previous synth: warn about stacks dropped without a lifecycle step. */
  readonly base?: string;
  readonly json?: boolean;
}

export const command: CommandSpec = {
  name: 'check-config',
  summary: 'validate a config and show what each trail does, its policy sizes and warnings',
  positionals: [{ name: 'file', description: 'the config file (the same as --config)' }],
  options: {
    'current-policy': { type: 'string', value: '<file>', description: "the bucket's policy today (aws s3api get-bucket-policy): which of its Sids the apply replaces, keeps or drops" },
    'current-key-policy': { type: 'string', value: '<file>', description: "the adopted central key's policy today (aws kms get-key-policy), compared the same way" },
    base: { type: 'string', value: '<ref|folder>', description: 'a git ref or the folder of a previous cdktf synth: also check what the change from it does' },
  },
  details: 'Reads only the config: no AWS access, no Terraform.',
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
    json: args.json,
  };
}

/** The command line as check-config reads it (tests). */
export function parseArgs(argv: readonly string[]): CheckConfigArgs {
  const { json, ...rest } = toCheckConfigArgs(parseCommandArgs(command, argv));
  const out = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as CheckConfigArgs;
  return json ? { ...out, json } : out;
}

/** What applying the computed policies does to the current ones (the files named by the args). */
export function currentPolicyReport(config: FleetConfig, args: CheckConfigArgs, readFile = (f: string) => readFileSync(f, 'utf8')): string {
  const { bucket, centralKey } = fleetPolicies(config);
  const read = (f: string) => {
    try {
      return readFile(f);
    } catch (e) {
      throw new Error(`cannot read the current policy ${f}: ${(e as Error).message}; save it first (aws s3api get-bucket-policy --bucket <name> > ${f}, or aws kms get-key-policy --key-id <id> --policy-name default > ${f})`);
    }
  };
  const parts: string[] = [];
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
    parts.push(formatPolicyDiff(`bucket policy of ${config.central.bucketName} (${args.currentPolicy})${note}`, diff));
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
    parts.push(formatPolicyDiff(`central key policy (${args.currentKeyPolicy})`, diff));
  }
  return parts.join('\n');
}

export function runCheckConfig(args: CheckConfigArgs, io: CommandIO): number {
  const file = configPath(args.configFile);
  const config = loadConfig(args.configFile, FLEET_CHECKS);
  const extra = args.base ? baseWarnings(config, args.base, file) : [];
  if (args.json) {
    io.stdout(`${JSON.stringify(reportJson(config, extra, io.now), null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(report(config, extra, io.now));
  if (args.currentPolicy || args.currentKeyPolicy) io.stdout(`\n${currentPolicyReport(config, args)}`);
  return EXIT.ok;
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
    warnings: [...configWarnings(config, now).map((w) => ({ path: w.path, message: w.message })), ...extraWarnings.map((w) => ({ path: 'accounts', message: w.replace(/^warning: /, '') }))],
    leaving: config.leaving.map((t) => ({ index: t.index, accountId: t.accountId, trailName: t.trailName, lifecycle: t.lifecycle })),
  };
}
