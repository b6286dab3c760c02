/**
 * The change gate: what a deploy of the current synthesis would make
 * Terraform do to what the base synthesis deployed, computed from the two
 * syntheses alone (no Terraform, no AWS, no state): every destroy,
 * replacement, forget and move, per stack and address, whether it touches
 * a protected resource, whether the config declared it, and what it costs.
 * `affected --base`, `check-config --base` (and the deploy command) refuse
 * a change whose `unsafe` list is not empty (docs/changing-safely.md).
 *
 * Terraform's rules, as applied here (state = what the base deployed):
 * - an address of the base stack that the current stack no longer has is
 *   destroyed, unless a `removed` block with `lifecycle { destroy = false }`
 *   names it (Terraform forgets it; AWS keeps it) or a `moved` block moves it
 *   to a new address (then it is compared with its new address);
 * - an address in both is replaced when a ForceNew argument changes
 *   (cli/lib/force-new.ts), or refers to a resource that is itself created
 *   or replaced (its attributes are unknown until apply);
 * - a whole stack of the base that disappears is not destroyed: nothing can
 *   plan it any more, and what it manages keeps running, unmanaged;
 * - a trail whose home region changes under the same name is not moved: the
 *   provider reads a trail by its ARN in any region and plans no change.
 *
 * Protected (issue 15): the log bucket and its policy, public access block,
 * ownership controls, default encryption, versioning and object lock
 * configuration; the central key and its alias; every trail key and alias;
 * every trail. Not protected: lifecycle rules and access logging (removing
 * them keeps more, not less), SNS/SQS, CloudWatch Logs, delivery roles.
 * A protected destroy or replacement is declared only by the config's own
 * words (modules/gate-declarations.ts, the one notion of "declared"):
 * `lifecycle: decommission` (the trail), with `deleteKeys: true` (its created
 * key and alias), `renamedFrom: <old name>` (the old trail, replaced by the
 * new one, created first), a new alias name (the alias, replaced: KMS cannot
 * rename one; docs/changing-safely.md, "Renaming a KMS alias").
 */
import { CENTRAL_STACK, GUARD_STACK, terraformNameForTrail } from '../../modules/arns';
import { FleetIdentity, describeFleet, fleetId, sameFleet } from '../../modules/fleet-identity';
import {
  declarationsFromStacks,
  declarationsOf,
  declaresAliasRename,
  declaresDestroy,
  declaresRename,
  declaresRetain,
  NO_DECLARATIONS,
  type Declarations,
} from '../../modules/gate-declarations';
import type { PolicyDocument } from '../../modules/policies/document';
import { IamRequest, statementApplies } from '../../modules/policies/iam-evaluator';
import { unescapeTemplateText } from '../../modules/terraform-text';
import { trailBaseName } from '../../modules/trail-transitions';
import { forceNewArguments } from './force-new';
import { managesResources, type StackJson } from './stack-diff';

type Json = Record<string, any>;

export type ChangeAction = 'destroy' | 'replace' | 'forget' | 'move';

export interface PlannedAction {
  readonly stack: string;
  /** The resource's address after the change (for destroy and forget: its address in the base). */
  readonly address: string;
  /** A move (and a replacement after a move): the address in the base. */
  readonly previousAddress?: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** A replacement: the ForceNew arguments that changed (`bucket`), or that refer to what is created anew (`role (aws_iam_role.x is replaced)`). */
  readonly forcedBy?: readonly string[];
  /** A replacement whose new resource is created before the old one is destroyed (`create_before_destroy`). */
  readonly createBeforeDestroy?: boolean;
  readonly protected: boolean;
  /** The config says so in so many words (lifecycle, deleteKeys, renamedFrom). */
  readonly declared: boolean;
  /** What it costs, in words. */
  readonly cost: string;
}

export type FindingKind =
  /** A protected resource destroyed or replaced without the config declaring it. */
  | 'protected-destroy'
  | 'protected-replace'
  /** A stack of the base gone while it manages resources: an account dropped without a lifecycle step. */
  | 'account-dropped'
  /** The guard's stack gone while its service control policies are attached: they stay, unmanaged. */
  | 'guard-dropped'
  /** A trail's home region changed under the same name: it cannot move. */
  | 'home-region'
  /** A trail that keeps running is no longer admitted by the central bucket or key policy. */
  | 'delivery-refused'
  /** A resource type the ForceNew table does not know changed: whether it is replaced cannot be told. */
  | 'unknown-type'
  /** The central account or bucket changed: another fleet, with state of its own. */
  | 'fleet-changed';

export interface Finding {
  readonly kind: FindingKind;
  readonly stack: string;
  readonly address?: string;
  /** Unsafe: the gate fails on it (exit 1) unless --allow-unsafe. */
  readonly unsafe: boolean;
  readonly message: string;
}

export interface ChangePlan {
  /** Every destroy, replacement, forget and move, by stack (central first) and address. */
  readonly actions: readonly PlannedAction[];
  /** What the gate says about the change: unsafe findings, and declared or harmless ones worth reading. */
  readonly findings: readonly Finding[];
  /** The findings the gate fails on. */
  readonly unsafe: readonly Finding[];
}

/** What the config declares (modules/gate-declarations.ts: the one notion of "declared", shared with modules/change-safety.ts). */
export { declarationsFromStacks, declarationsOf, NO_DECLARATIONS, type Declarations };

// ------------------------------------------------------------ reading a stack

function asList<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];
}

interface Resource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly body: Json;
}

function resourcesOf(stack: StackJson): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const [type, byName] of Object.entries((stack.resource ?? {}) as Json)) {
    for (const [name, body] of Object.entries(byName as Json)) out.set(`${type}.${name}`, { address: `${type}.${name}`, type, name, body: body as Json });
  }
  return out;
}

