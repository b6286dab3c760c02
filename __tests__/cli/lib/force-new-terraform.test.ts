/**
 * The ForceNew table (cli/lib/force-new.ts) measured on the real aws 5.100.0
 * provider: one resource of each type in a hand-written state, planned
 * offline (`-refresh=false`) with a config in which the table's arguments and
 * one ordinary argument differ. The plan's `replace_paths` must name exactly
 * the table's arguments that changed.
 *
 * Needs terraform and the provider mirror; skipped (and says so) without them.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FORCE_NEW } from '../../../cli/lib/force-new';
import { hasTerraformAndMirror, PLUGIN_DIR } from '../../helpers/terraform-plan';

if (!hasTerraformAndMirror) console.warn(`SKIPPED: the ForceNew table test needs terraform on PATH and a provider mirror at ${PLUGIN_DIR}`);

type Json = Record<string, any>;
const K1 = 'arn:aws:kms:us-east-2:111111111111:key/11111111-2222-3333-4444-555555555555';
const K2 = 'arn:aws:kms:us-east-2:111111111111:key/21111111-2222-3333-4444-555555555555';
const doc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::b' }] });
const keyDoc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }] });
const busDoc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'events:PutEvents', Resource: '*' }] });
const scpDoc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Deny', Action: 'cloudtrail:StopLogging', Resource: '*' }] });
const trust = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/**
 * Per type: the state (`before`, with an `id` and the provider's defaults),
 * the config (`after`), and `same`: an ordinary argument that changes too
 * (it must not force a replacement).
 */
