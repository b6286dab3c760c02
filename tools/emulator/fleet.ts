/**
 * A whole fleet on the emulator: synthesize a config, create what the config
 * says exists already (the world), point every stack at the emulator, apply
 * the central stack, then the account stacks, and plan them again.
 *
 *   const stacks = await deployFleet(config, { emulator, terraform, workDir });
 *   const plans = await planFleet(stacks, { terraform });   // every plan.noChanges: "No changes"
 *
 * What "exists already" (prepareWorld, seedImports): the organization of the
 * config (declared to the emulator), a `kmsKey: { arn }` key or alias, an
 * existing SNS topic, the access-logging target bucket, a bucket the project
 * does not own (bucketManagement none / policyOnly, adopt), an adopted
 * central key (with its key id and alias), and every resource a stack
 * imports (`import` blocks: created by a throwaway Terraform "seed" with the
 * real provider, in a minimal form the stack then updates).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { FleetConfig } from '../../config/model';
import { buildFleet } from '../../stacks/fleet';
import { withLeanTokenTraces } from '../../stacks/lean-traces';
import type { Emulator } from './emulator';
import { PlanResult, providerAccount, Terraform, writeEmulatorOverride } from './terraform';

type Json = Record<string, any>;

export interface FleetStack {
  readonly name: string;
  /** The folder of its cdk.tf.json. */
  readonly dir: string;
  /** The account its default provider configuration is pinned to (allowed_account_ids). */
  readonly accountId: string;
  readonly region: string;
  /** Stacks it depends on (the central stack has none). */
  readonly dependencies: readonly string[];
  readonly json: Json;
}

/** Whether a stack is the fleet's central stack (the one with no dependencies). */
export function isCentral(stack: FleetStack): boolean {
  return stack.dependencies.length === 0;
}

/**
 * Synthesizes every stack of a config into `outdir` (the same code as
 * `cdktf synth`, in process); stacks come central first, then by name.
 */
export function synthFleet(config: FleetConfig, outdir: string): FleetStack[] {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  withLeanTokenTraces(() => {
    const app = new App({ outdir });
    buildFleet(app, config);
    app.synth();
  });
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { name: string; workingDirectory: string; dependencies?: string[] }>;
  };
  return Object.values(manifest.stacks)
    .map((s) => {
      const dir = path.join(outdir, s.workingDirectory);
      const json = JSON.parse(readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as Json;
      const main = ([] as Json[]).concat(json.provider?.aws ?? []).find((p) => !p.alias) ?? {};
      return { name: s.name, dir, accountId: providerAccount(main) ?? '', region: String(main.region ?? ''), dependencies: s.dependencies ?? [], json };
    })
    .sort((a, b) => a.dependencies.length - b.dependencies.length || a.name.localeCompare(b.name));
}

// ------------------------------------------------------------ the world a config assumes

const ARN = /^arn:([^:]+):([^:]+):([^:]*):(\d{12}):(.+)$/;

