/**
 * Policies for the optional deliveries of a trail: SNS notifications, the SQS
 * queue behind them, and CloudWatch Logs (facts §4, §5).
 */
import { CLOUDTRAIL_PRINCIPAL } from '../arns';
import { policy, PolicyDocument } from './document';

/** Topic policy: only this trail may publish (`aws:SourceArn`; while a trail is renamed, the old and the new one). */
export function snsTopicPolicy(topicArn: string, trailArns: string | readonly string[]): PolicyDocument {
  const sources = typeof trailArns === 'string' ? trailArns : trailArns.length === 1 ? trailArns[0] : [...trailArns];
  return policy([
    {
      Sid: 'AWSCloudTrailSNSPolicy',
      Effect: 'Allow',
      Principal: { Service: CLOUDTRAIL_PRINCIPAL },
      Action: 'SNS:Publish',
      Resource: topicArn,
      Condition: { StringEquals: { 'aws:SourceArn': sources } },
    },
  ]);
}

/** Queue policy: only messages from this topic are accepted. */
export function sqsQueuePolicy(queueArn: string, topicArn: string): PolicyDocument {
  return policy([
    {
      Sid: 'AllowTrailNotificationTopic',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
    },
  ]);
}

/** Trust policy of the delivery role: CloudTrail only. */
export function cloudWatchDeliveryTrustPolicy(): PolicyDocument {
  return policy([
    {
      Sid: 'AllowCloudTrailToAssume',
      Effect: 'Allow',
      Principal: { Service: CLOUDTRAIL_PRINCIPAL },
      Action: 'sts:AssumeRole',
    },
  ]);
}

/**
 * Permissions of the delivery role: create streams and put events only in
 * the CloudTrail streams of one log group. Stream names are
 * `<account>_CloudTrail_<region>[_n]`; organization trails add `<org id>_*`.
 */
export function cloudWatchDeliveryRolePolicy(logGroupArn: string, accountId: string, organizationId?: string): PolicyDocument {
  const streams = [`${logGroupArn}:log-stream:${accountId}_CloudTrail_*`];
  if (organizationId) streams.push(`${logGroupArn}:log-stream:${organizationId}_*`);
  return policy([
    { Sid: 'AWSCloudTrailCreateLogStream', Effect: 'Allow', Action: 'logs:CreateLogStream', Resource: streams },
    { Sid: 'AWSCloudTrailPutLogEvents', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: streams },
  ]);
}
