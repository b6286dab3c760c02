#!/usr/bin/env node
// `npm run emulator [-- --port <n>] [--account <id>] [--region <r>] [--verbose]`:
// the project's AWS emulator (tools/emulator/launcher.py: moto 5.2.1 with the
// project's patches, docs/emulator.md) in the foreground on 127.0.0.1, with the
// environment to use printed once it listens. Ctrl-C stops it; its state is in
// memory only. Plain JS, like the other bin/ helpers (no build needed).
'use strict';
const path = require('path');
const { spawn } = require('child_process');

const USAGE = 'usage: npm run emulator [-- --port <n>] [--account <12-digit id>] [--region <region>] [--verbose]';
const args = process.argv.slice(2);
const opts = { port: '0', account: '111111111111', region: 'us-east-2', verbose: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--help' || a === '-h') {
    process.stdout.write(`${USAGE}\n\nStarts the AWS emulator on 127.0.0.1 (port 0 = a free one) and prints the environment\nfor the AWS CLI / SDK with the credentials of --account (default 111111111111).\nAny account's credentials: AWS_ACCESS_KEY_ID=AKIA<account id>EMUL, any secret.\n`);
    process.exit(0);
  } else if (a === '--verbose') opts.verbose = true;
  else if (['--port', '--account', '--region'].includes(a) && i + 1 < args.length) opts[a.slice(2)] = args[++i];
  else {
    process.stderr.write(`emulator: unknown argument ${a}\n${USAGE}\n`);
    process.exit(2);
  }
}
if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) {
  process.stderr.write(`emulator: --port takes 0..65535, got ${opts.port}\n`);
  process.exit(2);
}
if (!/^\d{12}$/.test(opts.account)) {
  process.stderr.write(`emulator: --account takes a 12-digit account id, got ${opts.account}\n`);
  process.exit(2);
}
if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(opts.region)) {
  process.stderr.write(`emulator: --region takes a Region name such as us-east-2, got ${opts.region}\n`);
  process.exit(2);
}

const python = process.env.CLOUDTRAIL_EMULATOR_PYTHON || 'python3';
const launcher = path.join(__dirname, '..', 'tools', 'emulator', 'launcher.py');
const env = { ...process.env };
for (const k of Object.keys(env)) if (/^(MOTO_|AWS_)/.test(k)) delete env[k];
const child = spawn(python, [launcher, '--port', opts.port, ...(opts.verbose ? ['--verbose'] : [])], { stdio: ['ignore', 'pipe', 'inherit'], env });
child.on('error', (e) => {
  process.stderr.write(`emulator: cannot run ${python} (${e.message}). It needs python3 with moto 5.2.1 (pip install "moto[server]==5.2.1"); set CLOUDTRAIL_EMULATOR_PYTHON to another python.\n`);
  process.exit(3);
});
let out = '';
let announced = false;
child.stdout.on('data', (d) => {
  if (announced) return process.stdout.write(d);
  out += d.toString('utf8');
  const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
  if (!m) return;
  announced = true;
  const endpoint = m[1];
  process.stdout.write(
    [
      `cloudtrail-fleet AWS emulator (moto with the project's patches) on ${endpoint}; Ctrl-C stops it.`,
      `Credentials of account ${opts.account} (for another account: AKIA<account id>EMUL, any secret):`,
      '',
      `export AWS_ENDPOINT_URL=${endpoint} AWS_ACCESS_KEY_ID=AKIA${opts.account}EMUL AWS_SECRET_ACCESS_KEY=emulator-secret-access-key-not-a-secret AWS_REGION=${opts.region} AWS_DEFAULT_REGION=${opts.region} AWS_EC2_METADATA_DISABLED=true`,
      '',
      `Control endpoint: ${endpoint}/_cloudtrail_fleet/health (faults, calls, log-files: docs/emulator.md)`,
      '',
    ].join('\n'),
  );
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  if (!announced) process.stderr.write(`emulator: the launcher stopped before listening (${signal || `exit ${code}`}).\n`);
  process.exit(code === null ? 1 : code);
});
