/**
 * deploy with a fake Terraform (a script first on PATH that plays recorded
 * outcomes per stack) and mocked STS: the order (central first, accounts
 * never started after a central failure), the parallelism bound, retries
 * only on documented transient errors, one log file per stack, the table
 * and JSON, skipping what was applied already, init once per folder, the
 * change-safety gate (the project's, on the records or --base, and a stub),
 * records per fleet, and "could not start" (exit 3).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { CommandIO, parseCommandArgs } from '../../../cli/command';
import { command, deploy, DeployDeps } from '../../../cli/commands/deploy';
import type { ChangeGate } from '../../../cli/lib/deploy/gate';
import { FakeTerraform, INSUFFICIENT_BUCKET_POLICY, Scenario, awsApplyError } from '../../helpers/fake-terraform';
import { DoctorWorld } from '../lib/doctor/doctor-world';

const NOW = new Date('2026-11-26T12:00:00Z');
const CENTRAL = 'cloudtrail-central';
const acct = (n: number) => String(200000000000 + n);
const stackOf = (n: number) => `cloudtrail-account-${acct(n)}`;

function fleetRaw(n: number): any {
  return {
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: 'arn:aws:iam::111111111111:role/TerraformDeploy' },
    defaults: { trailName: 'my-trail' },
    accounts: Array.from({ length: n }, (_, i) => ({ accountId: acct(i + 1), assumeRoleArn: `arn:aws:iam::${acct(i + 1)}:role/TerraformDeploy` })),
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  waits: number[];
}

let dir: string;
let fake: FakeTerraform;
let world: DoctorWorld;
let configFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
  fake = new FakeTerraform(path.join(dir, 'fake'));
  world = new DoctorWorld();
  configFile = path.join(dir, 'fleet.yaml');
  writeFileSync(configFile, stringify(fleetRaw(3)));
});
afterEach(() => world.restore());

const outdir = () => path.join(dir, 'cdktf.out');
const home = () => path.join(dir, '.cloudtrail-fleet');
/** The fleet's own state folder (docs/changing-safely.md, "Local state per fleet"): its deploy records are there, beside its local state. */
const recordsDir = (bucket = 'my-bucket') => path.join(dir, 'state', `aws-111111111111-${bucket}`, '.cloudtrail-fleet', 'deployed');

async function run(argv: string[] = [], o: { scenario?: Scenario; env?: NodeJS.ProcessEnv; tty?: boolean; deps?: DeployDeps; raw?: any } = {}): Promise<Run> {
  if (o.raw) writeFileSync(configFile, stringify(o.raw));
  if (o.scenario) fake.setScenario(o.scenario);
  const out: string[] = [];
  const err: string[] = [];
  const waits: number[] = [];
  const io: CommandIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdoutIsTTY: false,
    stderrIsTTY: o.tty ?? false,
    env: o.env ?? fake.env({ HOME: dir }),
    now: () => NOW,
  };
  const args = parseCommandArgs(command, ['--config', configFile, '--out', outdir(), ...argv]);
  const code = await deploy(args, io, {
    session: () => world.session(),
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5, // no jitter: waits are exactly base * 2^(n-1)
    ...o.deps,
  });
  return { code, stdout: out.join(''), stderr: err.join(''), waits };
}