/** `aws_x.a` from a block's `from`/`to` (a plain address, or a reference written as `${aws_x.a}`). */
function addressText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.replace(/^\$\{(.*)\}$/, '$1').trim();
}

function removedBlocks(stack: StackJson): Map<string, { destroy: boolean }> {
  const out = new Map<string, { destroy: boolean }>();
  for (const block of asList<Json>(stack.removed as Json | Json[] | undefined)) {
    const from = addressText(block?.from);
    const lifecycle = asList<Json>(block?.lifecycle)[0];
    if (from) out.set(from, { destroy: lifecycle?.destroy !== false });
  }
  return out;
}

function movedBlocks(stack: StackJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of asList<Json>(stack.moved as Json | Json[] | undefined)) {
    const from = addressText(block?.from);
    const to = addressText(block?.to);
    if (from && to) out.set(from, to);
  }
  return out;
}

function providersOf(stack: StackJson): Json[] {
  return asList<Json>((stack.provider as Json | undefined)?.aws);
}

/** The region a resource lives in: its provider's, else the stack's default provider's. */
function regionOf(stack: StackJson, body: Json): string | undefined {
  const providers = providersOf(stack);
  const alias = typeof body.provider === 'string' ? body.provider.replace(/^\$\{|\}$/g, '').replace(/^aws\./, '') : undefined;
  const provider = alias ? providers.find((p) => p.alias === alias) : providers.find((p) => !p.alias);
  return provider?.region ?? providers.find((p) => !p.alias)?.region;
}

/** The account a stack is applied in (its provider's allowed_account_ids). */
function accountOf(stack: StackJson): string | undefined {
  return providersOf(stack).find((p) => !p.alias)?.allowed_account_ids?.[0];
}

function partitionOf(region: string | undefined): string {
  return region?.startsWith('cn-') ? 'aws-cn' : region?.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** A literal string of the stack as Terraform sends it to AWS (`$${` -> `${`). */
function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !hasReference(value) ? unescapeTemplateText(value) : undefined;
}

function hasReference(text: string): boolean {
  return splitTemplate(text).some((p) => p.ref !== undefined);
}

/** A Terraform template string in parts: literal text and `${...}` references (`$${` and `%%{` are escapes). */
function splitTemplate(text: string): { text?: string; ref?: string }[] {
  const parts: { text?: string; ref?: string }[] = [];
  let buf = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      buf += `${text[i]}{`;
      i += 2;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (end < 0) {
        buf += text.slice(i);
        break;
      }
      if (buf) parts.push({ text: buf });
      buf = '';
      parts.push({ ref: text.slice(i + 2, end).trim() });
      i = end;
    } else buf += text[i];
  }
  if (buf) parts.push({ text: buf });
  return parts;
}

// ------------------------------------------------------------ what protects evidence

const PROTECTED_CENTRAL = new Set([
  'aws_s3_bucket',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_object_lock_configuration',
  'aws_kms_key',
  'aws_kms_alias',
]);
const PROTECTED_ACCOUNT = new Set(['aws_cloudtrail', 'aws_kms_key', 'aws_kms_alias']);

export function isProtected(stack: string, type: string): boolean {
  return (stack === CENTRAL_STACK ? PROTECTED_CENTRAL : PROTECTED_ACCOUNT).has(type);
}

export { trailBaseName };

/**
 * Whose a resource of an account stack is: a trail's (its Terraform base
 * name `trail_<name>`, from the trail module's addresses), or the guard's
 * detection (its EventBridge rules, targets and role, `guard_...`:
 * modules/guard/guard-rules.ts); undefined for anything else.
 */
export function accountResourceOwner(type: string, name: string): { readonly trail: string } | { readonly guard: true } | undefined {
  const trail = trailBaseName(type, name);
  if (trail) return { trail };
  return GUARD_ACCOUNT_TYPES.has(type) && name.startsWith('guard_') ? { guard: true } : undefined;
}

const GUARD_ACCOUNT_TYPES = new Set(['aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target', 'aws_iam_role', 'aws_iam_role_policy']);

// ------------------------------------------------------------ one synthesis, read for the gate

interface TrailInfo {
  readonly stack: string;
  readonly address: string;
  readonly accountId: string;
  readonly name: string;
  readonly region: string;
  readonly prefix?: string;
  readonly organizationTrail: boolean;
  readonly logging: boolean;
  /** Encrypts with the central key (looked up by the central key's alias ARN). */
  readonly centralKey: boolean;
}

interface Synthesis {
  readonly stacks: ReadonlyMap<string, StackJson>;
  readonly resources: ReadonlyMap<string, Map<string, Resource>>;
  readonly bucketName?: string;
  readonly bucketPolicy?: PolicyDocument;
  readonly centralKeyPolicy?: PolicyDocument;
  readonly centralAliasArn?: string;
  readonly partition: string;
}

function parsePolicy(text: unknown): PolicyDocument | undefined {
  const raw = literal(text);
  if (raw === undefined) return undefined;
  try {
    const doc = JSON.parse(raw);
    return doc && typeof doc === 'object' && doc.Statement ? { ...doc, Statement: asList(doc.Statement) } : undefined;
  } catch {
    return undefined;
  }
}

