/**
 * Terraform itself, offline, on a config change: the stack synthesized from
 * the "before" config is planned with the real aws provider (5.100.0 from
 * the offline mirror, dummy credentials, no refresh), its planned values
 * become a local state as an apply would leave it (computed values filled
 * in: ids, ARNs, a trail's home region, and references resolved to the
 * values they point at), and the stack of the "after" config is planned on
 * that state. `terraform show -json` of that plan says what a deploy would
 * do to every address: create, update, delete, replace (with its order),
 * forget, move.
 *
 * Unlike `terraform test` with `mock_provider`, the real provider plans
 * here, so a replacement (an attribute that forces a new resource) shows as
 * one. No AWS call is made: no refresh, and looked-up keys
 * (`data "aws_kms_key"`) are replaced by a fixed key ARN in both stacks.
 *
 * Needs `terraform` on PATH and the provider mirror (CLOUDTRAIL_TF_PLUGIN_DIR,
 * default /opt/tf-plugins); `terraformAvailable` says whether they are there.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PlannedChange } from '../../modules/change-safety';
import { withChecksGc } from '../../cli/lib/terraform/process';

export const PLUGIN_DIR = process.env.CLOUDTRAIL_TF_PLUGIN_DIR || '/opt/tf-plugins';
export const terraformAvailable = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0 && existsSync(PLUGIN_DIR);

type Json = Record<string, any>;

const UUID = '0a1b2c3d-1111-2222-3333-444455556666';
const PROVIDER = 'registry.terraform.io/hashicorp/aws';

export interface TransitionPlan {
  /** The plan succeeded (false: Terraform refused it; see `output`). */
  readonly ok: boolean;
  /** Every resource change of the "after" plan (`terraform show -json`). */
  readonly changes: readonly (PlannedChange & { change: { actions: string[]; after?: Json } })[];
  /** What Terraform printed for the "after" plan (human format), for messages. */
  readonly output: string;
}

