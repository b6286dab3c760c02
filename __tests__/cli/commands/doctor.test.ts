/**
 * doctor against mocked AWS: a ready fleet exits 0 with one line per
 * account; each way an account is not ready is reported on its line with
 * what to do (exit 1); no credentials or no network is said once, fast,
 * without blaming any account (exit 3); at most --concurrency accounts are
 * checked at once; progress is plain lines off a terminal.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { CommandIO, parseCommandArgs } from '../../../cli/command';
import { command, doctor } from '../../../cli/commands/doctor';
import type { Fetch } from '../../../cli/lib/doctor/backend';
import { runCli } from '../../../cli/main';
import { DoctorWorld, awsError, networkError } from '../lib/doctor/doctor-world';

const NOW = new Date('2026-11-26T12:00:00Z');
const role = (account: string) => `arn:aws:iam::${account}:role/TerraformDeploy`;

function fleetRaw(accounts = ['222222222222', '333333333333']): any {
  return {
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: role('111111111111') },
    defaults: { trailName: 'my-trail' },
    accounts: accounts.map((accountId, i) => ({ accountId, name: `team-${i}`, assumeRoleArn: role(accountId) })),
  };
}

function readyWorld(accounts = ['111111111111', '222222222222', '333333333333']): DoctorWorld {
  const world = new DoctorWorld();
  for (const a of accounts) world.roles.set(role(a), a);
  return world;
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
});

let world: DoctorWorld | undefined;
afterEach(() => {
  world?.restore();
  world = undefined;
});

function io(out: { stdout: string[]; stderr: string[] }, overrides: Partial<CommandIO> = {}): CommandIO {
  return {
    stdout: (t) => void out.stdout.push(t),
    stderr: (t) => void out.stderr.push(t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { HOME: dir },
    now: () => NOW,
    ...overrides,
  };
}

async function run(raw: any, w: DoctorWorld, argv: string[] = [], overrides: Partial<CommandIO> = {}, fetch?: Fetch): Promise<Captured> {
  const file = path.join(dir, 'fleet.yaml');
  writeFileSync(file, stringify(raw));
  const out = { stdout: [] as string[], stderr: [] as string[] };
  const args = parseCommandArgs(command, ['--config', file, '--out', path.join(dir, 'cdktf.out'), ...argv]);
  const code = await doctor(args, io(out, overrides), () => w.session(), fetch);
  return { code, stdout: out.stdout.join(''), stderr: out.stderr.join('') };
}

/** The table row of an account, with its continuation lines. */
function rowOf(stdout: string, account: string): string {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith(account));
  if (i < 0) throw new Error(`no row for ${account} in\n${stdout}`);
  const rest: string[] = [];
  for (const l of lines.slice(i + 1)) {
    if (!l.startsWith(' ')) break;
    rest.push(l.trim());
  }
  return [lines[i], ...rest].join('\n');
}

