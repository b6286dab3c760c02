/**
 * `cloudtrail-fleet bootstrap`: writes the bootstrap stacks (and for HCP
 * Terraform the workspace list) into its own folder, prints how to apply
 * them, and exits with the codes of the one table.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { runCli } from '../../../cli/main';
import { CommandIO, EXIT } from '../../../cli/command';
import { rawWith, ROOT } from '../../helpers/fleet';

function io(): CommandIO & { out: string; err: string } {
  const captured = { out: '', err: '' };
  return Object.assign(captured, {
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    now: () => new Date('2026-12-01T00:00:00Z'),
  });
}

let work: string;
beforeAll(() => {
  mkdirSync(os.tmpdir(), { recursive: true });
  work = mkdtempSync(path.join(os.tmpdir(), 'bootstrap-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function configFile(name: string, raw: unknown): string {
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(file, stringify(raw));
  return file;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const CI = 'arn:aws:iam::999999999999:role/ci-deployer';

describe('a CI principal', () => {
  test('writes one stack per account, prints the roles and the exact commands; exit 0', async () => {
    const out = path.join(work, 'ci-out');
    const c = io();
    const code = await runCli(['bootstrap', '--config', configFile('ci', rawWith((r) => (r.bootstrap = { deployer: { principalArn: CI } }))), '--out', out], c);
    expect({ code, err: c.err }).toEqual({ code: EXIT.ok, err: '' });
    expect(readdirSync(path.join(out, 'stacks')).sort()).toEqual(['cloudtrail-bootstrap-111111111111', 'cloudtrail-bootstrap-222222222222']);
    expect(existsSync(path.join(out, 'workspaces.json'))).toBe(false);
    const lines = c.out.split('\n');
    expect(lines[0]).toBe(`cloudtrail-fleet bootstrap: 2 accounts, 2 roles; stacks in ${path.join(out, 'stacks')}`);
    expect(lines[1]).toBe(`deployer: ${CI} assumes one deployer role per account (bootstrap.deployer.principalArn)`);
    expect(c.out).toContain('  cloudtrail-bootstrap-222222222222  applied through arn:aws:iam::222222222222:role/OrganizationAccountAccessRole\n');
    expect(c.out).toMatch(/ {4}deployer arn:aws:iam::222222222222:role\/cloudtrail-fleet\/cloudtrail-fleet-deployer {2}\(\d+ characters, inline policy\)\n/);
    expect(c.out).toContain('Apply each stack once, with administrator credentials that may assume OrganizationAccountAccessRole in every account:\n');
    expect(c.out).toContain(`  for stack in ${out}/stacks/cloudtrail-bootstrap-*; do\n    terraform -chdir="$stack" init -input=false && terraform -chdir="$stack" apply -input=false || break\n  done\n`);
    expect(c.out).toContain(`Then let ${CI} call sts:AssumeRole on the 2 roles above`);
  });

  test('--json: one document with every role ARN and the commands', async () => {
    const c = io();
    const out = path.join(work, 'ci-json');
    expect(await runCli(['bootstrap', '--config', configFile('ci-json', rawWith((r) => (r.bootstrap = { deployer: { principalArn: CI } }))), '--out', out, '--json'], c)).toBe(EXIT.ok);
    const doc = JSON.parse(c.out);
    expect(doc).toMatchObject({
      outdir: out,
      deployer: { principalArn: CI },
      adminRoleName: 'OrganizationAccountAccessRole',
      adminAccountId: null,
      roleArns: ['arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-fleet-deployer', 'arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-fleet-deployer'],
    });
    expect(doc.stacks[1]).toMatchObject({
      name: 'cloudtrail-bootstrap-222222222222',
      accountId: '222222222222',
      dir: path.join(out, 'stacks', 'cloudtrail-bootstrap-222222222222'),
      assumes: 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole',
      roles: [{ kind: 'deployer', stacks: ['cloudtrail-account-222222222222'], policies: { inline: true, managed: 0 } }],
    });
    expect(doc.applyCommands).toHaveLength(3);
  });

  test('a rerun with a smaller config leaves no stale stack behind', async () => {
    const out = path.join(work, 'rerun');
    const big = rawWith((r) => ((r.bootstrap = { deployer: { principalArn: CI } }), r.accounts.push({ accountId: '333333333333' })));
    expect(await runCli(['bootstrap', '--config', configFile('big', big), '--out', out], io())).toBe(EXIT.ok);
    expect(readdirSync(path.join(out, 'stacks'))).toHaveLength(3);
    expect(await runCli(['bootstrap', '--config', configFile('small', rawWith((r) => (r.bootstrap = { deployer: { principalArn: CI } }))), '--out', out], io())).toBe(EXIT.ok);
    expect(readdirSync(path.join(out, 'stacks')).sort()).toEqual(['cloudtrail-bootstrap-111111111111', 'cloudtrail-bootstrap-222222222222']);
  });
});

describe('HCP Terraform', () => {
  const raw = rawWith((r) => {
    r.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' };
    r.bootstrap = { deployer: { hcpTerraform: true } };
    r.accounts[0].region = 'eu-west-1';
  });

  test('writes workspaces.json: each workspace with its dynamic credentials variables, for the tfe provider or the API', async () => {
    const out = path.join(work, 'hcp-out');
    const c = io();
    expect(await runCli(['bootstrap', '--config', configFile('hcp', raw), '--out', out], c)).toBe(EXIT.ok);
    expect(c.out).toContain(`Workspaces: ${path.join(out, 'workspaces.json')} lists the 2 workspaces with their variables (TFC_AWS_PROVIDER_AUTH, TFC_AWS_PLAN_ROLE_ARN, TFC_AWS_APPLY_ROLE_ARN, AWS_REGION);`);
    const list = JSON.parse(readFileSync(path.join(out, 'workspaces.json'), 'utf8'));
    const env = (key: string, value: string) => expect.objectContaining({ key, value, category: 'env', sensitive: false, hcl: false });
    expect(list).toEqual({
      hostname: 'app.terraform.io',
      organization: 'acme',
      project: 'Default Project',
      workspaces: [
        {
          name: 'ct-cloudtrail-central',
          project: 'Default Project',
          stack: 'cloudtrail-central',
          accountId: '111111111111',
          workingDirectory: 'cdktf.out/stacks/cloudtrail-central',
          variables: [
            env('TFC_AWS_PROVIDER_AUTH', 'true'),
            env('TFC_AWS_PLAN_ROLE_ARN', 'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-central-plan'),
            env('TFC_AWS_APPLY_ROLE_ARN', 'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-central-apply'),
            env('AWS_REGION', 'us-east-2'),
          ],
        },
        {
          name: 'ct-cloudtrail-account-222222222222',
          project: 'Default Project',
          stack: 'cloudtrail-account-222222222222',
          accountId: '222222222222',
          workingDirectory: 'cdktf.out/stacks/cloudtrail-account-222222222222',
          variables: [
            env('TFC_AWS_PROVIDER_AUTH', 'true'),
            env('TFC_AWS_PLAN_ROLE_ARN', 'arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-account-222222222222-plan'),
            env('TFC_AWS_APPLY_ROLE_ARN', 'arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-account-222222222222-apply'),
            env('AWS_REGION', 'eu-west-1'),
          ],
        },
      ],
    });
    // The workspace names are the ones the stacks' cloud blocks use.
    const { synthFleet, configOf } = await import('../../helpers/fleet');
    const main = synthFleet(configOf(raw));
    for (const w of list.workspaces) expect(main.get(w.stack)!.terraform.cloud.workspaces.name).toBe(w.name);
  });

  test('no static key anywhere: not in the variables, not in any file written', async () => {
    const out = path.join(work, 'hcp-keys');
    expect(await runCli(['bootstrap', '--config', configFile('hcp-keys', raw), '--out', out], io())).toBe(EXIT.ok);
    const list = JSON.parse(readFileSync(path.join(out, 'workspaces.json'), 'utf8'));
    const keys = list.workspaces.flatMap((w: any) => w.variables.map((v: any) => v.key));
    expect(new Set(keys)).toEqual(new Set(['TFC_AWS_PROVIDER_AUTH', 'TFC_AWS_PLAN_ROLE_ARN', 'TFC_AWS_APPLY_ROLE_ARN', 'AWS_REGION']));
    for (const file of filesUnder(out)) {
      expect({ file, text: readFileSync(file, 'utf8') }).not.toEqual(
        expect.objectContaining({ text: expect.stringMatching(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|access_key|secret_key|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}/) }),
      );
    }
  });
});

describe('errors', () => {
  test('a config without bootstrap: exit 2, says what to add', async () => {
    const c = io();
    expect(await runCli(['bootstrap', '--config', path.join(ROOT, 'config', 'cloudtrail.yaml'), '--out', path.join(work, 'none')], c)).toBe(EXIT.configError);
    expect(c.err).toContain('cloudtrail.yaml: bootstrap: cloudtrail-fleet bootstrap needs the bootstrap section: add bootstrap: { deployer: { principalArn: <the CI role or user ARN> } } or bootstrap: { deployer: { hcpTerraform: true } } (docs/bootstrap.md)');
    expect(existsSync(path.join(work, 'none'))).toBe(false);
  });

  test('a bad bootstrap section: exit 2 with the problem, nothing written', async () => {
    const c = io();
    const out = path.join(work, 'bad');
    const file = configFile('bad', rawWith((r) => (r.bootstrap = { deployer: { hcpTerraform: true } })));
    expect(await runCli(['bootstrap', '--config', file, '--out', out], c)).toBe(EXIT.configError);
    expect(c.err).toContain('bootstrap.deployer.hcpTerraform: HCP Terraform dynamic credentials are given to workspaces of the cloud backend, but backend.type is local');
    expect(existsSync(out)).toBe(false);
  });

  test('--out naming a folder it did not write: exit 2, the folder untouched', async () => {
    const out = path.join(work, 'someone-elses');
    mkdirSync(path.join(out, 'stacks'), { recursive: true });
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const c = io();
    const file = configFile('ok', rawWith((r) => (r.bootstrap = { deployer: { principalArn: CI } })));
    expect(await runCli(['bootstrap', '--config', file, '--out', out], c)).toBe(EXIT.configError);
    expect(c.err).toBe(`bootstrap: --out ${out} exists and is not a folder cloudtrail-fleet bootstrap wrote (no manifest.json); give a new or empty folder\nusage: cloudtrail-fleet bootstrap [options]\n`);
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'stacks']);
  });

  test('--help names --out and the guide', async () => {
    const c = io();
    expect(await runCli(['bootstrap', '--help'], c)).toBe(EXIT.ok);
    expect(c.out).toMatch(/--out <dir> +where the bootstrap stacks go \(default cdktf\.out\.bootstrap\)/);
    expect(c.out).toContain('Guide: docs/bootstrap.md');
  });
});
