/**
 * The shape of every key whose value is a mapping or a list, as a user writes
 * it, for messages about a value of the wrong kind: a bucket written as a bare
 * name, an account as a bare id, `backend: local`. The message shows what to
 * write, and when the user's scalar fits a field of the shape, the same value
 * in its place: `expected { name: <bucket>, ... }, got the string "logs"; write
 * { name: logs }`.
 */
import { describe } from './rules';
import { BUCKET_PARTS } from './adoption';
import { ADVANCED_FIELDS } from './schema';

type Kind = 'mapping' | 'list' | 'mapping or word' | 'mapping or true/false';

interface Shape {
  readonly kind: Kind;
  /** The form to write, with <placeholders> and `?` on optional keys. */
  readonly shape: string;
  /** The user's scalar put where it most likely belongs. */
  readonly example?: (value: string) => string;
}

const RW = 'All|ReadOnly|WriteOnly';

/** A yes/no word meant as true/false, else the mapping `orElse` builds. */
const trueFalseOr = (orElse: (v: string) => string) => (v: string) =>
  /^(yes|y|on|true|enabled?)$/i.test(v) ? 'true' : /^(no|n|off|false|disabled?)$/i.test(v) ? 'false' : orElse(v);
/** `{ <key>: <the word as written in the schema> }` for a read/write word in any case, else what `orElse` builds. */
const choiceOr = (key: string, words: readonly string[], orElse: (v: string) => string) => (v: string) => {
  const word = words.find((w) => w.toLowerCase() === v.toLowerCase());
  return word ? `{ ${key}: ${word} }` : orElse(v);
};
const RW_WORDS = ['All', 'ReadOnly', 'WriteOnly'] as const;
const BUCKET = `{ name: <bucket>, prefix?: <key prefix>, readWrite?: ${RW} }`;
const FUNCTION = `{ arn: arn:<partition>:lambda:<region>:<account>:function:<name>, readWrite?: ${RW} }`;
const TABLE = `{ arn: arn:<partition>:dynamodb:<region>:<account>:table/<name>, readWrite?: ${RW} }`;
const FIELD_SELECTOR = `{ field: <${ADVANCED_FIELDS.join('|')}>, equals|notEquals|startsWith|notStartsWith|endsWith|notEndsWith: [<value>, ...] }`;
const ADVANCED = '{ name?: <text>, fieldSelectors: [{ field: eventCategory, equals: [Data] }, { field: resources.type, equals: [<type>] }, ...] }';
const SQS_QUEUE = 'true | false | { queueName: <queue name> }';
const NETWORK_SOURCE = '<event source, e.g. kms.amazonaws.com> | { eventSource: <event source>, eventNames?: [<API operation>, ...] }';
const STATEMENT = '{ Sid: <sid>, Effect: Allow|Deny, Principal: ..., Action: ..., Resource: ... }';
const ACCOUNT = '{ accountId: "<12 digits>", name?: <label>, region?: <region>, trailName?: <trail name>, ...trail settings }';

const ROOT_SHAPES: Record<string, Shape> = {
  central: { kind: 'mapping', shape: '{ accountId: "<12 digits>", region: <region>, bucketName: <bucket>, assumeRoleArn?: <IAM role ARN>, kmsKey?: ..., retention?: ..., objectLock?: ..., accessLogging?: ..., tags?: ... }' },
  'central.kmsKey': {
    kind: 'mapping or true/false',
    shape: 'true | false | { alias?: alias/<name>, multiRegion?: true|false, deletionWindowInDays?: <7-30>, decryptPrincipals?: [<IAM role/user ARN>, ...], existingKeyArn?: <key ARN>, extraStatements?: [<statement>, ...] }',
    example: trueFalseOr((v) => (v.startsWith('alias/') ? `{ alias: ${v} }` : '')),
  },
  'central.kmsKey.decryptPrincipals': { kind: 'list', shape: '[<IAM role, user or account root ARN>, ...]', example: (v) => `[${v}]` },
  'central.retention': { kind: 'mapping', shape: '{ transitionToGlacierAfterDays?: <days>, expireAfterDays?: <days>, noncurrentVersionExpireAfterDays?: <days> }' },
  'central.objectLock': { kind: 'mapping', shape: '{ mode: GOVERNANCE|COMPLIANCE, days: <n> } or { mode: GOVERNANCE|COMPLIANCE, years: <n> }', example: (v) => `{ mode: ${v}, days: 365 }` },
  'central.accessLogging': { kind: 'mapping', shape: '{ targetBucket: <bucket>, targetPrefix?: <key prefix> }', example: (v) => `{ targetBucket: ${v} }` },
  'central.tags': { kind: 'mapping', shape: '{ <tag key>: "<tag value>", ... }' },
  'central.adopt.except': { kind: 'list', shape: `[<${BUCKET_PARTS.join('|')}>, ...]`, example: (v) => `[${v}]` },
  'central.bucketPolicy': { kind: 'mapping', shape: `{ extraStatements?: [${STATEMENT}, ...] }` },
  'central.bucketPolicy.extraStatements': { kind: 'list', shape: `[${STATEMENT}, ...]` },
  'central.kmsKey.extraStatements': { kind: 'list', shape: `[${STATEMENT}, ...]` },
  organization: { kind: 'mapping', shape: '{ id: o-<10 to 32 lowercase letters or digits>, managementAccountId: "<12 digits>" }', example: (v) => `{ id: ${v}, managementAccountId: "<12 digits>" }` },
  defaults: { kind: 'mapping', shape: '{ trailName?: <trail name>, prefix?: <key prefix>, ...any trail setting }', example: (v) => `{ trailName: ${v} }` },
  accounts: { kind: 'list', shape: `[${ACCOUNT}, ...]`, example: (v) => `[{ accountId: "${v}" }]` },
  'accounts[]': { kind: 'mapping', shape: ACCOUNT, example: (v) => `{ accountId: "${v}" }` },
  backend: {
    kind: 'mapping',
    shape: '{ type: local } | { type: cloud, organization: <HCP Terraform org>, workspacePrefix?: <prefix>, hostname?: <host>, project?: <project> } | { type: s3, bucket: <bucket>, region: <region>, keyPrefix?: <prefix>, ... }',
    example: (v) => (['local', 'cloud', 's3'].includes(v) ? `{ type: ${v}${v === 'cloud' ? ', organization: <org>' : v === 's3' ? ', bucket: <bucket>, region: <region>' : ''} }` : ''),
  },
};

