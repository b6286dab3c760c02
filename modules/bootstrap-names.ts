/**
 * Names of what the bootstrap stacks hold (docs/bootstrap.md): stack names,
 * Terraform addresses (from account ids and role names, never positions) and
 * the role their provider assumes.
 */
import type { FleetConfig } from '../config/model';
import type { Partition } from '../config/rules';
import { stableHash } from './arns';

export const BOOTSTRAP_STACK_PREFIX = 'cloudtrail-bootstrap-';

export function bootstrapStackName(accountId: string): string {
  return `${BOOTSTRAP_STACK_PREFIX}${accountId}`;
}

/** The inline policy of a deployer role. */
export const DEPLOYER_POLICY_NAME = 'cloudtrail-fleet';

/**
 * The role a bootstrap stack's provider assumes: `bootstrap.adminRoleName`
 * in the account, except in the account the administrator credentials belong
 * to (`bootstrap.adminAccountId`, by default the organization's management
 * account), where they are used directly.
 */
export function adminRoleArn(config: FleetConfig, accountId: string): string | undefined {
  const b = config.bootstrap!;
  if (b.adminAccountId === accountId) return undefined;
  return `arn:${config.partition}:iam::${accountId}:role/${b.adminRoleName}`;
}

/**
 * Terraform name of a role: `role_<name>`. IAM role names may hold `+=,.@`,
 * which Terraform names may not: those become `_`, with a stable hash of the
 * name so that two names cannot meet.
 */
export function roleAddress(roleName: string): string {
  const safe = roleName.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe === roleName ? `role_${roleName}` : `role_${safe}_${stableHash(roleName)}`;
}

/** Name of the n-th managed policy of a role whose permissions exceed the inline quota. */
export function managedPolicyName(roleName: string, n: number): string {
  return `${roleName}-${n}`;
}

export function managedPolicyArn(partition: Partition, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:policy${path}${name}`;
}
