/**
 * `npm run validate` (scripts/validate.ts): the offline plan test it writes
 * next to each stack, and its loud skip when Terraform is missing. (Running
 * Terraform itself is the script's job, not Jest's.)
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { readFileSync } from 'fs';
import { hcl, planTest } from '../../scripts/validate';
import { configOf, ROOT, stackOf, synthFleet } from '../helpers/fleet';

const everyOption = synthFleet(configOf(parse(readFileSync(path.join(ROOT, 'config', 'examples', 'every-option.yaml'), 'utf8'))));
const ctx = { bucketName: 'my-bucket', accountIds: ['111111111111', '222222222222', '333333333333', '444444444444'] };

describe('the generated tests/plan.tftest.hcl', () => {
  test('HCL string literals escape template sequences', () => {
    expect(hcl('${aws:SourceAccount} %{x} "q" \\')).toBe('"$${aws:SourceAccount} %%{x} \\"q\\" \\\\"');
    expect(hcl(true)).toBe('true');
    expect(hcl(null)).toBe('null');
  });

  test('mocks every provider configuration, aliases included, with plan-time mock values', () => {
    const text = planTest(stackOf(everyOption, 'cloudtrail-account-444444444444'), ctx);
    expect(text.match(/^mock_provider "aws" \{/gm)).toHaveLength(2);
    expect(text).toContain('alias = "us-east-2"');
    expect(text).toContain('override_during = plan');
    expect(text).toMatch(/mock_data "aws_kms_key" \{\s+defaults = \{ arn = "arn:aws:kms:[^"]+:key\/[0-9a-f-]+" \}/);
  });

  test('a looked-up key gets a key ARN in the alias ARN\'s region and account, and the trail must use it', () => {
    const text = planTest(stackOf(everyOption, 'cloudtrail-account-444444444444'), ctx);
    expect(text).toContain('target          = data.aws_kms_key.key_111111111111_cloudtrail-logs');
    const keyArn = 'arn:aws:kms:us-east-2:111111111111:key/11111111-2222-3333-4444-555555555555';
    expect(text).toContain(`aws_cloudtrail.trail_sandbox-writes.kms_key_id == "${keyArn}"`);
    expect(text).toContain('aws_cloudtrail.trail_my-trail.kms_key_id == null');
  });

  test('asserts the trail settings from the synthesized JSON and the central bucket', () => {
    const text = planTest(stackOf(everyOption, 'cloudtrail-account-222222222222'), ctx);
    for (const line of [
      'aws_cloudtrail.trail_my-trail.name == "my-trail"',
      'aws_cloudtrail.trail_my-trail.s3_bucket_name == "my-bucket"',
      'aws_cloudtrail.trail_my-trail.s3_key_prefix == "team-a"',
      'aws_cloudtrail.trail_my-trail.is_multi_region_trail == true',
      'aws_cloudtrail.trail_my-trail.enable_log_file_validation == true',
      // Created resources get mocked ARNs at plan time, so the provider's ARN validators see real-looking values.
      'aws_cloudtrail.trail_my-trail.cloud_watch_logs_group_arn == "arn:aws:logs:us-east-2:222222222222:log-group:mock-log-group:*"',
      'aws_cloudtrail.trail_my-trail.kms_key_id == "arn:aws:kms:us-east-2:222222222222:key/11111111-2222-3333-4444-555555555555"',
    ]) {
      expect(text).toContain(`condition     = ${line}`);
    }
    expect(text).toMatch(/run "plan" \{\n  command = plan\n/);
  });

  test('the central stack: bucket name, no force_destroy, and a bucket policy naming every account', () => {
    const text = planTest(stackOf(everyOption, 'cloudtrail-central'), ctx);
    expect(text).toContain('aws_s3_bucket.log_bucket.bucket == "my-bucket"');
    expect(text).toContain('aws_s3_bucket.log_bucket.force_destroy == false');
    for (const id of ctx.accountIds) expect(text).toContain(`strcontains(aws_s3_bucket_policy.log_bucket_policy.policy, "${id}")`);
    expect(text).toContain('output.bucket_name == "my-bucket"');
  });
});

test('without terraform on PATH it says SKIPPED loudly, claims no pass, and exits 0', () => {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'app.js'), '--build-only'], { cwd: ROOT });
  const work = mkdtempSync(path.join(os.tmpdir(), 'validate-'));
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'validate.js'), path.join(ROOT, 'config', 'cloudtrail.yaml')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: path.join(work, 'empty-bin'), CLOUDTRAIL_VALIDATE_DIR: work },
    });
    expect(r.stderr).toContain('SKIPPED: terraform not found on PATH; Terraform did not check the generated stacks');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/validated|planned|Success|\bok\b/);
    expect(r.status).toBe(0);
    // It still synthesized the config (a config that does not synthesize would fail).
    expect(readdirSync(path.join(work, 'cloudtrail', 'out', 'stacks')).sort()).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