function row(stdout: string, stack: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${stack} `));
  if (!line) throw new Error(`no row for ${stack} in\n${stdout}`);
  return line.split(/\s{2,}/);
}

describe('deploy: order and parallelism', () => {
  test('the first deploy: central (init, apply) before any account; every stack applied; exit 0', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    const calls = fake.calls();
    expect(calls.slice(0, 2)).toEqual([`${CENTRAL} init`, `${CENTRAL} apply`]);
    const centralEnd = fake.journal().find((e) => e.event === 'end' && e.stack === CENTRAL && e.command === 'apply')!.at;
    const firstAccount = fake.journal().find((e) => e.event === 'start' && e.stack !== CENTRAL)!.at;
    expect(firstAccount).toBeGreaterThanOrEqual(centralEnd);
    expect(calls.filter((c) => c.endsWith(' apply')).sort()).toEqual([CENTRAL, stackOf(1), stackOf(2), stackOf(3)].map((s) => `${s} apply`).sort());
    expect(row(r.stdout, CENTRAL)).toEqual([CENTRAL, '111111111111', 'applied', '1', expect.stringMatching(/^\d+\.\d s$/), '-']);
    expect(row(r.stdout, stackOf(2))).toEqual([stackOf(2), acct(2), 'applied', '1', expect.stringMatching(/ s$/), '-']);
    expect(r.stdout).toMatch(new RegExp(`deploy: 4 applied, 0 failed, 0 skipped in \\d+\\.\\d s; logs in ${home()}/logs\\n$`));
    // Terraform ran with the automation flags, in each stack's own folder, with no cdktf CLI.
    const apply = fake.journal().find((e) => e.command === 'apply')!;
    expect(apply.args).toEqual(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(fake.journal().find((e) => e.command === 'init')!.args).toEqual(['init', '-input=false', '-no-color']);
  });

  test('at most --parallelism account stacks at once', async () => {
    writeFileSync(configFile, stringify(fleetRaw(9)));
    const r = await run(['--parallelism', '3'], { scenario: { applyMs: 300 } });
    expect(r.code).toBe(0);
    expect(fake.maxConcurrent('apply')).toBeLessThanOrEqual(3);
    expect(fake.maxConcurrent('apply')).toBeGreaterThanOrEqual(2);
  });

  test('each stack\'s output in its own log file, every command with a header', async () => {
    await run();
    const logs = readdirSync(path.join(home(), 'logs')).sort();
    expect(logs).toEqual([`${CENTRAL}.log`, `${stackOf(1)}.log`, `${stackOf(2)}.log`, `${stackOf(3)}.log`].sort());
    const log = readFileSync(path.join(home(), 'logs', `${stackOf(1)}.log`), 'utf8');
    expect(log).toContain(`# ${stackOf(1)}: Terraform output of cloudtrail-fleet deploy`);
    expect(log).toContain('# cloudtrail-fleet deploy, 2026-11-26T12:00:00.000Z: terraform init -input=false -no-color');
    expect(log).toContain('Terraform has been successfully initialized!');
    expect(log).toContain('terraform apply -auto-approve -input=false -no-color (attempt 1 of 5)');
    expect(log).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
  });
});

