/**
 * What a config declares "in so many words" about destroying or replacing a
 * protected resource (issue 15, docs/changing-safely.md): the one notion of
 * "declared" for the change gate (cli/lib/change-plan.ts, on two syntheses)
 * and for the check of Terraform's own plans (modules/change-safety.ts,
 * `undeclaredLosses`).
 *
 * The config declares:
 * - `lifecycle: decommission`: the destroy of that trail and of what was made
 *   for it (topic, queue, log group, delivery role), but not of its created
 *   key and alias, which are forgotten;
 * - `deleteKeys: true` (with decommission): the destroy of the created key and
 *   alias too;
 * - `renamedFrom: <old>`: the replacement of the old trail by the new one,
 *   created first (create_before_destroy);
 * - `lifecycle: retain`: that the trail, forgotten by Terraform, is no longer
 *   admitted by the central policies;
 * - a new KMS alias name (`kmsKey.create.alias`, `central.kmsKey.alias`): the
 *   replacement of the alias. KMS cannot rename an alias, so the new name the
 *   config writes can only be applied by deleting the old alias and creating
 *   the new one; the key and every file it encrypted are untouched.
 *
 * The declarations travel in the synthesis: synth writes them into each
 * account stack as a `//` entry (Terraform's JSON syntax reads `//` as a
 * comment, and `affected` compares stacks without `//` keys, so it changes
 * nothing Terraform plans). So two synth folders are enough to judge a change
 * (the deploy command compares the records of the last deploy with a fresh
 * synthesis), and `declarationsOf(config)` gives the same from a config.
 */
import type { FleetConfig, TrailConfig } from '../config/model';
import { trailsByAccount } from '../config/model';

/** The key under the stack's top-level `//` object. */
export const GATE_DECLARATIONS_KEY = 'cloudtrailFleetDeclarations';

/** What one account stack carries (its `//` entry). */
export interface GateDeclarations {
  /** Trails with `lifecycle: decommission`, and whether their created key may be deleted (`deleteKeys: true`). */
  readonly decommission?: readonly { readonly trailName: string; readonly deleteKeys: boolean }[];
  /** Trails with `lifecycle: retain`. */
  readonly retain?: readonly string[];
  /** `renamedFrom`: the old trail name each new one replaces. */
  readonly renamed?: readonly { readonly from: string; readonly to: string }[];
}

const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The declarations of one account's trails (active and leaving); undefined when there are none. */
export function gateDeclarations(trails: readonly TrailConfig[], leaving: readonly TrailConfig[]): GateDeclarations | undefined {
  const decommission = leaving
    .filter((t) => t.lifecycle === 'decommission')
    .map((t) => ({ trailName: t.trailName, deleteKeys: t.deleteKeys === true }))
    .sort((a, b) => byName(a.trailName, b.trailName));
  const retain = leaving
    .filter((t) => t.lifecycle === 'retain')
    .map((t) => t.trailName)
    .sort(byName);
  const renamed = trails
    .filter((t) => t.renamedFrom !== undefined)
    .map((t) => ({ from: t.renamedFrom!, to: t.trailName }))
    .sort((a, b) => byName(a.to, b.to));
  if (!decommission.length && !retain.length && !renamed.length) return undefined;
  return { ...(decommission.length ? { decommission } : {}), ...(retain.length ? { retain } : {}), ...(renamed.length ? { renamed } : {}) };
}

// ------------------------------------------------------------ the declarations of a fleet

/** What a whole fleet declares, by account and trail name. */
export interface Declarations {
  /** `<account>/<trail name>` of trails with `lifecycle: decommission` -> `deleteKeys`. */
  readonly decommissioned: ReadonlyMap<string, { readonly deleteKeys: boolean }>;
  /** `<account>/<trail name>` of trails with `lifecycle: retain`. */
  readonly retained: ReadonlySet<string>;
  /** `<account>/<old trail name>` -> the new trail name (`renamedFrom`). */
  readonly renamed: ReadonlyMap<string, string>;
}

