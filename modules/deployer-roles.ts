/**
 * The deployer roles of a fleet (docs/bootstrap.md): which IAM roles plan and
 * apply each stack, in which account, and who may assume them. This is the
 * contract other parts rely on (the guard's SCP exemption, doctor, deploy):
 *
 * - `bootstrap.deployer.principalArn`: the role a stack assumes is
 *   `central.assumeRoleArn` for the central stack, the account's
 *   `assumeRoleArn` for an account stack, and for the guard's
 *   cloudtrail-guard stack (management account) guard.prevention.assumeRoleArn
 *   or else the management account's role (config/model.ts fills in
 *   `arn:<partition>:iam::<account>:role/cloudtrail-fleet/<roleName>` where
 *   the config names none). One role can serve every stack of an account.
 * - `bootstrap.deployer.hcpTerraform`: per workspace (= per stack) two roles
 *   in the stack's account, path /cloudtrail-fleet/, named `<stack>-plan`
 *   and `<stack>-apply`.
 * - no `bootstrap`: the roles the config names (assumeRoleArn), if any.
 */
import type { FleetConfig, TrailConfig } from '../config/model';
import { trailsByAccount } from '../config/model';
import { BOOTSTRAP_DEFAULTS } from '../config/schema';
import { hasGuardStack } from '../config/guard-scope';
import { CENTRAL_STACK, GUARD_STACK, stackNameForAccount } from './arns';

export interface FleetStackRef {
  readonly name: string;
  readonly accountId: string;
  /** `guard`: cloudtrail-guard, the guard's service control policies in the management account (docs/guard.md). */
  readonly kind: 'central' | 'account' | 'guard';
}

/**
 * Every stack of the main app with the account it deploys into, in deploy
 * order: cloudtrail-central, then one stack per account that has trails,
 * active or leaving the fleet (its stack stays until the trails are gone),
 * then cloudtrail-guard when the config has it (it depends on no other).
 */
export function fleetStacks(config: FleetConfig): FleetStackRef[] {
  return [...fleetIndex(config).stacks];
}

/** What the role and policy builders look up per account, computed once per config (they run once per role). */
export interface FleetIndex {
  readonly stacks: readonly FleetStackRef[];
  readonly active: ReadonlyMap<string, readonly TrailConfig[]>;
  readonly leaving: ReadonlyMap<string, readonly TrailConfig[]>;
}

const INDEXES = new WeakMap<FleetConfig, FleetIndex>();

export function fleetIndex(config: FleetConfig): FleetIndex {
  let index = INDEXES.get(config);
  if (!index) {
    const active = trailsByAccount(config);
    const leaving = trailsByAccount({ trails: config.leaving });
    const accounts = [...new Set([...active.keys(), ...leaving.keys()])].sort();
    const stacks: FleetStackRef[] = [
      { name: CENTRAL_STACK, accountId: config.central.accountId, kind: 'central' },
      ...accounts.map((accountId) => ({ name: stackNameForAccount(accountId), accountId, kind: 'account' as const })),
      ...(hasGuardStack(config) ? [{ name: GUARD_STACK, accountId: config.organization!.managementAccountId, kind: 'guard' as const }] : []),
    ];
    index = { stacks, active, leaving };
    INDEXES.set(config, index);
  }
  return index;
}

/** The accounts the fleet deploys into (the central account once, even when it also has trails), sorted. */
export function fleetAccountIds(config: FleetConfig): string[] {
  return [...new Set(fleetStacks(config).map((s) => s.accountId))].sort();
}

export type DeployerRoleKind = 'deployer' | 'plan' | 'apply';