function readSynthesis(stacks: ReadonlyMap<string, StackJson>): Synthesis {
  const resources = new Map([...stacks].map(([name, s]) => [name, resourcesOf(s)]));
  const central = stacks.get(CENTRAL_STACK);
  const centralResources = resources.get(CENTRAL_STACK) ?? new Map<string, Resource>();
  const ofType = (type: string) => [...centralResources.values()].filter((r) => r.type === type);
  const region = central ? regionOf(central, {}) : undefined;
  const partition = partitionOf(region);
  const bucket = ofType('aws_s3_bucket')[0];
  const policy = ofType('aws_s3_bucket_policy')[0];
  const outputs = (central?.output ?? {}) as Json;
  const bucketName = literal(bucket?.body.bucket) ?? literal(policy?.body.bucket) ?? literal(outputs.bucket_name?.value);
  const alias = ofType('aws_kms_alias')[0];
  const account = central ? accountOf(central) : undefined;
  const aliasName = literal(alias?.body.name);
  return {
    stacks,
    resources,
    bucketName,
    bucketPolicy: parsePolicy(policy?.body.policy) ?? parsePolicy(outputs.bucket_policy?.value),
    centralKeyPolicy: parsePolicy(ofType('aws_kms_key')[0]?.body.policy),
    centralAliasArn: aliasName && region && account ? `arn:${partition}:kms:${region}:${account}:${aliasName}` : undefined,
    partition,
  };
}

/**
 * The fleet a synthesis belongs to, read from its central stack (for a synth
 * folder without a fleet marker): the central account, partition and bucket.
 */
export function fleetIdentityOfStacks(stacks: ReadonlyMap<string, StackJson>): FleetIdentity | undefined {
  const central = stacks.get(CENTRAL_STACK);
  const syn = readSynthesis(stacks);
  const account = central ? accountOf(central) : undefined;
  return account && syn.bucketName ? { partition: syn.partition, centralAccountId: account, bucketName: syn.bucketName } : undefined;
}

function trailInfo(syn: Synthesis, stackName: string, r: Resource): TrailInfo | undefined {
  const stack = syn.stacks.get(stackName)! as Json;
  const accountId = accountOf(stack);
  const name = literal(r.body.name);
  const region = regionOf(stack, r.body);
  if (!accountId || !name || !region) return undefined;
  // kms_key_id: `${data.aws_kms_key.<lookup>.arn}`, the lookup's key_id being the central key's alias ARN.
  const keyRef = typeof r.body.kms_key_id === 'string' ? splitTemplate(r.body.kms_key_id).find((p) => p.ref)?.ref : undefined;
  const lookup = keyRef?.startsWith('data.aws_kms_key.') ? stack.data?.aws_kms_key?.[keyRef.split('.')[2]] : undefined;
  return {
    stack: stackName,
    address: r.address,
    accountId,
    name,
    region,
    prefix: literal(r.body.s3_key_prefix) || undefined,
    organizationTrail: r.body.is_organization_trail === true,
    logging: r.body.enable_logging !== false,
    centralKey: !!syn.centralAliasArn && literal(lookup?.key_id) === syn.centralAliasArn,
  };
}

// ------------------------------------------------------------ who gets in

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

/** Does a statement apply? Statements this evaluator cannot read (an operator it does not model) count as not applying. */
function applies(statement: PolicyDocument['Statement'][number], request: IamRequest): boolean {
  try {
    return statementApplies(statement, request);
  } catch {
    return false;
  }
}

function allowed(doc: PolicyDocument, request: IamRequest): boolean {
  let allow = false;
  for (const s of doc.Statement) {
    if (!applies(s, request)) continue;
    if (s.Effect === 'Deny') return false;
    allow = true;
  }
  return allow;
}