describe('deploy: retries only on documented transient errors', () => {
  test('InsufficientS3BucketPolicyException twice, then success: applied after 2 retries, backoff 10 s then 20 s', async () => {
    const r = await run([], { scenario: { stacks: { [stackOf(2)]: { apply: [{ exit: 1, stderr: INSUFFICIENT_BUCKET_POLICY('my-trail') }, { exit: 1, stderr: INSUFFICIENT_BUCKET_POLICY('my-trail') }] } } } });
    expect(r.code).toBe(0);
    expect(r.waits).toEqual([10_000, 20_000]);
    expect(fake.calls().filter((c) => c === `${stackOf(2)} apply`)).toHaveLength(3);
    expect(row(r.stdout, stackOf(2))).toEqual([stackOf(2), acct(2), 'applied', '3', expect.any(String), 'after 2 retries (InsufficientS3BucketPolicyException on aws_cloudtrail.trail_my-trail)']);
    expect(r.stderr).toContain(`deploy: ${stackOf(2)}: InsufficientS3BucketPolicyException on aws_cloudtrail.trail_my-trail: documented as transient; retry 1 of 4 in 10.0 s\n`);
    expect(r.stderr).toContain('retry 2 of 4 in 20.0 s');
    const log = readFileSync(path.join(home(), 'logs', `${stackOf(2)}.log`), 'utf8');
    expect(log.match(/terraform apply .*attempt \d of 5\)/g)).toEqual(['terraform apply -auto-approve -input=false -no-color (attempt 1 of 5)', 'terraform apply -auto-approve -input=false -no-color (attempt 2 of 5)', 'terraform apply -auto-approve -input=false -no-color (attempt 3 of 5)']);
  });

  test('a real error (an SNS topic that does not exist) is not retried: its account and first Terraform error line; the others still deploy', async () => {
    const error = awsApplyError({
      action: 'creating CloudTrail Trail (my-trail)',
      service: 'CloudTrail',
      operation: 'CreateTrail',
      code: 'InsufficientSnsTopicPolicyException',
      message: 'SNS Topic does not exist or the topic policy is incorrect!',
      address: 'aws_cloudtrail.trail_my-trail',
    });
    const r = await run([], { scenario: { stacks: { [stackOf(1)]: { apply: [{ exit: 1, stdout: 'aws_cloudtrail.trail_my-trail: Creating...\n', stderr: error }] } } } });
    expect(r.code).toBe(1);
    expect(r.waits).toEqual([]);
    expect(fake.calls().filter((c) => c === `${stackOf(1)} apply`)).toHaveLength(1);
    const firstLine = error.trim().split('\n')[0];
    expect(row(r.stdout, stackOf(1))).toEqual([stackOf(1), acct(1), 'FAILED', '1', expect.any(String), `${firstLine} (log: ${home()}/logs/${stackOf(1)}.log)`]);
    expect(row(r.stdout, stackOf(2))[2]).toBe('applied');
    expect(row(r.stdout, stackOf(3))[2]).toBe('applied');
    expect(r.stdout).toContain('deploy: 3 applied, 1 failed, 0 skipped');
    expect(r.stderr).toContain(`deploy: ${stackOf(1)} FAILED: ${firstLine}`);
  });

  test('a transient error that does not go away: failed after every attempt, said so', async () => {
    const always = Array.from({ length: 5 }, () => ({ exit: 1, stderr: INSUFFICIENT_BUCKET_POLICY('my-trail') }));
    const r = await run(['--retries', '2'], { scenario: { stacks: { [stackOf(3)]: { apply: always } } } });
    expect(r.code).toBe(1);
    expect(r.waits).toEqual([10_000, 20_000]);
    expect(row(r.stdout, stackOf(3))[5]).toMatch(/^Error: creating CloudTrail Trail \(my-trail\): .*InsufficientS3BucketPolicyException: .* \(still failing after 3 attempts\) \(log: /);
  });

  test('a transient error together with a real one: not retried (the real one would stay)', async () => {
    const mixed =
      INSUFFICIENT_BUCKET_POLICY('my-trail') +
      awsApplyError({ action: 'creating SNS Topic (t)', service: 'SNS', operation: 'CreateTopic', code: 'AuthorizationError', message: 'not authorized', address: 'aws_sns_topic.t' });
    const r = await run([], { scenario: { stacks: { [stackOf(1)]: { apply: [{ exit: 1, stderr: mixed }] } } } });
    expect(r.code).toBe(1);
    expect(r.waits).toEqual([]);
  });

  test('a failure without any Terraform error (killed, crashed) is not retried; the last line is shown', async () => {
    const r = await run([], { scenario: { stacks: { [stackOf(1)]: { apply: [{ exit: 2, stderr: 'panic: runtime error: invalid memory address\n' }] } } } });
    expect(r.waits).toEqual([]);
    expect(row(r.stdout, stackOf(1))[5]).toBe(`terraform apply exited 2: panic: runtime error: invalid memory address (log: ${home()}/logs/${stackOf(1)}.log)`);
  });
});

