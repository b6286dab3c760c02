#!/usr/bin/env node
// `npm run test:clock`: the unit tests again with the clock 400 days ahead
// (Debian's faketime), so a test that reads the wall clock without pinning it
// fails today instead of turning main red next month. Without faketime it
// says so loudly and exits 0: it never prints a pass it did not run.
// Plain JS, like the other bin/ helpers.
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const DAYS = process.env.CLOUDTRAIL_CLOCK_AHEAD_DAYS || '400';
const found = spawnSync('faketime', ['-f', '+0d', 'true'], { stdio: 'ignore' });
if (found.error || found.status !== 0) {
  process.stderr.write(
    '\n' +
      '==================================================================\n' +
      ' SKIPPED: faketime not found; the unit tests did NOT run with the\n' +
      ` clock ${DAYS} days ahead (apt-get install faketime; .ci/run does).\n` +
      '==================================================================\n\n',
  );
  process.exit(0);
}
process.stdout.write(`test:clock: the unit tests with the clock ${DAYS} days ahead (faketime -f +${DAYS}d)\n`);
const jest = require.resolve('jest/bin/jest');
const run = spawnSync('faketime', ['-f', `+${DAYS}d`, process.execPath, jest, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(run.status === null ? 1 : run.status);
