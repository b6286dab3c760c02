/**
 * A fake `terraform` for deploy tests: a small Node script put first on
 * PATH in a temp folder. Per stack (the name of the folder it runs in) and
 * command it plays recorded outcomes in order (exit code, stdout, stderr,
 * duration), then succeeds; `init` creates `.terraform/` and the lock file
 * like the real one. Every call is journaled (start and end, with times),
 * so tests can check order, parallelism and retries.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';

export interface Outcome {
  readonly exit: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** How long the command takes. */
  readonly sleepMs?: number;
}

export interface Scenario {
  /** stack -> command (init, apply) -> outcomes, played in order; afterwards the default. */
  readonly stacks?: Record<string, Partial<Record<'init' | 'apply', Outcome[]>>>;
  /** Every apply that has no recorded outcome takes this long. */
  readonly applyMs?: number;
  readonly version?: string;
}

export interface JournalEntry {
  readonly event: 'start' | 'end';
  readonly stack: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly at: number;
  readonly exit?: number;
  readonly env?: Record<string, string | undefined>;
}

const SCRIPT = `#!/usr/bin/env node
'use strict';
const fs = require('fs');
const path = require('path');
const dir = process.env.FAKE_TF_DIR;
const scenario = JSON.parse(fs.readFileSync(path.join(dir, 'scenario.json'), 'utf8'));
const args = process.argv.slice(2);
const command = args[0];
const stack = path.basename(process.cwd());
const journal = (e) => fs.appendFileSync(path.join(dir, 'journal.jsonl'), JSON.stringify(e) + '\\n');
if (command === 'version') {
  process.stdout.write(JSON.stringify({ terraform_version: scenario.version || '1.11.4', platform: 'linux_amd64', provider_selections: {}, terraform_outdated: false }) + '\\n');
  process.exit(0);
}
const env = { TF_PLUGIN_CACHE_DIR: process.env.TF_PLUGIN_CACHE_DIR, TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE, TF_IN_AUTOMATION: process.env.TF_IN_AUTOMATION, TF_DATA_DIR: process.env.TF_DATA_DIR };
journal({ event: 'start', stack, command, args, at: Date.now(), env });
const countFile = path.join(dir, 'count-' + stack + '-' + command);
const n = fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, 'utf8')) : 0;
fs.writeFileSync(countFile, String(n + 1));
const recorded = ((scenario.stacks || {})[stack] || {})[command] || [];
const defaults = {
  init: { exit: 0, stdout: '\\nInitializing the backend...\\nInitializing provider plugins...\\n- Using hashicorp/aws v5.100.0\\n\\nTerraform has been successfully initialized!\\n' },
  apply: { exit: 0, stdout: 'aws_cloudtrail.trail: Creating...\\naws_cloudtrail.trail: Creation complete after 1s\\n\\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\\n', sleepMs: scenario.applyMs || 0 },
};
const outcome = recorded[n] || defaults[command] || { exit: 1, stderr: 'fake terraform: unexpected command ' + command + '\\n' };
const finish = () => {
  if (command === 'init' && outcome.exit === 0) {
    fs.mkdirSync('.terraform/providers', { recursive: true });
    if (!fs.existsSync('.terraform.lock.hcl')) fs.writeFileSync('.terraform.lock.hcl', '# fake lock file written by ' + stack + '\\n');
  }
  if (outcome.stdout) process.stdout.write(outcome.stdout);
  if (outcome.stderr) process.stderr.write(outcome.stderr);
  journal({ event: 'end', stack, command, args, at: Date.now(), exit: outcome.exit });
  process.exit(outcome.exit);
};
if (outcome.sleepMs) setTimeout(finish, outcome.sleepMs); else finish();
`;

export class FakeTerraform {
  readonly binDir: string;

  constructor(readonly dir: string, scenario: Scenario = {}) {
    this.binDir = path.join(dir, 'bin');
    mkdirSync(this.binDir, { recursive: true });
    const bin = path.join(this.binDir, 'terraform');
    writeFileSync(bin, SCRIPT);
    chmodSync(bin, 0o755);
    this.setScenario(scenario);
  }

  /** Replaces the scenario and forgets what was played (a new deploy run). */
  setScenario(scenario: Scenario): void {
    for (const f of require('fs').readdirSync(this.dir) as string[]) if (f.startsWith('count-') || f === 'journal.jsonl') require('fs').rmSync(path.join(this.dir, f));
    writeFileSync(path.join(this.dir, 'scenario.json'), JSON.stringify(scenario));
  }

  /** The environment a deploy runs the fake with (PATH first, its folder). */
  env(base: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...base, PATH: `${this.binDir}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_TF_DIR: this.dir };
  }

  journal(): JournalEntry[] {
    const file = path.join(this.dir, 'journal.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  /** `stack command` of every call, in start order. */
  calls(): string[] {
    return this.journal()
      .filter((e) => e.event === 'start')
      .map((e) => `${e.stack} ${e.command}`);
  }

  /** The most commands of a kind running at once. */
  maxConcurrent(command = 'apply'): number {
    let now = 0;
    let max = 0;
    for (const e of this.journal().filter((x) => x.command === command)) {
      now += e.event === 'start' ? 1 : -1;
      max = Math.max(max, now);
    }
    return max;
  }
}

/** Terraform's `-no-color` error block for a failed AWS call, as the AWS provider prints it. */
export function awsApplyError(o: { action: string; service: string; operation: string; code: string; message: string; address: string }): string {
  return (
    `\nError: ${o.action}: operation error ${o.service}: ${o.operation}, https response error StatusCode: 400, RequestID: 7f1e0c2a-5d8b-4c3e-9a61-0b2f4e6d8c10, ${o.code}: ${o.message}\n\n` +
    `  with ${o.address},\n  on cdk.tf.json line 88, in resource.${o.address}:\n  88:       }\n\n`
  );
}

export const INSUFFICIENT_BUCKET_POLICY = (trail: string, address = 'aws_cloudtrail.trail_my-trail') =>
  awsApplyError({
    action: `creating CloudTrail Trail (${trail})`,
    service: 'CloudTrail',
    operation: 'CreateTrail',
    code: 'InsufficientS3BucketPolicyException',
    message: 'Incorrect S3 bucket policy is detected for bucket: my-bucket',
    address,
  });
