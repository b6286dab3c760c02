/**
 * `npm run verify [-- options]`: is every configured trail logging where the
 * config says? For each trail, with that account's credentials (its
 * `assumeRoleArn`, else the ambient credentials / AWS_PROFILE, as the stacks):
 * GetTrail, GetTrailStatus, GetEventSelectors, GetInsightSelectors; with the
 * central account's credentials: recent objects in the trail's folder.
 *
 *   --json                 the report as JSON on stdout
 *   --max-age <hours>      a delivery older than this is unhealthy (default 24)
 *   --concurrency <n>      trails checked at once (default 16)
 *   --digests              also validate digest chains and log file hashes
 *   --since <date>         start of the digest check (ISO date; default 24 h ago)
 *   --config <file>        the config (default CLOUDTRAIL_CONFIG, else config/cloudtrail.yaml)
 *
 * Exit 0 when every trail is healthy, 1 when any is not, 2 on a usage or config error.
 */
import { ConfigError, loadConfig } from '../config/load';
import { AwsAccess } from './lib/verify/aws';
import { formatJson, formatTable, COLOUR, PLAIN } from './lib/verify/report';
import { FleetReport, verifyFleet } from './lib/verify/run';

export interface VerifyArgs {
  readonly json: boolean;
  readonly maxAgeHours: number;
  readonly concurrency: number;
  readonly digests: boolean;
  readonly since?: Date;
  readonly config?: string;
}

export function parseVerifyArgs(argv: readonly string[]): VerifyArgs {
  const out: { -readonly [K in keyof VerifyArgs]: VerifyArgs[K] } = { json: false, maxAgeHours: 24, concurrency: 16, digests: false };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') out.json = true;
    else if (a === '--digests') out.digests = true;
    else if (a === '--max-age') {
      out.maxAgeHours = Number(value(i++, a));
      if (!(out.maxAgeHours > 0)) throw new Error(`--max-age takes a positive number of hours, got ${argv[i]}`);
    } else if (a === '--concurrency') {
      out.concurrency = Number(value(i++, a));
      if (!Number.isInteger(out.concurrency) || out.concurrency < 1) throw new Error(`--concurrency takes a positive whole number, got ${argv[i]}`);
    } else if (a === '--since') {
      const raw = value(i++, a);
      const since = new Date(raw);
      if (Number.isNaN(since.getTime())) throw new Error(`--since takes a date such as 2026-11-25 or 2026-11-25T12:00:00Z, got ${raw}`);
      out.since = since;
    } else if (a === '--config') out.config = value(i++, a);
    else throw new Error(`unknown option ${a}; options: --json --max-age <hours> --concurrency <n> --digests --since <date> --config <file>`);
  }
  if (out.since && !out.digests) throw new Error('--since is for --digests; add --digests');
  return out;
}

/** A progress line on stderr for long runs: rewritten in place on a terminal, every 10% otherwise. */
export function progressReporter(stream: NodeJS.WriteStream, minTotal = 20): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (total < minTotal) return;
    if (stream.isTTY) {
      stream.write(`\rverify: ${done}/${total} trails checked${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      stream.write(`verify: ${done}/${total} trails checked\n`);
    }
  };
}

export async function runVerify(argv: readonly string[], access = new AwsAccess()): Promise<{ report: FleetReport; output: string; exitCode: number }> {
  const args = parseVerifyArgs(argv);
  const config = loadConfig(args.config);
  const now = new Date();
  const report = await verifyFleet(config, access, {
    maxAgeMs: args.maxAgeHours * 3_600_000,
    concurrency: args.concurrency,
    digestsSince: args.digests ? (args.since ?? new Date(now.getTime() - 86_400_000)) : undefined,
    now,
    onProgress: progressReporter(process.stderr),
  });
  const colour = process.stdout.isTTY && !process.env.NO_COLOR;
  return { report, output: args.json ? formatJson(report) : formatTable(report, colour ? COLOUR : PLAIN), exitCode: report.healthy ? 0 : 1 };
}

if (require.main === module) {
  runVerify(process.argv.slice(2)).then(
    ({ output, exitCode }) => {
      process.stdout.write(output);
      process.exitCode = exitCode;
    },
    (e) => {
      process.stderr.write(`verify: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
