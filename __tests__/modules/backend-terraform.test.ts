/**
 * Terraform reads a backend block literally: the S3 state key and the role
 * ARN in the synthesized block are exactly what reaches S3 and STS. Proven
 * with `terraform init` against a fake S3/STS endpoint on 127.0.0.1 that
 * records each request (the synthesized block, plus endpoint and dummy
 * credential settings; no real AWS is reached).
 *
 * Needs `terraform` on PATH (no provider is installed: a backend-only
 * folder); without it the test is skipped and says so.
 */
import { spawn, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { configOf, rawWith, synthFleet } from '../helpers/fleet';
import { backendEnv } from '../../tools/backend-check';

const hasTerraform = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasTerraform) console.warn('SKIPPED: the backend Terraform test needs terraform on PATH; Terraform did not read the backend blocks');

const KEY_PREFIX = 'state/x%{/';
const ROLE = 'arn:aws:iam::111111111111:role/${team}/%{x}/TerraformState';

/** A fake S3 + STS: S3 lists nothing and has no object; STS refuses. Every request is recorded, decoded. */
async function fakeAws(): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push(`${req.method} ${decodeURIComponent(req.url ?? '')} ${decodeURIComponent(body.replace(/\+/g, ' '))}`);
      if (req.method === 'GET' && /list-type=2/.test(req.url ?? '')) {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>');
      } else if (body.includes('Action=AssumeRole')) {
        res.writeHead(403, { 'Content-Type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>fake</Message></Error><RequestId>1</RequestId></ErrorResponse>');
      } else {
        res.writeHead(404, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>fake</Message><RequestId>1</RequestId></Error>');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function init(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const env = { ...backendEnv(process.env, dir), AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake' };
    const child = spawn('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 45_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** The central stack's synthesized backend block, pointed at the fake endpoint. */
function backendFolder(root: string, name: string, port: number, backend: Record<string, unknown>): string {
  const stack = synthFleet(configOf(rawWith((r) => (r.backend = backend)))).get('cloudtrail-central')!;
  const s3 = {
    ...stack.terraform.backend.s3,
    endpoints: { s3: `http://127.0.0.1:${port}`, sts: `http://127.0.0.1:${port}` },
    use_path_style: true,
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  };
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ terraform: { backend: { s3 } } }));
  return dir;
}

(hasTerraform ? describe : describe.skip)('terraform init with the synthesized S3 backend block (fake endpoint)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'backend-literal-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the state key S3 is asked for is keyPrefix + stack + ".tfstate", with the %{ as written', async () => {
    const fake = await fakeAws();
    try {
      const dir = backendFolder(root, 'key', fake.port, { type: 's3', bucket: 'acme-state', region: 'eu-central-1', keyPrefix: KEY_PREFIX });
      const run = await init(dir);
      const objectRequests = fake.requests.filter((r) => /^(HEAD|GET) \/acme-state\/state\//.test(r));
      expect({ objectRequests, output: objectRequests.length ? '' : run.output }).toMatchObject({ objectRequests: [expect.stringMatching(/^HEAD \/acme-state\/state\/x%\{\/cloudtrail-central\.tfstate /)] });
    } finally {
      await fake.close();
    }
  });

  test('the role STS is asked to assume is the configured ARN, ${team} and %{x} as written', async () => {
    const fake = await fakeAws();
    try {
      const dir = backendFolder(root, 'role', fake.port, { type: 's3', bucket: 'acme-state', region: 'eu-central-1', assumeRoleArn: ROLE });
      const run = await init(dir);
      expect(run.code).not.toBe(0); // the fake STS refuses
      const assume = fake.requests.filter((r) => r.includes('Action=AssumeRole'));
      expect(assume).toEqual([expect.stringContaining(`RoleArn=${ROLE}&`)]);
    } finally {
      await fake.close();
    }
  });
});
