/**
 * Transitions on the emulator (issue 15; docs/emulator.md, "Transitions"):
 * what a deploy does when the config changes, applied for real with
 * Terraform and the aws 5.100.0 provider. Each transition: the deployed
 * config (central first, then the accounts), the new one planned,
 * `terraform show -json` read for deletes and replacements of protected
 * resources the config did not declare (none allowed) and for destroys,
 * replacements, forgets and moves (exactly the gate's listing,
 * `analyzeChange` on the two syntheses), then applied and planned again
 * ("No changes"). Probes: what Terraform must refuse (a home region change:
 * the postcondition; a key made multi-Region: prevent_destroy) and what the
 * gate calls unsafe (its findings must be exactly Terraform's losses: the
 * check can fail). Prints a coverage table.
 *
 * In CI: the CI chain (every kind of edit issue 15 lists, ISSUE_KINDS), then
 * `verify` against the fleet it leaves; and PAIRS_IN_CI generated edits of a
 * generated config (fixed seed). Knobs (docs/emulator.md):
 * CLOUDTRAIL_EMULATOR_TRANSITIONS=all also runs the exhaustive chains
 * (TRANSITION_KINDS); CLOUDTRAIL_EMULATOR_PAIRS=<n> and
 * CLOUDTRAIL_EMULATOR_PAIRS_SEED=<seed> draw other generated edits.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { CloudTrailClient, PutEventSelectorsCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { runVerify } from '../../../cli/commands/verify';
import { AwsAccess } from '../../../cli/lib/verify/aws';
import { EXIT } from '../../../cli/command';
import { Emulator, emulatorCredentials, startEmulator } from '../../../tools/emulator/emulator';
import { generatedChain, PAIRS_IN_CI, PAIRS_SEED } from '../../../tools/emulator/generated-chains';
import { centralChain, ciChain, ISSUE_KINDS, TRANSITION_KINDS, trailsChain } from '../../../tools/emulator/transition-chains';
import { Chain, Probe, resultProblems, runChain, TransitionResult, transitionReport } from '../../../tools/emulator/transitions';
import { describeWithEmulator, workDir } from './emulator-env';

const exhaustive = process.env.CLOUDTRAIL_EMULATOR_TRANSITIONS === 'all';
const pairsCount = Number(process.env.CLOUDTRAIL_EMULATOR_PAIRS || PAIRS_IN_CI);
const pairsSeed = Number(process.env.CLOUDTRAIL_EMULATOR_PAIRS_SEED || PAIRS_SEED);
const ci = ciChain();
const extraChains = exhaustive ? [trailsChain(), centralChain()] : [];
const jobs = Math.max(1, Math.min(4, Number(process.env.CLOUDTRAIL_TF_JOBS) || 2));
const results: TransitionResult[] = [];
const started = Date.now();
/** verify's clock: pinned (the planted log files are dated from it; the emulator's own delivery times are later). */
const NOW = new Date('2026-12-01T12:00:00Z');

if (exhaustive) process.stderr.write('CLOUDTRAIL_EMULATOR_TRANSITIONS=all: the exhaustive chains run too (several minutes more)\n');
if (process.env.CLOUDTRAIL_EMULATOR_PAIRS || process.env.CLOUDTRAIL_EMULATOR_PAIRS_SEED) process.stderr.write(`generated transitions: ${pairsCount} edit(s), seed ${pairsSeed}\n`);

