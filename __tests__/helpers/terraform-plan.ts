/**
 * Terraform itself as the oracle of the change gate: the real aws 5.100.0
 * provider plans the current stacks against a state that holds what the base
 * stacks deployed, offline.
 *
 * - The state is written from the base stack JSON: every argument as the
 *   config gives it (references resolved to the state's own values), the
 *   computed attributes a reference reads (ids, ARNs) with made-up values,
 *   and the provider's defaults for the ForceNew arguments the stacks leave
 *   out (measured: without them every plan replaces, e.g. `path` "/" of a role).
 * - The current stacks are planned with `terraform plan -refresh=false`
 *   (nothing is read from AWS; the provider's own plan logic runs: ForceNew,
 *   moved and removed blocks), with dummy credentials, no backend, no import
 *   blocks, no prevent_destroy and no postconditions (so a replacement or a
 *   home region change Terraform would refuse still shows what it plans;
 *   `keepChecks` keeps them, to see Terraform refuse), and `data "aws_kms_key"`
 *   lookups replaced by a fixed key ARN per alias (the same on both sides, so
 *   they change nothing).
 * - Many stack pairs are planned at once, each as a child module of one root,
 *   whose provider configurations come from the root (one per region: one
 *   provider process per region instead of one per stack).
 *
 * Needs terraform and the provider mirror (CLOUDTRAIL_TF_PLUGIN_DIR, default /opt/tf-plugins).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { withChecksGc } from '../../cli/lib/terraform/process';

type Json = Record<string, any>;

export const PLUGIN_DIR = process.env.CLOUDTRAIL_TF_PLUGIN_DIR || '/opt/tf-plugins';
export const hasTerraformAndMirror = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0 && existsSync(PLUGIN_DIR);

const AWS = 'registry.terraform.io/hashicorp/aws';

/** Defaults of ForceNew arguments the stacks leave out (from the provider source; see cli/lib/force-new.ts). */
const STATE_DEFAULTS: Record<string, Json> = {
  aws_iam_role: { path: '/' },
  aws_kms_key: { key_usage: 'ENCRYPT_DECRYPT', customer_master_key_spec: 'SYMMETRIC_DEFAULT', multi_region: false },
  aws_sns_topic: { fifo_topic: false },
  aws_sqs_queue: { fifo_queue: false },
  aws_s3_bucket: { object_lock_enabled: false },
  aws_s3_bucket_lifecycle_configuration: { expected_bucket_owner: '' },
  aws_s3_bucket_versioning: { expected_bucket_owner: '' },
  aws_s3_bucket_server_side_encryption_configuration: { expected_bucket_owner: '' },
  aws_s3_bucket_object_lock_configuration: { expected_bucket_owner: '' },
  aws_s3_bucket_logging: { expected_bucket_owner: '' },
  aws_cloudwatch_log_group: { log_group_class: 'STANDARD' },
  aws_cloudwatch_event_rule: { event_bus_name: 'default' },
  aws_cloudwatch_event_target: { event_bus_name: 'default' },
  aws_cloudwatch_event_bus_policy: { event_bus_name: 'default' },
  aws_organizations_policy: { type: 'SERVICE_CONTROL_POLICY' },
};

const uuid = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const asList = (v: unknown): any[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function providersOf(stack: Json): Json[] {
  return asList(stack.provider?.aws);
}

function providerAlias(body: Json): string | undefined {
  return typeof body.provider === 'string' ? body.provider.replace(/^\$\{|\}$/g, '').replace(/^aws\./, '') : undefined;
}

/** The key ARN a `data "aws_kms_key"` lookup gives: the key ARN itself, or a fixed key for an alias ARN. */
function lookedUpKeyArn(keyId: string): string {
  const m = /^arn:([^:]+):kms:([^:]+):(\d{12}):alias\//.exec(keyId);
  return m ? `arn:${m[1]}:kms:${m[2]}:${m[3]}:key/${uuid(keyId)}` : keyId;
}

const unescape = (s: string) => s.replace(/\$\$\{|%%\{/g, (m) => m.slice(1));

/** Replaces `${...}` references of a template string with `lookup(ref)` (escapes become literal text). */
function resolveTemplate(text: string, lookup: (ref: string) => unknown): unknown {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) return lookup(whole[1].trim());
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += `${text[i]}{`;
      i += 2;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i);
      out += String(lookup(text.slice(i + 2, end).trim()) ?? '');
      i = end;
    } else out += text[i];
  }
  return out;
}

