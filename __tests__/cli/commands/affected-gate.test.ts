/**
 * `affected --base` as the change gate (stdout: stack names only; stderr:
 * what the change destroys, replaces or forgets; exit 1 when unsafe, 0 with
 * --allow-unsafe), and fleets that must not be mistaken for each other: the
 * fleet marker a synth writes, a base folder of another fleet refused, a
 * change of fleet through a git ref unsafe, and the warning for local state
 * still at the path every config used to share.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { stringify } from 'yaml';
import { affected } from '../../../cli/commands/affected';
import { runCli } from '../../../cli/main';
import { EXIT } from '../../../cli/command';
import { buildFleet } from '../../../stacks/fleet';
import { clearOtherFleetBackends, fleetMarker, legacyStateWarnings, readFleetMarker, writeFleetMarker } from '../../../stacks/fleet-marker';
import { configOf, rawWith, ROOT } from '../../helpers/fleet';

const two = () => rawWith((r) => r.accounts.push({ accountId: '333333333333' }));

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env, now: () => new Date(0) } };
}

/** A synth folder of a raw config, as `cdktf synth` writes it (stacks, manifest and fleet marker). */
function synthFolder(root: string, name: string, raw: unknown, configFile = path.join(root, `${name}.yaml`)): string {
  const outdir = path.join(root, name, 'cdktf.out');
  mkdirSync(outdir, { recursive: true });
  const config = configOf(raw);
  const app = new App({ outdir });
  buildFleet(app, config);
  app.synth();
  writeFleetMarker(outdir, fleetMarker(config, configFile, outdir));
  return outdir;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'affected-gate-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const write = (name: string, raw: unknown) => {
  const file = path.join(root, name);
  writeFileSync(file, stringify(raw));
  return file;
};

describe('affected --base <folder> as the gate', () => {
  test('an account dropped without a lifecycle step: stdout lists only stack names, stderr lists why, exit 1; --allow-unsafe exits 0', async () => {
    const base = synthFolder(root, 'two', two());
    const file = write('one.yaml', rawWith(() => undefined));
    const out = affected(['--base', base], file);
    expect(out.stdout).toBe('cloudtrail-central\n');
    expect(out.exitCode).toBe(EXIT.problems);
    expect(out.stderr).toMatch(/^change: 2 unsafe finding\(s\):\n {2}UNSAFE {2}cloudtrail-account-333333333333: stack cloudtrail-account-333333333333 is in the base but not in the current config/);
    expect(out.stderr).toMatch(/deliveries of trail my-trail are refused from then on\n/);
    expect(out.stderr).toMatch(/change: UNSAFE: 2 finding\(s\) above would lose evidence; fix the config \(docs\/changing-safely.md\), or pass --allow-unsafe to proceed anyway\n$/);
    expect(affected(['--base', base, '--allow-unsafe'], file)).toMatchObject({ stdout: 'cloudtrail-central\n', exitCode: EXIT.ok, stderr: expect.stringContaining('change: UNSAFE, deployed anyway (--allow-unsafe)') });

    // Through the CLI entry: the same streams and exit codes.
    const run = io();
    expect(await runCli(['affected', '--base', base, '--config', file], run.io)).toBe(EXIT.problems);
    expect(run.out.join('')).toBe('cloudtrail-central\n');
    const json = io();
    expect(await runCli(['affected', '--base', base, '--config', file, '--json'], json.io)).toBe(EXIT.problems);
    const doc = JSON.parse(json.out.join(''));
    expect(doc.affected).toEqual(['cloudtrail-central']);
    expect(doc.change.unsafe.map((f: { kind: string }) => f.kind)).toEqual(['account-dropped', 'delivery-refused']);
  });

  test('the same account decommissioned: the destroy is listed on stderr, declared; exit 0', () => {
    const base = synthFolder(root, 'two-b', two());
    const file = write('decommission.yaml', rawWith((r) => r.accounts.push({ accountId: '333333333333', lifecycle: 'decommission' })));
    const out = affected(['--base', base], file);
    // Deploy order: the leaving account before central (its trail goes before the policies stop admitting it).
    expect(out.stdout).toBe('cloudtrail-account-333333333333\ncloudtrail-central\n');
    expect(out.exitCode).toBe(EXIT.ok);
    expect(out.stderr).toBe(
      'change: what the deploy makes Terraform do besides creating and updating:\n' +
        '  destroy  cloudtrail-account-333333333333  aws_cloudtrail.trail_my-trail [protected, declared]\n' +
        '           trail my-trail of 333333333333 is deleted: it stops logging\n' +
        'change: safe (nothing protected is lost that the config does not declare)\n',
    );
  });

  test('nothing unsafe and nothing destroyed: stderr stays empty', () => {
    const base = synthFolder(root, 'two-c', two());
    const file = write('more.yaml', rawWith((r) => r.accounts.push({ accountId: '333333333333' }, { accountId: '444444444444' })));
    expect(affected(['--base', base], file)).toMatchObject({ stdout: 'cloudtrail-central\ncloudtrail-account-444444444444\n', stderr: '', exitCode: EXIT.ok });
  });
});

