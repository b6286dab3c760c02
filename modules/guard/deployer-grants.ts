/**
 * What the deployer roles need for the guard's resources (docs/guard.md,
 * docs/bootstrap.md "What each role may do"): the rules of each account, the
 * central bus, topic and forwarding rule, and the cloudtrail-guard stack's
 * service control policies, on the guard's names only. The provider calls
 * behind each action list are cited in modules/policies/deployer-policies.ts;
 * modules/deployer-grants.ts puts these beside the fleet's own grants.
 */
import type { FleetConfig } from '../../config/model';
import * as arns from '../arns';
import type { FleetStackRef } from '../deployer-roles';
import {
  EVENTS_BUS_READ,
  EVENTS_BUS_WRITE,
  EVENTS_RULE_READ,
  EVENTS_RULE_WRITE,
  Grant,
  GUARD_TOPIC_READ,
  GUARD_TOPIC_WRITE,
  IAM_ROLE_READ,
  IAM_ROLE_WRITE,
  SCP_READ,
  SCP_WRITE,
} from '../policies/deployer-policies';
import { detectionRules } from './detection-rules';
import { activeTrailsOf, GUARD_EVENTS_ROLE, GUARD_NAME, GUARD_TAG, GUARD_TOPIC_RULE, guardBusArn, guardTopicArn } from './scope';

/** The principal EventBridge passes a target's role to (iam:PassedToService). */
const EVENTS_PRINCIPAL = 'events.amazonaws.com';

/** What one stack needs for the guard's resources in it. */
export function guardStackGrants(config: FleetConfig, stack: FleetStackRef): Grant[] {
  if (stack.kind === 'central') return guardHubGrants(config);
  if (stack.kind === 'guard') return guardPolicyGrants(config);
  // An account stack: its rules while it has active trails; removing them once its trails are all leaving the fleet.
  const leaving = config.leaving.some((t) => t.accountId === stack.accountId && t.lifecycle === 'decommission');
  const active = activeTrailsOf(config, stack.accountId).length > 0;
  return active || leaving ? guardRuleGrants(config, stack.accountId, active) : [];
}

/**
 * The guard's central receiver (modules/guard/guard-hub.ts): the bus and its
 * policy, and with `deliverTo: snsTopic` the topic, its policy and the rule
 * on the bus that forwards to it. Only these names.
 */
function guardHubGrants(config: FleetConfig): Grant[] {
  const detection = config.guard?.detection;
  if (!detection) return [];
  const { partition, central } = config;
  const out: Grant[] = [{ sid: 'GuardEventBus', read: EVENTS_BUS_READ, write: EVENTS_BUS_WRITE, resources: [guardBusArn(config)] }];
  if (detection.deliverTo === 'snsTopic') {
    out.push(
      { sid: 'GuardTopic', read: GUARD_TOPIC_READ, write: GUARD_TOPIC_WRITE, resources: [guardTopicArn(config)] },
      // A rule on a custom bus: rule/<bus>/<rule>.
      { sid: 'GuardForwardRule', read: EVENTS_RULE_READ, write: EVENTS_RULE_WRITE, resources: [arns.eventRuleArn(partition, central.region, central.accountId, `${GUARD_NAME}/${GUARD_TOPIC_RULE}`)] },
    );
  }
  return out;
}

/**
 * The guard's rules in one account (modules/guard/guard-rules.ts): the rules
 * detection-rules.ts computes, by exact ARN (region and name), their targets
 * (authorized on the rule), the events role with its policy, and passing that
 * role to EventBridge only. An account whose trails are all leaving the fleet
 * keeps what removing them needs, on the guard's names only (rule
 * `cloudtrail-fleet-guard` and `cloudtrail-fleet-guard-<n>` in any region):
 * its stack drops the rules with the trails.
 */
