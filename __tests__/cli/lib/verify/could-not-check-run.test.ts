/**
 * verify when nothing can be checked, as a user meets it (issue 16): no
 * credentials, credentials AWS refuses, an endpoint that does not answer.
 * Said once on stderr, exit 3, in about a second, with --digests too; never
 * a table of trails, an EMPTY folder or a blamed role. The first three
 * tests use the real SDK clients and credential chain (no mocks), against
 * 127.0.0.1 only; the others the mocked AWS of aws-world.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import { createServer as createTcpServer } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { CommandIO, CouldNotCheck, EXIT } from '../../../../cli/command';
import { runCli } from '../../../../cli/main';
import { runVerify } from '../../../../cli/commands/verify';
import { formatTable } from '../../../../cli/lib/verify/report';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { configOf } from '../../../helpers/fleet';
import { AwsWorld } from './aws-world';

const NOW = new Date('2026-11-26T12:00:00Z');
const ACCOUNTS = ['222222222222', '333333333333', '444444444444', '555555555555', '666666666666', '777777777777'];
/** The fleet of the issue: six accounts, each reached through its TerraformDeploy role. */
const YAML = `
central: { accountId: "111111111111", region: us-east-2, bucketName: my-bucket, assumeRoleArn: "arn:aws:iam::111111111111:role/TerraformDeploy" }
defaults: { trailName: my-trail }
accounts:
${ACCOUNTS.map((a) => `  - { accountId: "${a}", assumeRoleArn: "arn:aws:iam::${a}:role/TerraformDeploy" }`).join('\n')}
`;

let dir: string;
let config: string;
const saved = { ...process.env };
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'verify-cnc-'));
  config = path.join(dir, 'fleet.yaml');
  writeFileSync(config, YAML);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** An environment where the SDK's credential chain finds nothing, and never asks the instance metadata service. */
function noCredentialsEnv(extra: Record<string, string> = {}) {
  for (const k of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_ENDPOINT_URL',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
  ]) {
    delete process.env[k];
  }
  Object.assign(process.env, {
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });
}

function io(): CommandIO & { out: string; err: string } {
  const captured = { out: '', err: '' };
  return Object.assign(captured, {
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    now: () => NOW,
  });
}

async function timed(argv: string[]) {
  const c = io();
  const started = Date.now();
  const code = await runCli(argv, c);
  return { code, out: c.out, err: c.err, seconds: (Date.now() - started) / 1000 };
}

