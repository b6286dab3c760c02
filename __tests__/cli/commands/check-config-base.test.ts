import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { configOf, rawWith } from '../../helpers/fleet';
import { buildFleet } from '../../../stacks/fleet';
import { baseChange, parseArgs, report, runCheckConfig } from '../../../cli/commands/check-config';
import { EXIT } from '../../../cli/command';
import { writeFileSync } from 'fs';

const two = () => rawWith((raw) => raw.accounts.push({ accountId: '333333333333' }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env: {}, now: () => new Date(0) },
  };
}

describe('check-config --base', () => {
  let base: string;
  let dir: string;
  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'check-base-'));
    dir = mkdtempSync(path.join(os.tmpdir(), 'check-base-config-'));
    const app = new App({ outdir: base });
    buildFleet(app, configOf(two()));
    app.synth();
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const configFile = (raw: unknown) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(raw));
    return file;
  };

  test('an account dropped without lifecycle: decommission or retain is unsafe: listed, and exit 1', () => {
    const config = configOf(rawWith(() => undefined));
    const plan = baseChange(config, base, 'unused.yaml');
    expect(plan.unsafe.map((f) => [f.kind, f.stack])).toEqual([
      ['account-dropped', 'cloudtrail-account-333333333333'],
      ['delivery-refused', 'cloudtrail-account-333333333333'],
    ]);
    const run = io();
    expect(runCheckConfig({ configFile: configFile(rawWith(() => undefined)), base }, run.io)).toBe(EXIT.problems);
    const text = run.out.join('');
    expect(text).toMatch(/UNSAFE {2}cloudtrail-account-333333333333: stack cloudtrail-account-333333333333 is in the base but not in the current config, and it still manages trail my-trail/);
    expect(text).toMatch(/UNSAFE {2}cloudtrail-account-333333333333 aws_cloudtrail\.trail_my-trail: trail my-trail of 333333333333 keeps running, unmanaged, but the central bucket policy no longer admits it .*deliveries of trail my-trail are refused from then on/);
    expect(text).toMatch(/change: UNSAFE: 2 finding\(s\) above would lose evidence; .*--allow-unsafe/);
  });

  test('--allow-unsafe exits 0 and keeps the listing; --json carries the same plan', () => {
    const file = configFile(rawWith(() => undefined));
    const allowed = io();
    expect(runCheckConfig({ configFile: file, base, allowUnsafe: true }, allowed.io)).toBe(EXIT.ok);
    expect(allowed.out.join('')).toMatch(/change: UNSAFE, deployed anyway \(--allow-unsafe\): 2 finding\(s\) above/);
    const json = io();
    expect(runCheckConfig({ configFile: file, base, json: true }, json.io)).toBe(EXIT.problems);
    const doc = JSON.parse(json.out.join(''));
    expect(doc.change.safe).toBe(false);
    expect(doc.change.unsafe.map((f: { kind: string }) => f.kind)).toEqual(['account-dropped', 'delivery-refused']);
    expect(doc.trails).toHaveLength(1);
  });

  test('the same account marked decommission is declared: the trail destroy is listed, nothing unsafe, exit 0', () => {
    const raw = rawWith((r) => r.accounts.push({ accountId: '333333333333', lifecycle: 'decommission' }));
    const config = configOf(raw);
    const plan = baseChange(config, base, 'unused.yaml');
    expect(plan.actions.map((a) => [a.action, a.stack, a.address, a.protected, a.declared])).toEqual([
      ['destroy', 'cloudtrail-account-333333333333', 'aws_cloudtrail.trail_my-trail', true, true],
    ]);
    expect(plan.unsafe).toEqual([]);
    expect(report(config)).toMatch(/leaving the fleet \(no policy admits them\):\n {2}- accounts\[1\] 333333333333 trail my-trail: the next deploy destroys it/);
    const run = io();
    expect(runCheckConfig({ configFile: configFile(raw), base }, run.io)).toBe(EXIT.ok);
    expect(run.out.join('')).toMatch(/destroy {2}cloudtrail-account-333333333333 {2}aws_cloudtrail\.trail_my-trail \[protected, declared\]\n {11}trail my-trail of 333333333333 is deleted: it stops logging/);
    expect(run.out.join('')).toMatch(/change: safe/);
  });

  test('--base and --allow-unsafe are parsed with the other options; --base needs a value', () => {
    expect(parseArgs(['fleet.yaml', '--base', 'origin/main'])).toEqual({ configFile: 'fleet.yaml', base: 'origin/main' });
    expect(parseArgs(['fleet.yaml', '--base', 'origin/main', '--allow-unsafe'])).toEqual({ configFile: 'fleet.yaml', base: 'origin/main', allowUnsafe: true });
    expect(() => parseArgs(['--base'])).toThrow('--base needs a value (<ref|folder>)');
  });
});
