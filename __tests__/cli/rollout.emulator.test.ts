/**
 * A fleet rolled out end to end on the emulator with the commands a user
 * runs (issue 16, "Tested end to end"): a generated config is bootstrapped
 * (`cloudtrail-fleet bootstrap`, its stacks applied once with the
 * administrator's credentials as docs/bootstrap.md says), checked
 * (`doctor`), deployed (`deploy`) and verified (`verify`), each command run
 * as its own process (`node bin/cloudtrail-fleet.js`, what `npx
 * cloudtrail-fleet` runs) and read as a CI job reads it: the exit code, the
 * per-account table, `--json`.
 *
 * Size: 4 member accounts in CI (`npm run test:emulator`, whose time budget
 * is nearly used); the 50-account fleet is the same test with
 * `CLOUDTRAIL_E2E_ACCOUNTS=50` (its measured time: docs/deploying.md,
 * "Tested end to end"). Every behaviour below is exercised at both sizes.
 *
 * The emulator is reached the general way: AWS_ENDPOINT_URL, which the AWS
 * SDK (doctor, verify, deploy's preflight) and the aws provider (deploy's
 * Terraform) both honour, with the emulator's key of the CI principal's
 * account as the ambient credentials. Nothing in the commands knows it is a
 * test.
 *
 * Along the way: CreateTrail answers InsufficientS3BucketPolicyException for
 * two trails once (from 10 accounts on three, the last account's twice) and
 * deploy retries them; one account names an SNS topic that does not exist,
 * and deploy reports that account with Terraform's first error line (exit 1)
 * while the other accounts deploy; reruns apply exactly what did not
 * succeed.
 *
 * Each account stack is minimal (one trail using the central key) so that
 * the 2 x (N + 1) Terraform applies (bootstrap stacks, fleet stacks) stay
 * cheap; the time of each step is printed at the end.
 */
import { spawn } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { configOf } from '../helpers/fleet';
import { buildProject } from '../docs/workspace';
import { projectRoot } from '../../config/load';
import { accountId } from '../../tools/fleet-shapes';
import { applyBootstrap, bootstrapStackDirs } from '../../tools/emulator/bootstrap';
import { Emulator, emulatorCredentials, startEmulator } from '../../tools/emulator/emulator';
import { describeWithEmulator, workDir } from '../tools/emulator/emulator-env';

const ROOT = projectRoot(__dirname);
/** Member accounts: 4 in CI (every behaviour, within the stage's time budget); CLOUDTRAIL_E2E_ACCOUNTS=50 for the fleet. */
const E2E_ACCOUNTS_ENV = 'CLOUDTRAIL_E2E_ACCOUNTS';
function memberCount(): number {
  const raw = process.env[E2E_ACCOUNTS_ENV];
  if (raw === undefined || raw === '') return 4;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 4 || n > 1000) throw new Error(`${E2E_ACCOUNTS_ENV}=${raw}: expected a whole number of member accounts from 4 to 1000 (e.g. ${E2E_ACCOUNTS_ENV}=50)`);
  return n;
}
const MEMBERS = memberCount();
const CENTRAL = '111111111111';
/** The CI principal: the emulator's key of this account is the IAM user emulator-deployer. */
const CI_ACCOUNT = '999999999999';
const CI_PRINCIPAL = `arn:aws:iam::${CI_ACCOUNT}:user/emulator-deployer`;
const REGION = 'us-east-2';
const BUCKET = 'rollout-fleet-logs';
const TRAIL = 'fleet-trail';
const members = Array.from({ length: MEMBERS }, (_, i) => accountId(i));
/** Names an SNS topic that does not exist (yet). */
const NO_TOPIC = members[Math.floor(MEMBERS / 2)];
const TOPIC = 'fleet-notify';
/**
 * CreateTrail refuses their trail this many times first (InsufficientS3BucketPolicyException: transient): the
 * second and the last account once; from 10 accounts on the last twice (a second retry, after a doubled wait, is
 * one more apply in a row: left out of the CI size for time) and one more account once.
 */
const TRANSIENT = new Map<string, number>([
  [members[1], 1],
  [members[MEMBERS - 1], MEMBERS >= 10 ? 2 : 1],
  ...(MEMBERS >= 10 ? [[members[Math.floor((3 * MEMBERS) / 4)], 1] as [string, number]] : []),
]);
const RETRIES = [...TRANSIENT.values()].reduce((a, b) => a + b, 0);
const stackOf = (account: string) => `cloudtrail-account-${account}`;
const deployerRole = (account: string) => `arn:aws:iam::${account}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`;

