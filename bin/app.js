#!/usr/bin/env node
// The cdktf app command: runs the compiled app, compiling first when any
// TypeScript source is newer than the last build (tsc alone takes ~2 s, so
// an up-to-date build is not redone). Plain JS because it runs before tsc.
//   node bin/app.js                      build if stale, run dist/main.js
//   node bin/app.js --build-only         build if stale (npm's prepare)
//   node bin/app.js --run dist/x.js ...  build if stale, run another entry
'use strict';
// The AWS SDK warns on every run under Node 20 that its 2027 releases need
// Node 22; this project pins its SDK versions and documents the Node versions
// it supports (README), so the warning is noise on every command.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// cdktf 0.21 (pinned) calls util.isArray when it synthesizes outputs; Node 22
// deprecates that alias at runtime (DEP0044) and prints a warning on every
// synth. util.isArray has always been Array.isArray, so point it there.
require('util').isArray = Array.isArray;
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.join(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const args = process.argv.slice(2);
const entry = path.join(root, args[0] === '--run' ? args[1] : path.join('dist', 'main.js'));

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') || e.name === 'regions.json') newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function stale() {
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  const sources = [path.join(root, 'main.ts'), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')];
  const newest = Math.max(
    ...sources.map((f) => fs.statSync(f).mtimeMs),
    ...['config', 'modules', 'stacks', 'cli', 'tools'].map((d) => newestSource(path.join(root, d))),
  );
  return newest > built;
}

if (stale()) {
  // tsc reports on stdout; send it to stderr so that stdout stays the entry's own (`$(npm run -s affected ...)`).
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: ['inherit', 2, 2] });
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}
if (args[0] !== '--build-only') {
  // Run the entry as the main module (so its `require.main === module` holds), with its own arguments.
  process.argv.splice(1, args[0] === '--run' ? 3 : 1, entry);
  require('module').runMain();
}
