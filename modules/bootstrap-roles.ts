/**
 * The roles a bootstrap stack creates, complete: name, trust policy and
 * permissions packed into IAM's quotas (modules/deployer-roles.ts says which
 * roles; modules/policies/deployer-policies.ts what they may do).
 */
import type { FleetConfig } from '../config/model';
import { DeployerRoleRef, deployerRoleRefs, oidcProviderArn } from './deployer-roles';
import { deployerStatements } from './deployer-grants';
import { INLINE_ROLE_POLICY_LIMIT, MANAGED_POLICY_LIMIT, PackedPolicies, packPolicies, Phase, policyChars, TRUST_POLICY_LIMIT } from './policies/deployer-policies';
import { roleAddress } from './bootstrap-names';
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

/** One policy a bootstrap stack deploys, addressed as in its cdk.tf.json (for `cloudtrail-fleet policies`). */
export interface BootstrapPolicy {
  readonly address: string;
  readonly attribute: 'policy' | 'assume_role_policy';
  readonly title: string;
  readonly document: PolicyDocument;
  readonly limitChars: number;
}

/** Every policy of one bootstrap stack: each role's trust policy, then its permissions (inline, or managed parts). */
export function bootstrapPolicies(config: FleetConfig, accountId: string): BootstrapPolicy[] {
  const out: BootstrapPolicy[] = [];
  for (const r of bootstrapRoles(config, accountId)) {
    const address = roleAddress(r.name);
    out.push({ address: `aws_iam_role.${address}`, attribute: 'assume_role_policy', title: `trust policy of ${r.arn}`, document: r.trust, limitChars: TRUST_POLICY_LIMIT });
    if (r.policies.inline) {
      out.push({ address: `aws_iam_role_policy.${address}_policy`, attribute: 'policy', title: `permissions of ${r.arn} (${r.kind})`, document: r.policies.inline, limitChars: INLINE_ROLE_POLICY_LIMIT });
    }
    r.policies.managed.forEach((doc, i) =>
      out.push({
        address: `aws_iam_policy.${address}_policy_${i + 1}`,
        attribute: 'policy',
        title: `permissions of ${r.arn} (${r.kind}), part ${i + 1} of ${r.policies.managed.length}`,
        document: doc,
        limitChars: MANAGED_POLICY_LIMIT,
      }),
    );
  }
  return out;
}
