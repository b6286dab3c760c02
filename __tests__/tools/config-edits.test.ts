/**
 * The generators of the emulator's transitions (no emulator here): random
 * config edits (tools/config-edits.ts), the generated chain
 * (tools/emulator/generated-chains.ts) and the hand-written chains
 * (tools/emulator/transition-chains.ts) load with every rule, and the CI
 * chain covers every kind of edit issue 15 lists.
 */
import fc from 'fast-check';
import { analyzeChange } from '../../cli/lib/change-plan';
import { synthStacks } from '../../cli/lib/fleet-synth';
import { configArbitrary } from '../../tools/config-arbitraries';
import { configEditArbitrary, transitionPairArbitrary } from '../../tools/config-edits';
import { generatedChain, PAIRS_IN_CI, PAIRS_SEED } from '../../tools/emulator/generated-chains';
import { centralChain, ciChain, ISSUE_KINDS, trailsChain } from '../../tools/emulator/transition-chains';

describe('config edits', () => {
  test('an edit never changes the config it is drawn from, and changes the copy it returns', () => {
    const configs = fc.sample(configArbitrary({ maxAccounts: 4 }), { seed: 7, numRuns: 20 });
    for (const raw of configs) {
      const before = JSON.stringify(raw);
      for (const edit of fc.sample(configEditArbitrary(raw), { seed: 11, numRuns: 10 })) {
        expect(JSON.stringify(raw)).toBe(before);
        expect(JSON.stringify(edit.raw)).not.toBe(before);
        expect(edit.kind).toMatch(/\S/);
      }
    }
  });

  test('pairs are of the aws partition with at most 2 account stacks', () => {
    for (const pair of fc.sample(transitionPairArbitrary(), { seed: 3, numRuns: 10 })) {
      expect(pair.before.partition ?? 'aws').toBe('aws');
      expect(new Set(pair.before.accounts.map((a: { accountId: string }) => a.accountId)).size).toBeLessThanOrEqual(2);
    }
  });
});

describe('the generated chain of the emulator stage', () => {
  test('the same seed draws the same chain; safe edits are steps, unsafe ones probes the gate refuses', () => {
    const a = generatedChain(PAIRS_SEED, PAIRS_IN_CI);
    const b = generatedChain(PAIRS_SEED, PAIRS_IN_CI);
    expect(a.draws).toEqual(b.draws);
    expect(a.chain.steps.map((s) => s.raw)).toEqual(b.chain.steps.map((s) => s.raw));
    expect(a.draws.filter((d) => !d.includes('rejected by the loader'))).toHaveLength(PAIRS_IN_CI);
    for (const [i, step] of a.chain.steps.entries()) {
      if (i === 0) continue;
      const before = synthStacks(a.chain.steps[i - 1].config);
      if (step.covers.length) expect(analyzeChange(before, synthStacks(step.config)).unsafe).toEqual([]);
      for (const p of step.probes ?? []) expect(analyzeChange(before, synthStacks(p.config)).unsafe.length).toBeGreaterThan(0);
    }
  });

  test('more draws from another seed give probes too (an unsafe edit is planned, never applied)', () => {
    const g = generatedChain(42, 8, 2);
    expect(g.draws.filter((d) => !d.includes('rejected by the loader'))).toHaveLength(8);
    const probes = g.chain.steps.flatMap((s) => s.probes ?? []);
    expect(probes.length).toBe(g.draws.filter((d) => d.includes(': probe')).length);
  });
});

describe('the hand-written chains', () => {
  test('every step and probe loads; the CI chain covers every kind of edit issue 15 lists', () => {
    const ci = ciChain();
    const covered = new Set(ci.steps.flatMap((s) => [...s.covers, ...(s.probes ?? []).flatMap((p) => p.covers)]));
    expect(ISSUE_KINDS.filter((k) => !covered.has(k))).toEqual([]);
    for (const chain of [ci, trailsChain(), centralChain()]) for (const s of chain.steps) expect(s.raw).toBeDefined();
  });

  test('each CI step is safe for the gate, each CI probe unsafe', () => {
    const ci = ciChain();
    for (const [i, step] of ci.steps.entries()) {
      if (i === 0) continue;
      const before = synthStacks(ci.steps[i - 1].config);
      expect({ step: step.name, unsafe: analyzeChange(before, synthStacks(step.config)).unsafe }).toEqual({ step: step.name, unsafe: [] });
      for (const p of step.probes ?? []) expect(analyzeChange(before, synthStacks(p.config)).unsafe.length).toBeGreaterThan(0);
    }
  });
});