describe('deploy: central first', () => {
  test('central fails: no account stack is started; each says why; exit 1', async () => {
    const error = awsApplyError({ action: 'creating KMS Key', service: 'KMS', operation: 'CreateKey', code: 'MalformedPolicyDocumentException', message: 'Policy contains a statement with one or more invalid principals.', address: 'aws_kms_key.central' });
    const r = await run([], { scenario: { stacks: { [CENTRAL]: { apply: [{ exit: 1, stderr: error }] } } } });
    expect(r.code).toBe(1);
    expect(fake.calls()).toEqual([`${CENTRAL} init`, `${CENTRAL} apply`]);
    expect(row(r.stdout, CENTRAL)[2]).toBe('FAILED');
    expect(row(r.stdout, stackOf(1))).toEqual([stackOf(1), acct(1), 'not started', '-', '-', `not started: ${CENTRAL} failed (its bucket and key policies must be in place before any trail)`]);
    expect(r.stdout).toContain('deploy: 0 applied, 1 failed, 3 not started, 0 skipped');
  });

  test('a decommissioned account goes before central: its trail is deleted before the central policies stop admitting it', async () => {
    expect((await run()).code).toBe(0);
    const raw = fleetRaw(3);
    raw.accounts[1].lifecycle = 'decommission';
    fake.setScenario({});
    const r = await run([], { raw });
    expect(r.code).toBe(0);
    const applies = fake.calls().filter((c) => c.endsWith(' apply'));
    // Only the leaving account and central changed; the leaving one is applied first.
    expect(applies).toEqual([`${stackOf(2)} apply`, `${CENTRAL} apply`]);
    const leftAt = fake.journal().find((e) => e.event === 'end' && e.stack === stackOf(2) && e.command === 'apply')!.at;
    const centralAt = fake.journal().find((e) => e.event === 'start' && e.stack === CENTRAL && e.command === 'apply')!.at;
    expect(centralAt).toBeGreaterThanOrEqual(leftAt);
  });

  test('KMS NotFoundException on the central key lookup right after central applied: retried (KMS eventual consistency)', async () => {
    const notFound = awsApplyError({
      action: 'reading KMS Key (arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs)',
      service: 'KMS',
      operation: 'DescribeKey',
      code: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs is not found.',
      address: 'data.aws_kms_key.central',
    });
    const r = await run([], { scenario: { stacks: { [stackOf(1)]: { apply: [{ exit: 1, stderr: notFound }] } } } });
    expect(r.code).toBe(0);
    expect(r.waits).toEqual([10_000]);
    expect(row(r.stdout, stackOf(1))[5]).toBe('after 1 retry (KMS NotFoundException (KMS eventual consistency) on data.aws_kms_key.central)');
  });
});