interface SchemaBlock {
  attributes?: Record<string, { type: unknown; computed?: boolean; optional?: boolean; required?: boolean }>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}

/** The state's attributes of one resource: config arguments (resolved), schema-shaped. */
function stateValue(block: SchemaBlock, config: Json, resolve: (v: unknown) => unknown, extra: Json = {}): Json {
  const out: Json = {};
  for (const [name, attr] of Object.entries(block.attributes ?? {})) {
    if (name in extra) out[name] = extra[name];
    else if (config[name] !== undefined) out[name] = resolve(config[name]);
    else out[name] = attr.type === 'bool' && !attr.computed ? null : null;
  }
  for (const [name, bt] of Object.entries(block.block_types ?? {})) {
    const items = asList(config[name]).map((item) => stateValue(bt.block, item, resolve));
    out[name] = bt.nesting_mode === 'single' || bt.nesting_mode === 'group' ? (items[0] ?? null) : items;
  }
  return out;
}

export interface StackPairToPlan {
  /** A label for messages. */
  readonly label: string;
  readonly stack: string;
  readonly base: Json;
  readonly current: Json;
}

export interface TerraformAction {
  readonly address: string;
  readonly previousAddress?: string;
  readonly action: 'destroy' | 'replace' | 'forget' | 'move';
}

/**
 * Plans every pair (child module per pair, one `terraform plan`) and returns,
 * per pair, the destroys, replacements, forgets and moves Terraform plans.
 */
export function terraformChangePlans(dir: string, pairs: readonly StackPairToPlan[], options: { readonly keepChecks?: boolean } = {}): TerraformAction[][] {
  mkdirSync(dir, { recursive: true });
  const rc = path.join(dir, 'terraform.rc');
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path = "${PLUGIN_DIR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
  );
  const env: NodeJS.ProcessEnv = withChecksGc({ ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', AWS_EC2_METADATA_DISABLED: 'true' });
  for (const k of Object.keys(env)) if (/^(TF_(CLI_ARGS|DATA_DIR|WORKSPACE|VAR_)|AWS_(PROFILE|ACCESS|SECRET|SESSION))/.test(k)) delete env[k];
  const tf = (...args: string[]) => {
    const r = spawnSync('terraform', [...args, '-no-color'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  const modules: Json = {};
  const regions = new Set<string>();
  pairs.forEach((p, i) => {
    const name = `p${i}`;
    mkdirSync(path.join(dir, name), { recursive: true });
    const { module, providers } = offline(p.current, options.keepChecks === true);
    writeFileSync(path.join(dir, name, 'main.tf.json'), JSON.stringify(module));
    for (const region of Object.values(providers)) regions.add(region);
    modules[name] = { source: `./${name}`, providers: Object.fromEntries(Object.entries(providers).map(([local, region]) => [local, `aws.${regionAlias(region)}`])) };
  });
  const rootProviders = [...regions].sort().map((region) => ({
    alias: regionAlias(region),
    region,
    access_key: 'AKIAFAKE',
    secret_key: 'fake',
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  }));
  const root = { terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } }, provider: { aws: rootProviders }, module: modules };
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(root));
  tf('init', '-input=false');
  const schemas = JSON.parse(tf('providers', 'schema', '-json')).provider_schemas[AWS].resource_schemas as Record<string, { version: number; block: SchemaBlock }>;

  const resources: Json[] = [];
  pairs.forEach((p, i) => resources.push(...stateResources(`module.p${i}`, p.base, schemas, offline(p.current).providers)));
  writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-4000-8000-000000000000', outputs: {}, resources }));
  tf('plan', '-refresh=false', '-input=false', '-lock=false', '-out=plan.bin');
  const plan = JSON.parse(tf('show', '-json', 'plan.bin'));
  const out: TerraformAction[][] = pairs.map(() => []);
  for (const rc of plan.resource_changes ?? []) {
    const m = /^module\.p(\d+)\.(.*)$/.exec(rc.address);
    if (!m || rc.mode !== 'managed') continue;
    const actions: string[] = rc.change.actions;
    const previous = typeof rc.previous_address === 'string' ? rc.previous_address.replace(/^module\.p\d+\./, '') : undefined;
    let action: TerraformAction['action'] | undefined;
    if (actions.includes('delete') && actions.includes('create')) action = 'replace';
    else if (actions.length === 1 && actions[0] === 'delete') action = 'destroy';
    else if (actions.includes('forget')) action = 'forget';
    else if (previous) action = 'move';
    if (action) out[Number(m[1])].push({ address: m[2], ...(previous ? { previousAddress: previous } : {}), action });
  }
  return out.map((list) => list.sort((a, b) => (a.address < b.address ? -1 : 1)));
}

const regionAlias = (region: string) => `r_${region.replace(/-/g, '_')}`;

/**
 * The stack as a child module planned offline: no backend, no provider blocks
 * (the root passes one per region: `providers` maps the module's provider
 * names, `aws` and `aws.<alias>`, to regions), no imports, no prevent_destroy or postconditions (unless `keepChecks`),
 * key lookups as fixed ARNs.
 */
function offline(stack: Json, keepChecks = false): { module: Json; providers: Record<string, string> } {
  const lookups = new Map<string, string>();
  for (const [name, body] of Object.entries<Json>(stack.data?.aws_kms_key ?? {})) lookups.set(`data.aws_kms_key.${name}.arn`, lookedUpKeyArn(unescape(body.key_id)));
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\$\{(data\.aws_kms_key\.[\w-]+\.arn)\}/g, (m, ref: string) => lookups.get(ref) ?? m);
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };
  const out: Json = rewrite(JSON.parse(JSON.stringify(stack))) as Json;
  delete out.data;
  delete out.import;
  delete out['//'];
  if (out.terraform) {
    delete out.terraform.backend;
    delete out.terraform.cloud;
  }
  const providers: Record<string, string> = {};
  const aliases: string[] = [];
  for (const p of providersOf(out)) {
    providers[p.alias ? `aws.${p.alias}` : 'aws'] = p.region;
    if (p.alias) aliases.push(`aws.${p.alias}`);
  }
  delete out.provider;
  out.terraform = { ...(out.terraform ?? {}), required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0', ...(aliases.length ? { configuration_aliases: aliases } : {}) } } };
  for (const byName of Object.values<Json>(out.resource ?? {})) {
    for (const body of Object.values<Json>(byName)) {
      const lifecycle = asList(body.lifecycle)[0];
      if (lifecycle && !keepChecks) {
        delete lifecycle.prevent_destroy;
        delete lifecycle.postcondition;
      }
    }
  }
  return { module: out, providers };
}

