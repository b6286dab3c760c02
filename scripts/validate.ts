/**
 * `npm run validate [config ...]`: Terraform itself checks every stack we
 * generate (SPEC §6).
 *
 * For config/cloudtrail.yaml and every config/examples/*.yaml (or the files
 * given as arguments) it synthesizes the app directly (`node dist/main.js`,
 * no cdktf CLI), then for every stack runs
 *   terraform init -backend=false      (provider from a filesystem mirror)
 *   terraform validate -json           (the real provider's validators)
 *   terraform test                     (an offline plan with mock_provider "aws")
 * The test file is written to `<stack>/tests/plan.tftest.hcl`, next to
 * cdk.tf.json (which is never touched); its asserts are derived from the
 * synthesized JSON.
 *
 * Without `terraform` on PATH it says loudly that nothing was checked and
 * exits 0 (synthesis still runs: a config that does not synthesize fails).
 *
 * Environment:
 *   CLOUDTRAIL_TF_PLUGIN_DIR  provider mirror folder (default /opt/tf-plugins);
 *                             when it does not exist, providers come from the registry
 *   CLOUDTRAIL_TF_JOBS        stacks checked in parallel (default 2, max 4; ~600 MB each)
 *   CLOUDTRAIL_VALIDATE_DIR   work folder (default .tmp/validate)
 */
import { spawn } from 'child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { projectRoot } from '../config/load';

export const PLUGIN_DIR_ENV = 'CLOUDTRAIL_TF_PLUGIN_DIR';
export const DEFAULT_PLUGIN_DIR = '/opt/tf-plugins';
const JOBS_ENV = 'CLOUDTRAIL_TF_JOBS';
const TIMEOUT_MS = 5 * 60 * 1000;
const UUID = '11111111-2222-3333-4444-555555555555';

const ROOT = projectRoot(__dirname);
/** Work folder (synthesized stacks, CLI config, plugin cache); tests point it elsewhere. */
const WORK = path.resolve(process.env.CLOUDTRAIL_VALIDATE_DIR || path.join(ROOT, '.tmp', 'validate'));

// ------------------------------------------------------------ processes

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
    const done = (code: number, extra = '') => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extra,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
      });
    };
    child.on('error', (e) => done(127, `${e.message}\n`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `killed by ${signal} (timeout ${TIMEOUT_MS / 1000} s?)\n` : ''));
  });
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

function indent(text: string, prefix = '      '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);

// ------------------------------------------------------------ configs and synthesis

interface ConfigRun {
  readonly file: string;
  /** `cloudtrail`, `examples/every-option`: also the folder under .tmp/validate. */
  readonly name: string;
  readonly outdir: string;
}

function configRuns(args: readonly string[]): ConfigRun[] {
  const files = args.length
    ? args.map((a) => path.resolve(a))
    : [
        path.join(ROOT, 'config', 'cloudtrail.yaml'),
        ...(existsSync(path.join(ROOT, 'config', 'examples'))
          ? readdirSync(path.join(ROOT, 'config', 'examples'))
              .filter((f) => /\.ya?ml$/.test(f))
              .sort()
              .map((f) => path.join(ROOT, 'config', 'examples', f))
          : []),
      ];
  const configDir = path.join(ROOT, 'config');
  return files.map((file) => {
    const rel = path.relative(configDir, file);
    const name = (rel.startsWith('..') || path.isAbsolute(rel) ? `other/${path.basename(file)}` : rel).replace(/\.(ya?ml|json)$/, '');
    return { file, name, outdir: path.join(WORK, name, 'out') };
  });
}

interface StackInfo {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: readonly string[];
}

