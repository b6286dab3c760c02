import { IResolvable, Token } from 'cdktf';
import type { TerraformResource } from 'cdktf';
import type { FleetTrail } from './fleet-trail';

/** A reference whose text is known: resolves to itself, with no creation trace. */
class KnownReference implements IResolvable {
  readonly creationStack: string[] = [];
  constructor(private readonly expression: string) {}
  resolve(): string {
    return this.expression;
  }
  toString(): string {
    return Token.asString(this);
  }
}

/**
 * `${<type>.<name>.<attribute>}`: a reference to an attribute of a resource of
 * the same stack, as the text Terraform reads. It is exactly what the
 * provider binding's attribute getters (`trail.arn`, ...) synthesize, but a
 * token that resolves to its known text: each getter creates a cdktf token
 * that cdktf records with a stack trace and resolves on every pass of synth; with up to 11 of them per
 * account stack that cost about 0.3 CPU seconds at 1,000 accounts
 * (docs/performance.md). Only for references inside the resource's own stack.
 */
export function attributeRef(resource: TerraformResource, attribute: string): string {
  if (resource.forEach) throw new Error(`attributeRef: ${resource.node.path} uses for_each; use its attribute getters instead`);
  // A token, not plain text: plain text is literal and would be escaped (stacks/fleet-stack.ts).
  return Token.asString(new KnownReference(`\${${resource.terraformResourceType}.${resource.friendlyUniqueId}.${attribute}}`));
}

/**
 * The trail as `aws cloudtrail create-trail` prints it: the same keys, with
 * the optional ones present only when set.
 */
export function trailOutput(ft: FleetTrail): Record<string, unknown> {
  const ref = (attribute: string) => attributeRef(ft.trail, attribute);
  const cfg = ft.config;
  return {
    Name: ref('name'),
    S3BucketName: ref('s3_bucket_name'),
    ...(cfg.prefix ? { S3KeyPrefix: ref('s3_key_prefix') } : {}),
    IncludeGlobalServiceEvents: ref('include_global_service_events'),
    IsMultiRegionTrail: ref('is_multi_region_trail'),
    TrailARN: ref('arn'),
    LogFileValidationEnabled: ref('enable_log_file_validation'),
    IsOrganizationTrail: ref('is_organization_trail'),
    ...(cfg.kmsKey.kind !== 'none' ? { KmsKeyId: ref('kms_key_id') } : {}),
    // Not the trail's computed sns_topic_arn: the provider keeps its old value in the plan when sns_topic_name
    // changes, so after an apply that adds a topic to an existing trail this output stayed "" and every later
    // plan showed it changing (seen on the emulator with adopt-everything.yaml; plain Terraform 1.11.4 + aws 5.100.0).
    ...(ft.topic ? { SnsTopicARN: attributeRef(ft.topic, 'arn') } : cfg.sns?.kind === 'existing' ? { SnsTopicARN: cfg.sns.topicArn } : {}),
    ...(cfg.cloudWatchLogs ? { CloudWatchLogsLogGroupArn: ref('cloud_watch_logs_group_arn') } : {}),
  };
}
