/**
 * Day-two measurements for `npm run bench` (issue "Day two", part 5):
 * - at N accounts, the stacks `affected` lists after a one-account change
 *   (an account added: 2 stacks, not N + 1) and how long `affected` takes,
 *   against a git ref and against a previous synth folder;
 * - `verify` of N trails against mocked AWS clients (aws-sdk-client-mock,
 *   a dev dependency) with a simulated latency per call, bounded concurrency.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { configFromText } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { FleetConfig } from '../../config/model';
import { expectedTrail } from '../../cli/lib/verify/drift';
import { AwsAccess } from '../../cli/lib/verify/aws';
import { verifyFleet } from '../../cli/lib/verify/run';

export interface DayTwoResult {
  readonly accounts: number;
  readonly affectedStacks: readonly string[];
  readonly affectedGitSeconds: number;
  readonly affectedDirSeconds: number;
  /** CPU seconds (user + system) of the affected runs, when /usr/bin/time is installed. */
  readonly affectedGitCpuSeconds?: number;
  readonly affectedDirCpuSeconds?: number;
  readonly verifyTrails: number;
  readonly verifySeconds: number;
  readonly verifyLatencyMs: number;
  readonly verifyConcurrency: number;
  readonly verifyMaxInFlight: number;
  readonly verifyHealthy: boolean;
}

function timed<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const out = fn();
  return [out, Number(process.hrtime.bigint() - start) / 1e9];
}

/** Times `affected` for a one-account change (one account added) to a fleet of `accounts`. */
export function benchAffected(root: string, scratch: string, fleetYaml: (n: number) => string, accounts: number) {
  const repo = path.join(scratch, 'day-two-repo');
  mkdirSync(repo, { recursive: true });
  const file = path.join(repo, 'fleet.yaml');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' } });
  writeFileSync(file, fleetYaml(accounts));
  git('init', '-q');
  git('add', 'fleet.yaml');
  git('commit', '-q', '-m', 'base');
  const baseDir = path.join(scratch, 'day-two-base-out');
  execFileSync(process.execPath, [path.join(root, 'dist', 'main.js')], { env: { ...process.env, CLOUDTRAIL_CONFIG: file, CDKTF_OUTDIR: baseDir }, stdio: 'pipe' });
  // The change: one more account.
  writeFileSync(file, `${fleetYaml(accounts)}  - accountId: "199999999999"\n`);
  // Wall time, and CPU time (user + system) from /usr/bin/time when installed: on a busy machine the wall time mostly measures the others.
  const timeFile = path.join(scratch, 'day-two-time.txt');
  const hasTime = existsSync('/usr/bin/time');
  const affected = (base: string): [string, number, number | undefined] => {
    const command = [process.execPath, path.join(root, 'dist', 'scripts', 'affected.js'), '--base', base];
    const [out, seconds] = timed(() =>
      execFileSync(hasTime ? '/usr/bin/time' : command[0], hasTime ? ['-f', '%U %S', '-o', timeFile, ...command] : command.slice(1), {
        cwd: repo,
        env: { ...process.env, CLOUDTRAIL_CONFIG: file },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    const cpu = hasTime ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number).reduce((a, b) => a + b, 0) : undefined;
    return [out, seconds, cpu];
  };
  const [viaGit, gitSeconds, gitCpu] = affected('HEAD');
  const [viaDir, dirSeconds, dirCpu] = affected(baseDir);
  if (viaGit !== viaDir) throw new Error(`affected differs between --base HEAD and --base <dir>:\n${viaGit}\n---\n${viaDir}`);
  return { stacks: viaGit.split('\n').filter(Boolean), gitSeconds, dirSeconds, gitCpu, dirCpu };
}

/** verify of every trail of `config` against mocked clients answering like a healthy fleet after `latencyMs`. */
export async function benchVerify(config: FleetConfig, latencyMs: number, concurrency: number) {
  // Loaded here only: the mocking library is a dev dependency.
  const { mockClient } = require('aws-sdk-client-mock') as typeof import('aws-sdk-client-mock');
  const ct = await import('@aws-sdk/client-cloudtrail');
  const s3 = await import('@aws-sdk/client-s3');
  const now = new Date();
  const byAccount = new Map(config.trails.map((t) => [t.accountId, t]));
  let inFlight = 0;
  let maxInFlight = 0;
  const slow = async <T>(answer: () => T): Promise<T> => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, latencyMs));
    inFlight--;
    return answer();
  };
  // The bench fleet's trails share name and settings: one GetTrail answer (that of the first account) matches each of them.
  const trailMock = mockClient(ct.CloudTrailClient);
  const s3Mock = mockClient(s3.S3Client);
  try {
    const e = expectedTrail(config, config.trails[0]);
    trailMock.on(ct.GetTrailCommand).callsFake(() =>
      slow(() => ({
        Trail: {
          Name: e.name,
          S3BucketName: e.s3BucketName,
          S3KeyPrefix: e.s3KeyPrefix,
          IsMultiRegionTrail: e.isMultiRegionTrail,
          IncludeGlobalServiceEvents: e.includeGlobalServiceEvents,
          IsOrganizationTrail: e.isOrganizationTrail,
          LogFileValidationEnabled: e.logFileValidationEnabled,
          HomeRegion: e.homeRegion,
          TrailARN: e.trailArn,
          KmsKeyId: e.kmsKey && ('exact' in e.kmsKey ? e.kmsKey.exact : `${e.kmsKey.keyIn}1234abcd`),
        },
      })),
    );
    trailMock.on(ct.GetTrailStatusCommand).callsFake(() => slow(() => ({ IsLogging: true, LatestDeliveryTime: new Date(now.getTime() - 300_000) })));
    trailMock
      .on(ct.GetEventSelectorsCommand)
      .callsFake(() => slow(() => ({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] })));
    trailMock
      .on(ct.GetInsightSelectorsCommand)
      .callsFake(() => slow(() => Promise.reject(new ct.InsightNotEnabledException({ message: 'Insights not enabled', $metadata: {} }))));
    trailMock.on(ct.GetEventConfigurationCommand).callsFake((input) => slow(() => ({ TrailARN: input.TrailName })));
    s3Mock.on(s3.ListObjectsV2Command).callsFake((input) =>
      slow(() => {
        const account = /AWSLogs\/(\d{12})\//.exec(input.Prefix ?? '')?.[1];
        const t = account ? byAccount.get(account) : undefined;
        return t ? { Contents: [{ Key: `${input.Prefix}${t.accountId}_CloudTrail_x.json.gz`, LastModified: new Date(now.getTime() - 300_000) }], IsTruncated: false } : { IsTruncated: false };
      }),
    );
    const access = new AwsAccess({ sleep: async () => undefined }, async () => ({ accessKeyId: 'AKIABENCH', secretAccessKey: 'x' }));
    const start = process.hrtime.bigint();
    const report = await verifyFleet(config, access, { maxAgeMs: 86_400_000, concurrency, now });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { seconds, maxInFlight, healthy: report.healthy, trails: report.trails.length };
  } finally {
    trailMock.restore();
    s3Mock.restore();
  }
}

