/**
 * Which stacks a config change touches (`npm run affected`), as pure
 * functions over synthesized stack JSON: no Terraform, no AWS, no git.
 *
 * Two syntheses are compared stack by stack after removing what never
 * reaches Terraform: the `//` keys cdktf writes (construct paths, unique ids,
 * its own version), which Terraform's JSON syntax treats as comments.
 */
import { CENTRAL_STACK, GUARD_STACK } from '../../modules/arns';

export type StackJson = Record<string, unknown>;

/** A copy of a stack's JSON without `//` comment keys, with object keys sorted (key order means nothing to Terraform). */
export function terraformContent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(terraformContent);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === '//') continue;
    out[key] = terraformContent((value as Record<string, unknown>)[key]);
  }
  return out;
}

/** Stable text of what Terraform reads from a stack. */
export function contentKey(stack: StackJson): string {
  return JSON.stringify(terraformContent(stack));
}

/** Does the stack manage (or import) anything? A stack without resources destroys what its state holds on the next deploy. */
export function managesResources(stack: StackJson): boolean {
  const resources = stack.resource as Record<string, Record<string, unknown>> | undefined;
  return Object.values(resources ?? {}).some((byName) => Object.keys(byName).length > 0);
}

/**
 * The order stacks are applied in. Central first: its bucket and key
 * policies must admit a trail before the trail is created. Except for the
 * account stacks that are leaving the fleet (`lifecycle: decommission` or
 * `retain`: their stack manages no resources any more, `leaving` says which):
 * they go before the central stack, so a decommissioned trail is deleted
 * before the central policies stop admitting it and no delivery is refused
 * in between. Then the other stacks by name.
 */
export function deployOrder(names: Iterable<string>, leaving: (name: string) => boolean = () => false): string[] {
  const rank = (n: string) => (n === CENTRAL_STACK ? 1 : leaving(n) ? 0 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** A stack that is leaving the fleet: an account stack that manages nothing any more (see deployOrder). */
export function isLeaving(name: string, json: StackJson | undefined): boolean {
  return ACCOUNT_STACK.test(name) && json !== undefined && !managesResources(json);
}

/** isLeaving over the stacks of one synthesis, for deployOrder. */
export const leavingIn =
  (stacks: ReadonlyMap<string, StackJson>) =>
  (name: string): boolean =>
    isLeaving(name, stacks.get(name));

const ACCOUNT_STACK = /-account-\d{12}$/;

export interface Disappeared {
  readonly stack: string;
  /**
   * True when the base stack still managed resources: removing it from the
   * config leaves them running and unmanaged (no deploy or destroy can reach
   * them any more). False when the base had already emptied it (an account
   * with `lifecycle: decommission` or `retain` that was deployed).
   */
  readonly withoutLifecycle: boolean;
}

export interface StackChanges {
  /** New or changed stacks, in deploy order. */
  readonly affected: readonly string[];
  /** Stacks of the base that the current synthesis no longer has. */
  readonly disappeared: readonly Disappeared[];
}

export function stackChanges(base: ReadonlyMap<string, StackJson>, current: ReadonlyMap<string, StackJson>): StackChanges {
  const changed: string[] = [];
  for (const [name, stack] of current) {
    const before = base.get(name);
    if (!before || contentKey(before) !== contentKey(stack)) changed.push(name);
  }
  const disappeared = deployOrder([...base.keys()].filter((name) => !current.has(name))).map((stack) => ({
    stack,
    withoutLifecycle: managesResources(base.get(stack)!),
  }));
  return { affected: deployOrder(changed, leavingIn(current)), disappeared };
}

/** The stderr lines for stacks that disappeared. */
export function disappearedMessages(disappeared: readonly Disappeared[]): string[] {
  return disappeared.map((d) =>
    d.stack === GUARD_STACK && d.withoutLifecycle
      ? `warning: stack ${GUARD_STACK} is in the base but not in the current config: its service control policies would stay attached, unmanaged ` +
        `(and would keep denying whoever they do not exempt). Set guard.prevention: false and deploy (the stack stays, empty, and removes them), then remove guard.prevention`
      : d.withoutLifecycle
      ? `warning: stack ${d.stack} is in the base but not in the current config, and the base still manages resources in it: ` +
        `they would keep running, unmanaged, and no deploy or destroy could reach them. Put the account back with ` +
        `lifecycle: decommission (destroy its trail) or lifecycle: retain (stop managing it), deploy, then remove it (docs/day-two.md, "Leaving the fleet")`
      : `removed: stack ${d.stack} is in the base but not in the current config (it managed nothing any more; delete its workspace or state when you like)`,
  );
}