function run(dir: string, env: NodeJS.ProcessEnv, args: string[]): { status: number; out: string } {
  const t0 = Date.now();
  const r = spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (process.env.TRANSITION_TIMING) console.log(args[0], Date.now() - t0);
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** A copy of a stack Terraform can plan offline: no backend, providers with dummy credentials, looked-up keys as fixed ARNs. */
export function offlineStack(stack: Json): Json {
  let text = JSON.stringify(stack);
  for (const [name, body] of Object.entries<Json>(stack.data?.aws_kms_key ?? {})) {
    const m = /^arn:([^:]+):kms:([^:]+):(\d{12}):/.exec(String(body.key_id));
    const arn = m ? `arn:${m[1]}:kms:${m[2]}:${m[3]}:key/${UUID}` : `arn:aws:kms:us-east-1:111111111111:key/${UUID}`;
    text = text.split(`\${data.aws_kms_key.${name}.arn}`).join(arn);
  }
  const copy = JSON.parse(text);
  delete copy.terraform.backend;
  delete copy.terraform.cloud;
  if (copy.data) {
    delete copy.data.aws_kms_key;
    if (Object.keys(copy.data).length === 0) delete copy.data;
  }
  const providers: Json[] = [].concat(copy.provider?.aws ?? []);
  for (const p of providers) {
    delete p.assume_role;
    delete p.allowed_account_ids;
    Object.assign(p, {
      access_key: 'offline',
      secret_key: 'offline',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    });
  }
  if (providers.length) copy.provider.aws = providers;
  return copy;
}

/** What a state entry needs from the provider's schema: the resource's schema version, and the type of each top-level attribute. */
interface ResourceSchema {
  readonly version: number;
  readonly attributeTypes: Record<string, unknown>;
}
let schemas: Record<string, ResourceSchema> | undefined;

function resourceSchemas(dir: string, env: NodeJS.ProcessEnv): Record<string, ResourceSchema> {
  if (!schemas) {
    const r = spawnSync('terraform', ['providers', 'schema', '-json'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`terraform providers schema failed:\n${r.stderr}`);
    const all = JSON.parse(r.stdout).provider_schemas[PROVIDER].resource_schemas as Record<string, { version: number; block: { attributes?: Record<string, { type: unknown }> } }>;
    schemas = Object.fromEntries(
      Object.entries(all).map(([t, s]) => [t, { version: s.version, attributeTypes: Object.fromEntries(Object.entries(s.block.attributes ?? {}).map(([a, v]) => [a, v.type])) }]),
    );
  }
  return schemas;
}

/** The value at a path of a JSON value; a block written as an object matches index 0 of a list. */
function at(value: unknown, pathParts: readonly (string | number)[]): unknown {
  let v: any = value;
  for (const p of pathParts) {
    if (v === undefined || v === null) return undefined;
    if (typeof p === 'number') v = Array.isArray(v) ? v[p] : p === 0 ? v : undefined;
    else v = Array.isArray(v) ? v[0]?.[p] : v[p];
  }
  return v;
}

interface Planned {
  readonly type: string;
  readonly name: string;
  readonly providerKey: string;
  readonly region: string;
  readonly after: Json;
  readonly unknown: Json;
  readonly raw: Json;
}

/**
 * The state an apply of `before` leaves: its planned values with every
 * computed value filled in, references resolved to the values they name.
 */
function stateFromPlan(plan: Json, stack: Json, account: string, schemaOf: Record<string, ResourceSchema>): Json {
  const providers: Json[] = [].concat(stack.provider?.aws ?? []);
  const regionOf = (key: string) => {
    const alias = key.includes('.') ? key.split('.')[1] : undefined;
    return providers.find((p) => (alias ? p.alias === alias : !p.alias))?.region ?? 'us-east-1';
  };
  const keyOf = new Map<string, string>(
    (plan.configuration?.root_module?.resources ?? []).map((r: Json) => [r.address, String(r.provider_config_key ?? 'aws').replace(/^.*:/, '')]),
  );
  const planned = new Map<string, Planned>();
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed' || !rc.change.actions.includes('create')) continue;
    const providerKey = keyOf.get(rc.address) ?? 'aws';
    planned.set(rc.address, {
      type: rc.type,
      name: rc.name,
      providerKey,
      region: regionOf(providerKey),
      after: rc.change.after ?? {},
      unknown: rc.change.after_unknown ?? {},
      raw: stack.resource[rc.type][rc.name],
    });
  }

  const filled = new Map<string, Json>();
  const resolving = new Set<string>();
  const valueOf = (address: string, attr: string): unknown => {
    const values = fill(address);
    return values[attr];
  };
  /** A template string of the stack with its `${type.name.attr}` references replaced by the filled values. */
  const evaluate = (template: string): string | undefined => {
    let failed = false;
    const out = template.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g, (_, t, n, a) => {
      const v = planned.has(`${t}.${n}`) ? valueOf(`${t}.${n}`, a) : undefined;
      if (typeof v !== 'string') failed = true;
      return String(v);
    });
    return failed || out.includes('${') ? undefined : out;
  };
  const fakeFor = (p: Planned, attr: string, values: Json): unknown => {
    const r = p.region;
    const name: string = values.name ?? values.bucket ?? p.name;
    const arn = () => {
      switch (p.type) {
        case 'aws_kms_key':
          return `arn:aws:kms:${r}:${account}:key/${UUID}`;
        case 'aws_kms_alias':
          return `arn:aws:kms:${r}:${account}:${name}`;
        case 'aws_cloudtrail':
          return `arn:aws:cloudtrail:${r}:${account}:trail/${name}`;
        case 'aws_sns_topic':
          return `arn:aws:sns:${r}:${account}:${name}`;
        case 'aws_sqs_queue':
          return `arn:aws:sqs:${r}:${account}:${name}`;
        case 'aws_cloudwatch_log_group':
          return `arn:aws:logs:${r}:${account}:log-group:${name}`;
        case 'aws_iam_role':
          return `arn:aws:iam::${account}:role/${name}`;
        case 'aws_s3_bucket':
          return `arn:aws:s3:::${name}`;
        case 'aws_sns_topic_subscription':
          return `${values.topic_arn ?? `arn:aws:sns:${r}:${account}:topic`}:${UUID}`;
        default:
          return `arn:aws:${p.type.replace(/^aws_/, '').split('_')[0]}:${r}:${account}:${p.name}`;
      }
    };
    switch (attr) {
      case 'arn':
        return arn();
      case 'key_id':
        return UUID;
      case 'target_key_arn':
        return `arn:aws:kms:${r}:${account}:key/${UUID}`;
      case 'home_region':
        return r;
      case 'tags_all': {
        const provider = providers.find((pr) => (p.providerKey.includes('.') ? pr.alias === p.providerKey.split('.')[1] : !pr.alias));
        return { ...(provider?.default_tags?.[0]?.tags ?? {}), ...(values.tags ?? {}) };
      }
      case 'url':
        return `https://sqs.${r}.amazonaws.com/${account}/${name}`;
      case 'id':
        switch (p.type) {
          case 'aws_kms_key':
            return UUID;
          case 'aws_cloudtrail':
          case 'aws_sns_topic':
          case 'aws_sns_topic_subscription':
            return arn();
          case 'aws_sns_topic_policy':
            return values.arn;
          case 'aws_sqs_queue':
            return `https://sqs.${r}.amazonaws.com/${account}/${name}`;
          case 'aws_sqs_queue_policy':
            return values.queue_url;
          case 'aws_iam_role_policy':
            return `${values.role}:${values.name}`;
          default:
            return p.type.startsWith('aws_s3_bucket') ? values.bucket : name;
        }
      default:
        return undefined;
    }
  };
  /** Fills unknown values (recursively in nested blocks) of one planned resource. */
  const fillValue = (p: Planned, value: unknown, unknown: unknown, pathParts: (string | number)[], root: Json): unknown => {
    if (unknown === true) {
      const raw = at(p.raw, pathParts);
      if (typeof raw === 'string' && raw.includes('${')) {
        const v = evaluate(raw);
        if (v !== undefined) return v;
      }
      if (pathParts.length === 1) {
        const v = fakeFor(p, String(pathParts[0]), root);
        if (v !== undefined) return v;
      }
      // Unknown and not derivable: what an apply of an unset computed attribute leaves (an empty collection, or nothing).
      if (Array.isArray(value)) return [];
      if (value === undefined && pathParts.length === 1) {
        const type = schemaOf[p.type]?.attributeTypes[String(pathParts[0])];
        const kind = Array.isArray(type) ? type[0] : undefined;
        if (kind === 'list' || kind === 'set') return [];
        if (kind === 'map') return {};
      }
      return value ?? null;
    }
    if (Array.isArray(value)) return value.map((v, i) => fillValue(p, v, Array.isArray(unknown) ? unknown[i] : undefined, [...pathParts, i], root));
    if (value && typeof value === 'object') {
      const out: Json = {};
      for (const k of new Set([...Object.keys(value), ...Object.keys((unknown as Json) ?? {})])) {
        out[k] = fillValue(p, (value as Json)[k], (unknown as Json)?.[k], [...pathParts, k], root);
      }
      return out;
    }
    if (unknown && typeof unknown === 'object' && value === undefined) return fillValue(p, Array.isArray(unknown) ? [] : {}, unknown, pathParts, root);
    return value;
  };
  const fill = (address: string): Json => {
    const done = filled.get(address);
    if (done) return done;
    if (resolving.has(address)) throw new Error(`reference cycle at ${address}`);
    resolving.add(address);
    const p = planned.get(address)!;
    // Top-level attributes first in an order where id/arn/name come before what derives from them.
    const values: Json = { ...p.after };
    const order = Object.keys({ ...p.after, ...p.unknown }).sort((a, b) => rank(a) - rank(b));
    for (const k of order) values[k] = fillValue(p, p.after[k], p.unknown[k], [k], values);
    resolving.delete(address);
    filled.set(address, values);
    return values;
  };
  const rank = (attr: string) => (['name', 'bucket', 'topic_arn', 'role', 'queue_url'].includes(attr) ? 0 : attr === 'arn' ? 1 : attr === 'id' ? 2 : 3);

  const resources = [...planned.entries()].map(([address, p]) => ({
    mode: 'managed',
    type: p.type,
    name: p.name,
    provider: `provider["${PROVIDER}"]${p.providerKey.includes('.') ? `.${p.providerKey.split('.')[1]}` : ''}`,
    instances: [{ schema_version: schemaOf[p.type]?.version ?? 0, attributes: fill(address), sensitive_attributes: [] }],
  }));
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-0000-0000-000000000001', outputs: {}, resources };
}

