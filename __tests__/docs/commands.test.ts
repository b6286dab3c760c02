/**
 * Every command block of the README and docs/ marked `<!-- doc-test: run -->`
 * runs as written, on the default config, in a fresh copy of the project
 * (one per Markdown file, its blocks in the order a reader meets them), and:
 *   - exits as the marker says (0 unless `run, exit N`);
 *   - prints nothing but what the ```text block after it says, when there is one;
 *   - prints no noise: no [ERROR] label, no escape sequences or spinner
 *     frames (the output is not a terminal), no runtime warning, no
 *     deprecation line, no negative number.
 * Also: every command of `cloudtrail-fleet` answers --help quietly and has
 * its section in docs/commands.md. The convention: docs/testing.md, "Doc tests".
 */
import { COMMANDS } from '../../cli/main';
import { ROOT } from '../helpers/fleet';
import { BlockRun, buildProject, createWorkspace, realNpx, runBlock } from './workspace';
import { documentationFiles, Fence, noise, outputMatches, readMarkdown, slug } from './markdown';

const RUNNABLE: Fence[] = documentationFiles(ROOT)
  .map((f) => readMarkdown(ROOT, f))
  .flatMap((md) => md.fences.filter((f) => f.marker?.kind === 'run'));

/** At most this many workspaces run at once (the machines have 2 cores). */
const WORKSPACES_AT_ONCE = 3;

const results = new Map<Fence, BlockRun>();
const helps = new Map<string, BlockRun>();
let throughNpx: BlockRun;

/** The docs block that runs exactly `npx cloudtrail-fleet <name> --help`, if there is one (then its run serves). */
function helpBlock(name: string): Fence | undefined {
  return RUNNABLE.find((f) => f.body.trim() === `npx cloudtrail-fleet ${name} --help`);
}

function firstLine(f: Fence): string {
  const line = f.body.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? '';
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
}

beforeAll(async () => {
  buildProject(ROOT);
  const byFile = new Map<string, Fence[]>();
  for (const f of RUNNABLE) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const jobs: (() => Promise<void>)[] = [...byFile.values()].map((fences) => async () => {
    const ws = createWorkspace(ROOT);
    for (const f of fences) results.set(f, await runBlock(ws, f.body));
  });
  jobs.push(async () => {
    const ws = createWorkspace(ROOT);
    throughNpx = await runBlock(ws, `${JSON.stringify(realNpx())} cloudtrail-fleet --help`);
    for (const name of Object.keys(COMMANDS)) {
      if (!helpBlock(name)) helps.set(name, await runBlock(ws, `npx cloudtrail-fleet ${name} --help`));
    }
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: WORKSPACES_AT_ONCE }, worker));
}, 600_000);

test('the docs have blocks the doc tests run', () => {
  expect(RUNNABLE.length).toBeGreaterThanOrEqual(10);
});

test('npx itself finds the project\'s command on a fresh clone, quietly', () => {
  expect(throughNpx.exitCode).toBe(0);
  expect(throughNpx.output).toMatch(/^cloudtrail-fleet: .*\n\nusage: cloudtrail-fleet <command>/);
  expect(noise(throughNpx.output)).toEqual([]);
});

describe.each(RUNNABLE.map((f) => [`${f.file}:${f.line}`, f] as const))('%s', (_where, fence) => {
  const expectedExit = fence.marker?.kind === 'run' ? fence.marker.exit : 0;

  test(`\`${firstLine(fence)}\` exits ${expectedExit}${fence.output ? ' and prints what the docs show' : ''}`, () => {
    const run = results.get(fence)!;
    if (run.exitCode !== expectedExit) {
      throw new Error(`${fence.file}:${fence.line}: exit ${run.exitCode} after ${run.seconds.toFixed(1)} s, the docs say ${expectedExit}; it printed:\n${run.output}`);
    }
    if (fence.output) {
      if (!outputMatches(fence.output.body, run.output)) {
        throw new Error(`${fence.file}:${fence.output.line}: the output differs from the docs.\n--- the docs say ---\n${fence.output.body}\n--- it printed ---\n${run.output}`);
      }
    }
  });

  test('prints no noise', () => {
    expect(noise(results.get(fence)!.output)).toEqual([]);
  });
});

describe.each(Object.keys(COMMANDS))('cloudtrail-fleet %s', (name) => {
  test('--help exits 0, quietly, with its usage', () => {
    const documented = helpBlock(name);
    const run = documented ? results.get(documented)! : helps.get(name)!;
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(`usage: cloudtrail-fleet ${name} `);
    expect(noise(run.output)).toEqual([]);
  });

  test('has its section in docs/commands.md', () => {
    expect([...readMarkdown(ROOT, 'docs/commands.md').anchors]).toContain(slug(name));
  });
});
