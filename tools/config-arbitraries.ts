/**
 * fast-check arbitraries that draw random config files across the whole
 * option space: every partition with its regions, every kmsKey / sns /
 * cloudWatchLogs / dataEvents (s3, lambda, dynamodb, advanced, raw network
 * activity selectors) / networkActivityEvents / insights /
 * organization / backend / retention / objectLock / accessLogging / guard variant,
 * trail names that are ordinary words (`trail`, `constructor`, ...), and free
 * text with `${`, `%{`, quotes and unicode in every free-text field. Fleet
 * sizes are biased to the policy-encoding thresholds.
 *
 * Most draws are valid; some are not on purpose (a misspelt region, a backend
 * hostname written as a URL, an S3 state key prefix with "/" or "//"): the
 * loader must reject those with a ConfigError, never let them through.
 *
 * Used by the property tests (__tests__/property/) and by `npm run validate`,
 * which sends a fixed-seed sample through Terraform (writeConfigSample).
 */
import fc from 'fast-check';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { ADVANCED_FIELDS } from '../config/schema';
import { NETWORK_ACTIVITY_EVENT_SOURCES } from '../config/network-activity';
import { mergeSettings } from '../config/model';
import { prefixProblem } from '../config/rules';
import { encodingThresholds, RawConfig } from './fleet-shapes';

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

/** Real regions of each partition (opt-in regions included), a subset is enough to draw from. */
export const REAL_REGIONS: Readonly<Record<Partition, readonly string[]>> = {
  aws: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'eu-south-2', 'ap-south-1', 'ap-southeast-2', 'ap-east-1', 'me-south-1', 'af-south-1', 'sa-east-1', 'ca-central-1', 'il-central-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
};

/** Region names that look right but do not exist: a config naming one must be rejected. */
export const FAKE_REGIONS: Readonly<Record<Partition, readonly string[]>> = {
  aws: ['eu-cental-1', 'us-east-7', 'eu-wst-1'],
  'aws-us-gov': ['us-gov-north-9'],
  'aws-cn': ['cn-south-7'],
};

/** Trail names that are ordinary words: construct ids, provider words, Object.prototype members. */
export const WORD_TRAIL_NAMES = [
  'trail', 'key', 'topic', 'queue', 'backend', 'provider', 'providers', 'aws', 'trail_arn', 'log-bucket', 'central-key', 'key-lookups',
  'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'my-trail',
] as const;

/** Tag keys that are Object.prototype members (a plain-object lookup finds them on every object). */
export const WORD_TAG_KEYS = ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__', 'owner', 'Name'] as const;

/** Backend values Terraform rejects at init (measured with Terraform 1.11.4; see scripts/backend-check.ts). */
export const BAD_CLOUD_HOSTNAMES = ['https://app.terraform.io', 'app.terraform.io/', 'http://tfe.example.com:8443'] as const;
export const BAD_S3_KEY_PREFIXES = ['/state/', 'state//cloudtrail/', '//'] as const;

// ------------------------------------------------------------ building blocks

/** Pieces of free text that matter to Terraform and JSON: template openers, escapes, quotes, unicode. */
const TEXT_PIECES = [
  '${aws:username}', '${aws:SourceAccount}', '%{if false}b%{endif}', '%{ for x in y }', '$${escaped}', '%%{escaped}', '${', '%{', '$', '%', '{', '}',
  '"', "'", '\\', 'ünïcødé', '✓', '日本', ' ', '/', 'a', 'Z', '0', '-', '_', '.', ':',
];

/** Free text: a short run of TEXT_PIECES and plain characters. */
export function freeText(maxPieces = 6): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...TEXT_PIECES), fc.string({ minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: maxPieces })
    .map((p) => p.join(''));
}

const opt = <T>(arb: fc.Arbitrary<T>, weight = 1) => fc.option(arb, { nil: undefined, freq: weight + 1 });
const readWrite = fc.constantFrom('All', 'ReadOnly', 'WriteOnly');
const accountIdArb = fc.integer({ min: 1, max: 999_999_999_999 }).map((n) => String(n).padStart(12, '0'));
const nameArb = (min: number, max: number) =>
  fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: Math.max(0, min - 2), maxLength: Math.max(0, max - 2) }), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'))
    .map(([a, b, c]) => `${a}${b}${c}`.replace(/-{2,}/g, '-'));
const bucketNameArb = nameArb(3, 40).filter((n) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(n) && !/-s3alias$/.test(n));

/** A trail name: an ordinary word, or a valid generated name (up to 128 characters). */
export const trailNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WORD_TRAIL_NAMES) },
  { weight: 2, arbitrary: nameArb(3, 24) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 128 }).map((n) => `t${'x'.repeat(n - 2)}t`) },
);

