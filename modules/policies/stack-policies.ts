/**
 * Every IAM policy one stack deploys, computed from the config alone with
 * the same builders the stacks use (no synth, no cdk.tf.json): for
 * `npm run policies` and for reading a policy before any plan.
 * `__tests__/scripts/policies.test.ts` checks each one against the policy
 * the synthesized stack actually carries.
 */
import type { FleetConfig, TrailConfig } from '../../config/model';
import { trailsByAccount } from '../../config/model';
import * as arns from '../arns';
import { cloudWatchDeliveryRolePolicy, cloudWatchDeliveryTrustPolicy, snsTopicPolicy, sqsQueuePolicy } from './delivery-policies';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES, PolicyDocument, policyBytes } from './document';
import { fleetPolicies, trailKeyReaders } from './fleet-policies';
import { trailKeyPolicy } from './key-policies';
import { admittedArns } from './trail-ref';

export interface StackPolicy {
  /** Terraform address of the resource (or output) that carries the policy, and its attribute. */
  readonly address: string;
  readonly attribute: 'policy' | 'assume_role_policy' | 'value';
  /** What it is, in words. */
  readonly title: string;
  readonly document: PolicyDocument;
  readonly bytes: number;
  /** The AWS size limit, where one applies to this kind of policy. */
  readonly limitBytes?: number;
  /** The encoding chosen for a central policy. */
  readonly encoding?: string;
}

/** Accounts with a stack: those with active trails and those whose trails are leaving the fleet (their stack stays until emptied). */
function accountIds(config: FleetConfig): string[] {
  return [...new Set([...trailsByAccount(config).keys(), ...trailsByAccount({ trails: config.leaving }).keys()])];
}

/** The stack names of a config: `cloudtrail-central`, then one per account. */
export function stackNames(config: FleetConfig): string[] {
  return [arns.CENTRAL_STACK, ...accountIds(config).map(arns.stackNameForAccount)];
}

/**
 * The policies of one stack; undefined when the config has no such stack.
 * Trails leaving the fleet (decommission, retain) deploy no policy.
 */
export function stackPolicies(config: FleetConfig, stackName: string): StackPolicy[] | undefined {
  if (stackName === arns.CENTRAL_STACK) return centralPolicies(config);
  const accountId = accountIds(config).find((id) => arns.stackNameForAccount(id) === stackName);
  if (accountId === undefined) return undefined;
  return (trailsByAccount(config).get(accountId) ?? []).flatMap((t) => trailPolicies(config, t));
}

function centralPolicies(config: FleetConfig): StackPolicy[] {
  const { central } = config;
  const { bucket, centralKey } = fleetPolicies(config);
  // bucketManagement none: the stack deploys no bucket policy; it outputs it for the bucket's owner.
  const asOutput = central.bucketManagement === 'none';
  const out: StackPolicy[] = [
    {
      address: asOutput ? 'output.bucket_policy' : 'aws_s3_bucket_policy.log_bucket_policy',
      attribute: asOutput ? 'value' : 'policy',
      title: `bucket policy of s3://${central.bucketName}${asOutput ? ' (bucketManagement: none: not deployed here; output for the bucket owner to apply)' : ''}`,
      document: bucket.document,
      bytes: bucket.bytes,
      limitBytes: BUCKET_POLICY_LIMIT_BYTES,
      encoding: bucket.encoding,
    },
  ];
  if (centralKey && central.kmsKey) {
    out.push({
      address: 'aws_kms_key.central_key',
      attribute: 'policy',
      title: `key policy of the central key ${central.kmsKey.alias}`,
      document: centralKey.document,
      bytes: centralKey.bytes,
      limitBytes: KEY_POLICY_LIMIT_BYTES,
      encoding: centralKey.encoding,
    });
  }
  return out;
}

function sized(p: Omit<StackPolicy, 'bytes'>): StackPolicy {
  return { ...p, bytes: policyBytes(p.document) };
}

/** The policies FleetTrail creates for one trail, in the order it creates them. */
function trailPolicies(config: FleetConfig, t: TrailConfig): StackPolicy[] {
  const { partition, central } = config;
  const base = arns.terraformNameForTrail(t.trailName);
  const out: StackPolicy[] = [];
  if (t.kmsKey.kind === 'create') {
    out.push(
      sized({
        address: `aws_kms_key.${base}_key`,
        attribute: 'policy',
        title: `key policy of ${t.kmsKey.alias} (trail ${t.trailName})`,
        document: trailKeyPolicy({ partition, accountId: t.accountId, bucketName: central.bucketName, bucketRegion: central.region, trails: [t], readers: trailKeyReaders(config) }),
        limitBytes: KEY_POLICY_LIMIT_BYTES,
      }),
    );
  }
  if (t.sns?.kind === 'create') {
    const topicArn = arns.snsTopicArn(partition, t.region, t.accountId, t.sns.topicName);
    out.push(
      sized({
        address: `aws_sns_topic_policy.${base}_topic_policy`,
        attribute: 'policy',
        title: `SNS topic policy of ${t.sns.topicName} (trail ${t.trailName})`,
        document: snsTopicPolicy(topicArn, admittedArns(partition, t)),
      }),
    );
    if (t.sns.sqsQueueName) {
      out.push(
        sized({
          address: `aws_sqs_queue_policy.${base}_queue_policy`,
          attribute: 'policy',
          title: `SQS queue policy of ${t.sns.sqsQueueName} (subscribed to ${t.sns.topicName})`,
          document: sqsQueuePolicy(arns.sqsQueueArn(partition, t.region, t.accountId, t.sns.sqsQueueName), topicArn),
        }),
      );
    }
  }
  const cwl = t.cloudWatchLogs;
  if (cwl && !cwl.roleArn) {
    const groupArn = arns.deliveryLogGroupArn(partition, t)!;
    out.push(
      sized({
        address: `aws_iam_role.${base}_cwl_role`,
        attribute: 'assume_role_policy',
        title: `trust policy of the CloudWatch Logs delivery role (trail ${t.trailName})`,
        document: cloudWatchDeliveryTrustPolicy(),
      }),
      sized({
        address: `aws_iam_role_policy.${base}_cwl_role_policy`,
        attribute: 'policy',
        title: `permissions of the CloudWatch Logs delivery role (trail ${t.trailName})`,
        document: cloudWatchDeliveryRolePolicy(groupArn, t.accountId, t.organizationTrail ? config.organization?.id : undefined),
      }),
    );
  }
  return out;
}
