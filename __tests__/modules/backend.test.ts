/**
 * `backend`: every stack keeps its own state. Testing.synth() drops
 * backends, so these tests synthesize with a real App (helpers.synthFleet)
 * and read the `terraform` block of each cdk.tf.json.
 */
import { configOf, issuesOf, rawWith, StackJson, synthFleet } from '../helpers/fleet';
import { fleetId } from '../../modules/fleet-identity';
import { localStateFile } from '../../modules/backend';

/** Two accounts, so "per stack" means three different stacks. */
function fleetWith(backend: unknown): Map<string, StackJson> {
  return synthFleet(
    configOf(
      rawWith((r) => {
        r.accounts.push({ accountId: '333333333333' });
        if (backend !== undefined) r.backend = backend;
      }),
    ),
  );
}

const STACKS = ['cloudtrail-account-222222222222', 'cloudtrail-account-333333333333', 'cloudtrail-central'];

describe('backend: local (the default)', () => {
  const stacks = fleetWith(undefined);

  test('every stack has a local backend with its own relative state path, never an absolute machine path', () => {
    expect([...stacks.keys()]).toEqual(STACKS);
    const paths = new Set<string>();
    for (const [name, stack] of stacks) {
      const backend = stack.terraform.backend;
      expect(Object.keys(backend)).toEqual(['local']);
      expect(stack.terraform.cloud).toBeUndefined();
      const statePath: string = backend.local.path;
      // Terraform runs in cdktf.out/stacks/<stack>/: the state lands under the project root, in the fleet's own
      // folder (partition, central account, bucket), named after the stack.
      expect(statePath).toBe(`../../../state/aws-111111111111-my-bucket/terraform.${name}.tfstate`);
      expect(statePath.startsWith('/')).toBe(false);
      expect(statePath).not.toMatch(/^[A-Za-z]:[\\/]/);
      paths.add(statePath);
    }
    expect(paths.size).toBe(stacks.size);
  });

  test('the generated JSON names no folder of the machine it was synthesized on', () => {
    for (const stack of stacks.values()) {
      const text = JSON.stringify(stack);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain(__dirname);
    }
  });

  test('an explicit { type: local } is the same as the default', () => {
    const explicit = fleetWith({ type: 'local' });
    for (const name of STACKS) expect(explicit.get(name)!.terraform).toEqual(stacks.get(name)!.terraform);
  });
});

describe('local state per fleet: two configs in one clone never share a state file', () => {
  const pathsOf = (stacks: Map<string, StackJson>) => [...stacks.values()].map((s) => s.terraform.backend.local.path as string);
  const fleetA = fleetWith(undefined);
  const otherAccount = synthFleet(configOf(rawWith((r) => { r.central.accountId = '999999999999'; r.accounts.push({ accountId: '333333333333' }); })));
  const otherBucket = synthFleet(configOf(rawWith((r) => { r.central.bucketName = 'other-bucket'; r.accounts.push({ accountId: '333333333333' }); })));
  const govCloud = synthFleet(
    configOf(
      rawWith((r) => {
        r.partition = 'aws-us-gov';
        r.central.region = 'us-gov-west-1';
        r.accounts.push({ accountId: '333333333333' });
      }),
    ),
  );

  test('another central account, another bucket or another partition: no state path in common', () => {
    const all = [fleetA, otherAccount, otherBucket, govCloud].map(pathsOf);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(all[i].filter((p) => all[j].includes(p))).toEqual([]);
    expect(pathsOf(otherAccount)).toContain('../../../state/aws-999999999999-my-bucket/terraform.cloudtrail-central.tfstate');
    expect(pathsOf(otherBucket)).toContain('../../../state/aws-111111111111-other-bucket/terraform.cloudtrail-central.tfstate');
    expect(pathsOf(govCloud)).toContain('../../../state/aws-us-gov-111111111111-my-bucket/terraform.cloudtrail-central.tfstate');
  });

  test('the same fleet with other accounts or trails keeps its state folder (adding an account moves nothing)', () => {
    const more = synthFleet(configOf(rawWith((r) => r.accounts.push({ accountId: '333333333333' }, { accountId: '444444444444', trailName: 'other' }))));
    expect(more.get('cloudtrail-central')!.terraform).toEqual(fleetA.get('cloudtrail-central')!.terraform);
  });

  test('the folder name is the fleet identity and cannot be the same for two identities', () => {
    const id = (partition: string, centralAccountId: string, bucketName: string) => fleetId({ partition, centralAccountId, bucketName });
    expect(id('aws', '111111111111', 'my-bucket')).toBe('aws-111111111111-my-bucket');
    // Partitions have no digits and account ids have 12: the split is never ambiguous.
    expect(id('aws-cn', '111111111111', 'b')).not.toBe(id('aws', '111111111111', 'cn-b'));
    expect(localStateFile({ partition: 'aws', centralAccountId: '111111111111', bucketName: 'my-bucket' }, 'cloudtrail-central')).toBe(
      'state/aws-111111111111-my-bucket/terraform.cloudtrail-central.tfstate',
    );
  });
});

