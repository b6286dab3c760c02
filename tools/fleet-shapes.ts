/**
 * Fleet configs for every shape the app can emit, for `npm run validate`
 * (Terraform checks each) and the Jest tests that prove the shapes are what
 * they claim.
 *
 * The policy-encoding thresholds are not hard-coded: they are found by
 * bisection over the account count with the real builders
 * (`fleetBucketPolicy` / `fleetCentralKeyPolicy` report the encoding they
 * picked), so when a policy gets a byte longer the generated fleets move
 * with it and still sit on both sides of each threshold.
 *
 * The configs are written as YAML (the user's path: `CLOUDTRAIL_CONFIG=<file>`).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { configFileSchema, ADVANCED_FIELDS } from '../config/schema';
import { resolveConfig } from '../config/model';
import type { FleetConfig } from '../config/model';
import { BUCKET_POLICY_ENCODINGS, BucketPolicyEncoding } from '../modules/policies/bucket-policy';
import { KEY_POLICY_ENCODINGS, KeyPolicyEncoding } from '../modules/policies/key-policies';
import { fleetBucketPolicy, fleetCentralKeyPolicy } from '../modules/policies/fleet-policies';

/** A config file as a plain object (what YAML parses to). */
export type RawConfig = Record<string, any>;

export const CENTRAL_ACCOUNT = '111111111111';
/** Management account of the generated organizations (sorts first, so it is the first account stack). */
export const ORGANIZATION = { id: 'o-exampleorgid', managementAccountId: CENTRAL_ACCOUNT } as const;

/** The i-th generated member account id: 12 digits, distinct, increasing with i (so list order = stack order). */
export function accountId(i: number): string {
  return String(200_000_000_000 + i * 7_919);
}

export interface FleetOptions {
  /** Trail name of every account. @default my-trail */
  readonly trailName?: string;
  /** One prefix shared by every account. @default none */
  readonly prefix?: string;
  /** Adds the top-level organization (no organization trail). @default false */
  readonly organization?: boolean;
}

/** The default config's shape (central key, one trail per account) with `n` member accounts. */
export function fleet(n: number, o: FleetOptions = {}): RawConfig {
  return {
    ...(o.organization ? { organization: { ...ORGANIZATION } } : {}),
    central: { accountId: CENTRAL_ACCOUNT, region: 'us-east-2', bucketName: 'my-bucket' },
    defaults: { trailName: o.trailName ?? 'my-trail', ...(o.prefix ? { prefix: o.prefix } : {}) },
    accounts: Array.from({ length: n }, (_, i) => ({ accountId: accountId(i) })),
  };
}

/** Schema parse + resolution, without the cross-field rules (which reject a policy that does not fit). */
export function resolveUnchecked(raw: RawConfig): FleetConfig {
  return resolveConfig(configFileSchema.parse(raw));
}

export function bucketEncodingOf(raw: RawConfig): BucketPolicyEncoding {
  return fleetBucketPolicy(resolveUnchecked(raw)).encoding;
}

export function keyEncodingOf(raw: RawConfig): KeyPolicyEncoding {
  return fleetCentralKeyPolicy(resolveUnchecked(raw)).encoding;
}

/**
 * The largest n for which `rank(n) <= limit`, where rank (the position of
 * the encoding a fleet of n accounts gets) never decreases as n grows:
 * doubling to find an upper bound, then bisection.
 */
