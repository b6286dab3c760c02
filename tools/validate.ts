/**
 * `npm run validate [config ...]`: Terraform itself checks every stack we
 * generate.
 *
 * Configs (or only the files given as arguments):
 *   - config/cloudtrail.yaml and every config/examples/*.yaml;
 *   - generated fleets of every shape the app can emit (scripts/fleet-shapes.ts,
 *     written to <work>/generated/): each policy-encoding threshold, 1,000
 *     accounts with and without an organization, distinct prefixes, several
 *     trails per account, organization trails, template-like free text, every
 *     backend type and partition;
 *   - a fixed-seed sample of random valid configs drawn by the property tests'
 *     arbitraries (scripts/config-arbitraries.ts, written to <work>/samples/).
 * A stack of a generated config that is the same Terraform as another one
 * already selected, account ids aside, is not checked twice: it gets its
 * twin's result. Each is synthesized directly (`node dist/main.js`, no cdktf CLI); a config
 * with a `bootstrap` section also gets its bootstrap stacks synthesized, by
 * the real command (`node dist/cli/main.js bootstrap --out <dir>`), and they
 * are checked like the account stacks (docs/bootstrap.md). Then for
 * the central stack and every account stack (a deterministic sample of them
 * in a fleet of more than 6 accounts: the first, one of each distinct stack
 * shape, and from 1,000 accounts the last and two in between) it runs
 *   terraform init -backend=false      (provider from a filesystem mirror)
 *   terraform test                     (an offline plan with mock_provider "aws":
 *                                       the plan runs the real provider's
 *                                       validators on every resource, so no
 *                                       separate `terraform validate` is run,
 *                                       a third of the time, except for configs
 *                                       given as arguments, for its diagnostics)
 *   terraform init, backend block only (scripts/backend-check.ts: a config
 *                                       error fails; stopping at network or
 *                                       credentials means it was accepted)
 * The test file is written to `<stack>/tests/plan.tftest.hcl`, next to
 * cdk.tf.json (which is never touched); its asserts are derived from the
 * synthesized JSON. At the end it prints what was covered.
 *
 * Without `terraform` on PATH it says loudly that nothing was checked and
 * exits 0 (synthesis still runs: a config that does not synthesize fails).
 *
 * Environment:
 *   CLOUDTRAIL_TF_PLUGIN_DIR  provider mirror folder (default /opt/tf-plugins);
 *                             when it does not exist, providers come from the registry
 *   CLOUDTRAIL_TF_JOBS        stacks checked in parallel (default 2, max 4; ~600 MB each)
 *   CLOUDTRAIL_VALIDATE_DIR   work folder (default .tmp/validate)
 *   CLOUDTRAIL_VALIDATE_SAMPLES  random configs sent through Terraform (default 3; 0 = none)
 *   FC_SEED                   seed of that sample (default the property tests' fixed seed)
 */
import { parse } from 'yaml';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { projectRoot } from '../config/load';
import { escapeTemplateText } from '../modules/terraform-text';
import { CliConfig, DEFAULT_PLUGIN_DIR, PLUGIN_DIR_ENV, writeCliConfig } from '../cli/lib/terraform/cli-config';
import { backendEnv, classifyBackendInit, describeVerdict, writeBackendScratch } from './backend-check';
import { writeFleetShapes } from './fleet-shapes';
import { RunResult, onPath, runCommand, withChecksGc } from '../cli/lib/terraform/process';
import { mapPool } from '../cli/lib/pool';
import { terraformContent } from '../cli/lib/stack-diff';

export { PLUGIN_DIR_ENV, DEFAULT_PLUGIN_DIR };
const JOBS_ENV = 'CLOUDTRAIL_TF_JOBS';
const TIMEOUT_MS = 5 * 60 * 1000;
/** A backend check never needs long: it stops at the first network or credentials call. */
const BACKEND_TIMEOUT_MS = 30 * 1000;
const SAMPLES_ENV = 'CLOUDTRAIL_VALIDATE_SAMPLES';
/**
 * `emulator`: the example configs' fleet stacks are planned by the emulator stage instead (npm test sets it,
 * bin/test-terraform.js, only when that stage runs beside this one: it applies every example stack with the
 * real provider and plans it again, which proves more than an offline plan). Their backend blocks, which the
 * emulator replaces with local state, and the examples' bootstrap stacks are still checked here.
 */
