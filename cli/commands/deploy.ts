/**
 * `cloudtrail-fleet deploy`: synthesize, then apply the fleet with
 * Terraform itself: cloudtrail-central first (after the accounts leaving the
 * fleet), then the account stacks
 * `--parallelism` at a time; by default only the stacks changed since their
 * last successful deploy; transient AWS errors retried with backoff, others
 * reported with their first Terraform error line; one log file per stack;
 * a table (or --json) with one line per stack. docs/deploying.md.
 *
 * Exit 0 when every selected stack applied (or nothing needed applying), 1
 * when a stack failed or was not started, or the change-safety gate
 * refused the change; 2 on a config or usage error; 3 when it could not
 * start (no terraform, no credentials, no token).
 */
import * as path from 'path';
import { configPath, loadConfig } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { FleetConfig } from '../../config/model';
import { CommandIO, CommandSpec, CouldNotCheck, EXIT, ParsedArgs, UsageError, countOption, stringOption } from '../command';
import { AwsSession, stsRegion } from '../lib/aws-access';
import { localStateDir as stateFolderOf } from '../../modules/backend';
import { CENTRAL_STACK } from '../../modules/arns';
import { fleetIdentity, sameFleet } from '../../modules/fleet-identity';
import { localStateDir } from '../lib/doctor/backend';
import { loadBase } from '../lib/fleet-synth';
import { changePlanJson, fleetIdentityOfStacks, formatChangePlan } from '../lib/change-plan';
import { checkBaseFleet } from '../lib/change-gate';
import { ChangeGate, projectGate } from '../lib/deploy/gate';
import { DeployRecord, FleetRecords, FolderRecords, RecordStore, S3Records, defaultRecordsDir, synthHash } from '../lib/deploy/records';
import { DeployReport, formatDeployJson, formatDeployTable, summarize, summaryLine } from '../lib/deploy/report';
import { DeployEvent, StackResult, accountOfStack, runDeploy } from '../lib/deploy/run';
import { SelectMode, selectStacks } from '../lib/deploy/select';
import { SynthesizedStack, readOutdir, synthInto } from '../lib/deploy/synth';
import { terraformSetup } from '../lib/deploy/terraform-setup';
import { defaultOutdir } from '../lib/outdir';
import { ProgressLine } from '../lib/progress';
import { managesResources } from '../lib/stack-diff';
import { DEFAULT_TFC_HOST, findTerraformToken, missingTokenMessage } from '../lib/terraform/credentials';

export const SESSION_NAME = 'cloudtrail-fleet-deploy';

export const command: CommandSpec = {
  name: 'deploy',
  summary: 'synthesize and apply the fleet: central first, then the accounts in parallel, with retries and a result per account',
  options: {
    all: { type: 'boolean', description: 'apply every stack, not only those changed since their last successful deploy' },
    base: { type: 'string', value: '<ref|folder>', description: 'apply the stacks changed against a git ref or a previous synthesis folder (like affected), not against the deploy records' },
    parallelism: { type: 'string', value: '<n>', description: 'account stacks applied at once (default 8)' },
    'allow-unsafe': { type: 'boolean', description: 'deploy even when the change-safety gate calls the change unsafe' },
    retries: { type: 'string', value: '<n>', description: 'retries of an apply that failed only with documented transient errors (default 4)' },
    'retry-delay': { type: 'string', value: '<seconds>', description: 'first wait before a retry, doubled each time up to 120 s (default 10)' },
    out: { type: 'string', value: '<dir>', description: 'the synthesis output folder (default: cdktf.json output, cdktf.out)' },
    'no-synth': { type: 'boolean', description: 'deploy the stacks already in the output folder as they are (e.g. synthesized by an earlier CI job)' },
    logs: { type: 'string', value: '<dir>', description: 'where each stack\'s Terraform output goes, one <stack>.log each (default .cloudtrail-fleet/logs beside the output folder)' },
    records: { type: 'string', value: '<dir>', description: 'keep the deploy records in this folder (default: next to the state; see docs/deploying.md)' },
    'dry-run': { type: 'boolean', description: 'show which stacks would be applied and why, and stop' },
  },
  details: [
    'Needs terraform (>= 1.7) on PATH and the credentials a deploy uses (each stack assumes its assumeRoleArn); cloud backends need an HCP Terraform token.',
    'Run cloudtrail-fleet doctor first. Logs: <logs>/<stack>.log. Exit 3: could not start (no terraform, no credentials, no token).',
  ].join('\n'),
  run: (args, io) => deploy(args, io),
};

