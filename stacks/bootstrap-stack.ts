import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { FleetStack } from './fleet-stack';
import type { FleetConfig } from '../config/model';
import { awsProvider } from '../modules/account-providers';
import { applyBackend } from '../modules/backend';
import { pinAddress } from '../modules/addresses';
import { BootstrapRole, bootstrapRoles } from '../modules/bootstrap-roles';
import { adminRoleArn, bootstrapStackName, managedPolicyArn, managedPolicyName, roleAddress, DEPLOYER_POLICY_NAME } from '../modules/bootstrap-names';
import { renderPolicy } from '../modules/policies/document';

/**
 * `cloudtrail-bootstrap-<account>`: what a deploy needs in one account, applied
 * once with administrator credentials (docs/bootstrap.md): the deployer
 * role(s) with permissions computed from what the config creates in that
 * account, and for HCP Terraform the IAM OIDC provider for the host.
 *
 * Not part of the main app (`cdktf deploy '*'` never sees it): `cloudtrail-fleet
 * bootstrap` synthesizes these stacks into their own folder.
 */
export class BootstrapStack extends FleetStack {
  readonly roles: readonly BootstrapRole[];
  readonly accountId: string;

  constructor(scope: Construct, config: FleetConfig, accountId: string) {
    const name = bootstrapStackName(accountId);
    super(scope, name);
    this.accountId = accountId;
    const bootstrap = config.bootstrap!;
    // State: next to the fleet's own (S3), else a local file (an HCP Terraform workspace would run with no credentials).
    applyBackend(this, name, { ...config, backend: config.backend.type === 's3' ? config.backend : { type: 'local' } });
    // IAM is global; the provider's region only picks the STS endpoint.
    awsProvider(this, 'aws', { accountId, region: config.central.region, assumeRoleArn: adminRoleArn(config, accountId) });

    const d = bootstrap.deployer;
    const oidc =
      d.kind === 'hcpTerraform' && !d.existingOidcProvider.includes(accountId)
        ? pinAddress(
            new IamOpenidConnectProvider(this, 'hcp-terraform-oidc', {
              url: `https://${d.hostname}`,
              clientIdList: [d.audience],
              // Without thumbprints IAM verifies the host's certificate with its library of trusted root CAs.
              thumbprintList: d.oidcThumbprints.length ? [...d.oidcThumbprints] : undefined,
            }),
            'hcp_terraform_oidc_provider',
          )
        : undefined;

    this.roles = bootstrapRoles(config, accountId);
    for (const r of this.roles) {
      const address = roleAddress(r.name);
      const role = pinAddress(
        new IamRole(this, `role-${r.name}`, {
          name: r.name,
          path: r.path,
          description: describeRole(r),
          assumeRolePolicy: renderPolicy(r.trust),
          // IAM refuses a trust policy naming an OIDC provider that does not exist yet.
          dependsOn: oidc ? [oidc] : undefined,
        }),
        address,
      );
      if (r.policies.inline) {
        pinAddress(new IamRolePolicy(this, `role-${r.name}-policy`, { name: DEPLOYER_POLICY_NAME, role: role.name, policy: renderPolicy(r.policies.inline) }), `${address}_policy`);
      }
      r.policies.managed.forEach((doc, i) => {
        const policyName = managedPolicyName(r.name, i + 1);
        const managed = pinAddress(
          new IamPolicy(this, `role-${r.name}-policy-${i + 1}`, {
            name: policyName,
            path: r.path,
            description: `cloudtrail-fleet: permissions of ${r.name}, part ${i + 1} of ${r.policies.managed.length}`,
            policy: renderPolicy(doc),
          }),
          `${address}_policy_${i + 1}`,
        );
        pinAddress(
          new IamRolePolicyAttachment(this, `role-${r.name}-policy-${i + 1}-attachment`, {
            role: role.name,
            policyArn: managedPolicyArn(config.partition, accountId, r.path, policyName),
            dependsOn: [managed],
          }),
          `${address}_policy_${i + 1}_attachment`,
        );
      });
    }
    new TerraformOutput(this, 'role_arns', { value: this.roles.map((r) => r.arn), description: 'the deployer roles of this account' });
    if (oidc) new TerraformOutput(this, 'oidc_provider_arn', { value: oidc.arn });
  }
}

function describeRole(r: BootstrapRole): string {
  const stacks = r.stacks.join(', ');
  if (r.kind === 'deployer') return `cloudtrail-fleet: plans and applies ${stacks}`;
  return `cloudtrail-fleet: ${r.kind === 'plan' ? 'plans (read only)' : 'applies'} ${stacks} in HCP Terraform workspace ${r.workspace}`;
}
