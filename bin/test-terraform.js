#!/usr/bin/env node
// `npm run test:terraform`: the two Terraform stages of `npm test` at the same
// time: `npm run validate` (offline plans, CPU-bound: the provider's schema is
// loaded for every stack) and `npm run test:emulator` (applies on the AWS
// emulator, which mostly waits: KMS keys about 8 s, SQS queue policies about
// 50 s, by the provider's design). Run one after the other they leave a core
// idle for minutes; side by side they keep `.ci/run` within its budget.
//
// validate prints as it goes; the emulator stage's output is kept in
// .tmp/test-emulator.log and printed whole once both are done, so neither
// log is interleaved with the other. Exits non-zero when either failed. Each
// stage still says loudly when it could not run (no terraform, no moto).
// Plain JS, like the other bin/ helpers.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const root = path.join(__dirname, '..');
const logFile = path.join(root, '.tmp', 'test-emulator.log');
fs.mkdirSync(path.dirname(logFile), { recursive: true });

function run(args, stdio) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio });
    child.on('error', (e) => resolve({ code: 1, seconds: 0, error: e.message }));
    child.on('close', (code) => resolve({ code: code === null ? 1 : code, seconds: (Date.now() - started) / 1000 }));
  });
}

async function main() {
  const started = Date.now();
  // Build once, before both start (each would otherwise see a stale build and run tsc at the same time).
  const build = await run([path.join(root, 'bin', 'app.js'), '--build-only'], 'inherit');
  if (build.code !== 0) return build.code;
  process.stdout.write(`test:terraform: npm run validate and the emulator stage side by side; the emulator stage's output goes to ${path.relative(root, logFile)} and is printed when both are done\n`);
  const out = fs.openSync(logFile, 'w');
  const emulator = run([path.join(root, 'bin', 'test-emulator.js')], ['ignore', out, out]);
  const validate = await run([path.join(root, 'bin', 'app.js'), '--run', path.join('dist', 'tools', 'validate.js')], 'inherit');
  const emu = await emulator;
  fs.closeSync(out);
  process.stdout.write(`\n---------------- the emulator stage (${path.relative(root, logFile)}) ----------------\n`);
  process.stdout.write(fs.readFileSync(logFile, 'utf8'));
  const word = (r) => (r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`);
  process.stdout.write(
    `\ntest:terraform: validate ${word(validate)} in ${validate.seconds.toFixed(0)} s; emulator stage ${word(emu)} in ${emu.seconds.toFixed(0)} s; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s in all\n`,
  );
  return validate.code || emu.code;
}

main().then((code) => process.exit(code));