const EXAMPLE_PLANS_ENV = 'CLOUDTRAIL_VALIDATE_EXAMPLE_PLANS';
const examplesOnEmulator = () => process.env[EXAMPLE_PLANS_ENV] === 'emulator';
const DEFAULT_SAMPLES = 3;
/** Fleets with more account stacks than this get a sample checked (see sampleAccountStacks). */
export const CHECK_ALL_UP_TO = 6;
const UUID = '11111111-2222-3333-4444-555555555555';

const ROOT = projectRoot(__dirname);
/** Work folder (synthesized stacks, CLI config, plugin cache); tests point it elsewhere. */
const WORK = path.resolve(process.env.CLOUDTRAIL_VALIDATE_DIR || path.join(ROOT, '.tmp', 'validate'));

// ------------------------------------------------------------ processes

/** One command, its streams kept apart (synth prints its summary, `terraform validate -json` its diagnostics). */
function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = TIMEOUT_MS): Promise<RunResult> {
  return runCommand(cmd, args, { cwd, env, timeoutMs });
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

export interface ConfigRun {
  readonly file: string;
  /** `cloudtrail`, `examples/every-option`, `generated/fleet-1000`: also the folder under .tmp/validate. */
  readonly name: string;
  readonly outdir: string;
  /** What a generated config covers (one line). */
  readonly covers?: string;
  /** Given on the command line: its stacks also get a separate `terraform validate` (readable diagnostics). */
  readonly explicit?: boolean;
}

function exampleFiles(): string[] {
  const examples = path.join(ROOT, 'config', 'examples');
  return [
    path.join(ROOT, 'config', 'cloudtrail.yaml'),
    ...(existsSync(examples)
      ? readdirSync(examples)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(examples, f))
      : []),
  ];
}

/** The fixed-seed sample of random valid configs (needs fast-check, a devDependency). */
function sampleFiles(dir: string): { file: string; covers: string }[] {
  const count = process.env[SAMPLES_ENV] === undefined ? DEFAULT_SAMPLES : Number(process.env[SAMPLES_ENV]);
  if (!(count > 0)) return [];
  let writeConfigSample: typeof import('./config-arbitraries').writeConfigSample;
  try {
    ({ writeConfigSample } = require('./config-arbitraries') as typeof import('./config-arbitraries'));
  } catch (e) {
    warn(`SKIPPED the ${count} random config(s): cannot load the arbitraries (fast-check is a devDependency; run npm ci): ${(e as Error).message}`);
    return [];
  }
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  return writeConfigSample(dir, count, seed);
}

/**
 * A work folder name for each config file, unique among them and never inside
 * another's folder: the path under the work folder (generated configs), under
 * config/ (examples), else `other/` + the path relative to the current folder
 * (or the absolute path) with `/` as `--`; without the extension; a name
 * that is still taken gets `-2`, `-3`, ... (`a/fleet.json` and
 * `b/fleet.json` are two configs, never one folder).
 */
export function configRunNames(files: readonly string[], dirs: { work: string; config: string; cwd: string }): string[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const inside = (dir: string) => {
      const rel = path.relative(dir, file);
      return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
    };
    const known = inside(dirs.work) ?? inside(dirs.config);
    // Other files: one folder each under other/, the path flattened (a/fleet.json -> other/a--fleet), so
    // that no config's folder is inside another's (each synth starts by emptying its own folder).
    const other = () => `other/${(inside(dirs.cwd) ?? path.resolve(file).replace(/^[/\\]+|^[A-Za-z]:[/\\]/, '')).split(path.sep).join('--')}`;
    const base = (known ?? other()).split(path.sep).join('/').replace(/\.(ya?ml|json)$/, '');
    const clashes = (name: string) => [...taken].some((t) => t === name || t.startsWith(`${name}/`) || name.startsWith(`${t}/`));
    // Taken, or a folder inside another's (or around it): the name flattened, then numbered.
    const flat = base.split('/').join('--');
    let name = base;
    for (let i = 1; clashes(name); i++) name = i === 1 ? flat : `${flat}-${i}`;
    taken.add(name);
    return name;
  });
}

