/**
 * Terraform against the emulator: override files beside each synthesized
 * `cdk.tf.json` (which is never touched), and a runner for
 * `terraform init / apply / plan / show -json` with the offline provider
 * mirror. docs/emulator.md, "Terraform".
 *
 * The override (`emulator_override.tf.json`) keeps everything the stack says
 * about its providers (region, assume_role, allowed_account_ids,
 * default_tags) and adds, for the default and every aliased configuration:
 * the emulator as the endpoint of every service, static credentials of the
 * stack's own account (emulatorCredentials: an IAM user of that account in
 * the emulator, so the provider's allowed_account_ids check is real; with
 * assume_role the provider then assumes the stack's role, and moto maps the
 * session to the role's account), s3_use_path_style and no metadata lookups.
 * The backend is replaced by a local state file in a work folder.
 */
import { spawn } from 'child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { createHash } from 'crypto';
import * as path from 'path';
import { AwsCredentials, emulatorCredentials } from './emulator';
import { withChecksGc } from '../../cli/lib/terraform/process';
import { DEFAULT_PLUGIN_DIR, mirrorDir, PLUGIN_DIR_ENV, writeCliConfig } from '../../cli/lib/terraform/cli-config';

/** Same variable, default and CLI config as `npm run validate` and `deploy` (cli/lib/terraform/cli-config.ts). */
export { PLUGIN_DIR_ENV, DEFAULT_PLUGIN_DIR };
export const OVERRIDE_FILE = 'emulator_override.tf.json';

/**
 * Provider endpoint names pointed at the emulator: every service the stacks
 * use (s3, kms, cloudtrail, sts, iam, sns, sqs, logs) and those the provider
 * or later stacks may reach (organizations, events, cloudwatch).
 * AWS_ENDPOINT_URL catches any other.
 */
export const EMULATED_ENDPOINTS = ['cloudtrail', 'cloudwatch', 'events', 'iam', 'kms', 'logs', 'organizations', 's3', 'sns', 'sqs', 'sts'] as const;

type Json = Record<string, any>;

export interface OverrideOptions {
  /** The emulator's endpoint, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The local state file of this stack. */
  readonly stateFile: string;
  /**
   * The account whose credentials each provider configuration starts from
   * (default: the configuration's own, its allowed_account_ids). Give another
   * account to prove the allowed_account_ids check (a plan then fails), or a
   * deployer account for stacks that assume roles.
   */
  readonly credentialsAccountId?: string;
}

function providerBlocks(stack: Json): Json[] {
  return ([] as Json[]).concat(stack.provider?.aws ?? []);
}

/** The account a provider configuration is pinned to (its allowed_account_ids), if any. */
export function providerAccount(block: Json): string | undefined {
  const ids = block.allowed_account_ids;
  return Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : undefined;
}

/** The override for one stack (what writeEmulatorOverride writes). */
export function emulatorOverride(stack: Json, options: OverrideOptions): Json {
  const blocks = providerBlocks(stack);
  if (blocks.length === 0) throw new Error('the stack has no aws provider configuration to point at the emulator');
  const aws = blocks.map((block) => {
    const account = options.credentialsAccountId ?? providerAccount(block);
    if (!account) throw new Error(`provider configuration ${block.alias ?? '(default)'} has no allowed_account_ids: give credentialsAccountId`);
    const creds = emulatorCredentials(account);
    return {
      ...(block.alias ? { alias: block.alias } : {}),
      access_key: creds.accessKeyId,
      secret_key: creds.secretAccessKey,
      skip_metadata_api_check: 'true',
      s3_use_path_style: true,
      endpoints: [Object.fromEntries(EMULATED_ENDPOINTS.map((s) => [s, options.endpoint]))],
    };
  });
  return {
    '//': 'Written by tools/emulator (terraform.ts): this stack runs against the AWS emulator. Not part of the synthesized stack.',
    provider: { aws },
    // The same backend block in every stack (the state file is a link beside cdk.tf.json, see
    // writeEmulatorOverride), so one `terraform init` serves every stack with the same providers.
    terraform: { backend: { local: { path: STATE_LINK } } },
  };
}

/**
 * Runs a Terraform command in a stack whose state file is a link (writeEmulatorOverride). While the state file does
 * not exist yet (a stack's first plan, e.g. one with import blocks), Terraform writes a new file in place of the
 * link: it is moved back where the link pointed and the link made again, so the next synthesis finds the state.
 */
