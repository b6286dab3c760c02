/**
 * What the guard protects and watches (docs/guard.md), computed from the
 * config alone: the same lists feed the service control policies (prevention)
 * and the EventBridge rules (detection), so the two always cover the same
 * actions on the same resources.
 */
import type { FleetConfig, TrailConfig } from '../../config/model';
import { trailsByAccount } from '../../config/model';
import type { Partition } from '../../config/rules';
import * as arns from '../arns';
import { sortedUnique } from '../policies/document';
import { bootstrapAdminRoleArn, deployerRoleArns } from './deployers';
import { guardedAccountIds } from '../../config/guard-scope';

/** Name of the central event bus and topic, of each account's rules, and the prefix of the guard's other names. */
export const GUARD_NAME = 'cloudtrail-fleet-guard';
/** The role each account's rules use to put events on the central bus. */
export const GUARD_EVENTS_ROLE = 'cloudtrail-fleet-guard-events';
/** Its inline policy. */
export const GUARD_EVENTS_ROLE_POLICY = 'put-events-on-the-guard-bus';
/** The central rule that forwards the bus's events to the topic (`deliverTo: snsTopic`). */
export const GUARD_TOPIC_RULE = 'cloudtrail-fleet-guard-to-topic';

export { GUARD_TAG, hasGuardStack, managementAccountTrails } from '../../config/guard-scope';

/**
 * The actions the guard denies (prevention) and watches (detection), by
 * service. Only writes that stop, change, delete or re-policy what the fleet
 * relies on: creating other trails, using keys, reading anything stays free.
 */
export const GUARDED_ACTIONS = {
  cloudtrail: ['AddTags', 'DeleteTrail', 'PutEventConfiguration', 'PutEventSelectors', 'PutInsightSelectors', 'RemoveTags', 'StopLogging', 'UpdateTrail'],
  kms: [
    'DeleteAlias',
    'DeleteImportedKeyMaterial',
    'DisableKey',
    'DisableKeyRotation',
    'PutKeyPolicy',
    'ScheduleKeyDeletion',
    'TagResource',
    'UntagResource',
    'UpdateAlias',
    'UpdatePrimaryRegion',
  ],
  sns: ['AddPermission', 'DeleteTopic', 'RemovePermission', 'SetTopicAttributes'],
  logs: ['AssociateKmsKey', 'DeleteLogGroup', 'DeleteLogStream', 'DisassociateKmsKey', 'PutRetentionPolicy'],
  iam: [
    'AttachRolePolicy',
    'DeleteRole',
    'DeleteRolePermissionsBoundary',
    'DeleteRolePolicy',
    'DetachRolePolicy',
    'PutRolePermissionsBoundary',
    'PutRolePolicy',
    'UpdateAssumeRolePolicy',
  ],
  /** The guard's own rules (prevention only: a rule cannot report its own deletion). */
  events: ['DeleteRule', 'DisableRule', 'PutRule', 'PutTargets', 'RemoveTargets'],
} as const;

export type GuardedService = keyof typeof GUARDED_ACTIONS;

/** `service:Action` names of one service. */
export function iamActions(service: GuardedService): string[] {
  return GUARDED_ACTIONS[service].map((a) => `${service}:${a}`);
}

/**
 * IAM is a global service: its CloudTrail events reach EventBridge in one
 * region of the partition only (us-east-1 in aws), so the rule that watches
 * the fleet's roles lives there.
 */
export function iamEventsRegion(partition: Partition): string {
  return partition === 'aws-us-gov' ? 'us-gov-west-1' : partition === 'aws-cn' ? 'cn-north-1' : 'us-east-1';
}

/** The central event bus of the guard (detection). */
export function guardBusArn(config: Pick<FleetConfig, 'partition' | 'central'>): string {
  return arns.eventBusArn(config.partition, config.central.region, config.central.accountId, GUARD_NAME);
}

