/**
 * The emulator stage of CI (__tests__/tools/emulator/examples.emulator.test.ts,
 * run by `npm run test:emulator`): every example config and the fleet shapes
 * at each bucket-policy encoding, applied with the real provider on a fresh
 * emulator each (central stack first, then the accounts), then planned again:
 * every stack must say "No changes".
 *
 * Examples are applied whole. The generated fleets (49 to 1,037 accounts) get
 * their central stack (whose policies are what changes with the fleet size)
 * and a deterministic sample of account stacks: the last (the end of every
 * policy list), plus the first of any account stack whose shape differs (an
 * account stack does not change with the fleet's size). The coverage table
 * says what was sampled.
 */
import { existsSync, readdirSync } from 'fs';
import * as path from 'path';
import { configFromObject, loadConfig, projectRoot } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { FleetConfig } from '../../config/model';
import { fleetBucketPolicy, fleetCentralKeyPolicy } from '../../modules/policies/fleet-policies';
import { fleetShapes } from '../fleet-shapes';
import { stackFingerprint } from '../validate';
import { Emulator, startEmulator } from './emulator';
import { applyFleet, FleetStack, inPool, isCentral, pointAtEmulator, prepareWorld, synthFleet } from './fleet';
import { PlannedChange, PlanResult, Terraform } from './terraform';

const ROOT = projectRoot(__dirname);

/** The generated fleet shapes the stage applies (tools/fleet-shapes.ts names). */
export const STAGE_SHAPES = [
  // The largest fleet of the explicit encoding (the longest per-account bucket policy).
  'bucket-per-account-last',
  // The first compact encoding (50 accounts).
  'bucket-per-prefix-trail-arns-first',
  // The most compact bucket encoding; its central key policy is the per-account encoding (aws:PrincipalAccount).
  'bucket-per-prefix-source-account-first',
  // Not applied here, for CI's time: key-per-account-org-first (an organization fleet whose central key admits the
  // lookup by aws:PrincipalOrgID); `npm run validate` plans it, and organization trails are in the transitions stage.
] as const;

export interface StageCase {
  /** `cloudtrail`, `examples/every-option`, `generated/bucket-per-account-last`. */
  readonly name: string;
  readonly covers: string;
  readonly config: FleetConfig;
  /** Apply a sample of the account stacks (generated fleets). */
  readonly sample: boolean;
}

/**
 * Every config/examples/*.yaml, then STAGE_SHAPES. config/cloudtrail.yaml is applied (central first) and planned
 * again by harness.emulator.test.ts, so it is not applied a second time here.
 */
export function stageCases(): StageCase[] {
  const examples = path.join(ROOT, 'config', 'examples');
  const files = existsSync(examples) ? readdirSync(examples).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(examples, f)) : [];
  const cases: StageCase[] = files.map((file) => ({
    name: path.relative(path.join(ROOT, 'config'), file).replace(/\.ya?ml$/, ''),
    covers: 'example config',
    config: loadConfig(file, FLEET_CHECKS),
    sample: false,
  }));
  const shapes = fleetShapes();
  for (const name of STAGE_SHAPES) {
    const shape = shapes.find((s) => s.name === name);
    if (!shape) throw new Error(`tools/fleet-shapes.ts has no shape ${name} any more: update STAGE_SHAPES in tools/emulator/stage.ts`);
    // Local state only: the emulator replaces the backend anyway, and a generated S3 backend would name a bucket that does not exist.
    cases.push({ name: `generated/${name}`, covers: shape.covers, config: configFromObject({ ...shape.raw, backend: { type: 'local' } }, name, FLEET_CHECKS), sample: true });
  }
  return cases;
}

/**
 * Account stacks of a generated fleet that the stage applies: the last (the
 * end of every list in the central policies, so its key lookup is judged
 * against the whole policy) and the first of each other stack shape; in order.
 */
export function sampleAccounts(accounts: readonly FleetStack[]): FleetStack[] {
  if (accounts.length <= 1) return [...accounts];
  const last = accounts.length - 1;
  const picked = new Set([last]);
  const seen = new Set([stackFingerprint(accounts[last].json)]);
  accounts.forEach((s, i) => {
    const f = stackFingerprint(s.json);
    if (!seen.has(f)) {
      seen.add(f);
      picked.add(i);
    }
  });
  return [...picked].sort((a, b) => a - b).map((i) => accounts[i]);
}

