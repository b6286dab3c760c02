/**
 * What a plan and an apply of one synthesized stack ask of AWS, as IAM
 * requests (action, resource ARN, request context), read from the stack's
 * cdk.tf.json: the tests' own account of the calls hashicorp/aws 5.100.0
 * makes per resource type (the module's account is in
 * modules/policies/deployer-policies.ts; this one is written by resource
 * lifecycle so that a call the module forgets shows up as a refused request).
 *
 * Calls by resource type and step (read = refresh/import/data source, which a
 * plan makes; create/update = an apply; remove = an apply that destroys it):
 */
import type { Partition } from '../../config/rules';
import type { IamRequest } from './iam-evaluator';

type Json = Record<string, any>;

interface Calls {
  readonly read: readonly string[];
  readonly create: readonly string[];
  readonly update: readonly string[];
  readonly remove: readonly string[];
}

const S3_PART_READ = ['s3:ListBucket'];
export const CALLS: Readonly<Record<string, Calls>> = {
  aws_cloudtrail: {
    read: ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetInsightSelectors', 'cloudtrail:ListTags'],
    create: ['cloudtrail:CreateTrail', 'cloudtrail:AddTags', 'cloudtrail:StartLogging', 'cloudtrail:PutEventSelectors', 'cloudtrail:PutInsightSelectors'],
    update: ['cloudtrail:UpdateTrail', 'cloudtrail:StopLogging', 'cloudtrail:StartLogging', 'cloudtrail:PutEventSelectors', 'cloudtrail:PutInsightSelectors', 'cloudtrail:AddTags', 'cloudtrail:RemoveTags'],
    remove: ['cloudtrail:DeleteTrail'],
  },
  aws_kms_key: {
    read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
    create: ['kms:EnableKeyRotation', 'kms:PutKeyPolicy', 'kms:TagResource'],
    update: ['kms:UpdateKeyDescription', 'kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:TagResource', 'kms:UntagResource'],
    remove: ['kms:ScheduleKeyDeletion'],
  },
  aws_kms_alias: { read: ['kms:ListAliases'], create: ['kms:CreateAlias'], update: ['kms:UpdateAlias'], remove: ['kms:DeleteAlias'] },
  aws_sns_topic: {
    read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource'],
    create: ['sns:CreateTopic', 'sns:TagResource', 'sns:SetTopicAttributes'],
    update: ['sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'],
    remove: ['sns:DeleteTopic'],
  },
  aws_sns_topic_policy: { read: ['sns:GetTopicAttributes'], create: ['sns:SetTopicAttributes'], update: ['sns:SetTopicAttributes'], remove: ['sns:GetTopicAttributes', 'sns:SetTopicAttributes'] },
  aws_sns_topic_subscription: { read: ['sns:GetSubscriptionAttributes'], create: ['sns:Subscribe'], update: ['sns:SetSubscriptionAttributes'], remove: ['sns:Unsubscribe'] },
  aws_sqs_queue: {
    read: ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
    create: ['sqs:CreateQueue', 'sqs:TagQueue'],
    update: ['sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
    remove: ['sqs:DeleteQueue'],
  },
  aws_sqs_queue_policy: { read: ['sqs:GetQueueAttributes'], create: ['sqs:SetQueueAttributes'], update: ['sqs:SetQueueAttributes'], remove: ['sqs:SetQueueAttributes'] },
  aws_cloudwatch_log_group: {
    read: ['logs:ListTagsForResource'],
    create: ['logs:CreateLogGroup', 'logs:TagResource', 'logs:PutRetentionPolicy'],
    update: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource', 'logs:UntagResource'],
    remove: ['logs:DeleteLogGroup'],
  },
  aws_iam_role: {
    read: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'],
    create: ['iam:CreateRole', 'iam:TagRole'],
    update: ['iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
    remove: ['iam:ListInstanceProfilesForRole', 'iam:ListRolePolicies', 'iam:DeleteRolePolicy', 'iam:DeleteRole'],
  },
  aws_iam_role_policy: { read: ['iam:GetRolePolicy'], create: ['iam:PutRolePolicy'], update: ['iam:PutRolePolicy'], remove: ['iam:DeleteRolePolicy'] },
  aws_s3_bucket: {
    read: [
      's3:ListBucket',
      's3:GetBucketPolicy',
      's3:GetBucketAcl',
      's3:GetBucketCORS',
      's3:GetBucketWebsite',
      's3:GetBucketVersioning',
      's3:GetAccelerateConfiguration',
      's3:GetBucketRequestPayment',
      's3:GetBucketLogging',
      's3:GetLifecycleConfiguration',
      's3:GetReplicationConfiguration',
      's3:GetEncryptionConfiguration',
      's3:GetBucketObjectLockConfiguration',
      's3:GetBucketTagging',
    ],
    create: ['s3:CreateBucket', 's3:PutBucketTagging'],
    update: ['s3:PutBucketTagging'],
    remove: ['s3:DeleteBucket'],
  },
  aws_s3_bucket_public_access_block: { read: [...S3_PART_READ, 's3:GetBucketPublicAccessBlock'], create: ['s3:PutBucketPublicAccessBlock'], update: ['s3:PutBucketPublicAccessBlock'], remove: ['s3:PutBucketPublicAccessBlock'] },
  aws_s3_bucket_ownership_controls: { read: ['s3:GetBucketOwnershipControls'], create: ['s3:PutBucketOwnershipControls'], update: ['s3:PutBucketOwnershipControls'], remove: ['s3:PutBucketOwnershipControls'] },
  aws_s3_bucket_versioning: { read: ['s3:GetBucketVersioning'], create: ['s3:PutBucketVersioning'], update: ['s3:PutBucketVersioning'], remove: ['s3:PutBucketVersioning'] },
  aws_s3_bucket_server_side_encryption_configuration: { read: ['s3:GetEncryptionConfiguration'], create: ['s3:PutEncryptionConfiguration'], update: ['s3:PutEncryptionConfiguration'], remove: ['s3:PutEncryptionConfiguration'] },
  aws_s3_bucket_lifecycle_configuration: { read: ['s3:GetLifecycleConfiguration'], create: ['s3:PutLifecycleConfiguration'], update: ['s3:PutLifecycleConfiguration'], remove: ['s3:PutLifecycleConfiguration'] },
  aws_s3_bucket_object_lock_configuration: { read: ['s3:GetBucketObjectLockConfiguration'], create: ['s3:PutBucketObjectLockConfiguration'], update: ['s3:PutBucketObjectLockConfiguration'], remove: ['s3:PutBucketObjectLockConfiguration'] },
  aws_s3_bucket_logging: { read: ['s3:GetBucketLogging'], create: ['s3:PutBucketLogging'], update: ['s3:PutBucketLogging'], remove: ['s3:PutBucketLogging'] },
  aws_s3_bucket_policy: { read: ['s3:GetBucketPolicy'], create: ['s3:PutBucketPolicy'], update: ['s3:PutBucketPolicy'], remove: ['s3:DeleteBucketPolicy'] },
  // The guard (docs/guard.md). EventBridge: internal/service/events/{rule,target,bus,bus_policy}.go; a target is authorized on its rule.
  aws_cloudwatch_event_rule: {
    read: ['events:DescribeRule', 'events:ListTagsForResource'],
    create: ['events:PutRule', 'events:TagResource'],
    update: ['events:PutRule', 'events:TagResource', 'events:UntagResource'],
    remove: ['events:DeleteRule'],
  },
  aws_cloudwatch_event_target: { read: ['events:ListTargetsByRule'], create: ['events:PutTargets'], update: ['events:PutTargets'], remove: ['events:RemoveTargets'] },
  aws_cloudwatch_event_bus: {
    read: ['events:DescribeEventBus', 'events:ListTagsForResource'],
    create: ['events:CreateEventBus', 'events:TagResource'],
    update: ['events:UpdateEventBus', 'events:TagResource', 'events:UntagResource'],
    remove: ['events:DeleteEventBus'],
  },
  aws_cloudwatch_event_bus_policy: { read: ['events:DescribeEventBus'], create: ['events:PutPermission'], update: ['events:PutPermission'], remove: ['events:RemovePermission'] },
  // Organizations: internal/service/organizations/policy.go, policy_attachment.go. CreatePolicy has no resource yet (added below).
  aws_organizations_policy: {
    read: ['organizations:DescribePolicy', 'organizations:ListTagsForResource'],
    create: ['organizations:TagResource'],
    update: ['organizations:UpdatePolicy', 'organizations:TagResource', 'organizations:UntagResource'],
    remove: ['organizations:DeletePolicy'],
  },
  aws_organizations_policy_attachment: { read: ['organizations:ListTargetsForPolicy'], create: ['organizations:AttachPolicy'], update: [], remove: ['organizations:DetachPolicy'] },
};

/** Calls no deployer may make, whatever the config: they destroy evidence (docs/bootstrap.md). */
export const EVIDENCE_DESTROYING = new Set(['cloudtrail:DeleteTrail', 'kms:ScheduleKeyDeletion', 's3:DeleteBucket']);

export interface Call {
  readonly phase: 'plan' | 'apply';
  readonly request: IamRequest;
  /** `type.name: step` for messages. */
  readonly why: string;
}

const UUID = '5a5a5a5a-0000-4000-8000-00000000abcd';

/** A request of the role the policy is attached to (identity policies name no principal). */
function call(phase: Call['phase'], action: string, resource: string, region: string, why: string, context: IamRequest['context'] = {}): Call {
  return { phase, why, request: { principal: {}, action, resource, context: { 'aws:RequestedRegion': region, ...context } } };
}

export interface StackCalls {
  /** Every call of a plan and an apply (create and update) of the stack as synthesized. */
  readonly calls: readonly Call[];
  /** The remove calls of each resource, by address: what destroying it would ask. */
  readonly removals: ReadonlyMap<string, readonly Call[]>;
}

/** The id of a service control policy in the requests (unknown before it exists). */
const POLICY_ID = 'p-5a5a5a5a';

/** The calls of one synthesized stack (cdk.tf.json) of the main app (`organizationId` for the cloudtrail-guard stack's ARNs). */
export function stackCalls(stack: Json, partition: Partition, organizationId?: string): StackCalls {
  const providers: Json[] = ([] as Json[]).concat(stack.provider?.aws ?? []);
  const main = providers.find((p) => !p.alias)!;
  const account: string = main.allowed_account_ids[0];
  const regionOf = (body: Json) => {
    const alias = typeof body.provider === 'string' ? body.provider.replace(/^aws\./, '') : undefined;
    return (alias && providers.find((p) => p.alias === alias)?.region) || main.region;
  };
  const resources: [string, string, Json][] = [];
  for (const [type, byName] of Object.entries<Json>(stack.resource ?? {})) for (const [name, body] of Object.entries<Json>(byName)) resources.push([type, name, body]);
  const bodyOf = (type: string, name: string) => stack.resource?.[type]?.[name] as Json;
  // Adopted resources (Terraform import blocks) are read, never created.
  const imported = new Map<string, string>(([] as Json[]).concat(stack.import ?? []).map((i) => [String(i.to), String(i.id)]));

  /** The ARN a resource has (or will have), from its body; references are followed. */
  const arnOf = (type: string, name: string): string => {
    const body = bodyOf(type, name);
    const region = regionOf(body);
    switch (type) {
      case 'aws_cloudtrail':
        return `arn:${partition}:cloudtrail:${region}:${account}:trail/${body.name}`;
      case 'aws_kms_key':
        return `arn:${partition}:kms:${region}:${account}:key/${imported.get(`${type}.${name}`) ?? UUID}`;
      case 'aws_kms_alias':
        return `arn:${partition}:kms:${region}:${account}:${body.name}`;
      case 'aws_sns_topic':
        return `arn:${partition}:sns:${region}:${account}:${body.name}`;
      case 'aws_sqs_queue':
        return `arn:${partition}:sqs:${region}:${account}:${body.name}`;
      case 'aws_cloudwatch_log_group':
        return `arn:${partition}:logs:${region}:${account}:log-group:${body.name}`;
      case 'aws_iam_role':
        return `arn:${partition}:iam::${account}:role${body.path ?? '/'}${body.name}`;
      case 'aws_s3_bucket':
        return `arn:${partition}:s3:::${body.bucket}`;
      case 'aws_cloudwatch_event_bus':
        return `arn:${partition}:events:${region}:${account}:event-bus/${body.name}`;
      case 'aws_cloudwatch_event_rule': {
        // A rule on a custom bus: rule/<bus>/<rule>; on the default bus: rule/<rule>.
        const bus = body.event_bus_name === undefined || body.event_bus_name === 'default' ? undefined : nameOf(body.event_bus_name);
        return `arn:${partition}:events:${region}:${account}:rule/${bus ? `${bus}/` : ''}${body.name}`;
      }
      case 'aws_organizations_policy':
        if (!organizationId) throw new Error('deploy-calls: the organization id is needed for the ARN of an aws_organizations_policy');
        return `arn:${partition}:organizations::${account}:policy/${organizationId}/${String(body.type ?? 'SERVICE_CONTROL_POLICY').toLowerCase()}/${POLICY_ID}`;
      default:
        throw new Error(`no ARN for ${type}`);
    }
  };
  /** A literal ARN / name, or a reference `${type.name.attr}` turned into the referenced resource's ARN. */
  const follow = (value: string): string => {
    const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(value);
    return ref ? arnOf(ref[1], ref[2]) : value;
  };
  /** A literal name, or a reference `${type.name.name}` turned into the referenced resource's name. */
  function nameOf(value: string): string {
    const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.name\}$/.exec(value);
    return ref ? String(bodyOf(ref[1], ref[2]).name) : value;
  }
  const targetArnOf = (targetId: string) => {
    const kind = targetId.startsWith('r-') ? 'root' : targetId.startsWith('ou-') ? 'ou' : 'account';
    return `arn:${partition}:organizations::${account}:${kind}/${organizationId}/${targetId}`;
  };
  const defaultTags: Json = ([] as Json[]).concat(main.default_tags ?? [])[0]?.tags ?? {};
  const bucketArnOf = (body: Json) => (String(body.bucket).startsWith('${') ? follow(body.bucket) : `arn:${partition}:s3:::${body.bucket}`);

  const calls: Call[] = [];
  const removals = new Map<string, Call[]>();
  for (const [type, name, body] of resources) {
    const c = CALLS[type];
    if (!c) throw new Error(`deploy-calls: no calls known for ${type} (add them, with the provider file they come from)`);
    const region = regionOf(body);
    const where = `${type}.${name}`;
    const targets: string[] = (() => {
      switch (type) {
        case 'aws_kms_alias':
          return [arnOf(type, name), follow(body.target_key_id)];
        case 'aws_sns_topic_policy':
          return [follow(body.arn)];
        case 'aws_sns_topic_subscription':
          return [follow(body.topic_arn)];
        case 'aws_sqs_queue_policy':
          return [follow(body.queue_url)];
        case 'aws_iam_role_policy':
          return [follow(body.role)];
        case 'aws_cloudwatch_event_target':
          return [follow(body.rule)];
        case 'aws_cloudwatch_event_bus_policy':
          return [follow(body.event_bus_name)];
        case 'aws_organizations_policy_attachment':
          return [follow(body.policy_id)];
        default:
          return type.startsWith('aws_s3_bucket') && type !== 'aws_s3_bucket' ? [bucketArnOf(body)] : [arnOf(type, name)];
      }
    })();
    const iamRegion = type.startsWith('aws_iam') || type.startsWith('aws_organizations') ? 'us-east-1' : region;
    // Organizations policies: the requests carry the policy's tags (aws:ResourceTag once it exists, aws:RequestTag when they are set).
    const policyBody = type === 'aws_organizations_policy' ? body : type === 'aws_organizations_policy_attachment' ? bodyOf('aws_organizations_policy', /\.([A-Za-z0-9_-]+)\./.exec(body.policy_id)![1]) : undefined;
    const policyTags: Record<string, string> = policyBody ? { ...defaultTags, ...(policyBody.tags ?? {}) } : {};
    const resourceTags = Object.fromEntries(Object.entries(policyTags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    const requestTags = { ...Object.fromEntries(Object.entries(policyTags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(policyTags) };
    const each = (phase: Call['phase'], actions: readonly string[], step: string) => {
      const out: Call[] = [];
      for (const action of actions) {
        // ListAliases has no resource; CreateAlias/UpdateAlias/DeleteAlias act on the alias and on the key.
        const resources = action === 'kms:ListAliases' ? ['*'] : targets;
        // Tagging a policy as it is created sets its tags; every other call finds the policy's tags on it.
        const context = !policyBody ? {} : action === 'organizations:TagResource' && step === 'create' ? requestTags : resourceTags;
        for (const r of resources) out.push(call(phase, action, r, iamRegion, `${where}: ${step}`, context));
        // Attach and detach are authorized on the target too (a root, an OU or an account).
        if (action === 'organizations:AttachPolicy' || action === 'organizations:DetachPolicy') out.push(call(phase, action, targetArnOf(body.target_id), iamRegion, `${where}: ${step} (the target)`));
      }
      return out;
    };
    const adopted = imported.has(where);
    calls.push(...each('plan', c.read, 'read'), ...(adopted ? [] : each('apply', c.create, 'create')), ...each('apply', c.update, adopted ? 'update (imported)' : 'update'));
    removals.set(where, each('apply', c.remove, 'destroy'));

    if (type === 'aws_cloudtrail') {
      calls.push(call('plan', 'cloudtrail:DescribeTrails', '*', region, `${where}: read (DescribeTrails has no resource)`));
      if (body.cloud_watch_logs_role_arn) {
        calls.push(call('apply', 'iam:PassRole', follow(body.cloud_watch_logs_role_arn), 'us-east-1', `${where}: CreateTrail passes the delivery role`, { 'iam:PassedToService': 'cloudtrail.amazonaws.com' }));
      }
      if (body.is_organization_trail) {
        for (const a of ['organizations:DescribeOrganization', 'organizations:ListAccounts', 'organizations:ListAWSServiceAccessForOrganization']) {
          calls.push(call('plan', a, '*', 'us-east-1', `${where}: organization trail`));
        }
        const slr = `arn:${partition}:iam::${account}:role/aws-service-role/cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail`;
        calls.push(call('plan', 'iam:GetRole', slr, 'us-east-1', `${where}: organization trail`));
        calls.push(call('apply', 'iam:CreateServiceLinkedRole', slr, 'us-east-1', `${where}: organization trail`, { 'iam:AWSServiceName': 'cloudtrail.amazonaws.com' }));
      }
    }
    if (type === 'aws_cloudwatch_event_target' && body.role_arn) {
      calls.push(call('apply', 'iam:PassRole', follow(body.role_arn), 'us-east-1', `${where}: PutTargets passes the target's role`, { 'iam:PassedToService': 'events.amazonaws.com' }));
    }
    if (type === 'aws_organizations_policy') {
      // CreatePolicy: no policy exists yet (Resource "*"), with the policy type and the tags of the request.
      calls.push(call('apply', 'organizations:CreatePolicy', '*', 'us-east-1', `${where}: create`, { 'organizations:PolicyType': String(body.type ?? 'SERVICE_CONTROL_POLICY'), ...requestTags }));
    }
    if (type === 'aws_kms_key' && !adopted) calls.push(call('apply', 'kms:CreateKey', '*', region, `${where}: create (CreateKey has no resource)`), call('apply', 'kms:TagResource', '*', region, `${where}: create with tags`));
    if (type === 'aws_cloudwatch_log_group') {
      // DescribeLogGroups is authorized on the account's log groups, not on one of them.
      calls.push(call('plan', 'logs:DescribeLogGroups', `arn:${partition}:logs:${region}:${account}:log-group::log-stream:`, region, `${where}: read`));
      if (!adopted) calls.push(call('apply', 'logs:CreateLogGroup', `${arnOf(type, name)}:*`, region, `${where}: create (the log group with its stream wildcard)`));
    }
  }
  for (const [type, byName] of Object.entries<Json>(stack.data ?? {})) {
    for (const [name, body] of Object.entries<Json>(byName)) {
      if (type !== 'aws_kms_key') throw new Error(`deploy-calls: no calls known for data ${type}`);
      const m = /^arn:[^:]+:kms:([^:]+):(\d{12}):/.exec(String(body.key_id))!;
      calls.push(call('plan', 'kms:DescribeKey', `arn:${partition}:kms:${m[1]}:${m[2]}:key/${UUID}`, m[1], `data.${type}.${name}: read`));
    }
  }
  return { calls, removals };
}