function configRuns(args: readonly string[]): ConfigRun[] {
  const dirs = { work: WORK, config: path.join(ROOT, 'config'), cwd: process.cwd() };
  const runs = (list: readonly { file: string; covers?: string }[]): ConfigRun[] => {
    const names = configRunNames(
      list.map((c) => c.file),
      dirs,
    );
    return list.map((c, i) => ({ file: c.file, name: names[i], outdir: path.join(WORK, names[i], 'out'), covers: c.covers, explicit: args.length > 0 }));
  };
  if (args.length) return runs(args.map((a) => ({ file: path.resolve(a) })));
  const generated = writeFleetShapes(path.join(WORK, 'generated')).map(({ file, shape }) => ({ file, covers: shape.covers }));
  const samples = sampleFiles(path.join(WORK, 'samples'));
  return runs([...exampleFiles().map((file) => ({ file })), ...generated, ...samples]);
}

export interface StackInfo {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: readonly string[];
}

interface SynthOk {
  readonly ok: true;
  readonly stacks: StackInfo[];
  /** The bootstrap stacks (`cloudtrail-fleet bootstrap`) of a config with a bootstrap section. */
  readonly bootstrap: StackInfo[];
  readonly seconds: number;
  /** Encodings and sizes from the synth summary: `bucket policy: 1234 B per-account`. */
  readonly policies: string;
}

/** `bucket 1234 B per-account, key 2345 B per-trail, scp 916 chars by-name`, from the app's synth summary (wherever it prints it). */
export function policiesFromSummary(text: string): string {
  const parts: string[] = [];
  const bucket = /bucket policy: (\d+) of \d+ bytes.*encoding ([\w-]+)/.exec(text);
  if (bucket) parts.push(`bucket ${bucket[1]} B ${bucket[2]}`);
  const key = /central key policy: (\d+) of \d+ bytes.*encoding ([\w-]+)/.exec(text);
  if (key) parts.push(`key ${key[1]} B ${key[2]}`);
  const scp = /guard: \d+ service control polic(?:y|ies) \(([\w-]+); ([\d, ]+) of \d+ characters\)/.exec(text);
  if (scp) parts.push(`scp ${scp[2].split(', ').join('+')} chars ${scp[1]}`);
  return parts.join(', ');
}

async function synth(c: ConfigRun): Promise<SynthOk | { ok: false; message: string }> {
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
  const bootstrap = await synthBootstrapStacks(c, env);
  if (!Array.isArray(bootstrap)) return bootstrap;
  return { ok: true, stacks, bootstrap, seconds: r.seconds, policies: policiesFromSummary(r.stdout + r.stderr) };
}

/** Whether a config file has a top-level `bootstrap` section (YAML or JSON). */
export function hasBootstrap(file: string): boolean {
  try {
    const raw = parse(readFileSync(file, 'utf8')) as unknown;
    return typeof raw === 'object' && raw !== null && 'bootstrap' in raw;
  } catch {
    return false; // the main synth has already reported an unreadable config
  }
}

/** The bootstrap stacks of a config, synthesized by the real command into `<work>/<config>/bootstrap-out`. */
async function synthBootstrapStacks(c: ConfigRun, env: NodeJS.ProcessEnv): Promise<StackInfo[] | { ok: false; message: string }> {
  if (!hasBootstrap(c.file)) return [];
  const out = path.join(path.dirname(c.outdir), 'bootstrap-out');
  const r = await run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'bootstrap', '--config', c.file, '--out', out, '--json'], ROOT, env);
  if (r.code !== 0) return { ok: false, message: `cloudtrail-fleet bootstrap exited ${r.code}\n${r.stderr}${r.stdout}` };
  const report = JSON.parse(r.stdout) as { stacks: { name: string; dir: string }[] };
  return report.stacks.map((st) => ({ name: st.name, dir: path.resolve(ROOT, st.dir), dependencies: [] }));
}

// ------------------------------------------------------------ which stacks Terraform checks

type Json = Record<string, any>;

/**
 * What makes two account stacks different for Terraform: resource and data
 * source types with their counts, provider aliases, outputs and the backend
 * kind (not names, ids or values).
 */
export function stackFingerprint(stack: Json): string {
  const count = (block: Json | undefined) =>
    Object.entries(block ?? {})
      .map(([type, byName]) => `${type}x${Object.keys(byName as Json).length}`)
      .sort();
  const providers = ([] as Json[]).concat(stack.provider?.aws ?? []);
  return JSON.stringify({
    resources: count(stack.resource),
    data: count(stack.data),
    providers: providers.length,
    assumeRole: providers.some((p) => p.assume_role !== undefined),
    outputs: Object.keys(stack.output ?? {}).sort(),
    backend: Object.keys(stack.terraform?.backend ?? stack.terraform?.cloud ?? {}).sort(),
  });
}