/** Organization ids the policies write for (`AWSLogs/o-.../`), for organization trails' folders. */
function organizationIds(...docs: (PolicyDocument | undefined)[]): string[] {
  return [...new Set(docs.flatMap((d) => [...JSON.stringify(d ?? {}).matchAll(/AWSLogs\/(o-[a-z0-9]{10,32})\//g)].map((m) => m[1])))];
}

/**
 * Do the central policies let this trail deliver? CloudTrail's requests as
 * AWS documents them: `s3:GetBucketAcl` on the bucket and `s3:PutObject`
 * into its folder (`aws:SourceArn` = the trail, `s3:x-amz-acl` =
 * bucket-owner-full-control, over TLS), and for a trail on the central key
 * `kms:GenerateDataKey` with the trail ARN as encryption context.
 */
function refusedBy(syn: Synthesis, t: TrailInfo, orgIds: readonly string[]): 'bucket policy' | 'key policy' | undefined {
  const arn = `arn:${syn.partition}:cloudtrail:${t.region}:${t.accountId}:trail/${t.name}`;
  const context = { 'aws:SourceArn': arn, 'aws:SourceAccount': t.accountId, 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SecureTransport': 'true' };
  const principal = { service: CLOUDTRAIL };
  if (syn.bucketPolicy && syn.bucketName) {
    const bucket = `arn:${syn.partition}:s3:::${syn.bucketName}`;
    const base = `${bucket}/${t.prefix ? `${t.prefix}/` : ''}AWSLogs/`;
    const folders = t.organizationTrail ? orgIds.map((o) => `${base}${o}/${t.accountId}/`) : [`${base}${t.accountId}/`];
    const object = (folder: string) => `${folder}CloudTrail/${t.region}/2026/01/01/${t.accountId}_CloudTrail_${t.region}_x.json.gz`;
    if (!allowed(syn.bucketPolicy, { principal, action: 's3:GetBucketAcl', resource: bucket, context })) return 'bucket policy';
    if (!folders.some((f) => allowed(syn.bucketPolicy!, { principal, action: 's3:PutObject', resource: object(f), context }))) return 'bucket policy';
  }
  if (t.centralKey && syn.centralKeyPolicy) {
    const kmsContext = { ...context, 'kms:EncryptionContext:aws:cloudtrail:arn': arn };
    const key = `arn:${syn.partition}:kms:*:*:key/*`;
    if (!allowed(syn.centralKeyPolicy, { principal, action: 'kms:GenerateDataKey', resource: key, context: kmsContext })) return 'key policy';
  }
  return undefined;
}

/**
 * The resources of a stack that Terraform replaces new-one-first: those with
 * `lifecycle { create_before_destroy = true }` and, as Terraform propagates
 * it, every resource they depend on (references and depends_on), transitively
 * (e.g. a renamed trail's CloudWatch Logs delivery role and its policy).
 */
function createBeforeDestroyAddresses(resources: ReadonlyMap<string, Resource>): Set<string> {
  const dependencies = (r: Resource): string[] => {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        for (const part of splitTemplate(v)) {
          const m = part.ref === undefined ? undefined : /^([\w-]+)\.([\w-]+)/.exec(part.ref);
          if (m && resources.has(`${m[1]}.${m[2]}`)) out.push(`${m[1]}.${m[2]}`);
        }
      } else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '//') walk(x);
    };
    walk({ ...r.body, lifecycle: undefined });
    for (const d of asList<string>(r.body.depends_on)) {
      const a = addressText(d);
      if (a && resources.has(a)) out.push(a);
    }
    return out;
  };
  const out = new Set<string>();
  const todo = [...resources.values()].filter((r) => asList<Json>(r.body.lifecycle)[0]?.create_before_destroy === true).map((r) => r.address);
  while (todo.length) {
    const a = todo.pop()!;
    if (out.has(a)) continue;
    out.add(a);
    todo.push(...dependencies(resources.get(a)!));
  }
  return out;
}

// ------------------------------------------------------------ comparing ForceNew arguments

/** A value that is unknown until apply (never equal to anything). */
let unknownCounter = 0;
const unknown = (why: string) => `\u0000unknown:${why}:${unknownCounter++}`;

interface StackPair {
  readonly name: string;
  readonly base: Map<string, Resource>;
  readonly current: Map<string, Resource>;
  readonly baseStack: StackJson;
  readonly currentStack: StackJson;
  /** current address -> base address (moved blocks that apply). */
  readonly movedTo: Map<string, string>;
  /** base address -> current address. */
  readonly movedFrom: Map<string, string>;
}

/** Attributes whose value is one of the resource's own arguments (known at plan time unless the resource is new). */
const ARGUMENT_ATTRIBUTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_s3_bucket: { id: 'bucket', bucket: 'bucket' },
  aws_iam_role: { id: 'name', name: 'name' },
  aws_kms_alias: { id: 'name', name: 'name' },
  aws_sns_topic: { name: 'name' },
  aws_sqs_queue: { name: 'name' },
  aws_cloudwatch_log_group: { id: 'name', name: 'name' },
};

/**
 * A ForceNew argument's value, with references resolved to what they stand
 * for in the base's terms: the same resource (after a move too) gives the same
 * text on both sides; a resource created or replaced by this change gives an
 * unknown value, as Terraform plans it.
 */
function resolved(pair: StackPair, side: 'base' | 'current', value: unknown, replaced: ReadonlySet<string>): string {
  if (typeof value !== 'string') return JSON.stringify(value ?? null);
  return splitTemplate(value)
    .map((part) => {
      if (part.ref === undefined) return part.text!;
      const ref = part.ref;
      const stack = (side === 'base' ? pair.baseStack : pair.currentStack) as Json;
      const data = /^data\.([\w-]+)\.([\w-]+)\.(.+)$/.exec(ref);
      if (data) {
        const body = { ...(stack.data?.[data[1]]?.[data[2]] ?? {}) };
        delete body['//'];
        delete body.provider;
        return `\u0000data(${data[1]}:${JSON.stringify(body)}).${data[3]}`;
      }
      const m = /^([\w-]+)\.([\w-]+)\.(.+)$/.exec(ref);
      if (!m) return `\u0000expr(${ref})`;
      const address = `${m[1]}.${m[2]}`;
      const baseAddress = side === 'base' ? address : (pair.movedTo.get(address) ?? address);
      const exists = side === 'base' ? pair.base.has(address) : pair.current.has(address);
      if (!exists) return `\u0000missing(${address}).${m[3]}`;
      // Created or replaced by this change: its attributes are known only after apply.
      if (side === 'current' && (!pair.base.has(baseAddress) || replaced.has(baseAddress))) return unknown(address);
      const argument = ARGUMENT_ATTRIBUTES[m[1]]?.[m[3]];
      const body = (side === 'base' ? pair.base : pair.current).get(address)!.body;
      if (argument && body[argument] !== undefined) return resolved(pair, side, body[argument], replaced);
      return `\u0000ref(${baseAddress}).${m[3]}`;
    })
    .join('');
}

/** The ForceNew arguments that change between a base resource and its current counterpart. */
function forcingChanges(pair: StackPair, before: Resource, after: Resource, replaced: ReadonlySet<string>): string[] | 'unknown-type' {
  const table = forceNewArguments(after.type);
  if (!table) {
    const strip = (b: Json) => JSON.stringify(Object.fromEntries(Object.entries(b).filter(([k]) => k !== '//').sort(([a], [b2]) => (a < b2 ? -1 : 1))));
    return strip(before.body) === strip(after.body) ? [] : 'unknown-type';
  }
  const changed: string[] = [];
  for (const arg of table.args) {
    const a = before.body[arg];
    const b = after.body[arg];
    if (b === undefined && table.computed?.includes(arg)) continue; // Optional + Computed: left out keeps the state's value
    const va = resolved(pair, 'base', a, replaced);
    const vb = resolved(pair, 'current', b, replaced);
    if (va === vb) continue;
    const ref = typeof b === 'string' && vb.includes('\u0000unknown:') ? splitTemplate(b).find((p) => p.ref)?.ref : undefined;
    changed.push(ref ? `${arg} (${ref.split('.').slice(0, 2).join('.')} is created anew)` : arg);
  }
  return changed;
}

// ------------------------------------------------------------ costs in words

interface CostContext {
  readonly base: Synthesis;
  readonly current: Synthesis;
  readonly stack: string;
  readonly accountId?: string;
  readonly trailName?: string;
}

function deletionWindow(body: Json): number {
  return typeof body.deletion_window_in_days === 'number' ? body.deletion_window_in_days : 30;
}

/** Accounts whose trails encrypted with the central key in the base. */
function centralKeyUsers(base: Synthesis): string[] {
  const users = new Set<string>();
  for (const [stack, resources] of base.resources) {
    if (stack === CENTRAL_STACK) continue;
    for (const r of resources.values()) if (r.type === 'aws_cloudtrail' && trailInfo(base, stack, r)?.centralKey) users.add(accountOf(base.stacks.get(stack)!)!);
  }
  return [...users].sort();
}

function destroyCost(c: CostContext, r: Resource): string {
  const bucket = c.base.bucketName ?? 'the log bucket';
  const trail = c.trailName ? `trail ${c.trailName} of ${c.accountId}` : `a trail of ${c.accountId}`;
  switch (r.type) {
    case 'aws_s3_bucket':
      return `the log bucket ${bucket} is deleted if it is empty; with log files in it the delete fails, after its policy, public access block, ownership controls, encryption, versioning and object lock configuration were stripped`;
    case 'aws_s3_bucket_policy':
      return `the bucket policy of ${bucket} is deleted: every trail's deliveries are refused from then on`;
    case 'aws_s3_bucket_public_access_block':
      return `the public access block of ${bucket} is removed: a policy or ACL could make log files public`;
    case 'aws_s3_bucket_ownership_controls':
      return `the ownership controls of ${bucket} are removed: ACLs apply again, and log files written by other accounts can stay theirs`;
    case 'aws_s3_bucket_server_side_encryption_configuration':
      return `the default encryption of ${bucket} goes back to S3's default (SSE-S3)`;
    case 'aws_s3_bucket_versioning':
      return `versioning of ${bucket} is suspended: an overwritten or deleted log file can no longer be recovered`;
    case 'aws_s3_bucket_object_lock_configuration':
      return `the default retention (object lock) of ${bucket} is removed: new log files are no longer locked`;
    case 'aws_s3_bucket_lifecycle_configuration':
      return `the lifecycle rules of ${bucket} are removed: log files are kept forever`;
    case 'aws_s3_bucket_logging':
      return `server access logging of ${bucket} stops`;
    case 'aws_kms_key': {
      const days = deletionWindow(r.body);
      if (c.stack === CENTRAL_STACK) {
        const users = centralKeyUsers(c.base);
        const whose = users.length ? `SSE-KMS log files of ${users.join(', ')}` : 'every log file encrypted with the central key';
        return `the central key is scheduled for deletion: ${whose} become unreadable ${days} days after the deploy`;
      }
      return `the key of ${trail} is scheduled for deletion: SSE-KMS log files of ${c.accountId} encrypted with it become unreadable ${days} days after the deploy`;
    }
    case 'aws_kms_alias':
      return `the alias ${literal(r.body.name) ?? r.name} is deleted (the key stays)${c.stack === CENTRAL_STACK ? ': account stacks that look the central key up by it fail to plan' : ''}`;
    case 'aws_cloudtrail':
      return `${trail} is deleted: it stops logging`;
    case 'aws_sns_topic':
      return `the SNS topic ${literal(r.body.name) ?? r.name} of ${trail} is deleted (no more notifications)`;
    case 'aws_cloudwatch_log_group':
      return `the log group ${literal(r.body.name) ?? r.name} of ${trail} is deleted with the events in it`;
    case 'aws_cloudwatch_event_rule':
      return `the guard's EventBridge rule ${literal(r.body.name) ?? r.name} is deleted: tampering it watched for is no longer reported`;
    case 'aws_organizations_policy':
      return `the guard's service control policy ${literal(r.body.name) ?? r.name} is deleted: what it denied is allowed again`;
    case 'aws_organizations_policy_attachment':
      return `the guard's service control policy is detached from ${literal(r.body.target_id) ?? 'its target'}: what it denied there is allowed again`;
    default:
      return `${r.address} is deleted`;
  }
}

function preventDestroy(r: Resource): boolean {
  return asList<Json>(r.body.lifecycle)[0]?.prevent_destroy === true;
}

function replaceCost(c: CostContext, before: Resource, after: Resource, createBeforeDestroy: boolean): string {
  const order = createBeforeDestroy ? 'the new one is created before the old one is deleted' : 'the old one is deleted before the new one is created';
  switch (after.type) {
    case 'aws_cloudtrail': {
      const oldName = literal(before.body.name);
      const newName = literal(after.body.name);
      const names = oldName && newName && oldName !== newName ? `trail ${oldName} of ${c.accountId} is replaced by ${newName}` : `trail ${newName ?? after.name} of ${c.accountId} is replaced`;
      return `${names} (${order}${createBeforeDestroy ? '' : ': no logging in between'})`;
    }
    case 'aws_s3_bucket':
      return `the log bucket ${c.base.bucketName ?? ''} is to be replaced by a new, empty one: Terraform refuses the plan (prevent_destroy) or, without it, deletes the old bucket`.replace('  ', ' ');
    case 'aws_kms_key':
      return `${destroyCost(c, before)}; a new key is created${preventDestroy(after) ? ' (prevent_destroy: Terraform refuses this plan)' : ''}`;
    case 'aws_kms_alias': {
      const oldName = literal(before.body.name) ?? before.name;
      const newName = literal(after.body.name) ?? after.name;
      return (
        `the alias ${oldName} is replaced by ${newName} for the same key (${order}); the key and the log files it encrypted are not affected, ` +
        `and anything that names ${oldName} must use ${newName}` +
        (c.stack === CENTRAL_STACK ? `. Account stacks look the central key up by its alias: plan them only after cloudtrail-central is applied (deploy does, central first)` : '')
      );
    }
    default:
      return `${destroyCost(c, before)}; it is created again (${order})`;
  }
}

// ------------------------------------------------------------ the analysis

/**
 * Compares two syntheses (stack name -> cdk.tf.json) as Terraform would plan
 * the change on state that holds the base: see the file comment. The
 * config's declarations are read from the current synthesis unless given.
 */
export function analyzeChange(
  baseStacks: ReadonlyMap<string, StackJson>,
  currentStacks: ReadonlyMap<string, StackJson>,
  declarations: Declarations = declarationsFromStacks(currentStacks),
): ChangePlan {
  const base = readSynthesis(baseStacks);
  const current = readSynthesis(currentStacks);
  const actions: PlannedAction[] = [];
  const findings: Finding[] = [];
  const orgIds = organizationIds(base.bucketPolicy, current.bucketPolicy);
  /** Trails that run after the deploy, as they will run (a trail that cannot move keeps its old region). */
  const runningAfter: { before: TrailInfo; after: TrailInfo; declared: boolean; how: string }[] = [];

  for (const stackName of orderedStacks(baseStacks)) {
    const baseStack = baseStacks.get(stackName)!;
    const currentStack = currentStacks.get(stackName);
    const baseResources = base.resources.get(stackName)!;
    const accountId = accountOf(baseStack);

    if (!currentStack) {
      if (!managesResources(baseStack)) continue;
      if (stackName === GUARD_STACK) {
        findings.push({
          kind: 'guard-dropped',
          stack: stackName,
          unsafe: true,
          message:
            `stack ${GUARD_STACK} is in the base but not in the current config, and it still manages ${baseResources.size} resource(s): its service control policies ` +
            `would stay attached, unmanaged, and keep denying whoever they do not exempt, with no deploy to remove them. Set guard.prevention: false and deploy ` +
            `(the stack stays, empty, and its deploy detaches and deletes them), then remove guard.prevention (docs/guard.md)`,
        });
        continue;
      }
      const trails = [...baseResources.values()].filter((r) => r.type === 'aws_cloudtrail').map((r) => trailInfo(base, stackName, r)).filter((t): t is TrailInfo => !!t);
      const what = trails.length ? `trail${trails.length > 1 ? 's' : ''} ${trails.map((t) => t.name).join(', ')}` : `${baseResources.size} resource(s)`;
      findings.push({
        kind: 'account-dropped',
        stack: stackName,
        unsafe: true,
        message:
          `stack ${stackName} is in the base but not in the current config, and it still manages ${what}: they keep running, unmanaged, ` +
          `and no deploy or destroy can reach them any more. Put the account back with lifecycle: decommission (destroy its trail) ` +
          `or lifecycle: retain (stop managing it), deploy, then remove it (docs/day-two.md, "Leaving the fleet")`,
      });
      for (const t of trails) runningAfter.push({ before: t, after: t, declared: false, how: 'keeps running, unmanaged' });
      continue;
    }

    const currentResources = current.resources.get(stackName)!;
    const removed = removedBlocks(currentStack);
    const movedFrom = new Map<string, string>(); // base -> current
    const movedTo = new Map<string, string>(); // current -> base
    for (const [from, to] of movedBlocks(currentStack)) {
      if (baseResources.has(from) && !currentResources.has(from) && currentResources.has(to) && !baseResources.has(to)) {
        movedFrom.set(from, to);
        movedTo.set(to, from);
      }
    }
    const pair: StackPair = { name: stackName, base: baseResources, current: currentResources, baseStack, currentStack, movedFrom, movedTo };

    // Replacements, to a fixed point: a ForceNew argument that refers to a replaced or new resource is unknown, so that one is replaced too.
    const replaced = new Map<string, string[]>(); // base address -> forcing arguments
    const unknownTypes = new Set<string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const [address, before] of baseResources) {
        if (replaced.has(address)) continue;
        const after = currentResources.get(movedFrom.get(address) ?? address);
        if (!after || after.type !== before.type) continue;
        const forcing = forcingChanges(pair, before, after, new Set(replaced.keys()));
        if (forcing === 'unknown-type') unknownTypes.add(address);
        else if (forcing.length > 0) {
          replaced.set(address, forcing);
          changed = true;
        }
      }
    }

    /** The name of the trail an account stack resource belongs to (from the trail resource of the base). */
    const trailNameOf = (type: string, name: string, resources: Map<string, Resource>) => {
      const baseName = trailBaseName(type, name);
      return baseName ? literal(resources.get(`aws_cloudtrail.${baseName}`)?.body.name) : undefined;
    };
    const declaredDestroy = (r: Resource): boolean => {
      if (!accountId || stackName === CENTRAL_STACK) return false;
      const trailName = trailNameOf(r.type, r.name, baseResources);
      return !!trailName && declaresDestroy(declarations, accountId, trailName, r.type);
    };
    const createdFirst = createBeforeDestroyAddresses(currentResources);

    for (const [address, before] of baseResources) {
      const trailName = trailNameOf(before.type, before.name, baseResources);
      const cost: CostContext = { base, current, stack: stackName, accountId, trailName };
      const isProt = isProtected(stackName, before.type);
      const to = movedFrom.get(address);
      const after = currentResources.get(to ?? address);
      if (unknownTypes.has(address)) {
        findings.push({
          kind: 'unknown-type',
          stack: stackName,
          address,
          unsafe: true,
          message: `${address} (${before.type}) changes, and cli/lib/force-new.ts does not know which of its arguments force a replacement: add the type to that table (from the provider's schema) so the gate can tell`,
        });
      }
      if (!after) {
        const block = removed.get(address);
        if (block && !block.destroy) {
          const retainedTrail = !!accountId && !!trailName && declaresRetain(declarations, accountId, trailName);
          actions.push({
            stack: stackName,
            address,
            type: before.type,
            action: 'forget',
            protected: isProt,
            declared: retainedTrail,
            cost: `Terraform stops managing ${address}; it keeps running in AWS, and what happens to it is yours from now on`,
          });
          if (before.type === 'aws_cloudtrail') {
            const t = trailInfo(base, stackName, before);
            if (t) runningAfter.push({ before: t, after: t, declared: retainedTrail, how: 'is forgotten by Terraform and keeps running' });
          }
          continue;
        }
        const declared = declaredDestroy(before);
        const action: PlannedAction = { stack: stackName, address, type: before.type, action: 'destroy', protected: isProt, declared, cost: destroyCost(cost, before) };
        actions.push(action);
        if (isProt && !declared) findings.push(protectedFinding('protected-destroy', action));
        continue;
      }
      // In both (possibly moved).
      const forcing = replaced.get(address);
      if (forcing) {
        const createBeforeDestroy = createdFirst.has(after.address);
        const oldName = trailNameOf(before.type, before.name, baseResources);
        const declared =
          before.type === 'aws_cloudtrail'
            ? !!accountId && !!oldName && declaresRename(declarations, accountId, oldName, literal(after.body.name), createBeforeDestroy)
            : before.type === 'aws_kms_alias' && forcing.every((f) => f === 'name') && declaresAliasRename(literal(before.body.name), literal(after.body.name));
        const action: PlannedAction = {
          stack: stackName,
          address: after.address,
          ...(to ? { previousAddress: address } : {}),
          type: before.type,
          action: 'replace',
          forcedBy: forcing,
          createBeforeDestroy,
          protected: isProt,
          declared,
          cost: replaceCost(cost, before, after, createBeforeDestroy),
        };
        actions.push(action);
        if (isProt && !declared) findings.push(protectedFinding('protected-replace', action));
        if (before.type === 'aws_cloudtrail') {
          const t = trailInfo(base, stackName, before);
          const now = trailInfo(current, stackName, after);
          if (t && now && t.region !== now.region) {
            findings.push({
              kind: 'home-region',
              stack: stackName,
              address: after.address,
              unsafe: true,
              message:
                `trail ${t.name} of ${t.accountId} (home region ${t.region}) is replaced by trail ${now.name} in ${now.region} in one change: Terraform deletes the old trail ` +
                `through the provider of ${now.region}, and CloudTrail deletes a trail only in its home region, so the apply fails after the new trail is created and the old one ` +
                `keeps running where the central policies no longer admit it. ${moveSteps(t.name, t.region, now.region)}`,
            });
          }
        }
        continue;
      }
      if (to) {
        actions.push({
          stack: stackName,
          address: to,
          previousAddress: address,
          type: before.type,
          action: 'move',
          protected: isProt,
          declared: true,
          cost: `the state entry moves from ${address} to ${to}; nothing changes in AWS`,
        });
      }
      if (before.type === 'aws_cloudtrail') {
        const t = trailInfo(base, stackName, before);
        const now = trailInfo(current, stackName, after);
        if (t && now) {
          if (now.region !== t.region) {
            findings.push({
              kind: 'home-region',
              stack: stackName,
              address: after.address,
              unsafe: true,
              message:
                `trail ${t.name} of ${t.accountId} cannot move its home region from ${t.region} to ${now.region}: CloudTrail cannot move a trail, and the provider reads it ` +
                `by its ARN in any region, so the account stack's plan fails on the trail's home region check while the central policies, deployed first, ` +
                `would admit it only in ${now.region}. ${moveSteps(t.name, t.region, now.region)}`,
            });
          }
          // It keeps running where it is, with the current settings.
          runningAfter.push({ before: t, after: { ...now, region: t.region }, declared: false, how: 'keeps running' });
        }
      }
    }
  }

  // Trails that keep running and that the central policies stop admitting.
  const samePolicies =
    JSON.stringify([base.bucketName, base.bucketPolicy, base.centralKeyPolicy, base.partition]) ===
    JSON.stringify([current.bucketName, current.bucketPolicy, current.centralKeyPolicy, current.partition]);
  const sameTrail = (a: TrailInfo, b: TrailInfo) =>
    a.name === b.name && a.region === b.region && a.accountId === b.accountId && a.prefix === b.prefix && a.organizationTrail === b.organizationTrail && a.centralKey === b.centralKey;
  for (const { before, after, declared, how } of runningAfter) {
    if (!after.logging) continue;
    // The same policies and the same trail: admitted after exactly as before.
    if (samePolicies && sameTrail(before, after)) continue;
    if (refusedBy(base, before, orgIds)) continue; // already refused before the change: not this change's doing
    const refused = refusedBy(current, after, orgIds);
    if (!refused) continue;
    const arn = `arn:${current.partition}:cloudtrail:${after.region}:${after.accountId}:trail/${after.name}`;
    findings.push({
      kind: 'delivery-refused',
      stack: after.stack,
      address: after.address,
      unsafe: !declared,
      message:
        `trail ${after.name} of ${after.accountId} ${how}, but the central ${refused} ` +
        `no longer admits it (${arn}): deliveries of trail ${after.name} are refused from then on` +
        (declared ? ' (lifecycle: retain says so: point the trail at a bucket of its own)' : ''),
    });
  }

  const order = orderedStacks(new Map([...baseStacks, ...currentStacks]));
  const rank = (s: string) => order.indexOf(s);
  actions.sort((a, b) => rank(a.stack) - rank(b.stack) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  findings.sort((a, b) => rank(a.stack) - rank(b.stack) || (a.address ?? '').localeCompare(b.address ?? ''));
  return { actions, findings, unsafe: findings.filter((f) => f.unsafe) };
}

/** How to move a trail to another home region (docs/changing-safely.md, "Moving a trail to another home region"). */
function moveSteps(name: string, from: string, to: string): string {
  return (
    `Keep region: ${from} on the entry of ${name}, add an entry with another trailName in ${to} beside it and deploy (both trails log, both are admitted); ` +
    `then set lifecycle: decommission on the old entry and deploy; then remove it (docs/changing-safely.md, "Moving a trail to another home region")`
  );
}

function protectedFinding(kind: 'protected-destroy' | 'protected-replace', a: PlannedAction): Finding {
  return {
    kind,
    stack: a.stack,
    address: a.address,
    unsafe: true,
    message: `${a.action === 'destroy' ? 'destroys' : 'replaces'} protected ${a.address}${a.forcedBy ? ` (${a.forcedBy.join(', ')} changed)` : ''}, which the config does not declare: ${a.cost}`,
  };
}

/**
 * The change when the base is another fleet (the config's central account or
 * bucket changed): with the local backend the new fleet starts from an empty
 * state of its own, so Terraform would create everything again and the base
 * fleet's resources stay behind, unmanaged; with a shared backend (s3,
 * cloud) the same state is planned and `analyzeChange` applies as well.
 */
export function fleetChangeFindings(base: FleetIdentity, current: FleetIdentity, baseStacks: ReadonlyMap<string, StackJson>, localBackend: boolean): Finding[] {
  if (sameFleet(base, current)) return [];
  const managed = orderedStacks(baseStacks).filter((s) => managesResources(baseStacks.get(s)!));
  return [
    {
      kind: 'fleet-changed',
      stack: CENTRAL_STACK,
      unsafe: true,
      message:
        `the change makes this config another fleet: ${describeFleet(base)} -> ${describeFleet(current)}. ` +
        (localBackend
          ? `Its local state is another folder (state/${fleetId(current)}/, empty), so the deploy would create every stack anew while the ${managed.length} stack(s) of ${fleetId(base)} ` +
            `keep running under state/${fleetId(base)}/, unmanaged by this config. `
          : `The same workspaces or state keys are planned for another bucket or account: every trail is pointed elsewhere and the old bucket is left or destroyed. `) +
        `To move to a new bucket or account, set up the new fleet with a config of its own, and take the accounts out of the old one with lifecycle: decommission or retain`,
    },
  ];
}

/** Central first, then account stacks by name. */
function orderedStacks(stacks: ReadonlyMap<string, unknown>): string[] {
  return [...stacks.keys()].sort((a, b) => (a === CENTRAL_STACK ? -1 : b === CENTRAL_STACK ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

// ------------------------------------------------------------ reports

/** Text for people: every action, then the findings, then the verdict. */
export function formatChangePlan(plan: ChangePlan, allowUnsafe = false): string {
  const lines: string[] = [];
  if (plan.actions.length === 0 && plan.findings.length === 0) return 'change: no destroy, replacement, forget or move; nothing unsafe\n';
  if (plan.actions.length > 0) {
    lines.push('change: what the deploy makes Terraform do besides creating and updating:');
    for (const a of plan.actions) {
      const tags = [a.protected ? 'protected' : undefined, a.declared && a.action !== 'move' ? 'declared' : undefined].filter(Boolean).join(', ');
      const where = a.previousAddress ? `${a.previousAddress} -> ${a.address}` : a.address;
      lines.push(`  ${a.action.padEnd(7)}  ${a.stack}  ${where}${tags ? ` [${tags}]` : ''}`, `           ${a.cost}`);
    }
  }
  if (plan.findings.length > 0) {
    lines.push(`change: ${plan.unsafe.length} unsafe finding(s)${plan.findings.length > plan.unsafe.length ? `, ${plan.findings.length - plan.unsafe.length} declared` : ''}:`);
    for (const f of plan.findings) lines.push(`  ${f.unsafe ? 'UNSAFE' : 'note  '}  ${f.stack}${f.address ? ` ${f.address}` : ''}: ${f.message}`);
  }
  if (plan.unsafe.length > 0) {
    lines.push(
      allowUnsafe
        ? `change: UNSAFE, deployed anyway (--allow-unsafe): ${plan.unsafe.length} finding(s) above`
        : `change: UNSAFE: ${plan.unsafe.length} finding(s) above would lose evidence; fix the config (docs/changing-safely.md), or pass --allow-unsafe to proceed anyway`,
    );
  } else lines.push('change: safe (nothing protected is lost that the config does not declare)');
  return `${lines.join('\n')}\n`;
}

/** The exit code of the gate (cli/command.ts EXIT): 1 when the change is unsafe, unless --allow-unsafe. */
export function gateExitCode(plan: ChangePlan, allowUnsafe = false): 0 | 1 {
  return plan.unsafe.length > 0 && !allowUnsafe ? 1 : 0;
}

/** The gate's part of `--json` output. */
export function changePlanJson(plan: ChangePlan, allowUnsafe = false): unknown {
  return { safe: plan.unsafe.length === 0, allowUnsafe, actions: plan.actions, findings: plan.findings, unsafe: plan.unsafe };
}

export { terraformNameForTrail };