export const NO_DECLARATIONS: Declarations = { decommissioned: new Map(), retained: new Set(), renamed: new Map() };

const trailKey = (accountId: string, trailName: string) => `${accountId}/${trailName}`;

function declarationsFrom(entries: Iterable<[string, GateDeclarations | undefined]>): Declarations {
  const decommissioned = new Map<string, { deleteKeys: boolean }>();
  const retained = new Set<string>();
  const renamed = new Map<string, string>();
  for (const [accountId, d] of entries) {
    for (const t of d?.decommission ?? []) decommissioned.set(trailKey(accountId, t.trailName), { deleteKeys: t.deleteKeys === true });
    for (const name of d?.retain ?? []) retained.add(trailKey(accountId, name));
    for (const r of d?.renamed ?? []) renamed.set(trailKey(accountId, r.from), r.to);
  }
  return { decommissioned, retained, renamed };
}

/** The declarations of a config: the same that synth writes into its account stacks. */
export function declarationsOf(config: Pick<FleetConfig, 'trails' | 'leaving'>): Declarations {
  const active = trailsByAccount(config);
  const leaving = trailsByAccount({ trails: config.leaving });
  const accounts = [...new Set([...active.keys(), ...leaving.keys()])].sort();
  return declarationsFrom(accounts.map((a) => [a, gateDeclarations(active.get(a) ?? [], leaving.get(a) ?? [])]));
}

const ACCOUNT_STACK = /^cloudtrail-account-(\d{12})$/;

/**
 * The declarations a synthesis carries (stack name -> cdk.tf.json): the `//`
 * entry of each account stack. A synthesis of an earlier release has none,
 * and then declares nothing.
 */
export function declarationsFromStacks(stacks: ReadonlyMap<string, Record<string, any>>): Declarations {
  const entries: [string, GateDeclarations | undefined][] = [];
  for (const [name, stack] of stacks) {
    const account = ACCOUNT_STACK.exec(name)?.[1];
    const d = (stack['//'] as Record<string, any> | undefined)?.[GATE_DECLARATIONS_KEY] as GateDeclarations | undefined;
    if (account && d) entries.push([account, d]);
  }
  return declarationsFrom(entries);
}

// ------------------------------------------------------------ what they declare about a resource

const KEY_TYPES = new Set(['aws_kms_key', 'aws_kms_alias']);

/**
 * Does the config declare the destroy of this resource of an account stack,
 * a resource of the trail `trailName` (its name in the state)? The trail
 * itself: decommission, or a rename away from it; its created key and alias:
 * decommission with deleteKeys; what else was made for it: decommission.
 */
export function declaresDestroy(d: Declarations, accountId: string, trailName: string, type: string): boolean {
  const key = trailKey(accountId, trailName);
  const decommission = d.decommissioned.get(key);
  if (type === 'aws_cloudtrail') return !!decommission || d.renamed.has(key);
  if (KEY_TYPES.has(type)) return decommission?.deleteKeys === true;
  return !!decommission;
}

/**
 * Does the config declare the replacement of trail `oldName` by `newName`
 * (`renamedFrom`)? Only when the new trail is created before the old one is
 * deleted: anything else leaves a gap in logging.
 */
export function declaresRename(d: Declarations, accountId: string, oldName: string, newName: string | undefined, createdFirst: boolean): boolean {
  return createdFirst && newName !== undefined && d.renamed.get(trailKey(accountId, oldName)) === newName;
}

/** Is this trail `lifecycle: retain` (forgotten by Terraform, and no longer admitted, as the config says)? */
export function declaresRetain(d: Declarations, accountId: string, trailName: string): boolean {
  return d.retained.has(trailKey(accountId, trailName));
}

/**
 * Is an alias replaced because the config writes a new name for it? Both
 * names must be known and differ: the config's new name is the declaration
 * (docs/changing-safely.md, "Renaming a KMS alias").
 */
export function declaresAliasRename(oldName: string | undefined, newName: string | undefined): boolean {
  return oldName !== undefined && newName !== undefined && oldName !== newName;
}
