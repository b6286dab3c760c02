/**
 * The bad-input corpus: each case is the default config (config/cloudtrail.yaml)
 * with exactly ONE rule broken. Every case must be rejected with exactly one
 * problem, at the exact config path, with a message that names the rule and
 * says how to fix it; read from YAML, the problem also names the line and
 * column where the offending key or value is written. A few cases also run
 * through the real app (`node dist/main.js`) to prove that synth exits
 * non-zero and writes nothing.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ConfigError, configFromText } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { issuesOf, rawWith, ROOT } from '../helpers/fleet';
import { CORPUS } from './invalid-corpus.cases';
import type { Case } from './invalid-corpus.cases';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The one problem of a case, read from the case written as YAML. */
function fromYaml(c: Case) {
  const text = stringify(rawWith(c.change), { lineWidth: 0 });
  try {
    configFromText(text, 'corpus.yaml', FLEET_CHECKS);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { text, error: e };
  }
  throw new Error('accepted');
}

/**
 * Where a problem must point, said without the loader's own walk over the
 * document: on the reported line, at the reported column, starts the key the
 * problem is about (an unknown key, or a setting whose value is a mapping or
 * list), or its value (after `key: `), or the list entry (`- `) it is in; a
 * setting inherited from defaults is found under defaults; a missing setting
 * is pointed at the mapping or entry that lacks it.
 */
function pointsAtTheProblem(c: Case, text: string, line: number, column: number): string | undefined {
  const lines = text.split('\n');
  const here = lines[line - 1] ?? '';
  const before = here.slice(0, column - 1);
  const at = here.slice(column - 1);
  const clean = c.path.replace(/ \(from defaults\)$/, '');
  const named = [...clean.matchAll(/(?:^|\.)([A-Za-z_$][\w$]*)|\["((?:[^"\\]|\\.)*)"\]/g)].map((m) => m[1] ?? JSON.parse(`"${m[2]}"`));
  const last = named[named.length - 1];
  const unknown = /^\^?unknown key "([^"]+)"/.exec(c.message.source.replace(/\\/g, ''))?.[1];
  const sectionOf = (n: number) => [...lines.slice(0, n)].reverse().find((l) => /^[A-Za-z$]/.test(l))?.replace(/:.*/, '');
  if (c.path.endsWith('(from defaults)') && sectionOf(line) !== 'defaults') return `not under defaults: ${here}`;
  if (!c.path.endsWith('(from defaults)') && !(named.length === 1 && line === 1) && sectionOf(line) !== named[0]) {
    return `not under ${named[0]}: ${here}`;
  }
  if (unknown) return at.startsWith(`${unknown}:`) ? undefined : `not at the unknown key ${unknown}: ${here}`;
  const missing = /required|key is missing|none is set|none is named|no trail name/.test(c.message.source);
  if (missing && named.length === 1) return line === 1 && column === 1 ? undefined : `a missing top-level key is pointed at the top of the file, not ${line}:${column}`;
  if (/\[\d+\]$/.test(clean)) return /^\s*-\s/.test(here) && /-\s*$/.test(before) ? undefined : `not at a list entry: ${here}`;
  if (at.startsWith(`${JSON.stringify(last).slice(1, -1)}:`) || at.startsWith(`${last}:`)) return undefined; // at the key of a mapping, list or missing value
  if (before.trimEnd().endsWith(`${last}:`) || before.trimEnd().endsWith(`${JSON.stringify(last)}:`)) return undefined; // at the value after its key
  if (missing) return /^\s*(- )?[A-Za-z"]/.test(here) ? undefined : `not at the mapping that lacks ${last}: ${here}`;
  return `neither at ${last} nor at its value: ${JSON.stringify(here)} column ${column}`;
}

describe('the invalid-config corpus', () => {
  test('has at least 45 cases, each with a distinct name', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  test.each(CORPUS.map((c) => [c.name, c] as const))('rejects %s with one problem at its config path', (_name, c) => {
    const issues = issuesOf(rawWith(c.change));
    expect(issues).toEqual([{ path: c.path, message: expect.stringMatching(c.message) }]);
  });

  test.each(CORPUS.map((c) => [c.name, c] as const))('%s, read from YAML: the same problem, at the line and column where it is written', (_name, c) => {
    const { text, error } = fromYaml(c);
    expect(error.issues).toEqual([{ path: c.path, message: expect.stringMatching(c.message), line: expect.any(Number), column: expect.any(Number) }]);
    const [{ line, column }] = error.issues;
    expect(pointsAtTheProblem(c, text, line!, column!)).toBeUndefined();
    expect(error.message.split('\n')[1]).toBe(`corpus.yaml:${line}:${column}: ${c.path}: ${error.issues[0].message}`);
  });
});

describe('synth with a bad config (the real app, `node dist/main.js`)', () => {
  const mainJs = path.join(ROOT, 'dist', 'main.js');
  let work: string;

  beforeAll(() => {
    // Rebuilds dist/ only when a source is newer than the last build.
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT, stdio: 'pipe' });
    expect(existsSync(mainJs)).toBe(true);
    work = mkdtempSync(path.join(os.tmpdir(), 'corpus-spawn-'));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function filesUnder(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  }

  function synth(name: string, raw: unknown) {
    const configFile = path.join(work, `${name}.json`);
    writeFileSync(configFile, JSON.stringify(raw));
    const outdir = path.join(work, `${name}-out`);
    const run = spawnSync(process.execPath, [mainJs], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDKTF_OUTDIR: outdir, CLOUDTRAIL_CONFIG: configFile },
    });
    return { run, configFile, written: filesUnder(outdir).filter((f) => f.endsWith('cdk.tf.json')) };
  }

  test('a valid config synthesizes (the control for the cases below)', () => {
    const { run, written } = synth('valid', rawWith(() => undefined));
    expect(run.status).toBe(0);
    expect(written.map((f) => path.basename(path.dirname(f))).sort()).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
  });

  const picked = ['a trail name with adjacent "-" and "_"', 'an account id written as a YAML number', 'a log group in another account', 'six multi-region trails in one account'];
  test.each(picked)('%s: exits non-zero, names the config path, writes no stack', (name) => {
    const c = CORPUS.find((x) => x.name === name)!;
    const { run, configFile, written } = synth(name.replace(/[^a-z0-9]+/gi, '-'), rawWith(c.change));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${configFile}: 1 problem in the config; nothing was synthesized\n`);
    // The file is one line of JSON: the problem is on line 1, at the column of its value.
    expect(run.stderr).toMatch(new RegExp(`\\n${escape(configFile)}:1:\\d+: ${escape(c.path)}: `));
    expect(run.stderr).toMatch(c.message.source.startsWith('^') ? new RegExp(c.message.source.slice(1)) : c.message);
    expect(written).toEqual([]);
  });

  test('several problems at once are all printed before exiting', () => {
    const { run, written } = synth(
      'several',
      rawWith((r) => {
        r.accounts[0].trailName = 'ab';
        r.accounts[0].prefix = 'team-a/';
        r.central.bucketName = 'Bad';
      }),
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/3 problems in the config; nothing was synthesized/);
    for (const p of ['central.bucketName', 'accounts[0].trailName', 'accounts[0].prefix']) expect(run.stderr).toMatch(new RegExp(`:1:\\d+: ${escape(p)}: `));
    expect(written).toEqual([]);
  });
});