async function keepStateLink<T>(stackDir: string, command: () => Promise<T>): Promise<T> {
  const link = path.join(stackDir, STATE_LINK);
  const target = lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(link) : undefined;
  try {
    return await command();
  } finally {
    if (target && lstatSync(link, { throwIfNoEntry: false })?.isFile()) {
      renameSync(link, target);
      symlinkSync(target, link);
    }
  }
}

/** The local state path of every stack: a symbolic link to the stack's state file in the work folder. */
export const STATE_LINK = 'terraform.tfstate';

/**
 * Writes `emulator_override.tf.json` beside the stack's cdk.tf.json, and
 * links `terraform.tfstate` there to `options.stateFile` (so the state
 * outlives a new synthesis into the same folder); returns the override's path.
 */
export function writeEmulatorOverride(stackDir: string, options: OverrideOptions): string {
  const stack = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Json;
  const file = path.join(stackDir, OVERRIDE_FILE);
  const stateFile = path.resolve(options.stateFile);
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(file, `${JSON.stringify(emulatorOverride(stack, options), null, 2)}\n`);
  const link = path.join(stackDir, STATE_LINK);
  rmSync(link, { force: true });
  symlinkSync(stateFile, link);
  return file;
}

// ------------------------------------------------------------ running Terraform

export interface TerraformOptions {
  /** Work folder: the CLI config and (without a mirror) the shared plugin cache. */
  readonly workDir: string;
  /** Provider mirror; default CLOUDTRAIL_TF_PLUGIN_DIR, else /opt/tf-plugins; absent = the registry. */
  readonly pluginDir?: string;
  /** Terraform's -parallelism for apply and plan (default 10, Terraform's own). */
  readonly parallelism?: number;
  /** The emulator endpoint, also given as AWS_ENDPOINT_URL (catches a service without an endpoint override). */
  readonly endpoint?: string;
  /** Per command (default 10 minutes). */
  readonly timeoutMs?: number;
  /**
   * Ambient credentials for Terraform (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), for stacks run without an
   * override: e.g. the bootstrap stacks applied with an administrator's credentials (emulatorCredentials(account)).
   */
  readonly credentials?: AwsCredentials;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** One resource instance a plan would change. */
export interface PlannedChange {
  readonly address: string;
  /** Terraform's actions: ["create"], ["update"], ["delete"], ["delete","create"] / ["create","delete"] (replace), ["forget"], ... */
  readonly actions: readonly string[];
}

export interface PlanResult {
  /** Terraform said "No changes" (plan -detailed-exitcode exited 0). */
  readonly noChanges: boolean;
  /** Every resource change (no-op and read left out), then output changes (`output.<name>`); [] when noChanges. */
  readonly changes: readonly PlannedChange[];
  /** The saved plan (`<stack>/emulator.tfplan`). */
  readonly planFile: string;
  readonly seconds: number;
  readonly output: string;
  /** `terraform show -json` of the saved plan, parsed (when it plans changes): resource_changes with previous_address, before and after. */
  readonly showJson?: ShowJson;
}

/** What is read of `terraform show -json <plan>`. */
export interface ShowJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly previous_address?: string;
    readonly change: { readonly actions: string[]; readonly before?: Record<string, any> | null; readonly after?: Record<string, any> | null; readonly importing?: unknown };
  }[];
  readonly output_changes?: Record<string, { readonly actions: string[] }>;
}

export class TerraformError extends Error {
  override readonly name = 'TerraformError';
  constructor(
    message: string,
    readonly result: TerraformResult,
  ) {
    super(message);
  }
}

/** Changes that delete or replace what they touch. */
export function destructiveChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  return changes.filter((c) => c.actions.includes('delete'));
}

const unchanged = (actions: readonly string[]) => actions.length === 1 && (actions[0] === 'no-op' || actions[0] === 'read');

/**
 * The changes of `terraform show -json <planfile>` output: resource changes,
 * then output changes as `output.<name>` (a plan that changes only outputs
 * is not "No changes" either).
 */
export function plannedChanges(showJson: string): PlannedChange[] {
  const plan = JSON.parse(showJson) as {
    resource_changes?: { address: string; change: { actions: string[] } }[];
    output_changes?: Record<string, { actions: string[] }>;
  };
  return [
    ...(plan.resource_changes ?? []).filter((r) => !unchanged(r.change.actions)).map((r) => ({ address: r.address, actions: r.change.actions })),
    ...Object.entries(plan.output_changes ?? {})
      .filter(([, c]) => !unchanged(c.actions))
      .map(([name, c]) => ({ address: `output.${name}`, actions: c.actions })),
  ];
}