describe('deploy: what is applied again', () => {
  test('a second deploy with nothing changed applies nothing (no Terraform at all)', async () => {
    await run();
    fake.setScenario({});
    const r = await run();
    expect(r.code).toBe(0);
    expect(fake.calls()).toEqual([]);
    expect(row(r.stdout, stackOf(1))).toEqual([stackOf(1), acct(1), 'skipped', '-', '-', 'unchanged since its last deploy (2026-11-26T12:00:00Z)']);
    expect(r.stdout).toContain('deploy: 0 applied, 0 failed, 4 skipped');
  });

  test('a rerun after a failure applies only the stacks not yet applied at this synthesis', async () => {
    const bad = { exit: 1, stderr: awsApplyError({ action: 'creating CloudTrail Trail (my-trail)', service: 'CloudTrail', operation: 'CreateTrail', code: 'AccessDeniedException', message: 'denied', address: 'aws_cloudtrail.trail_my-trail' }) };
    expect((await run([], { scenario: { stacks: { [stackOf(2)]: { apply: [bad] } } } })).code).toBe(1);
    const r = await run([], { scenario: {} });
    expect(r.code).toBe(0);
    expect(fake.calls()).toEqual([`${stackOf(2)} apply`]); // initialised already: init skipped
    expect(row(r.stdout, stackOf(1))[2]).toBe('skipped');
    expect(row(r.stdout, stackOf(2))[2]).toBe('applied');
  });

  test('a config change re-applies only the stacks whose Terraform content changed; init is not run again', async () => {
    await run();
    const raw = fleetRaw(3);
    raw.accounts[2].insights = { apiCallRate: true };
    const r = await run([], { scenario: {}, raw });
    expect(fake.calls()).toEqual([`${stackOf(3)} apply`]);
    expect(readFileSync(path.join(home(), 'logs', `${stackOf(3)}.log`), 'utf8')).toContain('terraform init (skipped: already initialised for the same providers, backend and Terraform version)');
    expect(r.code).toBe(0);
  });

  test('--all applies every stack again', async () => {
    await run();
    const r = await run(['--all'], { scenario: {} });
    expect(fake.calls().filter((c) => c.endsWith(' apply'))).toHaveLength(4);
    expect(r.code).toBe(0);
  });

  test('--base <folder>: the stacks changed against a previous synthesis', async () => {
    await run();
    const { cpSync } = require('fs');
    cpSync(outdir(), path.join(dir, 'before'), { recursive: true });
    const raw = fleetRaw(3);
    raw.accounts[0].insights = { apiErrorRate: true };
    const r = await run(['--base', path.join(dir, 'before'), '--dry-run'], { raw });
    expect(r.stdout.split('\n')[0]).toBe(`apply  ${stackOf(1)}`);
    expect(r.stdout).toContain(`skip   ${stackOf(2)}: unchanged against ${path.join(dir, 'before')}`);
    expect(r.code).toBe(0);
  });

  test('--dry-run lists what would be applied and why, and runs no Terraform', async () => {
    const r = await run(['--dry-run']);
    expect(r.stdout).toBe([CENTRAL, stackOf(1), stackOf(2), stackOf(3)].map((s) => `apply  ${s}`).join('\n') + '\n');
    expect(fake.calls()).toEqual([]);
  });

  test('records are written only for applied stacks, next to the local state, in the fleet\'s own state folder', async () => {
    const bad = { exit: 1, stderr: awsApplyError({ action: 'x', service: 'CloudTrail', operation: 'CreateTrail', code: 'TrailAlreadyExistsException', message: 'exists', address: 'aws_cloudtrail.t' }) };
    await run([], { scenario: { stacks: { [stackOf(1)]: { apply: [bad] } } } });
    // Where the synthesized local backend puts the state (../../../ from cdktf.out/stacks/<stack>/).
    const backend = JSON.parse(readFileSync(path.join(outdir(), 'stacks', stackOf(2), 'cdk.tf.json'), 'utf8')).terraform.backend.local.path;
    expect(path.dirname(path.resolve(outdir(), 'stacks', stackOf(2), backend))).toBe(path.dirname(path.dirname(recordsDir())));
    const records = readdirSync(recordsDir()).sort();
    expect(records).toEqual([`${CENTRAL}.json`, `${stackOf(2)}.json`, `${stackOf(3)}.json`].sort());
    expect(existsSync(path.join(dir, '.cloudtrail-fleet', 'deployed'))).toBe(false);
    const rec = JSON.parse(readFileSync(path.join(recordsDir(), `${stackOf(2)}.json`), 'utf8'));
    expect(rec).toMatchObject({ version: 1, stack: stackOf(2), appliedAt: NOW.toISOString(), terraformVersion: '1.11.4' });
    expect(rec.content).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.terraform.resource.aws_cloudtrail).toBeDefined();
    expect(JSON.stringify(rec.terraform)).not.toContain('"//"');
  });
});

