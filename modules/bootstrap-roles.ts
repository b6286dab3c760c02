/**
 * The roles a bootstrap stack creates, complete: name, trust policy and
 * permissions packed into IAM's quotas (modules/deployer-roles.ts says which
 * roles; modules/policies/deployer-policies.ts what they may do).
 */
import type { FleetConfig } from '../config/model';
import { DeployerRoleRef, deployerRoleRefs, oidcProviderArn } from './deployer-roles';
import { deployerStatements, PackedPolicies, packPolicies, Phase, policyChars } from './policies/deployer-policies';
import { principalTrustPolicy, workloadTrustPolicy } from './policies/deployer-trust';
import type { PolicyDocument, Statement } from './policies/document';

export interface BootstrapRole extends DeployerRoleRef {
  readonly trust: PolicyDocument;
  readonly trustChars: number;
  /** Its permissions before packing (what the IAM evaluator reads). */
  readonly statements: readonly Statement[];
  readonly policies: PackedPolicies;
}

export function phaseOf(role: Pick<DeployerRoleRef, 'kind'>): Phase {
  return role.kind === 'plan' ? 'plan' : 'apply';
}

function trustOf(config: FleetConfig, r: DeployerRoleRef): PolicyDocument {
  const d = config.bootstrap!.deployer;
  if (d.kind === 'principal') return principalTrustPolicy(d.principalArn);
  return workloadTrustPolicy(
    { providerArn: oidcProviderArn(config, r.accountId, d.hostname), hostname: d.hostname, audience: d.audience, organization: d.organization, project: d.project, workspace: r.workspace! },
    r.kind === 'plan' ? 'plan' : 'apply',
  );
}

/** Every role bootstrap creates (or of one account), sorted by account then ARN. Needs `bootstrap` in the config. */
export function bootstrapRoles(config: FleetConfig, accountId?: string): BootstrapRole[] {
  if (!config.bootstrap) throw new Error('internal error in cloudtrail-fleet: bootstrapRoles needs a config with bootstrap');
  return deployerRoleRefs(config, accountId).map((r) => {
    const trust = trustOf(config, r);
    const statements = deployerStatements(config, r.stacks, phaseOf(r));
    return { ...r, trust, trustChars: policyChars(trust), statements, policies: packPolicies(statements) };
  });
}
