/**
 * `cloudtrail-fleet verify [options]` (npm run verify): is every configured trail logging where the
 * config says? For each trail, with that account's credentials (its
 * `assumeRoleArn`, else the ambient credentials / AWS_PROFILE, as the stacks):
 * GetTrail, GetTrailStatus, GetEventSelectors, GetInsightSelectors,
 * GetEventConfiguration; with the central account's credentials: recent
 * objects in the trail's folder, and for an organization trail in each
 * member account's folder (docs/day-two.md).
 *
 *   --json                 the report as JSON on stdout
 *   --max-age <hours>      a delivery older than this is unhealthy (default 24)
 *   --concurrency <n>      trails checked at once (default 16)
 *   --digests              also validate digest chains and log file hashes
 *   --since <date>         start of the digest check (ISO date; default 24 h ago)
 *   --config <file>        the config (default CLOUDTRAIL_CONFIG, else config/cloudtrail.yaml)
 *
 * Exit 0 when every trail is healthy, 1 when any is not, 2 on a usage or config error,
 * 3 when nothing could be checked (no credentials, credentials refused, AWS or
 * the emulator unreachable): said once, never as a finding about a trail.
 */
import { loadConfig } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { CommandSpec, CouldNotCheck, EXIT, ParsedArgs, UsageError, countOption, parseCommandArgs, stringOption } from '../command';
import { AwsAccess } from '../lib/verify/aws';
import { formatJson, formatTable, COLOUR, PLAIN } from '../lib/verify/report';
import { FleetReport, verifyFleet, verifyWork } from '../lib/verify/run';

export interface VerifyArgs {
  readonly json: boolean;
  readonly maxAgeHours: number;
  readonly concurrency: number;
  readonly digests: boolean;
  readonly since?: Date;
  readonly config?: string;
}

export const command: CommandSpec = {
  name: 'verify',
  summary: 'check that every configured trail exists, logs, delivers into its folder and matches the config',
  options: {
    'max-age': { type: 'string', value: '<hours>', description: 'a delivery older than this is unhealthy (default 24)' },
    concurrency: { type: 'string', value: '<n>', description: 'trails (or organization member folders) checked at once (default 16)' },
    digests: { type: 'boolean', description: 'also validate digest chains (backfill ones too) and log file hashes, like aws cloudtrail validate-logs' },
    since: { type: 'string', value: '<date>', description: 'start of the digest check (ISO date; default 24 h ago); needs --digests' },
  },
  details: [
    'Needs credentials: each account through its assumeRoleArn (else the ambient credentials), the bucket through central.assumeRoleArn.',
    'With AWS_ENDPOINT_URL set, every call goes there (the emulator).',
    `Exit ${EXIT.problems} when a trail or an organization member folder is unhealthy; ${EXIT.couldNotCheck} when nothing could be checked`,
    '(no credentials, credentials refused, AWS or the emulator unreachable), said once on stderr (and as JSON with --json).',
  ].join('\n'),
  run: async (args, io) => {
    const verifyArgs = toVerifyArgs(args);
    try {
      const { output, exitCode } = await runVerify(verifyArgs, undefined, { now: io.now, progress: io.stderr, progressIsTTY: io.stderrIsTTY, colour: io.stdoutIsTTY && !io.env.NO_COLOR });
      io.stdout(output);
      return exitCode;
    } catch (e) {
      // A pipeline reading --json gets one document either way; the message goes to stderr (cli/main.ts).
      if (e instanceof CouldNotCheck && verifyArgs.json) io.stdout(`${JSON.stringify({ checked: false, couldNotCheck: e.message, checkedAt: io.now().toISOString() }, null, 2)}\n`);
      throw e;
    }
  },
};

function toVerifyArgs(args: ParsedArgs): VerifyArgs {
  const out: { -readonly [K in keyof VerifyArgs]: VerifyArgs[K] } = { json: args.json, maxAgeHours: 24, concurrency: countOption(args, 'concurrency', 16), digests: args.values.digests === true };
  const maxAge = stringOption(args, 'max-age');
  if (maxAge !== undefined) {
    out.maxAgeHours = Number(maxAge);
    if (!(out.maxAgeHours > 0)) throw new UsageError(`--max-age takes a positive number of hours, got ${maxAge}`);
  }
  const since = stringOption(args, 'since');
  if (since !== undefined) {
    const date = new Date(since);
    if (Number.isNaN(date.getTime())) throw new UsageError(`--since takes a date such as 2026-11-25 or 2026-11-25T12:00:00Z, got ${since}`);
    out.since = date;
  }
  if (args.config) out.config = args.config;
  if (out.since && !out.digests) throw new UsageError('--since is for --digests; add --digests');
  return out;
}

export function parseVerifyArgs(argv: readonly string[]): VerifyArgs {
  return toVerifyArgs(parseCommandArgs(command, argv));
}

/** A progress line on stderr for long runs: rewritten in place on a terminal, every 10% otherwise. */
export function progressReporter(write: (text: string) => void, isTTY: boolean, minTotal = 20, unit = 'trails'): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (total < minTotal) return;
    if (isTTY) {
      write(`\rverify: ${done}/${total} ${unit} checked${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      write(`verify: ${done}/${total} ${unit} checked\n`);
    }
  };
}

/** What `runVerify` takes from its surroundings; tests pin the clock here (a dated test must never depend on the day it runs). */
export interface VerifyEnvironment {
  /** @default the wall clock */
  readonly now?: () => Date;
  /** Where the progress line goes. @default stderr */
  readonly progress?: (text: string) => void;
  /** Rewrite the progress line in place (a terminal). @default stderr is a TTY */
  readonly progressIsTTY?: boolean;
  /** @default stdout is a TTY and NO_COLOR is unset */
  readonly colour?: boolean;
}

/** Throws CouldNotCheck (exit 3) when nothing could be checked; see cli/lib/verify/could-not-check.ts. */
export async function runVerify(
  argv: readonly string[] | VerifyArgs,
  access = new AwsAccess(),
  environment: VerifyEnvironment = {},
): Promise<{ report: FleetReport; output: string; exitCode: number }> {
  const args = Array.isArray(argv) ? parseVerifyArgs(argv) : (argv as VerifyArgs);
  const config = loadConfig(args.config, FLEET_CHECKS);
  const now = (environment.now ?? (() => new Date()))();
  const members = verifyWork(config).some((w) => w.kind === 'member');
  const report = await verifyFleet(config, access, {
    maxAgeMs: args.maxAgeHours * 3_600_000,
    concurrency: args.concurrency,
    digestsSince: args.digests ? (args.since ?? new Date(now.getTime() - 86_400_000)) : undefined,
    now,
    onProgress: progressReporter(
      environment.progress ?? ((t) => process.stderr.write(t)),
      environment.progressIsTTY ?? process.stderr.isTTY === true,
      20,
      members ? 'trails and organization member folders' : 'trails',
    ),
  });
  const colour = environment.colour ?? (process.stdout.isTTY && !process.env.NO_COLOR);
  return { report, output: args.json ? formatJson(report) : formatTable(report, colour ? COLOUR : PLAIN), exitCode: report.healthy ? EXIT.ok : EXIT.problems };
}
