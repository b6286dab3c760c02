/**
 * Generated transitions (issue 15, "generated pairs"): a random valid config
 * (tools/config-arbitraries.ts) and random valid edits of it
 * (tools/config-edits.ts), drawn with a fixed seed, as one chain: each edit's
 * "after" is the next edit's "before", so every pair costs one plan, one
 * apply and one re-plan of the stacks it changes (docs/emulator.md,
 * "Transitions").
 *
 * An edit the loader rejects is drawn again (the arbitrary writes edits as a
 * user would, some invalid); one the gate calls unsafe (a trail dropped
 * without a lifecycle step, a home region changed...) becomes a probe:
 * planned from the deployed state and never applied, Terraform refusing it
 * where the gate says it will (expectedRefusals) and every other changed
 * stack losing exactly what the gate lists. The chain then goes on from the
 * same config.
 */
import fc from 'fast-check';
import { synthStacks } from '../../cli/lib/fleet-synth';
import { analyzeChange } from '../../cli/lib/change-plan';
import { configFromObject } from '../../config/load';
import type { FleetConfig } from '../../config/model';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { configArbitrary } from '../config-arbitraries';
import { configEditArbitrary } from '../config-edits';
import type { RawConfig } from '../fleet-shapes';
import { type Chain, type ChainStep, expectedRefusals, type Probe } from './transitions';

/** The seed of the CI sample (CLOUDTRAIL_EMULATOR_PAIRS_SEED overrides it). */
export const PAIRS_SEED = 20261205;
/** Edits drawn in CI (CLOUDTRAIL_EMULATOR_PAIRS overrides it). */
export const PAIRS_IN_CI = 1;

export interface GeneratedChain {
  readonly chain: Chain;
  /** One line per drawn edit: `<kind>: applied | probe (unsafe) | rejected by the loader: <first error>`. */
  readonly draws: readonly string[];
}

const load = (raw: RawConfig, name: string): FleetConfig | undefined => {
  try {
    return configFromObject(JSON.parse(JSON.stringify(raw)), name, FLEET_CHECKS);
  } catch {
    return undefined;
  }
};

/** Distinct account stacks of a raw config (the central one aside). */
const accountStacks = (raw: RawConfig): number => new Set((raw.accounts as RawConfig[]).map((a) => a.accountId)).size;

/**
 * A chain of `edits` generated transitions from one generated config of the
 * `aws` partition with at most `maxAccounts` account stacks, all drawn from `seed`.
 */
export function generatedChain(seed: number, edits: number, maxAccounts = 1): GeneratedChain {
  const first = fc
    .sample(configArbitrary({ maxAccounts: 4 }), { seed, numRuns: 200 })
    .find((raw) => (raw.partition ?? 'aws') === 'aws' && accountStacks(raw) <= maxAccounts && load(raw, 'generated 0') !== undefined);
  if (!first) throw new Error(`tools/emulator/generated-chains.ts: no loadable config of at most ${maxAccounts} account stack(s) in 200 draws of seed ${seed}`);
  let current: RawConfig = first;
  let currentConfig = load(first, 'generated 0')!;
  const steps: ChainStep[] = [{ name: `generated config (seed ${seed})`, covers: [], config: currentConfig, raw: first }];
  const draws: string[] = [];
  let probes: Probe[] = [];
  for (let i = 1; draws.filter((d) => !d.includes('rejected by the loader')).length < edits && i < edits * 20; i++) {
    const [edit] = fc.sample(configEditArbitrary(current), { seed: seed + i, numRuns: 1 });
    const after = load(edit.raw, `generated ${i}`);
    if (!after) {
      draws.push(`${edit.kind}: rejected by the loader`);
      continue;
    }
    const plan = analyzeChange(synthStacks(currentConfig), synthStacks(after));
    if (plan.unsafe.length) {
      draws.push(`${edit.kind}: probe (the gate calls it unsafe: ${plan.unsafe.map((f) => f.kind).join(', ')})`);
      probes.push({ name: edit.kind, covers: [edit.kind], config: after, planFails: expectedRefusals(plan), planOthers: true });
      continue;
    }
    draws.push(`${edit.kind}: applied`);
    steps.push({ name: edit.kind, covers: [edit.kind], config: after, raw: edit.raw, ...(probes.length ? { probes } : {}) });
    probes = [];
    current = edit.raw;
    currentConfig = after;
  }
  // Probes after the last applied edit: planned from it, before a step that changes nothing (no stack is planned).
  if (probes.length) steps.push({ name: 'the unsafe edits, planned (nothing applied)', covers: [], config: currentConfig, raw: current, probes });
  return { chain: { name: `generated-${seed}`, steps }, draws };
}
