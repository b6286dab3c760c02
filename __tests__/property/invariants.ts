/**
 * What must hold for every synthesized fleet, as functions that return the
 * problems they find (empty = fine), so a property test can print them with
 * the counterexample. Each reads the synthesized cdk.tf.json, never our own
 * model of it.
 */
import type { FleetConfig } from '../../config/model';
import * as rules from '../../config/rules';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../../modules/policies/document';
import { fleetPolicies } from '../../modules/policies/fleet-policies';
import { synthSummary } from '../../stacks/summary';

export type Json = Record<string, any>;
export type Stacks = ReadonlyMap<string, Json>;

/**
 * A cdktf reference as cdktf writes it: `${aws_kms_key.central_key.arn}`,
 * `${data.aws_kms_key.k.arn}`, `${aws_x.y.list[0].attr}`. Nothing else may
 * follow a bare `${`.
 */
const REFERENCE = /^\$\{(data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_]+|\[\d+\])*\}/;

/**
 * Template problems of one string, by HCL's template rules: `$${` and `%%{`
 * are escapes (literal `${`, `%{`); a bare `${` must be a cdktf reference; a
 * bare `%{` (a directive) is never written by this app.
 */
export function templateProblemsOf(text: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      i += 2;
      continue;
    }
    if (text.startsWith('${', i)) {
      const m = REFERENCE.exec(text.slice(i));
      if (!m) problems.push(`unescaped "\${" at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 40))}`);
      else i += m[0].length - 1;
    } else if (text.startsWith('%{', i)) {
      problems.push(`unescaped "%{" at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 40))}`);
      i += 1;
    }
  }
  return problems;
}

/** Every string and every object key of a JSON value, with its path. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* strings(value[i], `${at}[${i}]`);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield [`${at} key ${JSON.stringify(k)}`, k];
      yield* strings(v, `${at}.${k}`);
    }
  }
}

/** No string or key of any stack holds template text Terraform would interpret (other than cdktf's own references). */
export function templateProblems(stacks: Stacks): string[] {
  const out: string[] = [];
  for (const [name, stack] of stacks) {
    for (const [at, text] of strings(stack, name)) {
      // cdktf's own metadata ("//") is a comment to Terraform.
      if (at.includes('.//') || at.endsWith('key "//"')) continue;
      // A resource condition is an expression by nature: the trail's home-region check compares self.home_region with a region name.
      if (/\.lifecycle\.postcondition\[\d+\]\.condition$/.test(at) && /^\$\{\(self\.home_region == "[a-z0-9-]+"\)\}$/.test(text)) continue;
      for (const p of templateProblemsOf(text)) out.push(`${at}: ${p}`);
    }
  }
  return out;
}