describe('could not check (real SDK clients, nothing mocked)', () => {
  test('no credentials at all: one line, exit 3, fast, with and without --digests; no trail, folder or role named', async () => {
    noCredentialsEnv();
    for (const extra of [[], ['--digests']]) {
      const r = await timed(['verify', '--config', config, ...extra]);
      expect(r.code).toBe(EXIT.couldNotCheck);
      expect(r.out).toBe('');
      expect(r.err).toBe(
        'verify: could not check: no AWS credentials found (Could not load credentials from any providers): give verify the credentials you would give the AWS CLI, ' +
          'e.g. AWS_PROFILE=<profile> (after `aws sso login --profile <profile>` for an SSO profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), ' +
          'or an instance or container role; against the emulator, set AWS_ENDPOINT_URL and any dummy keys\n',
      );
      expect(r.err).not.toMatch(/EMPTY|cannot assume|TerraformDeploy/);
      expect(r.seconds).toBeLessThan(5); // 11.4 s before (issue 16); about 0.3 s here
    }
  });

  test('--json still prints one document, saying nothing was checked', async () => {
    noCredentialsEnv();
    const r = await timed(['verify', '--config', config, '--json']);
    expect(r.code).toBe(EXIT.couldNotCheck);
    expect(JSON.parse(r.out)).toEqual({ checked: false, couldNotCheck: expect.stringMatching(/^no AWS credentials found/), checkedAt: NOW.toISOString() });
    expect(r.err).toMatch(/^verify: could not check: no AWS credentials found/);
  });

  test('the emulator endpoint (AWS_ENDPOINT_URL) does not answer: named, exit 3, fast', async () => {
    // A port that was just free: connecting is refused.
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    noCredentialsEnv({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
    for (const extra of [[], ['--digests']]) {
      const r = await timed(['verify', '--config', config, ...extra]);
      expect(r.code).toBe(EXIT.couldNotCheck);
      expect(r.out).toBe('');
      expect(r.err).toBe(
        `verify: could not check: the endpoint http://127.0.0.1:${port} (AWS_ENDPOINT_URL) did not answer (ECONNREFUSED 127.0.0.1:${port}): start the emulator, or unset AWS_ENDPOINT_URL to check AWS itself\n`,
      );
      expect(r.seconds).toBeLessThan(5);
    }
  });

  test('credentials AWS refuses (ExpiredToken from STS): one STS request, no CloudTrail or S3 request, exit 3', async () => {
    const requests: string[] = [];
    // STS's awsQuery error response, as STS sends it for an expired session token.
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push(`${req.headers['x-amz-target'] ?? new URLSearchParams(body).get('Action') ?? `${req.method} ${req.url}`}`);
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code>' +
            '<Message>The security token included in the request is expired</Message></Error><RequestId>4f2c1a9e-0000-4000-8000-000000000000</RequestId></ErrorResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      noCredentialsEnv({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'ASIAEXPIRED', AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 'expired' });
      const r = await timed(['verify', '--config', config, '--digests']);
      expect(r.code).toBe(EXIT.couldNotCheck);
      expect(r.err).toBe(
        'verify: could not check: AWS refused the credentials (ExpiredToken: The security token included in the request is expired): refresh them (`aws sso login`, new keys, or a new session) and run verify again\n',
      );
      expect(requests).toEqual(['GetCallerIdentity']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('could not check (mocked AWS)', () => {
  let world: AwsWorld;
  beforeEach(() => (world = new AwsWorld()));
  afterEach(() => world.restore());
  const raw = () => ({
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: 'arn:aws:iam::111111111111:role/Audit' },
    defaults: { trailName: 'my-trail' },
    accounts: ACCOUNTS.map((accountId) => ({ accountId, assumeRoleArn: `arn:aws:iam::${accountId}:role/Audit` })),
  });
  const healthyTrail = () => ({
    trail: { Name: 'my-trail', S3BucketName: 'my-bucket', IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, HomeRegion: 'us-east-2', LogFileValidationEnabled: true, IsOrganizationTrail: false, KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/k' },
    status: { IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 5 * 60_000) },
    eventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
  });

  test('the network failing in the middle of a run stops it at once: no report, no further account asked', async () => {
    world.trails.set('my-trail', healthyTrail());
    const { GetTrailCommand } = await import('@aws-sdk/client-cloudtrail');
    let n = 0;
    world.cloudTrail.on(GetTrailCommand).callsFake(() => {
      world.calls.push(`GetTrail:${++n}`);
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5055'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5055, $metadata: { attempts: 3 } });
    });
    await expect(verifyFleet(configOf(raw()), world.access(), { maxAgeMs: 86_400_000, concurrency: 1, now: NOW })).rejects.toThrow(
      new CouldNotCheck(
        'AWS did not answer (ECONNREFUSED 127.0.0.1:5055: connect ECONNREFUSED 127.0.0.1:5055): check the network, the proxy settings (HTTPS_PROXY) and the regions in the config',
      ),
    );
    // One trail at a time: the first failure ends the run before the next account is asked.
    expect(world.calls.filter((c) => c.startsWith('GetTrail:'))).toEqual(['GetTrail:1']);
    expect(world.calls.filter((c) => c.startsWith('AssumeRole:arn:aws:iam::333333333333'))).toEqual([]);
  });

  test('every role refuses the caller and no account is reached otherwise: could not check, not six unhealthy trails', async () => {
    world.trails.set('my-trail', healthyTrail());
    for (const a of ['111111111111', ...ACCOUNTS]) world.deniedRoles.add(`arn:aws:iam::${a}:role/Audit`);
    await expect(verifyFleet(configOf(raw()), world.access(), { maxAgeMs: 86_400_000, concurrency: 4, now: NOW })).rejects.toThrow(
      new CouldNotCheck(
        "the caller may assume none of the 7 role(s) verify needs (AccessDenied on each, e.g. arn:aws:iam::111111111111:role/Audit): run verify with the credentials these roles trust (the deploy's, or an auditor identity their trust policies name)",
      ),
    );
  });

  test('one role that does not trust the caller while the others do is that trail\'s problem: exit 1, the others healthy', async () => {
    world.trails.set('my-trail', healthyTrail());
    for (const a of ACCOUNTS) world.objects.set(`my-bucket/AWSLogs/${a}/CloudTrail/us-east-2/2026/11/26/${a}_CloudTrail_us-east-2_20261126T1150Z_x.json.gz`, { lastModified: new Date(NOW.getTime() - 10 * 60_000) });
    world.deniedRoles.add('arn:aws:iam::444444444444:role/Audit');
    const file = path.join(dir, 'one-denied.json');
    writeFileSync(file, JSON.stringify(raw()));
    const { report, exitCode } = await runVerify(['--config', file], world.access(), { now: () => NOW, colour: false });
    expect(exitCode).toBe(EXIT.problems);
    expect(report.trails.filter((t) => !t.healthy).map((t) => [t.accountId, t.problems])).toEqual([
      [
        '444444444444',
        [
          'cannot assume arn:aws:iam::444444444444:role/Audit (AccessDenied: User: arn:aws:iam::999999999999:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/Audit): check that the role exists in 444444444444 and trusts the caller; the stacks use the same role',
        ],
      ],
    ]);
    // Its folder was listed with the central role all the same: recent, not EMPTY.
    expect(report.trails.find((t) => t.accountId === '444444444444')?.folderState).toBe('recent');
  });

  test('a folder that could not be listed is "?", never EMPTY', async () => {
    world.trails.set('my-trail', healthyTrail());
    world.deniedRoles.add('arn:aws:iam::111111111111:role/Audit');
    const report = await verifyFleet(configOf({ ...raw(), accounts: raw().accounts.slice(0, 1) }), world.access(), { maxAgeMs: 86_400_000, concurrency: 2, now: NOW });
    expect(report.trails[0]).toMatchObject({
      folderState: 'unlisted',
      problems: [
        "cannot list s3://my-bucket/AWSLogs/222222222222/CloudTrail/: cannot assume the central account's role arn:aws:iam::111111111111:role/Audit (AccessDenied: User: arn:aws:iam::999999999999:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Audit): check that it exists in 111111111111 and trusts the caller",
      ],
    });
    const table = formatTable(report);
    expect(table).toMatch(/✖ +222222222222 +my-trail +us-east-2 +on +5 min ago +\? +-/);
    expect(table.split('\n').filter((l) => !l.startsWith('FOLDER:')).join('\n')).not.toContain('EMPTY');
    expect(table).toContain('FOLDER: recent, OLD (newest log file older than --max-age), EMPTY (no log file in the window), ? (could not be listed)');
  });
});
