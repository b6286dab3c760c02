/**
 * The shared trail module: one CloudTrail trail delivering into the central
 * bucket, with what the console's "Create trail" page offers: SSE-KMS (an
 * existing key or one created here), log file validation, SNS notification
 * (optionally with an SQS queue), CloudWatch Logs delivery, management and
 * data events, Insights, organization and multi-region trails.
 *
 * Terraform names derive from the trail name (`trail_<name>...`), never from
 * list positions, so adding or reordering accounts moves nothing.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Cloudtrail, CloudtrailConfig } from '@cdktf/provider-aws/lib/cloudtrail';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Partition } from '../config/rules';
import type { TrailConfig } from '../config/model';
import * as arns from './arns';
import { renderPolicy } from './policies/document';
import { trailKeyPolicy } from './policies/key-policies';
import { cloudWatchDeliveryRolePolicy, cloudWatchDeliveryTrustPolicy, snsTopicPolicy, sqsQueuePolicy } from './policies/delivery-policies';
import { eventSelectors, isDefaultSelectorSet } from './selectors';
import { pinAddress } from './log-bucket';
import { DELIVERY_ROLE_POLICY_NAME, importChildren, trailImportIds } from './adoption';

export interface FleetTrailProps {
  readonly partition: Partition;
  /** The resolved trail settings. */
  readonly trail: TrailConfig;
  /** The central bucket. */
  readonly bucketName: string;
  /** Region of the bucket: a key created for the trail must live there. */
  readonly bucketRegion: string;
  /**
   * Key ARN (or token) for `kms_key_id` when the trail uses an existing key
   * (central or `{ arn }`). Ignored for `{ create }`.
   * @default no key (SSE-S3), unless `kmsKey` is `{ create }`
   */
  readonly kmsKeyArn?: string;
  /** Principals that may decrypt with a key created here (the bucket owner's readers). */
  readonly keyReaders: readonly string[];
  /** Organization id, for organization trails. */
  readonly organizationId?: string;
  /** Provider for resources outside the stack's default region. */
  readonly providerFor: (region: string) => TerraformProvider | undefined;
  /** Tags for this trail's resources beyond the provider's default_tags. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

export class FleetTrail extends Construct {
  readonly trail: Cloudtrail;
  /** The trail's ARN, known from the config. */
  readonly trailArn: string;
  readonly kmsKey?: KmsKey;
  readonly topic?: SnsTopic;
  readonly queue?: SqsQueue;
  readonly logGroup?: CloudwatchLogGroup;
  readonly deliveryRole?: IamRole;
  /** The settings this trail was built from. */
  readonly config: TrailConfig;

  constructor(scope: Construct, id: string, props: FleetTrailProps) {
    super(scope, id);
    const { partition, trail: t } = props;
    this.config = t;
    const base = arns.terraformNameForTrail(t.trailName);
    const name = (suffix: string) => `${base}_${suffix}`;
    const tags = props.tags && Object.keys(props.tags).length > 0 ? { ...props.tags } : undefined;
    this.trailArn = arns.trailArn(partition, t.region, t.accountId, t.trailName);
    const dependsOn: ITerraformDependable[] = [];
    // The trail and its regional resources live in the trail's home region.
    const provider = props.providerFor(t.region);

    // --- SSE-KMS
    let kmsKeyId = t.kmsKey.kind === 'central' || t.kmsKey.kind === 'arn' ? props.kmsKeyArn : undefined;
    if (t.kmsKey.kind === 'create') {
      const keyProvider = props.providerFor(props.bucketRegion);
      this.kmsKey = pinAddress(
        new KmsKey(this, 'key', {
          provider: keyProvider,
          description: `cloudtrail-fleet: encrypts log files of trail ${t.trailName}`,
          enableKeyRotation: true,
          multiRegion: t.kmsKey.multiRegion,
          deletionWindowInDays: 30,
          policy: renderPolicy(
            trailKeyPolicy({
              partition,
              accountId: t.accountId,
              bucketName: props.bucketName,
              bucketRegion: props.bucketRegion,
              trails: [t],
              readers: props.keyReaders,
            }),
          ),
          tags,
        }),
        name('key'),
      );
      pinAddress(new KmsAlias(this, 'key-alias', { provider: keyProvider, name: t.kmsKey.alias, targetKeyId: this.kmsKey.keyId }), name('key_alias'));
      kmsKeyId = this.kmsKey.arn;
    }

    // --- SNS notification (and an SQS queue behind it)
    let snsTopic: string | undefined;
    // The provider reads `sns_topic_name` back as the bare name when the topic is in the trail's own
    // account and home region (the ARN otherwise): write it in that form, or every plan shows a change.
    if (t.sns?.kind === 'existing') {
      const topicName = t.sns.topicArn.split(':').pop()!;
      snsTopic = t.sns.topicArn === arns.snsTopicArn(partition, t.region, t.accountId, topicName) ? topicName : t.sns.topicArn;
    }
    if (t.sns?.kind === 'create') {
      const topicArn = arns.snsTopicArn(partition, t.region, t.accountId, t.sns.topicName);
      this.topic = pinAddress(new SnsTopic(this, 'topic', { provider, name: t.sns.topicName, tags }), name('topic'));
      const topicPolicy = pinAddress(
        new SnsTopicPolicy(this, 'topic-policy', { provider, arn: this.topic.arn, policy: renderPolicy(snsTopicPolicy(topicArn, this.trailArn)) }),
        name('topic_policy'),
      );
      dependsOn.push(topicPolicy); // CloudTrail checks the topic policy when the trail is saved.
      snsTopic = this.topic.name; // in the trail's account and region: the name (see above); keeps the dependency
      if (t.sns.sqsQueueName) {
        const queueArn = arns.sqsQueueArn(partition, t.region, t.accountId, t.sns.sqsQueueName);
        this.queue = pinAddress(new SqsQueue(this, 'queue', { provider, name: t.sns.sqsQueueName, sqsManagedSseEnabled: true, tags }), name('queue'));
        pinAddress(
          new SqsQueuePolicy(this, 'queue-policy', { provider, queueUrl: this.queue.url, policy: renderPolicy(sqsQueuePolicy(queueArn, topicArn)) }),
          name('queue_policy'),
        );
        pinAddress(
          new SnsTopicSubscription(this, 'queue-subscription', { provider, topicArn: this.topic.arn, protocol: 'sqs', endpoint: this.queue.arn }),
          name('queue_subscription'),
        );
      }
    }

    // --- CloudWatch Logs
    let cwlGroupArn: string | undefined;
    let cwlRoleArn: string | undefined;
    const cwl = t.cloudWatchLogs;
    if (cwl) {
      let groupArn: string;
      if (cwl.logGroup.kind === 'create') {
        groupArn = arns.logGroupArn(partition, t.region, t.accountId, cwl.logGroup.name);
        this.logGroup = pinAddress(
          new CloudwatchLogGroup(this, 'log-group', { provider, name: cwl.logGroup.name, retentionInDays: cwl.logGroup.retentionInDays, tags }),
          name('log_group'),
        );
        cwlGroupArn = `${this.logGroup.arn}:*`; // CloudTrail requires the log stream wildcard.
      } else {
        groupArn = cwl.logGroup.arn.replace(/:\*$/, '');
        cwlGroupArn = `${groupArn}:*`;
      }
      if (cwl.roleArn) {
        cwlRoleArn = cwl.roleArn;
      } else {
        this.deliveryRole = pinAddress(
          new IamRole(this, 'cwl-role', {
            name: deliveryRoleName(t.trailName),
            description: `cloudtrail-fleet: lets trail ${t.trailName} deliver to CloudWatch Logs`,
            assumeRolePolicy: renderPolicy(cloudWatchDeliveryTrustPolicy()),
            tags,
          }),
          name('cwl_role'),
        );
        const rolePolicy = pinAddress(
          new IamRolePolicy(this, 'cwl-role-policy', {
            name: DELIVERY_ROLE_POLICY_NAME,
            role: this.deliveryRole.id,
            policy: renderPolicy(cloudWatchDeliveryRolePolicy(groupArn, t.accountId, t.organizationTrail ? props.organizationId : undefined)),
          }),
          name('cwl_role_policy'),
        );
        dependsOn.push(rolePolicy); // The role must be able to write before the trail starts.
        cwlRoleArn = this.deliveryRole.arn;
      }
    }

    // --- Events
    const selectors = eventSelectors(partition, t);
    const selectorConfig: Pick<CloudtrailConfig, 'eventSelector' | 'advancedEventSelector'> = isDefaultSelectorSet(selectors)
      ? {} // CloudTrail's default; written out, the provider would read it back as none and diff forever.
      : selectors.kind === 'basic'
        ? {
            eventSelector: selectors.selectors.map((s) => ({
              readWriteType: s.readWriteType,
              includeManagementEvents: s.includeManagementEvents,
              excludeManagementEventSources: s.excludeManagementEventSources.length ? [...s.excludeManagementEventSources] : undefined,
              dataResource: s.dataResources.length ? s.dataResources.map((r) => ({ type: r.type, values: [...r.values] })) : undefined,
            })),
          }
        : {
            advancedEventSelector: selectors.selectors.map((s) => ({
              name: s.name || undefined,
              // jsii names the `equals` operator `equalTo`.
              fieldSelector: s.fieldSelectors.map((f) => ({
                field: f.field,
                equalTo: copy(f.equals),
                notEquals: copy(f.notEquals),
                startsWith: copy(f.startsWith),
                notStartsWith: copy(f.notStartsWith),
                endsWith: copy(f.endsWith),
                notEndsWith: copy(f.notEndsWith),
              })),
            })),
          };
    const insightSelector = [
      ...(t.insights.apiCallRate ? [{ insightType: 'ApiCallRateInsight' }] : []),
      ...(t.insights.apiErrorRate ? [{ insightType: 'ApiErrorRateInsight' }] : []),
    ];

    this.trail = pinAddress(
      new Cloudtrail(this, 'trail', {
        provider,
        name: t.trailName,
        s3BucketName: props.bucketName,
        s3KeyPrefix: t.prefix,
        isMultiRegionTrail: t.multiRegion,
        includeGlobalServiceEvents: t.includeGlobalServiceEvents,
        isOrganizationTrail: t.organizationTrail,
        enableLogFileValidation: t.logFileValidation,
        enableLogging: t.enableLogging,
        kmsKeyId,
        snsTopicName: snsTopic,
        cloudWatchLogsGroupArn: cwlGroupArn,
        cloudWatchLogsRoleArn: cwlRoleArn,
        ...selectorConfig,
        insightSelector: insightSelector.length ? insightSelector : undefined,
        tags,
        dependsOn: dependsOn.length ? dependsOn : undefined,
      }),
      base,
    );
    // An adopted trail: the trail and what this config creates for it are imported (modules/adoption.ts).
    if (t.adopt) importChildren(this, trailImportIds(partition, t, deliveryRoleName(t.trailName)));
  }
}

function copy(values: readonly string[] | undefined): string[] | undefined {
  return values ? [...values] : undefined;
}

/** IAM role names are at most 64 characters; long trail names are shortened with a stable hash. */
export function deliveryRoleName(trailName: string): string {
  const full = `CloudTrailToCWL-${trailName}`;
  if (full.length <= 64) return full;
  return `${full.slice(0, 55)}-${arns.stableHash(trailName)}`;
}