async function synth(c: ConfigRun): Promise<{ ok: true; stacks: StackInfo[]; seconds: number } | { ok: false; message: string }> {
  // A direct app.synth() leaves stacks of earlier runs behind: start clean.
  rmSync(path.dirname(c.outdir), { recursive: true, force: true });
  mkdirSync(c.outdir, { recursive: true });
  const env = { ...process.env, CDKTF_OUTDIR: c.outdir, CLOUDTRAIL_CONFIG: c.file };
  const r = await run(process.execPath, [path.join(ROOT, 'dist', 'main.js')], ROOT, env);
  if (r.code !== 0) return { ok: false, message: `synth exited ${r.code}\n${r.stderr}${r.stdout}` };
  const manifestFile = path.join(c.outdir, 'manifest.json');
  if (!existsSync(manifestFile)) return { ok: false, message: `synth wrote no ${manifestFile}` };
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    stacks: Record<string, { name: string; workingDirectory: string; dependencies?: string[] }>;
  };
  const stacks = Object.values(manifest.stacks)
    .map((s) => ({ name: s.name, dir: path.join(c.outdir, s.workingDirectory), dependencies: s.dependencies ?? [] }))
    // Dependencies first (the central stack), then by name.
    .sort((a, b) => a.dependencies.length - b.dependencies.length || a.name.localeCompare(b.name));
  if (stacks.length === 0) return { ok: false, message: 'synth produced no stacks' };
  return { ok: true, stacks, seconds: r.seconds };
}

// ------------------------------------------------------------ Terraform CLI config

function writeCliConfig(): { file: string; note: string } {
  const fromEnv = process.env[PLUGIN_DIR_ENV];
  const dir = path.resolve(fromEnv || DEFAULT_PLUGIN_DIR);
  const file = path.join(WORK, 'terraform.rc');
  let body: string;
  let note: string;
  if (existsSync(dir)) {
    body = [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(dir)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
    ].join('\n');
    note = `providers from the mirror ${dir}${fromEnv ? ` (${PLUGIN_DIR_ENV})` : ''}`;
  } else {
    body = 'provider_installation {\n  direct {}\n}';
    note = `no provider mirror at ${dir} (set ${PLUGIN_DIR_ENV}); providers come from the registry`;
  }
  writeFileSync(file, `# Written by npm run validate.\n${body}\n`);
  return { file, note };
}

