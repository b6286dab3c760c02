/**
 * The bad-input corpus: each case is the default config (config/cloudtrail.yaml)
 * with exactly ONE rule broken. Every case must be rejected with exactly one
 * problem, at the exact config path, with a message that names the rule and
 * says how to fix it. A few cases also run through the real app (`node
 * dist/main.js`) to prove that synth exits non-zero and writes nothing.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { issuesOf, rawWith, ROOT } from '../helpers/fleet';
import { CORPUS } from './invalid-corpus.cases';

describe('the invalid-config corpus', () => {
  test('has at least 45 cases, each with a distinct name', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  test.each(CORPUS.map((c) => [c.name, c] as const))('rejects %s with one problem at its config path', (_name, c) => {
    const issues = issuesOf(rawWith(c.change));
    expect(issues).toEqual([{ path: c.path, message: expect.stringMatching(c.message) }]);
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
    expect(run.stderr).toContain(`${configFile}: 1 problem in the config; nothing was synthesized`);
    expect(run.stderr).toContain(`  - ${c.path}: `);
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
    for (const p of ['central.bucketName', 'accounts[0].trailName', 'accounts[0].prefix']) expect(run.stderr).toContain(`  - ${p}: `);
    expect(written).toEqual([]);
  });
});
