/**
 * Trust policies of the deployer roles (docs/bootstrap.md): each role is
 * trusted by exactly one principal the config names.
 */
import { policy, PolicyDocument } from './document';

/**
 * A CI role or user (`bootstrap.deployer.principalArn`) may assume the role:
 * `sts:AssumeRole` only. No `sts:TagSession`: the stacks' provider passes no
 * session tags (modules/account-providers.ts), and a role that admits tagged
 * sessions lets the caller set tags that tag-based policies would trust.
 */
export function principalTrustPolicy(principalArn: string): PolicyDocument {
  return policy([
    {
      Sid: 'TrustTheFleetDeployer',
      Effect: 'Allow',
      Principal: { AWS: principalArn },
      Action: 'sts:AssumeRole',
    },
  ]);
}

export type RunPhase = 'plan' | 'apply';

export interface WorkloadIdentity {
  /** ARN of the account's IAM OIDC provider for the host: `arn:<partition>:iam::<account>:oidc-provider/<host>`. */
  readonly providerArn: string;
  /** The HCP Terraform / Terraform Enterprise host, as in the token's `iss` without `https://`. */
  readonly hostname: string;
  readonly audience: string;
  readonly organization: string;
  readonly project: string;
  readonly workspace: string;
}

/** The `sub` claim of HCP Terraform's workload identity token for one workspace and run phase. */
export function workloadSubject(w: Pick<WorkloadIdentity, 'organization' | 'project' | 'workspace'>, phase: RunPhase): string {
  return `organization:${w.organization}:project:${w.project}:workspace:${w.workspace}:run_phase:${phase}`;
}

/**
 * HCP Terraform dynamic credentials for one workspace and one run phase:
 * `sts:AssumeRoleWithWebIdentity` through the account's OIDC provider for
 * the host, with the audience and the exact subject (`StringEquals`, no
 * wildcard): another organization, project, workspace or run phase is
 * refused (HCP Terraform docs, "Configure a Role and Trust Policy").
 */
export function workloadTrustPolicy(w: WorkloadIdentity, phase: RunPhase): PolicyDocument {
  return policy([
    {
      Sid: phase === 'plan' ? 'TrustTheWorkspacePlanPhase' : 'TrustTheWorkspaceApplyPhase',
      Effect: 'Allow',
      Principal: { Federated: w.providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${w.hostname}:aud`]: w.audience,
          [`${w.hostname}:sub`]: workloadSubject(w, phase),
        },
      },
    },
  ]);
}