/** A stack's Terraform content (no `//` comments, keys sorted) with every 12-digit account id masked. */
export function maskedContent(stack: Json): string {
  return JSON.stringify(terraformContent(stack)).replace(/\d{12}/g, '<account>');
}

/** From this many account stacks on, the last and two in between are checked too. */
export const SPREAD_FROM = 1000;

/**
 * The account stacks Terraform checks: all of them up to CHECK_ALL_UP_TO;
 * beyond, the first and the first of each fingerprint not yet among them (an
 * account stack does not change with the fleet's size, only the central
 * stack does), and in fleets of SPREAD_FROM or more also the last and two in
 * between. Deterministic (stacks come sorted by name).
 */
export function sampleAccountStacks<T>(stacks: readonly T[], fingerprint: (s: T) => string): T[] {
  if (stacks.length <= CHECK_ALL_UP_TO) return [...stacks];
  const n = stacks.length;
  const picked = new Set([0, ...(n >= SPREAD_FROM ? [Math.round((n - 1) / 3), Math.round((2 * (n - 1)) / 3), n - 1] : [])]);
  const seen = new Set([...picked].map((i) => fingerprint(stacks[i])));
  stacks.forEach((s, i) => {
    const f = fingerprint(s);
    if (!seen.has(f)) {
      seen.add(f);
      picked.add(i);
    }
  });
  return [...picked].sort((a, b) => a - b).map((i) => stacks[i]);
}

// ------------------------------------------------------------ Terraform CLI config

function writeValidateCliConfig(): CliConfig {
  return writeCliConfig(path.join(WORK, 'terraform.rc'), process.env, 'npm run validate');
}

/**
 * With the (unpacked) mirror, each stack's `.terraform/providers` links
 * straight into the mirror, so no plugin cache is used: `terraform init`
 * re-creates a cache entry each time, and a `terraform test` of another stack
 * reading it at that moment failed ("there is no package for
 * registry.terraform.io/hashicorp/aws 5.100.0 cached in .terraform/providers",
 * seen 3 times in 99 stacks). Without a mirror the cache saves a download per stack.
 */
