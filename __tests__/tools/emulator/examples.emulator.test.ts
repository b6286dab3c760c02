/**
 * The emulator stage (tools/emulator/stage.ts): every config/examples/*.yaml
 * and the fleet shapes at each bucket-policy encoding,
 * each applied with the real provider on its own emulator (central stack
 * first, then the accounts; generated fleets: the central stack and sampled
 * account stacks), then planned again: every stack must say "No changes".
 * Prints the coverage table at the end.
 */
import { readdirSync } from 'fs';
import * as path from 'path';
import { projectRoot } from '../../../config/load';
import { BUCKET_POLICY_ENCODINGS } from '../../../modules/policies/bucket-policy';
import { fleetBucketPolicy } from '../../../modules/policies/fleet-policies';
import { runCase, StageCase, stageCases, stageReport, StageResult } from '../../../tools/emulator/stage';
import { describeWithEmulator, workDir } from './emulator-env';

const cases = stageCases();
const results: StageResult[] = [];
const started = Date.now();

describeWithEmulator('every example config and fleet shape applies on the emulator and re-plans with "No changes"', { terraform: true }, () => {
  afterAll(() => {
    if (results.length) process.stdout.write(`${stageReport(results, (Date.now() - started) / 1000)}\n`);
  });

  test('the stage covers every example and a fleet at each bucket-policy encoding', () => {
    const examples = readdirSync(path.join(projectRoot(__dirname), 'config', 'examples')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `examples/${f.replace(/\.ya?ml$/, '')}`);
    expect(examples).toContain('examples/every-option');
    // config/cloudtrail.yaml: harness.emulator.test.ts applies it and plans it again.
    expect(cases.filter((c) => !c.sample).map((c) => c.name)).toEqual(examples.sort());
    const encodings = new Map(cases.filter((c) => c.config.central.bucketManagement !== 'none').map((c) => [fleetBucketPolicy(c.config).encoding, c]));
    expect([...encodings.keys()].sort()).toEqual([...BUCKET_POLICY_ENCODINGS].sort());
    const firstCompact = cases.find((c) => c.name === 'generated/bucket-per-prefix-trail-arns-first')!;
    expect(fleetBucketPolicy(firstCompact.config).encoding).toBe(BUCKET_POLICY_ENCODINGS[1]);
    expect(firstCompact.config.trails.length).toBeGreaterThanOrEqual(50);
  });

  // The configs that wait longest start first (the provider polls an SQS queue policy for about 50 s; imports are seeded first).
  const weight = (c: StageCase) => 50 * c.config.trails.filter((t) => t.sns?.kind === 'create' && t.sns.sqsQueueName).length + 20 * Number(!!c.config.central.adopt) + 10 * c.config.trails.filter((t) => t.adopt).length;
  // CLOUDTRAIL_EMULATOR_CASES=examples/every-option,generated/ runs only the configs whose names start so (said loudly).
  const only = (process.env.CLOUDTRAIL_EMULATOR_CASES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const selected = only.length ? cases.filter((c) => only.some((p) => c.name.startsWith(p))) : cases;
  if (only.length) process.stderr.write(`\nCLOUDTRAIL_EMULATOR_CASES: only ${selected.length} of ${cases.length} configs run: ${selected.map((c) => c.name).join(', ')}\n`);
  const longestFirst = [...selected].sort((a, b) => weight(b) - weight(a));

  test.concurrent.each(longestFirst.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    // CLOUDTRAIL_TF_JOBS: Terraform runs at once per config (as npm run validate; default 2).
    const r = await runCase(c, { workDir: workDir(name.replace(/\W+/g, '-')), jobs: Math.max(1, Math.min(4, Number(process.env.CLOUDTRAIL_TF_JOBS) || 2)) });
    results.push(r);
    expect({ name, changed: r.changed }).toEqual({ name, changed: [] });
    // The central stack first; then every account stack (a generated fleet: its sample).
    expect(r.applied[0]).toBe(r.central);
    if (!c.sample) expect(r.applied).toHaveLength(r.stacks);
    else expect(r.applied.length).toBeGreaterThanOrEqual(2);
  });
});
