/**
 * `affected --base <folder>` and `check-config --base <folder>` on every
 * config pair of __tests__/helpers/change-pairs.ts (the controls excepted:
 * no config gives them): the base is a synth folder of the base config, as
 * `cdktf synth` writes it, the current config a file. Each command must list
 * exactly the actions and findings of __tests__/helpers/change-pairs-expected.ts
 * and exit 1 exactly when one is unsafe (0 with --allow-unsafe).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { stringify } from 'yaml';
import { affected } from '../../../cli/commands/affected';
import { runCheckConfig } from '../../../cli/commands/check-config';
import { EXIT } from '../../../cli/command';
import { buildFleet } from '../../../stacks/fleet';
import { fleetMarker, writeFleetMarker } from '../../../stacks/fleet-marker';
import { changePairs } from '../../helpers/change-pairs';
import { EXPECTED } from '../../helpers/change-pairs-expected';
import { configOf } from '../../helpers/fleet';

const pairs = [...changePairs().values()].filter((p) => !p.control);

let root: string;
const folders = new Map<string, string>();
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'change-pairs-commands-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The synth folder of a base config (one per distinct base), with its fleet marker. */
function baseFolder(raw: unknown): string {
  const key = JSON.stringify(raw);
  if (!folders.has(key)) {
    const outdir = path.join(root, `base-${folders.size}`, 'cdktf.out');
    mkdirSync(outdir, { recursive: true });
    const config = configOf(raw);
    const app = new App({ outdir });
    buildFleet(app, config);
    app.synth();
    writeFleetMarker(outdir, fleetMarker(config, path.join(root, 'fleet.yaml'), outdir));
    folders.set(key, outdir);
  }
  return folders.get(key)!;
}

let files = 0;
function configFile(raw: unknown): string {
  const file = path.join(root, `current-${files++}.yaml`);
  writeFileSync(file, stringify(raw));
  return file;
}

/** The listing's action lines, as change-pairs-expected.ts writes them. */
function listedActions(text: string): string[] {
  return [...text.matchAll(/^ {2}(destroy|replace|forget|move) +(\S+) {2}(.*)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}

/** The listing's findings: `UNSAFE <stack>[ <address>]` (the kind is in --json only). */
function listedFindings(text: string, marker: 'UNSAFE' | 'note'): string[] {
  return [...text.matchAll(new RegExp(`^ {2}${marker} +(cloudtrail-[\\w-]+)( [\\w.-]+)?: `, 'gm'))].map((m) => `${m[1]}${m[2] ?? ''}`);
}

const stackAndAddress = (finding: string) => finding.split(' ').slice(1).join(' ');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env: {}, now: () => new Date(0) } };
}

describe.each(pairs.map((p) => [p.name, p] as const))('%s', (name, pair) => {
  const expected = EXPECTED[name];
  const exit = expected.unsafe.length ? EXIT.problems : EXIT.ok;

  test(`affected --base: the listing on stderr, stack names only on stdout, exit ${exit}`, () => {
    const base = baseFolder(pair.baseRaw);
    const file = configFile(pair.currentRaw);
    const out = affected(['--base', base], file);
    expect(out.exitCode).toBe(exit);
    expect(listedActions(out.stderr)).toEqual(expected.actions);
    expect(listedFindings(out.stderr, 'UNSAFE')).toEqual(expected.unsafe.map(stackAndAddress));
    expect(listedFindings(out.stderr, 'note')).toEqual((expected.notes ?? []).map(stackAndAddress));
    expect(out.stdout).toMatch(/^(cloudtrail-[\w-]+\n)*$/);
    if (!expected.actions.length && !expected.unsafe.length && !expected.notes) expect(out.stderr).not.toMatch(/^change: /m);
    else expect(out.stderr).toMatch(expected.unsafe.length ? /\nchange: UNSAFE: \d+ finding\(s\) above would lose evidence; .*\n$/ : /\nchange: safe \(nothing protected is lost that the config does not declare\)\n$/);
    expect(affected(['--base', base, '--allow-unsafe'], file).exitCode).toBe(EXIT.ok);
  });

  test(`check-config --base: the same listing in the report and under "change" with --json, exit ${exit}`, () => {
    const base = baseFolder(pair.baseRaw);
    const file = configFile(pair.currentRaw);
    const text = io();
    expect(runCheckConfig({ configFile: file, base }, text.io)).toBe(exit);
    const report = text.out.join('');
    expect(listedActions(report)).toEqual(expected.actions);
    expect(listedFindings(report, 'UNSAFE')).toEqual(expected.unsafe.map(stackAndAddress));
    const json = io();
    expect(runCheckConfig({ configFile: file, base, json: true }, json.io)).toBe(exit);
    const change = JSON.parse(json.out.join('')).change;
    expect(change.safe).toBe(expected.unsafe.length === 0);
    expect(change.unsafe.map((f: { kind: string; stack: string; address?: string }) => `${f.kind} ${f.stack}${f.address ? ` ${f.address}` : ''}`)).toEqual(expected.unsafe);
    expect(change.actions.length).toBe(expected.actions.length);
    expect(runCheckConfig({ configFile: file, base, allowUnsafe: true }, io().io)).toBe(EXIT.ok);
  });
});

test('every config pair is run (the controls have no config)', () => {
  expect(pairs.length).toBe(Object.keys(EXPECTED).length - 9);
});
