/**
 * The layout of docs/layout.md, checked by dependency-cruiser (pinned in
 * devDependencies) with the rules of .dependency-cruiser.cjs: imports run one
 * way (config/ is the ground floor, then modules/, stacks/, the entries and
 * the harness), no folders import each other, no module imports itself back.
 * The second half runs the same rules on small made-up trees, to show that
 * each kind of cycle makes them fail.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './helpers/fleet';

const CRUISER = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const RULES = path.join(ROOT, '.dependency-cruiser.cjs');
const SOURCES = ['main.ts', 'config', 'modules', 'stacks', 'cli', 'tools', 'bin'];

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
  readonly cycle?: readonly { readonly name: string }[];
}

/** The rule breaches dependency-cruiser finds under `cwd`, one line each. */
function cruise(cwd: string, sources: readonly string[]): { modules: number; violations: string[] } {
  const run = spawnSync(process.execPath, [CRUISER, '--config', RULES, '--output-type', 'json', ...sources], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0 && !run.stdout) throw new Error(`dependency-cruiser failed (${run.status}): ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { modules: unknown[]; summary: { violations: Violation[] } };
  const violations = result.summary.violations.map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' -> ')}${v.cycle ? '' : ` -> ${v.to}`}`);
  return { modules: result.modules.length, violations: [...new Set(violations)].sort() };
}

test('the sources follow the layout: imports run one way, no folder or module imports itself back', () => {
  const { modules, violations } = cruise(ROOT, SOURCES);
  expect(modules).toBeGreaterThan(60); // every source was read (main.ts, config/, modules/, ...)
  expect(violations).toEqual([]);
}, 60_000);

describe('the rules fail on each kind of cycle (a made-up tree holding one of each)', () => {
  let dir: string;
  let violations: string[];
  beforeAll(() => {
    mkdirSync(os.tmpdir(), { recursive: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'layout-'));
    const files: Record<string, string> = {
      'tsconfig.json': '{ "compilerOptions": { "module": "commonjs", "strict": true } }',
      // The old circle: config/ imports modules/, which imports (another file of) config/.
      'config/model.ts': "import { arn } from '../modules/arns';\nexport const x = arn();\n",
      'config/schema.ts': 'export type Config = { a: string };\n',
      'modules/arns.ts': "import type { Config } from '../config/schema';\nexport const arn = (c?: Config) => String(c);\n",
      // Two folders through a third: cli -> tools -> stacks -> cli.
      'cli/run.ts': "import { bench } from '../tools/bench';\nexport const run = () => bench();\n",
      'tools/bench.ts': "import { stack } from '../stacks/stack';\nexport const bench = () => stack();\n",
      'stacks/stack.ts': "import { help } from '../cli/help';\nexport const stack = () => help();\n",
      'cli/help.ts': "export const help = () => 'help';\n",
      // Two modules of one folder, by types only.
      'config/a.ts': "import type { B } from './b';\nexport type A = { b?: B };\n",
      'config/b.ts': "import type { A } from './a';\nexport type B = { a?: A };\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    violations = cruise(dir, ['config', 'modules', 'stacks', 'cli', 'tools']).violations;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('config/ importing modules/: the ground-floor rule and a folder cycle', () => {
    expect(violations).toContain('config-is-the-ground-floor: config/model.ts -> modules/arns.ts');
    expect(violations).toContain('no-folder-cycle: config -> modules -> config');
  });

  test('a cycle between folders through a third: the one-way rules name the imports that go up', () => {
    expect(violations).toContain('commands-do-not-import-the-app-or-the-harness: cli/run.ts -> tools/bench.ts');
    expect(violations).toContain('stacks-wire-modules-to-config: stacks/stack.ts -> cli/help.ts');
    expect(violations).toContain('no-folder-cycle: cli -> tools -> stacks -> cli');
  });

  test('two modules importing each other, by types only', () => {
    expect(violations).toContain('no-module-cycle: config/a.ts -> config/b.ts -> config/a.ts');
  });
});

/**
 * config/ cannot import the policy builders, so the checks that need them
 * (policy sizes, selector limits) are passed in by the caller. A caller
 * outside config/ that forgets FLEET_CHECKS would silently skip them: every
 * load outside config/ must pass them.
 */
/** The TypeScript sources outside config/: main.ts and every file of modules/, stacks/, cli/ and tools/. */
function sourcesAboveConfig(): string[] {
  const { readdirSync, statSync } = require('fs') as typeof import('fs');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((e) => {
      const p = path.join(dir, e);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  return [path.join(ROOT, 'main.ts'), ...['modules', 'stacks', 'cli', 'tools'].flatMap((d) => files(path.join(ROOT, d)))];
}

test('every config load outside config/ runs the fleet checks (FLEET_CHECKS)', () => {
  const { readFileSync } = require('fs') as typeof import('fs');
  const callers = sourcesAboveConfig();
  const missing: string[] = [];
  let calls = 0;
  for (const file of callers) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:loadConfig|configFromText|configFromObject)\(/g)) {
      // The call's arguments, up to the balanced closing parenthesis.
      let depth = 1;
      let end = m.index + m[0].length;
      while (depth > 0 && end < text.length) depth += text[end] === '(' ? 1 : text[end] === ')' ? -1 : 0, end++;
      const args = text.slice(m.index + m[0].length, end - 1);
      calls++;
      if (!/\bFLEET_CHECKS\b|\bchecks\b/.test(args)) missing.push(`${path.relative(ROOT, file)}: ${text.slice(m.index, end).slice(0, 80)}`);
    }
  }
  expect(calls).toBeGreaterThanOrEqual(8); // the scan reads the real call sites (main.ts, the commands, the tools)
  expect(missing).toEqual([]);
});

/** The same for warnings: config/warnings.ts cannot see the guard's encodings, so commands ask modules/fleet-warnings.ts. */
test('no command or stack reads configWarnings directly (fleetWarnings adds the warnings that need the builders)', () => {
  const { readFileSync } = require('fs') as typeof import('fs');
  const callers = sourcesAboveConfig();
  const direct = callers.filter((f) => !f.endsWith(path.join('modules', 'fleet-warnings.ts')) && /\bconfigWarnings\(/.test(readFileSync(f, 'utf8')));
  expect(direct.map((f) => path.relative(ROOT, f))).toEqual([]);
});
