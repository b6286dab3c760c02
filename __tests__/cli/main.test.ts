/**
 * The one command surface: `cloudtrail-fleet <command>` with --help on each,
 * the shared --config and --json flags, and one table of exit codes.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { COMMANDS, runCli } from '../../cli/main';
import { EXIT, CommandIO } from '../../cli/command';

const ROOT = path.join(__dirname, '..', '..');

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

test('every command has --help with its usage, the shared flags and the exit codes', async () => {
  for (const name of Object.keys(COMMANDS)) {
    const c = io();
    expect(await runCli([name, '--help'], c)).toBe(EXIT.ok);
    expect(c.out).toContain(`usage: cloudtrail-fleet ${name}`);
    expect(c.out).toMatch(/--config <file> +the config file/);
    expect(c.out).toMatch(/--json +print one JSON document/);
    expect(c.out).toContain('exit codes: 0 success, 1 found problems, 2 config or usage error, 3 could not check');
  }
});

test('no command prints the list on stderr and exits 2; --help prints it on stdout', async () => {
  const none = io();
  expect(await runCli([], none)).toBe(EXIT.configError);
  expect(none.err).toMatch(/^cloudtrail-fleet: CloudTrail in every account/);
  for (const name of Object.keys(COMMANDS)) expect(none.err).toContain(`  ${name}`);
  const help = io();
  expect(await runCli(['--help'], help)).toBe(EXIT.ok);
  expect(help.out).toBe(none.err);
});

test('an unknown command or option is a usage error that names what exists', async () => {
  const c = io();
  expect(await runCli(['verfy'], c)).toBe(EXIT.configError);
  expect(c.err).toBe(`cloudtrail-fleet: unknown command verfy (did you mean verify?); commands: ${Object.keys(COMMANDS).join(', ')}\n`);
  const o = io();
  expect(await runCli(['check-config', '--jsno'], o)).toBe(EXIT.configError);
  expect(o.err).toMatch(/^check-config: unknown option --jsno \(did you mean --json\?\); options: .*\nusage: cloudtrail-fleet check-config \[file\] \[options\]\n$/);
});

test('a config error exits 2 with every problem, from any command', async () => {
  for (const argv of [['check-config'], ['policies', 'cloudtrail-central'], ['verify'], ['affected', '--base', 'HEAD']]) {
    const c = io();
    expect(await runCli([...argv, '--config', path.join(ROOT, 'no-such-config.yaml')], c)).toBe(EXIT.configError);
    expect(c.err).toContain('no-such-config.yaml does not exist');
  }
});

test('check-config --json is one JSON document with the trails, policy sizes and warnings', async () => {
  const c = io();
  expect(await runCli(['check-config', '--json', '--config', path.join(ROOT, 'config', 'cloudtrail.yaml')], c)).toBe(EXIT.ok);
  const doc = JSON.parse(c.out);
  expect(doc.trails).toEqual([expect.objectContaining({ accountId: '222222222222', trailName: 'my-trail', region: 'us-east-2', folder: 's3://my-bucket/AWSLogs/222222222222/' })]);
  expect(doc.bucketPolicy).toEqual({ bytes: expect.any(Number), limit: 20480, encoding: 'per-account' });
  expect(Array.isArray(doc.warnings)).toBe(true);
});

test('npx cloudtrail-fleet runs the package bin from a clone', () => {
  const run = spawnSync('npx', ['--no-install', 'cloudtrail-fleet', 'policies', '--help'], { cwd: ROOT, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('usage: cloudtrail-fleet policies <stack> [options]');
});
