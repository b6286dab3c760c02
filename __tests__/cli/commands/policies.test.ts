/**
 * `npm run policies`: every IAM policy of a stack, from the config alone.
 * The policies it prints are the policies the synthesized stacks carry (for
 * every stack of every bundled config and a large fleet), and no policy of a
 * stack is missing from it.
 */
import { unescapeTemplateText } from '../../../modules/terraform-text';
import { execFileSync, spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../config/load';
import type { FleetConfig } from '../../../config/model';
import { stackNames, stackPolicies } from '../../../modules/stack-policies';
import { main, parseArgs, renderPolicies } from '../../../cli/commands/policies';
import { configOf, rawWith, ROOT, synthFleet } from '../../helpers/fleet';
import { synthBootstrapStacks } from '../../helpers/bootstrap';
import { FLEET_CHECKS } from '../../../modules/fleet-checks';

/** Resource types whose attribute holds an IAM policy document, as JSON text. */
const POLICY_ATTRIBUTES: Record<string, string> = {
  aws_s3_bucket_policy: 'policy',
  aws_kms_key: 'policy',
  aws_sns_topic_policy: 'policy',
  aws_sqs_queue_policy: 'policy',
  aws_iam_role: 'assume_role_policy',
  aws_iam_role_policy: 'policy',
  aws_iam_policy: 'policy',
  aws_cloudwatch_event_bus_policy: 'policy',
  aws_organizations_policy: 'content',
};

/** Every policy in a synthesized stack by "type.name", decoded as AWS receives it (Terraform turns `$${` into `${`). */
function synthesizedPolicies(stack: Record<string, any>): Map<string, { attribute: string; document: unknown }> {
  const out = new Map<string, { attribute: string; document: unknown }>();
  for (const [type, attribute] of Object.entries(POLICY_ATTRIBUTES)) {
    for (const [name, resource] of Object.entries<any>(stack.resource?.[type] ?? {})) {
      if (typeof resource[attribute] !== 'string') continue;
      out.set(`${type}.${name}`, { attribute, document: JSON.parse(unescapeTemplateText(resource[attribute])) });
    }
  }
  // bucketManagement none: the computed bucket policy is an output for the bucket's owner.
  const output = stack.output?.bucket_policy;
  if (output) out.set('output.bucket_policy', { attribute: 'value', document: JSON.parse(unescapeTemplateText(output.value)) });
  return out;
}

const bundled = ['config/cloudtrail.yaml', ...readdirSync(path.join(ROOT, 'config', 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `config/examples/${f}`)];
const fleet = (n: number) =>
  rawWith((r) => {
    r.accounts = Array.from({ length: n }, (_, i) => ({ accountId: String(100000000000 + i) }));
    r.accounts[1].kmsKey = { create: { alias: 'alias/own' } };
    r.accounts[2].cloudWatchLogs = { create: { logGroupName: 'ct' } };
  });

describe('the bootstrap stacks: the policies it prints are the ones they deploy (trust and permissions of every role)', () => {
  const configs = bundled.filter((f) => f.includes('bootstrap-'));
  test.each(configs)('%s', (file) => {
    const config = loadConfig(path.join(ROOT, file), FLEET_CHECKS);
    const { stacks } = synthBootstrapStacks(config);
    expect(stacks.size).toBeGreaterThan(0);
    for (const [name, stack] of stacks) {
      const expected = synthesizedPolicies(stack);
      const shown = stackPolicies(config, name)!;
      expect(shown.map((p) => p.address).sort()).toEqual([...expected.keys()].sort());
      for (const p of shown) expect({ address: p.address, attribute: p.attribute, document: p.document }).toEqual({ address: p.address, ...expected.get(p.address) });
    }
    expect(stackPolicies(config, 'cloudtrail-bootstrap-123456789012')).toBeUndefined();
    expect(stackPolicies(loadConfig(path.join(ROOT, 'config', 'cloudtrail.yaml'), FLEET_CHECKS), 'cloudtrail-bootstrap-222222222222')).toBeUndefined();
  });
});

describe('the policies npm run policies prints are the ones the stacks deploy', () => {
  const configs: [string, () => FleetConfig][] = [
    ...bundled.map((f): [string, () => FleetConfig] => [f, () => loadConfig(path.join(ROOT, f), FLEET_CHECKS)]),
    ['a 120-account fleet (per-prefix bucket policy with ${aws:SourceAccount})', () => configOf(fleet(120))],
  ];

  test.each(configs)('%s: every stack, every policy, nothing missing, nothing extra', (_name, load) => {
    const config = load();
    const stacks = synthFleet(config);
    expect(stackNames(config).sort()).toEqual([...stacks.keys()].sort());
    let compared = 0;
    for (const [name, stack] of stacks) {
      const expected = synthesizedPolicies(stack);
      const shown = stackPolicies(config, name)!;
      expect(shown.map((p) => p.address).sort()).toEqual([...expected.keys()].sort());
      for (const p of shown) {
        expect({ address: p.address, attribute: p.attribute, document: p.document }).toEqual({ address: p.address, ...expected.get(p.address) });
        expect(p.bytes).toBe(Buffer.byteLength(JSON.stringify(p.document)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(1); // at least the bucket policy
  });

  test('every-option shows each kind: bucket, central key, trail key, SNS, SQS, delivery role trust and permissions, guard bus and service control policy', () => {
    const config = loadConfig(path.join(ROOT, 'config/examples/every-option.yaml'), FLEET_CHECKS);
    const kinds = new Set(stackNames(config).flatMap((s) => stackPolicies(config, s)!.map((p) => `${p.address.split('.')[0]}:${p.attribute}`)));
    expect([...kinds].sort()).toEqual(
      [
        'aws_cloudwatch_event_bus_policy:policy',
        'aws_iam_role:assume_role_policy',
        'aws_iam_role_policy:policy',
        'aws_kms_key:policy',
        'aws_organizations_policy:content',
        'aws_s3_bucket_policy:policy',
        'aws_sns_topic_policy:policy',
        'aws_sqs_queue_policy:policy',
      ].sort(),
    );
  });
});

describe('the command', () => {
  const run = (argv: string[]) => {
    let out = '';
    let err = '';
    const code = main(argv, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  };

  test('cloudtrail-central: a heading per policy, then the policy pretty-printed, parseable as JSON', () => {
    const r = run(['cloudtrail-central']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const [first, ...blocks] = r.out.split(/\n(?=# )/);
    expect(first).toBe('cloudtrail-central: 2 policies, as AWS receives them\n');
    expect(blocks.map((b) => b.split('\n')[0])).toEqual([
      expect.stringMatching(/^# aws_s3_bucket_policy\.log_bucket_policy \(policy\): bucket policy of s3:\/\/my-bucket; \d+ of 20480 bytes, encoding per-account$/),
      expect.stringMatching(/^# aws_kms_key\.central_key \(policy\): key policy of the central key alias\/cloudtrail-logs; \d+ of 32768 bytes, encoding per-trail$/),
    ]);
    const bucket = JSON.parse(blocks[0].slice(blocks[0].indexOf('\n') + 1));
    expect(bucket.Statement.map((s: any) => s.Sid)).toEqual(expect.arrayContaining(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite222222222222']));
    expect(blocks[0]).toContain('\n  "Statement": [\n'); // pretty-printed, not one line
  });

  test('an account stack by its name or by its account id; --config picks the file', () => {
    const byName = run(['cloudtrail-account-222222222222', '--config', path.join(ROOT, 'config/examples/every-option.yaml')]);
    const byId = run(['222222222222', `--config=${path.join(ROOT, 'config/examples/every-option.yaml')}`]);
    expect(byName.code).toBe(0);
    expect(byId.out).toBe(byName.out);
    // The trail's key, topic, queue, delivery role (trust and permissions), and the guard rules' role (trust and permissions).
    expect(byName.out).toMatch(/^cloudtrail-account-222222222222: 7 policies/);
    expect(byName.out).toContain("# aws_iam_role_policy.guard_events_role_policy (policy): permissions of the guard rules' events role");
    expect(byName.out).toContain('# aws_iam_role.trail_my-trail_cwl_role (assume_role_policy): trust policy of the CloudWatch Logs delivery role (trail my-trail)');
  });

  test('an account stack without created keys, topics or roles says it has no policies', () => {
    expect(run(['cloudtrail-account-222222222222']).out).toBe('cloudtrail-account-222222222222: no IAM policies (its trails use existing keys, topics and roles, or are leaving the fleet)\n');
  });

  test('--json prints the list of policies as one JSON document', () => {
    const r = run(['cloudtrail-central', '--json']);
    const parsed = JSON.parse(r.out);
    expect(parsed.map((p: any) => p.address)).toEqual(['aws_s3_bucket_policy.log_bucket_policy', 'aws_kms_key.central_key']);
    expect(parsed[0].document.Version).toBe('2012-10-17');
  });

  test('no stack: usage and the stacks of the config, exit 2', () => {
    expect(run([])).toEqual({ code: 2, out: '', err: expect.stringMatching(/^usage: cloudtrail-fleet policies <stack> \[options\]\nstacks of this config: cloudtrail-central, cloudtrail-account-222222222222\n$/) });
  });

  test('an unknown stack names the stacks there are, exit 2', () => {
    expect(run(['cloudtrail-account-999999999999'])).toEqual({
      code: 2,
      out: '',
      err: 'no stack cloudtrail-account-999999999999 in this config; its stacks: cloudtrail-central, cloudtrail-account-222222222222\n',
    });
  });

  test('unknown options and two stacks are usage errors', () => {
    expect(() => parseArgs(['--yaml'])).toThrow('unknown option --yaml; options: --config <file>, --json, --help');
    expect(() => parseArgs(['cloudtrail-central', '222222222222'])).toThrow('too many arguments: 222222222222 (policies takes <stack>)');
  });

  test('an invalid config prints its problems and exits 2', () => {
    const r = run(['cloudtrail-central', '--config', path.join(ROOT, 'no-such.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the config file .*no-such\.yaml does not exist; check the path given on the command line/);
  });

  test('renderPolicies of nothing', () => {
    expect(renderPolicies('x', [])).toMatch(/^x: no IAM policies/);
  });

  test('the compiled script (what npm run policies runs) reads CLOUDTRAIL_CONFIG and needs no synth', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT, stdio: 'pipe' });
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'policies', 'cloudtrail-account-222222222222'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CLOUDTRAIL_CONFIG: path.join(ROOT, 'config/examples/every-option.yaml'), CDKTF_OUTDIR: '/nonexistent' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cloudtrail-account-222222222222: 7 policies, as AWS receives them\n/);
  });
});

describe('network activity events change no policy', () => {
  test('the bucket, central key and trail key policies are the same with and without them (CloudTrail delivers them like every other event)', () => {
    const base = (r: any) => (r.accounts[0].kmsKey = { create: { alias: 'alias/ct-222' } });
    const without = configOf(rawWith(base));
    const withNetwork = configOf(
      rawWith((r) => {
        base(r);
        r.accounts[0].networkActivityEvents = { eventSources: ['kms.amazonaws.com', 's3.amazonaws.com'] };
      }),
    );
    for (const stack of stackNames(without)) {
      expect({ stack, policies: stackPolicies(withNetwork, stack) }).toEqual({ stack, policies: stackPolicies(without, stack) });
    }
    expect(stackPolicies(withNetwork, 'cloudtrail-account-222222222222')!.length).toBeGreaterThan(0);
  });
});