describe('deploy: the change-safety gate', () => {
  const finding = { kind: 'protected-destroy' as const, stack: stackOf(1), address: 'aws_cloudtrail.trail_old', unsafe: true, message: 'destroys protected aws_cloudtrail.trail_old: its logs stop' };
  const unsafeGate: ChangeGate = () => ({ actions: [], findings: [finding], unsafe: [finding] });

  test('an unsafe change is refused before any Terraform runs (exit 1), with the listing', async () => {
    const r = await run([], { deps: { gate: unsafeGate } });
    expect(r.code).toBe(1);
    expect(fake.calls()).toEqual([]);
    expect(r.stderr).toContain(`change: 1 unsafe finding(s):\n  UNSAFE  ${stackOf(1)} aws_cloudtrail.trail_old: destroys protected aws_cloudtrail.trail_old: its logs stop\n`);
    expect(r.stderr).toContain('deploy: refused: the change-safety gate calls 1 change unsafe; nothing was applied. Make the change safely (docs/changing-safely.md) or pass --allow-unsafe');
  });

  test('--allow-unsafe deploys anyway and says so', async () => {
    const r = await run(['--allow-unsafe'], { deps: { gate: unsafeGate } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('change: UNSAFE, deployed anyway (--allow-unsafe): 1 finding(s) above');
    expect(r.stderr).not.toContain('refused');
  });

  test('the gate gets what is deployed (records) and what would be', async () => {
    await run();
    const seen: { base: string[]; current: string[] }[] = [];
    const raw = fleetRaw(3);
    raw.accounts[0].insights = { apiErrorRate: true };
    await run([], { raw, scenario: {}, deps: { gate: (base, current) => (seen.push({ base: [...base.keys()].sort(), current: [...current.keys()].sort() }), { actions: [], findings: [], unsafe: [] }) } });
    expect(seen).toEqual([{ base: [CENTRAL, stackOf(1), stackOf(2), stackOf(3)].sort(), current: [CENTRAL, stackOf(1), stackOf(2), stackOf(3)].sort() }]);
  });

  test('the project\'s gate: an account dropped without a lifecycle step is refused (exit 1), nothing applied; the first deploy had nothing to compare', async () => {
    const first = await run();
    expect(first.stderr).not.toMatch(/^change: /m);
    const raw = fleetRaw(3);
    raw.accounts.pop();
    const r = await run([], { raw, scenario: {} });
    expect(r.code).toBe(1);
    expect(fake.calls()).toEqual([]);
    expect(r.stderr).toContain(`  UNSAFE  ${stackOf(3)}: stack ${stackOf(3)} is in the base but not in the current config, and it still manages trail my-trail`);
    expect(r.stderr).toContain(`  UNSAFE  ${stackOf(3)} aws_cloudtrail.trail_my-trail: trail my-trail of ${acct(3)} keeps running, unmanaged, but the central bucket policy no longer admits it`);
    expect(r.stderr).toContain('deploy: refused: the change-safety gate calls 2 changes unsafe; nothing was applied');
    const json = await run(['--json'], { raw, scenario: {} });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, refused: true, gate: { safe: false, allowUnsafe: false, unsafe: [{ kind: 'account-dropped' }, { kind: 'delivery-refused' }] } });
    // Said in so many words: decommission first. The trail's destroy is listed, declared; the deploy goes on.
    raw.accounts.push({ ...fleetRaw(3).accounts[2], lifecycle: 'decommission' });
    const decommission = await run([], { raw, scenario: {} });
    expect(decommission.code).toBe(0);
    expect(decommission.stderr).toContain(`  destroy  ${stackOf(3)}  aws_cloudtrail.trail_my-trail [protected, declared]\n           trail my-trail of ${acct(3)} is deleted: it stops logging\n`);
    expect(decommission.stderr).toContain('change: safe (nothing protected is lost that the config does not declare)');
    // The leaving account first, then central (deployOrder).
    expect(fake.calls().filter((c) => c.endsWith(' apply'))).toEqual([`${stackOf(3)} apply`, `${CENTRAL} apply`]);
  });

  test('the project\'s gate with --base: the same verdict against a previous synthesis; --allow-unsafe applies', async () => {
    await run();
    const { cpSync } = require('fs');
    cpSync(outdir(), path.join(dir, 'before'), { recursive: true });
    const raw = fleetRaw(3);
    raw.accounts[0].trailName = 'renamed'; // without renamedFrom: the old trail would be destroyed
    const r = await run(['--base', path.join(dir, 'before')], { raw, scenario: {} });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  UNSAFE  ${stackOf(1)} aws_cloudtrail.trail_my-trail: destroys protected aws_cloudtrail.trail_my-trail, which the config does not declare`);
    const allowed = await run(['--base', path.join(dir, 'before'), '--allow-unsafe'], { raw, scenario: {} });
    expect(allowed.code).toBe(0);
    expect(fake.calls()).toContain(`${stackOf(1)} apply`);
    // With renamedFrom it is declared: the new trail is created first.
    (raw.accounts[0] as any).renamedFrom = 'my-trail';
    const renamed = await run(['--base', path.join(dir, 'before'), '--dry-run'], { raw });
    expect(renamed.code).toBe(0);
    expect(renamed.stderr).toContain(`  replace  ${stackOf(1)}  aws_cloudtrail.trail_my-trail -> aws_cloudtrail.trail_renamed [protected, declared]`);
  });

  test('--base: a synth folder of another fleet is refused (exit 2), as by affected', async () => {
    await run();
    const { cpSync } = require('fs');
    cpSync(outdir(), path.join(dir, 'before'), { recursive: true });
    const raw = fleetRaw(3);
    raw.central.bucketName = 'other-bucket';
    await expect(run(['--base', path.join(dir, 'before'), '--dry-run'], { raw })).rejects.toThrow(/is a synth of fleet aws-111111111111-my-bucket .*not of this config's fleet aws-111111111111-other-bucket/);
  });

  test('two fleets in one clone keep their own records: switching the config never compares one with the other', async () => {
    await run();
    const other = fleetRaw(2);
    other.central.bucketName = 'other-bucket';
    const r = await run([], { raw: other, scenario: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/^change: /m);
    expect(readdirSync(recordsDir('other-bucket')).sort()).toEqual([`${CENTRAL}.json`, `${stackOf(1)}.json`, `${stackOf(2)}.json`].sort());
    expect(readdirSync(recordsDir())).toHaveLength(4);
  });

  test('records an earlier release kept in the project root are read while the fleet has none of its own, only those of this fleet', async () => {
    await run();
    const { renameSync, mkdirSync } = require('fs');
    mkdirSync(path.join(dir, '.cloudtrail-fleet'), { recursive: true });
    renameSync(recordsDir(), path.join(dir, '.cloudtrail-fleet', 'deployed'));
    const raw = fleetRaw(3);
    raw.accounts.pop();
    const r = await run([], { raw, scenario: {} });
    expect(r.stderr).toContain(`deploy: note: read 4 deploy record(s) of this fleet from ${path.join(dir, '.cloudtrail-fleet', 'deployed')}, where earlier releases kept every fleet's records; new ones go to ${recordsDir()}`);
    expect(r.code).toBe(1); // the gate saw what was deployed: the dropped account
    // Another fleet finds none of them its own.
    const other = fleetRaw(3);
    other.central.bucketName = 'other-bucket';
    const o = await run(['--dry-run'], { raw: other });
    expect(o.stderr).not.toContain('deploy: note: read');
    expect(o.stdout.split('\n').filter((l) => l.startsWith('apply'))).toHaveLength(4);
  });
});