export interface DeployerRoleRef {
  readonly arn: string;
  readonly accountId: string;
  /** Role name and path (`/` or `/cloudtrail-fleet/`), as IAM stores them. */
  readonly name: string;
  readonly path: string;
  /** `deployer`: plans and applies (principalArn); `plan` / `apply`: one run phase of one workspace (HCP Terraform). */
  readonly kind: DeployerRoleKind;
  /** The stacks whose plan or apply runs as this role. */
  readonly stacks: readonly string[];
  /** HCP Terraform: the workspace whose runs use the role. */
  readonly workspace?: string;
}

/** Name and path of an IAM role ARN (`arn:aws:iam::1:role/a/b/name` -> `name`, `/a/b/`). */
export function roleNameAndPath(arn: string): { name: string; path: string } {
  const resource = arn.slice(arn.indexOf(':role/') + ':role/'.length);
  const cut = resource.lastIndexOf('/');
  return cut < 0 ? { name: resource, path: '/' } : { name: resource.slice(cut + 1), path: `/${resource.slice(0, cut + 1)}` };
}

/** The HCP Terraform workspace of a stack: `<workspacePrefix><stack>` (modules/backend.ts). */
export function workspaceOf(config: FleetConfig, stack: string): string {
  return `${config.backend.type === 'cloud' ? (config.backend.workspacePrefix ?? '') : ''}${stack}`;
}

function hcpRoleArn(config: FleetConfig, accountId: string, name: string): string {
  return `arn:${config.partition}:iam::${accountId}:role${BOOTSTRAP_DEFAULTS.rolePath}${name}`;
}

/** The role each stack assumes in principal mode (or without bootstrap): the provider's assume_role, if any. */
function assumedRoleOf(config: FleetConfig, stack: FleetStackRef): string | undefined {
  if (stack.kind === 'central') return config.central.assumeRoleArn;
  if (stack.kind === 'guard') return config.guard?.assumeRoleArn;
  const { active, leaving } = fleetIndex(config);
  return [...(active.get(stack.accountId) ?? []), ...(leaving.get(stack.accountId) ?? [])][0]?.assumeRoleArn;
}

/** Every deployer role of the fleet (or of one account), sorted by account, then ARN. */
export function deployerRoleRefs(config: FleetConfig, accountId?: string): DeployerRoleRef[] {
  const stacks = fleetIndex(config).stacks.filter((s) => accountId === undefined || s.accountId === accountId);
  const out: DeployerRoleRef[] = [];
  if (config.bootstrap?.deployer.kind === 'hcpTerraform') {
    for (const s of stacks) {
      for (const kind of ['plan', 'apply'] as const) {
        const name = `${s.name}-${kind}`;
        out.push({ arn: hcpRoleArn(config, s.accountId, name), accountId: s.accountId, name, path: BOOTSTRAP_DEFAULTS.rolePath, kind, stacks: [s.name], workspace: workspaceOf(config, s.name) });
      }
    }
  } else {
    const byArn = new Map<string, { accountId: string; stacks: string[] }>();
    for (const s of stacks) {
      const arn = assumedRoleOf(config, s);
      if (!arn) continue;
      const entry = byArn.get(arn) ?? { accountId: s.accountId, stacks: [] };
      entry.stacks.push(s.name);
      byArn.set(arn, entry);
    }
    for (const [arn, { accountId: acct, stacks: names }] of byArn) out.push({ arn, accountId: acct, ...roleNameAndPath(arn), kind: 'deployer', stacks: names });
  }
  return out.sort((a, b) => a.accountId.localeCompare(b.accountId) || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}

/**
 * The ARNs of the roles that plan and apply the fleet's stacks in one
 * account (sorted; empty for an account the fleet does not deploy into).
 */
export function deployerRoleArns(config: FleetConfig, accountId: string): string[] {
  return deployerRoleRefs(config, accountId).map((r) => r.arn);
}

/** The account's IAM OIDC provider for the HCP Terraform host (IAM names it by the URL without https://). */
export function oidcProviderArn(config: FleetConfig, accountId: string, hostname: string): string {
  return `arn:${config.partition}:iam::${accountId}:oidc-provider/${hostname}`;
}
