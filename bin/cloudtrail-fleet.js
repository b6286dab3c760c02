#!/usr/bin/env node
// `npx cloudtrail-fleet <command>`: the one entry of the user commands
// (cli/main.ts). Compiles first when a TypeScript source is newer than the
// last build, like the cdktf app (bin/app.js). Plain JS: it runs before tsc.
'use strict';
const path = require('path');
process.argv.splice(2, 0, '--run', path.join('dist', 'cli', 'main.js'));
require('./app.js');