/** The policy of a key the config names by ARN (`kmsKey: { arn }`): its owner account, and kms:DescribeKey for the trail accounts that look it up. */
export function keyPolicyFor(partition: string, owner: string, readers: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'OwnerAccount', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${owner}:root` }, Action: 'kms:*', Resource: '*' },
      ...(readers.length ? [{ Sid: 'TrailAccountsLookUp', Effect: 'Allow', Principal: { AWS: readers.map((a) => `arn:${partition}:iam::${a}:root`) }, Action: 'kms:DescribeKey', Resource: '*' }] : []),
    ],
  });
}

/**
 * Creates what the config refers to but does not create: the organization
 * (with the root id the stacks attach policies to, when `stacks` are given),
 * `kmsKey: { arn }` keys (their policy lets the trail's account look them
 * up), existing SNS topics, the access-logging target bucket, the log bucket
 * when this project does not create it, and an adopted central key.
 */
export async function prepareWorld(config: FleetConfig, emulator: Emulator, stacks: readonly FleetStack[] = []): Promise<void> {
  const { central, partition } = config;
  const trails = [...config.trails, ...config.leaving];
  if (config.organization) {
    const accountIds = [...new Set([central.accountId, ...trails.map((t) => t.accountId)])].filter((a) => a !== config.organization!.managementAccountId);
    // The root a stack attaches a policy to (a service control policy of the guard) is the organization's root.
    const roots = new Set(
      stacks.flatMap((s) => Object.values((s.json.resource?.aws_organizations_policy_attachment ?? {}) as Json).map((a) => String(a.target_id))).filter((t) => /^r-[0-9a-z]{4,32}$/.test(t)),
    );
    if (roots.size > 1) throw new Error(`the stacks attach policies to ${roots.size} roots (${[...roots].join(', ')}); an organization has one`);
    await emulator.declareOrganization({ id: config.organization.id, managementAccountId: config.organization.managementAccountId, accountIds, rootId: [...roots][0] });
  }
  // Trail keys given by ARN: one key per key ARN or alias ARN, readable by every account that names it.
  const keys = new Map<string, Set<string>>();
  for (const t of config.trails) if (t.kmsKey.kind === 'arn') keys.set(t.kmsKey.arn, (keys.get(t.kmsKey.arn) ?? new Set()).add(t.accountId));
  for (const [arn, users] of keys) {
    const m = ARN.exec(arn);
    if (!m) throw new Error(`not a KMS ARN: ${arn}`);
    const [, part, , region, account, resource] = m;
    const readers = [...users].filter((a) => a !== account).sort();
    const policy = keyPolicyFor(part, account, readers);
    if (resource.startsWith('alias/')) await emulator.plantKmsKey({ accountId: account, region, alias: resource, policy });
    else await emulator.plantKmsKey({ accountId: account, region, keyId: resource.replace(/^key\//, ''), policy });
  }
  const topics = new Set(config.trails.flatMap((t) => (t.sns?.kind === 'existing' ? [t.sns.topicArn] : [])));
  for (const arn of topics) {
    const m = ARN.exec(arn);
    if (!m) throw new Error(`not an SNS topic ARN: ${arn}`);
    await emulator.plantSnsTopic({ accountId: m[4], region: m[3], name: m[5] });
  }
  if (central.accessLogging && central.accessLogging.targetBucket !== central.bucketName) {
    // The target bucket lets the S3 logging service write (S3 user guide, "Permissions for log delivery").
    const target = central.accessLogging.targetBucket;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'S3ServerAccessLogsPolicy',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: ['s3:PutObject'],
          Resource: `arn:${partition}:s3:::${target}/*`,
          Condition: { StringEquals: { 'aws:SourceAccount': central.accountId } },
        },
      ],
    });
    await emulator.plantBucket({ accountId: central.accountId, region: central.region, name: target, policy });
  }
  if (central.bucketManagement !== 'managed' || central.adopt) {
    await emulator.plantBucket({ accountId: central.accountId, region: central.region, name: central.bucketName, objectLock: central.objectLock !== undefined });
  }
  if (central.kmsKey?.existingKeyArn) {
    const m = ARN.exec(central.kmsKey.existingKeyArn);
    if (!m) throw new Error(`not a KMS key ARN: ${central.kmsKey.existingKeyArn}`);
    await emulator.plantKmsKey({
      accountId: m[4],
      region: m[3],
      keyId: m[5].replace(/^key\//, ''),
      alias: central.kmsKey.aliasGiven ? central.kmsKey.alias : undefined,
      policy: keyPolicyFor(partition, m[4], []),
    });
  }
}

const literal = (v: unknown): string | undefined => (typeof v === 'string' && !v.includes('${') ? v : undefined);

function minimalPolicy(partition: string, account: string, action: string, resource: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Seed', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: action, Resource: resource }] });
}

/**
 * A minimal resource a stack's `import` block can import: it exists with the
 * identity the stack names, and the stack's apply then updates it to the
 * config. undefined for types planted another way (buckets, KMS keys and aliases).
 */
export function seedResource(type: string, body: Json, id: string, partition: string, account: string): Json | undefined {
  switch (type) {
    case 'aws_s3_bucket_public_access_block':
      return { bucket: id, block_public_acls: false, block_public_policy: false, ignore_public_acls: false, restrict_public_buckets: false };
    case 'aws_s3_bucket_ownership_controls':
      return { bucket: id, rule: { object_ownership: 'BucketOwnerPreferred' } };
    case 'aws_s3_bucket_versioning':
      return { bucket: id, versioning_configuration: { status: 'Enabled' } };
    case 'aws_s3_bucket_server_side_encryption_configuration':
      return { bucket: id, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] };
    case 'aws_s3_bucket_object_lock_configuration':
      return { bucket: id, rule: { default_retention: { mode: 'GOVERNANCE', days: 1 } } };
    case 'aws_s3_bucket_logging':
      return { bucket: id, target_bucket: literal(body.target_bucket) ?? id, target_prefix: 'seed/' };
    case 'aws_s3_bucket_lifecycle_configuration':
      return { bucket: id, rule: [{ id: 'seed', status: 'Enabled', filter: {}, expiration: { days: 3650 } }] };
    case 'aws_s3_bucket_policy':
      return { bucket: id, policy: minimalPolicy(partition, account, 's3:GetBucketAcl', `arn:${partition}:s3:::${id}`) };
    case 'aws_cloudtrail':
      return {
        name: id.split(':trail/').pop(),
        s3_bucket_name: literal(body.s3_bucket_name),
        is_multi_region_trail: body.is_multi_region_trail === true,
        include_global_service_events: body.include_global_service_events !== false,
        enable_logging: true,
      };
    case 'aws_sns_topic':
      return { name: id.split(':').pop() };
    case 'aws_sns_topic_policy':
      return { arn: id, policy: minimalPolicy(partition, account, 'SNS:GetTopicAttributes', id), depends_on: ['aws_sns_topic'] };
    case 'aws_sqs_queue':
      return { name: id.split('/').pop() };
    case 'aws_sqs_queue_policy': {
      const [, region, acct, name] = /^https:\/\/sqs\.([^.]+)\.[^/]+\/(\d{12})\/(.+)$/.exec(id) ?? [];
      return { queue_url: id, policy: minimalPolicy(partition, account, 'sqs:GetQueueAttributes', `arn:${partition}:sqs:${region}:${acct}:${name}`), depends_on: ['aws_sqs_queue'] };
    }
    case 'aws_cloudwatch_log_group':
      return { name: id };
    case 'aws_iam_role':
      return {
        name: id,
        assume_role_policy:
          literal(body.assume_role_policy) ??
          JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      };
    case 'aws_iam_role_policy': {
      const [role, name] = id.split(':');
      return { role, name, policy: minimalPolicy(partition, account, 'logs:DescribeLogGroups', '*').replace(/"Principal":\{[^}]*\},/, ''), depends_on: ['aws_iam_role'] };
    }
    default:
      return undefined;
  }
}

