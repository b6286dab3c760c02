/**
 * Applying the selected stacks with Terraform itself, the way a person
 * would in each stack folder, without the cdktf CLI:
 *
 *   1. cloudtrail-central alone (when selected): every trail needs its
 *      bucket policy (and key policy) in place. If it fails, no account
 *      stack is started.
 *   2. the account stacks, `parallelism` at a time.
 *
 * Per stack: `terraform init -input=false -no-color` only when the folder
 * was not initialised yet for the same provider requirements, backend,
 * Terraform version and CLI config (a marker in `.terraform/`); then
 * `terraform apply -auto-approve -input=false -no-color` (for a `cloud`
 * backend that is a CLI-driven run in the stack's workspace). A failed apply
 * whose every error is a documented transient one (transient.ts) is applied
 * again after an exponential backoff; any other failure stops that stack
 * only. Every command's output goes to `<logs>/<stack>.log` as it comes.
 * After a successful apply the stack's record is written (records.ts), so a
 * rerun skips it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CENTRAL_STACK } from '../../../modules/arns';
import { mapPool } from '../pool';
import { isLeaving, terraformContent, StackJson } from '../stack-diff';
import { firstErrorLine } from '../terraform/output';
import { RunResult, runCommand } from '../terraform/process';
import { DeployRecord, RecordStore, sha256 } from './records';
import type { SynthesizedStack } from './synth';
import { BackoffOptions, backoffMs, classifyFailure } from './transient';

export type StackOutcome = 'applied' | 'failed' | 'not-started' | 'skipped';

export interface RetryNote {
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  readonly reasons: readonly string[];
  readonly waitedSeconds: number;
}

export interface StackResult {
  readonly stack: string;
  /** The account of an account stack; the central account for cloudtrail-central. */
  readonly account?: string;
  readonly result: StackOutcome;
  /** Why a stack was skipped or not started. */
  readonly reason?: string;
  readonly attempts: number;
  readonly seconds: number;
  /** The first `Error:` line of the failing Terraform run. */
  readonly error?: string;
  readonly retries: readonly RetryNote[];
  /** The stack's log file. */
  readonly log?: string;
  /** `terraform init` ran, was skipped (already initialised for the same content), or failed. */
  readonly init?: 'ran' | 'skipped' | 'failed';
  /** The apply succeeded but its record could not be written (the next deploy applies it again). */
  readonly recordError?: string;
}

export interface TerraformSetup {
  /** The terraform executable. */
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
  readonly version: string;
  /** The text of the CLI config in use (part of the init marker). */
  readonly cliConfigText: string;
  /** A shared plugin cache is in use: the first init runs alone and its lock file seeds the others (no cache race, no second download). */
  readonly pluginCache: boolean;
}

export type DeployEvent =
  | { readonly kind: 'start'; readonly stack: string }
  | { readonly kind: 'retry'; readonly stack: string; readonly attempt: number; readonly of: number; readonly reasons: readonly string[]; readonly waitMs: number }
  | { readonly kind: 'done'; readonly result: StackResult };

