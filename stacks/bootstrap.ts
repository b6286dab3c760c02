import type { App } from 'cdktf';
import type { FleetConfig } from '../config/model';
import { fleetAccountIds } from '../modules/deployer-roles';
import { BootstrapStack } from './bootstrap-stack';

/**
 * Adds one bootstrap stack per account the fleet deploys into (the central
 * account once, even when it also has trails) to an app of its own: these
 * stacks are applied once with administrator credentials, before the fleet
 * (docs/bootstrap.md), and no stack of the main app depends on them.
 */
export function buildBootstrap(app: App, config: FleetConfig): BootstrapStack[] {
  if (!config.bootstrap) throw new Error('internal error in cloudtrail-fleet: buildBootstrap needs a config with bootstrap');
  return fleetAccountIds(config).map((accountId) => new BootstrapStack(app, config, accountId));
}