/** What Terraform sends to AWS for a literal string: `$${` -> `${`, `%%{` -> `%{`. */
export function unescapeTemplate(text: string): string {
  return text.replace(/([$%])\1\{/g, '$1{');
}

export function providersOf(stack: Json): Json[] {
  const p = stack.provider?.aws;
  return p === undefined ? [] : Array.isArray(p) ? p : [p];
}

/** Every provider block has allowed_account_ids equal to its stack's account. */
export function providerProblems(stacks: Stacks, config: FleetConfig): string[] {
  const out: string[] = [];
  for (const [name, stack] of stacks) {
    const account = name === 'cloudtrail-central' ? config.central.accountId : /^cloudtrail-account-(\d{12})$/.exec(name)?.[1];
    if (!account) {
      out.push(`${name}: a stack name that is neither cloudtrail-central nor cloudtrail-account-<id>`);
      continue;
    }
    const providers = providersOf(stack);
    if (providers.length === 0) out.push(`${name}: no aws provider`);
    for (const p of providers) {
      if (JSON.stringify(p.allowed_account_ids) !== JSON.stringify([account])) {
        out.push(`${name}: provider ${p.alias ?? '(default)'} has allowed_account_ids ${JSON.stringify(p.allowed_account_ids)}, expected ["${account}"]`);
      }
    }
  }
  return out;
}

function only(stack: Json, type: string): Json | undefined {
  const all = Object.values(stack.resource?.[type] ?? {}) as Json[];
  return all.length === 1 ? all[0] : undefined;
}

/**
 * The bucket policy and the central key policy, measured as AWS receives
 * them, are within their limits and equal what the app reports
 * (`bucket_policy_bytes`, the synth summary).
 */
export function policySizeProblems(stacks: Stacks, config: FleetConfig): string[] {
  const out: string[] = [];
  const central = stacks.get('cloudtrail-central');
  if (!central) return ['no cloudtrail-central stack'];
  const policies = fleetPolicies(config);
  const summary = synthSummary(config);
  const check = (what: string, text: unknown, limit: number, claimed: number, summaryRe: RegExp, output?: unknown) => {
    if (typeof text !== 'string') return out.push(`${what}: no literal policy string`);
    const sent = unescapeTemplate(text);
    try {
      JSON.parse(sent);
    } catch {
      out.push(`${what}: not JSON after Terraform's unescaping`);
    }
    const bytes = Buffer.byteLength(sent, 'utf8');
    if (bytes > limit) out.push(`${what}: ${bytes} bytes, over the limit of ${limit}`);
    if (bytes !== claimed) out.push(`${what}: AWS receives ${bytes} bytes, the app claims ${claimed}`);
    const inSummary = summaryRe.exec(summary);
    if (!inSummary) out.push(`${what}: not in the synth summary: ${summary}`);
    else if (Number(inSummary[1]) !== bytes) out.push(`${what}: the synth summary says ${inSummary[1]} bytes, AWS receives ${bytes}`);
    if (output !== undefined && output !== bytes) out.push(`${what}: output bucket_policy_bytes is ${JSON.stringify(output)}, AWS receives ${bytes}`);
    return undefined;
  };
  // bucketManagement none: no policy resource; the policy is the output bucket_policy, for the bucket's owner.
  const bucketPolicyText = only(central, 'aws_s3_bucket_policy')?.policy ?? central.output?.bucket_policy?.value;
  check('bucket policy', bucketPolicyText, BUCKET_POLICY_LIMIT_BYTES, policies.bucket.bytes, /bucket policy: (\d+) of/, central.output?.bucket_policy_bytes?.value);
  if (policies.centralKey) {
    check('central key policy', only(central, 'aws_kms_key')?.policy, KEY_POLICY_LIMIT_BYTES, policies.centralKey.bytes, /central key policy: (\d+) of/);
  }
  return out;
}

/** Each trail resource of an account stack, by its (unescaped) name. */
function trailResources(stack: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const body of Object.values(stack.resource?.aws_cloudtrail ?? {}) as Json[]) out.set(unescapeTemplate(String(body.name)), body);
  return out;
}

/** Own entries of a tags mapping as written (Object.entries sees an own "__proto__" key too). */
function ownTags(tags: unknown): [string, string][] {
  return tags && typeof tags === 'object' ? (Object.entries(tags) as [string, string][]) : [];
}

function effectiveTags(stack: Json, resource: Json): Map<string, string> {
  const alias = typeof resource.provider === 'string' ? resource.provider.replace(/^aws\./, '') : undefined;
  const provider = providersOf(stack).find((p) => (alias ? p.alias === alias : !p.alias)) ?? {};
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries<string>(provider.default_tags?.[0]?.tags ?? {})) out.set(unescapeTemplate(k), unescapeTemplate(v));
  for (const [k, v] of Object.entries<string>(resource.tags ?? {})) out.set(unescapeTemplate(k), unescapeTemplate(v));
  return out;
}

/**
 * Every tag the user wrote reaches what it tags: each trail carries the tags
 * of its account entry merged over `defaults.tags` (on the trail or through
 * its provider's default_tags), and the central stack's provider carries
 * `central.tags`. Read from the config as written, so a tag the loader drops
 * is caught too.
 */