export function lastSizeAtMost(rank: (n: number) => number, limit: number, max = 100_000): number {
  if (rank(1) > limit) throw new Error(`a fleet of 1 account is already past encoding #${limit}`);
  let lo = 1;
  let hi = 2;
  while (rank(hi) <= limit) {
    lo = hi;
    hi *= 2;
    if (hi > max) throw new Error(`no fleet up to ${max} accounts goes past encoding #${limit}`);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rank(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface Threshold<E extends string> {
  /** The encoding of `last` accounts. */
  readonly from: E;
  /** The encoding of `last + 1` accounts. */
  readonly to: E;
  /** The last fleet size that gets `from`. */
  readonly last: number;
}

/** Every switch from one encoding to the next of a policy, for a family of fleets. */
function thresholds<E extends string>(encodings: readonly E[], encodingOf: (n: number) => E): Threshold<E>[] {
  const rank = (n: number) => encodings.indexOf(encodingOf(n));
  const out: Threshold<E>[] = [];
  for (let i = 0; i < encodings.length - 1; i++) {
    const last = lastSizeAtMost(rank, i);
    out.push({ from: encodings[i], to: encodings[rank(last + 1)], last });
  }
  return out;
}

export interface EncodingThresholds {
  /** per-account -> per-prefix-trail-arns -> per-prefix-source-account, for `fleet(n, options)`. */
  readonly bucket: Threshold<BucketPolicyEncoding>[];
  /** per-trail -> per-account -> per-account-org, for `fleet(n, { ...options, organization: true })`. */
  readonly key: Threshold<KeyPolicyEncoding>[];
}

const memo = new Map<string, EncodingThresholds>();

/** The thresholds of both central policies for fleets of `fleet(n, options)`, computed with the real builders. */
export function encodingThresholds(options: FleetOptions = {}): EncodingThresholds {
  const key = JSON.stringify(options);
  let result = memo.get(key);
  if (!result) {
    result = {
      bucket: thresholds(BUCKET_POLICY_ENCODINGS, (n) => bucketEncodingOf(fleet(n, options))),
      // Only with an organization does the key have its third encoding; the first two do not depend on it.
      key: thresholds(KEY_POLICY_ENCODINGS, (n) => keyEncodingOf(fleet(n, { ...options, organization: true }))),
    };
    memo.set(key, result);
  }
  return result;
}

// ------------------------------------------------------------ the shapes

export interface FleetShape {
  /** File name without `.yaml`. */
  readonly name: string;
  /** What the shape covers, one line (printed by npm run validate). */
  readonly covers: string;
  readonly raw: RawConfig;
  /** The encodings this shape must get (asserted by the Jest tests). */
  readonly expect?: { readonly bucket?: BucketPolicyEncoding; readonly key?: KeyPolicyEncoding };
}

/** Text that Terraform would read as a template if it reached cdk.tf.json unescaped. */
export const TEMPLATE_TEXT = {
  s3Prefix: 'home/${aws:username}/',
  s3PrefixDirective: 'a%{if false}b%{endif}c/',
  selectorName: 'Log ${aws:PrincipalTag/team} writes %{ for x in y }',
  selectorValue: 'arn:aws:s3:::payments-data/${aws:username}/',
  rolePath: 'arn:aws:iam::111111111111:role/${aws:username}/%{x}/SecurityAudit',
  accountName: 'team ${name} %{ if x } "prod"',
} as const;

/** The backends the generated shapes rotate through (the backend block is checked by Terraform too). */
export const BACKENDS: readonly RawConfig[] = [
  { type: 'local' },
  { type: 'cloud', organization: 'acme', workspacePrefix: 'cloudtrail-', hostname: 'app.terraform.io', project: 'logging' },
  { type: 's3', bucket: 'acme-terraform-state', region: 'us-east-2', keyPrefix: 'state/cloudtrail-fleet/', assumeRoleArn: 'arn:aws:iam::111111111111:role/TerraformState' },
  { type: 'cloud', organization: 'acme', hostname: 'tfe.example.com:8443' },
  // S3 lock file (use_lockfile), not dynamodbTable: Terraform 1.11 prints a deprecation warning for every
  // backend block with dynamodb_table, which would be noise in every run (its synthesis is unit-tested).
  { type: 's3', bucket: 'acme-terraform-state', region: 'us-east-2', encrypt: true },
];

function withBackend(raw: RawConfig, i: number): RawConfig {
  return { ...raw, backend: { ...BACKENDS[i % BACKENDS.length] } };
}

/** 1,000 accounts: the fleet size the project promises. */
export const LARGE_FLEET = 1000;

function templateTextShape(): RawConfig {
  const raw = fleet(2);
  raw.central.kmsKey = { decryptPrincipals: [TEMPLATE_TEXT.rolePath] };
  raw.central.assumeRoleArn = 'arn:aws:iam::111111111111:role/${team}/TerraformDeploy';
  raw.accounts[0] = {
    accountId: accountId(0),
    name: TEMPLATE_TEXT.accountName,
    assumeRoleArn: `arn:aws:iam::${accountId(0)}:role/%{deploy}/TerraformDeploy`,
    dataEvents: {
      s3: {
        buckets: [
          { name: 'payments-data', prefix: TEMPLATE_TEXT.s3Prefix, readWrite: 'WriteOnly' },
          { name: 'payments-data', prefix: TEMPLATE_TEXT.s3PrefixDirective },
          { name: 'payments-archive', prefix: 'already-escaped/$${x}/%%{y}/trailing-$' },
        ],
      },
    },
  };
  raw.accounts[1] = {
    accountId: accountId(1),
    dataEvents: {
      advanced: [
        {
          name: TEMPLATE_TEXT.selectorName,
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Data'] },
            { field: 'resources.type', equals: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: [TEMPLATE_TEXT.selectorValue, 'arn:aws:s3:::payments-data/%{x}/'] },
            { field: 'userIdentity.arn', notStartsWith: ['arn:aws:sts::111111111111:assumed-role/${role}/'] },
          ],
        },
      ],
    },
  };
  return raw;
}

/**
 * One advanced selector per field the schema allows, so Terraform (the
 * pinned provider's validators) sees every field the loader accepts.
 */
function everyAdvancedFieldShape(): RawConfig {
  const raw = fleet(1);
  const values: Record<string, RawConfig> = {
    eventCategory: { equals: ['Data'] },
    eventName: { equals: ['PutObject', 'DeleteObject'] },
    eventSource: { equals: ['s3.amazonaws.com'] },
    readOnly: { equals: ['false'] },
    'resources.ARN': { startsWith: ['arn:aws:s3:::payments-data/'] },
    'resources.type': { equals: ['AWS::S3::Object'] },
    'userIdentity.arn': { notStartsWith: ['arn:aws:sts::111111111111:assumed-role/Automation/'] },
  };
  const selectors = ADVANCED_FIELDS.filter((f) => f !== 'eventCategory' && f !== 'resources.type').map((field) => ({
    name: `field ${field}`,
    fieldSelectors: [
      { field: 'eventCategory', equals: ['Data'] },
      { field: 'resources.type', equals: ['AWS::S3::Object'] },
      { field, ...(values[field] ?? { equals: ['true'] }) },
    ],
  }));
  raw.accounts[0].dataEvents = { advanced: selectors };
  return raw;
}

/** Several trails per account: five multi-region trails; and one multi-region plus four single-region trails in each of two regions. */
function multiTrailShape(): RawConfig {
  const raw = fleet(0);
  raw.partition = 'aws-us-gov';
  raw.central.region = 'us-gov-west-1';
  const a = accountId(0);
  const b = accountId(1);
  raw.accounts = [
    ...['trail', 'key', 'topic', 'provider', 'backend'].map((trailName, i) => ({ accountId: a, trailName: `${trailName}-${i + 1}`, prefix: i % 2 ? 'odd' : undefined })),
    { accountId: b, trailName: 'everywhere', kmsKey: 'none' },
    ...[1, 2, 3, 4].map((i) => ({ accountId: b, trailName: `west-${i}`, multiRegion: false, region: 'us-gov-west-1' })),
    ...[1, 2, 3, 4].map((i) => ({ accountId: b, trailName: `east-${i}`, multiRegion: false, region: 'us-gov-east-1', kmsKey: 'none' })),
  ].map((acc) => JSON.parse(JSON.stringify(acc)));
  return raw;
}

/** Organization trails in the management account (two, with and without a prefix), and member accounts. */
function organizationTrailsShape(): RawConfig {
  const raw = fleet(3, { organization: true });
  raw.partition = 'aws-cn';
  raw.central.region = 'cn-north-1';
  raw.accounts.unshift(
    { accountId: CENTRAL_ACCOUNT, trailName: 'org-trail', organizationTrail: true, insights: { apiCallRate: true } },
    { accountId: CENTRAL_ACCOUNT, trailName: 'org-trail-archive', organizationTrail: true, prefix: 'archive', kmsKey: 'none' },
  );
  raw.accounts[3].region = 'cn-northwest-1';
  return raw;
}

/** The CI principal of the generated bootstrap shapes. */
export const CI_PRINCIPAL = 'arn:aws:iam::999999999999:role/ci-deployer';

/**
 * Bootstrap for a CI principal where one account's deployer role outgrows an
 * inline policy: 30 single-region trails (5 per region) that each create a
 * key, a topic, a queue and a log group, so the role's permissions are
 * split into managed policies (docs/bootstrap.md).
 */
export function bootstrapManagedPoliciesShape(): RawConfig {
  const raw = fleet(1);
  const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1'];
  raw.accounts = Array.from({ length: 30 }, (_, i) => ({
    accountId: accountId(0),
    trailName: `trail-${i}`,
    region: regions[Math.floor(i / 5)],
    multiRegion: false,
    includeGlobalServiceEvents: false,
    kmsKey: { create: { alias: `alias/cloudtrail-${i}` } },
    sns: { create: { topicName: `cloudtrail-notify-${i}`, sqsQueue: true } },
    cloudWatchLogs: { create: { logGroupName: `aws-cloudtrail-logs-${i}` } },
  }));
  raw.bootstrap = { deployer: { principalArn: CI_PRINCIPAL } };
  return raw;
}

/** Bootstrap for HCP Terraform across a large organization: a plan and an apply role per workspace in every account. */
export function bootstrapHcpTerraformShape(n: number): RawConfig {
  const raw = fleet(n, { organization: true });
  raw.accounts.unshift({ accountId: CENTRAL_ACCOUNT, trailName: 'org-trail', organizationTrail: true });
  raw.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-', project: 'logging' };
  raw.bootstrap = { deployer: { hcpTerraform: true } };
  return raw;
}

/** Every account its own prefix (a statement per prefix in the compact encodings). */
function distinctPrefixesShape(n: number): RawConfig {
  const raw = fleet(n);
  raw.accounts.forEach((a: RawConfig, i: number) => (a.prefix = `team-${i}`));
  return raw;
}

/** Accounts sharing a few prefixes: several numbered statements in a compact encoding. */
function prefixGroupsShape(n: number, groups: number): RawConfig {
  const raw = fleet(n);
  raw.accounts.forEach((a: RawConfig, i: number) => (a.prefix = `group-${i % groups}/logs`));
  return raw;
}

/** The largest fleet of distinct prefixes whose bucket policy fits. */
function maxDistinctPrefixes(): number {
  return lastSizeAtMost((n) => (fleetBucketPolicy(resolveUnchecked(distinctPrefixesShape(n))).fits ? 0 : 1), 0);
}

/**
 * The guard (docs/guard.md) on an organization fleet of `n` member accounts
 * and an organization trail, each member deployed by its role, with created
 * keys, topics and log groups in some accounts (several trails in one):
 * exact ARNs while they fit, names beyond; detection to a bus or a topic.
 */
function guardShape(n: number, deliverTo: 'eventBus' | 'snsTopic'): RawConfig {
  const raw = fleet(n, { organization: true });
  raw.central.assumeRoleArn = `arn:aws:iam::${CENTRAL_ACCOUNT}:role/TerraformDeploy`;
  raw.accounts.forEach((a: RawConfig) => (a.assumeRoleArn = `arn:aws:iam::${a.accountId}:role/TerraformDeploy`));
  raw.accounts.unshift({ accountId: CENTRAL_ACCOUNT, trailName: 'org-trail', organizationTrail: true, assumeRoleArn: raw.central.assumeRoleArn });
  const deliveries = { kmsKey: { create: { alias: 'alias/ct-own' } }, sns: { create: { topicName: 'ct-notify' } }, cloudWatchLogs: { create: { logGroupName: 'ct-logs' } } };
  Object.assign(raw.accounts[1], deliveries);
  raw.accounts.splice(2, 0, { accountId: raw.accounts[1].accountId, assumeRoleArn: raw.accounts[1].assumeRoleArn, trailName: 'second', multiRegion: false, region: 'eu-west-1', sns: { create: { topicName: 'ct-second' } } });
  if (n > 2) Object.assign(raw.accounts[raw.accounts.length - 1], deliveries);
  raw.guard = {
    prevention: { attachTo: ['r-ab12', 'ou-ab12-cdefgh34'], assumeRoleArn: raw.central.assumeRoleArn, exemptPrincipals: ['arn:aws:iam::*:role/BreakGlass'] },
    detection: { deliverTo },
  };
  return raw;
}

/**
 * The guard with bootstrap (docs/guard.md, docs/bootstrap.md): no role named
 * in the config; HCP Terraform's plan and apply roles per workspace (the
 * cloudtrail-guard workspace too), or a CI principal's default roles, are
 * the deployers the policies exempt.
 */
export function guardBootstrapShape(n: number, deployer: 'hcp' | 'principal'): RawConfig {
  const raw = guardShape(n, 'snsTopic');
  delete raw.central.assumeRoleArn;
  delete raw.guard.prevention.assumeRoleArn;
  for (const a of raw.accounts) delete a.assumeRoleArn;
  if (deployer === 'principal') raw.bootstrap = { deployer: { principalArn: CI_PRINCIPAL } };
  else {
    raw.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-', project: 'logging' };
    raw.bootstrap = { deployer: { hcpTerraform: true } };
  }
  return raw;
}

/**
 * Every generated shape. Long trail names and prefixes move the bucket
 * thresholds down to a handful of accounts (the 9), so both families
 * are covered.
 */
export function fleetShapes(): FleetShape[] {
  const shapes: FleetShape[] = [];
  // A shape that needs its own backend (HCP Terraform bootstrap) keeps it; the others rotate through BACKENDS.
  const add = (name: string, covers: string, raw: RawConfig, expect?: FleetShape['expect']) =>
    shapes.push({ name, covers, raw: raw.backend ? raw : withBackend(raw, shapes.length), expect });

  add('one-account', '1 account (the smallest fleet)', fleet(1), { bucket: 'per-account', key: 'per-trail' });

  const families: { tag: string; note: string; options: FleetOptions }[] = [
    { tag: '', note: '', options: {} },
    { tag: 'long-names-', note: ', 128-character trail name and 200-character prefix', options: { trailName: `t${'x'.repeat(126)}t`, prefix: `p${'/p'.repeat(99)}` } },
  ];
  for (const { tag, note, options } of families) {
    const t = encodingThresholds(options);
    for (const th of t.bucket) {
      add(`bucket-${tag}${th.from}-last`, `bucket policy: last size of ${th.from} (${th.last} accounts${note})`, fleet(th.last, options), { bucket: th.from });
      add(`bucket-${tag}${th.to}-first`, `bucket policy: first size of ${th.to} (${th.last + 1} accounts${note})`, fleet(th.last + 1, options), { bucket: th.to });
    }
    if (tag) continue; // the key policy does not depend on prefixes, and names move it only a little
    for (const th of t.key) {
      const organization = th.to === 'per-account-org';
      const orgNote = organization ? ', with organization' : '';
      add(`key-${th.from}-last`, `central key policy: last size of ${th.from} (${th.last} accounts${orgNote})`, fleet(th.last, { organization }), { key: th.from });
      add(`key-${th.to}-first`, `central key policy: first size of ${th.to} (${th.last + 1} accounts${orgNote})`, fleet(th.last + 1, { organization }), { key: th.to });
    }
  }

  add(`fleet-${LARGE_FLEET}`, `${LARGE_FLEET} accounts, no organization`, fleet(LARGE_FLEET));
  const orgFleet = fleet(LARGE_FLEET - 1, { organization: true });
  orgFleet.accounts.unshift({ accountId: CENTRAL_ACCOUNT, trailName: 'org-trail', organizationTrail: true });
  add(`fleet-${LARGE_FLEET}-organization`, `${LARGE_FLEET} accounts with an organization and an organization trail`, orgFleet);

  const distinct = maxDistinctPrefixes();
  add('distinct-prefixes-max', `${distinct} accounts, each its own prefix (the most that fit)`, distinctPrefixesShape(distinct));
  add('prefix-groups', '300 accounts sharing 7 nested prefixes', prefixGroupsShape(300, 7));
  add('several-trails-per-account', 'several trails per account (5 multi-region; 1 + 4 per region in two regions), aws-us-gov', multiTrailShape());
  add('organization-trails', 'two organization trails (one with a prefix) and members in two regions, aws-cn', organizationTrailsShape());
  add('template-text', 'free text that looks like a template (${...}, %{...}, $${...}) in S3 prefixes, selector names and values, account names, role paths', templateTextShape());
  add('every-advanced-field', `an advanced selector on each field the schema allows (${ADVANCED_FIELDS.join(', ')})`, everyAdvancedFieldShape());
  add('guard', 'the guard: service control policies of exact ARNs (cloudtrail-guard), rules in every account to an SNS topic, created keys, topics and log groups', guardShape(3, 'snsTopic'));
  add(`guard-${LARGE_FLEET}`, `the guard on ${LARGE_FLEET} accounts: service control policies by name, rules in every account to the central bus`, guardShape(LARGE_FLEET - 1, 'eventBus'));
  add('bootstrap-managed-policies', 'bootstrap for a CI principal: an account of 30 trails whose deployer role needs managed policies', bootstrapManagedPoliciesShape());
  add('bootstrap-hcp-terraform-300', 'bootstrap for HCP Terraform: 300 accounts of an organization, a plan and an apply role per workspace', bootstrapHcpTerraformShape(299));
  add('guard-bootstrap-ci-principal', "the guard with bootstrap for a CI principal: bootstrap's default deployer roles exempt, cloudtrail-guard assumes the management account's", guardBootstrapShape(3, 'principal'));
  add('guard-bootstrap-hcp-terraform-300', 'the guard with bootstrap for HCP Terraform on 300 accounts: the workspace roles exempt by name, the cloudtrail-guard workspace with its own roles', guardBootstrapShape(299, 'hcp'));
  return shapes;
}

/** Writes every shape as `<dir>/<name>.yaml` (removing older generated files); returns the files in order. */
export function writeFleetShapes(dir: string, shapes: readonly FleetShape[] = fleetShapes()): { file: string; shape: FleetShape }[] {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.yaml')) rmSync(path.join(dir, f));
  return shapes.map((shape) => {
    const file = path.join(dir, `${shape.name}.yaml`);
    writeFileSync(file, `# Generated by scripts/fleet-shapes.ts for npm run validate: ${shape.covers}\n${stringify(shape.raw, { lineWidth: 0 })}`);
    return { file, shape };
  });
}
