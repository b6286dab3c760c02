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
import { CHECK_ALL_UP_TO, configRunNames, ConfigRun, ConfigSynth, coverage, hasBootstrap, hcl, maskedContent, planTest, policiesFromSummary, sampleAccountStacks, SPREAD_FROM, stackFingerprint, StackResult } from '../../tools/validate';
import { synthBootstrapStacks } from '../helpers/bootstrap';
import { mkdirSync, writeFileSync } from 'fs';
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
    // eu-west-1 (default), us-east-2 (the central key's lookup), us-east-1 (the guard's rule on IAM events).
    expect(text.match(/^mock_provider "aws" \{/gm)).toHaveLength(3);
    expect(text).toContain('alias = "us-east-2"');
    expect(text).toContain('alias = "us-east-1"');
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
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
  const work = mkdtempSync(path.join(os.tmpdir(), 'validate-'));
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'tools', 'validate.js'), path.join(ROOT, 'config', 'cloudtrail.yaml')], {
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

describe('two configs with the same file name are two configs (a/fleet.json, b/fleet.json)', () => {
  const dirs = { work: '/p/.tmp/validate', config: '/p/config', cwd: '/p' };

  test('each gets a work folder of its own, never inside another\'s', () => {
    expect(configRunNames(['/p/a/fleet.json', '/p/b/fleet.json', '/p/config/examples/every-option.yaml', '/p/.tmp/validate/generated/fleet-1000.yaml', '/elsewhere/fleet.json'], dirs)).toEqual([
      'other/a--fleet',
      'other/b--fleet',
      'examples/every-option',
      'generated/fleet-1000',
      'other/elsewhere--fleet',
    ]);
    // The same name twice (the same file given twice, or fleet.yaml beside fleet.json) and a folder inside another's.
    expect(configRunNames(['/p/fleet.yaml', '/p/fleet.json', '/p/fleet.yaml'], dirs)).toEqual(['other/fleet', 'other--fleet', 'other--fleet-2']);
    expect(configRunNames(['/p/.tmp/validate/x.yaml', '/p/.tmp/validate/x/y.yaml', '/p/.tmp/validate/x/y.json'], dirs)).toEqual(['x', 'x--y', 'x--y-2']);
  });

  test('npm run validate a/fleet.json b/fleet.json synthesizes each into its own folder (terraform absent: synthesis only)', () => {
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
    const work = mkdtempSync(path.join(os.tmpdir(), 'validate-same-name-'));
    try {
      const one = parse(readFileSync(path.join(ROOT, 'config', 'cloudtrail.yaml'), 'utf8'));
      const three = { ...one, accounts: [...one.accounts, { accountId: '333333333333' }, { accountId: '444444444444' }] };
      for (const [dir, raw] of [['a', one], ['b', three]] as const) {
        mkdirSync(path.join(work, dir), { recursive: true });
        writeFileSync(path.join(work, dir, 'fleet.json'), JSON.stringify(raw));
      }
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'tools', 'validate.js'), 'a/fleet.json', 'b/fleet.json'], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, PATH: path.join(work, 'empty-bin'), CLOUDTRAIL_VALIDATE_DIR: path.join(work, '.validate') },
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/synth other\/a--fleet: 2 stacks/);
      expect(r.stdout).toMatch(/synth other\/b--fleet: 4 stacks/);
      expect(readdirSync(path.join(work, '.validate', 'other', 'a--fleet', 'out', 'stacks'))).toHaveLength(2);
      expect(readdirSync(path.join(work, '.validate', 'other', 'b--fleet', 'out', 'stacks'))).toHaveLength(4);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  const run = (name: string, outdir: string): ConfigRun => ({ file: `/p/${name}.json`, name, outdir });
  const synthOf = (config: ConfigRun, checked: number): ConfigSynth => ({ config, stacks: checked, checked, policies: '' });
  const result = (config: ConfigRun, stack: string, ok: boolean): StackResult => ({
    job: { config, stack: { name: stack, dir: `${config.outdir}/stacks/${stack}`, dependencies: [] }, ctx: { accountIds: [] } },
    init: true,
    validate: true,
    plan: ok,
    backend: true,
    seconds: 1,
    times: '',
  });

  test('the coverage table counts each config\'s own results: a failure is never shown as success', () => {
    const a = run('other/fleet', '/w/a/out');
    const b = run('other/fleet', '/w/b/out'); // even under the same name
    const results = new Map([
      [a, [result(a, 'cloudtrail-central', true), result(a, 'cloudtrail-account-222222222222', true)]],
      [b, [result(b, 'cloudtrail-central', false), result(b, 'cloudtrail-account-222222222222', false)]],
    ]);
    const lines = coverage([synthOf(a, 2), synthOf(b, 2)], results, true, 1).split('\n');
    expect(lines.filter((l) => l.includes('other/fleet'))).toEqual([expect.stringMatching(/2 stacks, 2\/2 checked ok$/), expect.stringMatching(/2 stacks, 0\/2 checked ok, 2 FAILED$/)]);
    // A stack selected but never checked is said too.
    expect(coverage([synthOf(a, 3)], new Map([[a, results.get(a)!]]), true, 1)).toMatch(/2\/3 checked ok, 1 NOT CHECKED/);
  });

  test('two configs in one work folder, or a result of no listed config: no table at all', () => {
    const a = run('x', '/w/same/out');
    const b = run('y', '/w/same/out');
    expect(() => coverage([synthOf(a, 1), synthOf(b, 1)], new Map(), true, 1)).toThrow(/two configs shared a work folder/);
    const c = run('z', '/w/z/out');
    expect(() => coverage([synthOf(a, 1)], new Map([[c, [result(c, 's', true)]]]), true, 1)).toThrow(/a result belongs to no config/);
  });
});