/** What tests replace: the AWS session, the gate, the clock of retries. */
export interface DeployDeps {
  readonly session?: (config: FleetConfig) => AwsSession;
  readonly gate?: ChangeGate;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

interface DeployArgs {
  readonly mode: 'records' | 'base' | 'all';
  readonly base?: string;
  readonly parallelism: number;
  readonly allowUnsafe: boolean;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly outdir: string;
  readonly synth: boolean;
  readonly logs?: string;
  readonly records?: string;
  readonly dryRun: boolean;
}

function deployArgs(args: ParsedArgs): DeployArgs {
  const base = stringOption(args, 'base');
  const all = args.values.all === true;
  if (all && base) throw new UsageError('--all and --base are two ways to choose the stacks: give one');
  const retriesRaw = stringOption(args, 'retries');
  const retries = retriesRaw === undefined ? 4 : Number(retriesRaw);
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`--retries takes a whole number (0 = never retry), got ${retriesRaw}`);
  const delayRaw = stringOption(args, 'retry-delay');
  const delay = delayRaw === undefined ? 10 : Number(delayRaw);
  if (!(delay >= 0) || !Number.isFinite(delay)) throw new UsageError(`--retry-delay takes a number of seconds, got ${delayRaw}`);
  return {
    mode: all ? 'all' : base ? 'base' : 'records',
    base,
    parallelism: countOption(args, 'parallelism', 8),
    allowUnsafe: args.values['allow-unsafe'] === true,
    retries,
    retryDelayMs: delay * 1000,
    outdir: path.resolve(stringOption(args, 'out') ?? defaultOutdir()),
    synth: args.values['no-synth'] !== true,
    logs: stringOption(args, 'logs'),
    records: stringOption(args, 'records'),
    dryRun: args.values['dry-run'] === true,
  };
}

/**
 * Where the records of this backend live (records.ts): local and cloud, in
 * the fleet's own state folder (`state/<fleet>/`, beside its local state) of
 * the project root (the folder holding the output folder); s3, beside the
 * state in the bucket.
 */
function recordStore(config: FleetConfig, a: DeployArgs, session: () => AwsSession): RecordStore {
  if (a.records) return new FolderRecords(path.resolve(a.records));
  if (config.backend.type === 's3') return new S3Records(config.backend, session());
  const root = localStateDir(a.outdir);
  return new FleetRecords(defaultRecordsDir(path.join(root, stateFolderOf(fleetIdentity(config)))), defaultRecordsDir(root), recordOfFleet(config));
}

/** A record of this fleet (for records an earlier release kept for every fleet in one folder): its central stack, or an account stack whose trails deliver into its bucket. */
function recordOfFleet(config: FleetConfig): (r: DeployRecord) => boolean {
  const identity = fleetIdentity(config);
  return (r) => {
    if (r.stack === CENTRAL_STACK) {
      const of = fleetIdentityOfStacks(new Map([[CENTRAL_STACK, r.terraform]]));
      return !!of && sameFleet(of, identity);
    }
    const trails = Object.values<Record<string, unknown>>((r.terraform.resource as Record<string, any> | undefined)?.aws_cloudtrail ?? {});
    return trails.length > 0 && trails.every((t) => t.s3_bucket_name === identity.bucketName);
  };
}

/** "could not start" before anything ran: no credentials (local, s3) or no token (cloud). */
async function preflight(config: FleetConfig, io: CommandIO, session: () => AwsSession): Promise<void> {
  if (config.backend.type === 'cloud') {
    const host = config.backend.hostname ?? DEFAULT_TFC_HOST;
    const token = findTerraformToken(host, io.env);
    if (!token.found) throw new CouldNotCheck(missingTokenMessage(host, token));
    return;
  }
  await session().preflight(io.env);
}