/** The state entries of one base stack under `module`. */
function stateResources(module: string, stack: Json, schemas: Record<string, { version: number; block: SchemaBlock }>, passed: Record<string, string>): Json[] {
  const providers = providersOf(stack);
  const account: string = providers.find((p) => !p.alias)?.allowed_account_ids?.[0] ?? '123456789012';
  const regionOf = (body: Json) => {
    const alias = providerAlias(body);
    return (alias ? providers.find((p) => p.alias === alias)?.region : undefined) ?? providers.find((p) => !p.alias)?.region ?? 'us-east-1';
  };
  const partition = /^cn-/.test(regionOf({})) ? 'aws-cn' : /^us-gov-/.test(regionOf({})) ? 'aws-us-gov' : 'aws';
  const bodies = new Map<string, { type: string; name: string; body: Json }>();
  for (const [type, byName] of Object.entries<Json>(stack.resource ?? {})) for (const [name, body] of Object.entries<Json>(byName)) bodies.set(`${type}.${name}`, { type, name, body });
  const lookups = new Map<string, string>();
  for (const [name, body] of Object.entries<Json>(stack.data?.aws_kms_key ?? {})) lookups.set(`data.aws_kms_key.${name}.arn`, lookedUpKeyArn(unescape(body.key_id)));

  const memo = new Map<string, unknown>();
  const arg = (address: string, name: string): unknown => resolve(bodies.get(address)?.body[name]);
  /** The made-up computed attributes of a resource (what references read). */
  const computed = (address: string): Json => {
    const { type, body } = bodies.get(address)!;
    const region = regionOf(body);
    const s = (v: unknown) => (typeof v === 'string' ? v : String(v ?? ''));
    switch (type) {
      case 'aws_s3_bucket': {
        const b = s(arg(address, 'bucket'));
        return { id: b, arn: `arn:${partition}:s3:::${b}` };
      }
      case 'aws_kms_key': {
        const id = uuid(`${module}.${address}`);
        return { id, key_id: id, arn: `arn:${partition}:kms:${region}:${account}:key/${id}` };
      }
      case 'aws_kms_alias': {
        const n = s(arg(address, 'name'));
        return { id: n, arn: `arn:${partition}:kms:${region}:${account}:${n}` };
      }
      case 'aws_cloudtrail': {
        const arn = `arn:${partition}:cloudtrail:${region}:${account}:trail/${s(arg(address, 'name'))}`;
        return { id: arn, arn, home_region: region };
      }
      case 'aws_sns_topic': {
        const arn = `arn:${partition}:sns:${region}:${account}:${s(arg(address, 'name'))}`;
        return { id: arn, arn };
      }
      case 'aws_sqs_queue': {
        const n = s(arg(address, 'name'));
        return { id: `https://sqs.${region}.amazonaws.com/${account}/${n}`, url: `https://sqs.${region}.amazonaws.com/${account}/${n}`, arn: `arn:${partition}:sqs:${region}:${account}:${n}` };
      }
      case 'aws_cloudwatch_log_group': {
        const n = s(arg(address, 'name'));
        return { id: n, arn: `arn:${partition}:logs:${region}:${account}:log-group:${n}` };
      }
      case 'aws_iam_role': {
        const n = s(arg(address, 'name'));
        return { id: n, arn: `arn:${partition}:iam::${account}:role/${n}`, unique_id: `AROA${uuid(n).slice(0, 16).toUpperCase()}` };
      }
      case 'aws_iam_role_policy':
        return { id: `${s(arg(address, 'role'))}:${s(arg(address, 'name'))}` };
      case 'aws_sns_topic_policy':
        return { id: s(arg(address, 'arn')) };
      case 'aws_sqs_queue_policy':
        return { id: s(arg(address, 'queue_url')) };
      case 'aws_sns_topic_subscription': {
        const arn = `${s(arg(address, 'topic_arn'))}:${uuid(address)}`;
        return { id: arn, arn };
      }
      default:
        return type.startsWith('aws_s3_bucket_') ? { id: s(arg(address, 'bucket')) } : { id: address };
    }
  };
  const lookup = (ref: string): unknown => {
    if (lookups.has(ref)) return lookups.get(ref);
    const m = /^([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(ref);
    if (!m || !bodies.has(`${m[1]}.${m[2]}`)) throw new Error(`cannot resolve \${${ref}} for the state`);
    const address = `${m[1]}.${m[2]}`;
    const c = computed(address);
    return m[3] in c ? c[m[3]] : arg(address, m[3]);
  };
  function resolve(v: unknown): unknown {
    if (typeof v === 'string') {
      if (!memo.has(v)) memo.set(v, resolveTemplate(v, lookup));
      return memo.get(v);
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  }

  const out: Json[] = [];
  for (const [address, { type, name, body }] of bodies) {
    const schema = schemas[type];
    if (!schema) throw new Error(`no provider schema for ${type}`);
    const alias = providerAlias(body);
    const defaults = STATE_DEFAULTS[type] ?? {};
    const config = { ...defaults, ...Object.fromEntries(Object.entries(body).filter(([k]) => !['//', 'lifecycle', 'depends_on', 'provider'].includes(k))) };
    const tags = (resolve(body.tags) as Json | undefined) ?? {};
    // The root's providers have no default_tags: tags_all is the resource's own tags.
    const attributes = stateValue(schema.block, config, resolve, { ...computed(address), tags: body.tags === undefined ? null : tags, tags_all: tags });
    out.push({
      module,
      mode: 'managed',
      type,
      name,
      provider: `provider["${AWS}"].${regionAlias(passed[alias ? `aws.${alias}` : 'aws'] ?? regionOf(body))}`,
      instances: [{ schema_version: schema.version, attributes }],
    });
  }
  return out;
}

/** The plan of a saved root (for debugging a failing comparison). */
export function readPlanText(dir: string): string {
  return readFileSync(path.join(dir, 'main.tf.json'), 'utf8');
}