export interface DeployRunOptions {
  /** The stacks to apply, in deploy order. */
  readonly stacks: readonly SynthesizedStack[];
  readonly parallelism: number;
  /** Retries of a transiently failed apply (attempts = retries + 1). */
  readonly retries: number;
  readonly backoff: BackoffOptions;
  readonly terraform: TerraformSetup;
  readonly logsDir: string;
  readonly records: RecordStore;
  /** Hash of the whole synthesis (written into each record). */
  readonly synth: string;
  readonly now: () => Date;
  readonly onEvent?: (e: DeployEvent) => void;
  /** Stop starting stacks (Ctrl-C): the ones not started are reported as such. */
  readonly shouldStop?: () => boolean;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const INIT_MARKER = path.join('.terraform', 'cloudtrail-fleet-init.json');
const LOCK_FILE = '.terraform.lock.hcl';

/** What `terraform init` depends on in a stack: its provider requirements and backend (not its resources). */
export function initKey(stack: StackJson, t: Pick<TerraformSetup, 'version' | 'cliConfigText' | 'pluginCache'>): string {
  const tf = (stack.terraform ?? {}) as Record<string, unknown>;
  return sha256(
    JSON.stringify(terraformContent({ required_providers: tf.required_providers, backend: tf.backend, cloud: tf.cloud, version: t.version, cli: t.cliConfigText, cache: t.pluginCache })),
  );
}

export function accountOfStack(stack: string, centralAccount: string): string | undefined {
  if (stack === CENTRAL_STACK) return centralAccount;
  return /-account-(\d{12})$/.exec(stack)?.[1];
}

/**
 * With a shared plugin cache, concurrent `terraform init`s race on it
 * ("failed to create directory ...: file exists", measured with 1.11.4), and
 * an init without a lock file ignores the cache. So the first init runs
 * alone (and fills the cache); every later stack with the same provider
 * requirements gets its lock file first, and then reads the cache without
 * writing it, in parallel.
 */
class InitCoordinator {
  private first?: Promise<unknown>;
  private seed?: { lockFile: string; providers: string };

  constructor(private readonly pluginCache: boolean) {}

  async run(stack: SynthesizedStack, init: () => Promise<RunResult>): Promise<RunResult> {
    if (!this.pluginCache) return init();
    const providers = JSON.stringify(terraformContent((stack.json.terraform as Record<string, unknown> | undefined)?.required_providers ?? {}));
    if (!this.first) {
      const result = init();
      this.first = result;
      const r = await result;
      if (r.code === 0 && existsSync(path.join(stack.dir, LOCK_FILE))) this.seed = { lockFile: path.join(stack.dir, LOCK_FILE), providers };
      else this.first = undefined; // let the next stack be the first
      return r;
    }
    await this.first.catch(() => undefined);
    const lock = path.join(stack.dir, LOCK_FILE);
    if (this.seed && this.seed.providers === providers && !existsSync(lock)) copyFileSync(this.seed.lockFile, lock);
    return init();
  }
}

function header(log: string, command: string, note: string, now: Date): void {
  writeFileSync(log, `\n# cloudtrail-fleet deploy, ${now.toISOString()}: ${command}${note ? ` (${note})` : ''}\n`, { flag: 'a' });
}

/** The line a failure is known by: the first `Error:` line, else the last line Terraform printed. */
function failureLine(r: RunResult, what: string): string {
  const first = firstErrorLine(r.output);
  if (first) return first;
  const last = r.output.trim().split('\n').pop()?.trim();
  return `${what} exited ${r.code}${last ? `: ${last}` : ''}`;
}

export async function runDeploy(o: DeployRunOptions, centralAccount: string): Promise<StackResult[]> {
  mkdirSync(o.logsDir, { recursive: true });
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const inits = new InitCoordinator(o.terraform.pluginCache);
  let centralApplied = false;
  const tf = (args: string[], stack: SynthesizedStack, log: string) => runCommand(o.terraform.bin, args, { cwd: stack.dir, env: o.terraform.env, logFile: log });

  const deployOne = async (stack: SynthesizedStack): Promise<StackResult> => {
    const account = accountOfStack(stack.name, centralAccount);
    if (o.shouldStop?.()) return { stack: stack.name, account, result: 'not-started', reason: 'interrupted before it started', attempts: 0, seconds: 0, retries: [] };
    o.onEvent?.({ kind: 'start', stack: stack.name });
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    const log = path.join(o.logsDir, `${stack.name}.log`);
    writeFileSync(log, `# ${stack.name}: Terraform output of cloudtrail-fleet deploy (synthesis ${o.synth.slice(0, 12)}), folder ${stack.dir}\n`);
    const retries: RetryNote[] = [];
    const base = { stack: stack.name, account, log, retries };

    // init, unless this folder was initialised for the same requirements.
    const key = initKey(stack.json, o.terraform);
    const marker = path.join(stack.dir, INIT_MARKER);
    let init: StackResult['init'] = 'skipped';
    const initialised = existsSync(path.join(stack.dir, LOCK_FILE)) && existsSync(marker) && readFileSync(marker, 'utf8').includes(key);
    if (!initialised) {
      const args = ['init', '-input=false', '-no-color'];
      header(log, `terraform ${args.join(' ')}`, '', o.now());
      const r = await inits.run(stack, () => tf(args, stack, log));
      if (r.code !== 0) return { ...base, result: 'failed', attempts: 0, seconds: seconds(), error: failureLine(r, 'terraform init'), init: 'failed' };
      mkdirSync(path.dirname(marker), { recursive: true });
      writeFileSync(marker, `${JSON.stringify({ key, at: o.now().toISOString() })}\n`);
      init = 'ran';
    } else {
      header(log, 'terraform init', 'skipped: already initialised for the same providers, backend and Terraform version', o.now());
    }

    const attempts = o.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const args = ['apply', '-auto-approve', '-input=false', '-no-color'];
      header(log, `terraform ${args.join(' ')}`, `attempt ${attempt} of ${attempts}`, o.now());
      const r = await tf(args, stack, log);
      if (r.code === 0) {
        const record: DeployRecord = {
          version: 1,
          stack: stack.name,
          content: stack.content,
          synth: o.synth,
          appliedAt: o.now().toISOString(),
          terraformVersion: o.terraform.version,
          terraform: terraformContent(stack.json) as StackJson,
        };
        let recordError: string | undefined;
        try {
          await o.records.write(record);
        } catch (e) {
          recordError = `applied, but the deploy record could not be written to ${o.records.location}: ${(e as Error).message} (the next deploy applies this stack again)`;
        }
        return { ...base, result: 'applied', attempts: attempt, seconds: seconds(), init, ...(recordError ? { recordError } : {}) };
      }
      const kind = classifyFailure(r.output, { centralApplied });
      if (!kind.transient || attempt >= attempts || o.shouldStop?.()) {
        const error = failureLine(r, 'terraform apply');
        const gaveUp = kind.transient && attempt >= attempts ? ` (still failing after ${attempts} attempts)` : '';
        return { ...base, result: 'failed', attempts: attempt, seconds: seconds(), error: `${error}${gaveUp}`, init };
      }
      const wait = backoffMs(attempt, o.backoff);
      retries.push({ attempt, reasons: kind.reasons, waitedSeconds: Math.round(wait / 100) / 10 });
      header(log, 'retry', `${kind.reasons.join('; ')}: documented as transient; waiting ${(wait / 1000).toFixed(1)} s`, o.now());
      o.onEvent?.({ kind: 'retry', stack: stack.name, attempt, of: attempts, reasons: kind.reasons, waitMs: wait });
      await sleep(wait);
    }
  };