describe('deploy: could not start (exit 3)', () => {
  test('no terraform on PATH', async () => {
    const r = await run([], { env: { HOME: dir, PATH: path.join(dir, 'empty') } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('deploy: could not start: terraform not found on PATH: install Terraform >= 1.7 and run again (docs/deploying.md)\n');
  });

  test('no AWS credentials: said once, nothing applied', async () => {
    world.callerError = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const r = await run(['--json']);
    expect(r.code).toBe(3);
    expect(r.stderr.match(/could not start/g)).toHaveLength(1);
    expect(r.stderr).toContain('deploy: could not start: no AWS credentials');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, couldNotStart: expect.stringMatching(/^no AWS credentials/) });
    expect(fake.calls()).toEqual([]);
  });

  test('cloud backend without a token', async () => {
    const raw = { ...fleetRaw(2), backend: { type: 'cloud', organization: 'acme' } };
    const r = await run(['--all'], { raw });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('deploy: could not start: no API token for app.terraform.io: run terraform login, or set TF_TOKEN_app_terraform_io');
  });

  test('cloud backend, no records on this machine, neither --base nor --all: a usage error that says what to give', async () => {
    const raw = { ...fleetRaw(2), backend: { type: 'cloud', organization: 'acme' } };
    await expect(run([], { raw, env: fake.env({ HOME: dir, TF_TOKEN_app_terraform_io: 't' }) })).rejects.toThrow(/no record of a previous deploy in .*: with backend.type cloud the records are kept on this machine/);
    const r = await run(['--all'], { raw, env: fake.env({ HOME: dir, TF_TOKEN_app_terraform_io: 't' }) });
    expect(r.code).toBe(0);
    expect(world.count('GetCallerIdentity')).toBe(0); // remote runs: the workspace has the AWS credentials
  });
});

