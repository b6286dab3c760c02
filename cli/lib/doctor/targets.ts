/**
 * What doctor checks in each account, from the config alone: the role(s)
 * its stacks assume there (cloudtrail-guard's in the management account too), the regions its trails live in, whether it holds
 * an organization trail, whether it owns the bucket.
 */
import type { FleetConfig } from '../../../config/model';
import { CENTRAL_STACK, GUARD_STACK, stackNameForAccount } from '../../../modules/arns';
import { hasGuardStack } from '../../../config/guard-scope';

/** How one stack reaches the account: a role (assumed from the ambient credentials) or the ambient credentials. */
export interface StackAccess {
  /** undefined = the ambient credentials. */
  readonly roleArn?: string;
  /** Config path of the role (or of where to set one), for messages. */
  readonly rolePath: string;
  readonly stacks: readonly string[];
}

export interface AccountTarget {
  readonly accountId: string;
  /** `accounts[].name` (the first one given), else "central" for the bucket owner. */
  readonly name?: string;
  /** The distinct ways the account's stacks reach it (the central stack may use another role than the account stack). */
  readonly access: readonly StackAccess[];
  /** Trail home regions (and the bucket's region for the central account), sorted. */
  readonly regions: readonly string[];
  /** Holds an organization trail: trusted access and the management account are checked. */
  readonly organizationTrail: boolean;
  /** The bucket owner (central stack). */
  readonly central: boolean;
}

/** One target per account, the central account first, then by account id. */
export function accountTargets(config: FleetConfig): AccountTarget[] {
  interface Entry {
    name?: string;
    access: Map<string, { roleArn?: string; rolePath: string; stacks: Set<string> }>;
    regions: Set<string>;
    org: boolean;
    central: boolean;
  }
  const byAccount = new Map<string, Entry>();
  const entry = (accountId: string): Entry => {
    let e = byAccount.get(accountId);
    if (!e) byAccount.set(accountId, (e = { access: new Map(), regions: new Set(), org: false, central: false }));
    return e;
  };
  const addAccess = (e: Entry, roleArn: string | undefined, rolePath: string, stack: string) => {
    const key = roleArn ?? '';
    const a = e.access.get(key) ?? { roleArn, rolePath, stacks: new Set<string>() };
    a.stacks.add(stack);
    e.access.set(key, a);
  };
  const { central } = config;
  const c = entry(central.accountId);
  c.central = true;
  c.regions.add(central.region);
  addAccess(c, central.assumeRoleArn, 'central.assumeRoleArn', CENTRAL_STACK);
  // Trails leaving the fleet still have their stack deployed (it destroys or releases them): their account needs the same access.
  for (const t of [...config.trails, ...config.leaving]) {
    const e = entry(t.accountId);
    e.name ??= t.name;
    addAccess(e, t.assumeRoleArn, `accounts[${t.index}].assumeRoleArn`, stackNameForAccount(t.accountId));
    if (t.lifecycle === 'active') {
      e.regions.add(t.region);
      if (t.organizationTrail) e.org = true;
    }
  }
  // The guard's cloudtrail-guard stack (docs/guard.md) runs in the management account, with its own role when the config names one.
  if (hasGuardStack(config)) {
    const e = entry(config.organization!.managementAccountId);
    e.regions.add(central.region);
    addAccess(e, config.guard?.assumeRoleArn, 'guard.prevention.assumeRoleArn', GUARD_STACK);
  }
  const targets: AccountTarget[] = [...byAccount.entries()].map(([accountId, e]) => ({
    accountId,
    name: e.name ?? (e.central ? 'central' : undefined),
    access: [...e.access.values()].map((a) => ({ roleArn: a.roleArn, rolePath: a.rolePath, stacks: [...a.stacks].sort((x, y) => (x === CENTRAL_STACK ? -1 : y === CENTRAL_STACK ? 1 : x.localeCompare(y))) })),
    regions: [...e.regions].sort(),
    organizationTrail: e.org,
    central: e.central,
  }));
  return targets.sort((a, b) => (a.central !== b.central ? (a.central ? -1 : 1) : a.accountId.localeCompare(b.accountId)));
}