describe('fleets are never mistaken for each other', () => {
  test('a synth writes fleet.json: the fleet identity, the config file and the local state folder', () => {
    const base = synthFolder(root, 'marker', two(), path.join(root, 'fleets', 'prod.yaml'));
    const marker = JSON.parse(readFileSync(path.join(base, 'fleet.json'), 'utf8'));
    expect(marker).toEqual({
      writtenBy: 'cloudtrail-fleet',
      fleet: { partition: 'aws', centralAccountId: '111111111111', bucketName: 'my-bucket' },
      id: 'aws-111111111111-my-bucket',
      config: path.join(root, 'fleets', 'prod.yaml'),
      backend: 'local',
      stateDir: 'state/aws-111111111111-my-bucket',
    });
    // Read from the synth folder or from its stacks/ folder.
    expect(readFleetMarker(base)).toEqual(marker);
    expect(readFleetMarker(path.join(base, 'stacks'))).toEqual(marker);
  });

  test('a config inside the project is named relative to it (the folder cdktf.out is in)', () => {
    const config = configOf(two());
    expect(fleetMarker(config, path.join(ROOT, 'config', 'cloudtrail.yaml'), path.join(ROOT, 'cdktf.out')).config).toBe('config/cloudtrail.yaml');
  });

  test('a base folder of another fleet is refused (exit 2), naming both fleets and both configs', async () => {
    const other = synthFolder(root, 'other-fleet', rawWith((r) => (r.central.bucketName = 'other-bucket')), path.join(root, 'fleets', 'other.yaml'));
    const file = write('mine.yaml', two());
    expect(() => affected(['--base', other], file)).toThrow(
      `--base ${other} is a synth of fleet aws-111111111111-other-bucket (central account 111111111111, bucket other-bucket) (config ${path.join(root, 'fleets', 'other.yaml')}), ` +
        `not of this config's fleet aws-111111111111-my-bucket (central account 111111111111, bucket my-bucket) (${file}): comparing them would plan one fleet against the other's resources. ` +
        'Pass a synth folder of this fleet, or the config of that one (--config <file>)',
    );
    const run = io();
    expect(await runCli(['affected', '--base', other, '--config', file], run.io)).toBe(EXIT.configError);
    expect(run.out.join('')).toBe('');
    const check = io();
    expect(await runCli(['check-config', file, '--base', other], check.io)).toBe(EXIT.configError);
  });

  test('a synth folder without a marker (an older release) is judged by its central stack', () => {
    const other = synthFolder(root, 'unmarked', rawWith((r) => (r.central.accountId = '999999999999')));
    rmSync(path.join(other, 'fleet.json'));
    expect(() => affected(['--base', other], write('mine2.yaml', two()))).toThrow(/is a synth of fleet aws-999999999999-my-bucket \(central account 999999999999, bucket my-bucket\), not of this config's fleet/);
  });

  test('a marker that is not ours is an error, not a guess', () => {
    const dir = path.join(root, 'bad-marker');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'fleet.json'), '{"fleet": "x"}');
    expect(() => readFleetMarker(dir)).toThrow(/fleet.json: not a fleet marker written by cloudtrail-fleet/);
  });

  test('a git ref whose config was another fleet (the bucket changed) is a change of fleet: unsafe, exit 1', () => {
    const repo = path.join(root, 'repo');
    mkdirSync(repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'fleet.yaml'), stringify(two()));
    git('add', 'fleet.yaml');
    git('commit', '-q', '-m', 'base');
    writeFileSync(path.join(repo, 'fleet.yaml'), stringify(rawWith((r) => { r.central.bucketName = 'new-bucket'; r.accounts.push({ accountId: '333333333333' }); })));
    const out = affected(['--base', 'HEAD'], path.join(repo, 'fleet.yaml'));
    expect(out.exitCode).toBe(EXIT.problems);
    expect(out.stderr).toContain(
      'UNSAFE  cloudtrail-central: the change makes this config another fleet: aws-111111111111-my-bucket (central account 111111111111, bucket my-bucket) -> aws-111111111111-new-bucket (central account 111111111111, bucket new-bucket). ' +
        'Its local state is another folder (state/aws-111111111111-new-bucket/, empty), so the deploy would create every stack anew while the 3 stack(s) of aws-111111111111-my-bucket keep running under state/aws-111111111111-my-bucket/',
    );
  });
});