function guardRuleGrants(config: FleetConfig, accountId: string, active: boolean): Grant[] {
  if (!config.guard?.detection) return [];
  const { partition } = config;
  const role = arns.iamRoleArn(partition, accountId, GUARD_EVENTS_ROLE);
  if (!active) {
    const remove = ['events:DeleteRule', 'events:RemoveTargets'];
    const rules = [arns.eventRuleArn(partition, '*', accountId, GUARD_NAME), arns.eventRuleArn(partition, '*', accountId, `${GUARD_NAME}-*`)];
    return [
      { sid: 'GuardEventRulesRemoval', read: EVENTS_RULE_READ, write: remove, resources: rules },
      { sid: 'GuardEventsRoleRemoval', read: IAM_ROLE_READ, write: ['iam:DeleteRole', 'iam:DeleteRolePolicy'], resources: [role] },
    ];
  }
  const rules = detectionRules(config, accountId).map((r) => arns.eventRuleArn(partition, r.region, accountId, r.name));
  if (rules.length === 0) return [];
  return [
    { sid: 'GuardEventRules', read: EVENTS_RULE_READ, write: EVENTS_RULE_WRITE, resources: rules },
    { sid: 'GuardEventsRole', read: IAM_ROLE_READ, write: IAM_ROLE_WRITE, resources: [role] },
    {
      sid: 'PassGuardEventsRoleToEventBridge',
      read: [],
      write: ['iam:PassRole'],
      resources: [role],
      condition: { StringEquals: { 'iam:PassedToService': EVENTS_PRINCIPAL } },
    },
  ];
}

/**
 * The cloudtrail-guard stack (stacks/guard-stack.ts), in the management
 * account: the guard's service control policies and their attachments.
 * A policy's id (and so its ARN) exists only once it is created, and
 * Organizations has no condition key for a policy's name, so the policies are
 * found by the tag the stack puts on them (GUARD_TAG, `aws:ResourceTag` on
 * the `policy` resource type):
 *   - CreatePolicy: no existing resource, so `*`, only for a service control
 *     policy (`organizations:PolicyType`) that carries the tag (`aws:RequestTag`);
 *     the tags of CreatePolicy need organizations:TagResource too, which IAM
 *     cannot tell from tagging an existing policy: so TagResource of a
 *     request that sets the guard tag is allowed on the organization's
 *     service control policies (docs/bootstrap.md, "Decisions and limits");
 *   - describe, update, delete, tag, attach and detach: the organization's
 *     service control policies that carry the tag;
 *   - attach and detach are also authorized on the target: the roots, OUs
 *     and accounts of guard.prevention.attachTo only.
 * With `prevention: false` (the stack empties): what removing the policies
 * needs, on the tagged policies and any target of the organization.
 */
function guardPolicyGrants(config: FleetConfig): Grant[] {
  const { partition, organization, guard } = config;
  if (!organization || !guard) return [];
  const management = organization.managementAccountId;
  const policies = arns.serviceControlPolicyArn(partition, management, organization.id, 'p-*');
  const tagged = { StringEquals: { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value } };
  if (!guard.prevention) {
    const anyTarget = ['root', 'ou', 'account'].map((kind) => `arn:${partition}:organizations::${management}:${kind}/${organization.id}/*`);
    return [
      { sid: 'GuardScpsRemoval', read: SCP_READ, write: ['organizations:DeletePolicy', 'organizations:DetachPolicy'], resources: [policies], condition: tagged },
      { sid: 'GuardScpTargetsRemoval', read: [], write: ['organizations:DetachPolicy'], resources: anyTarget },
    ];
  }
  return [
    {
      sid: 'GuardScpCreate',
      read: [],
      write: ['organizations:CreatePolicy'],
      resources: ['*'],
      condition: { StringEquals: { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY', [`aws:RequestTag/${GUARD_TAG.key}`]: GUARD_TAG.value } },
    },
    { sid: 'GuardScpTagOnCreate', read: [], write: ['organizations:TagResource'], resources: [policies], condition: { StringEquals: { [`aws:RequestTag/${GUARD_TAG.key}`]: GUARD_TAG.value } } },
    { sid: 'GuardScps', read: SCP_READ, write: SCP_WRITE, resources: [policies], condition: tagged },
    {
      sid: 'GuardScpTargets',
      read: [],
      write: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
      resources: guard.prevention.attachTo.map((t) => arns.organizationsTargetArn(partition, management, organization.id, t)),
    },
  ];
}