/** Trail settings: the same under `defaults` and under each account. */
const TRAIL_SHAPES: Record<string, Shape> = {
  kmsKey: {
    kind: 'mapping or word',
    shape: 'central | none | { arn: <key ARN or alias ARN> } | { create: { alias: alias/<name>, multiRegion?: true|false } }',
  },
  'kmsKey.create': { kind: 'mapping', shape: '{ alias: alias/<name>, multiRegion?: true|false }', example: (v) => `{ alias: ${v} }` },
  sns: {
    kind: 'mapping',
    shape: `{ topicArn: arn:<partition>:sns:<region>:<account>:<topic> } or { create: { topicName: <topic name>, sqsQueue?: ${SQS_QUEUE} } }`,
    example: (v) => (v.startsWith('arn:') ? `{ topicArn: ${v} }` : `{ create: { topicName: ${v} } }`),
  },
  'sns.create': { kind: 'mapping', shape: `{ topicName: <topic name>, sqsQueue?: ${SQS_QUEUE} }`, example: (v) => `{ topicName: ${v} }` },
  'sns.create.sqsQueue': { kind: 'mapping or true/false', shape: SQS_QUEUE, example: trueFalseOr((v) => `{ queueName: ${v} }`) },
  cloudWatchLogs: {
    kind: 'mapping',
    shape: '{ logGroupArn: arn:<partition>:logs:<region>:<account>:log-group:<name>, roleArn?: <IAM role ARN> } or { create: { logGroupName: <name>, retentionInDays?: <days> }, roleArn?: <IAM role ARN> }',
    example: (v) => (v.startsWith('arn:') ? `{ logGroupArn: ${v} }` : `{ create: { logGroupName: ${v} } }`),
  },
  'cloudWatchLogs.create': { kind: 'mapping', shape: '{ logGroupName: <name>, retentionInDays?: <days> }', example: (v) => `{ logGroupName: ${v} }` },
  tags: { kind: 'mapping', shape: '{ <tag key>: "<tag value>", ... }' },
  managementEvents: {
    kind: 'mapping',
    shape: '{ readWrite?: All|ReadOnly|WriteOnly|None, excludeKmsEvents?: true|false, excludeRdsDataApiEvents?: true|false }',
    example: choiceOr('readWrite', [...RW_WORDS, 'None'], () => ''),
  },
  dataEvents: { kind: 'mapping', shape: '{ s3?: { allBuckets?, buckets? }, lambda?: { allFunctions?, functions? }, dynamodb?: { allTables?, tables? }, advanced?: [...] }' },
  'dataEvents.s3': { kind: 'mapping', shape: `{ allBuckets?: ${RW}, buckets?: [${BUCKET}, ...] }`, example: choiceOr('allBuckets', RW_WORDS, (v) => `{ buckets: [{ name: ${v} }] }`) },
  'dataEvents.s3.buckets': { kind: 'list', shape: `[${BUCKET}, ...]`, example: (v) => `[{ name: ${v} }]` },
  'dataEvents.s3.buckets[]': { kind: 'mapping', shape: BUCKET, example: (v) => `{ name: ${v} }` },
  'dataEvents.lambda': { kind: 'mapping', shape: `{ allFunctions?: ${RW}, functions?: [${FUNCTION}, ...] }`, example: choiceOr('allFunctions', RW_WORDS, (v) => (v.startsWith('arn:') ? `{ functions: [{ arn: ${v} }] }` : '')) },
  'dataEvents.lambda.functions': { kind: 'list', shape: `[${FUNCTION}, ...]`, example: (v) => `[{ arn: ${v} }]` },
  'dataEvents.lambda.functions[]': { kind: 'mapping', shape: FUNCTION, example: (v) => `{ arn: ${v} }` },
  'dataEvents.dynamodb': { kind: 'mapping', shape: `{ allTables?: ${RW}, tables?: [${TABLE}, ...] }`, example: choiceOr('allTables', RW_WORDS, (v) => (v.startsWith('arn:') ? `{ tables: [{ arn: ${v} }] }` : '')) },
  'dataEvents.dynamodb.tables': { kind: 'list', shape: `[${TABLE}, ...]`, example: (v) => `[{ arn: ${v} }]` },
  'dataEvents.dynamodb.tables[]': { kind: 'mapping', shape: TABLE, example: (v) => `{ arn: ${v} }` },
  'dataEvents.advanced': { kind: 'list', shape: `[${ADVANCED}, ...]` },
  'dataEvents.advanced[]': { kind: 'mapping', shape: ADVANCED },
  'dataEvents.advanced[].fieldSelectors': { kind: 'list', shape: `[${FIELD_SELECTOR}, ...]` },
  'dataEvents.advanced[].fieldSelectors[]': { kind: 'mapping', shape: FIELD_SELECTOR },
  'dataEvents.advanced[].fieldSelectors[].equals': { kind: 'list', shape: '[<value>, ...]', example: (v) => `[${v}]` },
  'dataEvents.advanced[].fieldSelectors[].notEquals': { kind: 'list', shape: '[<value>, ...]', example: (v) => `[${v}]` },
  'dataEvents.advanced[].fieldSelectors[].startsWith': { kind: 'list', shape: '[<value>, ...]', example: (v) => `[${v}]` },
  'dataEvents.advanced[].fieldSelectors[].notStartsWith': { kind: 'list', shape: '[<value>, ...]', example: (v) => `[${v}]` },
  'dataEvents.advanced[].fieldSelectors[].endsWith': { kind: 'list', shape: '[<value>, ...]', example: (v) => `[${v}]` },
  'dataEvents.advanced[].fieldSelectors[].notEndsWith': { kind: 'list', shape: '[<value>, ...]', example: (v) => `[${v}]` },
  networkActivityEvents: {
    kind: 'mapping',
    shape: `{ eventSources: [${NETWORK_SOURCE}, ...] }`,
    example: (v) => `{ eventSources: [${v}] }`,
  },
  'networkActivityEvents.eventSources': { kind: 'list', shape: `[${NETWORK_SOURCE}, ...]`, example: (v) => `[${v}]` },
  'networkActivityEvents.eventSources[]': { kind: 'mapping or word', shape: NETWORK_SOURCE },
  'networkActivityEvents.eventSources[].eventNames': { kind: 'list', shape: '[<API operation>, ...]', example: (v) => `[${v}]` },
  insights: { kind: 'mapping', shape: '{ apiCallRate?: true|false, apiErrorRate?: true|false }' },
};

