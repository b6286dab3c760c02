import type { App } from 'cdktf';
import type { FleetConfig } from '../config/model';
import { trailsByAccount } from '../config/model';
import { AccountStack } from './account-stack';
import { CentralStack } from './central-stack';

/**
 * Adds the fleet's stacks to an app: `cloudtrail-central`, then one
 * `cloudtrail-account-<id>` per account, each depending on the central stack
 * so `cdktf deploy '*'` puts the bucket policy in place before any trail
 * (CloudTrail rejects a trail whose bucket policy does not admit it).
 */
export function buildFleet(app: App, config: FleetConfig): { central: CentralStack; accounts: AccountStack[] } {
  const central = new CentralStack(app, config);
  const accounts: AccountStack[] = [];
  for (const [accountId, trails] of trailsByAccount(config)) {
    const stack = new AccountStack(app, config, accountId, trails);
    stack.addDependency(central);
    accounts.push(stack);
  }
  return { central, accounts };
}