const ROLE = 'arn:aws:iam::111111111111:role/${team}/%{x}/TerraformState';

describe('backend blocks are written literally (Terraform reads them without interpolation)', () => {
  const stacks = fleetWith({
    type: 's3',
    bucket: 'acme-terraform-state',
    region: 'eu-central-1',
    keyPrefix: 'state/x%{/',
    assumeRoleArn: ROLE,
  });

  test('an S3 key prefix with %{ and a role ARN with ${ in its IAM path reach the backend block as written, not escaped', () => {
    for (const [name, stack] of stacks) {
      expect(stack.terraform.backend.s3.key).toBe(`state/x%{/${name}.tfstate`);
      expect(stack.terraform.backend.s3.assume_role).toEqual({ role_arn: ROLE });
      expect(JSON.stringify(stack.terraform.backend)).not.toMatch(/\$\$\{|%%\{/);
    }
  });

  test('the same text anywhere else in the stack is still escaped (only the backend is read literally)', () => {
    const withReader = synthFleet(
      configOf(
        rawWith((r) => {
          r.central.kmsKey = { decryptPrincipals: [ROLE] };
          r.backend = { type: 's3', bucket: 'acme-terraform-state', region: 'eu-central-1', assumeRoleArn: ROLE };
        }),
      ),
    ).get('cloudtrail-central')!;
    expect(withReader.terraform.backend.s3.assume_role.role_arn).toBe(ROLE);
    const keyPolicy: string = Object.values<any>(withReader.resource.aws_kms_key)[0].policy;
    expect(keyPolicy).toContain('role/$${team}/%%{x}/TerraformState');
    expect(keyPolicy).not.toMatch(/[^$]\$\{team\}/);
  });
});

describe('backend: cloud (HCP Terraform / Terraform Cloud)', () => {
  test('one workspace per stack named workspacePrefix + stack name, with organization, hostname and project', () => {
    const stacks = fleetWith({ type: 'cloud', organization: 'acme', workspacePrefix: 'ct-', hostname: 'tfe.example.com', project: 'logging' });
    for (const [name, stack] of stacks) {
      expect(stack.terraform.backend).toBeUndefined();
      expect(stack.terraform.cloud).toEqual({
        organization: 'acme',
        hostname: 'tfe.example.com',
        workspaces: { name: `ct-${name}`, project: 'logging' },
      });
    }
    const names = [...stacks.values()].map((s) => s.terraform.cloud.workspaces.name);
    expect(names).toEqual(STACKS.map((s) => `ct-${s}`));
  });

  test('without workspacePrefix, hostname and project: workspace = stack name, Terraform defaults the rest', () => {
    const stacks = fleetWith({ type: 'cloud', organization: 'acme' });
    for (const [name, stack] of stacks) {
      expect(stack.terraform.cloud).toEqual({ organization: 'acme', workspaces: { name } });
    }
  });

  test('workspaces never use tags (one named workspace each, so `cdktf deploy <stack>` picks exactly one)', () => {
    const stacks = fleetWith({ type: 'cloud', organization: 'acme', workspacePrefix: 'cloudtrail-' });
    for (const stack of stacks.values()) expect(stack.terraform.cloud.workspaces.tags).toBeUndefined();
  });
});

describe('backend: s3', () => {
  test('one state key per stack = keyPrefix + stack + ".tfstate", encrypted, locked with an S3 lock file', () => {
    const stacks = fleetWith({ type: 's3', bucket: 'acme-terraform-state', region: 'eu-central-1', keyPrefix: 'audit/cloudtrail/' });
    const keys = new Set<string>();
    for (const [name, stack] of stacks) {
      expect(stack.terraform.cloud).toBeUndefined();
      expect(stack.terraform.backend).toEqual({
        s3: {
          bucket: 'acme-terraform-state',
          key: `audit/cloudtrail/${name}.tfstate`,
          region: 'eu-central-1',
          encrypt: true,
          use_lockfile: true,
        },
      });
      keys.add(stack.terraform.backend.s3.key);
    }
    expect(keys.size).toBe(stacks.size);
  });

  test('the key prefix defaults to cloudtrail-fleet/', () => {
    const stacks = fleetWith({ type: 's3', bucket: 'acme-terraform-state', region: 'eu-central-1' });
    for (const [name, stack] of stacks) expect(stack.terraform.backend.s3.key).toBe(`cloudtrail-fleet/${name}.tfstate`);
  });

  test('a DynamoDB lock table replaces the lock file; encrypt: false and assume_role are passed through', () => {
    const stacks = fleetWith({
      type: 's3',
      bucket: 'acme-terraform-state',
      region: 'us-east-1',
      dynamodbTable: 'terraform-locks',
      encrypt: false,
      assumeRoleArn: 'arn:aws:iam::111111111111:role/TerraformState',
    });
    for (const [name, stack] of stacks) {
      const s3 = stack.terraform.backend.s3;
      expect(s3).toEqual({
        bucket: 'acme-terraform-state',
        key: `cloudtrail-fleet/${name}.tfstate`,
        region: 'us-east-1',
        encrypt: false,
        dynamodb_table: 'terraform-locks',
        // Terraform >= 1.6 form (the top-level role_arn is deprecated).
        assume_role: { role_arn: 'arn:aws:iam::111111111111:role/TerraformState' },
      });
      expect(s3.use_lockfile).toBeUndefined();
      expect(s3.role_arn).toBeUndefined();
    }
  });
});

describe('backend config validation', () => {
  test('an unknown backend type is rejected with the accepted types', () => {
    expect(issuesOf(rawWith((r) => (r.backend = { type: 'remote' })))).toEqual([
      { path: 'backend.type', message: expect.stringMatching(/backend\.type must be local, cloud or s3/) },
    ]);
  });

  test('a cloud backend without organization is rejected at backend.organization', () => {
    const issues = issuesOf(rawWith((r) => (r.backend = { type: 'cloud', workspacePrefix: 'ct-' })));
    expect(issues).toEqual([{ path: 'backend.organization', message: expect.stringMatching(/required/) }]);
  });

  test('an s3 backend without bucket is rejected at backend.bucket', () => {
    const issues = issuesOf(rawWith((r) => (r.backend = { type: 's3', region: 'us-east-1' })));
    expect(issues.map((i) => i.path)).toEqual(['backend.bucket']);
  });

  test('a workspace prefix that HCP Terraform would not accept as part of a name is rejected', () => {
    const issues = issuesOf(rawWith((r) => (r.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct fleet/' })));
    expect(issues.map((i) => i.path)).toEqual(['backend.workspacePrefix']);
  });

  test('keys of another backend type are typos, not silently ignored', () => {
    const issues = issuesOf(rawWith((r) => (r.backend = { type: 'local', organization: 'acme' })));
    expect(issues).toEqual([{ path: 'backend', message: expect.stringMatching(/unknown key "organization"/) }]);
  });
});

describe('backend: cloud needs no terraform binary at synth, and costs what local costs', () => {
  const { execFileSync, spawnSync } = require('child_process') as typeof import('child_process');
  const fs = require('fs') as typeof import('fs');
  const os = require('os') as typeof import('os');
  const pathMod = require('path') as typeof import('path');
  const ROOT = pathMod.join(__dirname, '..', '..');

  function synthTimed(backend: unknown, accounts: number): { code: number; stderr: string; seconds: number } {
    const dir = fs.mkdtempSync(pathMod.join(os.tmpdir(), 'cloud-synth-'));
    const config = pathMod.join(dir, 'fleet.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket' },
        defaults: { trailName: 'my-trail' },
        accounts: Array.from({ length: accounts }, (_, i) => ({ accountId: String(400000000000 + i) })),
        backend,
      }),
    );
    const start = process.hrtime.bigint();
    // PATH without any folder holding terraform (node is run by its full path).
    const PATH = (process.env.PATH ?? '').split(':').filter((d) => d && !fs.existsSync(pathMod.join(d, 'terraform'))).join(':');
    const run = spawnSync(process.execPath, [pathMod.join(ROOT, 'dist', 'main.js')], {
      env: { ...process.env, PATH, CLOUDTRAIL_CONFIG: config, CDKTF_OUTDIR: pathMod.join(dir, 'out') },
      encoding: 'utf8',
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: run.status ?? 1, stderr: run.stderr, seconds };
  }

  beforeAll(() => {
    execFileSync(process.execPath, [pathMod.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT, stdio: 'pipe' });
  });

  test('synth with backend.type cloud succeeds with no terraform on PATH, about as fast as with a local backend', () => {
    const local = synthTimed({ type: 'local' }, 150);
    const cloud = synthTimed({ type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' }, 150);
    expect(local).toMatchObject({ code: 0 });
    expect(cloud).toMatchObject({ code: 0 });
    expect(cloud.stderr).not.toMatch(/Could not determine version of terraform/);
    // cdktf's CloudBackend ran `terraform version` once per stack (151 here): several seconds more.
    expect(cloud.seconds).toBeLessThan(local.seconds * 2 + 1);
  });
});