function terraformEnv(cliConfig: string, mirror: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's shell may redirect what Terraform checks.
  for (const k of Object.keys(env)) if (/^TF_(CLI_ARGS|DATA_DIR|WORKSPACE|VAR_|PLUGIN_CACHE_DIR)/.test(k)) delete env[k];
  const cache = path.join(WORK, 'plugin-cache');
  if (!mirror) mkdirSync(cache, { recursive: true });
  return withChecksGc({
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...(mirror ? {} : { TF_PLUGIN_CACHE_DIR: cache }),
    // Mocked providers never call AWS; if one is not mocked, fail fast instead of probing IMDS.
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}

// ------------------------------------------------------------ the plan test

/** An HCL literal for a JSON scalar. */
export function hcl(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  // (Function replacements: in a replacement string "$$" would mean one "$".)
  return escapeTemplateText(JSON.stringify(value));
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
    case 'aws_cloudtrail':
      // A trail lives in the region of its provider; the trail's home-region postcondition reads it.
      return { home_region: region };
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
    // The guard (docs/guard.md): AWS's limits on what it sends, checked on the planned values.
    if (type === 'aws_organizations_policy') {
      assertEq(`${address}.type`, 'SERVICE_CONTROL_POLICY', `${address} is a service control policy`);
      asserts.push({ condition: `length(${address}.content) <= 5120`, message: `${address}: a service control policy is at most 5,120 characters` });
    }
    if (type === 'aws_organizations_policy_attachment' && typeof body.target_id === 'string') assertEq(`${address}.target_id`, body.target_id, `${address}.target_id`);
    if (type === 'aws_cloudwatch_event_rule' && typeof body.event_pattern === 'string') {
      asserts.push({ condition: `length(${address}.event_pattern) <= 2048`, message: `${address}: an event pattern is at most 2,048 characters (EventBridge's default quota)` });
    }
    if (type === 'aws_cloudwatch_event_target') {
      const arn = resolve(body.arn);
      if (typeof arn === 'string') assertEq(`${address}.arn`, arn, `${address} delivers to ${arn}`);
    }
    if (type === 'aws_iam_role') {
      // Bootstrap roles and delivery roles: the name and path other stacks and HCP Terraform rely on.
      if (typeof body.name === 'string') assertEq(`${address}.name`, body.name, `${address}.name`);
      if (typeof body.path === 'string') assertEq(`${address}.path`, body.path, `${address}.path`);
    }
    if (type === 'aws_iam_openid_connect_provider' && typeof body.url === 'string') assertEq(`${address}.url`, body.url, `${address}.url`);
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
      // The ARN of a trail names its home region.
      return { id, arn: id, name: id.replace(/^.*:trail\//, ''), home_region: id.split(':')[3] };
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

export interface StackJob {
  readonly config: ConfigRun;
  readonly stack: StackInfo;
  readonly ctx: PlanTestContext;
  /** Planned (and applied) by the emulator stage instead: only its backend block is checked here. */
  readonly onEmulator?: boolean;
}

export interface StackResult {
  readonly job: StackJob;
  readonly init: boolean;
  readonly validate: boolean | undefined;
  readonly plan: boolean | undefined;
  /** undefined: the stack has no backend block. */
  readonly backend: boolean | undefined;
  /** Left to the emulator stage (CLOUDTRAIL_VALIDATE_EXAMPLE_PLANS=emulator): only the backend was checked here. */
  readonly onEmulator?: boolean;
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

/**
 * `terraform init -backend=false` writes the same `.terraform` folder (links into the provider mirror) and lock
 * file for every stack with the same provider requirements: the first such stack runs it, the others get a copy
 * (about half a CPU second less each), as the emulator harness does (tools/emulator/terraform.ts).
 */
const initTemplates = new Map<string, Promise<string | undefined>>();
async function initFromTemplate(stackDir: string, init: () => Promise<RunResult>): Promise<RunResult> {
  const json = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Json;
  const key = JSON.stringify(terraformContent(json.terraform?.required_providers ?? {}));
  const template = initTemplates.get(key);
  if (template) {
    const source = await template;
    if (source) {
      const started = process.hrtime.bigint();
      cpSync(path.join(source, '.terraform'), path.join(stackDir, '.terraform'), { recursive: true, verbatimSymlinks: true });
      cpSync(path.join(source, '.terraform.lock.hcl'), path.join(stackDir, '.terraform.lock.hcl'));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { code: 0, output: '', stdout: '', stderr: '', seconds, timedOut: false };
    }
    return init();
  }
  const r = init();
  initTemplates.set(
    key,
    r.then((x) => (x.code === 0 && existsSync(path.join(stackDir, '.terraform.lock.hcl')) ? stackDir : undefined)),
  );
  return r;
}

/** Generated shapes and random samples: Terraform's validators run in `terraform test` (plan) only. */
function isGenerated(c: ConfigRun): boolean {
  return c.name.startsWith('generated/') || c.name.startsWith('samples/');
}

/** A Terraform warning in one line: its summary and its last line of detail. */
function warningLine(block: string): string {
  const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
  const detail = lines.length > 1 ? lines.slice(lines.findIndex((l) => /^\d+:/.test(l)) + 1).join(' ') : '';
  return detail ? `${lines[0]}: ${detail}` : lines[0];
}

/** The backend block alone, through `terraform init` (scripts/backend-check.ts). */
async function checkBackend(job: StackJob, env: NodeJS.ProcessEnv): Promise<{ ok: boolean | undefined; seconds: number; line: string }> {
  const json = JSON.parse(readFileSync(path.join(job.stack.dir, 'cdk.tf.json'), 'utf8')) as Json;
  const scratch = writeBackendScratch(json, path.join(WORK, job.config.name, 'backend', job.stack.name));
  if (!scratch) return { ok: undefined, seconds: 0, line: 'no backend block' };
  // One init at a time, like the stacks' own (see oneAtATime).
  const r = await oneAtATime(() => run('terraform', ['init', '-input=false', '-no-color'], scratch, backendEnv(env, scratch), BACKEND_TIMEOUT_MS));
  const verdict = classifyBackendInit({ code: r.code, output: r.stdout + r.stderr, timedOut: r.timedOut });
  const ok = verdict.outcome === 'initialized' || verdict.outcome === 'accepted';
  const line = describeVerdict(verdict, r.seconds);
  if (!ok) warn(`  ${job.config.name} / ${job.stack.name}: ${line}\n${indent(verdict.errors.join('\n\n') || r.stdout + r.stderr)}`);
  // Accepted with a warning (e.g. dynamodb_table is deprecated in favour of use_lockfile): say so once per stack.
  else if (verdict.warnings.length) log(`  ${job.config.name} / ${job.stack.name}: backend warning: ${verdict.warnings.map(warningLine).join('; ')}`);
  return { ok, seconds: r.seconds, line };
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
  const backend = await checkBackend(job, env);
  total += backend.seconds;
  times.push(`backend ${backend.seconds.toFixed(1)}`);
  const result = (init: boolean, validate?: boolean, plan?: boolean): StackResult => ({ job, init, validate, plan, backend: backend.ok, seconds: total, times: times.join(', ') });
  if (job.onEmulator) return { ...result(false), onEmulator: true };

  const init = await initFromTemplate(stack.dir, () => oneAtATime(() => step(['init', '-backend=false', '-input=false', '-no-color'])));
  if (init.code !== 0) {
    warn(`  ${label}: terraform init FAILED\n${indent(init.stderr + init.stdout)}`);
    return result(false);
  }
  // The plan below runs the provider's validators on every resource (ValidateResourceConfig), so a separate
  // `terraform validate` (another provider start, ~3 s of CPU a stack) is only run for the configs given on the
  // command line, for its readable diagnostics.
  if (job.config.explicit) {
    const validate = await step(['validate', '-json', '-no-color']);
    const v = diagnostics(validate.stdout);
    if (v.text) (v.valid ? log : warn)(`  ${label}: terraform validate:\n${indent(v.text)}`);
    if (validate.code !== 0 || !v.valid) return result(true, false);
  }

  const testDir = path.join(stack.dir, 'tests');
  mkdirSync(testDir, { recursive: true });
  const json = JSON.parse(readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8')) as Json;
  writeFileSync(path.join(testDir, 'plan.tftest.hcl'), planTest(json, job.ctx));
  const test = await step(['test', '-no-color']);
  if (test.code !== 0) {
    warn(`  ${label}: terraform test (plan) FAILED\n${indent(test.stdout + test.stderr)}`);
    // Without a separate validate step the plan was also the validation.
    return result(true, !!job.config.explicit, false);
  }
  return result(true, true, true);
}

// ------------------------------------------------------------ main

export interface ConfigSynth {
  readonly config: ConfigRun;
  readonly stacks: number;
  readonly checked: number;
  readonly policies: string;
}

async function main(): Promise<number> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  mkdirSync(WORK, { recursive: true });
  const configs = configRuns(process.argv.slice(2));
  if (new Set(configs.map((c) => c.outdir)).size !== configs.length) throw new Error('internal error in npm run validate: two configs would share a work folder');
  const terraform = onPath('terraform');

  // Synthesis (also the only check left when Terraform is missing).
  const synthFailures: string[] = [];
  const jobs: StackJob[] = [];
  const synthesized: ConfigSynth[] = [];
  const synths = await mapPool(configs, 2, (c) => synth(c));
  configs.forEach((c, i) => {
    const s = synths[i];
    if (!s.ok) {
      synthFailures.push(c.name);
      warn(`FAIL ${c.name} (${path.relative(ROOT, c.file)}): synthesis failed\n${indent(s.message)}`);
      return;
    }
    const jsonOf = (st: StackInfo) => JSON.parse(readFileSync(path.join(st.dir, 'cdk.tf.json'), 'utf8')) as Json;
    const central = s.stacks.find((st) => st.dependencies.length === 0 && st.name.endsWith('-central'));
    const bucketName = central && Object.values((jsonOf(central).resource?.aws_s3_bucket ?? {}) as Json)[0]?.bucket;
    // Accounts the central policy must admit: stacks with a trail (a stack of a trail leaving the fleet has none).
    const accountIds = s.stacks
      .filter((st) => Object.keys(jsonOf(st).resource?.aws_cloudtrail ?? {}).length > 0)
      .map((st) => /-account-(\d{12})$/.exec(st.name)?.[1])
      .filter((id): id is string => !!id);
    const accountStacks = s.stacks.filter((st) => st !== central);
    const checked = [...(central ? [central] : []), ...sampleAccountStacks(accountStacks, (st) => stackFingerprint(jsonOf(st)))];
    const onEmulator = examplesOnEmulator() && !isGenerated(c) && !c.explicit;
    for (const stack of checked) jobs.push({ config: c, stack, ctx: { bucketName: typeof bucketName === 'string' ? bucketName : undefined, accountIds }, ...(onEmulator ? { onEmulator } : {}) });
    // Bootstrap stacks: sampled like account stacks (one per account, same shapes).
    const bootstrapChecked = sampleAccountStacks(s.bootstrap, (st) => stackFingerprint(jsonOf(st)));
    for (const stack of bootstrapChecked) jobs.push({ config: c, stack, ctx: { accountIds: [] } });
    const total = s.stacks.length + s.bootstrap.length;
    const selected = checked.length + bootstrapChecked.length;
    synthesized.push({ config: c, stacks: total, checked: selected, policies: s.policies });
    const sampled = selected < total ? `; Terraform checks ${selected} (central + sampled accounts${s.bootstrap.length ? ' and bootstrap stacks' : ''})` : '';
    const bootstrapNote = s.bootstrap.length ? ` + ${s.bootstrap.length} bootstrap stacks` : '';
    log(`synth ${c.name}: ${s.stacks.length} stacks${bootstrapNote} in ${s.seconds.toFixed(1)} s${s.policies ? ` (${s.policies})` : ''}${sampled}`);
  });

  if (!terraform) {
    const bar = '!'.repeat(78);
    warn(
      [
        bar,
        'SKIPPED: terraform not found on PATH; Terraform did not check the generated stacks.',
        `         Not one of the ${jobs.length} stacks selected for checking was checked by Terraform.`,
        '         Install Terraform >= 1.7 (with the provider mirror, see docs/testing.md, "npm run validate") and rerun npm run validate.',
        bar,
      ].join('\n'),
    );
    if (synthFailures.length) warn(`synthesis failed for ${synthFailures.length} config(s): ${synthFailures.join(', ')}`);
    log(coverage(synthesized, new Map(), false, elapsed()));
    return synthFailures.length ? 1 : 0;
  }

  const cli = writeValidateCliConfig();
  const env = terraformEnv(cli.file, cli.mirror);
  const limit = Math.max(1, Math.min(4, Number(process.env[JOBS_ENV]) || 2));
  log(`terraform: ${terraform}; ${cli.note}; ${limit} at a time; ${jobs.length} stacks to check (generation and synthesis took ${elapsed().toFixed(1)} s)`);

  // A stack of a generated config or sample that is, account ids aside, the same Terraform as one already
  // selected is not checked again: it gets its twin's result (a failure counts for both configs).
  const twins = new Map<StackJob, StackJob>();
  const firstOf = new Map<string, StackJob>();
  for (const job of jobs) {
    if (!isGenerated(job.config)) continue;
    const key = maskedContent(JSON.parse(readFileSync(path.join(job.stack.dir, 'cdk.tf.json'), 'utf8')) as Json) + JSON.stringify(job.ctx.bucketName ?? null);
    const first = firstOf.get(key);
    if (first) twins.set(job, first);
    else firstOf.set(key, job);
  }
  if (twins.size) log(`terraform: ${twins.size} stacks of generated configs are the same Terraform as another, account ids aside: each gets its twin's result`);

  const results: StackResult[] = [];
  const configWidth = Math.max(0, ...jobs.map((j) => j.config.name.length));
  const stackWidth = Math.max(0, ...jobs.map((j) => j.stack.name.length));
  const runJob = async (job: StackJob) => {
    const r = await checkStack(job, env);
    const word = (ok: boolean | undefined) => (ok === undefined ? 'skipped' : ok ? 'ok' : 'FAIL');
    const what = r.onEmulator
      ? 'plan and apply by the emulator stage'
      : `validate ${r.init ? (!job.config.explicit && r.plan !== undefined ? 'in plan' : word(r.validate)) : 'FAIL (init)'}  plan ${word(r.plan)}`;
    log(`${passed(r) ? '  ok' : 'FAIL'} ${job.config.name.padEnd(configWidth)}  ${job.stack.name.padEnd(stackWidth)}  ${what}  backend ${r.backend === undefined ? 'none' : word(r.backend)}  ${r.seconds.toFixed(1)} s (${r.times})`);
    results.push(r);
    return r;
  };
  const own = await mapPool(
    jobs.filter((j) => !twins.has(j)),
    limit,
    runJob,
  );
  const ran = new Map(own.map((r) => [r.job, r]));
  for (const [job, twin] of twins) {
    const r = ran.get(twin)!;
    results.push({ ...r, job, seconds: 0, times: `same as ${twin.config.name} / ${twin.stack.name}` });
  }

  // Results by config run (the object, never its name: two runs can never pool their stacks' results).
  const byConfig = new Map<ConfigRun, StackResult[]>();
  for (const r of results) byConfig.set(r.job.config, [...(byConfig.get(r.job.config) ?? []), r]);
  const validated = results.filter((r) => r.validate).length;
  const planned = results.filter((r) => r.plan).length;
  const backends = results.filter((r) => r.backend).length;
  const failed = results.filter((r) => !passed(r)).length;
  log(coverage(synthesized, byConfig, true, elapsed()));
  const synthNote = synthFailures.length ? `; ${synthFailures.length} config(s) failed to synthesize (${synthFailures.join(', ')})` : '';
  const summary = `terraform: ${validated} stacks validated, ${planned} planned, ${backends} backend blocks accepted, ${failed} failed in ${elapsed().toFixed(1)} s${synthNote}`;
  (failed || synthFailures.length ? warn : log)(summary);
  // The plain closing line CI reads: stacks Terraform checked, and stacks (or configs that did not synthesize) that failed.
  const delegated = results.filter((r) => r.onEmulator).length;
  if (delegated) log(`terraform: ${delegated} example stacks are planned and applied by the emulator stage (${EXAMPLE_PLANS_ENV}=emulator); only their backend blocks were checked here`);
  log(`stacks: ${results.length - failed - results.filter((r) => r.onEmulator && passed(r)).length} passed, ${failed + synthFailures.length} failed${delegated ? `, ${delegated} left to the emulator stage` : ''}`);
  return failed || synthFailures.length ? 1 : 0;
}

function passed(r: StackResult): boolean {
  return r.backend !== false && (!!r.onEmulator || (r.init && !!r.validate && !!r.plan));
}

/**
 * What was covered: one line per config, then totals. A config's line counts
 * only its own stacks' results, says FAILED when any failed, and the lines
 * must add up to every result: otherwise this throws instead of printing a
 * table that could show success over a failure.
 */
export function coverage(synthesized: readonly ConfigSynth[], results: ReadonlyMap<ConfigRun, readonly StackResult[]>, ran: boolean, seconds: number): string {
  const width = Math.max(0, ...synthesized.map((s) => s.config.name.length));
  const lines = ['', 'covered:'];
  const outdirs = new Set(synthesized.map((s) => s.config.outdir));
  const all = [...results.values()].flat();
  if (outdirs.size !== synthesized.length || all.some((r) => !synthesized.some((s) => s.config === r.job.config))) {
    throw new Error('internal error in npm run validate: two configs shared a work folder, or a result belongs to no config; the coverage table would not be true');
  }
  let counted = 0;
  for (const s of synthesized) {
    const rs = results.get(s.config) ?? [];
    counted += rs.length;
    const failed = rs.filter((r) => !passed(r)).length;
    const missing = s.checked - rs.length;
    const status = !ran
      ? 'not checked (no terraform)'
      : `${rs.filter(passed).length}/${s.checked} checked ok${failed ? `, ${failed} FAILED` : ''}${missing ? `, ${missing} NOT CHECKED` : ''}`;
    const what = [s.config.covers, s.policies].filter(Boolean).join('; ');
    lines.push(`  ${s.config.name.padEnd(width)}  ${String(s.stacks).padStart(5)} stacks, ${status}${what ? `  -- ${what}` : ''}`);
  }
  if (counted !== all.length) throw new Error(`internal error in npm run validate: the coverage table counts ${counted} results of ${all.length}`);
  const stacks = synthesized.reduce((n, s) => n + s.stacks, 0);
  const checked = synthesized.reduce((n, s) => n + s.checked, 0);
  const kinds = (prefix: string) => synthesized.filter((s) => s.config.name.startsWith(prefix)).length;
  const encodings = [
    ...new Set(synthesized.flatMap((s) => [...s.policies.matchAll(/(bucket|key) \d+ B ([\w-]+)|(scp) [\d+]+ chars ([\w-]+)/g)].map((m) => (m[1] ? `${m[1]} ${m[2]}` : `${m[3]} ${m[4]}`)))),
  ].sort();
  lines.push(
    `  ${synthesized.length} configs (${kinds('generated/')} generated shapes, ${kinds('samples/')} random samples, ${synthesized.length - kinds('generated/') - kinds('samples/')} examples/arguments); ` +
      `${stacks} stacks synthesized, ${checked} selected for Terraform${ran ? '' : ' (NOT checked: no terraform)'}; ${seconds.toFixed(1)} s`,
    `  policy encodings seen: ${encodings.join(', ') || 'none'}`,
  );
  return lines.join('\n');
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
