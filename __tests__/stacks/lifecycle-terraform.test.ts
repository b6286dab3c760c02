/**
 * Terraform itself, offline (terraform test + mock providers): an account
 * stack is applied with two active trails, then planned with one trail on
 * `lifecycle: decommission` and the other on `retain`, on the same state.
 * The plan must destroy everything of the decommissioned trail and forget
 * (not destroy) everything of the retained one.
 *
 * Needs `terraform` >= 1.11 (run `state_key`) and the provider mirror
 * (CLOUDTRAIL_TF_PLUGIN_DIR, default /opt/tf-plugins); without them the test
 * is skipped and says so.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configOf } from '../helpers/fleet';
import { synthStacks } from '../../cli/lib/fleet-synth';

const PLUGIN_DIR = process.env.CLOUDTRAIL_TF_PLUGIN_DIR || '/opt/tf-plugins';
const hasTerraform = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0 && existsSync(PLUGIN_DIR);
if (!hasTerraform) console.warn(`SKIPPED: lifecycle Terraform test needs terraform on PATH and a provider mirror at ${PLUGIN_DIR}; Terraform did not check decommission/retain`);

const fleet = (lifecycle: { a?: string; b?: string }) =>
  configOf({
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket', kmsKey: false },
    accounts: [
      { accountId: '444444444444', trailName: 'trail-a', lifecycle: lifecycle.a, sns: { create: { topicName: 'ct-a', sqsQueue: true } }, cloudWatchLogs: { create: { logGroupName: 'ct-a' } } },
      { accountId: '444444444444', trailName: 'trail-b', lifecycle: lifecycle.b, region: 'eu-west-1', kmsKey: { create: { alias: 'alias/ct-b' } } },
    ],
  });

function accountStack(config: ReturnType<typeof fleet>): Record<string, any> {
  const stack = synthStacks(config).get('cloudtrail-account-444444444444') as Record<string, any>;
  delete stack.terraform.backend; // terraform test keeps its own state
  return stack;
}

// The mock providers need real-looking ARNs where the provider validates them.
const TEST = `
mock_provider "aws" {
  mock_resource "aws_iam_role" { defaults = { arn = "arn:aws:iam::444444444444:role/CloudTrailToCWL-trail-a" } }
}
mock_provider "aws" {
  alias = "us-east-2"
  mock_resource "aws_sns_topic" { defaults = { arn = "arn:aws:sns:us-east-2:444444444444:ct-a" } }
  mock_resource "aws_sqs_queue" { defaults = { arn = "arn:aws:sqs:us-east-2:444444444444:ct-a", url = "https://sqs.us-east-2.amazonaws.com/444444444444/ct-a" } }
  mock_resource "aws_cloudwatch_log_group" { defaults = { arn = "arn:aws:logs:us-east-2:444444444444:log-group:ct-a" } }
  mock_resource "aws_kms_key" { defaults = { arn = "arn:aws:kms:us-east-2:444444444444:key/11111111-2222-3333-4444-555555555555" } }
}
run "active" {
  command   = apply
  state_key = "account"
  module { source = "./active" }
}
run "leave" {
  command   = plan
  state_key = "account"
}
`;

(hasTerraform ? test : test.skip)(
  'decommission destroys the trail, topic, queue, log group and role; retain forgets the trail and key without destroying them',
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lifecycle-tf-'));
    try {
      mkdirSync(path.join(dir, 'active'));
      mkdirSync(path.join(dir, 'tests'));
      writeFileSync(path.join(dir, 'active', 'cdk.tf.json'), JSON.stringify(accountStack(fleet({}))));
      writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(accountStack(fleet({ a: 'decommission', b: 'retain' }))));
      writeFileSync(path.join(dir, 'tests', 'leave.tftest.hcl'), TEST);
      const rc = path.join(dir, 'terraform.rc');
      writeFileSync(
        rc,
        `provider_installation {\n  filesystem_mirror {\n    path = "${PLUGIN_DIR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
      );
      const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', AWS_EC2_METADATA_DISABLED: 'true' };
      for (const k of Object.keys(env)) if (/^TF_(CLI_ARGS|DATA_DIR|WORKSPACE|VAR_)/.test(k)) delete env[k];
      const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
      if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}${init.stderr}`);
      const run = spawnSync('terraform', ['test', '-verbose', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
      const out = run.stdout + run.stderr;
      expect(out).toContain('Success! 2 passed, 0 failed.');
      const destroyed = [...out.matchAll(/# (\S+) will be destroyed/g)].map((m) => m[1]).sort();
      const forgotten = [...out.matchAll(/# (\S+) will no longer be managed by Terraform, but will not be destroyed/g)].map((m) => m[1]).sort();
      expect(destroyed).toEqual([
        'aws_cloudtrail.trail_trail-a',
        'aws_cloudwatch_log_group.trail_trail-a_log_group',
        'aws_iam_role.trail_trail-a_cwl_role',
        'aws_iam_role_policy.trail_trail-a_cwl_role_policy',
        'aws_sns_topic.trail_trail-a_topic',
        'aws_sns_topic_policy.trail_trail-a_topic_policy',
        'aws_sns_topic_subscription.trail_trail-a_queue_subscription',
        'aws_sqs_queue.trail_trail-a_queue',
        'aws_sqs_queue_policy.trail_trail-a_queue_policy',
      ]);
      expect(forgotten).toEqual(['aws_cloudtrail.trail_trail-b', 'aws_kms_alias.trail_trail-b_key_alias', 'aws_kms_key.trail_trail-b_key']);
      expect(out).toContain('Plan: 0 to add, 0 to change, 9 to destroy.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
