/**
 * Transitions on the emulator (issue 15): every kind of edit the config
 * allows (tools/emulator/transition-chains.ts), applied for real with
 * Terraform and the aws 5.100.0 provider: the deployed config first (central,
 * then accounts), the new one planned, `terraform show -json` read for
 * deletes and replacements of protected resources the config did not declare
 * (none allowed) and for destroys, replacements, forgets and moves (exactly
 * the gate's listing, `analyzeChange` on the two syntheses), then applied and
 * planned again ("No changes"). Probes: what Terraform must refuse (a home
 * region change: the postcondition; a key made multi-Region: prevent_destroy)
 * and what the gate calls unsafe (its findings are exactly Terraform's
 * losses: the check can fail). Prints a coverage table.
 */
import { runChain, resultProblems, TransitionResult, transitionReport, Chain, Probe } from '../../../tools/emulator/transitions';
import { centralChain, TRANSITION_KINDS, trailsChain } from '../../../tools/emulator/transition-chains';
import { Emulator, startEmulator } from '../../../tools/emulator/emulator';
import { describeWithEmulator, workDir } from './emulator-env';

const chains = [trailsChain(), centralChain()];
const results: TransitionResult[] = [];
const started = Date.now();

describeWithEmulator('config transitions on the emulator: no undeclared loss, the gate lists what Terraform plans, "No changes" after', { terraform: true }, () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
    if (results.length) process.stdout.write(`${transitionReport(results, (Date.now() - started) / 1000)}\n`);
  });

  test('the chains cover every kind of edit, each step and probe loads, and probes plan from the step they precede', () => {
    const covered = new Set(chains.flatMap((c) => c.steps.flatMap((s) => [...s.covers, ...(s.probes ?? []).flatMap((p) => p.covers)])));
    expect([...TRANSITION_KINDS].filter((k) => !covered.has(k))).toEqual([]);
    expect([...covered].filter((k) => !(TRANSITION_KINDS as readonly string[]).includes(k))).toEqual([]);
    // Both chains run on one emulator: nothing they create may collide.
    const [a, b] = chains.map((c) => new Set(c.steps.flatMap((s) => [s.config.central.accountId, s.config.central.bucketName, ...s.config.trails.map((t) => t.accountId)])));
    expect([...a].filter((x) => b.has(x))).toEqual([]);
  });

  test.concurrent.each(chains.map((c) => [c.name, c] as [string, Chain]))('chain %s', async (name, chain) => {
    // Both chains share the emulator (distinct accounts and buckets); CLOUDTRAIL_TF_JOBS: Terraform runs at once per chain.
    const out = await runChain(chain, { emulator, workDir: workDir(`transitions-${name}`), jobs: Math.max(1, Math.min(4, Number(process.env.CLOUDTRAIL_TF_JOBS) || 2)) });
    results.push(...out);
    const probes = new Map<string, Probe>(chain.steps.flatMap((s, i) => (s.probes ?? []).map((p): [string, Probe] => [`${i}. probe: ${p.name}`, p])));
    const problems = out.map((r) => ({ name: r.name, problems: resultProblems(r, probes.get(r.name)) }));
    expect(problems).toEqual(out.map((r) => ({ name: r.name, problems: [] })));
    // Every step and probe ran.
    expect(out.map((r) => r.name)).toEqual(chain.steps.flatMap((s, i) => [...(s.probes ?? []).map((p) => `${i}. probe: ${p.name}`), `${i}. ${s.name}`]));
  });
});
