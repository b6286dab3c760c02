/**
 * The arguments that make Terraform replace a resource (destroy and create
 * it again) when their value changes: `ForceNew: true` in the schema of the
 * aws provider, hashicorp/aws 5.100.0 (the binary in /opt/tf-plugins), for
 * every resource type the stacks use. `terraform providers schema -json`
 * does not print ForceNew, so the table was read from the provider's source
 * (hashicorp/terraform-provider-aws, internal/service/<service>/<file>) and
 * then measured on the 5.100.0 binary itself: a plan with `-refresh=false`
 * over a hand-written state in which every argument below differs lists
 * exactly these in `replace_paths` (__tests__/cli/lib/force-new-terraform.test.ts
 * repeats that measurement whenever Terraform and the mirror are present).
 *
 * Only top-level arguments are listed: no nested block argument of these
 * types forces replacement. An argument the stacks never write still counts
 * (a change of code could start writing it).
 */

export interface ForceNewArguments {
  /** The provider source file the schema is in (path under hashicorp/terraform-provider-aws). */
  readonly source: string;
  readonly args: readonly string[];
  /**
   * Arguments that are Optional + Computed: leaving them out of the config keeps
   * what the state has (no diff), so only a written value that differs replaces.
   */
  readonly computed?: readonly string[];
}

export const FORCE_NEW: Readonly<Record<string, ForceNewArguments>> = {
  aws_cloudtrail: { source: 'internal/service/cloudtrail/trail.go', args: ['name'] },
  aws_cloudwatch_event_bus: { source: 'internal/service/events/bus.go', args: ['event_source_name', 'name'] },
  aws_cloudwatch_event_bus_policy: { source: 'internal/service/events/bus_policy.go', args: ['event_bus_name'] },
  aws_cloudwatch_event_rule: { source: 'internal/service/events/rule.go', args: ['event_bus_name', 'name', 'name_prefix'], computed: ['name', 'name_prefix'] },
  aws_cloudwatch_event_target: { source: 'internal/service/events/target.go', args: ['event_bus_name', 'rule', 'target_id'], computed: ['target_id'] },
  aws_cloudwatch_log_group: { source: 'internal/service/logs/group.go', args: ['log_group_class', 'name', 'name_prefix'], computed: ['log_group_class', 'name', 'name_prefix'] },
  aws_iam_role: { source: 'internal/service/iam/role.go', args: ['name', 'name_prefix', 'path'], computed: ['name', 'name_prefix'] },
  aws_iam_role_policy: { source: 'internal/service/iam/role_policy.go', args: ['name', 'name_prefix', 'role'], computed: ['name'] },
  aws_kms_alias: { source: 'internal/service/kms/alias.go', args: ['name', 'name_prefix'], computed: ['name', 'name_prefix'] },
  aws_kms_key: {
    source: 'internal/service/kms/key.go',
    args: ['custom_key_store_id', 'customer_master_key_spec', 'key_usage', 'multi_region', 'xks_key_id'],
    computed: ['multi_region'],
  },
  aws_organizations_policy: { source: 'internal/service/organizations/policy.go', args: ['type'] },
  aws_organizations_policy_attachment: { source: 'internal/service/organizations/policy_attachment.go', args: ['policy_id', 'target_id'] },
  aws_s3_bucket: { source: 'internal/service/s3/bucket.go', args: ['bucket', 'bucket_prefix', 'object_lock_enabled'], computed: ['bucket', 'bucket_prefix', 'object_lock_enabled'] },
  aws_s3_bucket_lifecycle_configuration: { source: 'internal/service/s3/bucket_lifecycle_configuration.go', args: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_logging: { source: 'internal/service/s3/bucket_logging.go', args: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_object_lock_configuration: { source: 'internal/service/s3/bucket_object_lock_configuration.go', args: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_ownership_controls: { source: 'internal/service/s3/bucket_ownership_controls.go', args: ['bucket'] },
  aws_s3_bucket_policy: { source: 'internal/service/s3/bucket_policy.go', args: ['bucket'] },
  aws_s3_bucket_public_access_block: { source: 'internal/service/s3/bucket_public_access_block.go', args: ['bucket'] },
  aws_s3_bucket_server_side_encryption_configuration: { source: 'internal/service/s3/bucket_server_side_encryption_configuration.go', args: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_versioning: { source: 'internal/service/s3/bucket_versioning.go', args: ['bucket', 'expected_bucket_owner'] },
  aws_sns_topic: { source: 'internal/service/sns/topic.go', args: ['fifo_topic', 'name', 'name_prefix'], computed: ['name', 'name_prefix'] },
  aws_sns_topic_policy: { source: 'internal/service/sns/topic_policy.go', args: ['arn'] },
  aws_sns_topic_subscription: { source: 'internal/service/sns/topic_subscription.go', args: ['endpoint', 'protocol', 'topic_arn'] },
  aws_sqs_queue: { source: 'internal/service/sqs/queue.go', args: ['fifo_queue', 'name', 'name_prefix'], computed: ['name', 'name_prefix'] },
  aws_sqs_queue_policy: { source: 'internal/service/sqs/queue_policy.go', args: ['queue_url'] },
  // Terraform's built-in resource (terraform.io/builtin/terraform): only triggers_replace forces a new one.
  terraform_data: { source: 'terraform: internal/builtin/providers/terraform/resource_data.go', args: ['triggers_replace'] },
};

/** The ForceNew arguments of a resource type; undefined when the type is not in the table. */
export function forceNewArguments(type: string): ForceNewArguments | undefined {
  return Object.hasOwn(FORCE_NEW, type) ? FORCE_NEW[type] : undefined;
}
