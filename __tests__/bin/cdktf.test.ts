/**
 * `npm run synth` / `npm run cdktf -- …` (scripts/cdktf.js): the cdktf CLI
 * with telemetry off, a missing TF_CLI_CONFIG_FILE left out and a relative
 * one made absolute, so a successful synth prints no [ERROR] line.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from '../helpers/fleet';

const { cdktfEnv } = require(path.join(ROOT, 'bin', 'cdktf.js')) as {
  cdktfEnv: (env: Record<string, string | undefined>, cwd: string, stdoutIsTTY?: boolean) => { env: Record<string, string | undefined> };
};

describe('cdktfEnv', () => {
  test('turns off telemetry and the version check, keeping a value the user set', () => {
    expect(cdktfEnv({}, ROOT).env).toMatchObject({ CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1' });
    expect(cdktfEnv({ CHECKPOINT_DISABLE: 'true' }, ROOT).env.CHECKPOINT_DISABLE).toBe('true');
  });

  test('a TF_CLI_CONFIG_FILE that does not exist is left out, quietly', () => {
    const { env } = cdktfEnv({ TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc' }, ROOT);
    expect(env.TF_CLI_CONFIG_FILE).toBeUndefined();
  });

  test('output that is not a terminal gets CI=1 (plain lines, no spinner frames) unless CI is set', () => {
    expect(cdktfEnv({}, ROOT, false).env.CI).toBe('1');
    expect(cdktfEnv({ CI: 'false' }, ROOT, false).env.CI).toBe('false');
    expect(cdktfEnv({}, ROOT, true).env.CI).toBeUndefined();
  });

  test('a relative TF_CLI_CONFIG_FILE is made absolute from where the command was run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfrc-'));
    writeFileSync(path.join(dir, 'terraform.rc'), '');
    expect(cdktfEnv({ TF_CLI_CONFIG_FILE: 'terraform.rc' }, dir)).toEqual({
      env: { TF_CLI_CONFIG_FILE: path.join(dir, 'terraform.rc'), CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1' },
    });
  });

  test('an absolute one that exists is kept as is', () => {
    const file = path.join(ROOT, 'package.json');
    expect(cdktfEnv({ TF_CLI_CONFIG_FILE: file }, '/').env.TF_CLI_CONFIG_FILE).toBe(file);
  });
});

test('a real synth through it, with a TF_CLI_CONFIG_FILE that does not exist, prints no [ERROR] line', () => {
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
  const outdir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cdktf-wrapper-')), 'out');
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc', FORCE_COLOR: '0' };
  delete env.CHECKPOINT_DISABLE;
  delete env.DISABLE_VERSION_CHECK;
  delete env.CLOUDTRAIL_CONFIG;
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'cdktf.js'), 'synth', '--output', outdir], { cwd: ROOT, encoding: 'utf8', env });
  expect(run.status).toBe(0);
  expect(`${run.stdout}${run.stderr}`).not.toContain('[ERROR]');
  // Not a terminal: plain lines, no spinner frames (ink's cursor movements) and no note about the missing file.
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/\u001b\[|Synthesizing|TF_CLI_CONFIG_FILE/);
  expect(run.stdout).toMatch(/^cloudtrail-fleet: 1 account, 1 trail, 2 stacks\n/);
  expect(existsSync(outdir) && readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
}, 60_000);
