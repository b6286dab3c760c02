/**
 * The permissions of the deployer roles (docs/bootstrap.md, "What each role
 * may do"), computed from what the config creates in each account.
 *
 * Each stack's needs are a list of grants: the API calls hashicorp/aws
 * 5.100.0 makes for each resource type the stack holds, as IAM actions, on
 * the ARNs the config names. A grant's `read` actions are what a plan needs
 * (refresh, data sources, imports); `write` actions what an apply adds. A
 * plan role gets the reads only; an apply (or deployer) role both.
 *
 * The calls, by resource (hashicorp/terraform-provider-aws; the files were
 * read at the commits noted, the calls are those of 5.100.0's resources):
 * - aws_cloudtrail (internal/service/cloudtrail/trail.go, 0a9af16a):
 *   create CreateTrail (with TagsList), StartLogging, PutEventSelectors,
 *   PutInsightSelectors; read DescribeTrails (trailNameList = the ARN),
 *   GetTrailStatus, GetEventSelectors, GetInsightSelectors, and ListTags
 *   (tags interceptor, `@Tags(identifierAttribute="arn")`); update
 *   UpdateTrail, StartLogging/StopLogging, Put*Selectors, AddTags/RemoveTags;
 *   delete DeleteTrail. IAM: DescribeTrails has no resource type ("*");
 *   the others take the trail ARN; CreateTrail and UpdateTrail need
 *   iam:PassRole for cloud_watch_logs_role_arn (Service Authorization
 *   Reference, CloudTrail; read from iann0036/iam-dataset).
 *   An organization trail also needs organizations:DescribeOrganization,
 *   ListAccounts, ListAWSServiceAccessForOrganization, iam:GetRole and
 *   iam:CreateServiceLinkedRole (CloudTrail user guide,
 *   creating-an-organizational-trail-prepare.md); enabling trusted access is
 *   a one-time administrator step, not the deployer's.
 * - aws_kms_key (internal/service/kms/key.go, 00a35305): CreateKey (Policy,
 *   Tags), EnableKeyRotation, then waits with DescribeKey, GetKeyPolicy,
 *   GetKeyRotationStatus, ListResourceTags; update UpdateKeyDescription,
 *   PutKeyPolicy, Enable/DisableKeyRotation, TagResource/UntagResource;
 *   delete ScheduleKeyDeletion. KMS's policy lockout check makes CreateKey
 *   succeed only when the caller could PutKeyPolicy on the new key, so
 *   PutKeyPolicy is granted on the account's keys in the bucket's region
 *   (`key/*`: a key's ARN is unknown until it exists).
 * - aws_kms_alias (internal/service/kms/alias.go): CreateAlias, UpdateAlias,
 *   DeleteAlias (on the alias and the key), read ListAliases ("*").
 * - data aws_kms_key: DescribeKey on the key the alias names (cross-account
 *   for the central key: its key policy grants the same).
 * - aws_s3_bucket (internal/service/s3/bucket.go, resourceBucketRead):
 *   CreateBucket, HeadBucket (s3:ListBucket), GetBucketPolicy, GetBucketAcl,
 *   GetBucketCors, GetBucketWebsite, GetBucketVersioning,
 *   GetBucketAccelerateConfiguration, GetBucketRequestPayment,
 *   GetBucketLogging, GetBucketLifecycleConfiguration, GetBucketReplication,
 *   GetBucketEncryption, GetObjectLockConfiguration, GetBucketTagging,
 *   PutBucketTagging (default_tags); never DeleteBucket (prevent_destroy).
 *   The bucket's parts: Put/Get of their own configuration; a part's delete
 *   is a Put* or Delete* of the same IAM action family
 *   (DeletePublicAccessBlock = s3:PutBucketPublicAccessBlock, ...).
 * - aws_sns_topic, _policy, _subscription: CreateTopic (Tags),
 *   SetTopicAttributes, GetTopicAttributes, ListTagsForResource,
 *   Tag/UntagResource, DeleteTopic; Subscribe, GetSubscriptionAttributes,
 *   SetSubscriptionAttributes, Unsubscribe (all on the topic ARN).
 * - aws_sqs_queue, _policy: CreateQueue (tags), GetQueueAttributes,
 *   GetQueueUrl, ListQueueTags, SetQueueAttributes, Tag/UntagQueue,
 *   DeleteQueue.
 * - aws_cloudwatch_log_group: CreateLogGroup (tags), PutRetentionPolicy,
 *   DeleteRetentionPolicy, DescribeLogGroups (authorized on
 *   `log-group:*`), ListTagsForResource, Tag/UntagResource (and the older
 *   *LogGroup tag actions), DeleteLogGroup.
 * - aws_iam_role, aws_iam_role_policy (the CloudWatch Logs delivery role):
 *   CreateRole (Tags), GetRole, ListRolePolicies, GetRolePolicy,
 *   ListAttachedRolePolicies, UpdateRole, UpdateAssumeRolePolicy,
 *   Tag/UntagRole, PutRolePolicy, DeleteRolePolicy, and for delete
 *   ListInstanceProfilesForRole, DeleteRole.
 *
 * The guard (docs/guard.md), read at the stored copies of the same repository
 * (commits noted; the calls are unchanged since 5.x):
 * - aws_cloudwatch_event_rule (internal/service/events/rule.go, 0cdab4ae):
 *   create PutRule (with Tags: events:TagResource too), then DescribeRule
 *   until it exists; read DescribeRule and ListTagsForResource (tags
 *   interceptor, `@Tags(identifierAttribute="arn")`); update PutRule,
 *   Tag/UntagResource; delete DeleteRule.
 * - aws_cloudwatch_event_target (internal/service/events/target.go, 0762c41e):
 *   create and update PutTargets (its role_arn: iam:PassRole to
 *   events.amazonaws.com), read ListTargetsByRule, delete RemoveTargets; all
 *   authorized on the rule.
 * - aws_cloudwatch_event_bus (internal/service/events/bus.go, 01606926):
 *   CreateEventBus (Tags), DescribeEventBus, UpdateEventBus, DeleteEventBus,
 *   tags interceptor on the bus ARN.
 * - aws_cloudwatch_event_bus_policy (internal/service/events/bus_policy.go,
 *   01f43111): PutPermission (create and update), DescribeEventBus (read),
 *   RemovePermission (delete), on the bus.
 * - aws_organizations_policy (internal/service/organizations/policy.go,
 *   00a35305): CreatePolicy (with Tags: "the requester must have the
 *   organizations:TagResource permission", Organizations API reference),
 *   DescribePolicy, ListTagsForResource (tags interceptor, by policy id),
 *   UpdatePolicy, Tag/UntagResource, DeletePolicy.
 * - aws_organizations_policy_attachment (internal/service/organizations/
 *   policy_attachment.go, 09034480): AttachPolicy, read ListTargetsForPolicy,
 *   DetachPolicy; Attach and Detach are authorized on the policy and on the
 *   target (root, OU or account).
 * - the events role and its policy: as the delivery role (aws_iam_role,
 *   aws_iam_role_policy); the SNS topic and its policy: as a trail's topic.
 *
 * Deliberately absent: s3:DeleteBucket (anywhere), kms:ScheduleKeyDeletion
 * (except for a trail leaving the fleet with `deleteKeys: true`), and
 * cloudtrail:DeleteTrail on an active trail (only trails leaving the fleet
 * with `lifecycle: decommission`, and the old name of a renamed trail, may
 * be deleted). A change that removes an active trail without saying so is
 * refused by AWS, not only by the change-safety gate.
 */
