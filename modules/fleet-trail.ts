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
import { Op, TerraformSelf } from 'cdktf';
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
import { admittedArns } from './policies/trail-ref';
import { trailKeyPolicy } from './policies/key-policies';
import { cloudWatchDeliveryRolePolicy, cloudWatchDeliveryTrustPolicy, snsTopicPolicy, sqsQueuePolicy } from './policies/delivery-policies';
import { EventSelectors, eventSelectors, isDefaultSelectorSet } from './selectors';
import { pinAddress } from './addresses';
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

/**
 * The construct id of a trail's module: prefixed, so that no trail name (`trail`, `aws`, `constructor`,
 * an output's name) can collide with another child of the stack or with what a plain object inherits.
 */
export function trailConstructId(trailName: string): string {
  return `trail-${trailName}`;
}

/** What the trail resource gets from the optional deliveries built before it. */
interface Deliveries {
  kmsKeyId?: string;
  snsTopicName?: string;
  cloudWatchLogsGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  /** Resources CloudTrail checks when the trail is saved. */
  readonly dependsOn: ITerraformDependable[];
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

  private readonly props: FleetTrailProps;
  /** Terraform names: `trail_<name>` for the trail, `trail_<name>_<suffix>` for the rest. */
  private readonly baseName: string;
  private readonly resourceTags?: Record<string, string>;
  /** The trail and its regional resources live in the trail's home region. */
  private readonly homeProvider?: TerraformProvider;

  constructor(scope: Construct, id: string, props: FleetTrailProps) {
    super(scope, id);
    const { partition, trail: t } = props;
    this.props = props;
    this.config = t;
    this.baseName = arns.terraformNameForTrail(t.trailName);
    this.resourceTags = props.tags && Object.keys(props.tags).length > 0 ? { ...props.tags } : undefined;
    this.trailArn = arns.trailArn(partition, t.region, t.accountId, t.trailName);
    this.homeProvider = props.providerFor(t.region);

    const deliveries: Deliveries = { dependsOn: [] };
    this.kmsKey = this.encryption(deliveries);
    ({ topic: this.topic, queue: this.queue } = this.notifications(deliveries));
    ({ logGroup: this.logGroup, role: this.deliveryRole } = this.cloudWatchLogsDelivery(deliveries));

    const insightSelector = [
      ...(t.insights.apiCallRate ? [{ insightType: 'ApiCallRateInsight' }] : []),
      ...(t.insights.apiErrorRate ? [{ insightType: 'ApiErrorRateInsight' }] : []),
    ];
    this.trail = pinAddress(
      new Cloudtrail(this, 'trail', {
        provider: this.homeProvider,
        name: t.trailName,
        s3BucketName: props.bucketName,
        s3KeyPrefix: t.prefix,
        isMultiRegionTrail: t.multiRegion,
        includeGlobalServiceEvents: t.includeGlobalServiceEvents,
        isOrganizationTrail: t.organizationTrail,
        enableLogFileValidation: t.logFileValidation,
        enableLogging: t.enableLogging,
        kmsKeyId: deliveries.kmsKeyId,
        snsTopicName: deliveries.snsTopicName,
        cloudWatchLogsGroupArn: deliveries.cloudWatchLogsGroupArn,
        cloudWatchLogsRoleArn: deliveries.cloudWatchLogsRoleArn,
        ...selectorArguments(eventSelectors(partition, t)),
        insightSelector: insightSelector.length ? insightSelector : undefined,
        tags: this.resourceTags,
        dependsOn: deliveries.dependsOn.length ? deliveries.dependsOn : undefined,
        lifecycle: trailLifecycle(t),
      }),
      this.baseName,
    );
    // An adopted trail: the trail and what this config creates for it are imported (modules/adoption.ts).
    if (t.adopt) importChildren(this, trailImportIds(partition, t, deliveryRoleName(t.trailName)));
  }

  private name(suffix: string): string {
    return `${this.baseName}_${suffix}`;
  }