test('the app (cdktf synth) writes the marker beside the stacks and prints the state warning on stdout', () => {
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
  const dir = mkdtempSync(path.join(root, 'app-'));
  const file = path.join(dir, 'fleet.yaml');
  writeFileSync(file, stringify(two()));
  writeFileSync(path.join(dir, 'terraform.cloudtrail-central.tfstate'), JSON.stringify({ version: 4, resources: [] }));
  const outdir = path.join(dir, 'cdktf.out');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'main.js')], { cwd: dir, env: { ...process.env, CDKTF_OUTDIR: outdir, CLOUDTRAIL_CONFIG: file }, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(readFleetMarker(outdir)).toMatchObject({ id: 'aws-111111111111-my-bucket', config: 'fleet.yaml', stateDir: 'state/aws-111111111111-my-bucket' });
  expect(run.stdout).toMatch(/^warning: the local state of 1 stack\(s\) of fleet aws-111111111111-my-bucket is still in the project root, .*mv terraform\.cloudtrail-central\.tfstate state\/aws-111111111111-my-bucket\//m);
});

describe('switching CLOUDTRAIL_CONFIG between fleets in one clone', () => {
  const hasTerraform = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;
  const fleetA = configOf(two());
  const fleetB = configOf(rawWith((r) => (r.central.bucketName = 'other-bucket')));

  /** A synth output of fleet A whose stack folder Terraform has initialized. */
  const initialized = () => {
    const dir = mkdtempSync(path.join(root, 'switch-'));
    const outdir = path.join(dir, 'cdktf.out');
    const stack = path.join(outdir, 'stacks', 'cloudtrail-central');
    mkdirSync(path.join(stack, '.terraform'), { recursive: true });
    writeFileSync(path.join(stack, '.terraform', 'terraform.tfstate'), '{"version":3,"backend":{"type":"local"}}');
    writeFleetMarker(outdir, fleetMarker(fleetA, path.join(dir, 'a.yaml'), outdir));
    return { dir, outdir, stack };
  };

  test('synthesizing another fleet clears the backend settings Terraform cached for the previous one, and says so', () => {
    const { outdir, stack } = initialized();
    expect(clearOtherFleetBackends(fleetA, outdir)).toEqual([]);
    expect(existsSync(path.join(stack, '.terraform', 'terraform.tfstate'))).toBe(true);
    expect(clearOtherFleetBackends(fleetB, outdir)).toEqual([
      `note: cdktf.out held fleet aws-111111111111-my-bucket (central account 111111111111, bucket my-bucket) (config a.yaml); the backend settings Terraform kept for it in 1 stack folder(s) were cleared, ` +
        "so aws-111111111111-other-bucket starts on its own state (never pass --migrate-state when switching fleets: it would copy the other fleet's state)",
    ]);
    expect(existsSync(path.join(stack, '.terraform', 'terraform.tfstate'))).toBe(false);
  });

  (hasTerraform ? test : test.skip)('Terraform then initializes on the new fleet\'s own (empty) state, and the previous fleet\'s state is untouched', () => {
    const { dir, outdir, stack } = initialized();
    rmSync(path.join(stack, '.terraform'), { recursive: true });
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    const tf = (...args: string[]) => spawnSync('terraform', [...args, '-no-color', '-input=false'], { cwd: stack, env, encoding: 'utf8' });
    const stackJson = (fleet: string) => JSON.stringify({ terraform: { backend: { local: { path: `../../../state/${fleet}/terraform.cloudtrail-central.tfstate` } } }, resource: { terraform_data: { x: { input: fleet } } } });
    writeFileSync(path.join(stack, 'cdk.tf.json'), stackJson('aws-111111111111-my-bucket'));
    expect(tf('init').status).toBe(0);
    expect(tf('apply', '-auto-approve').status).toBe(0);
    // Fleet B is synthesized into the same folder.
    writeFileSync(path.join(stack, 'cdk.tf.json'), stackJson('aws-111111111111-other-bucket'));
    const before = tf('init');
    expect(before.status).not.toBe(0);
    expect(before.stdout + before.stderr).toContain('Backend configuration changed'); // what the user met before: and -migrate-state would copy A's state
    clearOtherFleetBackends(fleetB, outdir);
    expect(tf('init').status).toBe(0);
    expect(tf('plan').stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(JSON.parse(readFileSync(path.join(dir, 'state', 'aws-111111111111-my-bucket', 'terraform.cloudtrail-central.tfstate'), 'utf8')).resources).toHaveLength(1);
  });
});

describe('local state still at the shared path of earlier releases', () => {
  const project = () => {
    const dir = mkdtempSync(path.join(root, 'project-'));
    return { dir, outdir: path.join(dir, 'cdktf.out') };
  };
  const state = (bucket: string) => JSON.stringify({ version: 4, resources: [{ type: 'aws_s3_bucket', instances: [{ attributes: { bucket } }] }] });
  const config = configOf(two());
  const stacks = ['cloudtrail-central', 'cloudtrail-account-222222222222', 'cloudtrail-account-333333333333'];

  test('this fleet\'s files there and none in its own folder: a warning with the exact commands', () => {
    const { dir, outdir } = project();
    writeFileSync(path.join(dir, 'terraform.cloudtrail-central.tfstate'), state('my-bucket'));
    writeFileSync(path.join(dir, 'terraform.cloudtrail-central.tfstate.backup'), state('my-bucket'));
    writeFileSync(path.join(dir, 'terraform.cloudtrail-account-222222222222.tfstate'), JSON.stringify({ version: 4, resources: [{ type: 'aws_cloudtrail', instances: [{ attributes: { s3_bucket_name: 'my-bucket' } }] }] }));
    expect(legacyStateWarnings(config, stacks, outdir)).toEqual([
      'warning: the local state of 2 stack(s) of fleet aws-111111111111-my-bucket is still in the project root, where every config shared it ' +
        '(cloudtrail-central, cloudtrail-account-222222222222); this fleet\'s state now lives in state/aws-111111111111-my-bucket/. Until it is moved, a plan starts from an empty state. ' +
        'Move it (from the project root): mkdir -p state/aws-111111111111-my-bucket && mv terraform.cloudtrail-central.tfstate terraform.cloudtrail-central.tfstate.backup terraform.cloudtrail-account-222222222222.tfstate state/aws-111111111111-my-bucket/ ' +
        '-- then run the next plan or deploy with --migrate-state (npx cdktf plan <stack> --migrate-state), since Terraform remembers the old path (docs/changing-safely.md, "Local state per fleet")',
    ]);
  });

  test('the commands move the files where the synthesized backend looks for them', () => {
    const { dir, outdir } = project();
    writeFileSync(path.join(dir, 'terraform.cloudtrail-central.tfstate'), state('my-bucket'));
    const [warning] = legacyStateWarnings(config, stacks, outdir);
    const command = /Move it \(from the project root\): (.*) -- then/.exec(warning)![1];
    expect(spawnSync('sh', ['-c', command], { cwd: dir }).status).toBe(0);
    const stack = path.join(outdir, 'stacks', 'cloudtrail-central');
    const backendPath = `../../../state/aws-111111111111-my-bucket/terraform.cloudtrail-central.tfstate`; // as the stack's backend block says
    expect(existsSync(path.resolve(stack, backendPath))).toBe(true);
    expect(legacyStateWarnings(config, stacks, outdir)).toEqual([]);
  });

  test('another fleet\'s file there is not offered for moving; nothing there or already moved: no warning', () => {
    const { dir, outdir } = project();
    writeFileSync(path.join(dir, 'terraform.cloudtrail-central.tfstate'), state('other-bucket'));
    expect(legacyStateWarnings(config, stacks, outdir)).toEqual([
      'warning: terraform.cloudtrail-central.tfstate (it manages trails or a bucket of other-bucket: another fleet\'s state) is in the project root and is not this fleet\'s (aws-111111111111-my-bucket): leave it for that fleet\'s config',
    ]);
    const clean = project();
    expect(legacyStateWarnings(config, stacks, clean.outdir)).toEqual([]);
    expect(legacyStateWarnings(configOf(rawWith((r) => (r.backend = { type: 's3', bucket: 'state-bucket', region: 'us-east-1' }))), stacks, outdir)).toEqual([]);
  });
});