/** The partition of a stack (from any ARN in it; default aws). */
function partitionOf(stack: FleetStack): string {
  return /"arn:(aws-us-gov|aws-cn|aws):/.exec(JSON.stringify(stack.json))?.[1] ?? 'aws';
}

const PLANTED = new Set(['aws_s3_bucket', 'aws_kms_key', 'aws_kms_alias']);

/**
 * Creates every resource the stack imports that prepareWorld did not plant,
 * with a throwaway Terraform configuration (the stack's own providers, the
 * emulator override, a state that is then deleted). No-op without imports.
 */
export async function seedImports(stack: FleetStack, options: { terraform: Terraform; endpoint: string; workDir: string }): Promise<number> {
  const imports = ([] as Json[]).concat(stack.json.import ?? []);
  const partition = partitionOf(stack);
  const resource: Json = {};
  for (const imp of imports) {
    const [type, name] = String(imp.to).split('.');
    if (PLANTED.has(type)) continue;
    const body: Json = stack.json.resource?.[type]?.[name] ?? {};
    const account = stack.accountId;
    const seed = seedResource(type, body, String(imp.id), partition, account);
    if (!seed) throw new Error(`${stack.name}: cannot create ${imp.to} (import id ${imp.id}) for the import: no seed for ${type} (tools/emulator/fleet.ts seedResource)`);
    if (typeof body.provider === 'string') seed.provider = body.provider;
    resource[type] = { ...(resource[type] ?? {}), [name]: seed };
  }
  const count = Object.values(resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
  if (count === 0) return 0;
  // depends_on by type: every seed of that type.
  for (const byName of Object.values(resource))
    for (const seed of Object.values(byName as Json))
      if (seed.depends_on) seed.depends_on = (seed.depends_on as string[]).flatMap((t) => Object.keys(resource[t] ?? {}).map((n) => `${t}.${n}`));
  const dir = path.join(options.workDir, 'seed', stack.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'cdk.tf.json'),
    JSON.stringify({ terraform: { required_providers: stack.json.terraform?.required_providers }, provider: stack.json.provider, resource }, null, 2),
  );
  const stateFile = path.join(dir, 'seed.tfstate');
  writeEmulatorOverride(dir, { endpoint: options.endpoint, stateFile });
  await options.terraform.apply(dir);
  // The seed's state goes: from now on the stack owns (imports) what it made.
  options.terraform.forgetInit(dir);
  rmSync(dir, { recursive: true, force: true });
  return count;
}