const CASES: Record<string, { schemaVersion?: number; before: Json; after: Json; ordinary: string }> = {
  aws_cloudtrail: {
    schemaVersion: 1,
    before: { id: 'arn:aws:cloudtrail:us-east-2:111111111111:trail/trail-a', name: 'trail-a', s3_bucket_name: 'bucket-a', enable_logging: true, include_global_service_events: true },
    after: { name: 'trail-b', s3_bucket_name: 'bucket-b' },
    ordinary: 's3_bucket_name',
  },
  aws_cloudwatch_event_bus: {
    before: { id: 'bus-a', name: 'bus-a', event_source_name: 'aws.partner/a.com/1/x', description: 'a' },
    after: { name: 'bus-b', event_source_name: 'aws.partner/b.com/1/x', description: 'b' },
    ordinary: 'description',
  },
  aws_cloudwatch_event_bus_policy: {
    before: { id: 'bus-a', event_bus_name: 'bus-a', policy: busDoc('A') },
    after: { event_bus_name: 'bus-b', policy: busDoc('B') },
    ordinary: 'policy',
  },
  aws_cloudwatch_event_rule: {
    schemaVersion: 1,
    before: { id: 'bus-a/rule-a', name: 'rule-a', name_prefix: '', event_bus_name: 'bus-a', description: 'a', event_pattern: '{"source":["a"]}', state: 'ENABLED', is_enabled: true, force_destroy: false },
    after: { name: 'rule-b', event_bus_name: 'bus-b', description: 'b', event_pattern: '{"source":["a"]}' },
    ordinary: 'description',
  },
  aws_cloudwatch_event_target: {
    schemaVersion: 1,
    before: { id: 'bus-a-rule-a-t-a', rule: 'rule-a', target_id: 't-a', event_bus_name: 'bus-a', arn: 'arn:aws:events:us-east-2:111111111111:event-bus/x', input: '{"a":1}', force_destroy: false },
    after: { rule: 'rule-b', target_id: 't-b', event_bus_name: 'bus-b', arn: 'arn:aws:events:us-east-2:111111111111:event-bus/x', input: '{"a":2}' },
    ordinary: 'input',
  },
  aws_cloudwatch_log_group: {
    before: { id: 'lg-a', name: 'lg-a', log_group_class: 'STANDARD', retention_in_days: 365, skip_destroy: false },
    after: { name: 'lg-b', log_group_class: 'INFREQUENT_ACCESS', retention_in_days: 30 },
    ordinary: 'retention_in_days',
  },
  aws_iam_role: {
    before: { id: 'role-a', name: 'role-a', path: '/', description: 'a', assume_role_policy: trust('A'), max_session_duration: 3600, force_detach_policies: false },
    after: { name: 'role-b', path: '/x/', description: 'b', assume_role_policy: trust('A') },
    ordinary: 'description',
  },
  aws_iam_role_policy: {
    before: { id: 'role-a:p-a', name: 'p-a', role: 'role-a', policy: doc('A') },
    after: { name: 'p-b', role: 'role-b', policy: doc('B') },
    ordinary: 'policy',
  },
  aws_kms_alias: {
    before: { id: 'alias/a', name: 'alias/a', target_key_id: K1 },
    after: { name: 'alias/b', target_key_id: K2 },
    ordinary: 'target_key_id',
  },
  aws_kms_key: {
    before: { id: '11111111-2222-3333-4444-555555555555', description: 'a', key_usage: 'ENCRYPT_DECRYPT', customer_master_key_spec: 'SYMMETRIC_DEFAULT', multi_region: false, enable_key_rotation: true, is_enabled: true, bypass_policy_lockout_safety_check: false, policy: keyDoc('A') },
    after: { description: 'b', key_usage: 'ENCRYPT_DECRYPT', customer_master_key_spec: 'SYMMETRIC_DEFAULT', multi_region: true, custom_key_store_id: 'cks-1234567890abcdef0', enable_key_rotation: true, policy: keyDoc('A') },
    ordinary: 'description',
  },
  aws_organizations_policy: {
    before: { id: 'p-abcdefgh', name: 'scp-a', type: 'SERVICE_CONTROL_POLICY', description: 'a', content: scpDoc('A'), skip_destroy: false },
    after: { name: 'scp-a', type: 'TAG_POLICY', description: 'a', content: scpDoc('B') },
    ordinary: 'content',
  },
  aws_organizations_policy_attachment: {
    before: { id: 'r-ab12:p-abcdefgh', policy_id: 'p-abcdefgh', target_id: 'r-ab12', skip_destroy: false },
    after: { policy_id: 'p-bcdefghi', target_id: 'r-cd34', skip_destroy: true },
    ordinary: 'skip_destroy',
  },
  aws_s3_bucket: {
    before: { id: 'bucket-a', bucket: 'bucket-a', force_destroy: false, object_lock_enabled: false },
    after: { bucket: 'bucket-b', force_destroy: true, object_lock_enabled: true },
    ordinary: 'force_destroy',
  },
  aws_s3_bucket_lifecycle_configuration: {
    schemaVersion: 1,
    before: { id: 'bucket-a', bucket: 'bucket-a', expected_bucket_owner: '', rule: [{ id: 'a', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 10 }] }] },
    after: { bucket: 'bucket-b', expected_bucket_owner: '111111111111', rule: [{ id: 'a', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 20 }] }] },
    ordinary: 'rule',
  },
  aws_s3_bucket_logging: {
    before: { id: 'bucket-a', bucket: 'bucket-a', target_bucket: 'tb-a', target_prefix: 'a/' },
    after: { bucket: 'bucket-b', expected_bucket_owner: '111111111111', target_bucket: 'tb-a', target_prefix: 'b/' },
    ordinary: 'target_prefix',
  },
  aws_s3_bucket_object_lock_configuration: {
    before: { id: 'bucket-a', bucket: 'bucket-a', object_lock_enabled: 'Enabled', rule: [{ default_retention: [{ mode: 'GOVERNANCE', days: 1 }] }] },
    after: { bucket: 'bucket-b', expected_bucket_owner: '111111111111', object_lock_enabled: 'Enabled', rule: { default_retention: { mode: 'COMPLIANCE', days: 2 } } },
    ordinary: 'rule',
  },
  aws_s3_bucket_ownership_controls: {
    before: { id: 'bucket-a', bucket: 'bucket-a', rule: [{ object_ownership: 'BucketOwnerEnforced' }] },
    after: { bucket: 'bucket-b', rule: { object_ownership: 'BucketOwnerPreferred' } },
    ordinary: 'rule',
  },
  aws_s3_bucket_policy: {
    before: { id: 'bucket-a', bucket: 'bucket-a', policy: doc('A') },
    after: { bucket: 'bucket-b', policy: doc('B') },
    ordinary: 'policy',
  },
  aws_s3_bucket_public_access_block: {
    before: { id: 'bucket-a', bucket: 'bucket-a', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    after: { bucket: 'bucket-b', block_public_acls: false, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    ordinary: 'block_public_acls',
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    before: { id: 'bucket-a', bucket: 'bucket-a', rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms', kms_master_key_id: K1 }], bucket_key_enabled: true }] },
    after: { bucket: 'bucket-b', expected_bucket_owner: '111111111111', rule: { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } } },
    ordinary: 'rule',
  },
  aws_s3_bucket_versioning: {
    before: { id: 'bucket-a', bucket: 'bucket-a', versioning_configuration: [{ status: 'Enabled' }] },
    after: { bucket: 'bucket-b', expected_bucket_owner: '111111111111', versioning_configuration: { status: 'Suspended' } },
    ordinary: 'versioning_configuration',
  },
  aws_sns_topic: {
    before: { id: 'arn:aws:sns:us-east-2:111111111111:topic-a', name: 'topic-a', fifo_topic: false, display_name: 'a' },
    after: { name: 'topic-b.fifo', fifo_topic: true, display_name: 'b' },
    ordinary: 'display_name',
  },
  aws_sns_topic_policy: {
    before: { id: 'arn:aws:sns:us-east-2:111111111111:topic-a', arn: 'arn:aws:sns:us-east-2:111111111111:topic-a', policy: doc('A') },
    after: { arn: 'arn:aws:sns:us-east-2:111111111111:topic-b', policy: doc('B') },
    ordinary: 'policy',
  },
  aws_sns_topic_subscription: {
    before: { id: 'arn:aws:sns:us-east-2:111111111111:topic-a:1', topic_arn: 'arn:aws:sns:us-east-2:111111111111:topic-a', protocol: 'sqs', endpoint: 'arn:aws:sqs:us-east-2:111111111111:qa', raw_message_delivery: false },
    after: { topic_arn: 'arn:aws:sns:us-east-2:111111111111:topic-b', protocol: 'lambda', endpoint: 'arn:aws:lambda:us-east-2:111111111111:function:f', raw_message_delivery: true },
    ordinary: 'raw_message_delivery',
  },
  aws_sqs_queue: {
    before: { id: 'https://sqs.us-east-2.amazonaws.com/111111111111/q-a', name: 'q-a', fifo_queue: false, sqs_managed_sse_enabled: true },
    after: { name: 'q-b.fifo', fifo_queue: true, sqs_managed_sse_enabled: false },
    ordinary: 'sqs_managed_sse_enabled',
  },
  aws_sqs_queue_policy: {
    before: { id: 'https://sqs.us-east-2.amazonaws.com/111111111111/q-a', queue_url: 'https://sqs.us-east-2.amazonaws.com/111111111111/q-a', policy: doc('A') },
    after: { queue_url: 'https://sqs.us-east-2.amazonaws.com/111111111111/q-b', policy: doc('B') },
    ordinary: 'policy',
  },
};

(hasTerraformAndMirror ? test : test.skip)(
  'changing the table\'s arguments replaces each aws resource type, and an ordinary argument does not',
  () => {
    // Every aws type of the table has a case (terraform_data is Terraform's own, documented by Terraform).
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(FORCE_NEW).filter((t) => t.startsWith('aws_')).sort());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'force-new-'));
    try {
      const rc = path.join(dir, 'terraform.rc');
      writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = "${PLUGIN_DIR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`);
      const resource: Json = {};
      const resources: Json[] = [];
      for (const [type, c] of Object.entries(CASES)) {
        resource[type] = { r: c.after };
        resources.push({
          mode: 'managed',
          type,
          name: 'r',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ schema_version: c.schemaVersion ?? 0, attributes: { ...c.before, tags: {}, tags_all: {} } }],
        });
      }
      const provider = { region: 'us-east-2', access_key: 'AKIAFAKE', secret_key: 'fake', skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true };
      writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } }, provider: { aws: [provider] }, resource }));
      writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-4000-8000-000000000001', outputs: {}, resources }));
      const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', AWS_EC2_METADATA_DISABLED: 'true' };
      for (const k of Object.keys(env)) if (/^(TF_(CLI_ARGS|DATA_DIR|WORKSPACE|VAR_)|AWS_(PROFILE|ACCESS|SECRET|SESSION))/.test(k)) delete env[k];
      const tf = (...args: string[]) => {
        const r = spawnSync('terraform', [...args, '-no-color'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
        return r.stdout;
      };
      tf('init', '-input=false');
      tf('plan', '-refresh=false', '-input=false', '-lock=false', '-out=plan.bin');
      const plan = JSON.parse(tf('show', '-json', 'plan.bin'));
      const measured: Record<string, string[]> = {};
      const expected: Record<string, string[]> = {};
      for (const rc2 of plan.resource_changes) measured[rc2.type] = [...new Set<string>((rc2.change.replace_paths ?? []).map((p: string[]) => p[0]))].sort();
      for (const [type, c] of Object.entries(CASES)) {
        // The table's arguments whose value differs between state and config.
        expected[type] = FORCE_NEW[type].args.filter((a) => c.after[a] !== undefined && JSON.stringify(c.after[a]) !== JSON.stringify(c.before[a])).sort();
        expect(expected[type]).not.toContain(c.ordinary);
        expect(expected[type].length).toBeGreaterThan(0);
      }
      expect(measured).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  120_000,
);
