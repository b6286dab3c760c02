/**
 * The guard's rules in one account (docs/guard.md, "Detection"): one
 * EventBridge rule per region where guarded calls happen (detection-rules.ts),
 * each forwarding to the central guard bus with the account's events role.
 * AWS recommends a role whenever the target is an event bus, and a bus that
 * admits accounts of an organization requires one ("accounts in that
 * organization must specify a RoleArn"); the role may only put events on
 * that one bus.
 */
import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { pinAddress } from '../addresses';
import { renderPolicy } from '../policies/document';
import { guardEventsRolePolicy, guardEventsRoleTrustPolicy } from './guard-policies';
import type { DetectionRule } from './detection-rules';
import { GUARD_EVENTS_ROLE, GUARD_EVENTS_ROLE_POLICY, GUARD_NAME } from './scope';

export interface GuardRulesProps {
  /** The central guard bus. */
  readonly busArn: string;
  readonly rules: readonly DetectionRule[];
  /** Provider for a region (undefined = the stack's default provider). */
  readonly providerFor: (region: string) => TerraformProvider | undefined;
}

/** Terraform name of a rule: from its region and name, never a position in a list. */
export function guardRuleTerraformName(rule: Pick<DetectionRule, 'region' | 'name'>): string {
  const suffix = rule.name === GUARD_NAME ? '' : `_${rule.name.slice(GUARD_NAME.length + 1)}`;
  return `guard_${rule.region.replace(/-/g, '_')}${suffix}`;
}

export class GuardRules extends Construct {
  readonly role: IamRole;
  readonly rules: CloudwatchEventRule[] = [];

  constructor(scope: Construct, id: string, props: GuardRulesProps) {
    super(scope, id);
    this.role = pinAddress(
      new IamRole(this, 'role', {
        name: GUARD_EVENTS_ROLE,
        description: 'cloudtrail-fleet guard: lets the guard rules of this account put events on the central guard bus',
        assumeRolePolicy: renderPolicy(guardEventsRoleTrustPolicy()),
      }),
      'guard_events_role',
    );
    const rolePolicy = pinAddress(
      new IamRolePolicy(this, 'role-policy', { name: GUARD_EVENTS_ROLE_POLICY, role: this.role.id, policy: renderPolicy(guardEventsRolePolicy(props.busArn)) }),
      'guard_events_role_policy',
    );
    for (const r of props.rules) {
      const name = guardRuleTerraformName(r);
      const provider = props.providerFor(r.region);
      const rule = pinAddress(
        new CloudwatchEventRule(this, name, {
          provider,
          name: r.name,
          description: `cloudtrail-fleet guard: tampering with the fleet's ${r.watches.map((w) => w.service).join(', ')} resources`,
          eventPattern: JSON.stringify(r.pattern),
        }),
        name,
      );
      pinAddress(
        new CloudwatchEventTarget(this, `${name}-target`, {
          provider,
          rule: rule.name,
          targetId: 'guard-bus',
          arn: props.busArn,
          roleArn: this.role.arn,
          dependsOn: [rolePolicy], // the role may put events before the first one comes
        }),
        `${name}_target`,
      );
      this.rules.push(rule);
    }
  }
}
