/**
 * What the config declares about trails that leave or change name, written
 * into each account stack for the change gate (cli/lib/change-plan.ts), so a
 * gate given only two syntheses (the deploy command, two synth folders) knows
 * which destroys the config asked for: `lifecycle: decommission` (with
 * `deleteKeys`), `lifecycle: retain`, `renamedFrom`.
 *
 * It is a `//` entry of the stack's JSON: Terraform's JSON syntax reads `//`
 * as a comment (cdktf keeps its own metadata there), and `affected` compares
 * stacks without `//` keys, so it changes nothing Terraform plans.
 */
import type { TrailConfig } from '../config/model';

/** The key under the stack's top-level `//` object. */
export const GATE_DECLARATIONS_KEY = 'cloudtrailFleetDeclarations';

export interface GateDeclarations {
  /** Trails with `lifecycle: decommission`, and whether their created key may be deleted (`deleteKeys: true`). */
  readonly decommission?: readonly { readonly trailName: string; readonly deleteKeys: boolean }[];
  /** Trails with `lifecycle: retain`. */
  readonly retain?: readonly string[];
  /** `renamedFrom`: the old trail name each new one replaces. */
  readonly renamed?: readonly { readonly from: string; readonly to: string }[];
}

/**
 * The declarations of one account's trails; undefined when there are none.
 * `deleteKeys` and `renamedFrom` are the change-safety keys (issue 15), read
 * defensively so this works with and without them in the model.
 * TODO(merge): read them as typed fields once they are in config/model.ts.
 */
export function gateDeclarations(trails: readonly TrailConfig[], leaving: readonly TrailConfig[]): GateDeclarations | undefined {
  type WithSafetyKeys = { readonly deleteKeys?: boolean; readonly renamedFrom?: string };
  const byName = (a: { trailName: string } | string, b: { trailName: string } | string) => {
    const x = typeof a === 'string' ? a : a.trailName;
    const y = typeof b === 'string' ? b : b.trailName;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const decommission = leaving
    .filter((t) => t.lifecycle === 'decommission')
    .map((t) => ({ trailName: t.trailName, deleteKeys: (t as WithSafetyKeys).deleteKeys === true }))
    .sort(byName);
  const retain = leaving
    .filter((t) => t.lifecycle === 'retain')
    .map((t) => t.trailName)
    .sort(byName);
  const renamed = trails
    .filter((t) => (t as WithSafetyKeys).renamedFrom)
    .map((t) => ({ from: (t as WithSafetyKeys).renamedFrom!, to: t.trailName }))
    .sort((a, b) => byName(a.to, b.to));
  if (!decommission.length && !retain.length && !renamed.length) return undefined;
  return { ...(decommission.length ? { decommission } : {}), ...(retain.length ? { retain } : {}), ...(renamed.length ? { renamed } : {}) };
}