// ------------------------------------------------------------ apply and plan

export interface FleetOptions {
  readonly emulator: Emulator;
  readonly terraform: Terraform;
  /** Stacks (`<workDir>/out`), state files and seeds go here. */
  readonly workDir: string;
  /** Account stacks applied at once (default 2). */
  readonly jobs?: number;
  /** The account stacks to apply (default all); the central stack is always applied. */
  readonly selectAccounts?: (accounts: readonly FleetStack[]) => readonly FleetStack[];
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** Runs `task` over `items`, at most `limit` at a time; the first failure rejects (after the running ones end). */
export async function inPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        results[i] = await task(items[i]);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== undefined) throw failed;
  return results;
}

/** Points each stack at the emulator (override file) with its state in `<workDir>/state/<stack>.tfstate`. */
export function pointAtEmulator(stacks: readonly FleetStack[], endpoint: string, workDir: string): void {
  for (const s of stacks) writeEmulatorOverride(s.dir, { endpoint, stateFile: path.join(workDir, 'state', `${s.name}.tfstate`) });
}

/**
 * Applies synthesized stacks (already pointed at the emulator): first
 * each stack's imports are seeded, the central stack is applied, then the
 * (selected) account stacks, `jobs` at a time. Returns the stacks applied.
 */
export async function applyFleet(stacks: readonly FleetStack[], options: FleetOptions): Promise<FleetStack[]> {
  const log = options.log ?? (() => undefined);
  const central = stacks.filter(isCentral);
  const accounts = stacks.filter((s) => !isCentral(s));
  const chosen = options.selectAccounts ? options.selectAccounts(accounts) : accounts;
  const one = async (s: FleetStack) => {
    const seeded = await seedImports(s, { terraform: options.terraform, endpoint: options.emulator.endpoint, workDir: options.workDir });
    const r = await options.terraform.apply(s.dir);
    log(`  applied ${s.name}${seeded ? ` (${seeded} existing resources created first, then imported)` : ''} in ${r.seconds.toFixed(1)} s`);
  };
  for (const s of central) await one(s);
  await inPool(chosen, options.jobs ?? 2, one);
  return [...central, ...chosen];
}

/** Plans stacks again (`jobs` at a time); by stack name. */
export async function planFleet(stacks: readonly FleetStack[], options: { terraform: Terraform; jobs?: number }): Promise<Map<string, PlanResult>> {
  const plans = await inPool(stacks, options.jobs ?? 2, (s) => options.terraform.plan(s.dir));
  return new Map(stacks.map((s, i) => [s.name, plans[i]]));
}

/** From nothing (state of earlier runs in workDir removed): synthFleet + prepareWorld + pointAtEmulator + applyFleet; returns the stacks applied (central first). */
export async function deployFleet(config: FleetConfig, options: FleetOptions): Promise<FleetStack[]> {
  // A deploy from nothing: no state of an earlier run.
  rmSync(path.join(options.workDir, 'state'), { recursive: true, force: true });
  const stacks = synthFleet(config, path.join(options.workDir, 'out'));
  await prepareWorld(config, options.emulator, stacks);
  pointAtEmulator(stacks, options.emulator.endpoint, options.workDir);
  return applyFleet(stacks, options);
}