  /** SSE-KMS: an existing key (central or `{ arn }`), or a key created in the bucket's region (`{ create }`). */
  private encryption(out: Deliveries): KmsKey | undefined {
    const { trail: t, partition } = this.props;
    if (t.kmsKey.kind === 'central' || t.kmsKey.kind === 'arn') out.kmsKeyId = this.props.kmsKeyArn;
    if (t.kmsKey.kind !== 'create') return undefined;
    // A trail's key must be in the bucket's region, whatever the trail's home region is.
    const keyProvider = this.props.providerFor(this.props.bucketRegion);
    const key = pinAddress(
      new KmsKey(this, 'key', {
        provider: keyProvider,
        description: `cloudtrail-fleet: encrypts log files of trail ${t.trailName}`,
        enableKeyRotation: true,
        multiRegion: t.kmsKey.multiRegion,
        deletionWindowInDays: 30,
        // Its replacement (a change of multiRegion) would schedule the deletion of the key of every log file it encrypted:
        // refused. Leaving the config is not a replacement: it is forgotten (modules/change-safety.ts), or destroyed with deleteKeys.
        lifecycle: { preventDestroy: true },
        policy: renderPolicy(
          trailKeyPolicy({
            partition,
            accountId: t.accountId,
            bucketName: this.props.bucketName,
            bucketRegion: this.props.bucketRegion,
            trails: [t],
            readers: this.props.keyReaders,
          }),
        ),
        tags: this.resourceTags,
      }),
      this.name('key'),
    );
    pinAddress(new KmsAlias(this, 'key-alias', { provider: keyProvider, name: t.kmsKey.alias, targetKeyId: key.keyId }), this.name('key_alias'));
    out.kmsKeyId = key.arn;
    return key;
  }

  /** SNS notification for every log file, optionally with an SQS queue behind the topic. */
  private notifications(out: Deliveries): { topic?: SnsTopic; queue?: SqsQueue } {
    const { trail: t, partition } = this.props;
    const provider = this.homeProvider;
    // The provider reads `sns_topic_name` back as the bare name when the topic is in the trail's own
    // account and home region (the ARN otherwise): write it in that form, or every plan shows a change.
    if (t.sns?.kind === 'existing') {
      const topicName = t.sns.topicArn.split(':').pop()!;
      out.snsTopicName = t.sns.topicArn === arns.snsTopicArn(partition, t.region, t.accountId, topicName) ? topicName : t.sns.topicArn;
      return {};
    }
    if (t.sns?.kind !== 'create') return {};
    const topicArn = arns.snsTopicArn(partition, t.region, t.accountId, t.sns.topicName);
    const topic = pinAddress(new SnsTopic(this, 'topic', { provider, name: t.sns.topicName, tags: this.resourceTags }), this.name('topic'));
    const topicPolicy = pinAddress(
      new SnsTopicPolicy(this, 'topic-policy', { provider, arn: topic.arn, policy: renderPolicy(snsTopicPolicy(topicArn, admittedArns(partition, t))) }),
      this.name('topic_policy'),
    );
    out.dependsOn.push(topicPolicy); // CloudTrail checks the topic policy when the trail is saved.
    out.snsTopicName = topic.name; // in the trail's account and region: the name (see above); keeps the dependency
    if (!t.sns.sqsQueueName) return { topic };
    const queueArn = arns.sqsQueueArn(partition, t.region, t.accountId, t.sns.sqsQueueName);
    const queue = pinAddress(
      new SqsQueue(this, 'queue', { provider, name: t.sns.sqsQueueName, sqsManagedSseEnabled: true, tags: this.resourceTags }),
      this.name('queue'),
    );
    pinAddress(
      new SqsQueuePolicy(this, 'queue-policy', { provider, queueUrl: queue.url, policy: renderPolicy(sqsQueuePolicy(queueArn, topicArn)) }),
      this.name('queue_policy'),
    );
    pinAddress(
      new SnsTopicSubscription(this, 'queue-subscription', { provider, topicArn: topic.arn, protocol: 'sqs', endpoint: queue.arn }),
      this.name('queue_subscription'),
    );
    return { topic, queue };
  }

