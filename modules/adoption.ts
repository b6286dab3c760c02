/**
 * Adopting resources that already exist: Terraform `import` blocks
 * (Terraform >= 1.5) written into the stack, so `cdktf plan` shows
 * "N to import" and the first apply takes them over instead of failing on a
 * name that is taken. An import block for a resource already in the state
 * is a no-op, so leaving `adopt` on after the apply changes nothing.
 *
 * Import IDs are the forms hashicorp/aws 5.100.0 reads (its docs' "Import"
 * sections; the trail's `id` is its ARN since 5.0, facts [TF:trail.go]):
 *
 * | resource                                   | import ID                       |
 * |--------------------------------------------|---------------------------------|
 * | aws_s3_bucket and every aws_s3_bucket_*    | bucket name                     |
 * | aws_kms_key                                | key id (not derivable from an alias) |
 * | aws_kms_alias                              | alias name, `alias/x`           |
 * | aws_cloudtrail                             | trail ARN (home region)         |
 * | aws_sns_topic, aws_sns_topic_policy        | topic ARN                       |
 * | aws_sqs_queue, aws_sqs_queue_policy        | queue URL                       |
 * | aws_cloudwatch_log_group                   | log group name                  |
 * | aws_iam_role                               | role name                       |
 * | aws_iam_role_policy                        | `role name:policy name`         |
 *
 * The S3 parts are imported by the bare bucket name, never
 * `bucket,expected_bucket_owner`: that form sets `expected_bucket_owner` in
 * the state, which the config does not set, and the attribute forces a new
 * resource. An SNS subscription's ARN cannot be known from the config, so
 * the queue's subscription is not imported: Terraform subscribes the queue
 * again, which SNS answers with the existing subscription (Subscribe is
 * idempotent for the same topic, protocol and endpoint).
 */
import type { Construct } from 'constructs';
import { TerraformProvider, TerraformResource } from 'cdktf';
import type { Partition } from '../config/rules';
import type { TrailConfig } from '../config/model';
import type { TrailPart } from '../config/adoption';
import * as arns from './arns';

/**
 * Marks a resource as existing: synth writes an `import` block for it.
 *
 * cdktf's `importFrom` also registers a synth-time check that runs
 * `terraform version`; synth must work without Terraform, and
 * Terraform itself rejects `import` blocks before 1.5 with a clear error, so
 * that check is taken off again here.
 */
export function importExisting<T extends TerraformResource>(resource: T, id: string, provider?: TerraformProvider): T {
  const validations = (resource.node as unknown as { _validations?: unknown[] })._validations;
  const before = validations?.length ?? 0;
  resource.importFrom(id, provider);
  if (validations && validations.length === before + 1) validations.pop();
  return resource;
}

/** The domain of regional AWS endpoints in a partition (for SQS queue URLs). */
function endpointDomain(partition: Partition): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** Import ID of an SQS queue (and its policy): the queue URL, as GetQueueUrl returns it. */
export function sqsQueueUrl(partition: Partition, region: string, accountId: string, queueName: string): string {
  return `https://sqs.${region}.${endpointDomain(partition)}/${accountId}/${queueName}`;
}

/** Import ID of an inline role policy: `role:policy`. */
export function rolePolicyImportId(roleName: string, policyName: string): string {
  return `${roleName}:${policyName}`;
}

/** Name of the inline policy FleetTrail puts on a delivery role it creates. */
export const DELIVERY_ROLE_POLICY_NAME = 'cloudtrail-delivery';

/**
 * Import IDs of what FleetTrail creates for an adopted trail, by construct
 * id: the trail, and where the config creates them, its SNS topic and topic
 * policy, SQS queue and queue policy, log group, delivery role and role
 * policy. Not imported: the queue's subscription (see above) and a key of
 * `kmsKey: { create }` (its key id is not in the config; to keep using an
 * existing key, name it with `kmsKey: { arn }`).
 */
/** The FleetTrail children (construct ids) of each part a trail's `adopt.except` may name. */
const CHILDREN_OF_PART: Record<TrailPart, readonly string[]> = {
  topic: ['topic', 'topic-policy'],
  queue: ['queue', 'queue-policy'],
  logGroup: ['log-group'],
  deliveryRole: ['cwl-role', 'cwl-role-policy'],
};

export function trailImportIds(partition: Partition, t: TrailConfig, deliveryRoleName: string): Map<string, string> {
  const ids = new Map<string, string>([['trail', arns.trailArn(partition, t.region, t.accountId, t.trailName)]]);
  if (t.sns?.kind === 'create') {
    const topicArn = arns.snsTopicArn(partition, t.region, t.accountId, t.sns.topicName);
    ids.set('topic', topicArn).set('topic-policy', topicArn);
    if (t.sns.sqsQueueName) {
      const url = sqsQueueUrl(partition, t.region, t.accountId, t.sns.sqsQueueName);
      ids.set('queue', url).set('queue-policy', url);
    }
  }
  const cwl = t.cloudWatchLogs;
  if (cwl?.logGroup.kind === 'create') ids.set('log-group', cwl.logGroup.name);
  if (cwl && !cwl.roleArn) ids.set('cwl-role', deliveryRoleName).set('cwl-role-policy', rolePolicyImportId(deliveryRoleName, DELIVERY_ROLE_POLICY_NAME));
  // Parts the existing trail does not have yet are created, not imported.
  for (const part of t.adoptExcept) for (const childId of CHILDREN_OF_PART[part]) ids.delete(childId);
  return ids;
}

/** Imports the children of `scope` named in `ids` (construct id -> import ID), each through its own provider. */
export function importChildren(scope: Construct, ids: ReadonlyMap<string, string>): void {
  for (const [childId, importId] of ids) {
    const child = scope.node.tryFindChild(childId);
    if (!(child instanceof TerraformResource)) throw new Error(`${scope.node.path}: nothing to import at ${childId}`);
    importExisting(child, importId, child.provider);
  }
}