  const done = (r: StackResult) => {
    o.onEvent?.({ kind: 'done', result: r });
    return r;
  };

  const results: StackResult[] = [];
  const central = o.stacks.find((s) => s.name === CENTRAL_STACK);
  // Leaving accounts (deployOrder) are applied before the central stack, all of them, whatever becomes of each:
  // a failed decommission leaves a trail that the central policies then refuse, which is what the config asks for.
  const leaving = o.stacks.filter((s) => isLeaving(s.name, s.json));
  const accounts = o.stacks.filter((s) => s !== central && !leaving.includes(s));
  results.push(...(await mapPool(leaving, o.parallelism, async (s) => done(await deployOne(s)))));
  if (central) {
    const r = done(await deployOne(central));
    results.push(r);
    centralApplied = r.result === 'applied';
    if (!centralApplied) {
      const reason = r.result === 'failed' ? `not started: ${CENTRAL_STACK} failed (its bucket and key policies must be in place before any trail)` : `not started: ${r.reason}`;
      for (const s of accounts) results.push(done({ stack: s.name, account: accountOfStack(s.name, centralAccount), result: 'not-started', reason, attempts: 0, seconds: 0, retries: [] }));
      return results;
    }
  }
  results.push(...(await mapPool(accounts, o.parallelism, async (s) => done(await deployOne(s)))));
  return results;
}