function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<TerraformResult> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const done = (code: number, extra = '') => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + extra, seconds: Number(process.hrtime.bigint() - start) / 1e9 });
    };
    child.on('error', (e) => done(127, `${e.message}\n`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `terraform killed by ${signal}\n` : ''));
  });
}

/**
 * terraform init / apply / plan / show against the emulator. init runs once
 * per stack folder (and one at a time); apply and plan init first when needed.
 */
export class Terraform {
  readonly env: NodeJS.ProcessEnv;
  readonly cliConfig: string;
  readonly mirror: string | undefined;
  private readonly initialized = new Map<string, Promise<void>>();
  private initQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: TerraformOptions) {
    mkdirSync(options.workDir, { recursive: true });
    const mirrorEnv = { [PLUGIN_DIR_ENV]: options.pluginDir ?? process.env[PLUGIN_DIR_ENV] };
    const mirror = mirrorDir(mirrorEnv);
    this.mirror = mirror.exists ? mirror.dir : undefined;
    this.cliConfig = path.join(options.workDir, 'terraform.rc');
    writeCliConfig(this.cliConfig, mirrorEnv, 'tools/emulator (terraform.ts)');
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing from the caller's shell may redirect Terraform or reach real AWS.
    for (const k of Object.keys(env)) if (/^(TF_|AWS_)/.test(k)) delete env[k];
    const cache = path.join(options.workDir, 'plugin-cache');
    if (!this.mirror) mkdirSync(cache, { recursive: true });
    this.env = {
      ...env,
      TF_CLI_CONFIG_FILE: this.cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      // With the mirror, .terraform/providers links straight into it (see tools/validate.ts); otherwise one shared cache.
      ...(this.mirror ? {} : { TF_PLUGIN_CACHE_DIR: cache }),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(options.endpoint ? { AWS_ENDPOINT_URL: options.endpoint } : {}),
      ...(options.credentials ? { AWS_ACCESS_KEY_ID: options.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey } : {}),
      // Less garbage collection: a quarter of Terraform's CPU (cli/lib/terraform/process.ts). The caller's GOGC wins.
      ...withChecksGc({ GOGC: process.env.GOGC }),
    };
  }

  private get timeout(): number {
    return this.options.timeoutMs ?? 10 * 60 * 1000;
  }

  private parallelismArgs(): string[] {
    return this.options.parallelism ? [`-parallelism=${this.options.parallelism}`] : [];
  }

  /** Runs any terraform command in a stack folder. */
  run(stackDir: string, args: readonly string[]): Promise<TerraformResult> {
    return run(args, stackDir, this.env, this.timeout);
  }

  /** Runs a command after init; when Terraform still asks for `terraform init` (a copied init that does not fit), inits for real and runs it again. */
  private async runInitialized(stackDir: string, args: readonly string[]): Promise<TerraformResult> {
    await this.init(stackDir);
    const r = await this.run(stackDir, args);
    if (r.code === 0 || r.code === 2 || !/terraform init/.test(r.stderr + r.stdout)) return r;
    await this.realInit(stackDir);
    return this.run(stackDir, args);
  }

  private async check(stackDir: string, args: readonly string[], what: string): Promise<TerraformResult> {
    const r = what === 'init' ? await this.run(stackDir, args) : await this.runInitialized(stackDir, args);
    if (r.code !== 0) throw new TerraformError(`terraform ${what} failed in ${stackDir} (exit ${r.code}):\n${(r.stderr + r.stdout).trim()}`, r);
    return r;
  }

  /**
   * `terraform init`, once per folder and one at a time (concurrent inits race
   * on shared folders). A stack pointed at the emulator by
   * writeEmulatorOverride has the same backend block as every other, so after
   * the first init of a set of required providers the next stacks get a copy
   * of its `.terraform` folder and lock file instead (init costs 1.5 CPU
   * seconds; a command that still asks for init gets a real one, see run).
   */
  init(stackDir: string): Promise<void> {
    const key = path.resolve(stackDir);
    let done = this.initialized.get(key);
    if (!done) {
      const task = async () => {
        const template = this.templateFor(stackDir);
        if (template && existsSync(path.join(template, 'lock.hcl'))) {
          rmSync(path.join(stackDir, '.terraform'), { recursive: true, force: true });
          cpSync(path.join(template, 'data'), path.join(stackDir, '.terraform'), { recursive: true, verbatimSymlinks: true });
          cpSync(path.join(template, 'lock.hcl'), path.join(stackDir, '.terraform.lock.hcl'));
          return;
        }
        await this.realInit(stackDir);
        if (template) {
          rmSync(template, { recursive: true, force: true });
          mkdirSync(template, { recursive: true });
          cpSync(path.join(stackDir, '.terraform'), path.join(template, 'data'), { recursive: true, verbatimSymlinks: true });
          cpSync(path.join(stackDir, '.terraform.lock.hcl'), path.join(template, 'lock.hcl'));
        }
      };
      done = this.initQueue.then(task, task);
      this.initQueue = done.catch(() => undefined);
      this.initialized.set(key, done);
      done.catch(() => this.initialized.delete(key));
    }
    return done;
  }

  private async realInit(stackDir: string): Promise<void> {
    await this.check(stackDir, ['init', '-input=false', '-no-color', '-reconfigure'], 'init');
  }

  /** The init template folder of a stack pointed at the emulator (by its required providers), else undefined. */
  private templateFor(stackDir: string): string | undefined {
    try {
      const link = path.join(stackDir, STATE_LINK);
      if (!lstatSync(link).isSymbolicLink()) return undefined;
      const override = JSON.parse(readFileSync(path.join(stackDir, OVERRIDE_FILE), 'utf8')) as Json;
      if (override.terraform?.backend?.local?.path !== STATE_LINK) return undefined;
      const stack = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Json;
      const providers = JSON.stringify(stack.terraform?.required_providers ?? {});
      return path.join(this.options.workDir, 'init-templates', createHash('sha256').update(providers).digest('hex').slice(0, 16));
    } catch {
      return undefined;
    }
  }

  /** Forgets that a folder was initialized (after its backend or providers changed). */
  forgetInit(stackDir: string): void {
    this.initialized.delete(path.resolve(stackDir));
  }

  /** `terraform apply -auto-approve`; throws TerraformError when it fails. */
  async apply(stackDir: string): Promise<TerraformResult> {
    return this.check(stackDir, ['apply', '-auto-approve', '-input=false', '-no-color', ...this.parallelismArgs()], 'apply');
  }

  /** `terraform apply <planFile>`: applies a saved plan as planned (no new plan); throws TerraformError when it fails. */
  async applyPlan(stackDir: string, planFile: string): Promise<TerraformResult> {
    return keepStateLink(stackDir, () => this.check(stackDir, ['apply', '-auto-approve', '-input=false', '-no-color', ...this.parallelismArgs(), planFile], 'apply'));
  }

  /** `terraform destroy -auto-approve`; throws TerraformError when it fails. */
  async destroy(stackDir: string): Promise<TerraformResult> {
    return this.check(stackDir, ['destroy', '-auto-approve', '-input=false', '-no-color', ...this.parallelismArgs()], 'destroy');
  }

  /**
   * `terraform plan -detailed-exitcode -out=<stack>/emulator.tfplan`, and when
   * it plans changes, `terraform show -json` of that plan parsed into
   * {address, actions}. Throws TerraformError when the plan fails.
   */
  async plan(stackDir: string): Promise<PlanResult> {
    const planFile = path.join(stackDir, 'emulator.tfplan');
    rmSync(planFile, { force: true });
    const r = await keepStateLink(stackDir, () => this.runInitialized(stackDir, ['plan', '-detailed-exitcode', '-input=false', '-no-color', `-out=${planFile}`, ...this.parallelismArgs()]));
    if (r.code !== 0 && r.code !== 2) throw new TerraformError(`terraform plan failed in ${stackDir} (exit ${r.code}):\n${(r.stderr + r.stdout).trim()}`, r);
    if (r.code === 0) return { noChanges: true, changes: [], planFile, seconds: r.seconds, output: r.stdout };
    const show = await this.check(stackDir, ['show', '-json', '-no-color', planFile], 'show -json');
    return { noChanges: false, changes: plannedChanges(show.stdout), planFile, seconds: r.seconds, output: r.stdout, showJson: JSON.parse(show.stdout) as ShowJson };
  }

  /** `terraform show -json <planfile>`, parsed into the resource changes. */
  async show(stackDir: string, planFile: string): Promise<PlannedChange[]> {
    const r = await this.check(stackDir, ['show', '-json', '-no-color', planFile], 'show -json');
    return plannedChanges(r.stdout);
  }
}
