/**
 * Terraform's `removed` and `moved` blocks (Terraform >= 1.7), written at the
 * top level of a stack's JSON.
 *
 * - `removed { from = <address>  lifecycle { destroy = false } }`: Terraform
 *   forgets the resource (it stays in AWS, no longer managed). A no-op when
 *   the address is not in the state, so a stack can list every protected
 *   address it could ever have had; Terraform rejects one whose address is
 *   still declared. Forgetting needs the provider configuration the state
 *   names (measured with 1.11.4: "Provider configuration not present"), so
 *   callers keep it.
 * - `moved { from, to }`: the object at `from` is now managed at `to` (a
 *   no-op when `from` is not in the state).
 *
 * Several modules add blocks to one stack; each address is written once, in
 * address order, so the output stays deterministic.
 */
import type { TerraformStack } from 'cdktf';

/** A `removed` block in Terraform JSON syntax: forget the resource, keep it running. */
export interface RemovedBlock {
  readonly from: string;
  readonly lifecycle: { readonly destroy: false };
}

export interface MovedBlock {
  readonly from: string;
  readonly to: string;
}

interface Blocks {
  readonly removed: Map<string, RemovedBlock>;
  readonly moved: Map<string, MovedBlock>;
}

const blocksOfStack = new WeakMap<TerraformStack, Blocks>();

function blocksOf(stack: TerraformStack): Blocks {
  let blocks = blocksOfStack.get(stack);
  if (!blocks) {
    blocks = { removed: new Map(), moved: new Map() };
    blocksOfStack.set(stack, blocks);
  }
  return blocks;
}

const byKey = <T>(map: Map<string, T>) => [...map.keys()].sort().map((k) => map.get(k)!);

/** Terraform forgets these resources instead of destroying them (each a no-op when not in the state). */
export function forget(stack: TerraformStack, addresses: Iterable<string>): void {
  const { removed, moved } = blocksOf(stack);
  for (const from of addresses) {
    if (moved.has(from)) throw new Error(`internal error: ${stack.node.id}: ${from} is both moved and forgotten`);
    removed.set(from, { from, lifecycle: { destroy: false } });
  }
  if (removed.size > 0) stack.addOverride('removed', byKey(removed));
}

/** Terraform manages the object at `from` at `to` from now on (a no-op when `from` is not in the state). */
export function move(stack: TerraformStack, moves: Iterable<MovedBlock>): void {
  const { removed, moved } = blocksOf(stack);
  for (const m of moves) {
    if (removed.has(m.from)) throw new Error(`internal error: ${stack.node.id}: ${m.from} is both moved and forgotten`);
    moved.set(m.from, { from: m.from, to: m.to });
  }
  if (moved.size > 0) stack.addOverride('moved', byKey(moved));
}

/**
 * What Terraform refuses in a stack's blocks: a `removed` address that the
 * stack still declares ("Removed resource block still exists"), or a
 * `moved` target that it does not. Checked on every synthesized stack
 * (stacks/fleet-stack.ts), so a mistake fails the synth, not the plan.
 */
export function blockProblems(tf: { resource?: Record<string, Record<string, unknown>>; removed?: RemovedBlock[]; moved?: MovedBlock[] }): string[] {
  const declared = new Set(Object.entries(tf.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)));
  return [
    ...(tf.removed ?? []).filter((r) => declared.has(r.from)).map((r) => `removed block for ${r.from}, which the stack still declares`),
    ...(tf.moved ?? []).filter((m) => !declared.has(m.to)).map((m) => `moved block to ${m.to}, which the stack does not declare`),
  ];
}
