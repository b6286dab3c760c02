/**
 * ARNs and names that are known from the config alone. Policies are rendered
 * at synth time from these, so no policy needs a cross-stack reference.
 */
import type { Partition } from '../config/rules';
import type { TrailConfig } from '../config/model';

export function trailArn(partition: Partition, region: string, accountId: string, trailName: string): string {
  return `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

// The ARNs the config needs itself live in config/arns.ts.
export { bucketArn, kmsAliasArn } from '../config/arns';

/**
 * The folder a trail writes into: `[<prefix>/]AWSLogs/<owner>/`, where owner is
 * the account id, or the organization id for an organization trail.
 */
export function logFolder(prefix: string | undefined, owner: string): string {
  return `${prefix ? `${prefix}/` : ''}AWSLogs/${owner}/`;
}

export function accountRootArn(partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function snsTopicArn(partition: Partition, region: string, accountId: string, topicName: string): string {
  return `arn:${partition}:sns:${region}:${accountId}:${topicName}`;
}

export function sqsQueueArn(partition: Partition, region: string, accountId: string, queueName: string): string {
  return `arn:${partition}:sqs:${region}:${accountId}:${queueName}`;
}

export function logGroupArn(partition: Partition, region: string, accountId: string, logGroupName: string): string {
  return `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`;
}

/** The ARN (without CloudTrail's `:*` stream wildcard) of the log group a trail delivers to: created, or named by ARN. */
export function deliveryLogGroupArn(partition: Partition, t: Pick<TrailConfig, 'region' | 'accountId' | 'cloudWatchLogs'>): string | undefined {
  const group = t.cloudWatchLogs?.logGroup;
  if (!group) return undefined;
  return group.kind === 'create' ? logGroupArn(partition, t.region, t.accountId, group.name) : group.arn.replace(/:\*$/, '');
}

/** Service principal of CloudTrail; the same name in every partition that CloudTrail serves here. */
export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

export function stackNameForAccount(accountId: string): string {
  return `cloudtrail-account-${accountId}`;
}

export const CENTRAL_STACK = 'cloudtrail-central';

/**
 * A Terraform-safe, injective name for a trail: trail names use letters,
 * digits, ".", "_" and "-" with no two of ".", "_", "-" adjacent, so mapping
 * "." to "--" (which no trail name contains) cannot collide.
 */
export function terraformNameForTrail(trailName: string): string {
  return `trail_${trailName.replace(/\./g, '--')}`;
}

/** A short hash that is the same on every run (for names that must be shortened or disambiguated). */
export function stableHash(text: string): string {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The management account's stack of the guard's service control policies (docs/guard.md). */
export const GUARD_STACK = 'cloudtrail-guard';

export function iamRoleArn(partition: Partition, accountId: string, nameWithPath: string): string {
  return `arn:${partition}:iam::${accountId}:role/${nameWithPath}`;
}

export function eventBusArn(partition: Partition, region: string, accountId: string, busName: string): string {
  return `arn:${partition}:events:${region}:${accountId}:event-bus/${busName}`;
}

/** A rule on an account's default event bus. */
export function eventRuleArn(partition: Partition, region: string, accountId: string, ruleName: string): string {
  return `arn:${partition}:events:${region}:${accountId}:rule/${ruleName}`;
}

/** The CloudWatch Logs delivery role created for a trail: IAM role names are at most 64 characters; long trail names are shortened with a stable hash. */
export function deliveryRoleName(trailName: string): string {
  const full = `CloudTrailToCWL-${trailName}`;
  if (full.length <= 64) return full;
  return `${full.slice(0, 55)}-${stableHash(trailName)}`;
}

/**
 * AWS Organizations ARNs (Service Authorization Reference, AWS Organizations:
 * resource types `policy`, `root`, `organizationalunit`, `account`); they
 * name the management account and the organization. A service control
 * policy's id (`p-...`) exists only once it is created.
 */
export function serviceControlPolicyArn(partition: Partition, managementAccountId: string, organizationId: string, policyId: string): string {
  return `arn:${partition}:organizations::${managementAccountId}:policy/${organizationId}/service_control_policy/${policyId}`;
}

/** The ARN of a policy target: a root (`r-...`), an OU (`ou-...`) or a member account (12 digits). */
export function organizationsTargetArn(partition: Partition, managementAccountId: string, organizationId: string, targetId: string): string {
  const kind = targetId.startsWith('r-') ? 'root' : targetId.startsWith('ou-') ? 'ou' : 'account';
  return `arn:${partition}:organizations::${managementAccountId}:${kind}/${organizationId}/${targetId}`;
}
