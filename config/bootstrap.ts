/**
 * Resolving `bootstrap` (docs/bootstrap.md): its defaults, and the deployer
 * role every stack assumes when a CI principal deploys the fleet. The rules
 * between `bootstrap` and the rest of the config are in bootstrap-rules.ts.
 */
import type { BackendConfig, ConfigFile } from './schema';
import { BOOTSTRAP_DEFAULTS } from './schema';
import type { Partition } from './rules';
import type { BootstrapConfig, CentralConfig, TrailConfig } from './model';

export function resolveBootstrap(file: ConfigFile, backend: BackendConfig): BootstrapConfig | undefined {
  const b = file.bootstrap;
  if (!b) return undefined;
  const adminAccountId = b.adminAccountId ?? file.organization?.managementAccountId;
  const base = { adminRoleName: b.adminRoleName ?? BOOTSTRAP_DEFAULTS.adminRoleName, ...(adminAccountId ? { adminAccountId } : {}) };
  if (b.deployer.principalArn !== undefined) {
    return { ...base, deployer: { kind: 'principal', principalArn: b.deployer.principalArn, roleName: b.deployer.roleName ?? BOOTSTRAP_DEFAULTS.deployerRoleName } };
  }
  const options = typeof b.deployer.hcpTerraform === 'object' ? b.deployer.hcpTerraform : {};
  const cloud = backend.type === 'cloud' ? backend : undefined;
  return {
    ...base,
    deployer: {
      kind: 'hcpTerraform',
      hostname: cloud?.hostname ?? BOOTSTRAP_DEFAULTS.hcpHostname,
      organization: cloud?.organization ?? '',
      project: cloud?.project ?? BOOTSTRAP_DEFAULTS.hcpProject,
      workspacePrefix: cloud?.workspacePrefix ?? '',
      audience: BOOTSTRAP_DEFAULTS.hcpAudience,
      oidcThumbprints: [...(options.oidcThumbprints ?? [])].map((t) => t.toLowerCase()).sort(),
      existingOidcProvider: [...new Set(options.existingOidcProvider ?? [])].sort(),
    },
  };
}

/** The deployer role bootstrap creates in an account where the config names none: `role/cloudtrail-fleet/<roleName>`. */
export function defaultDeployerRoleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role${BOOTSTRAP_DEFAULTS.rolePath}${roleName}`;
}

/**
 * With `bootstrap.deployer.principalArn`, every stack assumes a deployer
 * role. Per account: the role the config names for it (central.assumeRoleArn
 * for the central account, then its entries' assumeRoleArn), else the
 * default role; so one account gets one role unless the config names two.
 * Without a principal (no bootstrap, or HCP Terraform), nothing changes.
 */
export function withDeployerRoles(
  partition: Partition,
  bootstrap: BootstrapConfig | undefined,
  central: CentralConfig,
  trails: readonly TrailConfig[],
): { central: CentralConfig; trails: TrailConfig[] } {
  if (bootstrap?.deployer.kind !== 'principal') return { central, trails: [...trails] };
  const { roleName } = bootstrap.deployer;
  const named = new Map<string, string>();
  if (central.assumeRoleArn) named.set(central.accountId, central.assumeRoleArn);
  for (const t of [...trails].sort((a, b) => a.index - b.index)) if (t.assumeRoleArn && !named.has(t.accountId)) named.set(t.accountId, t.assumeRoleArn);
  const roleOf = (accountId: string) => named.get(accountId) ?? defaultDeployerRoleArn(partition, accountId, roleName);
  return {
    central: central.assumeRoleArn ? central : { ...central, assumeRoleArn: roleOf(central.accountId) },
    // An entry without a role gets its account's role only when no entry of that account names one
    // (otherwise validate.ts reports the mix, as without bootstrap).
    trails: trails.map((t) => (t.assumeRoleArn || trails.some((o) => o.accountId === t.accountId && o.assumeRoleArn) ? t : { ...t, assumeRoleArn: roleOf(t.accountId) })),
  };
}
