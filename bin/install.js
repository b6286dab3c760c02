#!/usr/bin/env node
// `npm run setup`: installs the dependencies with `npm ci` unless node_modules
// already holds exactly what package-lock.json pins, so the README's two
// quick-start commands each work on a fresh clone without paying for a second
// full install when run one after the other. Plain JS: it runs before any
// dependency exists.
//   node bin/install.js           npm ci when needed
//   node bin/install.js --check   exit 0 when up to date, 1 when npm ci is needed (prints why)
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');

/**
 * Why node_modules does not match the lockfile, or undefined when it does.
 * npm writes what it installed to node_modules/.package-lock.json; every
 * package there must have the lockfile's version and integrity, and every
 * package of the lockfile must be there unless it is optional (packages for
 * other platforms are skipped by npm).
 */
function mismatch() {
  const installedFile = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installedFile)) return 'node_modules is missing';
  const locked = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages || {};
  const installed = JSON.parse(fs.readFileSync(installedFile, 'utf8')).packages || {};
  for (const [name, pkg] of Object.entries(locked)) {
    if (name === '') continue;
    const have = installed[name];
    if (!have) {
      if (pkg.optional) continue;
      return `${name} is not installed`;
    }
    if (have.version !== pkg.version || have.integrity !== pkg.integrity) return `${name} is ${have.version}, the lockfile pins ${pkg.version}`;
  }
  for (const name of Object.keys(installed)) {
    if (!(name in locked)) return `${name} is installed but not in the lockfile`;
  }
  return undefined;
}

const why = mismatch();
if (process.argv.includes('--check')) {
  process.stdout.write(why ? `npm ci needed: ${why}\n` : 'node_modules matches package-lock.json\n');
  process.exit(why ? 1 : 0);
}
if (!why) {
  process.stdout.write('node_modules matches package-lock.json: skipping npm ci\n');
} else {
  process.stdout.write(`npm ci (${why})\n`);
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath, 'ci']] : [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci']];
  const run = spawnSync(npm[0], npm[1], { cwd: root, stdio: 'inherit' });
  process.exit(run.status === null ? 1 : run.status);
}
