/**
 * Which stacks a deploy applies, and why each other one is left alone.
 *
 *   default   the stacks whose content differs from their record of the
 *             last successful deploy (or that have none): new and changed
 *             stacks. A rerun after a failure therefore applies exactly the
 *             stacks that did not get applied at this synthesis.
 *   --base    the stacks `affected --base` lists (changed against a git ref
 *             or a folder of a previous synthesis), less those already
 *             applied at this content (their record matches).
 *   --all     every stack, whatever the records say (e.g. to repair drift).
 *
 * The change-safety gate compares what is deployed (the records, or the
 * base) with the synthesis.
 */
import { stackChanges, StackJson } from '../stack-diff';
import type { DeployRecord } from './records';
import type { SynthesizedStack } from './synth';

export type SelectMode = { readonly kind: 'records' } | { readonly kind: 'base'; readonly label: string; readonly stacks: ReadonlyMap<string, StackJson> } | { readonly kind: 'all' };

export interface Skipped {
  readonly stack: string;
  readonly reason: string;
}

export interface Selection {
  /** In deploy order (central first). */
  readonly apply: readonly SynthesizedStack[];
  readonly skipped: readonly Skipped[];
  /** What the change-safety gate compares with: stack -> Terraform content deployed (as far as known). */
  readonly gateBase: ReadonlyMap<string, StackJson>;
  /** Stacks recorded as deployed that are no longer synthesized. */
  readonly gone: readonly string[];
}

const when = (r: DeployRecord) => r.appliedAt.replace(/\.\d{3}Z$/, 'Z');

export function selectStacks(stacks: readonly SynthesizedStack[], records: ReadonlyMap<string, DeployRecord>, mode: SelectMode): Selection {
  const recordedBase = new Map([...records.values()].map((r) => [r.stack, r.terraform] as [string, StackJson]));
  const names = new Set(stacks.map((s) => s.name));
  const gone = [...records.keys()].filter((n) => !names.has(n)).sort();
  const apply: SynthesizedStack[] = [];
  const skipped: Skipped[] = [];
  switch (mode.kind) {
    case 'all':
      return { apply: [...stacks], skipped, gateBase: recordedBase, gone };
    case 'records':
      for (const s of stacks) {
        const r = records.get(s.name);
        if (r && r.content === s.content) skipped.push({ stack: s.name, reason: `unchanged since its last deploy (${when(r)})` });
        else apply.push(s);
      }
      return { apply, skipped, gateBase: recordedBase, gone };
    case 'base': {
      const affected = new Set(stackChanges(mode.stacks, new Map(stacks.map((s) => [s.name, s.json]))).affected);
      for (const s of stacks) {
        const r = records.get(s.name);
        if (!affected.has(s.name)) skipped.push({ stack: s.name, reason: `unchanged against ${mode.label}` });
        else if (r && r.content === s.content) skipped.push({ stack: s.name, reason: `already applied at this content (${when(r)})` });
        else apply.push(s);
      }
      return { apply, skipped, gateBase: mode.stacks, gone };
    }
  }
}