describe('deploy: output for people and for CI', () => {
  test('off a terminal: plain lines, one per stack, no carriage return', async () => {
    const r = await run();
    expect(r.stderr).not.toContain('\r');
    for (const s of [CENTRAL, stackOf(1), stackOf(2), stackOf(3)]) expect(r.stderr).toMatch(new RegExp(`^deploy: ${s} applied in \\d+\\.\\d s$`, 'm'));
  });

  test('on a terminal: the live line is rewritten in place', async () => {
    const r = await run([], { tty: true });
    expect(r.stderr).toContain('\r\x1b[Kdeploy: ');
    expect(r.stderr).toMatch(/\r\x1b\[Kdeploy: 4\/4 stacks done, 0 running/);
  });

  test('--json: one document with every stack', async () => {
    const r = await run(['--json']);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({ applied: 4, failed: 0, notStarted: 0, skipped: 0 });
    expect(report.stacks.map((s: any) => s.stack)).toEqual([CENTRAL, stackOf(1), stackOf(2), stackOf(3)]);
    expect(report.stacks[1]).toMatchObject({ account: acct(1), result: 'applied', attempts: 1, init: 'ran', log: path.join(home(), 'logs', `${stackOf(1)}.log`) });
    expect(report.gate).toEqual({ safe: true, allowUnsafe: false, actions: [], findings: [], unsafe: [] });
  });
});

describe('deploy: Terraform setup', () => {
  test('with the offline mirror: our CLI config, no plugin cache; TF_DATA_DIR is not passed on', async () => {
    const r = await run([], { env: fake.env({ HOME: dir, TF_DATA_DIR: '/tmp/shared' }) });
    expect(r.code).toBe(0);
    const init = fake.journal().find((e) => e.command === 'init')!;
    expect(init.env).toEqual({ TF_CLI_CONFIG_FILE: path.join(home(), 'terraform.rc'), TF_IN_AUTOMATION: '1' });
    expect(readFileSync(path.join(home(), 'terraform.rc'), 'utf8')).toContain('filesystem_mirror');
    expect(r.stderr).toContain('deploy: TF_DATA_DIR is set; ignored (each stack has its own folder and workspace)');
  });

  test('without a mirror: one shared plugin cache, the first init alone, its lock file seeds the others', async () => {
    const r = await run([], { env: fake.env({ HOME: dir, CLOUDTRAIL_TF_PLUGIN_DIR: path.join(dir, 'no-mirror') }) });
    expect(r.code).toBe(0);
    const inits = fake.journal().filter((e) => e.command === 'init');
    expect(inits.every((e) => e.event !== 'start' || e.env?.TF_PLUGIN_CACHE_DIR === path.join(home(), 'plugin-cache'))).toBe(true);
    const firstEnd = inits.find((e) => e.event === 'end')!;
    expect(firstEnd.stack).toBe(CENTRAL);
    expect(inits.filter((e) => e.event === 'start' && e.stack !== CENTRAL).every((e) => e.at >= firstEnd.at)).toBe(true);
    for (const s of [stackOf(1), stackOf(2)]) expect(readFileSync(path.join(outdir(), 'stacks', s, '.terraform.lock.hcl'), 'utf8')).toBe(`# fake lock file written by ${CENTRAL}\n`);
  });

  test('a user\'s own CLI config (~/.terraformrc) is used as it is', async () => {
    writeFileSync(path.join(dir, '.terraformrc'), 'plugin_cache_may_break_dependency_lock_file = false\n');
    await run();
    expect(fake.journal().find((e) => e.command === 'init')!.env?.TF_CLI_CONFIG_FILE).toBe(path.join(dir, '.terraformrc'));
    expect(existsSync(path.join(home(), 'terraform.rc'))).toBe(false);
  });
});
