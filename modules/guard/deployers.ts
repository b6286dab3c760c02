/**
 * Who the guard's service control policy exempts in each account
 * (docs/guard.md, "Who is exempt"): the roles that deploy the fleet, as the
 * bootstrap contract names them, and the role bootstrap itself applies with.
 *
 * - The deployer roles: `deployerRoleArns(config, accountId)` of
 *   modules/deployer-roles.ts, the one list bootstrap creates roles from:
 *   with a CI principal, the role each stack assumes (central.assumeRoleArn,
 *   each account's assumeRoleArn, or bootstrap's default
 *   `role/cloudtrail-fleet/<roleName>` where the config names none); with
 *   HCP Terraform, each workspace's `role/cloudtrail-fleet/<stack>-plan` and
 *   `-apply` (the plan role only reads, so exempting it gives nothing away);
 *   without bootstrap, the roles the config names.
 * - The bootstrap administrator role, `role/<bootstrap.adminRoleName>`
 *   (OrganizationAccountAccessRole by default), in every guarded account when
 *   `bootstrap` is configured: a later apply of the bootstrap stacks updates
 *   the deployer roles' trust and permissions (iam:PutRolePolicy,
 *   UpdateAssumeRolePolicy, ...), which the policy denies to everyone it does
 *   not exempt. Safe to exempt: its trust names the management account, and
 *   like every exempt role the policy protects it from being changed (and,
 *   by name, created) by anyone else in the member account.
 */
import type { FleetConfig } from '../../config/model';
import { deployerRoleArns } from '../deployer-roles';

export { deployerRoleArns };

/** The role the bootstrap stacks assume in `accountId` (undefined without `bootstrap`). */
export function bootstrapAdminRoleArn(config: FleetConfig, accountId: string): string | undefined {
  return config.bootstrap ? `arn:${config.partition}:iam::${accountId}:role/${config.bootstrap.adminRoleName}` : undefined;
}