export async function benchDayTwo(root: string, scratch: string, fleetYaml: (n: number) => string, accounts: number): Promise<DayTwoResult> {
  const a = benchAffected(root, scratch, fleetYaml, accounts);
  process.stderr.write(`  affected, ${accounts} accounts + 1: ${a.stacks.length} stacks, ${a.gitSeconds.toFixed(2)} s (git ref), ${a.dirSeconds.toFixed(2)} s (folder)\n`);
  const latencyMs = 20;
  const concurrency = 16;
  const v = await benchVerify(configFromText(fleetYaml(accounts), 'bench', FLEET_CHECKS), latencyMs, concurrency);
  process.stderr.write(`  verify, ${v.trails} trails (mocked, ${latencyMs} ms per call, concurrency ${concurrency}): ${v.seconds.toFixed(2)} s\n`);
  return {
    accounts,
    affectedStacks: a.stacks,
    affectedGitSeconds: a.gitSeconds,
    affectedDirSeconds: a.dirSeconds,
    affectedGitCpuSeconds: a.gitCpu,
    affectedDirCpuSeconds: a.dirCpu,
    verifyTrails: v.trails,
    verifySeconds: v.seconds,
    verifyLatencyMs: latencyMs,
    verifyConcurrency: concurrency,
    verifyMaxInFlight: v.maxInFlight,
    verifyHealthy: v.healthy,
  };
}

export function dayTwoReport(r: DayTwoResult): string {
  return [
    `day two, ${r.accounts} accounts`,
    `  affected after adding one account: ${r.affectedStacks.length} stacks (${r.affectedStacks.join(', ')}), not ${r.accounts + 2}`,
    `  affected time: ${r.affectedGitSeconds.toFixed(2)} s with --base <git ref>, ${r.affectedDirSeconds.toFixed(2)} s with --base <previous synth folder>` +
      (r.affectedGitCpuSeconds !== undefined ? ` (CPU ${r.affectedGitCpuSeconds.toFixed(2)} s and ${r.affectedDirCpuSeconds!.toFixed(2)} s)` : ''),
    `  verify, ${r.verifyTrails} trails against mocked clients (${r.verifyLatencyMs} ms per call): ${r.verifySeconds.toFixed(2)} s, ` +
      `concurrency ${r.verifyConcurrency} (at most ${r.verifyMaxInFlight} API calls in flight), ${r.verifyHealthy ? 'all healthy' : 'UNHEALTHY (bench mock is wrong)'}`,
    '',
  ].join('\n');
}
