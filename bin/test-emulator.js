#!/usr/bin/env node
// `npm run test:emulator`: the AWS emulator stage of `npm test`. Jest with
// jest.emulator.config.js: the emulator's patches through the AWS SDK, the
// Terraform harness, and every example config plus the fleet shapes at each
// bucket-policy encoding applied with the real provider (central stack first,
// then the accounts) and planned again ("No changes" required).
// docs/emulator.md says what it covers and what it cannot.
//
// It needs python3 with moto 5.2.1 and terraform with the provider mirror.
// Without them it says so loudly and exits 0: it never prints a pass it did
// not run. Plain JS, like the other bin/ helpers.
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');

/** What the emulator stage needs and this machine lacks (empty: it can run). Also used by bin/test-stages.js. */
function emulatorMissing() {
  const python = process.env.CLOUDTRAIL_EMULATOR_PYTHON || 'python3';
  const missing = [];
  const moto = spawnSync(python, ['-c', 'import moto, flask, flask_cors, werkzeug; print(moto.__version__)'], { encoding: 'utf8' });
  if (moto.error) missing.push(`${python} not found (set CLOUDTRAIL_EMULATOR_PYTHON)`);
  else if (moto.status !== 0) missing.push(`${python} cannot import moto[server] (pip install "moto[server]==5.2.1")`);
  else if (moto.stdout.trim() !== '5.2.1') missing.push(`${python} has moto ${moto.stdout.trim()}; the emulator's patches are written against 5.2.1`);
  const tf = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (tf.error || tf.status !== 0) missing.push('terraform not found on PATH');
  return missing;
}
module.exports = { emulatorMissing };
if (require.main !== module) return;
const missing = emulatorMissing();
if (missing.length) {
  process.stderr.write(
    '\n' +
      '==================================================================\n' +
      ' SKIPPED: the AWS emulator stage did NOT run:\n' +
      missing.map((m) => `   - ${m}\n`).join('') +
      ' No config was applied on the emulator. (docs/emulator.md)\n' +
      '==================================================================\n\n',
  );
  process.exit(0);
}
const started = Date.now();
const jest = require.resolve('jest/bin/jest');
const run = spawnSync(process.execPath, [jest, '-c', path.join(root, 'jest.emulator.config.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.stdout.write(`test:emulator: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(run.status === null ? 1 : run.status);