export function guardTopicArn(config: Pick<FleetConfig, 'partition' | 'central'>): string {
  return arns.snsTopicArn(config.partition, config.central.region, config.central.accountId, GUARD_NAME);
}

/** The last part of a role ARN (IAM events name the role by `roleName`, without its path). */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

// ---------------------------------------------------------------- per account

/** The resources of one account the guard covers (created by this config, so their names are known). */
export interface GuardedResources {
  readonly accountId: string;
  readonly trails: readonly TrailConfig[];
  readonly trailArns: readonly string[];
  /** Created SNS topics, by region. */
  readonly topicArns: readonly string[];
  /** Created log groups (ARN without `:*`). */
  readonly logGroupArns: readonly string[];
  /** Created CloudWatch Logs delivery roles. */
  readonly deliveryRoleArns: readonly string[];
  /** KMS keys this config creates in the account (trail keys, and the central key in the central account). */
  readonly keys: readonly { readonly region: string; readonly alias: string }[];
  /** The roles that deploy the account (modules/deployer-roles.ts: the bootstrap contract). */
  readonly deployerRoleArns: readonly string[];
  /**
   * Every role the policy exempts in the account, and so protects: the
   * deployer roles and, with `bootstrap`, the role its stacks apply with
   * (modules/guard/deployers.ts).
   */
  readonly exemptRoleArns: readonly string[];
}

const trailIndex = new WeakMap<FleetConfig, Map<string, TrailConfig[]>>();

/** The active trails of an account (indexed once per config: the guard asks for every account). */
export function activeTrailsOf(config: FleetConfig, accountId: string): readonly TrailConfig[] {
  let index = trailIndex.get(config);
  if (!index) {
    index = trailsByAccount(config);
    trailIndex.set(config, index);
  }
  return index.get(accountId) ?? [];
}

function exemptRoleArns(config: FleetConfig, accountId: string): string[] {
  const admin = bootstrapAdminRoleArn(config, accountId);
  return sortedUnique([...deployerRoleArns(config, accountId), ...(admin ? [admin] : [])]);
}

export function guardedResources(config: FleetConfig, accountId: string): GuardedResources {
  const { partition, central } = config;
  const trails = activeTrailsOf(config, accountId);
  const keys = trails.flatMap((t) => (t.kmsKey.kind === 'create' ? [{ region: central.region, alias: t.kmsKey.alias }] : []));
  if (accountId === central.accountId && central.kmsKey) keys.push({ region: central.region, alias: central.kmsKey.alias });
  return {
    accountId,
    trails,
    trailArns: sortedUnique(trails.map((t) => arns.trailArn(partition, t.region, t.accountId, t.trailName))),
    topicArns: sortedUnique(trails.flatMap((t) => (t.sns?.kind === 'create' ? [arns.snsTopicArn(partition, t.region, t.accountId, t.sns.topicName)] : []))),
    logGroupArns: sortedUnique(trails.flatMap((t) => (t.cloudWatchLogs?.logGroup.kind === 'create' ? [arns.deliveryLogGroupArn(partition, t)!] : []))),
    deliveryRoleArns: sortedUnique(
      trails.flatMap((t) => (t.cloudWatchLogs && !t.cloudWatchLogs.roleArn ? [arns.iamRoleArn(partition, t.accountId, arns.deliveryRoleName(t.trailName))] : [])),
    ),
    keys: [...new Map(keys.map((k) => [`${k.region}|${k.alias}`, k])).values()].sort((a, b) => (a.region + a.alias < b.region + b.alias ? -1 : 1)),
    deployerRoleArns: deployerRoleArns(config, accountId),
    exemptRoleArns: exemptRoleArns(config, accountId),
  };
}

/**
 * The accounts the guard's service control policies cover: every member
 * account with an active trail, and the central account when it holds the
 * central key. Never the management account: SCPs do not apply to it.
 * Empty without `organization` or without `guard.prevention`.
 */
export function guardedAccounts(config: FleetConfig): GuardedResources[] {
  return guardedAccountIds(config).map((id) => guardedResources(config, id));
}