export function tagProblems(stacks: Stacks, raw: Json): string[] {
  const out: string[] = [];
  const check = (where: string, expected: [string, string][], actual: Map<string, string>) => {
    for (const [k, v] of expected) if (actual.get(k) !== v) out.push(`${where}: tag ${JSON.stringify(k)} should be ${JSON.stringify(v)}, is ${JSON.stringify(actual.get(k))}`);
  };
  const central = stacks.get('cloudtrail-central');
  if (central) check('cloudtrail-central', ownTags(raw.central?.tags), effectiveTags(central, {}));
  (raw.accounts ?? []).forEach((entry: Json, i: number) => {
    const trailName = entry.trailName ?? raw.defaults?.trailName;
    const stack = stacks.get(`cloudtrail-account-${entry.accountId}`);
    const trail = stack && trailResources(stack).get(trailName);
    // An account leaving the fleet keeps its stack, but no trail is managed there any more.
    if (entry.lifecycle === 'decommission' || entry.lifecycle === 'retain') {
      if (!stack) out.push(`accounts[${i}]: an account leaving the fleet (${entry.lifecycle}) must keep its stack cloudtrail-account-${entry.accountId}`);
      else if (trail) out.push(`accounts[${i}]: trail ${trailName} of an account leaving the fleet (${entry.lifecycle}) is still managed`);
      return;
    }
    if (!stack || !trail) return void out.push(`accounts[${i}]: no aws_cloudtrail named ${trailName} in cloudtrail-account-${entry.accountId}`);
    const expected = new Map(ownTags(raw.defaults?.tags));
    for (const [k, v] of ownTags(entry.tags)) expected.set(k, v);
    check(`accounts[${i}] (trail ${trailName})`, [...expected], effectiveTags(stack, trail));
  });
  return out;
}

/** Names of created resources obey AWS's naming rules (config/rules.ts), as AWS receives them. */
export function nameProblems(stacks: Stacks): string[] {
  const checks: [string, (name: string) => rules.Problem][] = [
    ['aws_cloudtrail', rules.trailNameProblem],
    ['aws_sns_topic', rules.snsTopicNameProblem],
    ['aws_sqs_queue', rules.sqsQueueNameProblem],
    ['aws_cloudwatch_log_group', rules.logGroupNameProblem],
    ['aws_kms_alias', rules.kmsAliasProblem],
    ['aws_s3_bucket', rules.bucketNameProblem],
  ];
  const out: string[] = [];
  for (const [stackName, stack] of stacks) {
    for (const [type, rule] of checks) {
      for (const [id, body] of Object.entries<Json>(stack.resource?.[type] ?? {})) {
        const name = body.name ?? body.bucket;
        if (typeof name !== 'string') continue;
        const problem = rule(unescapeTemplate(name));
        if (problem) out.push(`${stackName}: ${type}.${id}: ${problem}`);
      }
    }
  }
  return out;
}

/**
 * Backend rules Terraform 1.11.4 enforces at init (measured; see
 * __tests__/scripts/fixtures/backend-init.json): an HCP Terraform hostname is
 * a host and optional port, no scheme or path; an S3 state key does not
 * start or end with "/" and has no "//".
 */
export function backendProblems(stacks: Stacks): string[] {
  const out: string[] = [];
  for (const [name, stack] of stacks) {
    const cloud = stack.terraform?.cloud;
    if (cloud?.hostname !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(cloud.hostname)) {
      out.push(`${name}: cloud hostname ${JSON.stringify(cloud.hostname)} is not a host name with an optional port`);
    }
    const key = stack.terraform?.backend?.s3?.key;
    if (typeof key === 'string' && (key.startsWith('/') || key.endsWith('/') || key.includes('//'))) {
      out.push(`${name}: s3 state key ${JSON.stringify(key)} starts or ends with "/" or contains "//"`);
    }
  }
  return out;
}
