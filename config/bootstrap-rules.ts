/**
 * Rules between `bootstrap` and the rest of the config (docs/bootstrap.md).
 * Field rules are in schema.ts; resolution and defaults in model.ts; the
 * IAM quotas of the roles (which need the policy builders) are a fleet check
 * (modules/fleet-checks.ts, deployerRoleSizes).
 */
import type { FleetConfig } from './model';
import { BOOTSTRAP_DEFAULTS } from './schema';
import { parseArn } from './rules';
import { hasGuardStack } from './guard-scope';

/** A problem at a config path (validate.ts's ConfigIssue, which it reports with the others). */
export interface BootstrapIssue {
  readonly path: string;
  readonly message: string;
}

/** Rules that need no policy built; reported with the config's other rules. */
export function bootstrapIssues(config: FleetConfig): BootstrapIssue[] {
  const b = config.bootstrap;
  if (!b) return [];
  const issues: BootstrapIssue[] = [];
  const push = (path: string, message: string) => issues.push({ path, message });
  const entries = [...config.trails, ...config.leaving].sort((x, y) => x.index - y.index);

  if (b.deployer.kind === 'principal') {
    const { principalArn } = b.deployer;
    const arn = parseArn(principalArn)!;
    if (arn.partition !== config.partition) {
      push(
        'bootstrap.deployer.principalArn',
        `"${principalArn}" is in partition ${arn.partition}, but partition is ${config.partition}; roles of partition ${config.partition} can only trust a principal of the same partition (write arn:${config.partition}:...)`,
      );
    }
    const named: [string, string | undefined][] = [
      ['central.assumeRoleArn', config.central.assumeRoleArn],
      ...entries.map((t): [string, string | undefined] => [`accounts[${t.index}].assumeRoleArn`, t.assumeRoleArn]),
      // The cloudtrail-guard stack's role in the management account (config/model.ts fills in the default).
      ['guard.prevention.assumeRoleArn', config.guard?.assumeRoleArn],
    ];
    // IAM role names are unique per account whatever the path: two roles of one account need two names.
    const seen = new Map<string, string>();
    for (const [path, role] of named) {
      const arnOf = role && parseArn(role);
      if (!arnOf) continue;
      const key = `${arnOf.account}|${arnOf.resource.split('/').pop()!.toLowerCase()}`;
      const other = seen.get(key);
      if (other && other !== role) {
        push(path, `"${role}" and "${other}" are two roles of account ${arnOf.account} with the same name; IAM role names are unique in an account whatever the path, so bootstrap could create only one: give them different names, or name the same role`);
      }
      seen.set(key, role);
    }
    for (const [path, role] of named) {
      if (role === principalArn) {
        push(
          path,
          `"${role}" is bootstrap.deployer.principalArn itself; a stack assumes a deployer role that bootstrap creates and the principal may assume: name another role, or leave assumeRoleArn out to get ${BOOTSTRAP_DEFAULTS.rolePath.slice(1)}${b.deployer.roleName}`,
        );
      }
    }
    return issues;
  }

  // HCP Terraform dynamic credentials.
  const d = b.deployer;
  if (config.backend.type !== 'cloud') {
    push(
      'bootstrap.deployer.hcpTerraform',
      `HCP Terraform dynamic credentials are given to workspaces of the cloud backend, but backend.type is ${config.backend.type}; set backend: { type: cloud, organization: <your organization> } (workspace = workspacePrefix + stack name), or use bootstrap.deployer.principalArn for a CI role or user`,
    );
  } else if (/:\d+$/.test(d.hostname)) {
    push(
      'backend.hostname',
      `"${d.hostname}" has a port, but an IAM OIDC provider URL cannot (IAM CreateOpenIDConnectProvider), so no role can trust tokens issued for it; serve Terraform Enterprise on port 443 or use bootstrap.deployer.principalArn`,
    );
  }
  const role = (stack: string) => `arn:${config.partition}:iam::<account>:role${BOOTSTRAP_DEFAULTS.rolePath}${stack}-apply`;
  if (config.central.assumeRoleArn) {
    push(
      'central.assumeRoleArn',
      `with bootstrap.deployer.hcpTerraform each workspace's dynamic credentials already are its stack's apply role (${role('cloudtrail-central')}); a provider assume_role would replace them (HCP Terraform docs: no other credentials settings in the provider): remove central.assumeRoleArn`,
    );
  }
  for (const t of entries) {
    if (!t.assumeRoleArn) continue;
    push(
      `accounts[${t.index}].assumeRoleArn`,
      `with bootstrap.deployer.hcpTerraform each workspace's dynamic credentials already are its stack's apply role (${role(`cloudtrail-account-${t.accountId}`)}); a provider assume_role would replace them (HCP Terraform docs: no other credentials settings in the provider): remove assumeRoleArn`,
    );
  }
  if (config.guard?.prevention?.assumeRoleArn) {
    push(
      'guard.prevention.assumeRoleArn',
      `with bootstrap.deployer.hcpTerraform the cloudtrail-guard workspace's dynamic credentials already are its apply role (${role('cloudtrail-guard').replace('<account>', config.organization?.managementAccountId ?? '<management account>')}); a provider assume_role would replace them (HCP Terraform docs: no other credentials settings in the provider): remove guard.prevention.assumeRoleArn`,
    );
  }
  // The accounts the fleet deploys into: the central account, every account with trails (active or leaving), the management account for cloudtrail-guard.
  const fleet = new Set([config.central.accountId, ...entries.map((t) => t.accountId), ...(hasGuardStack(config) ? [config.organization!.managementAccountId] : [])]);
  d.existingOidcProvider.forEach((accountId) => {
    if (!fleet.has(accountId)) {
      push(
        'bootstrap.deployer.hcpTerraform.existingOidcProvider',
        `account ${accountId} is not one the fleet deploys into (the central account, an account with trails, or the management account of the guard's cloudtrail-guard stack), so it gets no bootstrap stack; remove it from existingOidcProvider`,
      );
    }
  });
  return issues;
}
