import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsPolicyAttachment } from '@cdktf/provider-aws/lib/organizations-policy-attachment';
import { FleetStack } from './fleet-stack';
import type { FleetConfig } from '../config/model';
import { GUARD_STACK } from '../modules/arns';
import { awsProvider } from '../modules/account-providers';
import { applyBackend } from '../modules/backend';
import { pinAddress } from '../modules/addresses';
import { renderPolicy } from '../modules/policies/document';
import type { GuardScpResult } from '../modules/guard/guard-policies';
import { GUARD_NAME, GUARD_TAG } from '../modules/guard/scope';

/**
 * `cloudtrail-guard`: the guard's service control policies and their
 * attachments, in the management account (the only one that manages
 * AWS Organizations policies). docs/guard.md, "Prevention".
 */
export class GuardStack extends FleetStack {
  constructor(scope: Construct, config: FleetConfig, scps: GuardScpResult) {
    super(scope, GUARD_STACK);
    // guard.prevention: false leaves this stack empty: its next deploy removes the policies an earlier one attached.
    const prevention = config.guard?.prevention;
    applyBackend(this, GUARD_STACK, config);
    awsProvider(this, 'aws', {
      accountId: config.organization!.managementAccountId,
      region: config.central.region,
      // guard.prevention.assumeRoleArn, or with a CI principal the management account's deployer role (config/model.ts).
      assumeRoleArn: config.guard?.assumeRoleArn,
      tags: config.central.tags,
    });
    const n = scps.policies.length;
    const policies = scps.policies.map((p, i) =>
      pinAddress(
        new OrganizationsPolicy(this, `scp-${i + 1}`, {
          name: `${GUARD_NAME}-${i + 1}`,
          description: `cloudtrail-fleet guard ${i + 1} of ${n} (${scps.encoding}): denies stopping, changing or deleting the fleet's trails, keys, topics, log groups and roles to all but the deployer roles`,
          type: 'SERVICE_CONTROL_POLICY',
          content: renderPolicy(p.document),
          // The deployer roles may change only the policies carrying this tag (docs/bootstrap.md): a policy's id is unknown before it exists.
          tags: { [GUARD_TAG.key]: GUARD_TAG.value },
        }),
        `guard_scp_${i + 1}`,
      ),
    );
    // Each policy on each target; names from the policy number and the target id (never a list position of the config).
    policies.forEach((policy, i) => {
      for (const target of prevention!.attachTo) {
        pinAddress(new OrganizationsPolicyAttachment(this, `scp-${i + 1}-${target}`, { policyId: policy.id, targetId: target }), `guard_scp_${i + 1}_${target}`);
      }
    });
    new TerraformOutput(this, 'service_control_policy_ids', { value: policies.map((p) => p.id) });
    new TerraformOutput(this, 'service_control_policy_characters', {
      value: scps.policies.map((p) => p.characters),
      description: `characters of each service control policy (AWS limit 5120), encoding ${scps.encoding}`,
    });
  }
}