describe('doctor: a ready fleet', () => {
  test('one line per account, central first, every check passed, exit 0', async () => {
    world = readyWorld();
    const r = await run(fleetRaw(), world);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\d{12}/.test(l));
    expect(rows.map((l) => l.slice(0, 12))).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(rowOf(r.stdout, '111111111111')).toMatch(/central\s+TerraformDeploy\s+ready\s+credentials, account, regions; s3:\/\/my-bucket does not exist yet: the first deploy of cloudtrail-central creates it/);
    expect(rowOf(r.stdout, '222222222222')).toMatch(/team-0\s+TerraformDeploy\s+ready\s+credentials, account, regions$/);
    expect(r.stdout).toContain(`state backend (local): ok: state files go to ${path.join(dir, 'state', 'aws-111111111111-my-bucket')} (writable)`);
    expect(r.stdout).toContain('3 accounts: 3 ready, 0 not ready; ready to deploy');
    // Each role assumed once, with doctor's own session name.
    expect(world.count('AssumeRole')).toBe(3);
  });

  test('--json: every check of every account, the backend and the summary', async () => {
    world = readyWorld();
    world.buckets.set('my-bucket', { owner: '111111111111', region: 'us-east-2' });
    const r = await run(fleetRaw(), world, ['--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ready).toBe(true);
    expect(report.checkedAt).toBe(NOW.toISOString());
    expect(report.caller).toEqual({ account: '999999999999', arn: 'arn:aws:iam::999999999999:user/ci' });
    expect(report.summary).toEqual({ accounts: 3, ready: 3, notReady: 0, unchecked: 0 });
    const central = report.accounts[0];
    expect(central.checks).toEqual([
      { check: 'credentials', status: 'ok', message: `assumed ${role('111111111111')}` },
      { check: 'account', status: 'ok', message: 'credentials act in 111111111111 (allowed_account_ids)' },
      { check: 'regions', status: 'ok', message: 'us-east-2 enabled' },
      { check: 'bucket', status: 'ok', message: 's3://my-bucket exists, owned by 111111111111' },
    ]);
    expect(report.backend).toMatchObject({ type: 'local', status: 'ok' });
  });

  test('the central account listed under accounts with another role: both roles are checked on its one line', async () => {
    const raw = fleetRaw(['111111111111']);
    raw.accounts[0].assumeRoleArn = 'arn:aws:iam::111111111111:role/TrailDeploy';
    world = readyWorld();
    world.roles.set('arn:aws:iam::111111111111:role/TrailDeploy', '111111111111');
    const r = await run(raw, world, ['--json']);
    const [central] = JSON.parse(r.stdout).accounts;
    expect(central.roles).toEqual([role('111111111111'), 'arn:aws:iam::111111111111:role/TrailDeploy']);
    expect(central.stacks).toEqual(['cloudtrail-central', 'cloudtrail-account-111111111111']);
    expect(central.checks.filter((c: any) => c.check === 'credentials')).toHaveLength(2);
    expect(r.code).toBe(0);
  });
});

describe('doctor: accounts that are not ready', () => {
  test('a role that cannot be assumed: its account only, with the caller and the config path', async () => {
    world = readyWorld(['111111111111', '333333333333']);
    const r = await run(fleetRaw(), world);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, '222222222222')).toBe(
      `222222222222  team-0   TerraformDeploy  NOT READY  credentials: cannot assume ${role('222222222222')} as arn:aws:iam::999999999999:user/ci: ` +
        `AccessDenied: User: arn:aws:iam::999999999999:user/ci is not authorized to perform: sts:AssumeRole on resource: ${role('222222222222')}; ` +
        `the role must exist in 222222222222 and its trust policy must let arn:aws:iam::999999999999:user/ci assume it (cloudtrail-fleet bootstrap creates it); ` +
        'cloudtrail-account-222222222222 assumes the same role (accounts[0].assumeRoleArn)',
    );
    expect(rowOf(r.stdout, '333333333333')).toMatch(/ready/);
    expect(r.stdout).toContain('3 accounts: 2 ready, 1 not ready; NOT ready to deploy');
    // Nothing else is tried with credentials that do not work.
    const json = JSON.parse((await run(fleetRaw(), world, ['--json'])).stdout);
    expect(json.accounts[1].checks.map((c: any) => `${c.check}:${c.status}`)).toEqual(['credentials:problem', 'regions:skipped']);
  });

  test('credentials that act in another account: allowed_account_ids would refuse the stack', async () => {
    const raw = fleetRaw(['222222222222']);
    delete raw.accounts[0].assumeRoleArn;
    world = readyWorld();
    const r = await run(raw, world);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, '222222222222')).toContain(
      'account: credentials act in 999999999999 (arn:aws:iam::999999999999:user/ci), not 222222222222: the provider\'s allowed_account_ids = ["222222222222"] refuses cloudtrail-account-222222222222; ' +
        "set accounts[0].assumeRoleArn to a role in 222222222222, or run cloudtrail-account-222222222222 with 222222222222's own credentials",
    );
    expect(rowOf(r.stdout, '222222222222')).toContain('(ambient)');
  });

  test('a role in the wrong account', async () => {
    world = readyWorld();
    world.roles.set(role('333333333333'), '444444444444');
    const r = await run(fleetRaw(), world);
    expect(rowOf(r.stdout, '333333333333')).toContain('account: credentials act in 444444444444');
    expect(rowOf(r.stdout, '333333333333')).toContain('accounts[1].assumeRoleArn names a role that acts in 444444444444: point it at a role in 333333333333');
    expect(r.code).toBe(1);
  });

  test('a trail home region that is an opt-in region not enabled; enabled, it passes', async () => {
    const raw = fleetRaw();
    raw.accounts[1].region = 'af-south-1';
    world = readyWorld();
    let r = await run(raw, world);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, '333333333333')).toContain(
      'regions: af-south-1 is an opt-in region not enabled in 333333333333: enable it (aws account enable-region --account-id 333333333333 --region-name af-south-1, from the management account) and wait until it reads ENABLED',
    );
    world.enabledOptIn.set('333333333333', new Set(['af-south-1']));
    r = await run(raw, world);
    expect(r.code).toBe(0);
    expect(world.calls).toContain('DescribeRegions:af-south-1');
  });

  test('a role that may not call ec2:DescribeRegions: said so, with the permission to add', async () => {
    world = readyWorld();
    world.denyDescribeRegions.add('222222222222');
    const r = await run(fleetRaw(), world);
    expect(rowOf(r.stdout, '222222222222')).toContain(
      `regions: cannot tell whether us-east-2 is enabled (ec2:DescribeRegions in us-east-1): UnauthorizedOperation: You are not authorized to perform this operation.; allow ec2:DescribeRegions (read-only) to ${role('222222222222')}`,
    );
    expect(r.code).toBe(1);
  });
});