export async function deploy(args: ParsedArgs, io: CommandIO, deps: DeployDeps = {}): Promise<number> {
  const a = deployArgs(args);
  const config = loadConfig(args.config, FLEET_CHECKS);
  const startedAt = io.now();
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const progress = new ProgressLine({ write: io.stderr, isTTY: io.stderrIsTTY, columns: Number(io.env.COLUMNS) || undefined });
  const say = (line: string) => progress.line(`deploy: ${line}`);
  const home = path.join(path.dirname(a.outdir), '.cloudtrail-fleet');
  const logsDir = path.resolve(a.logs ?? path.join(home, 'logs'));
  let session: AwsSession | undefined;
  const getSession = () => (session ??= deps.session?.(config) ?? new AwsSession({ sessionName: SESSION_NAME, command: 'deploy', stsRegion: stsRegion(io.env, config.partition) }));

  const couldNotStart = (e: CouldNotCheck) => {
    progress.done();
    io.stderr(`deploy: could not start: ${e.message}\n`);
    if (args.json) io.stdout(`${JSON.stringify({ ok: false, couldNotStart: e.message, startedAt: startedAt.toISOString() }, null, 2)}\n`);
    return EXIT.couldNotCheck;
  };

  // 1. The stacks.
  let stacks: SynthesizedStack[];
  let synthSeconds: number | undefined;
  if (a.synth) {
    const s = synthInto(config, a.outdir);
    stacks = s.stacks;
    synthSeconds = s.seconds;
    say(`synthesized ${stacks.length} stacks into ${a.outdir} in ${s.seconds.toFixed(1)} s`);
  } else {
    stacks = readOutdir(a.outdir);
    say(`${stacks.length} stacks from ${a.outdir} (--no-synth)`);
  }
  const hash = synthHash(new Map(stacks.map((s) => [s.name, s.content])));

  // 2. What was deployed before (records in the state bucket need credentials first), and what to apply now.
  const store = recordStore(config, a, getSession);
  let records: Map<string, DeployRecord>;
  try {
    if (store instanceof S3Records) await getSession().preflight(io.env);
    records = await store.readAll();
  } catch (e) {
    if (e instanceof CouldNotCheck) return couldNotStart(e);
    return couldNotStart(new CouldNotCheck(`cannot read the deploy records at ${store.location}: ${(e as Error).name}: ${(e as Error).message}`));
  }
  if (store instanceof FleetRecords && store.fromLegacy > 0) {
    say(`note: read ${store.fromLegacy} deploy record(s) of this fleet from ${store.legacyDir}, where earlier releases kept every fleet's records; new ones go to ${store.location}`);
  }
  if (a.mode === 'records' && records.size === 0 && config.backend.type === 'cloud' && !a.records) {
    throw new UsageError(
      `no record of a previous deploy in ${store.location}: with backend.type cloud the records are kept on this machine, so a fresh CI clone has none. ` +
        'Give --base <ref> (the commit last deployed: only the stacks changed since are applied) or --all (every stack; for the first deploy), ' +
        'or keep the folder between runs with --records <dir> (docs/deploying.md, "Where the deploy records live")',
    );
  }
  let mode: SelectMode;
  if (a.mode === 'base') {
    const base = loadBase(a.base!, configPath(args.config));
    checkBaseFleet(base, a.base!, configPath(args.config), config); // a folder of another fleet: exit 2; a ref of another fleet: the gate's fleet-changed
    mode = { kind: 'base', label: base.label, stacks: base.stacks };
  } else mode = { kind: a.mode };
  const selection = selectStacks(stacks, records, mode);
  // Stacks deployed before and no longer in the config: those that still manage resources are the gate's (account-dropped).
  for (const gone of selection.gone) {
    const r = records.get(gone)!;
    if (!managesResources(r.terraform)) say(`${gone} was deployed but is no longer in the config; it managed nothing any more (delete its state or workspace when you like)`);
  }

  // 3. The change-safety gate: what is deployed (the records, or --base) against what would be (docs/changing-safely.md).
  const plan = (deps.gate ?? projectGate)(selection.gateBase, new Map(stacks.map((s) => [s.name, s.json])));
  if (plan.actions.length || plan.findings.length) for (const line of formatChangePlan(plan, a.allowUnsafe).trimEnd().split('\n')) progress.line(line);
  const gate = changePlanJson(plan, a.allowUnsafe);
  if (plan.unsafe.length && !a.allowUnsafe) {
    say(`refused: the change-safety gate calls ${plan.unsafe.length} change${plan.unsafe.length === 1 ? '' : 's'} unsafe; nothing was applied. Make the change safely (docs/changing-safely.md) or pass --allow-unsafe`);
    progress.done();
    if (args.json) io.stdout(`${JSON.stringify({ ok: false, refused: true, gate }, null, 2)}\n`);
    return EXIT.problems;
  }

  const skipped: StackResult[] = selection.skipped.map((s) => ({ stack: s.stack, account: accountOfStack(s.stack, config.central.accountId), result: 'skipped', reason: s.reason, attempts: 0, seconds: 0, retries: [] }));
  const modeLabel = mode.kind === 'base' ? `changed against ${mode.label}` : mode.kind === 'all' ? 'every stack (--all)' : `changed since their last deploy (records: ${store.location})`;
  say(`${selection.apply.length} of ${stacks.length} stacks to apply: ${modeLabel}`);
  if (a.dryRun) {
    progress.done();
    const lines = [...selection.apply.map((s) => `apply  ${s.name}`), ...selection.skipped.map((s) => `skip   ${s.stack}: ${s.reason}`)];
    io.stdout(args.json ? `${JSON.stringify({ apply: selection.apply.map((s) => s.name), skipped: selection.skipped, records: store.location, gate }, null, 2)}\n` : `${lines.join('\n')}\n`);
    return EXIT.ok;
  }

  // 4. Could it start at all? Terraform, and credentials (local, s3) or a token (cloud).
  let setup: Awaited<ReturnType<typeof terraformSetup>> | undefined;
  if (selection.apply.length) {
    try {
      setup = await terraformSetup(io.env, home);
      await preflight(config, io, getSession);
    } catch (e) {
      if (e instanceof CouldNotCheck) return couldNotStart(e);
      throw e;
    }
    for (const n of setup.notes) say(n);
  }

  // 5. Terraform, stack by stack.
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('interrupted: no new stack is started; waiting for the running ones (Ctrl-C again to leave now)');
  };
  process.on('SIGINT', onSigint);
  const total = selection.apply.length;
  let finished = 0;
  let failed = 0;
  const running = new Set<string>();
  const retrying = new Set<string>();
  const status = () => `deploy: ${finished}/${total} stacks done${failed ? `, ${failed} failed` : ''}, ${running.size} running${retrying.size ? ` (${retrying.size} waiting to retry)` : ''}, ${elapsed().toFixed(0)} s`;
  const onEvent = (e: DeployEvent) => {
    if (e.kind === 'start') running.add(e.stack);
    else if (e.kind === 'retry') {
      retrying.add(e.stack);
      progress.line(`deploy: ${e.stack}: ${e.reasons.join('; ')}: documented as transient; retry ${e.attempt} of ${e.of - 1} in ${(e.waitMs / 1000).toFixed(1)} s`, status());
      return;
    } else {
      const r = e.result;
      running.delete(r.stack);
      retrying.delete(r.stack);
      finished++;
      if (r.result === 'failed') failed++;
      const line =
        r.result === 'applied'
          ? `${r.stack} applied in ${r.seconds.toFixed(1)} s${r.retries.length ? ` after ${r.retries.length} ${r.retries.length === 1 ? 'retry' : 'retries'}` : ''}`
          : r.result === 'failed'
            ? `${r.stack} FAILED: ${r.error} (log: ${r.log})`
            : `${r.stack} not started: ${r.reason}`;
      // On a terminal the live line counts the applied stacks; failures stay on screen. In a log, every stack gets its line.
      if (!progress.isTTY || r.result !== 'applied' || r.stack === 'cloudtrail-central') progress.line(`deploy: ${line}`, status());
      else progress.status(status());
      return;
    }
    progress.status(status());
  };
  let results: StackResult[] = [];
  try {
    if (setup) results = await runDeploy(
      {
        stacks: selection.apply,
        parallelism: a.parallelism,
        retries: a.retries,
        backoff: { baseMs: a.retryDelayMs, random: deps.random },
        terraform: setup.setup,
        logsDir,
        records: store,
        synth: hash,
        now: io.now,
        onEvent,
        shouldStop: () => interrupted,
        sleep: deps.sleep,
      },
      config.central.accountId,
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.done();

  const order = new Map(stacks.map((s, i) => [s.name, i]));
  const all = [...results, ...skipped].sort((x, y) => (order.get(x.stack) ?? 0) - (order.get(y.stack) ?? 0));
  const summary = summarize(all);
  const report: DeployReport = {
    ok: summary.failed === 0 && summary.notStarted === 0,
    startedAt: startedAt.toISOString(),
    seconds: elapsed(),
    mode: mode.kind,
    records: store.location,
    logs: logsDir,
    synthesis: { hash, stacks: stacks.length, seconds: synthSeconds },
    gate,
    stacks: all,
    summary,
  };
  io.stdout(args.json ? formatDeployJson(report) : formatDeployTable(report));
  if (args.json) io.stderr(`${summaryLine(summary, report.seconds)}\n`);
  return report.ok ? EXIT.ok : EXIT.problems;
}