function terraformEnv(cliConfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's shell may redirect what Terraform checks.
  for (const k of Object.keys(env)) if (/^TF_(CLI_ARGS|DATA_DIR|WORKSPACE|VAR_)/.test(k)) delete env[k];
  const cache = path.join(WORK, 'plugin-cache');
  mkdirSync(cache, { recursive: true });
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_PLUGIN_CACHE_DIR: cache,
    // Mocked providers never call AWS; if one is not mocked, fail fast instead of probing IMDS.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

// ------------------------------------------------------------ the plan test

type Json = Record<string, any>;

/** An HCL literal for a JSON scalar. */
export function hcl(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  // (Function replacements: in a replacement string "$$" would mean one "$".)
  return JSON.stringify(value).replace(/([$%])\{/g, (_, c: string) => `${c}${c}{`);
}

/** Mocked computed attributes that feed ARN-validated arguments (made known at plan time). */
function resourceMocks(type: string, partition: string, region: string, account: string): Record<string, string> | undefined {
  switch (type) {
    case 'aws_kms_key':
      return { arn: `arn:${partition}:kms:${region}:${account}:key/${UUID}`, key_id: UUID };
    case 'aws_sns_topic':
      return { arn: `arn:${partition}:sns:${region}:${account}:mock-topic` };
    case 'aws_sqs_queue':
      return { arn: `arn:${partition}:sqs:${region}:${account}:mock-queue`, url: `https://sqs.${region}.amazonaws.com/${account}/mock-queue` };
    case 'aws_cloudwatch_log_group':
      return { arn: `arn:${partition}:logs:${region}:${account}:log-group:mock-log-group` };
    case 'aws_iam_role':
      return { arn: `arn:${partition}:iam::${account}:role/mock-role` };
    default:
      return undefined;
  }
}

/** The key ARN a looked-up key gets: same partition, region and account as the alias ARN it is looked up by. */
function mockKeyArn(keyId: unknown, fallback: string): string {
  const m = typeof keyId === 'string' ? /^arn:([^:]+):kms:([^:]+):(\d{12}):/.exec(keyId) : null;
  return m ? `arn:${m[1]}:kms:${m[2]}:${m[3]}:key/${UUID}` : fallback;
}

function entries(block: Json | undefined): [string, string, Json][] {
  const out: [string, string, Json][] = [];
  for (const [type, byName] of Object.entries(block ?? {})) for (const [name, body] of Object.entries(byName as Json)) out.push([type, name, body as Json]);
  return out;
}

const TRAIL_ATTRS = [
  'name',
  's3_bucket_name',
  's3_key_prefix',
  'is_multi_region_trail',
  'include_global_service_events',
  'is_organization_trail',
  'enable_log_file_validation',
  'enable_logging',
  'kms_key_id',
  'sns_topic_name',
  'cloud_watch_logs_group_arn',
  'cloud_watch_logs_role_arn',
];
/** Optional, not computed: planned as null when not set. */
const TRAIL_NULL_WHEN_UNSET = ['s3_key_prefix', 'kms_key_id', 'sns_topic_name', 'cloud_watch_logs_group_arn', 'cloud_watch_logs_role_arn'];

export interface PlanTestContext {
  /** The central bucket name (from the central stack), which every trail must deliver to. */
  readonly bucketName?: string;
  /** Account ids of the fleet's account stacks: the central bucket policy must name each. */
  readonly accountIds: readonly string[];
}

/**
 * The `tests/plan.tftest.hcl` of one stack: a mocked provider for every
 * provider configuration of the stack (aliases too: an unmocked one would
 * look for credentials), fixed ARNs for looked-up keys and for computed ARNs
 * that feed ARN-validated arguments, and asserts on planned values taken from
 * the synthesized JSON.
 */
export function planTest(stack: Json, ctx: PlanTestContext): string {
  const providers: Json[] = ([] as Json[]).concat(stack.provider?.aws ?? []);
  const defaultProvider = providers.find((p) => !p.alias) ?? {};
  const account: string = (defaultProvider.allowed_account_ids ?? [])[0] ?? '123456789012';
  const partition = /"arn:(aws(?:-[a-z]+)*):/.exec(JSON.stringify(stack))?.[1] ?? 'aws';
  const regionOf = (providerRef: unknown) => {
    const alias = typeof providerRef === 'string' ? providerRef.replace(/^aws\./, '') : undefined;
    return (alias && providers.find((p) => p.alias === alias)?.region) || defaultProvider.region || 'us-east-1';
  };
  const resources = entries(stack.resource);
  const dataSources = entries(stack.data);

  // Values references resolve to in the plan: `data.aws_kms_key.x.arn`, `aws_kms_key.y.arn`, ...
  const known = new Map<string, string>();
  const lines: string[] = ['# Written by npm run validate: an offline plan of this stack with a mocked AWS provider.', ''];
  const fallbackKey = (region: string) => `arn:${partition}:kms:${region}:111111111111:key/${UUID}`;
  for (const p of providers.length ? providers : [{}]) {
    const region = regionOf(p.alias ? `aws.${p.alias}` : undefined);
    lines.push('mock_provider "aws" {');
    if (p.alias) lines.push(`  alias = ${hcl(p.alias)}`);
    lines.push('  override_during = plan');
    lines.push('  mock_data "aws_kms_key" {', `    defaults = { arn = ${hcl(fallbackKey(region))} }`, '  }');
    for (const type of [...new Set(resources.map(([t]) => t))].sort()) {
      const mocks = resourceMocks(type, partition, region, account);
      if (!mocks) continue;
      const values = Object.entries(mocks).map(([k, v]) => `${k} = ${hcl(v)}`);
      lines.push(`  mock_resource ${hcl(type)} {`, `    defaults = { ${values.join(', ')} }`, '  }');
    }
    lines.push(...importOverrides(stack, p.alias, (type) => resourceMocks(type, partition, region, account)));
    lines.push('}', '');
  }
  for (const [type, name, body] of dataSources) {
    if (type !== 'aws_kms_key') continue;
    const arn = mockKeyArn(body.key_id, fallbackKey(regionOf(body.provider)));
    known.set(`data.${type}.${name}.arn`, arn);
    lines.push('override_data {', `  target          = data.${type}.${name}`, '  override_during = plan', `  values          = { arn = ${hcl(arn)} }`, '}', '');
  }
  for (const [type, name, body] of resources) {
    const mocks = resourceMocks(type, partition, regionOf(body.provider), account);
    for (const [attr, value] of Object.entries(mocks ?? {})) known.set(`${type}.${name}.${attr}`, value);
  }
  /** The planned value of a JSON value, when it is a literal or built only from known references. */
  const resolve = (value: unknown): string | number | boolean | null | undefined => {
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value !== 'string') return undefined;
    let unknown = false;
    const out = value.replace(/\$\{([^}]*)\}/g, (_, ref: string) => known.get(ref.trim()) ?? ((unknown = true), ''));
    return unknown ? undefined : out;
  };

  const asserts: { condition: string; message: string }[] = [];
  const assertEq = (address: string, expected: string | number | boolean | null, what: string) =>
    asserts.push({ condition: `${address} == ${hcl(expected)}`, message: `${what}: expected ${String(expected)}` });

  for (const [type, name, body] of resources) {
    const address = `${type}.${name}`;
    if (type === 'aws_cloudtrail') {
      for (const attr of TRAIL_ATTRS) {
        if (!(attr in body)) {
          if (TRAIL_NULL_WHEN_UNSET.includes(attr)) assertEq(`${address}.${attr}`, null, `${address}.${attr} is not set`);
          continue;
        }
        if (attr === 's3_bucket_name' && ctx.bucketName !== undefined) continue; // asserted against the central bucket below
        const expected = resolve(body[attr]);
        if (expected !== undefined) assertEq(`${address}.${attr}`, expected, `${address}.${attr}`);
      }
      if (ctx.bucketName !== undefined) assertEq(`${address}.s3_bucket_name`, ctx.bucketName, `${address} delivers to the central bucket`);
    }
    if (type === 'aws_s3_bucket') {
      if (typeof body.bucket === 'string') assertEq(`${address}.bucket`, body.bucket, `${address}.bucket`);
      assertEq(`${address}.force_destroy`, false, `${address} is never force_destroy`);
    }
    if (type === 'aws_s3_bucket_policy') {
      for (const id of ctx.accountIds) {
        asserts.push({ condition: `strcontains(${address}.policy, ${hcl(id)})`, message: `${address}.policy names account ${id}` });
      }
    }
  }
  asserts.push(...importAsserts(stack));
  if (stack.output?.bucket_name && ctx.bucketName !== undefined) assertEq('output.bucket_name', ctx.bucketName, 'output bucket_name');

  lines.push('run "plan" {', '  command = plan');
  for (const a of asserts) {
    lines.push('  assert {', `    condition     = ${a.condition}`, `    error_message = ${hcl(a.message)}`, '  }');
  }
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * Attributes an imported resource reads back, from its import ID alone
 * (modules/adoption.ts lists the ID forms): its `id`, and the identifying
 * attributes that force a new resource, so a config that disagrees with
 * what it imports plans a replacement (refused by prevent_destroy on the
 * bucket and the key).
 */
export function importedValues(type: string, id: string): Record<string, string> {
  const last = (arnOrUrl: string) => arnOrUrl.slice(arnOrUrl.search(/[^:/]+$/));
  switch (type) {
    case 'aws_kms_key':
      return { id, key_id: id };
    case 'aws_kms_alias':
    case 'aws_cloudwatch_log_group':
    case 'aws_iam_role':
      return { id, name: id };
    case 'aws_cloudtrail':
      return { id, arn: id, name: id.replace(/^.*:trail\//, '') };
    case 'aws_sns_topic':
      return { id, arn: id, name: last(id) };
    case 'aws_sns_topic_policy':
      return { id, arn: id };
    case 'aws_sqs_queue':
      return { id, url: id, name: last(id) };
    case 'aws_sqs_queue_policy':
      return { id, queue_url: id };
    case 'aws_iam_role_policy':
      return { id, role: id.split(':')[0], name: id.split(':').slice(1).join(':') };
    default:
      // aws_s3_bucket and its parts: the bucket name.
      return type.startsWith('aws_s3_bucket') ? { id, bucket: id } : { id };
  }
}

/**
 * `import` blocks cannot import from a mocked provider: every imported
 * resource of the provider configuration `alias` gets an override_resource
 * (inside its mock_provider block) with what the import would read.
 */
export function importOverrides(stack: Json, alias: string | undefined, mocks: (type: string) => Record<string, string> | undefined): string[] {
  const lines: string[] = [];
  for (const imp of ([] as Json[]).concat(stack.import ?? [])) {
    const [type, name] = String(imp.to).split('.');
    const body: Json = stack.resource?.[type]?.[name] ?? {};
    const providerAlias = typeof body.provider === 'string' ? body.provider.replace(/^aws\./, '') : undefined;
    if (providerAlias !== alias) continue;
    const values = { ...mocks(type), ...importedValues(type, String(imp.id)) };
    const hclValues = Object.entries(values).map(([k, v]) => `${k} = ${hcl(v)}`);
    lines.push('  override_resource {', `    target = ${type}.${name}`, `    values = { ${hclValues.join(', ')} }`, '  }');
  }
  return lines;
}

/**
 * The planned identity of every imported resource (its literal name or
 * bucket in the config) is the one its import ID names: otherwise the real
 * plan would replace what it imports. (A mocked provider plans no
 * replacements itself, so this is checked here.)
 */
export function importAsserts(stack: Json): { condition: string; message: string }[] {
  const out: { condition: string; message: string }[] = [];
  for (const imp of ([] as Json[]).concat(stack.import ?? [])) {
    const [type, name] = String(imp.to).split('.');
    const body: Json = stack.resource?.[type]?.[name] ?? {};
    for (const [attr, value] of Object.entries(importedValues(type, String(imp.id)))) {
      if (attr === 'id' || typeof body[attr] !== 'string' || body[attr].includes('${')) continue;
      out.push({ condition: `${type}.${name}.${attr} == ${hcl(value)}`, message: `${type}.${name}.${attr} names what is imported (${String(imp.id)})` });
    }
  }
  return out;
}

// ------------------------------------------------------------ one stack

interface StackJob {
  readonly config: ConfigRun;
  readonly stack: StackInfo;
  readonly ctx: PlanTestContext;
}

interface StackResult {
  readonly job: StackJob;
  readonly init: boolean;
  readonly validate: boolean | undefined;
  readonly plan: boolean | undefined;
  readonly seconds: number;
  readonly times: string;
}

function diagnostics(stdout: string): { valid: boolean; text: string } {
  try {
    const out = JSON.parse(stdout) as {
      valid: boolean;
      diagnostics: { severity: string; summary: string; detail?: string; range?: { filename: string; start: { line: number } } }[];
    };
    const text = out.diagnostics
      .map((d) => {
        const where = d.range ? ` (${d.range.filename}:${d.range.start.line})` : '';
        return `${d.severity}: ${d.summary}${where}${d.detail ? `\n  ${d.detail.split('\n').join('\n  ')}` : ''}`;
      })
      .join('\n');
    return { valid: out.valid, text };
  } catch {
    return { valid: false, text: `could not read terraform validate -json output:\n${stdout}` };
  }
}

/**
 * `terraform init` runs one at a time: concurrent inits that share the plugin
 * cache race on its folders ("mkdir ...: file exists", seen in CI). Inits
 * take under a second each; validate and test still run in parallel.
 */
let initQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const next = initQueue.then(task, task);
  initQueue = next.catch(() => undefined);
  return next;
}

async function checkStack(job: StackJob, env: NodeJS.ProcessEnv): Promise<StackResult> {
  const { stack } = job;
  const label = `${job.config.name} / ${stack.name}`;
  const times: string[] = [];
  let total = 0;
  const step = async (args: string[]) => {
    const r = await run('terraform', args, stack.dir, env);
    total += r.seconds;
    times.push(`${args[0]} ${r.seconds.toFixed(1)}`);
    return r;
  };
  const result = (init: boolean, validate?: boolean, plan?: boolean): StackResult => ({ job, init, validate, plan, seconds: total, times: times.join(', ') });

  const init = await oneAtATime(() => step(['init', '-backend=false', '-input=false', '-no-color']));
  if (init.code !== 0) {
    warn(`  ${label}: terraform init FAILED\n${indent(init.stderr + init.stdout)}`);
    return result(false);
  }
  const validate = await step(['validate', '-json', '-no-color']);
  const v = diagnostics(validate.stdout);
  if (v.text) (v.valid ? log : warn)(`  ${label}: terraform validate:\n${indent(v.text)}`);
  if (validate.code !== 0 || !v.valid) return result(true, false);

  const testDir = path.join(stack.dir, 'tests');
  mkdirSync(testDir, { recursive: true });
  const json = JSON.parse(readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8')) as Json;
  writeFileSync(path.join(testDir, 'plan.tftest.hcl'), planTest(json, job.ctx));
  const test = await step(['test', '-no-color']);
  if (test.code !== 0) {
    warn(`  ${label}: terraform test (plan) FAILED\n${indent(test.stdout + test.stderr)}`);
    return result(true, true, false);
  }
  return result(true, true, true);
}

// ------------------------------------------------------------ main

async function main(): Promise<number> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const configs = configRuns(process.argv.slice(2));
  const terraform = onPath('terraform');
  mkdirSync(WORK, { recursive: true });

  // Synthesis (cheap; also the only check left when Terraform is missing).
  const synthFailures: string[] = [];
  const jobs: StackJob[] = [];
  const synths = await pool(configs, 2, synth);
  configs.forEach((c, i) => {
    const s = synths[i];
    if (!s.ok) {
      synthFailures.push(c.name);
      warn(`FAIL ${c.name} (${path.relative(ROOT, c.file)}): synthesis failed\n${indent(s.message)}`);
      return;
    }
    log(`synth ${c.name}: ${s.stacks.length} stacks in ${s.seconds.toFixed(1)} s`);
    const jsonOf = (st: StackInfo) => JSON.parse(readFileSync(path.join(st.dir, 'cdk.tf.json'), 'utf8')) as Json;
    const central = s.stacks.find((st) => st.dependencies.length === 0 && st.name.endsWith('-central'));
    const bucketName = central && Object.values((jsonOf(central).resource?.aws_s3_bucket ?? {}) as Json)[0]?.bucket;
    // Accounts the central policy must admit: stacks with a trail (a stack of a trail leaving the fleet has none).
    const accountIds = s.stacks
      .filter((st) => Object.keys(jsonOf(st).resource?.aws_cloudtrail ?? {}).length > 0)
      .map((st) => /-account-(\d{12})$/.exec(st.name)?.[1])
      .filter((id): id is string => !!id);
    for (const stack of s.stacks) jobs.push({ config: c, stack, ctx: { bucketName: typeof bucketName === 'string' ? bucketName : undefined, accountIds } });
  });

  if (!terraform) {
    const bar = '!'.repeat(78);
    warn(
      [
        bar,
        'SKIPPED: terraform not found on PATH; Terraform did not check the generated stacks.',
        `         Not one of the ${jobs.length} synthesized stacks was checked by Terraform.`,
        '         Install Terraform >= 1.7 (with the provider mirror, see "npm run validate" in the README) and rerun npm run validate.',
        bar,
      ].join('\n'),
    );
    if (synthFailures.length) warn(`synthesis failed for ${synthFailures.length} config(s): ${synthFailures.join(', ')}`);
    return synthFailures.length ? 1 : 0;
  }

  const cli = writeCliConfig();
  const env = terraformEnv(cli.file);
  const limit = Math.max(1, Math.min(4, Number(process.env[JOBS_ENV]) || 2));
  log(`terraform: ${terraform}; ${cli.note}; ${limit} at a time`);

  const results: StackResult[] = [];
  const configWidth = Math.max(0, ...jobs.map((j) => j.config.name.length));
  const stackWidth = Math.max(0, ...jobs.map((j) => j.stack.name.length));
  const runJob = async (job: StackJob) => {
    const r = await checkStack(job, env);
    const word = (ok: boolean | undefined) => (ok === undefined ? 'skipped' : ok ? 'ok' : 'FAIL');
    log(
      `${r.init && r.validate && r.plan ? '  ok' : 'FAIL'} ${job.config.name.padEnd(configWidth)}  ${job.stack.name.padEnd(stackWidth)}  ` +
        `validate ${r.init ? word(r.validate) : 'FAIL (init)'}  plan ${word(r.plan)}  ${r.seconds.toFixed(1)} s (${r.times})`,
    );
    results.push(r);
    return r;
  };
  await pool(jobs, limit, runJob);

  const validated = results.filter((r) => r.validate).length;
  const planned = results.filter((r) => r.plan).length;
  const failed = results.filter((r) => !r.plan).length;
  const synthNote = synthFailures.length ? `; ${synthFailures.length} config(s) failed to synthesize (${synthFailures.join(', ')})` : '';
  const summary = `terraform: ${validated} stacks validated, ${planned} planned, ${failed} failed in ${elapsed().toFixed(1)} s${synthNote}`;
  (failed || synthFailures.length ? warn : log)(summary);
  return failed || synthFailures.length ? 1 : 0;
}

// Run when executed (directly or through scripts/app.js --run, which runs it as the main module),
// not when a test imports planTest().
if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      warn(`validate: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