import type { FleetConfig, TrailConfig } from '../../config/model';
import { isAliasArn, parseArn } from '../../config/rules';
import * as arns from '../arns';
import type { FleetStackRef } from '../deployer-roles';
import { fleetIndex } from '../deployer-roles';
import { ConditionBlock, policy, PolicyDocument, renderPolicy, sortedUnique, Statement } from './document';

export type Phase = 'plan' | 'apply';

/** What one stack needs on some resources. */
export interface Grant {
  /** Statement id; a grant with the same sid always has the same actions and condition (so grants merge by sid). */
  readonly sid: string;
  /** Calls a plan makes (refresh, data sources, imports). */
  readonly read: readonly string[];
  /** Calls only an apply makes. For a Deny grant: the actions denied. */
  readonly write: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: ConditionBlock;
  /** A Deny is part of the apply (and deployer) policy only: a plan role is allowed no write anyway. */
  readonly effect?: 'Deny';
}

// ------------------------------------------------------------ actions per resource type

const CLOUDTRAIL_READ = ['cloudtrail:GetEventSelectors', 'cloudtrail:GetInsightSelectors', 'cloudtrail:GetTrailStatus', 'cloudtrail:ListTags'];
const CLOUDTRAIL_WRITE = [
  'cloudtrail:AddTags',
  'cloudtrail:CreateTrail',
  'cloudtrail:PutEventSelectors',
  'cloudtrail:PutInsightSelectors',
  'cloudtrail:RemoveTags',
  'cloudtrail:StartLogging',
  'cloudtrail:StopLogging',
  'cloudtrail:UpdateTrail',
];
const S3_BUCKET_READ = [
  's3:GetAccelerateConfiguration',
  's3:GetBucketAcl',
  's3:GetBucketCORS',
  's3:GetBucketLocation',
  's3:GetBucketLogging',
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketOwnershipControls',
  's3:GetBucketPolicy',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketRequestPayment',
  's3:GetBucketTagging',
  's3:GetBucketVersioning',
  's3:GetBucketWebsite',
  's3:GetEncryptionConfiguration',
  's3:GetLifecycleConfiguration',
  's3:GetReplicationConfiguration',
  's3:ListBucket',
];
const S3_BUCKET_WRITE = [
  's3:CreateBucket',
  's3:DeleteBucketPolicy',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketTagging',
  's3:PutBucketVersioning',
  's3:PutEncryptionConfiguration',
];
const KMS_KEY_READ = ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'];
const KMS_KEY_WRITE = ['kms:EnableKeyRotation', 'kms:PutKeyPolicy', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription'];
const KMS_ALIAS_WRITE = ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'];
const SNS_READ = ['sns:GetSubscriptionAttributes', 'sns:GetTopicAttributes', 'sns:ListTagsForResource'];
const SNS_WRITE = [
  'sns:CreateTopic',
  'sns:DeleteTopic',
  'sns:SetSubscriptionAttributes',
  'sns:SetTopicAttributes',
  'sns:Subscribe',
  'sns:TagResource',
  'sns:Unsubscribe',
  'sns:UntagResource',
];
const SQS_READ = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListQueueTags'];
const SQS_WRITE = ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'];
const LOGS_READ = ['logs:ListTagsForResource', 'logs:ListTagsLogGroup'];
const LOGS_WRITE = [
  'logs:CreateLogGroup',
  'logs:DeleteLogGroup',
  'logs:DeleteRetentionPolicy',
  'logs:PutRetentionPolicy',
  'logs:TagLogGroup',
  'logs:TagResource',
  'logs:UntagLogGroup',
  'logs:UntagResource',
];
export const IAM_ROLE_READ = ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:ListRolePolicies'];
export const IAM_ROLE_WRITE = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePolicy',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

// The guard (docs/guard.md): EventBridge rules, targets and the central bus, and the service control policies
// (its grants: modules/guard/deployer-grants.ts).
export const EVENTS_RULE_READ = ['events:DescribeRule', 'events:ListTagsForResource', 'events:ListTargetsByRule'];
export const EVENTS_RULE_WRITE = ['events:DeleteRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource', 'events:UntagResource'];
export const EVENTS_BUS_READ = ['events:DescribeEventBus', 'events:ListTagsForResource'];
export const EVENTS_BUS_WRITE = [
  'events:CreateEventBus',
  'events:DeleteEventBus',
  'events:PutPermission',
  'events:RemovePermission',
  'events:TagResource',
  'events:UntagResource',
  'events:UpdateEventBus',
];
/** The guard topic has no subscription in the stack: no Subscribe, no Unsubscribe. */
export const GUARD_TOPIC_READ = ['sns:GetTopicAttributes', 'sns:ListTagsForResource'];
export const GUARD_TOPIC_WRITE = ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'];
export const SCP_READ = ['organizations:DescribePolicy', 'organizations:ListTagsForResource', 'organizations:ListTargetsForPolicy'];
export const SCP_WRITE = ['organizations:AttachPolicy', 'organizations:DeletePolicy', 'organizations:DetachPolicy', 'organizations:TagResource', 'organizations:UntagResource', 'organizations:UpdatePolicy'];

/** Every action a grant may hold, as read or write: for the tests' "the plan role only reads". */
export const READ_ACTIONS: ReadonlySet<string> = new Set([
  'cloudtrail:DescribeTrails',
  ...CLOUDTRAIL_READ,
  ...S3_BUCKET_READ,
  ...KMS_KEY_READ,
  'kms:ListAliases',
  ...SNS_READ,
  ...SQS_READ,
  'logs:DescribeLogGroups',
  ...LOGS_READ,
  ...IAM_ROLE_READ,
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'organizations:ListAWSServiceAccessForOrganization',
  ...EVENTS_RULE_READ,
  ...EVENTS_BUS_READ,
  ...GUARD_TOPIC_READ,
  ...SCP_READ,
]);

// ------------------------------------------------------------ grants per stack

const keysIn = (partition: string, region: string, accountId: string) => `arn:${partition}:kms:${region}:${accountId}:key/*`;

/** Optional keys of the config that other helpers add (TODO(merge): read them from config/model.ts once merged). */
function deletesKey(t: TrailConfig): boolean {
  return (t as TrailConfig & { deleteKeys?: boolean }).deleteKeys === true;
}
function renamedFrom(t: TrailConfig): string | undefined {
  const old = (t as TrailConfig & { renamedFrom?: unknown }).renamedFrom;
  return typeof old === 'string' ? old : undefined;
}

function centralGrants(config: FleetConfig): Grant[] {
  const { partition, central } = config;
  const out: Grant[] = [];
  const bucket = arns.bucketArn(partition, central.bucketName);
  if (central.bucketManagement === 'managed') {
    out.push({
      sid: 'LogBucket',
      read: S3_BUCKET_READ,
      write: [
        ...S3_BUCKET_WRITE,
        ...(central.retention ? ['s3:PutLifecycleConfiguration'] : []),
        ...(central.objectLock ? ['s3:PutBucketObjectLockConfiguration'] : []),
        ...(central.accessLogging ? ['s3:PutBucketLogging'] : []),
      ],
      resources: [bucket],
    });
  } else if (central.bucketManagement === 'policyOnly') {
    out.push({ sid: 'LogBucketPolicy', read: ['s3:GetBucketPolicy'], write: ['s3:DeleteBucketPolicy', 's3:PutBucketPolicy'], resources: [bucket] });
  }
  if (central.kmsKey) {
    const keys = central.kmsKey.existingKeyArn ? [central.kmsKey.existingKeyArn] : [keysIn(partition, central.region, central.accountId)];
    if (!central.kmsKey.existingKeyArn) out.push(createKeyGrant(central.region));
    out.push(
      { sid: 'KmsKeys', read: KMS_KEY_READ, write: KMS_KEY_WRITE, resources: keys },
      { sid: 'KmsAliases', read: [], write: KMS_ALIAS_WRITE, resources: [arns.kmsAliasArn(partition, central.region, central.accountId, central.kmsKey.alias), ...keys] },
      { sid: 'KmsListAliases', read: ['kms:ListAliases'], write: [], resources: ['*'] },
    );
  }
  return out;
}

/**
 * CreateKey has no resource (the key does not exist yet): any key, only in
 * the bucket's region. Tags passed to CreateKey need kms:TagResource too.
 */
function createKeyGrant(region: string): Grant {
  return { sid: 'KmsCreateKey', read: [], write: ['kms:CreateKey', 'kms:TagResource'], resources: ['*'], condition: { StringEquals: { 'aws:RequestedRegion': region } } };
}

function accountGrants(config: FleetConfig, accountId: string): Grant[] {
  const { partition, central } = config;
  const index = fleetIndex(config);
  const active = index.active.get(accountId) ?? [];
  // Retained trails leave the state through `removed` blocks: Terraform reads and changes nothing of them.
  const decommission = (index.leaving.get(accountId) ?? []).filter((t) => t.lifecycle === 'decommission');
  const managed = [...active, ...decommission];
  if (managed.length === 0) return [];
  const out: Grant[] = [];
  const trailArn = (t: TrailConfig, name = t.trailName) => arns.trailArn(partition, t.region, t.accountId, name);

  out.push({ sid: 'CloudTrailDescribe', read: ['cloudtrail:DescribeTrails'], write: [], resources: ['*'] });
  if (active.length) out.push({ sid: 'CloudTrailTrails', read: CLOUDTRAIL_READ, write: CLOUDTRAIL_WRITE, resources: active.map((t) => trailArn(t)) });
  const removable = [...decommission.map((t) => trailArn(t)), ...active.flatMap((t) => (renamedFrom(t) ? [trailArn(t, renamedFrom(t))] : []))];
  if (removable.length) out.push({ sid: 'CloudTrailRemoveTrails', read: CLOUDTRAIL_READ, write: ['cloudtrail:DeleteTrail'], resources: removable });

  if (config.organization && managed.some((t) => t.organizationTrail)) {
    out.push(
      {
        sid: 'OrganizationTrailReads',
        read: ['organizations:DescribeOrganization', 'organizations:ListAWSServiceAccessForOrganization', 'organizations:ListAccounts'],
        write: [],
        resources: ['*'],
      },
      { sid: 'CloudTrailServiceLinkedRole', read: ['iam:GetRole'], write: [], resources: [cloudTrailServiceLinkedRoleArn(partition, accountId)] },
      {
        sid: 'CreateCloudTrailServiceLinkedRole',
        read: [],
        write: ['iam:CreateServiceLinkedRole'],
        resources: [cloudTrailServiceLinkedRoleArn(partition, accountId)],
        condition: { StringEquals: { 'iam:AWSServiceName': arns.CLOUDTRAIL_PRINCIPAL } },
      },
    );
  }

  // CloudWatch Logs delivery: the role CloudTrail assumes is passed with CreateTrail/UpdateTrail.
  const passed = active.flatMap((t) => (t.cloudWatchLogs ? [t.cloudWatchLogs.roleArn ?? deliveryRoleArn(partition, t)] : []));
  if (passed.length) {
    out.push({
      sid: 'PassDeliveryRoleToCloudTrail',
      read: [],
      write: ['iam:PassRole'],
      resources: passed,
      condition: { StringEquals: { 'iam:PassedToService': arns.CLOUDTRAIL_PRINCIPAL } },
    });
  }
  const createdRoles = managed.filter((t) => t.cloudWatchLogs && !t.cloudWatchLogs.roleArn).map((t) => deliveryRoleArn(partition, t));
  if (createdRoles.length) out.push({ sid: 'DeliveryRoles', read: IAM_ROLE_READ, write: IAM_ROLE_WRITE, resources: createdRoles });
  const groups = managed.filter((t) => t.cloudWatchLogs?.logGroup.kind === 'create');
  if (groups.length) {
    out.push({
      sid: 'LogGroupsDescribe',
      read: ['logs:DescribeLogGroups'],
      write: [],
      resources: sortedUnique(groups.map((t) => `arn:${partition}:logs:${t.region}:${accountId}:log-group:*`)),
    });
    out.push({
      sid: 'LogGroups',
      read: LOGS_READ,
      write: LOGS_WRITE,
      resources: groups.flatMap((t) => {
        const arn = arns.deliveryLogGroupArn(partition, t)!;
        return [arn, `${arn}:*`];
      }),
    });
  }

  const topics = managed.flatMap((t) => (t.sns?.kind === 'create' ? [t] : []));
  if (topics.length) {
    out.push({
      sid: 'SnsTopics',
      read: SNS_READ,
      write: SNS_WRITE,
      resources: topics.map((t) => arns.snsTopicArn(partition, t.region, accountId, (t.sns as { topicName: string }).topicName)),
    });
  }
  const queues = managed.flatMap((t) => (t.sns?.kind === 'create' && t.sns.sqsQueueName ? [arns.sqsQueueArn(partition, t.region, accountId, t.sns.sqsQueueName)] : []));
  if (queues.length) out.push({ sid: 'SqsQueues', read: SQS_READ, write: SQS_WRITE, resources: queues });

  // Keys created in the trail's account (kmsKey: { create }); a key lives in the bucket's region.
  const keyed = managed.filter((t) => t.kmsKey.kind === 'create');
  if (keyed.length) {
    const keys = keysIn(partition, central.region, accountId);
    if (active.some((t) => t.kmsKey.kind === 'create')) out.push(createKeyGrant(central.region));
    out.push(
      { sid: 'KmsKeys', read: KMS_KEY_READ, write: KMS_KEY_WRITE, resources: [keys] },
      {
        sid: 'KmsAliases',
        read: [],
        write: KMS_ALIAS_WRITE,
        resources: [...keyed.map((t) => arns.kmsAliasArn(partition, central.region, accountId, (t.kmsKey as { alias: string }).alias)), keys],
      },
      { sid: 'KmsListAliases', read: ['kms:ListAliases'], write: [], resources: ['*'] },
    );
    if (decommission.some((t) => t.kmsKey.kind === 'create' && deletesKey(t))) {
      out.push({ sid: 'KmsScheduleDeletionOfLeavingTrailKeys', read: [], write: ['kms:ScheduleKeyDeletion'], resources: [keys] });
      if (accountId === central.accountId && central.kmsKey) {
        // The only key a trail's deleteKeys must never reach: the central key, known by its alias.
        out.push({
          sid: 'DenyCentralKeyDeletion',
          effect: 'Deny',
          read: [],
          write: ['kms:ScheduleKeyDeletion'],
          resources: [keys],
          condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': central.kmsKey.alias } },
        });
      }
    }
  }

  // Keys looked up by alias (data "aws_kms_key"): the central key, and { arn: <alias ARN> }.
  const lookups = active.flatMap((t) => {
    if (t.kmsKey.kind === 'central' && central.kmsKey) return [keysIn(partition, central.region, central.accountId)];
    if (t.kmsKey.kind === 'arn' && isAliasArn(t.kmsKey.arn)) {
      const a = parseArn(t.kmsKey.arn)!;
      return [keysIn(a.partition, a.region, a.account)];
    }
    return [];
  });
  if (lookups.length) out.push({ sid: 'KmsKeyLookups', read: ['kms:DescribeKey'], write: [], resources: lookups });
  return out;
}

function deliveryRoleArn(partition: FleetConfig['partition'], t: TrailConfig): string {
  return `arn:${partition}:iam::${t.accountId}:role/${arns.deliveryRoleName(t.trailName)}`;
}

function cloudTrailServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${arns.CLOUDTRAIL_PRINCIPAL}/AWSServiceRoleForCloudTrail`;
}

/**
 * What one stack of the main app needs for the fleet's own resources, as
 * grants (the guard's resources: modules/guard/deployer-grants.ts; both
 * together: modules/deployer-grants.ts).
 */
export function fleetStackGrants(config: FleetConfig, stack: FleetStackRef): Grant[] {
  if (stack.kind === 'central') return centralGrants(config);
  if (stack.kind === 'guard') return [];
  return accountGrants(config, stack.accountId);
}

// ------------------------------------------------------------ statements

/** Grants of several stacks merged by sid (same actions and condition: resources are united). */
export function mergeGrants(grants: readonly Grant[]): Grant[] {
  const bySid = new Map<string, Grant>();
  for (const g of grants) {
    const seen = bySid.get(g.sid);
    if (!seen) {
      bySid.set(g.sid, g);
      continue;
    }
    const same = (a: Grant, b: Grant) =>
      a.effect === b.effect &&
      JSON.stringify([sortedUnique(a.read), sortedUnique(a.write), a.condition ?? null]) === JSON.stringify([sortedUnique(b.read), sortedUnique(b.write), b.condition ?? null]);
    if (!same(seen, g)) throw new Error(`internal error in cloudtrail-fleet: two grants named ${g.sid} differ in actions or condition`);
    bySid.set(g.sid, { ...seen, resources: [...seen.resources, ...g.resources] });
  }
  return [...bySid.values()].sort((a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
}

const one = (values: string[]): string | string[] => (values.length === 1 ? values[0] : values);

/** The statements of a role for a phase: a plan role gets the reads, an apply role everything. */
export function grantStatements(grants: readonly Grant[], phase: Phase): Statement[] {
  const out: Statement[] = [];
  for (const g of mergeGrants(grants)) {
    if (g.effect === 'Deny' && phase === 'plan') continue;
    const actions = sortedUnique(g.effect === 'Deny' ? g.write : phase === 'plan' ? g.read : [...g.read, ...g.write]);
    if (actions.length === 0) continue;
    out.push({
      Sid: g.sid,
      Effect: g.effect ?? 'Allow',
      Action: one(actions),
      Resource: one(sortedUnique(g.resources)),
      ...(g.condition ? { Condition: g.condition } : {}),
    });
  }
  return out;
}

// ------------------------------------------------------------ size (IAM quotas)

/** IAM quotas: all inline policies of a role together, one managed policy, managed policies per role (default, adjustable to 20). */
export const INLINE_ROLE_POLICY_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;
export const MANAGED_POLICIES_PER_ROLE = 10;
/** Role trust policy ("role trust policy length", default quota). */
export const TRUST_POLICY_LIMIT = 2_048;

/** IAM counts a policy's characters without white space outside strings; ours are rendered compact. */
export function policyChars(doc: PolicyDocument): number {
  return renderPolicy(doc).length;
}

export interface PackedPolicies {
  /** One inline policy when everything fits in the inline quota. */
  readonly inline?: PolicyDocument;
  /** Else customer managed policies, each within the managed policy quota. */
  readonly managed: readonly PolicyDocument[];
  /** Characters of all the statements in one document (what the inline quota is checked against). */
  readonly chars: number;
  /** False when even MANAGED_POLICIES_PER_ROLE managed policies cannot hold them. */
  readonly fits: boolean;
}

/**
 * One inline policy when it fits (10,240 characters for all inline policies
 * of a role), else as few managed policies of at most 6,144 characters as
 * the statements allow: statements are packed in order, and one that does
 * not fit in what is left of a policy fills it with part of its resources
 * and goes on in the next (the parts keep the sid with a number).
 */
export function packPolicies(statements: readonly Statement[]): PackedPolicies {
  if (statements.length === 0) return { managed: [], chars: 0, fits: true };
  const whole = policy(statements);
  const chars = policyChars(whole);
  if (chars <= INLINE_ROLE_POLICY_LIMIT) return { inline: whole, managed: [], chars, fits: true };
  const fits = (list: readonly Statement[]) => policyChars(policy(list)) <= MANAGED_POLICY_LIMIT;
  let current: Statement[] = [];
  const managed: Statement[][] = [current];
  const next = () => {
    current = [];
    managed.push(current);
  };
  for (const s of statements) {
    if (fits([...current, s])) {
      current.push(s);
      continue;
    }
    const resources = typeof s.Resource === 'string' ? [s.Resource] : [...(s.Resource ?? [])];
    if (resources.length <= 1) {
      next();
      current.push(s);
      continue;
    }
    let part = 0;
    let chunk: string[] = [];
    const piece = (rs: string[], n: number): Statement => ({ ...s, Sid: `${s.Sid}${n}`, Resource: one(rs) });
    for (const r of resources) {
      if (fits([...current, piece([...chunk, r], part + 1)])) {
        chunk.push(r);
        continue;
      }
      if (chunk.length) current.push(piece(chunk, ++part));
      next();
      chunk = [r];
    }
    if (chunk.length) current.push(piece(chunk, ++part));
  }
  const docs = managed.filter((m) => m.length > 0);
  return { managed: docs.map((m) => policy(m)), chars, fits: docs.length <= MANAGED_POLICIES_PER_ROLE && docs.every((m) => fits(m)) };
}