function fleetYaml(): string {
  const lines = [
    `# ${MEMBERS} member accounts, one trail each, into one central bucket; deployed by a CI principal through bootstrap roles`,
    'organization:',
    '  id: o-rollout0001',
    `  managementAccountId: "${CENTRAL}"`,
    'central:',
    `  accountId: "${CENTRAL}"`,
    `  region: ${REGION}`,
    `  bucketName: ${BUCKET}`,
    'defaults:',
    `  trailName: ${TRAIL}`,
    'accounts:',
  ];
  for (const a of members) {
    lines.push(`  - accountId: "${a}"`);
    if (a === NO_TOPIC) lines.push(`    sns: { topicArn: "arn:aws:sns:${REGION}:${a}:${TOPIC}" }`);
  }
  lines.push('bootstrap:', '  deployer:', `    principalArn: ${CI_PRINCIPAL}`);
  return `${lines.join('\n')}\n`;
}

/** IAM GetRole in an account, as a query-protocol request (the project has no IAM SDK client; the emulator reads the account from the key). */
async function getRole(endpoint: string, account: string, roleName: string): Promise<{ arn: string; trust: unknown }> {
  const r = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${emulatorCredentials(account).accessKeyId}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: 'GetRole', Version: '2010-05-08', RoleName: roleName }).toString(),
  });
  const xml = await r.text();
  if (r.status !== 200) throw new Error(`GetRole ${roleName} in ${account}: HTTP ${r.status}: ${xml}`);
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
  const unxml = (t: string) => t.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { arn: field('Arn'), trust: JSON.parse(decodeURIComponent(unxml(field('AssumeRolePolicyDocument')))) };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describeWithEmulator(`a ${MEMBERS}-account fleet bootstrapped, checked, deployed and verified with the commands`, { terraform: true }, () => {
  let emulator: Emulator;
  let work: string;
  let config: string;
  const started = process.hrtime.bigint();
  const cpuAtStart = process.cpuUsage();
  const timings: string[] = [];

  /** The environment of a CI job: no TF_ or AWS_ variable of this shell, the emulator's endpoint, the CI principal's key. */
  function ciEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(TF_|AWS_|CLOUDTRAIL_CONFIG$)/.test(k)) env[k] = v;
    const key = emulatorCredentials(CI_ACCOUNT);
    return { ...env, AWS_ENDPOINT_URL: emulator.endpoint, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
  }

  /** `npx cloudtrail-fleet <args>` (the bin npx resolves it to), in the work folder. */
  function cli(args: readonly string[], env: NodeJS.ProcessEnv = ciEnv()): Promise<Run> {
    const t0 = process.hrtime.bigint();
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cloudtrail-fleet.js'), ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('close', (code) => {
        timings.push(`${args.slice(0, 1).concat(args.filter((a) => a.startsWith('--') && !['--config', '--out'].includes(a))).join(' ')}: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
        resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
  }

  const out = (...p: string[]) => path.join(work, ...p);
  const common = () => ['--config', config];

  beforeAll(async () => {
    buildProject(ROOT); // what `npm run setup` leaves: dist/ of these sources (a no-op when up to date)
    emulator = await startEmulator();
    work = workDir('rollout');
    config = out('fleet.yaml');
    writeFileSync(config, fleetYaml());
    // The organization AWS knows (the config's management account and members).
    await emulator.declareOrganization({ id: 'o-rollout0001', managementAccountId: CENTRAL, accountIds: members });
  });
  afterAll(async () => {
    await emulator?.stop();
    const cpu = process.cpuUsage(cpuAtStart);
    process.stderr.write(
      `rollout e2e (${MEMBERS} accounts): ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s wall; ${timings.join('; ')} (Jest process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s, children not counted)\n`,
    );
  });

  test('without credentials or without the emulator, doctor, deploy and verify say "could not check" once and exit 3', async () => {
    const noKeys = ciEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_CONFIG_FILE: out('none'), AWS_SHARED_CREDENTIALS_FILE: out('none') });
    for (const [command, json, args] of [
      ['doctor', 'ready', ['--out', out('cdktf.out')]],
      ['deploy', 'ok', ['--out', out('cdktf.out')]],
      ['verify', 'checked', []],
    ] as const) {
      const r = await cli([command, ...common(), ...args, '--json'], noKeys);
      expect({ command, code: r.code }).toEqual({ command, code: 3 });
      const doc = JSON.parse(r.stdout);
      expect(doc[json]).toBe(false);
      expect(doc.couldNotCheck ?? doc.couldNotStart).toMatch(/no AWS credentials found/);
      // Said once, blaming no account.
      expect(r.stderr.match(/no AWS credentials found/g)).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\d{12}.*(cannot assume|NOT READY|FAILED)/);
    }
    // The emulator down (a closed port): unreachable, exit 3.
    const down = await cli(['doctor', ...common(), '--out', out('cdktf.out')], ciEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }));
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^doctor: could not check: .*127\.0\.0\.1:9/m);
    // Nothing was deployed on the way: no deploy record, no Terraform log.
    expect(existsSync(out('state', `aws-${CENTRAL}-${BUCKET}`, '.cloudtrail-fleet', 'deployed'))).toBe(false);
    expect(existsSync(out('.cloudtrail-fleet', 'logs'))).toBe(false);
  });

  test('bootstrap writes one stack per account; applied once with the administrator credentials, each creates the deployer role trusted by the CI principal alone', async () => {
    const r = await cli(['bootstrap', ...common(), '--out', out('cdktf.out.bootstrap'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.roleArns).toEqual([CENTRAL, ...members].map(deployerRole));
    expect(doc.stacks.map((s: { name: string; assumes: string | null }) => [s.name, s.assumes])).toEqual([
      [`cloudtrail-bootstrap-${CENTRAL}`, null], // the administrator's own (management) account: its credentials directly
      ...members.map((a) => [`cloudtrail-bootstrap-${a}`, `arn:aws:iam::${a}:role/OrganizationAccountAccessRole`]),
    ]);

    const dirs = bootstrapStackDirs(out('cdktf.out.bootstrap'));
    expect(dirs).toHaveLength(MEMBERS + 1);
    const t0 = process.hrtime.bigint();
    await applyBootstrap(dirs, { emulator, adminAccountId: CENTRAL, workDir: out('admin-terraform'), jobs: Number(process.env.CLOUDTRAIL_TF_JOBS) || 2 });
    timings.push(`bootstrap stacks applied: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
    // Their state is in the fleet's state folder, kept for the next bootstrap.
    expect(existsSync(out('state', `aws-${CENTRAL}-${BUCKET}`, `terraform.cloudtrail-bootstrap-${members[0]}.tfstate`))).toBe(true);

    // Each account has its deployer role, trusted by the CI principal alone; each member's through the administrator role, in its own account.
    const calls = await emulator.calls();
    for (const a of [CENTRAL, members[0], NO_TOPIC, members[MEMBERS - 1]]) {
      const role = await getRole(emulator.endpoint, a, 'cloudtrail-fleet-deployer');
      expect(role.arn).toBe(deployerRole(a));
      expect((role.trust as { Statement: unknown }).Statement).toEqual([{ Sid: 'TrustTheFleetDeployer', Effect: 'Allow', Principal: { AWS: CI_PRINCIPAL }, Action: 'sts:AssumeRole' }]);
      expect(calls.filter((c) => c.action === 'CreateRole' && c.accountId === a && c.status === 200)).toHaveLength(1);
    }
    expect(calls.filter((c) => c.action === 'CreateRole' && c.status === 200 && !c.replayed)).toHaveLength(MEMBERS + 1);
  });

  test('doctor: every account ready with the CI credentials (exit 0), one line per account', async () => {
    const r = await cli(['doctor', ...common(), '--out', out('cdktf.out'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ready: true, caller: { account: CI_ACCOUNT, arn: CI_PRINCIPAL }, backend: { type: 'local', status: 'ok' } });
    expect(doc.summary).toEqual({ accounts: MEMBERS + 1, ready: MEMBERS + 1, notReady: 0, unchecked: 0 });
    expect(doc.accounts.map((a: { accountId: string; roles: string[] }) => [a.accountId, a.roles])).toEqual([CENTRAL, ...members].map((a) => [a, [deployerRole(a)]]));
    // Progress on stderr as plain lines (not a terminal): no carriage returns, no spinner frames.
    expect(r.stderr).not.toMatch(/\r/);
    // From 20 accounts on, one plain line per tenth (fewer: none).
    const total = MEMBERS + 1;
    if (total >= 20) expect(r.stderr).toMatch(new RegExp(`^doctor: ${total}/${total} accounts checked$`, 'm'));
    else expect(r.stderr).not.toMatch(/accounts checked/);
  });

  test('deploy: central first, then the accounts; transient CreateTrail errors retried; a missing SNS topic fails its account alone, with the Terraform error line (exit 1)', async () => {
    for (const [account, count] of TRANSIENT) {
      await emulator.injectFault({ service: 'cloudtrail', action: 'CreateTrail', code: 'InsufficientS3BucketPolicyException', message: `Incorrect S3 bucket policy is detected for bucket: ${BUCKET}`, accountId: account, trailName: TRAIL, count });
    }
    await emulator.clearCalls();
    const r = await cli(['deploy', ...common(), '--out', out('cdktf.out'), '--retry-delay', '1']);
    expect({ code: r.code, stderr: r.code === 1 ? '' : r.stderr }).toEqual({ code: 1, stderr: '' });
    expect(await emulator.faults()).toEqual([]);

    // The table, as a CI log shows it: one line per stack, central first, then the accounts in order.
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STACK\s+ACCOUNT\s+RESULT\s+ATTEMPTS\s+TIME\s+DETAIL$/);
    const rows = lines.slice(1, MEMBERS + 2).map((l) => l.split(/\s{2,}/));
    expect(rows.map((c) => [c[0], c[1], c[2], c[3]])).toEqual([
      ['cloudtrail-central', CENTRAL, 'applied', '1'],
      ...members.map((a) => [stackOf(a), a, a === NO_TOPIC ? 'FAILED' : 'applied', a === NO_TOPIC ? '1' : String(1 + (TRANSIENT.get(a) ?? 0))]),
    ]);
    const address = Object.keys(JSON.parse(readFileSync(out('cdktf.out', 'stacks', stackOf(members[1]), 'cdk.tf.json'), 'utf8')).resource.aws_cloudtrail)[0];
    for (const [account, count] of TRANSIENT) {
      const row = rows.find((c) => c[1] === account)!;
      expect(row[5]).toBe(`after ${count} ${count === 1 ? 'retry' : 'retries'} (InsufficientS3BucketPolicyException on aws_cloudtrail.${address})`);
    }
    const failed = rows.find((c) => c[1] === NO_TOPIC)!;
    const log = out('.cloudtrail-fleet', 'logs', `${stackOf(NO_TOPIC)}.log`);
    expect(failed[5]).toMatch(
      new RegExp(
        `^Error: creating CloudTrail Trail \\(${TRAIL}\\): operation error CloudTrail: CreateTrail, https response error StatusCode: 400, RequestID: [^,]+, ` +
          `InsufficientSnsTopicPolicyException: SNS Topic arn:aws:sns:${REGION}:${NO_TOPIC}:${TOPIC} does not exist or the topic policy is incorrect! \\(log: ${log.replace(/[.]/g, '\\.')}\\)$`,
      ),
    );
    expect(lines[MEMBERS + 2]).toBe('');
    expect(lines[MEMBERS + 3]).toMatch(new RegExp(`^deploy: ${MEMBERS} applied, 1 failed, 0 skipped in \\d+\\.\\d s; logs in ${out('.cloudtrail-fleet', 'logs').replace(/[.]/g, '\\.')}$`));
    // The failing stack's own log holds Terraform's whole error; it was not retried.
    expect(readFileSync(log, 'utf8')).toMatch(/InsufficientSnsTopicPolicyException/);
    expect(readFileSync(log, 'utf8')).not.toMatch(/# cloudtrail-fleet deploy, .*: retry/);

    // stderr, as a CI log reads it: plain lines, central before any account, each retry said with its reason.
    expect(r.stderr).not.toMatch(/\r/);
    const progress = r.stderr.split('\n');
    const centralLine = progress.findIndex((l) => /^deploy: cloudtrail-central applied in /.test(l));
    expect(centralLine).toBeGreaterThan(0);
    expect(progress.findIndex((l) => /^deploy: cloudtrail-account-/.test(l))).toBeGreaterThan(centralLine);
    expect(progress.filter((l) => /: InsufficientS3BucketPolicyException on aws_cloudtrail\.\S+: documented as transient; retry \d of 4 in \d+\.\d s$/.test(l))).toHaveLength(RETRIES);
    expect(progress.filter((l) => l.startsWith(`deploy: ${stackOf(NO_TOPIC)} FAILED: Error: creating CloudTrail Trail`))).toHaveLength(1);

    // What AWS saw: the bucket policy before any trail; each account through its own deployer role; the retried trails failed, then were created.
    const calls = await emulator.calls();
    const lastPolicy = calls.map((c) => c.action).lastIndexOf('PutBucketPolicy');
    const firstTrail = calls.findIndex((c) => c.action === 'CreateTrail');
    expect(lastPolicy).toBeGreaterThanOrEqual(0);
    expect(firstTrail).toBeGreaterThan(lastPolicy);
    for (const [account, count] of TRANSIENT) {
      expect(calls.filter((c) => c.action === 'CreateTrail' && c.accountId === account).map((c) => c.fault ?? c.status)).toEqual([
        ...Array(count).fill('InsufficientS3BucketPolicyException'),
        200,
      ]);
    }
    expect(calls.filter((c) => c.action === 'CreateTrail' && c.status === 200).map((c) => c.accountId).sort()).toEqual(members.filter((a) => a !== NO_TOPIC).sort());
    // Every Terraform ran as the CI principal, assuming a role (the account's own calls come from the assumed role's session).
    expect(new Set(calls.filter((c) => c.action === 'AssumeRole').map((c) => c.accountId))).toEqual(new Set([CI_ACCOUNT]));
  });

  test('a rerun applies only the failed stack; read with --json as a CI job reads it (exit 1 while the topic is missing)', async () => {
    const r = await cli(['deploy', ...common(), '--out', out('cdktf.out'), '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, mode: 'records', summary: { applied: 0, failed: 1, notStarted: 0, skipped: MEMBERS } });
    // jq -r '.stacks[] | select(.result == "failed") | "\(.account): \(.error)"'
    const failedLines = doc.stacks.filter((s: { result: string }) => s.result === 'failed').map((s: { account: string; error: string }) => `${s.account}: ${s.error}`);
    expect(failedLines).toHaveLength(1);
    expect(failedLines[0]).toMatch(new RegExp(`^${NO_TOPIC}: Error: creating CloudTrail Trail \\(${TRAIL}\\): .*InsufficientSnsTopicPolicyException: SNS Topic arn:aws:sns:${REGION}:${NO_TOPIC}:${TOPIC} does not exist`));
    for (const s of doc.stacks.filter((x: { result: string }) => x.result === 'skipped')) expect(s.reason).toMatch(/^unchanged since its last deploy \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
    expect(r.stderr).toMatch(new RegExp(`^deploy: 1 of ${MEMBERS + 1} stacks to apply: changed since their last deploy`, 'm'));
  });

  test('once the topic exists, the same command applies that stack alone (exit 0); a rerun after that applies nothing', async () => {
    await emulator.plantSnsTopic({ accountId: NO_TOPIC, region: REGION, name: TOPIC });
    const fixed = await cli(['deploy', ...common(), '--out', out('cdktf.out')]);
    expect({ code: fixed.code, stderr: fixed.code === 0 ? '' : fixed.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = fixed.stdout.trimEnd().split('\n').slice(1, MEMBERS + 2).map((l) => l.split(/\s{2,}/));
    expect(rows.filter((c) => c[2] === 'applied').map((c) => c[0])).toEqual([stackOf(NO_TOPIC)]);
    expect(rows.filter((c) => c[2] === 'skipped')).toHaveLength(MEMBERS);
    expect(fixed.stdout).toMatch(new RegExp(`^deploy: 1 applied, 0 failed, ${MEMBERS} skipped in `, 'm'));

    const again = await cli(['deploy', ...common(), '--out', out('cdktf.out'), '--json']);
    expect(again.code).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc).toMatchObject({ ok: true, summary: { applied: 0, failed: 0, notStarted: 0, skipped: MEMBERS + 1 } });
  });

  test('verify: every trail healthy once log files are in their folders (exit 0)', async () => {
    for (const a of members) await emulator.plantLogFile({ trailArn: `arn:aws:cloudtrail:${REGION}:${a}:trail/${TRAIL}` });
    const r = await cli(['verify', ...common(), '--json']);
    const doc = JSON.parse(r.stdout);
    const unhealthy = doc.trails.filter((t: { healthy: boolean }) => !t.healthy).map((t: { accountId: string; problems: string[]; drift: unknown[] }) => ({ account: t.accountId, problems: t.problems, drift: t.drift }));
    expect(unhealthy).toEqual([]);
    expect(r.code).toBe(0);
    expect(doc.healthy).toBe(true);
    expect(doc.trails.map((t: { accountId: string; isLogging: boolean; folderState: string }) => [t.accountId, t.isLogging, t.folderState])).toEqual(members.map((a) => [a, true, 'recent']));
  });
});

// The config is valid as written (a broken generator would fail every command with exit 2 instead).
test('the generated config loads', () => {
  const tmp = workDir('rollout-config');
  const file = path.join(tmp, 'fleet.yaml');
  writeFileSync(file, fleetYaml());
  expect(configOf(require('yaml').parse(readFileSync(file, 'utf8'))).trails).toHaveLength(MEMBERS);
});