/** `['accounts', 0, 'dataEvents', 's3', 'buckets', 2]` -> the table key `dataEvents.s3.buckets[]` (trail settings) or a root key. */
export function shapeKey(segments: readonly PropertyKey[]): string {
  const parts = segments.map((s) => (typeof s === 'number' ? '[]' : String(s)));
  const key = parts.reduce((out, p) => (p === '[]' ? `${out}[]` : out ? `${out}.${p}` : p), '');
  return key.replace(/^accounts\[\]\.(?!$)/, '').replace(/^defaults\./, '');
}

export function shapeAt(segments: readonly PropertyKey[]): Shape | undefined {
  const key = shapeKey(segments);
  const inTrail = segments.length > 1 && ((segments[0] === 'accounts' && typeof segments[1] === 'number' && segments.length > 2) || segments[0] === 'defaults');
  return inTrail ? TRAIL_SHAPES[key] : ROOT_SHAPES[key];
}

function fits(kind: Kind, value: unknown): boolean {
  const mapping = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (kind) {
    case 'mapping':
      return mapping;
    case 'list':
      return Array.isArray(value);
    case 'mapping or word':
      return mapping || typeof value === 'string';
    case 'mapping or true/false':
      return mapping || typeof value === 'boolean';
  }
}

/**
 * The message for a value of the wrong kind at a path that has a known shape:
 * `expected <shape>, got <value>` and, for a scalar that fits a field, what to
 * write. Undefined when the value has the right kind (its own rules then
 * explain what is wrong) or the path has no shape.
 */
export function wrongShapeMessage(segments: readonly PropertyKey[], value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const shape = shapeAt(segments);
  if (!shape || fits(shape.kind, value)) return undefined;
  const scalar = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  const example = scalar !== undefined && shape.example ? shape.example(scalar) : '';
  return `expected ${shape.shape}, got ${describe(value)}${example ? `; write ${example}` : ''}`;
}

/** Every table key, for tests. */
export const SHAPE_KEYS = { root: Object.keys(ROOT_SHAPES), trail: Object.keys(TRAIL_SHAPES) } as const;