describe('doctor: organization trails', () => {
  const orgRaw = () => {
    const raw = fleetRaw(['111111111111']);
    raw.organization = { id: 'o-abc123def4', managementAccountId: '111111111111' };
    raw.accounts[0].organizationTrail = true;
    delete raw.accounts[0].assumeRoleArn;
    return raw;
  };

  /** Organization trails run with the management account's own credentials here (no assumeRoleArn). */
  const managementWorld = () => {
    const w = readyWorld();
    w.caller = { account: '111111111111', arn: 'arn:aws:iam::111111111111:role/OrgAdmin' };
    return w;
  };

  test('trusted access not enabled: CreateTrail would fail; the command that enables it', async () => {
    world = managementWorld();
    world.organization.set('111111111111', { id: 'o-abc123def4', management: '111111111111', trustedCloudTrail: false });
    const r = await run(orgRaw(), world);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, '111111111111')).toContain(
      'organization: trusted access between CloudTrail and Organizations is not enabled (CreateTrail would fail with CloudTrailAccessNotEnabledException): ' +
        'aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com, in the management account',
    );
  });

  test('enabled, in the management account: ready', async () => {
    world = managementWorld();
    world.organization.set('111111111111', { id: 'o-abc123def4', management: '111111111111', trustedCloudTrail: true });
    const r = await run(orgRaw(), world, ['--json']);
    expect(r.code).toBe(0);
    const checks = JSON.parse(r.stdout).accounts[0].checks;
    expect(checks.find((c: any) => c.check === 'organization')).toEqual({ check: 'organization', status: 'ok', message: 'management account of o-abc123def4; trusted access for CloudTrail enabled' });
  });

  test('the trail account is a member, not the management account (the organization says so, whatever the config says)', async () => {
    world = managementWorld();
    world.organization.set('111111111111', { id: 'o-abc123def4', management: '555555555555', trustedCloudTrail: true });
    const r = await run(orgRaw(), world);
    expect(rowOf(r.stdout, '111111111111')).toContain('organization: organization trails can only be created in the management account 555555555555; 111111111111 is a member');
    expect(r.code).toBe(1);
  });

  test('an account in no organization', async () => {
    world = managementWorld();
    const r = await run(orgRaw(), world);
    expect(rowOf(r.stdout, '111111111111')).toContain('organization: 111111111111 is not in an organization, but it holds an organization trail');
  });
});

describe('doctor: the central bucket', () => {
  test('owned by another account (bucket names are global)', async () => {
    world = readyWorld();
    world.buckets.set('my-bucket', { owner: '777777777777', region: 'us-east-2' });
    const r = await run(fleetRaw(), world);
    expect(rowOf(r.stdout, '111111111111')).toContain('bucket: s3://my-bucket exists and belongs to another account (bucket names are global): choose another central.bucketName');
    expect(r.code).toBe(1);
  });

  test('in another region than central.region', async () => {
    world = readyWorld();
    world.buckets.set('my-bucket', { owner: '111111111111', region: 'eu-west-1' });
    const r = await run(fleetRaw(), world);
    expect(rowOf(r.stdout, '111111111111')).toContain('bucket: s3://my-bucket exists in eu-west-1, not in central.region us-east-2');
  });

  test('missing while another team owns it (bucketManagement policyOnly): not ready', async () => {
    const raw = fleetRaw();
    raw.central.bucketManagement = 'policyOnly';
    raw.central.kmsKey = false;
    world = readyWorld();
    const r = await run(raw, world);
    expect(rowOf(r.stdout, '111111111111')).toContain(
      'bucket: s3://my-bucket does not exist, but central.bucketManagement is policyOnly (the bucket is owned elsewhere; only its policy is deployed): create it or fix central.bucketName',
    );
    expect(r.code).toBe(1);
  });
});