describe('which account stacks Terraform checks in a large fleet', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `cloudtrail-account-${String(200_000_000_000 + i).padStart(12, '0')}`);
  const sameShape = () => 'one shape';

  test('every account stack up to CHECK_ALL_UP_TO', () => {
    expect(sampleAccountStacks(names(CHECK_ALL_UP_TO), sameShape)).toEqual(names(CHECK_ALL_UP_TO));
  });

  test('beyond: the first, deterministically (account stacks do not change with the fleet size)', () => {
    const all = names(334);
    expect(sampleAccountStacks(all, sameShape)).toEqual([all[0]]);
    expect(sampleAccountStacks(all, sameShape)).toEqual(sampleAccountStacks(all, sameShape));
  });

  test(`from ${SPREAD_FROM} accounts, the last and two in between as well`, () => {
    const all = names(1000);
    expect(sampleAccountStacks(all, sameShape)).toEqual([all[0], all[333], all[666], all[999]]);
  });

  test('and the first stack of every other shape (e.g. the management account with its organization trail)', () => {
    const all = names(50);
    const shape = (s: string) => (s === all[17] || s === all[30] ? 'with an SNS topic' : s === all[40] ? 'two trails' : 'plain');
    expect(sampleAccountStacks(all, shape)).toEqual([all[0], all[17], all[40]]);
  });

  test('a stack shape is its resource and data source types with counts, providers, outputs and backend, not its names', () => {
    const a = stackOf(everyOption, 'cloudtrail-account-222222222222');
    const renamed = JSON.parse(JSON.stringify(a).replace(/222222222222/g, '999999999999').replace(/my-trail/g, 'other-trail'));
    expect(stackFingerprint(renamed)).toBe(stackFingerprint(a));
    expect(stackFingerprint(stackOf(everyOption, 'cloudtrail-account-444444444444'))).not.toBe(stackFingerprint(a));
    const withoutTopic = JSON.parse(JSON.stringify(a));
    delete withoutTopic.resource.aws_sns_topic;
    expect(stackFingerprint(withoutTopic)).not.toBe(stackFingerprint(a));
  });
});

test('the policy encodings are read from the synth summary, wherever the app prints it', () => {
  const summary = [
    'cloudtrail-fleet: 50 accounts, 50 trails, 51 stacks',
    '  bucket policy: 3738 of 20480 bytes (18.3%), encoding per-prefix-trail-arns',
    '  central key policy: 11665 of 32768 bytes (35.6%), encoding per-trail',
  ].join('\n');
  expect(policiesFromSummary(summary)).toBe('bucket 3738 B per-prefix-trail-arns, key 11665 B per-trail');
  expect(policiesFromSummary('  bucket policy: 852 of 20480 bytes (4.2%), encoding per-account')).toBe('bucket 852 B per-account');
  expect(policiesFromSummary('nothing')).toBe('');
  expect(policiesFromSummary('  guard: 2 service control policies (per-account; 4882, 1207 of 5120 characters) on r-ab12, stack cloudtrail-guard')).toBe('scp 4882+1207 chars per-account');
});

describe('bootstrap stacks', () => {
  test('a config with a bootstrap section gets its bootstrap stacks checked; one without does not', () => {
    expect(hasBootstrap(path.join(ROOT, 'config', 'examples', 'bootstrap-ci-principal.yaml'))).toBe(true);
    expect(hasBootstrap(path.join(ROOT, 'config', 'examples', 'bootstrap-hcp-terraform.yaml'))).toBe(true);
    expect(hasBootstrap(path.join(ROOT, 'config', 'cloudtrail.yaml'))).toBe(false);
    expect(hasBootstrap(path.join(ROOT, 'no-such-file.yaml'))).toBe(false);
  });

  test('the plan test of a bootstrap stack asserts each role name and path and the OIDC provider URL', () => {
    const config = configOf(parse(readFileSync(path.join(ROOT, 'config', 'examples', 'bootstrap-hcp-terraform.yaml'), 'utf8')));
    const stack = synthBootstrapStacks(config).stacks.get('cloudtrail-bootstrap-222222222222')!;
    const text = planTest(stack, { accountIds: [] });
    expect(text).toContain('condition     = aws_iam_role.role_cloudtrail-account-222222222222-apply.name == "cloudtrail-account-222222222222-apply"');
    expect(text).toContain('condition     = aws_iam_role.role_cloudtrail-account-222222222222-plan.path == "/cloudtrail-fleet/"');
    expect(text).toContain('condition     = aws_iam_openid_connect_provider.hcp_terraform_oidc_provider.url == "https://app.terraform.io"');
  });
});

describe('twins: generated stacks that are the same Terraform, account ids aside', () => {
  const stack = (account: string, bucket = 'logs') => ({
    '//': { metadata: { path: `fleet/${account}` } },
    provider: { aws: [{ region: 'us-east-1', allowed_account_ids: [account] }] },
    resource: { aws_cloudtrail: { trail: { name: 'org-trail', s3_bucket_name: bucket, s3_key_prefix: `p/${account}` } } },
  });
  test('two account stacks that differ only in their account id are twins; comments do not count', () => {
    expect(maskedContent(stack('200000000001'))).toBe(maskedContent(stack('200000000999')));
  });
  test('any other difference (a bucket name) keeps them apart', () => {
    expect(maskedContent(stack('200000000001', 'a'))).not.toBe(maskedContent(stack('200000000001', 'b')));
  });
});