const prefixArb = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('team-a', 'a/b/c', 'logs.2024', "it's", '(x)!', 'p'.repeat(200), `p${'/p'.repeat(99)}`) },
  // Invalid on purpose (leading/trailing "/", "//", AWSLogs, a "$"): the loader rejects these.
  { weight: 1, arbitrary: fc.constantFrom('/lead', 'trail/', 'a//b', 'x/AWSLogs', 'home/${aws:username}') },
);

function tagsArb(): fc.Arbitrary<Record<string, string>> {
  const key = fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...WORD_TAG_KEYS.filter((k) => k !== '__proto__')) },
    { weight: 30, arbitrary: nameArb(1, 20) },
    { weight: 8, arbitrary: fc.oneof(fc.constant('ünïcødé'), freeText(3)) },
    // Rarely: a key a plain JavaScript object cannot hold as data (must be rejected, never dropped).
    { weight: 1, arbitrary: fc.constant('__proto__') },
  );
  const value = fc.oneof({ weight: 12, arbitrary: nameArb(1, 20) }, { weight: 2, arbitrary: fc.constantFrom('ünïcødé 日本', 'a b:c/d=e+f-g@h', '') }, { weight: 1, arbitrary: freeText(4) });
  // Own properties, even for "__proto__" (what JSON.parse gives for such a key).
  return fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) => {
    const out: Record<string, string> = {};
    for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

interface Ctx {
  readonly partition: Partition;
  readonly regions: readonly string[];
  readonly centralRegion: string;
  readonly centralAccount: string;
  readonly centralKey: boolean;
  readonly organization: boolean;
}

const RESOURCE_TYPES = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table', 'AWS::S3Outposts::Object', 'AWS::SNS::Topic'];

const COVERED_FIELDS: readonly string[] = ['eventCategory', 'resources.type', 'readOnly', 'eventName', 'eventSource', 'resources.ARN', 'userIdentity.arn'];

/** One field selector on a field other than eventCategory. */
function fieldSelectorArb(): fc.Arbitrary<RawConfig> {
  const values = fc.array(fc.oneof(freeText(4), fc.constantFrom('PutObject', 'DeleteObject', 'arn:aws:s3:::payments-data/')), { minLength: 1, maxLength: 3 });
  const common = fc.oneof(
    fc.record({ field: fc.constant('resources.type'), equals: fc.constantFrom(...RESOURCE_TYPES).map((t) => [t]) }),
    fc.record({ field: fc.constant('readOnly'), equals: fc.constantFrom(['true'], ['false']) }),
    fc.record({ field: fc.constant('eventName'), equals: values }),
    fc.record({ field: fc.constant('eventSource'), notEquals: fc.constant(['kms.amazonaws.com']) }),
    fc.record({ field: fc.constant('resources.ARN'), startsWith: values }),
    fc.record({ field: fc.constant('resources.ARN'), notEndsWith: values }),
    fc.record({ field: fc.constant('userIdentity.arn'), notStartsWith: values }),
  );
  // Rarely: every other field the schema allows, and one aws 5.100.0 does not know (the loader must reject it).
  const rare = fc
    .constantFrom(...new Set([...ADVANCED_FIELDS.filter((f) => !COVERED_FIELDS.includes(f)), 'sessionCredentialFromConsole']))
    .map((field) => ({ field, equals: ['true'] }));
  return fc.oneof({ weight: 100, arbitrary: common }, { weight: 1, arbitrary: rare });
}

/** API operation names for eventNames filters (letters and digits). */
const OPERATION_NAMES = ['Decrypt', 'GenerateDataKey', 'GetSecretValue', 'DescribeInstances', 'RunInstances', 'GetObject', 'PutObject', 'SendMessage', 'Publish', 'Invoke'];

/** A raw network activity selector: NetworkActivity, one event source, maybe eventName conditions. */
function rawNetworkSelectorArb(): fc.Arbitrary<RawConfig> {
  return fc
    .record(
      {
        name: freeText(5),
        source: fc.constantFrom(...NETWORK_ACTIVITY_EVENT_SOURCES, 'dynamodb.amazonaws.com'),
        names: fc.uniqueArray(fc.constantFrom(...OPERATION_NAMES), { minLength: 1, maxLength: 3 }),
        negate: fc.boolean(),
      },
      { requiredKeys: ['source', 'negate'] },
    )
    .map(({ name, source, names, negate }) => ({
      ...(name === undefined ? {} : { name }),
      fieldSelectors: [
        { field: 'eventCategory', equals: ['NetworkActivity'] },
        { field: 'eventSource', equals: [source] },
        ...(names ? [{ field: 'eventName', [negate ? 'notEquals' : 'equals']: names }] : []),
      ],
    }));
}

/**
 * `networkActivityEvents`: event sources as words or entries with eventNames.
 * Rarely on purpose a short name (`kms`) or a filter the pinned provider cannot
 * express (`vpceAccessDeniedOnly`): the loader must reject those.
 */
function networkActivityEventsArb(): fc.Arbitrary<RawConfig> {
  const entry = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NETWORK_ACTIVITY_EVENT_SOURCES) },
    {
      weight: 2,
      arbitrary: fc.record(
        { eventSource: fc.constantFrom(...NETWORK_ACTIVITY_EVENT_SOURCES), eventNames: fc.uniqueArray(fc.constantFrom(...OPERATION_NAMES), { minLength: 1, maxLength: 4 }) },
        { requiredKeys: ['eventSource'] },
      ),
    },
  );
  const sourceOf = (e: string | { eventSource: string }) => (typeof e === 'string' ? e : e.eventSource);
  const valid = fc.uniqueArray(entry, { minLength: 0, maxLength: 4, selector: sourceOf }).map((eventSources) => ({ eventSources }));
  const invalid = fc.constantFrom({ eventSources: ['kms'] }, { eventSources: ['kms.amazonaws.com'], vpceAccessDeniedOnly: true }, { eventSources: [{ eventSource: 'ec2.amazonaws.com', errorCode: 'VpceAccessDenied' }] });
  return fc.oneof({ weight: 60, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

function advancedSelectorArb(): fc.Arbitrary<RawConfig> {
  return fc.oneof({ weight: 4, arbitrary: dataOrManagementSelectorArb() }, { weight: 1, arbitrary: rawNetworkSelectorArb() });
}

function dataOrManagementSelectorArb(): fc.Arbitrary<RawConfig> {
  return fc
    .record(
      {
        name: freeText(5),
        category: fc.constantFrom('Data', 'Management'),
        others: fc.uniqueArray(fieldSelectorArb(), { maxLength: 3, selector: (f) => f.field }),
      },
      { requiredKeys: ['category', 'others'] },
    )
    .map(({ name, category, others }) => ({
      ...(name === undefined ? {} : { name }),
      fieldSelectors: [{ field: 'eventCategory', equals: [category] }, ...others],
    }));
}

function dataEventsArb(ctx: Ctx, accountId: string): fc.Arbitrary<RawConfig> {
  const region = fc.constantFrom(...ctx.regions);
  const s3 = fc.record(
    {
      allBuckets: readWrite,
      buckets: fc.array(fc.record({ name: bucketNameArb, prefix: freeText(5), readWrite }, { requiredKeys: ['name'] }), { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const lambda = fc.record(
    {
      allFunctions: readWrite,
      functions: fc.array(fc.record({ arn: fc.tuple(region, nameArb(1, 30)).map(([r, n]) => `arn:${ctx.partition}:lambda:${r}:${accountId}:function:${n}`), readWrite }, { requiredKeys: ['arn'] }), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
  const dynamodb = fc.record(
    {
      allTables: readWrite,
      tables: fc.array(fc.record({ arn: fc.tuple(region, nameArb(3, 30)).map(([r, n]) => `arn:${ctx.partition}:dynamodb:${r}:${accountId}:table/${n}`), readWrite }, { requiredKeys: ['arn'] }), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
  return fc.record({ s3, lambda, dynamodb, advanced: fc.array(advancedSelectorArb(), { minLength: 1, maxLength: 2 }) }, { requiredKeys: [] });
}

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** Trail settings; `accountId` undefined = under `defaults` (only account-independent values). */
function trailSettingsArb(ctx: Ctx, accountId: string | undefined): fc.Arbitrary<RawConfig> {
  const owner = accountId ?? ctx.centralAccount;
  const kmsKey = fc.oneof(
    ...(ctx.centralKey ? [fc.constant('central')] : []),
    fc.constant('none'),
    fc.constant({ arn: `arn:${ctx.partition}:kms:${ctx.centralRegion}:${owner}:key/${KEY_ID}` }),
    fc.constant({ arn: `arn:${ctx.partition}:kms:${ctx.centralRegion}:${owner}:alias/existing-logs` }),
    fc.record({ create: fc.record({ alias: nameArb(1, 20).map((n) => `alias/ct-${n}`), multiRegion: fc.boolean() }, { requiredKeys: ['alias'] }) }),
  );
  const topicName = fc.oneof({ weight: 4, arbitrary: nameArb(1, 40) }, { weight: 1, arbitrary: fc.integer({ min: 70, max: 256 }).map((n) => `t${'o'.repeat(n - 1)}`) });
  const sns = fc.oneof(
    fc.record({ create: fc.record({ topicName, sqsQueue: fc.oneof(fc.boolean(), fc.record({ queueName: nameArb(1, 40) })) }, { requiredKeys: ['topicName'] }) }),
    ...(accountId ? [fc.constantFrom(...ctx.regions).map((r) => ({ topicArn: `arn:${ctx.partition}:sns:${r}:${accountId}:existing-topic` }))] : []),
  );
  const cloudWatchLogs = fc.oneof(
    fc.record(
      {
        create: fc.record({ logGroupName: fc.oneof(nameArb(1, 40), fc.constant('aws/cloudtrail/#logs.x')), retentionInDays: fc.constantFrom(0, 1, 30, 365, 3653) }, { requiredKeys: ['logGroupName'] }),
        ...(accountId ? { roleArn: fc.constant(`arn:${ctx.partition}:iam::${accountId}:role/service-role/CloudTrailToCWL`) } : {}),
      },
      { requiredKeys: ['create'] },
    ),
    ...(accountId ? [fc.constantFrom(...ctx.regions).map((r) => ({ logGroupArn: `arn:${ctx.partition}:logs:${r}:${accountId}:log-group:existing-group:*` }))] : []),
  );
  const managementEvents = fc.record({ readWrite: fc.constantFrom('All', 'ReadOnly', 'WriteOnly', 'None'), excludeKmsEvents: fc.boolean(), excludeRdsDataApiEvents: fc.boolean() }, { requiredKeys: [] });
  return fc.record(
    {
      trailName: trailNameArb,
      prefix: prefixArb,
      multiRegion: fc.boolean(),
      includeGlobalServiceEvents: fc.constant(true),
      organizationTrail: fc.boolean(),
      logFileValidation: fc.boolean(),
      enableLogging: fc.boolean(),
      kmsKey,
      sns,
      cloudWatchLogs,
      tags: tagsArb(),
      managementEvents,
      dataEvents: accountId ? dataEventsArb(ctx, accountId) : fc.record({ s3: fc.record({ allBuckets: readWrite }) }, { requiredKeys: [] }),
      networkActivityEvents: networkActivityEventsArb(),
      insights: fc.record({ apiCallRate: fc.boolean(), apiErrorRate: fc.boolean() }, { requiredKeys: [] }),
      adopt: fc.boolean(),
    },
    { requiredKeys: [] },
  );
}

const rolePath = fc.constantFrom('', 'team/', '${aws:username}/', '%{x}/', 'a/b/');

function accountArb(ctx: Ctx, accountId: string, trails: number): fc.Arbitrary<RawConfig[]> {
  const isManagement = ctx.organization && accountId === ctx.centralAccount;
  const own = fc.record(
    {
      name: freeText(5),
      region: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...ctx.regions) }, { weight: 1, arbitrary: fc.constantFrom(...FAKE_REGIONS[ctx.partition]) }),
      assumeRoleArn: rolePath.map((p) => `arn:${ctx.partition}:iam::${accountId}:role/${p}TerraformDeploy`),
      lifecycle: fc.constantFrom('active', 'active', 'active', 'decommission', 'retain'),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(own, fc.array(trailSettingsArb(ctx, accountId), { minLength: trails, maxLength: trails })).map(([o, settings]) =>
    settings.map((s, i) => {
      // lifecycle is a property of the account: every entry of it says the same.
      const entry: RawConfig = {
        accountId,
        ...(i === 0 ? o : { ...(o.region === undefined ? {} : { region: o.region }), ...(o.lifecycle === undefined ? {} : { lifecycle: o.lifecycle }) }),
        ...s,
      };
      if (o.assumeRoleArn) entry.assumeRoleArn = o.assumeRoleArn; // one stack, one set of credentials
      if (!isManagement && entry.organizationTrail) entry.organizationTrail = false;
      return entry;
    }),
  );
}

/** A statement of another service in the bucket policy, with policy variables and free text where AWS allows it. */
function extraBucketStatementArb(ctx: Ctx, bucketName: string): fc.Arbitrary<RawConfig> {
  return fc.tuple(nameArb(1, 12), fc.constantFrom('${aws:PrincipalAccount}', '%{x}', 'plain')).map(([n, folder]) => ({
    Sid: `AllowOtherService${n.replace(/[^A-Za-z0-9]/g, '')}`,
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `arn:${ctx.partition}:s3:::${bucketName}/other/${folder}/*`,
  }));
}

function centralArb(ctx: Ctx, bucketName: string): fc.Arbitrary<RawConfig> {
  const principal = fc.tuple(fc.constantFrom('role', 'user', 'root'), rolePath, nameArb(1, 20)).map(([kind, p, n]) =>
    kind === 'root' ? `arn:${ctx.partition}:iam::${ctx.centralAccount}:root` : `arn:${ctx.partition}:iam::${ctx.centralAccount}:${kind}/${p}${n}`,
  );
  const kmsKey = ctx.centralKey
    ? fc.oneof(
        fc.constant(undefined),
        fc.constant(true),
        fc.record(
          { alias: nameArb(1, 20).map((n) => `alias/logs-${n}`), multiRegion: fc.boolean(), deletionWindowInDays: fc.integer({ min: 7, max: 30 }), decryptPrincipals: fc.uniqueArray(principal, { maxLength: 3 }) },
          { requiredKeys: [] },
        ),
      )
    : fc.constant(false);
  return fc.record(
    {
      accountId: fc.constant(ctx.centralAccount),
      region: fc.constant(ctx.centralRegion),
      bucketName: fc.constant(bucketName),
      assumeRoleArn: rolePath.map((p) => `arn:${ctx.partition}:iam::${ctx.centralAccount}:role/${p}TerraformDeploy`),
      kmsKey,
      retention: fc
        .record({ transitionToGlacierAfterDays: fc.integer({ min: 1, max: 400 }), extra: fc.integer({ min: 1, max: 3000 }), noncurrentVersionExpireAfterDays: fc.integer({ min: 1, max: 400 }) }, { requiredKeys: [] })
        .map(({ extra, ...r }) => (extra === undefined ? r : { ...r, expireAfterDays: (r.transitionToGlacierAfterDays ?? 0) + extra })),
      objectLock: fc.oneof(
        fc.record({ mode: fc.constantFrom('GOVERNANCE', 'COMPLIANCE'), days: fc.integer({ min: 1, max: 3650 }) }),
        fc.record({ mode: fc.constantFrom('GOVERNANCE', 'COMPLIANCE'), years: fc.integer({ min: 1, max: 10 }) }),
      ),
      accessLogging: fc.record({ targetBucket: fc.constant(`${bucketName}-access`), targetPrefix: freeText(3) }, { requiredKeys: ['targetBucket'] }),
      tags: tagsArb(),
      adopt: fc.oneof(fc.boolean(), fc.record({ except: fc.uniqueArray(fc.constantFrom('lifecycle', 'objectLock', 'accessLogging', 'policy'), { minLength: 1, maxLength: 2 }) })),
      bucketManagement: fc.constantFrom('managed', 'managed', 'policyOnly', 'none'),
      bucketPolicy: fc.record({ extraStatements: fc.array(extraBucketStatementArb(ctx, bucketName), { minLength: 1, maxLength: 2 }) }),
      existingKey: fc.boolean(),
    },
    { requiredKeys: ['accountId', 'region', 'bucketName'] },
  ).map(({ existingKey, ...c }) => {
    const out: RawConfig = c.kmsKey === undefined ? (({ kmsKey: _k, ...rest }) => rest)(c) : c;
    // An existing central key is named by its key ARN, and its alias is written out (it is imported too).
    if (existingKey && ctx.centralKey && out.kmsKey !== false) {
      const key = typeof out.kmsKey === 'object' ? out.kmsKey : {};
      out.kmsKey = { alias: 'alias/existing-central', ...key, existingKeyArn: `arn:${ctx.partition}:kms:${ctx.centralRegion}:${ctx.centralAccount}:key/${KEY_ID}` };
    }
    // A bucket this project does not manage has no lifecycle, lock or logging here, and nothing to adopt.
    if (out.bucketManagement && out.bucketManagement !== 'managed') {
      delete out.retention;
      delete out.objectLock;
      delete out.accessLogging;
      if (out.bucketManagement === 'none') delete out.adopt;
    }
    if (out.adopt && typeof out.adopt === 'object') {
      const present = (part: string) => part === 'policy' || (part in out && out[part] !== undefined);
      const except = (out.adopt.except as string[]).filter(present);
      out.adopt = except.length ? { except } : true;
    }
    return out;
  });
}

function backendArb(ctx: Ctx): fc.Arbitrary<RawConfig | undefined> {
  const hostname = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('app.terraform.io', 'tfe.example.com', 'tfe.example.com:8443') }, { weight: 1, arbitrary: fc.constantFrom(...BAD_CLOUD_HOSTNAMES) });
  // Template-like text too: Terraform reads backend blocks literally, so it must reach the key as written.
  const keyPrefix = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('state/', 'a/b/', '', 'cloudtrail-', 'state/x%{/', '${env}/') },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_S3_KEY_PREFIXES) },
  );
  return fc.oneof(
    fc.constant(undefined),
    fc.constant({ type: 'local' }),
    fc.record(
      { type: fc.constant('cloud'), organization: nameArb(3, 20), workspacePrefix: fc.constantFrom('cloudtrail-', 'ct_', ''), hostname, project: nameArb(3, 20) },
      { requiredKeys: ['type', 'organization'] },
    ),
    fc.record(
      {
        type: fc.constant('s3'),
        bucket: bucketNameArb,
        region: fc.constantFrom(...ctx.regions),
        keyPrefix,
        // No dynamodbTable: Terraform 1.11 deprecates it (a warning per backend check in npm run validate);
        // its synthesis is covered by __tests__/modules/backend.test.ts.
        encrypt: fc.boolean(),
        assumeRoleArn: rolePath.map((p) => `arn:${ctx.partition}:iam::${ctx.centralAccount}:role/${p}TerraformState`),
      },
      { requiredKeys: ['type', 'bucket', 'region'] },
    ),
  );
}

/**
 * `guard`: detection only (to a bus or a topic), or prevention with
 * detection. Prevention draws its targets among a root, an OU and a member
 * account of the fleet (placeholders resolved by guardTargets once the
 * accounts are drawn), sometimes a break-glass exemption and fewer slots.
 */
function guardArb(ctx: Ctx, kind: string): fc.Arbitrary<RawConfig | undefined> {
  const detection = fc.oneof(fc.constant(undefined), fc.constant(true), fc.constant(false), fc.record({ deliverTo: fc.constantFrom('eventBus', 'snsTopic') }));
  if (kind === 'none') return fc.constant(undefined);
  if (kind === 'detection') return detection.map((d) => (d === undefined ? {} : { detection: d }));
  return fc
    .record(
      {
        attachTo: fc.uniqueArray(fc.constantFrom('r-ab12', 'ou-ab12-cdefgh34', '<member>'), { minLength: 1, maxLength: 3 }),
        exemptPrincipals: fc.constant([`arn:${ctx.partition}:iam::*:role/BreakGlass`]),
        maxPolicies: fc.integer({ min: 1, max: 4 }),
        assumeRoleArn: fc.constant(`arn:${ctx.partition}:iam::${ctx.centralAccount}:role/TerraformDeploy`),
      },
      { requiredKeys: ['attachTo'] },
    )
    .chain((prevention) => detection.map((d) => ({ prevention, ...(d === undefined ? {} : { detection: d }) })));
}

/** The drawn targets, with `<member>` replaced by a member account of the fleet (dropped when there is none). */
function guardTargets(raw: RawConfig, drawn: readonly string[]): string[] {
  const member = raw.accounts.map((a: RawConfig) => a.accountId).find((id: string) => id !== raw.organization?.managementAccountId);
  const targets = drawn.flatMap((t) => (t === '<member>' ? (member ? [member] : []) : [t]));
  return targets.length ? targets : ['r-ab12'];
}

// ------------------------------------------------------------ sizes and the whole config

/** Fleet sizes next to each encoding threshold of the default shape (computed with the real builders). */
export function thresholdSizes(maxAccounts: number): number[] {
  const t = encodingThresholds();
  const sizes = [...t.bucket, ...t.key].flatMap((th) => [th.last, th.last + 1]);
  return [...new Set(sizes)].filter((n) => n <= maxAccounts).sort((a, b) => a - b);
}

export interface ConfigArbitraryOptions {
  /** Largest fleet drawn (threshold sizes above it are left out). @default 400 */
  readonly maxAccounts?: number;
}

/**
 * A random config file (as parsed YAML). Small fleets get random settings
 * per account; fleets at a threshold size get a few random accounts and the
 * rest plain (settings from `defaults`).
 */
export function configArbitrary(options: ConfigArbitraryOptions = {}): fc.Arbitrary<RawConfig> {
  const maxAccounts = options.maxAccounts ?? 400;
  const big = thresholdSizes(maxAccounts);
  const size = big.length
    ? fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(...big) })
    : fc.integer({ min: 1, max: 4 });
  const setup = fc.record({
    partition: fc.oneof({ weight: 3, arbitrary: fc.constant<Partition>('aws') }, { weight: 1, arbitrary: fc.constantFrom<Partition>('aws-us-gov', 'aws-cn') }),
    writePartition: fc.boolean(),
    centralAccount: fc.oneof(fc.constant('111111111111'), accountIdArb),
    centralKey: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    organization: fc.boolean(),
    guard: fc.oneof({ weight: 4, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constant('detection') }, { weight: 2, arbitrary: fc.constant('prevention') }),
    bucketName: bucketNameArb,
    size,
    regionIndex: fc.nat(),
    // Most draws get the cross-field rules right (as most users do); the rest test the rejections.
    repair: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });
  return setup.chain((s) => {
    const regions = REAL_REGIONS[s.partition];
    const ctx: Ctx = {
      partition: s.partition,
      regions,
      centralRegion: regions[s.regionIndex % regions.length],
      centralAccount: s.centralAccount,
      centralKey: s.centralKey,
      organization: s.organization,
    };
    const detailed = Math.min(s.size, 4);
    // Detailed accounts: the central account sometimes among them, 1 to 3 trails each.
    const detailedIds = fc.uniqueArray(fc.oneof(fc.constant(ctx.centralAccount), accountIdArb), { minLength: detailed, maxLength: detailed });
    const trailsPer = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }), { minLength: detailed, maxLength: detailed });
    return fc
      .record({
        ids: detailedIds,
        trailsPer,
        central: centralArb(ctx, s.bucketName),
        defaults: opt(trailSettingsArb(ctx, undefined), 2),
        organizationId: nameArb(10, 12).map((n) => `o-${n.replace(/-/g, 'x')}`),
        guard: guardArb(ctx, s.guard),
        backend: backendArb(ctx),
        plainPrefix: fc.option(fc.constantFrom('fleet', 'org/members'), { nil: undefined }),
      })
      .chain((d) =>
        fc.tuple(...d.ids.map((id, i) => accountArb(ctx, id, d.trailsPer[i]))).map((groups) => {
          const accounts: RawConfig[] = groups.flat();
          // The rest of a big fleet: plain accounts that take their settings from defaults.
          const used = new Set(d.ids);
          for (let i = 0; used.size < s.size; i++) {
            const id = String(300_000_000_000 + i * 104_729);
            if (used.has(id)) continue;
            used.add(id);
            accounts.push({ accountId: id, trailName: 'fleet-trail', ...(d.plainPrefix ? { prefix: d.plainPrefix } : {}) });
          }
          const raw: RawConfig = {
            ...(s.writePartition || s.partition !== 'aws' ? { partition: s.partition } : {}),
            ...(s.organization ? { organization: { id: d.organizationId, managementAccountId: ctx.centralAccount } } : {}),
            central: d.central,
            ...(d.defaults ? { defaults: d.defaults } : {}),
            accounts,
            ...(d.backend ? { backend: d.backend } : {}),
            ...(d.guard ? { guard: d.guard } : {}),
          };
          if (raw.guard?.prevention) raw.guard.prevention.attachTo = guardTargets(raw, raw.guard.prevention.attachTo);
          return uniquify(s.repair ? repair(raw) : raw);
        }),
      );
  });
}