/** Runs a chain on its own emulator and checks every result; returns the emulator still running (the caller stops it). */
async function checkChain(chain: Chain, label: string): Promise<Emulator> {
  const emulator = await startEmulator();
  const out = await runChain(chain, { emulator, workDir: workDir(`transitions-${label}`), jobs });
  results.push(...out);
  const probes = new Map<string, Probe>(chain.steps.flatMap((s, i) => (s.probes ?? []).map((p): [string, Probe] => [`${i}. probe: ${p.name}`, p])));
  const problems = out.map((r) => ({ name: r.name, problems: resultProblems(r, probes.get(r.name)) }));
  try {
    expect(problems).toEqual(out.map((r) => ({ name: r.name, problems: [] })));
    // Every step and probe ran.
    expect(out.map((r) => r.name)).toEqual(chain.steps.flatMap((s, i) => [...(s.probes ?? []).map((p) => `${i}. probe: ${p.name}`), `${i}. ${s.name}`]));
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  return emulator;
}

describeWithEmulator('config transitions on the emulator: no undeclared loss, the gate lists what Terraform plans, "No changes" after', { terraform: true }, () => {
  afterAll(() => {
    if (results.length) process.stdout.write(`${transitionReport(results, (Date.now() - started) / 1000)}\n`);
  });

  test('the CI chain covers every kind of edit issue 15 lists, the exhaustive chains every kind; no two chains share an account or bucket', () => {
    const covers = (c: Chain) => new Set(c.steps.flatMap((s) => [...s.covers, ...(s.probes ?? []).flatMap((p) => p.covers)]));
    const inCi = covers(ci);
    expect(ISSUE_KINDS.filter((k) => !inCi.has(k))).toEqual([]);
    const all = new Set([...inCi, ...covers(trailsChain()), ...covers(centralChain())]);
    expect(TRANSITION_KINDS.filter((k) => !all.has(k))).toEqual([]);
    expect([...all].filter((k) => !(TRANSITION_KINDS as readonly string[]).includes(k))).toEqual([]);
    const ids = (c: Chain) => new Set(c.steps.flatMap((s) => [s.config.central.accountId, s.config.central.bucketName, ...s.config.trails.map((t) => t.accountId)]));
    const sets = [ci, trailsChain(), centralChain()].map(ids);
    for (const [i, a] of sets.entries()) for (const b of sets.slice(i + 1)) expect([...a].filter((x) => b.has(x))).toEqual([]);
  });

  test.concurrent('the CI chain, then verify against the fleet it leaves: healthy with log files planted; a stopped trail and a changed selector are reported (exit 1)', async () => {
    const emulator = await checkChain(ci, 'ci');
    try {
      const last = ci.steps[ci.steps.length - 1];
      const config = last.config;
      const dir = workDir('transitions-verify');
      const file = path.join(dir, 'fleet.json');
      writeFileSync(file, JSON.stringify(last.raw));
      const trailArn = (t: (typeof config.trails)[number]) => `arn:aws:cloudtrail:${t.region}:${t.accountId}:trail/${t.trailName}`;
      for (const t of config.trails) await emulator.plantLogFile({ trailArn: trailArn(t), time: new Date(NOW.getTime() - 3_600_000) });
      const verify = () =>
        runVerify(
          { json: false, maxAgeHours: 24, concurrency: 8, digests: false, config: file },
          new AwsAccess({ retries: 0 }, async () => emulatorCredentials(config.central.accountId), { endpoint: emulator.endpoint }),
          { now: () => NOW, progress: () => undefined, progressIsTTY: false, colour: false },
        );
      const healthy = await verify();
      expect(healthy.report.trails.filter((t) => !t.healthy).map((t) => ({ trail: t.trailName, problems: t.problems, drift: t.drift }))).toEqual([]);
      expect(healthy.report.trails.map((t) => t.trailName).sort()).toEqual(config.trails.map((t) => t.trailName).sort());
      expect(healthy.exitCode).toBe(EXIT.ok);

      // Someone stops one trail and narrows another's selectors, outside Terraform.
      const stopped = config.trails.find((t) => t.trailName === 'd-on')!;
      const narrowed = config.trails.find((t) => t.trailName === 'k-alias')!;
      const client = (t: typeof stopped) => new CloudTrailClient({ endpoint: emulator.endpoint, region: t.region, credentials: emulatorCredentials(t.accountId), maxAttempts: 1 });
      await client(stopped).send(new StopLoggingCommand({ Name: stopped.trailName }));
      await client(narrowed).send(new PutEventSelectorsCommand({ TrailName: narrowed.trailName, EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] }));
      const broken = await verify();
      expect(broken.exitCode).toBe(EXIT.problems);
      const unhealthy = broken.report.trails.filter((t) => !t.healthy);
      expect(unhealthy.map((t) => t.trailName).sort()).toEqual(['d-on', 'k-alias']);
      expect(unhealthy.find((t) => t.trailName === 'd-on')!.problems).toEqual([expect.stringMatching(/^logging is stopped \(IsLogging false since /)]);
      const drift = unhealthy.find((t) => t.trailName === 'k-alias')!;
      expect(drift.problems).toEqual([]);
      expect(drift.drift.map((d) => d.setting)).toEqual([expect.stringContaining('(event selectors)')]);
      expect(broken.output).toContain('k-alias');
    } finally {
      await emulator.stop();
    }
  });

  test.concurrent(`generated transitions: ${pairsCount} edit(s) of a generated config (seed ${pairsSeed})`, async () => {
    const { chain, draws } = generatedChain(pairsSeed, pairsCount);
    process.stdout.write(`generated transitions (seed ${pairsSeed}):\n${draws.map((d) => `  ${d}`).join('\n')}\n`);
    expect(draws.filter((d) => !d.includes('rejected by the loader'))).toHaveLength(pairsCount);
    const emulator = await checkChain(chain, `generated-${pairsSeed}`);
    await emulator.stop();
  });

  for (const chain of extraChains) {
    test.concurrent(`exhaustive chain ${chain.name}`, async () => {
      const emulator = await checkChain(chain, chain.name);
      await emulator.stop();
    });
  }
});
