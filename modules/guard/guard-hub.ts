/**
 * The guard's central receiver (docs/guard.md, "Detection"), in the central
 * account and region: an event bus whose policy admits only the fleet's
 * accounts, and with `deliverTo: snsTopic` an SNS topic behind it.
 *
 * Why a bus even for a topic: EventBridge delivers to an SNS topic of
 * another account only in the same region ("EventBridge supports sending
 * events to cross-account targets in the same Region"), while an event bus
 * of another account is a target from any region. So every account's rules
 * put their events on this bus, and a rule on the bus forwards them to the
 * topic in the same account and region.
 */
import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import type { GuardDelivery } from '../../config/schema';
import type { Partition } from '../../config/rules';
import { pinAddress } from '../addresses';
import * as arns from '../arns';
import { PolicyDocument, renderPolicy } from '../policies/document';
import { guardTopicPolicy } from './guard-policies';
import { CLOUDTRAIL_API_CALL } from './detection-rules';
import { GUARD_NAME, GUARD_TOPIC_RULE, GUARDED_ACTIONS } from './scope';

export interface GuardHubProps {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly deliverTo: GuardDelivery;
  /** The bus policy (modules/policies/guard-policies.ts, fleetEventBusPolicy). */
  readonly busPolicy: PolicyDocument;
}

/** What the central rule forwards to the topic: the guarded CloudTrail events the accounts' rules put on the bus. */
export function centralForwardPattern(): Record<string, unknown> {
  return { 'detail-type': [CLOUDTRAIL_API_CALL], source: Object.keys(GUARDED_ACTIONS).filter((s) => s !== 'events').map((s) => `aws.${s}`) };
}

export class GuardHub extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly topic?: SnsTopic;

  constructor(scope: Construct, id: string, props: GuardHubProps) {
    super(scope, id);
    this.bus = pinAddress(new CloudwatchEventBus(this, 'bus', { name: GUARD_NAME }), 'guard_bus');
    pinAddress(new CloudwatchEventBusPolicy(this, 'bus-policy', { eventBusName: this.bus.name, policy: renderPolicy(props.busPolicy) }), 'guard_bus_policy');
    if (props.deliverTo !== 'snsTopic') return;

    const topicArn = arns.snsTopicArn(props.partition, props.region, props.accountId, GUARD_NAME);
    // A rule on a custom bus: arn:...:rule/<bus name>/<rule name>.
    const ruleArn = arns.eventRuleArn(props.partition, props.region, props.accountId, `${GUARD_NAME}/${GUARD_TOPIC_RULE}`);
    this.topic = pinAddress(new SnsTopic(this, 'topic', { name: GUARD_NAME }), 'guard_topic');
    const topicPolicy = pinAddress(
      new SnsTopicPolicy(this, 'topic-policy', { arn: this.topic.arn, policy: renderPolicy(guardTopicPolicy(topicArn, ruleArn)) }),
      'guard_topic_policy',
    );
    const rule = pinAddress(
      new CloudwatchEventRule(this, 'to-topic', {
        name: GUARD_TOPIC_RULE,
        eventBusName: this.bus.name,
        description: 'cloudtrail-fleet guard: forwards tampering events of the fleet to the guard topic',
        eventPattern: JSON.stringify(centralForwardPattern()),
      }),
      'guard_to_topic',
    );
    pinAddress(
      new CloudwatchEventTarget(this, 'to-topic-target', {
        rule: rule.name,
        eventBusName: this.bus.name,
        targetId: 'guard-topic',
        arn: this.topic.arn,
        dependsOn: [topicPolicy], // the topic must accept the rule before events flow
      }),
      'guard_to_topic_target',
    );
  }
}