/**
 * Sets what the cross-field rules need on each account (a trail name, an
 * organization trail only in the management account, Insights and exclusions
 * only with the management events they need, something to log, a valid
 * prefix), keeping everything else as drawn.
 */
function repair(raw: RawConfig): RawConfig {
  const managementAccount = raw.organization?.managementAccountId;
  // guard.prevention needs an organization and a deployer role named by a literal ARN in each member account.
  if (raw.guard?.prevention && !raw.organization) raw.guard.prevention = false;
  const prevention = Boolean(raw.guard?.prevention);
  if (prevention) {
    const literal = (arn: string | undefined) => (arn && /[$*?]/.test(arn) ? arn.replace(/role\/.*\//, 'role/team/') : arn);
    if (raw.central.assumeRoleArn) raw.central.assumeRoleArn = literal(raw.central.assumeRoleArn);
    const partition = raw.partition ?? 'aws';
    for (const a of raw.accounts as RawConfig[]) a.assumeRoleArn = literal(a.assumeRoleArn) ?? `arn:${partition}:iam::${a.accountId}:role/TerraformDeploy`;
    // One role per account (one stack, one set of credentials): the first entry's.
    const first = new Map<string, string>();
    for (const a of raw.accounts as RawConfig[]) {
      if (!first.has(a.accountId)) first.set(a.accountId, a.assumeRoleArn);
      a.assumeRoleArn = first.get(a.accountId);
    }
  }
  const dropBadPrefix = (o: RawConfig | undefined) => {
    if (o && typeof o.prefix === 'string' && prefixProblem(o.prefix)) delete o.prefix;
  };
  dropBadPrefix(raw.defaults);
  raw.accounts.forEach((a: RawConfig, i: number) => {
    dropBadPrefix(a);
    const { accountId: _a, name: _n, region: _r, assumeRoleArn: _ar, ...own } = a;
    const merged = mergeSettings(raw.defaults, own as never) as RawConfig;
    if (merged.trailName === undefined) a.trailName = `trail-${i}`;
    if (merged.organizationTrail && a.accountId !== managementAccount) a.organizationTrail = false;
    const me = { readWrite: 'All', ...merged.managementEvents };
    const d = merged.dataEvents ?? {};
    const logsData = Boolean(d.s3?.allBuckets || d.s3?.buckets?.length || d.lambda?.allFunctions || d.lambda?.functions?.length || d.dynamodb?.allTables || d.dynamodb?.tables?.length || d.advanced?.length);
    const logsNetwork = Boolean(merged.networkActivityEvents?.eventSources?.length);
    if (me.readWrite === 'None' && !logsData && !logsNetwork) me.readWrite = 'ReadOnly';
    if (me.readWrite === 'None') {
      me.excludeKmsEvents = false;
      me.excludeRdsDataApiEvents = false;
    }
    a.managementEvents = me;
    const insights = { ...merged.insights };
    if (insights.apiCallRate && !['All', 'WriteOnly'].includes(me.readWrite)) insights.apiCallRate = false;
    if (insights.apiErrorRate && me.readWrite === 'None') insights.apiErrorRate = false;
    if (merged.insights) a.insights = insights;
  });
  return raw;
}

/**
 * Makes per-account names unique (trail names, KMS aliases, topics, queues,
 * log groups) by suffixing the entry's position, as a user would: the rules
 * that reject duplicates are tested elsewhere; here they would reject most
 * multi-trail draws.
 */
function uniquify(raw: RawConfig): RawConfig {
  const seen = new Map<string, Set<string>>();
  const unique = (accountId: string, what: string, value: string, i: number): string => {
    const key = `${accountId}|${what}`;
    const set = seen.get(key) ?? new Set<string>();
    seen.set(key, set);
    let v = value;
    if (set.has(v)) v = `${value}-${i}`;
    set.add(v);
    return v;
  };
  const defaultsName: string | undefined = raw.defaults?.trailName;
  raw.accounts.forEach((a: RawConfig, i: number) => {
    const name = a.trailName ?? defaultsName;
    if (name !== undefined) {
      const u = unique(a.accountId, 'trail', name, i);
      if (u !== name) a.trailName = u.length > 128 ? `${u.slice(0, 120)}-${i}` : u;
    }
    if (a.kmsKey?.create) a.kmsKey = { create: { ...a.kmsKey.create, alias: unique(a.accountId, 'alias', a.kmsKey.create.alias, i) } };
    if (a.sns?.create) {
      const topicName = unique(a.accountId, `topic ${a.region}`, a.sns.create.topicName, i);
      const q = a.sns.create.sqsQueue;
      const sqsQueue = q && typeof q === 'object' ? { queueName: unique(a.accountId, `queue ${a.region}`, q.queueName, i) } : q;
      a.sns = { create: { ...a.sns.create, topicName, ...(q === undefined ? {} : { sqsQueue }) } };
    }
    if (a.cloudWatchLogs?.create) {
      a.cloudWatchLogs = { ...a.cloudWatchLogs, create: { ...a.cloudWatchLogs.create, logGroupName: unique(a.accountId, `log ${a.region}`, a.cloudWatchLogs.create.logGroupName, i) } };
    }
  });
  return raw;
}

/** The property tests' seed unless FC_SEED is set; runs from FC_RUNS. */
export const DEFAULT_SEED = 20261126;

/**
 * Writes `count` configs drawn with a fixed seed as `<dir>/sample-<n>.yaml`
 * (removing older samples), for `npm run validate`. The configs the loader
 * rejects are skipped (drawing on until `count` are kept): Terraform can only
 * check what synthesizes.
 */
export function writeConfigSample(dir: string, count: number, seed = DEFAULT_SEED): { file: string; covers: string }[] {
  // Required here, not at the top: the loader pulls in the whole config module graph.
  const { ConfigError, configFromObject } = require('../config/load') as typeof import('../config/load');
  const { FLEET_CHECKS } = require('../modules/fleet-checks') as typeof import('../modules/fleet-checks');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.yaml')) rmSync(path.join(dir, f));
  const drawn = fc.sample(configArbitrary({ maxAccounts: 60 }), { seed, numRuns: count * 8 });
  const out: { file: string; covers: string }[] = [];
  for (const raw of drawn) {
    if (out.length === count) break;
    try {
      configFromObject(JSON.parse(JSON.stringify(raw)), 'config', FLEET_CHECKS);
    } catch (e) {
      if (e instanceof ConfigError) continue;
      // Not a config problem: keep it, so Terraform and synth show the crash.
    }
    const file = path.join(dir, `sample-${out.length + 1}.yaml`);
    const accounts = new Set(raw.accounts.map((a: RawConfig) => a.accountId)).size;
    const covers = `random config (seed ${seed}): ${raw.partition ?? 'aws'}, ${accounts} account(s), ${raw.accounts.length} entries, backend ${raw.backend?.type ?? 'default'}`;
    writeFileSync(file, `# Drawn by scripts/config-arbitraries.ts for npm run validate: ${covers}\n${stringify(raw, { lineWidth: 0 })}`);
    out.push({ file, covers });
  }
  return out;
}
