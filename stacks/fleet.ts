import type { App } from 'cdktf';
import type { FleetConfig } from '../config/model';
import { trailsByAccount } from '../config/model';
import { AccountStack } from './account-stack';
import { CentralStack } from './central-stack';
import { GuardStack } from './guard-stack';
import { fleetServiceControlPolicies } from '../modules/guard/guard-policies';
import { hasGuardStack } from '../modules/guard/scope';

/**
 * Adds the fleet's stacks to an app: `cloudtrail-central`, then one
 * `cloudtrail-account-<id>` per account, each depending on the central stack
 * so `cdktf deploy '*'` puts the bucket policy in place before any trail
 * (CloudTrail rejects a trail whose bucket policy does not admit it); and
 * with guard.prevention, `cloudtrail-guard` in the management account.
 */
export function buildFleet(app: App, config: FleetConfig): { central: CentralStack; accounts: AccountStack[]; guard?: GuardStack } {
  const central = new CentralStack(app, config);
  const accounts: AccountStack[] = [];
  // Accounts with trails leaving the fleet keep their stack until the deploy that empties it.
  const active = trailsByAccount(config);
  const leaving = trailsByAccount({ trails: config.leaving });
  const accountIds = [...new Set([...active.keys(), ...leaving.keys()])].sort();
  for (const accountId of accountIds) {
    const stack = new AccountStack(app, config, accountId, active.get(accountId) ?? [], leaving.get(accountId) ?? []);
    stack.addDependency(central);
    accounts.push(stack);
  }
  // guard.prevention: the service control policies, in the management account (docs/guard.md).
  // Nothing else waits for them: the deployer roles are exempt, so the order of applies does not matter.
  const guard = hasGuardStack(config) ? new GuardStack(app, config, fleetServiceControlPolicies(config)) : undefined;
  return { central, accounts, guard };
}