export interface Transition {
  /** A name for the pair (a Terraform module name: letters, digits, "_" and "-"). */
  readonly name: string;
  /** The synthesized stack of the base config (as deployed). */
  readonly before: Json;
  /** The synthesized stack of the changed config, planned on the state `before` left. */
  readonly after: Json;
  /** The account the computed ARNs name. */
  readonly account: string;
}

/**
 * Plans each transition's `after` stack on the state an apply of its
 * `before` stack leaves, offline with the real provider. The pairs are
 * planned together in one Terraform run, each stack a child module of its
 * own (`module.<name>`, with its own providers): two plans and two
 * `terraform show` for any number of pairs. Addresses in the result are
 * relative to the stack (the module prefix is taken off).
 */
export function planTransitions(transitions: readonly Transition[]): Map<string, TransitionPlan> {
  mkdirSync(os.tmpdir(), { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tf-transition-'));
  try {
    const rc = path.join(dir, 'terraform.rc');
    writeFileSync(
      rc,
      `provider_installation {\n  filesystem_mirror {\n    path = "${PLUGIN_DIR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
    );
    const env: NodeJS.ProcessEnv = withChecksGc({ ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', AWS_EC2_METADATA_DISABLED: 'true' });
    for (const k of Object.keys(env)) if (/^(TF_(CLI_ARGS|DATA_DIR|WORKSPACE|VAR_|LOG)|AWS_(PROFILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|CONFIG_FILE|SHARED_CREDENTIALS_FILE|ENDPOINT_URL))/.test(k)) delete env[k];
    const root = {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
      module: Object.fromEntries(transitions.map((t) => [t.name, { source: `./${t.name}` }])),
    };
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(root));
    const write = (t: Transition, stack: Json) => {
      mkdirSync(path.join(dir, t.name), { recursive: true });
      const body = { ...stack };
      delete body.output; // outputs of a child module are not what a plan of the stack shows
      writeFileSync(path.join(dir, t.name, 'cdk.tf.json'), JSON.stringify(body));
    };
    const offlineBefore = new Map<string, Json>();
    for (const t of transitions) {
      // The state already holds what `before` imported: its import blocks have done their work.
      const stack = offlineStack(t.before);
      delete stack.import;
      offlineBefore.set(t.name, stack);
      write(t, stack);
    }
    const init = run(dir, env, ['init', '-input=false', '-no-color', '-backend=false']);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.out}`);
    const planBefore = run(dir, env, ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color', '-out=before.plan']);
    if (planBefore.status !== 0) throw new Error(`terraform plan of the "before" stacks failed:\n${planBefore.out}`);
    const beforePlan = show(dir, env, 'before.plan');
    const resources: Json[] = [];
    for (const t of transitions) {
      const prefix = `module.${t.name}.`;
      const own = {
        resource_changes: (beforePlan.resource_changes ?? []).filter((rc: Json) => rc.module_address === `module.${t.name}`).map((rc: Json) => ({ ...rc, address: rc.address.slice(prefix.length) })),
        configuration: { root_module: beforePlan.configuration?.root_module?.module_calls?.[t.name]?.module ?? {} },
      };
      for (const r of stateFromPlan(own, offlineBefore.get(t.name)!, t.account, resourceSchemas(dir, env)).resources) {
        resources.push({ module: `module.${t.name}`, ...r, provider: r.provider.replace(/^provider/, `module.${t.name}.provider`) });
      }
    }
    const state = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-0000-0000-000000000001', outputs: {}, resources };
    writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify(state));

    for (const t of transitions) write(t, offlineStack(t.after));
    const planAfter = run(dir, env, ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color', '-out=after.plan']);
    const out = new Map<string, TransitionPlan>();
    if (planAfter.status !== 0) {
      for (const t of transitions) out.set(t.name, { ok: false, changes: [], output: planAfter.out });
      return out;
    }
    const afterPlan = show(dir, env, 'after.plan');
    for (const t of transitions) {
      const prefix = `module.${t.name}.`;
      const changes = (afterPlan.resource_changes ?? [])
        .filter((rc: Json) => rc.module_address === `module.${t.name}`)
        .map((rc: Json) => ({ ...rc, address: rc.address.slice(prefix.length), previous_address: rc.previous_address?.slice(prefix.length) }));
      out.set(t.name, { ok: true, changes, output: planAfter.out });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One transition (see planTransitions). */
export function planTransition(before: Json, after: Json, account: string): TransitionPlan {
  return planTransitions([{ name: 'stack', before, after, account }]).get('stack')!;
}

function show(dir: string, env: NodeJS.ProcessEnv, planFile: string): Json {
  const t0 = Date.now();
  const shown = spawnSync('terraform', ['show', '-json', planFile], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (process.env.TRANSITION_TIMING) console.log('show', Date.now() - t0);
  if (shown.status !== 0) throw new Error(`terraform show failed:\n${shown.stderr}`);
  return JSON.parse(shown.stdout);
}

/** `address: action,action` for every change that is not a no-op (sorted), for readable assertions. */
export function actionsOf(plan: TransitionPlan): string[] {
  return plan.changes
    .filter((c) => !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op') || c.previous_address)
    .map((c) => `${c.previous_address ? `${c.previous_address} -> ` : ''}${c.address}: ${c.change.actions.join(',')}`)
    .sort();
}
