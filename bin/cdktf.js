#!/usr/bin/env node
// `npm run synth` and `npm run cdktf -- <command> [args]`: the project's cdktf
// CLI with the environment a quiet run needs, so that nothing but real
// errors is labelled [ERROR]:
//   - CHECKPOINT_DISABLE=1 and DISABLE_VERSION_CHECK=1: HashiCorp's telemetry
//     and version check (offline they print "getaddrinfo ENOTFOUND
//     checkpoint-api.hashicorp.com" as an [ERROR]);
//   - TF_CLI_CONFIG_FILE naming a file that does not exist is left out
//     (Terraform warns about it on every call, which cdktf shows as [ERROR]);
//   - a relative TF_CLI_CONFIG_FILE is made absolute (cdktf runs Terraform
//     inside cdktf.out/stacks/<stack>/, where a relative path does not resolve);
//   - CI=1 when stdout is not a terminal, so logs get plain lines instead of
//     spinner frames.
// Plain JS, like bin/app.js.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

/** The environment for the cdktf CLI. */
function cdktfEnv(env, cwd, stdoutIsTTY = true) {
  const out = { ...env, CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE || '1', DISABLE_VERSION_CHECK: env.DISABLE_VERSION_CHECK || '1' };
  const rc = env.TF_CLI_CONFIG_FILE;
  if (rc) {
    const absolute = path.resolve(cwd, rc);
    // A file that does not exist is left out quietly: Terraform would only warn about it on every call.
    if (!fs.existsSync(absolute)) delete out.TF_CLI_CONFIG_FILE;
    else if (absolute !== rc) out.TF_CLI_CONFIG_FILE = absolute;
  }
  // Not a terminal (CI, a pipe, a log file): the cdktf CLI prints plain lines instead of spinner frames when CI is set.
  if (!stdoutIsTTY && out.CI === undefined) out.CI = '1';
  return { env: out };
}

module.exports = { cdktfEnv };

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const { env } = cdktfEnv(process.env, process.env.INIT_CWD || process.cwd(), process.stdout.isTTY === true);
  const cli = path.join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
  const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
  process.exit(run.status === null ? 1 : run.status);
}