export interface StageResult {
  readonly name: string;
  readonly covers: string;
  readonly stacks: number;
  /** The central stack (the one with no dependencies). */
  readonly central: string;
  /** Stacks applied, in order (central first). */
  readonly applied: readonly string[];
  /** Stacks whose re-plan was not "No changes", with what it would change. */
  readonly changed: readonly { readonly stack: string; readonly changes: readonly PlannedChange[] }[];
  /** `bucket per-account 1234 B, key per-trail 2345 B` */
  readonly policies: string;
  readonly seconds: number;
}

function policiesOf(config: FleetConfig): string {
  const parts: string[] = [];
  if (config.central.bucketManagement !== 'none') {
    const b = fleetBucketPolicy(config);
    parts.push(`bucket ${b.encoding} ${b.bytes} B`);
  }
  if (config.central.kmsKey && config.trails.some((t) => t.kmsKey.kind === 'central')) {
    const k = fleetCentralKeyPolicy(config);
    parts.push(`key ${k.encoding} ${k.bytes} B`);
  }
  return parts.join(', ');
}

export interface RunCaseOptions {
  /** This case's work folder (stacks, state, Terraform's CLI config). */
  readonly workDir: string;
  /** Account stacks applied and planned at once (default 2). */
  readonly jobs?: number;
  /** An emulator to use (reset first); default: a fresh one, stopped at the end. */
  readonly emulator?: Emulator;
  readonly log?: (line: string) => void;
}

/** One case on the emulator: synthesize, create the world, apply central then accounts, plan again. */
export async function runCase(c: StageCase, options: RunCaseOptions): Promise<StageResult> {
  const started = Date.now();
  const emulator = options.emulator ?? (await startEmulator());
  try {
    if (options.emulator) await emulator.reset();
    const terraform = new Terraform({ workDir: path.join(options.workDir, 'terraform'), endpoint: emulator.endpoint });
    const stacks = synthFleet(c.config, path.join(options.workDir, 'out'));
    await prepareWorld(c.config, emulator, stacks);
    pointAtEmulator(stacks, emulator.endpoint, options.workDir);
    // The central stack first; then, `jobs` at a time, its re-plan and each account stack's apply followed by its re-plan.
    const central = stacks.filter(isCentral);
    const accounts = stacks.filter((s) => !isCentral(s));
    const chosen = c.sample ? sampleAccounts(accounts) : accounts;
    await applyFleet(central, { emulator, terraform, workDir: options.workDir, log: options.log });
    const tasks: (() => Promise<[string, PlanResult]>)[] = [
      ...central.map((s) => async () => [s.name, await terraform.plan(s.dir)] as [string, PlanResult]),
      ...chosen.map((s) => async () => {
        await applyFleet([s], { emulator, terraform, workDir: options.workDir, log: options.log, selectAccounts: () => [s] });
        return [s.name, await terraform.plan(s.dir)] as [string, PlanResult];
      }),
    ];
    const plans = await inPool(tasks, options.jobs ?? 2, (task) => task());
    const applied = [...central, ...chosen];
    const changed = plans.filter(([, p]) => !p.noChanges).map(([stack, p]) => ({ stack, changes: p.changes }));
    return { name: c.name, covers: c.covers, stacks: stacks.length, central: stacks.find(isCentral)?.name ?? '', applied: applied.map((s) => s.name), changed, policies: policiesOf(c.config), seconds: (Date.now() - started) / 1000 };
  } finally {
    if (!options.emulator) await emulator.stop();
  }
}

/** The coverage table of a stage run. */
export function stageReport(unordered: readonly StageResult[], seconds: number): string {
  // cloudtrail, examples/..., generated/...: the order of stageCases, whatever order they finished in.
  const results = [...unordered].sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(0, ...results.map((r) => r.name.length));
  const lines = ['', 'emulator stage: applied on the emulator (central first, then accounts), then planned again:'];
  for (const r of results) {
    const sampled = r.applied.length < r.stacks ? ` (central + ${r.applied.length - 1} sampled account stacks of ${r.stacks - 1})` : '';
    const status = r.changed.length ? `CHANGES in ${r.changed.map((c) => c.stack).join(', ')}` : 'No changes';
    lines.push(`  ${r.name.padEnd(width)}  ${String(r.applied.length).padStart(2)}/${String(r.stacks).padEnd(4)} stacks${sampled}: ${status}; ${r.seconds.toFixed(0)} s${r.policies ? `  -- ${r.policies}` : ''}`);
  }
  const applied = results.reduce((n, r) => n + r.applied.length, 0);
  const synthesized = results.reduce((n, r) => n + r.stacks, 0);
  lines.push(`  ${results.length} configs, ${applied} of ${synthesized} stacks applied and re-planned, ${results.filter((r) => r.changed.length).length} with changes; ${seconds.toFixed(0)} s`);
  return lines.join('\n');
}

