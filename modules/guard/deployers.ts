/**
 * Who deploys each account: the roles the guard's service control policy
 * exempts (docs/guard.md, "Who is exempt").
 *
 * The contract of this round (ROUND-PLAN.md, "Deployer role ARNs"): in the
 * `principalArn` flow, the role each stack assumes is `central.assumeRoleArn`
 * for the central account and each account's `assumeRoleArn`; in the
 * `hcpTerraform` flow, per workspace (= per stack) the roles
 * `/cloudtrail-fleet/<stack name>-plan` and `-apply` in the stack's account.
 *
 * TODO(merge): use modules/deployer-roles.ts (`deployerRoleArns` from the
 * bootstrap helper) once it lands; it also knows `bootstrap.deployer.hcpTerraform`.
 * Until then this implements the `principalArn` flow: the roles the config names.
 *
 * TODO(merge): also exempt `arn:<partition>:iam::*:role/<bootstrap.adminRoleName>`
 * (OrganizationAccountAccessRole by default) when `bootstrap` is configured:
 * it applies the bootstrap stacks, which update the deployer roles' policies,
 * and the SCP denies that to everyone else. Safe to exempt: its trust names
 * the management account, and the SCP protects every exempt role from being
 * changed (or, by name, created) by anyone else. Until then users list it in
 * guard.prevention.exemptPrincipals (docs/guard.md, "Who is exempt").
 */
import type { FleetConfig } from '../../config/model';
import { sortedUnique } from '../policies/document';

const cache = new WeakMap<FleetConfig, Map<string, string[]>>();

/** The roles that deploy the stacks of `accountId` (its trails, leaving ones too, and the central stack when it is the central account). */
export function deployerRoleArns(config: FleetConfig, accountId: string): string[] {
  let byAccount = cache.get(config);
  if (!byAccount) {
    byAccount = new Map();
    for (const t of [...config.trails, ...config.leaving]) {
      if (!t.assumeRoleArn) continue;
      const list = byAccount.get(t.accountId) ?? [];
      list.push(t.assumeRoleArn);
      byAccount.set(t.accountId, list);
    }
    cache.set(config, byAccount);
  }
  const roles = [...(byAccount.get(accountId) ?? [])];
  if (accountId === config.central.accountId && config.central.assumeRoleArn) roles.push(config.central.assumeRoleArn);
  return sortedUnique(roles);
}
