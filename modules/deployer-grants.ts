/**
 * Everything a deployer role may do, per stack (docs/bootstrap.md, "What each
 * role may do"): the fleet's own resources (modules/policies/deployer-policies.ts)
 * and the guard's (modules/guard/deployer-grants.ts), as statements for a
 * run phase.
 */
import type { FleetConfig } from '../config/model';
import { FleetStackRef, fleetIndex } from './deployer-roles';
import { fleetStackGrants, Grant, grantStatements, Phase } from './policies/deployer-policies';
import type { Statement } from './policies/document';
import { guardStackGrants } from './guard/deployer-grants';

/** What one stack of the main app needs, as grants. */
export function stackGrants(config: FleetConfig, stack: FleetStackRef): Grant[] {
  return [...fleetStackGrants(config, stack), ...guardStackGrants(config, stack)];
}

/** The permission statements of the role(s) that run `stacks` in `phase` (a deployer role: phase apply). */
export function deployerStatements(config: FleetConfig, stackNames: readonly string[], phase: Phase): Statement[] {
  const stacks = fleetIndex(config).stacks.filter((s) => stackNames.includes(s.name));
  return grantStatements(stacks.flatMap((s) => stackGrants(config, s)), phase);
}
