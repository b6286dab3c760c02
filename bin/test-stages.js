#!/usr/bin/env node
// `npm test` after the type check: every stage, scheduled so that `.ci/run`
// stays within its 15 minutes on a 2-core machine.
//
//   1. the emulator stage (`npm run test:emulator`) starts first, in the
//      background: it mostly waits (the provider polls KMS keys for about
//      8 s and SQS queue policies for about 50 s, by design), so it runs
//      beside everything else; its output goes to .tmp/test-emulator.log and
//      is printed whole at the end;
//   2. `npm run test:ahead`: the whole Jest suite on Node 22 with the clock
//      400 days ahead;
//   3. the machines' Node (20): every command the docs show, run as written
//      with its output compared (__tests__/docs/commands.test.ts), and the
//      bin/ tests. The
//      Terraform stages below run on this Node too: synthesis, bootstrap,
//      deploy and verify, through the real commands. The whole Jest suite on
//      this Node is `npm run test:unit` (also the default of `npx jest`);
//      `.ci/run` does not repeat it (docs/testing.md);
//   4. `npm run validate`: Terraform plans every generated stack shape
//      offline (the example stacks are planned by the emulator stage, which
//      applies them with the real provider and plans them again);
//   5. waits for the emulator stage.
// Exits non-zero when any stage failed; each stage still says loudly when it
// could not run (no terraform, no moto, no faketime). Plain JS, like the other
// bin/ helpers.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { emulatorMissing } = require('./test-emulator');

const root = path.join(__dirname, '..');
const logFile = path.join(root, '.tmp', 'test-emulator.log');
fs.mkdirSync(path.dirname(logFile), { recursive: true });

function run(args, stdio, env = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio, env: { ...process.env, ...env } });
    child.on('error', (e) => resolve({ code: 1, seconds: 0, error: e.message }));
    child.on('close', (code) => resolve({ code: code === null ? 1 : code, seconds: (Date.now() - started) / 1000 }));
  });
}

async function main() {
  const started = Date.now();
  // Build once, before the stages start (each would otherwise see a stale build and run tsc at the same time).
  const build = await run([path.join(root, 'bin', 'app.js'), '--build-only'], 'inherit');
  if (build.code !== 0) return build.code;
  // A larger young generation for every Node process of the run (Jest workers, synthesis, the CLI): cdktf's
  // synthesis allocates a lot of short-lived objects, and V8's default 16 MB semi-space made it collect so often
  // that 64 MB cut the CPU of the synth-heavy tests by 15% (measured on Node 20, 61 -> 52 CPU s).
  // With NODE_OPTIONS set, the cdktf CLI warns unless it also holds --max-old-space-size (it sets 4096 itself otherwise).
  const node = process.env.NODE_OPTIONS ?? '';
  const add = [node.includes('--max-semi-space-size') ? '' : '--max-semi-space-size=64', node.includes('--max-old-space-size') ? '' : '--max-old-space-size=4096'];
  process.env.NODE_OPTIONS = [node, ...add].filter(Boolean).join(' ');
  const examplesOnEmulator = emulatorMissing().length === 0 && !process.env.CLOUDTRAIL_EMULATOR_CASES;
  process.stdout.write(`npm test: the emulator stage runs in the background (its output: ${path.relative(root, logFile)}, printed at the end)\n`);
  const out = fs.openSync(logFile, 'w');
  const emulator = run([path.join(root, 'bin', 'test-emulator.js')], ['ignore', out, out]);

  const results = [];
  const stage = async (name, args, env) => {
    const r = await run(args, 'inherit', env);
    results.push({ name, ...r });
    return r;
  };
  const jest = require.resolve('jest/bin/jest');
  // With the emulator stage running, two offline Terraform-plan test files are left to `npm run test:unit`: the
  // transitions stage proves the same (the gate's listing equals Terraform's plan, no undeclared loss) with the
  // plans of real applies, and the two are a third of Jest's time.
  const offlineTwins = ['transitions-terraform', 'change-plan-terraform'];
  const aheadArgs = examplesOnEmulator ? ['--testPathIgnorePatterns', '/node_modules/', '\\.emulator\\.test\\.ts$', ...offlineTwins.map((f) => `${f}\\.test\\.ts$`)] : [];
  if (examplesOnEmulator) process.stdout.write(`npm test: ${offlineTwins.map((f) => `${f}.test.ts`).join(' and ')} run in npm run test:unit, not here: the emulator's transitions stage proves the same on real applies\n`);
  await stage(`test:ahead (Node 22, clock ahead, the unit tests${examplesOnEmulator ? ' but two offline Terraform-plan files' : ''})`, [path.join(root, 'bin', 'test-ahead.js'), ...aheadArgs]);
  process.stdout.write(`\nnpm test: on this machine's Node (${process.version}): every command the docs show, and the bin/ tests\n`);
  await stage(`documented commands and bin tests on ${process.version}`, [jest, path.join('__tests__', 'docs', 'commands.test.ts'), path.join('__tests__', 'bin')]);
  // When the emulator stage runs every example (it applies each example stack with the real provider and plans
  // it again), validate leaves those stacks' offline plans to it: the same stacks would be planned twice.
  if (examplesOnEmulator) process.stdout.write('\nnpm test: the example stacks are planned and applied by the emulator stage (validate checks their backend blocks and bootstrap stacks)\n');
  await stage('validate', [path.join(root, 'bin', 'app.js'), '--run', path.join('dist', 'tools', 'validate.js')], examplesOnEmulator ? { CLOUDTRAIL_VALIDATE_EXAMPLE_PLANS: 'emulator' } : {});

  const emu = await emulator;
  results.push({ name: 'the emulator stage', ...emu });
  fs.closeSync(out);
  process.stdout.write(`\n---------------- the emulator stage (${path.relative(root, logFile)}) ----------------\n`);
  process.stdout.write(fs.readFileSync(logFile, 'utf8'));
  const word = (r) => (r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`);
  process.stdout.write(`\nnpm test: ${results.map((r) => `${r.name} ${word(r)} in ${r.seconds.toFixed(0)} s`).join('; ')}; ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
  return results.find((r) => r.code !== 0)?.code ?? 0;
}

main().then((code) => process.exit(code));