describe('doctor: the state backend', () => {
  test('s3: a state bucket that does not exist', async () => {
    const raw = fleetRaw();
    raw.backend = { type: 's3', bucket: 'acme-tf-state', region: 'eu-central-1' };
    world = readyWorld();
    const r = await run(raw, world);
    expect(r.stdout).toContain(
      "state backend (s3): NOT READY: state bucket s3://acme-tf-state does not exist: create it first (Terraform's S3 backend does not create its bucket), or fix backend.bucket",
    );
    expect(r.code).toBe(1);
    world.buckets.set('acme-tf-state', { owner: '999999999999', region: 'eu-central-1' });
    const ok = await run(raw, world);
    expect(ok.stdout).toContain('state backend (s3): ok: state bucket s3://acme-tf-state (eu-central-1) reachable with the ambient credentials');
    expect(ok.code).toBe(0);
  });

  const cloudRaw = () => ({ ...fleetRaw(), backend: { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' } });

  /** The HCP Terraform API: discovery, and organizations/<org> answering `status` to the right token. */
  const hcp = (status: number, calls: string[] = []): Fetch => async (url, init) => {
    calls.push(`${url} ${init.headers.Authorization ?? ''}`);
    if (url === 'https://app.terraform.io/.well-known/terraform.json') return { status: 200, json: async () => ({ 'tfe.v2': '/api/v2/' }) };
    if (url === 'https://app.terraform.io/api/v2/organizations/acme') return { status: init.headers.Authorization === 'Bearer good-token' ? status : 401, json: async () => ({}) };
    return { status: 404, json: async () => ({}) };
  };

  test('cloud without a token: where Terraform looked, and terraform login', async () => {
    world = readyWorld();
    const r = await run(cloudRaw(), world, [], {}, hcp(200));
    expect(r.stdout).toContain(
      `state backend (cloud): NOT READY: no API token for app.terraform.io: run terraform login, or set TF_TOKEN_app_terraform_io (looked in TF_TOKEN_app_terraform_io, ${dir}/.terraformrc, ${dir}/.terraform.d/credentials.tfrc.json)`,
    );
    expect(r.code).toBe(1);
  });

  test('cloud with TF_TOKEN_app_terraform_io: the API answers for the organization', async () => {
    world = readyWorld();
    const calls: string[] = [];
    const r = await run(cloudRaw(), world, [], { env: { HOME: dir, TF_TOKEN_app_terraform_io: 'good-token' } }, hcp(200, calls));
    expect(r.stdout).toContain('state backend (cloud): ok: app.terraform.io reachable; organization acme readable with the token from the environment variable TF_TOKEN_app_terraform_io');
    expect(calls).toEqual(['https://app.terraform.io/.well-known/terraform.json ', 'https://app.terraform.io/api/v2/organizations/acme Bearer good-token']);
    expect(r.code).toBe(0);
  });

  test('cloud with the token terraform login wrote (credentials.tfrc.json), rejected by the API', async () => {
    world = readyWorld();
    mkdirSync(path.join(dir, '.terraform.d'));
    writeFileSync(path.join(dir, '.terraform.d', 'credentials.tfrc.json'), JSON.stringify({ credentials: { 'app.terraform.io': { token: 'old-token' } } }));
    const r = await run(cloudRaw(), world, [], {}, hcp(200));
    expect(r.stdout).toContain(`state backend (cloud): NOT READY: app.terraform.io rejected the token from ${dir}/.terraform.d/credentials.tfrc.json (401)`);
    expect(r.code).toBe(1);
  });

  test('cloud with the API unreachable: unchecked, exit 3 when nothing else is wrong', async () => {
    world = readyWorld();
    const down: Fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    };
    const r = await run(cloudRaw(), world, [], { env: { HOME: dir, TF_TOKEN_app_terraform_io: 'good-token' } }, down);
    expect(r.stdout).toContain('state backend (cloud): UNCHECKED: cannot reach https://app.terraform.io');
    expect(r.code).toBe(3);
  });
});

describe('doctor: could not check (said once, fast, no account blamed)', () => {
  test('no credentials at all: one message, exit 3, no AssumeRole, no table', async () => {
    world = readyWorld();
    world.callerError = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const started = Date.now();
    const r = await run(fleetRaw(), world);
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^doctor: could not check: no AWS credentials found \(Could not load credentials from any providers\): give doctor the credentials you would give the AWS CLI/);
    expect(r.stderr).toContain('Nothing was checked; no account was blamed');
    expect(world.count('AssumeRole')).toBe(0);
  });

  test('AWS (or the emulator) unreachable: names the endpoint; --json still prints one JSON document', async () => {
    world = readyWorld();
    world.callerError = networkError();
    const r = await run(fleetRaw(), world, ['--json'], { env: { HOME: dir, AWS_ENDPOINT_URL: 'http://127.0.0.1:5999' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'doctor: could not check: the endpoint http://127.0.0.1:5999 (AWS_ENDPOINT_URL) did not answer (ECONNREFUSED): start the emulator, or unset AWS_ENDPOINT_URL to check AWS itself. Nothing was checked; no account was blamed\n',
    );
    expect(JSON.parse(r.stdout)).toEqual({ ready: false, couldNotCheck: r.stderr.replace(/^doctor: could not check: /, '').trim(), checkedAt: NOW.toISOString() });
  });

  test('expired ambient credentials: rejected, said once', async () => {
    world = readyWorld();
    world.callerError = awsError('ExpiredToken', 'The security token included in the request is expired', 403);
    const r = await run(fleetRaw(), world);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('AWS refused the credentials (ExpiredToken: The security token included in the request is expired): refresh them (`aws sso login`, new keys, or a new session) and run doctor again');
  });

  test('AWS goes away half-way through 60 accounts: one could-not-check, and the remaining accounts are not tried one by one', async () => {
    const accounts = Array.from({ length: 60 }, (_, i) => String(200000000000 + i));
    world = readyWorld(['111111111111', ...accounts]);
    world.outageAfterAssumes = 10;
    const r = await run(fleetRaw(accounts), world, ['--concurrency', '4']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const last = r.stderr.trimEnd().split('\n').pop();
    expect(last).toMatch(
      /^doctor: could not check: AWS did not answer \(ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:5999\): check the network, the proxy settings \(HTTPS_PROXY\) and the regions in the config\. AWS stopped answering after (\d+) of 61 accounts were checked; the others were not tried and no account was blamed$/,
    );
    expect(Number(/after (\d+) of/.exec(last!)![1])).toBeLessThanOrEqual(10);
    expect(r.stderr.match(/could not check/g)).toHaveLength(1);
    expect(world.count('AssumeRole')).toBeLessThan(20);
  });
});

describe('doctor: many accounts', () => {
  test('at most --concurrency accounts at once; progress as plain lines off a terminal (no carriage returns)', async () => {
    const accounts = Array.from({ length: 40 }, (_, i) => String(300000000000 + i));
    world = readyWorld(['111111111111', ...accounts]);
    world.latencyMs = 2;
    const r = await run(fleetRaw(accounts), world, ['--concurrency', '3']);
    expect(r.code).toBe(0);
    expect(world.maxInFlight).toBeLessThanOrEqual(3 * 2); // each account has at most two calls in flight (regions + bucket)
    expect(r.stderr).not.toContain('\r');
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toBe('doctor: 41/41 accounts checked');
    expect(lines.length).toBeLessThanOrEqual(11);
  });

  test('on a terminal the progress line is rewritten in place and cleared before the table', async () => {
    const accounts = Array.from({ length: 25 }, (_, i) => String(300000000000 + i));
    world = readyWorld(['111111111111', ...accounts]);
    const r = await run(fleetRaw(accounts), world, [], { stderrIsTTY: true });
    expect(r.stderr).toContain('\r\x1b[Kdoctor: 1/26 accounts checked');
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(r.stderr).not.toContain('\n');
  });
});

describe('doctor: command line', () => {
  test('a bad --concurrency is a usage error (exit 2)', async () => {
    const out = { stdout: [] as string[], stderr: [] as string[] };
    const code = await runCli(['doctor', '--concurrency', '0'], io(out));
    expect(code).toBe(2);
    expect(out.stderr.join('')).toContain('--concurrency takes a positive whole number, got 0');
  });

  test('a config error is exit 2, before any AWS call', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'central: {}\n');
    const out = { stdout: [] as string[], stderr: [] as string[] };
    world = readyWorld();
    const code = await runCli(['doctor', '--config', file], io(out));
    expect(code).toBe(2);
    expect(world.calls).toEqual([]);
  });
});