  /** CloudWatch Logs: a log group (created or existing) and the role CloudTrail assumes to write to it. */
  private cloudWatchLogsDelivery(out: Deliveries): { logGroup?: CloudwatchLogGroup; role?: IamRole } {
    const { trail: t, partition } = this.props;
    const cwl = t.cloudWatchLogs;
    if (!cwl) return {};
    const groupArn = arns.deliveryLogGroupArn(partition, t)!;
    let logGroup: CloudwatchLogGroup | undefined;
    if (cwl.logGroup.kind === 'create') {
      logGroup = pinAddress(
        new CloudwatchLogGroup(this, 'log-group', {
          provider: this.homeProvider,
          name: cwl.logGroup.name,
          retentionInDays: cwl.logGroup.retentionInDays,
          tags: this.resourceTags,
        }),
        this.name('log_group'),
      );
      out.cloudWatchLogsGroupArn = `${logGroup.arn}:*`; // CloudTrail requires the log stream wildcard.
    } else {
      out.cloudWatchLogsGroupArn = `${groupArn}:*`;
    }
    if (cwl.roleArn) {
      out.cloudWatchLogsRoleArn = cwl.roleArn;
      return { logGroup };
    }
    const role = pinAddress(
      new IamRole(this, 'cwl-role', {
        name: deliveryRoleName(t.trailName),
        description: `cloudtrail-fleet: lets trail ${t.trailName} deliver to CloudWatch Logs`,
        assumeRolePolicy: renderPolicy(cloudWatchDeliveryTrustPolicy()),
        tags: this.resourceTags,
      }),
      this.name('cwl_role'),
    );
    const rolePolicy = pinAddress(
      new IamRolePolicy(this, 'cwl-role-policy', {
        name: DELIVERY_ROLE_POLICY_NAME,
        role: role.id,
        policy: renderPolicy(cloudWatchDeliveryRolePolicy(groupArn, t.accountId, t.organizationTrail ? this.props.organizationId : undefined)),
      }),
      this.name('cwl_role_policy'),
    );
    out.dependsOn.push(rolePolicy); // The role must be able to write before the trail starts.
    out.cloudWatchLogsRoleArn = role.arn;
    return { logGroup, role };
  }
}

/**
 * The trail's lifecycle:
 * - `create_before_destroy`: the only change that replaces a trail is its name (a rename, `renamedFrom`); the new
 *   trail then starts logging before the old one is deleted, so there is no gap.
 * - a postcondition on its home region: CloudTrail cannot move a trail, and the provider reads a trail by its ARN
 *   from any region, so a changed `region` would plan "No changes" while the trail stays where it is (and the central
 *   policies stop admitting it). Terraform refuses the plan instead, saying how to move a trail.
 */
export function trailLifecycle(t: Pick<TrailConfig, 'trailName' | 'region' | 'accountId'>): NonNullable<CloudtrailConfig['lifecycle']> {
  return {
    createBeforeDestroy: true,
    postcondition: [{ condition: Op.eq(TerraformSelf.getString('home_region'), t.region), errorMessage: homeRegionMessage(t) }],
  };
}

/** What Terraform says when a trail's configured home region is not the one it lives in. */
export function homeRegionMessage(t: Pick<TrailConfig, 'trailName' | 'region' | 'accountId'>): string {
  return (
    `Trail ${t.trailName} of account ${t.accountId} is configured with home region ${t.region}, but the deployed trail's home_region (shown above) ` +
    `is another region: CloudTrail cannot move a trail, and a second trail of that name cannot exist beside a multi-region one. ` +
    `To move it safely: keep this entry with its old region, add an entry with another trailName in ${t.region} next to it and deploy ` +
    `(both trails log, both are admitted); then set lifecycle: decommission on the old entry and deploy; then remove the old entry. ` +
    `docs/changing-safely.md, "Moving a trail to another home region".`
  );
}

/** The trail's selector arguments, basic or advanced (never both: the API and the provider refuse a mix). */
export function selectorArguments(selectors: EventSelectors): Pick<CloudtrailConfig, 'eventSelector' | 'advancedEventSelector'> {
  // CloudTrail's default; written out, the provider would read it back as none and diff forever.
  if (isDefaultSelectorSet(selectors)) return {};
  if (selectors.kind === 'basic') {
    return {
      eventSelector: selectors.selectors.map((s) => ({
        readWriteType: s.readWriteType,
        includeManagementEvents: s.includeManagementEvents,
        excludeManagementEventSources: s.excludeManagementEventSources.length ? [...s.excludeManagementEventSources] : undefined,
        dataResource: s.dataResources.length ? s.dataResources.map((r) => ({ type: r.type, values: [...r.values] })) : undefined,
      })),
    };
  }
  return {
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
