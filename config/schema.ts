/**
 * The config file's schema: every key, its type, its field-level rule and its
 * built-in default live here and only here. Cross-field rules (limits,
 * duplicates, "Insights needs management events") are in validate.ts; the
 * AWS naming rules both use are in rules.ts.
 *
 * Parsing happens in two steps (see load.ts): the file is checked against
 * `configFileSchema`, where every trail setting is optional so `defaults` and
 * each account are checked where they are written; then defaults are merged
 * into each account and `TRAIL_DEFAULTS` fills what is still unset.
 */
import { z } from 'zod';
import * as rules from './rules';
import { ACCOUNT_KEYWORDS, ADVANCED_SELECTOR_KEYWORDS, exactlyOneKeyword, FIELD_SELECTOR_KEYWORDS, rootKeywords, ruleKeywords, SNS_CREATE_KEYWORDS } from './json-schema-keywords';
import { bucketManagementSchema, centralAdoptSchema, existingKeyArnProblem, extraStatementsSchema, trailAdoptSchema } from './adoption';
import { eventNameProblem, FIELDS_NEEDING_NEWER_PROVIDER, needsNewerProvider, networkEventSourceProblem, NETWORK_ACTIVITY_EVENT_SOURCES, REJECTED_NETWORK_FILTERS } from './network-activity';

// ------------------------------------------------------------ building blocks

/**
 * A strict object whose unknown-key error names the closest valid key.
 * `refused` keys are in the shape only to be rejected with their own message
 * (e.g. a filter the pinned provider cannot express): they are not offered
 * as valid keys.
 */
function obj<T extends z.ZodRawShape>(shape: T, refused: readonly string[] = []) {
  const known = Object.keys(shape).filter((k) => !refused.includes(k));
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const guess = rules.closest(key, known);
          return `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; valid keys here: ${known.join(', ')}`;
        })
        .join('; ');
    },
  });
}

/** A string checked by one of the rule functions of rules.ts. */
function ruled(rule: (value: string) => rules.Problem, what: string) {
  // A missing key gets the loader's generic "required: add this key" (error map fallback).
  return z.string({ error: (issue) => (issue.input === undefined ? undefined : `${what} must be a string, got ${rules.describe(issue.input)}`) }).superRefine((value, ctx) => {
    const problem = rule(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  }).meta(ruleKeywords(rule)); // the same rule as JSON Schema keywords, for editors
}

const bool = (what: string) => z.boolean({ error: (issue) => `${what} must be true or false, got ${rules.describe(issue.input)}` });

function oneOf<T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (issue) => `${what} must be one of ${values.join(', ')}; got ${rules.describe(issue.input)}`,
  });
}

function exactlyOneOf<T extends Record<string, unknown>>(keys: (keyof T & string)[], where: string) {
  return (value: T, ctx: z.RefinementCtx) => {
    const set = keys.filter((k) => value[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `${where} takes exactly one of ${keys.join(' or ')}; ${set.length === 0 ? 'none is' : `${set.join(' and ')} are`} set`,
        input: value,
      });
    }
  };
}

export const accountIdSchema = z
  .string({ error: (issue) => rules.accountIdProblem(issue.input) })
  .regex(rules.ACCOUNT_ID, { error: (issue) => rules.accountIdProblem(issue.input) })
  .describe('AWS account id: a quoted string of 12 digits (leading zeros matter).');

const regionSchema = ruled(rules.regionProblem, 'region').describe('AWS region name, e.g. us-east-2.');
const tagsSchema = z
  .record(
    ruled(rules.tagKeyProblem, 'tag key'),
    z
      .string({ error: (issue) => `tag values must be strings, got ${rules.describe(issue.input)}; put the value in quotes` })
      .superRefine((value, ctx) => {
        const problem = rules.tagValueProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
      })
      .meta(ruleKeywords(rules.tagValueProblem)),
    {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? ((issue as { issues?: { message: string }[] }).issues ?? []).map((i) => i.message).join('; ') || 'invalid tag key'
          : 'tags must be a mapping of string keys to string values',
    },
  )
  .superRefine((tags, ctx) => {
    const n = Object.keys(tags).length;
    if (n > rules.MAX_TAGS) ctx.addIssue({ code: 'custom', input: tags, message: rules.tooManyTags(n) });
  })
  .meta({ maxProperties: rules.MAX_TAGS })
  .describe('Tags; become the provider default_tags of the stack. At most 50; keys 1-128, values 0-256 characters: letters, digits, spaces and _ . : / = + - @.');

// ------------------------------------------------------------ trail settings

export const READ_WRITE = ['All', 'ReadOnly', 'WriteOnly'] as const;
export type ReadWrite = (typeof READ_WRITE)[number];
export const MANAGEMENT_READ_WRITE = ['All', 'ReadOnly', 'WriteOnly', 'None'] as const;
export type ManagementReadWrite = (typeof MANAGEMENT_READ_WRITE)[number];

const readWrite = (what: string) => oneOf(READ_WRITE, what);

const kmsKeySchema = z
  .union(
    [
      oneOf(['central', 'none'] as const, 'kmsKey'),
      obj({
        arn: ruled(rules.kmsKeyArnProblem, 'kmsKey.arn')
          .optional()
          .describe('An existing key: key ARN or alias ARN, any account. Must be in the bucket region.'),
        create: obj({
          alias: ruled(rules.kmsAliasProblem, 'kmsKey.create.alias').describe('Alias of the new key, e.g. alias/cloudtrail.'),
          multiRegion: bool('kmsKey.create.multiRegion').optional().describe('Create a multi-Region key. @default false'),
        })
          .optional()
          .describe("Create a key in the trail's account (in the bucket's region)."),
      }).superRefine(exactlyOneOf(['arn', 'create'], 'kmsKey')).meta(exactlyOneKeyword(['arn', 'create'])),
    ],
    { error: 'kmsKey must be "central", "none", { arn: <key or alias ARN> } or { create: { alias: alias/<name> } }' },
  )
  .describe('SSE-KMS for log files: central (default when the central key exists) | none (SSE-S3) | { arn } | { create }.');

const snsSchema = obj({
  create: obj({
    topicName: ruled(rules.snsTopicNameProblem, 'sns.create.topicName').describe("Topic created in the trail's account and home region."),
    sqsQueue: z
      .union([bool('sns.create.sqsQueue'), obj({ queueName: ruled(rules.sqsQueueNameProblem, 'sns.create.sqsQueue.queueName') })], {
        error: 'sqsQueue must be true, false or { queueName: <name> }',
      })
      .optional()
      .describe('Also create an SQS queue subscribed to the topic (named like the topic unless queueName is given). @default false'),
  })
    .superRefine((create, ctx) => {
      // sqsQueue: true names the queue after the topic, but queue names are shorter than topic names.
      if (create.sqsQueue === true && create.topicName.length > 80) {
        ctx.addIssue({
          code: 'custom',
          path: ['sqsQueue'],
          input: create.sqsQueue,
          message: `sqsQueue: true names the queue after the topic, but "${create.topicName}" has ${create.topicName.length} characters and SQS queue names are at most 80; give the queue its own name: sqsQueue: { queueName: <1-80 characters> }`,
        });
      }
    })
    .meta(SNS_CREATE_KEYWORDS)
    .optional(),
  topicArn: ruled(rules.snsTopicArnProblem, 'sns.topicArn').optional().describe('Use an existing topic (any account or region).'),
})
  .superRefine(exactlyOneOf(['create', 'topicArn'], 'sns'))
  .meta(exactlyOneKeyword(['create', 'topicArn']))
  .describe('SNS notification for every log file delivered.');

const cloudWatchLogsSchema = obj({
  create: obj({
    logGroupName: ruled(rules.logGroupNameProblem, 'cloudWatchLogs.create.logGroupName'),
    retentionInDays: z
      .number({ error: 'retentionInDays must be a number' })
      .int()
      .superRefine((value, ctx) => {
        if (!(rules.LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
          ctx.addIssue({
            code: 'custom',
            input: value,
            message: `CloudWatch Logs does not accept a retention of ${value} days; use one of ${rules.LOG_RETENTION_DAYS.join(', ')} (0 = never expire)`,
          });
        }
      })
      .meta({ enum: [...rules.LOG_RETENTION_DAYS] })
      .optional()
      .describe('Retention of the created log group. @default 365'),
  }).optional(),
  logGroupArn: ruled(rules.logGroupArnProblem, 'cloudWatchLogs.logGroupArn').optional().describe("Existing log group in the trail's own account."),
  roleArn: ruled(rules.iamRoleArnProblem, 'cloudWatchLogs.roleArn')
    .optional()
    .describe("Existing delivery role in the trail's own account. @default a role is created"),
})
  .superRefine(exactlyOneOf(['create', 'logGroupArn'], 'cloudWatchLogs'))
  .meta(exactlyOneKeyword(['create', 'logGroupArn']))
  .describe('Also deliver events to CloudWatch Logs.');

const managementEventsSchema = obj({
  readWrite: oneOf(MANAGEMENT_READ_WRITE, 'managementEvents.readWrite').optional().describe('@default All'),
  excludeKmsEvents: bool('managementEvents.excludeKmsEvents').optional().describe('@default false'),
  excludeRdsDataApiEvents: bool('managementEvents.excludeRdsDataApiEvents').optional().describe('@default false'),
});

const FIELD_OPERATORS = ['equals', 'notEquals', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];
export const ADVANCED_FIELDS = [
  'eventCategory',
  'eventName',
  'eventSource',
  'readOnly',
  'resources.ARN',
  'resources.type',
  'userIdentity.arn',
] as const;
// (CloudTrail also has sessionCredentialFromConsole, but hashicorp/aws 5.100.0, the pinned provider, rejects it.)

const operatorValues = z.array(z.string().min(1).max(2048)).min(1, { error: 'an operator needs at least one value' });
/** A field CloudTrail documents but the pinned provider rejects says which provider accepts it. */
function advancedFieldProblem(input: unknown): string {
  const base = `field must be one of ${ADVANCED_FIELDS.join(', ')}; got ${rules.describe(input)}`;
  if (typeof input !== 'string' || FIELDS_NEEDING_NEWER_PROVIDER[input] === undefined) return base;
  return `${base}: ${needsNewerProvider(input, `a condition on ${input}`, 'leave this field selector out')}`;
}
const fieldSelectorSchema = obj({
  field: z.enum(ADVANCED_FIELDS, { error: (issue) => advancedFieldProblem(issue.input) }),
  equals: operatorValues.optional(),
  notEquals: operatorValues.optional(),
  startsWith: operatorValues.optional(),
  notStartsWith: operatorValues.optional(),
  endsWith: operatorValues.optional(),
  notEndsWith: operatorValues.optional(),
}).superRefine((fs, ctx) => {
  const used = FIELD_OPERATORS.filter((op) => fs[op] !== undefined);
  if (used.length === 0) {
    ctx.addIssue({ code: 'custom', input: fs, message: `field selector on ${fs.field} has no operator; give one of ${FIELD_OPERATORS.join(', ')}` });
  }
  if (['readOnly', 'eventCategory', 'resources.type'].includes(fs.field) && used.some((op) => op !== 'equals')) {
    ctx.addIssue({ code: 'custom', input: fs, message: `${fs.field} accepts only the equals operator (CloudTrail rule)` });
  }
}).meta(FIELD_SELECTOR_KEYWORDS);

const advancedSelectorSchema = obj({
  name: z.string().max(1000).optional(),
  fieldSelectors: z.array(fieldSelectorSchema).min(1, { error: 'an advanced selector needs at least one field selector' }),
}).superRefine((sel, ctx) => {
  const category = sel.fieldSelectors.find((fs) => fs.field === 'eventCategory');
  if (!category) {
    ctx.addIssue({ code: 'custom', input: sel, message: 'every advanced selector needs an eventCategory field selector (equals: [Management], [Data] or [NetworkActivity])' });
  }
  if (sel.fieldSelectors.filter((fs) => fs.field === 'resources.type').length > 1) {
    ctx.addIssue({ code: 'custom', input: sel, message: 'an advanced selector may have only one resources.type field selector' });
  }
  if (category?.equals?.includes('NetworkActivity')) rawNetworkSelectorIssues(sel.fieldSelectors, category.equals, ctx);
}).meta(ADVANCED_SELECTOR_KEYWORDS);

/**
 * A raw selector for network activity events follows CloudTrail's rules for
 * them (config/network-activity.ts): NetworkActivity alone as its category,
 * exactly one eventSource condition, Equals with one value (one selector per
 * event source), and no readOnly or resources fields (network activity events
 * have none). Any `<service>.amazonaws.com` is accepted here: raw selectors
 * are the way to log a source the networkActivityEvents key does not list yet.
 */
function rawNetworkSelectorIssues(fields: readonly z.infer<typeof fieldSelectorSchema>[], categories: readonly string[], ctx: z.RefinementCtx): void {
  const issue = (message: string) => ctx.addIssue({ code: 'custom', input: fields, path: ['fieldSelectors'], message });
  if (categories.length > 1) issue(`eventCategory NetworkActivity cannot share a selector with ${categories.filter((c) => c !== 'NetworkActivity').join(', ')}: write a selector per category`);
  const sources = fields.filter((fs) => fs.field === 'eventSource');
  const only = sources[0];
  if (sources.length !== 1 || only.equals?.length !== 1 || Object.keys(only).some((k) => k !== 'field' && k !== 'equals' && only[k as FieldOperator] !== undefined)) {
    issue(
      'a NetworkActivity selector needs exactly one eventSource field selector with equals and one value (CloudTrail: eventSource is required, takes only Equals, and each event source gets its own selector), ' +
        'e.g. { field: eventSource, equals: [kms.amazonaws.com] }; or use networkActivityEvents: { eventSources: [...] }, which writes one selector per source',
    );
  } else if (!/^[a-z0-9-]+\.amazonaws\.com$/.test(only.equals[0])) {
    issue(`"${only.equals[0]}" is not an event source (<service>.amazonaws.com, e.g. kms.amazonaws.com)`);
  }
  const foreign = fields.filter((fs) => ['readOnly', 'resources.type', 'resources.ARN'].includes(fs.field)).map((fs) => fs.field);
  if (foreign.length > 0) issue(`network activity events have no ${[...new Set(foreign)].join(' or ')} field (it is only for management and data events); drop that field selector`);
}

const dataEventsSchema = obj({
  s3: obj({
    allBuckets: readWrite('dataEvents.s3.allBuckets').optional().describe('Log all current and future buckets.'),
    buckets: z
      .array(
        obj({
          name: ruled(rules.bucketNameProblem, 'bucket name'),
          prefix: z.string().max(1024).optional().describe('Object key prefix; empty = whole bucket. @default ""'),
          readWrite: readWrite('readWrite').optional().describe('@default All'),
        }).meta({ examples: [{ name: 'acme-data-lake-raw' }, { name: 'payments-data', prefix: 'invoices/', readWrite: 'WriteOnly' }] }),
      )
      .optional(),
  }).optional(),
  lambda: obj({
    allFunctions: readWrite('dataEvents.lambda.allFunctions').optional(),
    functions: z
      .array(
        obj({ arn: ruled(rules.lambdaFunctionArnProblem, 'function arn'), readWrite: readWrite('readWrite').optional() }).meta({
          examples: [{ arn: 'arn:aws:lambda:us-east-2:222222222222:function:my-function', readWrite: 'All' }],
        }),
      )
      .optional(),
  }).optional(),
  dynamodb: obj({
    allTables: readWrite('dataEvents.dynamodb.allTables').optional(),
    tables: z
      .array(
        obj({ arn: ruled(rules.dynamodbTableArnProblem, 'table arn'), readWrite: readWrite('readWrite').optional() }).meta({
          examples: [{ arn: 'arn:aws:dynamodb:us-east-2:222222222222:table/orders', readWrite: 'WriteOnly' }],
        }),
      )
      .optional(),
  }).optional(),
  advanced: z.array(advancedSelectorSchema).optional().describe('Raw advanced event selectors (other resource types, eventName filters).'),
});

/** A filter the pinned provider cannot express: the key exists only to be refused with its reason. */
const refusedFilter = (key: string) =>
  z
    .never({ error: () => REJECTED_NETWORK_FILTERS[key] })
    .optional()
    .describe(`Not available: ${REJECTED_NETWORK_FILTERS[key]}`);
const REFUSED_FILTER_KEYS = Object.keys(REJECTED_NETWORK_FILTERS);
const refusedFilters = Object.fromEntries(REFUSED_FILTER_KEYS.map((k) => [k, refusedFilter(k)])) as Record<string, ReturnType<typeof refusedFilter>>;

const eventSourceSchema = ruled(networkEventSourceProblem, 'eventSource')
  .meta({ enum: [...NETWORK_ACTIVITY_EVENT_SOURCES] })
  .describe('The service whose API calls through VPC endpoints are logged, as its CloudTrail event source, e.g. kms.amazonaws.com.');
const eventNamesSchema = z
  .array(ruled(eventNameProblem, 'eventNames[]'))
  .min(1, { error: 'eventNames needs at least one API operation; leave the key out to log every network activity event of the source' })
  .superRefine((names, ctx) => {
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: [i], input: n, message: `"${n}" is listed twice in eventNames (as eventNames[${names.indexOf(n)}]); list it once` });
    });
  })
  .meta({ uniqueItems: true })
  .describe('Only these API operations of the source (eventName equals), e.g. [GetSecretValue]. @default every operation');
const networkSourceEntrySchema = obj({ eventSource: eventSourceSchema, eventNames: eventNamesSchema.optional(), ...refusedFilters }, REFUSED_FILTER_KEYS).meta({
  examples: [{ eventSource: 'secretsmanager.amazonaws.com', eventNames: ['GetSecretValue'] }],
});
const networkActivityEventsSchema = obj(
  {
    eventSources: z
      .array(
        z.union([eventSourceSchema, networkSourceEntrySchema], {
          error: 'each entry of eventSources is an event source (e.g. kms.amazonaws.com) or { eventSource: <event source>, eventNames?: [<API operation>, ...] }',
        }),
      )
      .superRefine((entries, ctx) => {
        const sourceOf = (e: (typeof entries)[number]) => (typeof e === 'string' ? e : e.eventSource);
        entries.forEach((e, i) => {
          const first = entries.findIndex((o) => sourceOf(o) === sourceOf(e));
          if (first !== i) {
            ctx.addIssue({
              code: 'custom',
              path: [i],
              input: e,
              message: `${sourceOf(e)} is listed twice (also as eventSources[${first}]); CloudTrail takes one selector per event source: list it once (with every eventNames it needs, or none to log all its calls)`,
            });
          }
        });
      })
      .meta({ uniqueItems: true })
      .describe('Event sources whose network activity events (API calls through VPC endpoints) the trail logs; one advanced selector each. [] = none.'),
    ...refusedFilters,
  },
  REFUSED_FILTER_KEYS,
)
  .meta({ examples: [{ eventSources: ['kms.amazonaws.com', { eventSource: 'secretsmanager.amazonaws.com', eventNames: ['GetSecretValue'] }] }] })
  .describe('Network activity events: AWS API calls made through VPC endpoints, logged with advanced selectors (the trail switches to advanced selectors). Charged like data events.');

const insightsSchema = obj({
  apiCallRate: bool('insights.apiCallRate').optional().describe('Needs Write management events. @default false'),
  apiErrorRate: bool('insights.apiErrorRate').optional().describe('Needs Read or Write management events. @default false'),
});

/** Every trail setting; allowed under `defaults` and in each account. */
export const trailSettingsShape = {
  trailName: ruled(rules.trailNameProblem, 'trailName').optional().describe('Trail name (3-128 characters).'),
  prefix: ruled(rules.prefixProblem, 'prefix').optional().describe('S3 key prefix; logs go to <prefix>/AWSLogs/<account>/. @default none'),
  multiRegion: bool('multiRegion').optional().describe('Trail applies to all regions. @default true'),
  includeGlobalServiceEvents: bool('includeGlobalServiceEvents').optional().describe('@default true'),
  organizationTrail: bool('organizationTrail').optional().describe('Organization trail (management account only). @default false'),
  logFileValidation: bool('logFileValidation').optional().describe('Digest files for integrity validation. @default true'),
  enableLogging: bool('enableLogging').optional().describe('@default true'),
  kmsKey: kmsKeySchema.optional(),
  sns: snsSchema.optional(),
  cloudWatchLogs: cloudWatchLogsSchema.optional(),
  tags: tagsSchema.optional(),
  managementEvents: managementEventsSchema.optional(),
  dataEvents: dataEventsSchema.optional(),
  networkActivityEvents: networkActivityEventsSchema.optional(),
  insights: insightsSchema.optional(),
  adopt: trailAdoptSchema.optional(),
};

export const TRAIL_SETTING_KEYS = Object.keys(trailSettingsShape) as (keyof typeof trailSettingsShape)[];

/**
 * Keys whose values are merged key by key (defaults first, then the account).
 * Every other key is replaced whole: a kmsKey or sns choice from defaults
 * must not blend with a different choice in the account.
 */
export const DEEP_MERGED_KEYS = ['tags', 'managementEvents', 'dataEvents', 'networkActivityEvents', 'insights'] as const;

/** How an account entry takes part in the fleet; docs/day-two.md, "Leaving the fleet". */
export const ACCOUNT_LIFECYCLES = ['active', 'decommission', 'retain'] as const;
export type AccountLifecycle = (typeof ACCOUNT_LIFECYCLES)[number];

const accountShape = {
  accountId: accountIdSchema,
  name: z.string().max(256).optional().describe('Label for humans; not used in any name.'),
  region: regionSchema.optional().describe('Home region of the trail. @default central.region'),
  assumeRoleArn: ruled(rules.iamRoleArnProblem, 'assumeRoleArn').optional().describe('Role that Terraform assumes in this account.'),
  lifecycle: oneOf(ACCOUNT_LIFECYCLES, 'lifecycle')
    .optional()
    .describe('active | decommission (the next deploy destroys this trail; its created KMS key is kept unless deleteKeys) | retain (Terraform stops managing it; it keeps running). Either way the central policies stop admitting it. @default active'),
  renamedFrom: ruled(rules.trailNameProblem, 'renamedFrom')
    .optional()
    .describe(
      "This trail replaces the account's trail of that name (same home region): both are admitted by the central policies while this key is set, the new trail is created before the old one is deleted, and a created key moves with it. Remove the key once deployed. docs/changing-safely.md",
    ),
  deleteKeys: bool('deleteKeys')
    .optional()
    .describe(
      'With lifecycle: decommission and kmsKey: { create }: the deploy schedules the deletion of the trail key (30-day window), after which its log files cannot be decrypted. @default false (the key is kept, no longer managed)',
    ),
  ...trailSettingsShape,
};

// ------------------------------------------------------------ central, org, backend

const centralKmsKeySchema = obj({
  alias: ruled(rules.kmsAliasProblem, 'central.kmsKey.alias').optional().describe('@default alias/cloudtrail-logs'),
  multiRegion: bool('central.kmsKey.multiRegion')
    .optional()
    .describe('Multi-Region key (cannot change once created). @default false; true for an existingKeyArn whose key id starts with mrk-'),
  deletionWindowInDays: z.number().int().min(7, { error: 'deletionWindowInDays is 7 to 30' }).max(30, { error: 'deletionWindowInDays is 7 to 30' }).optional().describe('@default 30'),
  decryptPrincipals: z
    .array(ruled(rules.iamPrincipalArnProblem, 'decryptPrincipals[]'))
    .optional()
    .describe('IAM principals allowed to decrypt log files. @default [] (the central account root, via its admin statement)'),
  existingKeyArn: ruled(existingKeyArnProblem, 'central.kmsKey.existingKeyArn')
    .optional()
    .describe('Adopt this existing key (key ARN, in the central account and region) and its alias instead of creating one. @default a key is created'),
  extraStatements: extraStatementsSchema.optional(),
});

const centralSchema = obj({
  accountId: accountIdSchema.describe('Bucket owner account.'),
  region: regionSchema.describe('Region of the bucket and the central key.'),
  bucketName: ruled(rules.bucketNameProblem, 'bucketName'),
  assumeRoleArn: ruled(rules.iamRoleArnProblem, 'assumeRoleArn').optional(),
  kmsKey: z
    .union([bool('central.kmsKey'), centralKmsKeySchema], { error: 'central.kmsKey must be true, false or a mapping of key settings' })
    .optional()
    .describe('Central key for SSE-KMS; false = none (SSE-S3 default encryption). @default created'),
  retention: obj({
    transitionToGlacierAfterDays: z.number().int().min(1).optional(),
    expireAfterDays: z.number().int().min(1).optional(),
    noncurrentVersionExpireAfterDays: z.number().int().min(1).optional(),
  }).optional(),
  objectLock: obj({
    mode: oneOf(['GOVERNANCE', 'COMPLIANCE'] as const, 'objectLock.mode'),
    days: z.number().int().min(1, { error: 'objectLock.days must be at least 1' }).optional(),
    years: z.number().int().min(1, { error: 'objectLock.years must be at least 1' }).optional(),
  })
    .superRefine(exactlyOneOf(['days', 'years'], 'objectLock'))
    .meta(exactlyOneKeyword(['days', 'years']))
    .optional(),
  accessLogging: obj({
    targetBucket: ruled(rules.bucketNameProblem, 'accessLogging.targetBucket'),
    targetPrefix: z.string().max(200).optional(),
  }).optional(),
  tags: tagsSchema.optional(),
  adopt: centralAdoptSchema.optional(),
  bucketManagement: bucketManagementSchema.optional(),
  bucketPolicy: obj({ extraStatements: extraStatementsSchema.optional() }).optional(),
});

const organizationSchema = obj({
  id: z.string().regex(rules.ORGANIZATION_ID, { error: (issue) => `"${String(issue.input)}" is not an organization id (o- followed by 10 to 32 lowercase letters or digits)` }),
  managementAccountId: accountIdSchema,
});

// Workspace names are at most 90 characters; the longest stack name is cloudtrail-account-<12 digits> (31).
const workspacePrefix = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/, { error: 'workspacePrefix may contain only letters, digits, "-" and "_"' })
  .max(rules.WORKSPACE_NAME_MAX - 31, { error: `workspacePrefix is at most ${rules.WORKSPACE_NAME_MAX - 31} characters (workspace names are at most ${rules.WORKSPACE_NAME_MAX}, and the stack name adds up to 31)` });
const backendSchema = z.discriminatedUnion(
  'type',
  [
    obj({ type: z.literal('local') }),
    obj({
      type: z.literal('cloud'),
      organization: ruled(rules.tfcOrganizationProblem, 'backend.organization'),
      workspacePrefix: workspacePrefix.optional().describe('Workspace = workspacePrefix + stack name. @default ""'),
      hostname: ruled(rules.hostnameProblem, 'backend.hostname').optional().describe('Host name only, no https://. @default app.terraform.io'),
      project: z
        .string()
        .regex(/^[A-Za-z0-9 _-]{1,40}$/, { error: (issue) => `"${String(issue.input)}" is not a project name (1 to 40 letters, digits, spaces, "-" or "_")` })
        .optional(),
    }),
    obj({
      type: z.literal('s3'),
      bucket: ruled(rules.bucketNameProblem, 'backend.bucket'),
      region: regionSchema,
      keyPrefix: ruled(rules.stateKeyPrefixProblem, 'backend.keyPrefix')
        .optional()
        .describe('State key = keyPrefix + stack name + ".tfstate". @default "cloudtrail-fleet/"'),
      dynamodbTable: ruled(rules.dynamodbTableNameProblem, 'backend.dynamodbTable').optional().describe('Lock table; without it the S3 lock file (use_lockfile) is used.'),
      encrypt: bool('backend.encrypt').optional().describe('@default true'),
      assumeRoleArn: ruled(rules.iamRoleArnProblem, 'backend.assumeRoleArn').optional(),
    }),
  ],
  { error: 'backend.type must be local, cloud or s3' },
);

// ------------------------------------------------------------ the guard (docs/guard.md)

export const GUARD_DELIVERY = ['eventBus', 'snsTopic'] as const;
export type GuardDelivery = (typeof GUARD_DELIVERY)[number];

/** AWS attaches at most 5 service control policies to a root, OU or account, and FullAWSAccess takes one of them. */
export const MAX_GUARD_POLICIES = 4;

/** A root, OU or account id; an account id written as a YAML number gets the usual "quote it" message. */
const scpTargetSchema = z
  .string({ error: (issue) => (typeof issue.input === 'number' ? rules.accountIdProblem(issue.input) : `attachTo entries must be strings, got ${rules.describe(issue.input)}`) })
  .superRefine((value, ctx) => {
    const problem = rules.scpTargetProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  })
  .meta(ruleKeywords(rules.scpTargetProblem));

const guardPreventionSchema = obj({
  attachTo: z
    .array(scpTargetSchema, {
      error: (issue) =>
        issue.input === undefined
          ? 'required: add attachTo, the root, OUs or accounts the service control policies are attached to (e.g. [r-ab12]; aws organizations list-roots prints the root id)'
          : `attachTo must be a list of root, OU or account ids, got ${rules.describe(issue.input)}`,
    })
    .min(1, { error: 'attachTo is empty: list the root, OUs or accounts the service control policies are attached to (e.g. [r-ab12])' })
    .superRefine((targets, ctx) => {
      targets.forEach((t, i) => {
        if (targets.indexOf(t) !== i) ctx.addIssue({ code: 'custom', path: [i], input: t, message: `${t} is listed twice; list each target once` });
      });
    })
    .meta({ uniqueItems: true })
    .describe('Root, OU or account ids the service control policies are attached to (r-..., ou-...-..., or 12-digit account ids). Not the management account: SCPs never apply there.'),
  assumeRoleArn: ruled(rules.iamRoleArnProblem, 'guard.prevention.assumeRoleArn')
    .optional()
    .describe('Role that Terraform assumes in the management account for the cloudtrail-guard stack. @default the caller\'s credentials'),
  exemptPrincipals: z
    .array(ruled(rules.exemptPrincipalProblem, 'guard.prevention.exemptPrincipals[]'))
    .optional()
    .describe('Roles or users (ARN patterns, * and ? wildcards) exempt besides the deployer roles: a break-glass role, the role bootstrap uses. @default []'),
  maxPolicies: z
    .number({ error: (issue) => `maxPolicies must be a whole number from 1 to ${MAX_GUARD_POLICIES}, got ${rules.describe(issue.input)}` })
    .int({ error: `maxPolicies must be a whole number from 1 to ${MAX_GUARD_POLICIES}` })
    .min(1, { error: `maxPolicies is 1 to ${MAX_GUARD_POLICIES}: the guard needs at least one policy` })
    .max(MAX_GUARD_POLICIES, {
      error: `maxPolicies is 1 to ${MAX_GUARD_POLICIES}: AWS attaches at most 5 service control policies to a root, OU or account, and FullAWSAccess takes one`,
    })
    .optional()
    .describe(`Service control policies the guard may use on each target (AWS allows 5 per target; FullAWSAccess takes one; lower this when your targets carry other SCPs). @default ${MAX_GUARD_POLICIES}`),
});

const guardSchema = obj({
  prevention: z
    .union([z.literal(false), guardPreventionSchema], {
      error: 'guard.prevention must be false or a mapping with attachTo (the root, OUs or accounts to attach the service control policies to)',
    })
    .optional()
    .describe('Service control policies that deny tampering with the fleet\'s trails, keys, topics, log groups and roles to everyone but the deployer roles. Needs organization. @default off'),
  detection: z
    .union([bool('guard.detection'), obj({ deliverTo: oneOf(GUARD_DELIVERY, 'guard.detection.deliverTo').optional().describe('@default eventBus') })], {
      error: 'guard.detection must be true, false or { deliverTo: eventBus | snsTopic }',
    })
    .optional()
    .describe('EventBridge rules in every account that forward tampering events to an event bus (or SNS topic) in the central account. @default on when guard is set'),
}).describe('Guard the trails (docs/guard.md): prevention with service control policies, detection with EventBridge. @default off');
// ------------------------------------------------------------ bootstrap (docs/bootstrap.md)

/** Built-in defaults of `bootstrap`, in one place. */
export const BOOTSTRAP_DEFAULTS = {
  /** What AWS Organizations creates in every account it creates or invites with it. */
  adminRoleName: 'OrganizationAccountAccessRole',
  /** The role principalArn assumes in each account (path ROLE_PATH). */
  deployerRoleName: 'cloudtrail-fleet-deployer',
  /** IAM path of every role bootstrap creates. */
  rolePath: '/cloudtrail-fleet/',
  hcpHostname: 'app.terraform.io',
  /** HCP Terraform's name for the project a workspace lands in when none is given (its workload identity docs). */
  hcpProject: 'Default Project',
  /** The audience HCP Terraform puts in its AWS workload identity tokens (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE left unset). */
  hcpAudience: 'aws.workload.identity',
} as const;

const hcpTerraformSchema = z
  .union(
    [
      z.literal(true),
      obj({
        oidcThumbprints: z
          .array(ruled(rules.oidcThumbprintProblem, 'oidcThumbprints[]'))
          .min(1, { error: 'oidcThumbprints needs at least one thumbprint; leave the key out to let IAM verify the host with its trusted root CAs' })
          .max(5, { error: 'IAM keeps at most 5 thumbprints per OIDC provider' })
          .optional()
          .describe("SHA-1 thumbprints of the host's TLS certificate chain, only for a Terraform Enterprise whose certificate is not from a CA that IAM trusts. @default none (IAM verifies the host with its library of trusted root CAs)"),
        existingOidcProvider: z
          .array(accountIdSchema)
          .optional()
          .describe('Accounts that already have an IAM OIDC provider for this host (IAM allows one per URL): the roles trust it by ARN, and bootstrap does not create it there. @default none'),
      }),
    ],
    { error: 'hcpTerraform must be true or a mapping of options (oidcThumbprints, existingOidcProvider); to have a CI role or user assume the deployer roles instead, set principalArn' },
  )
  .describe('HCP Terraform dynamic provider credentials: an IAM OIDC provider for the backend host and a plan and an apply role per workspace.');

const deployerSchema = obj({
  principalArn: ruled(rules.deployerPrincipalArnProblem, 'bootstrap.deployer.principalArn')
    .optional()
    .describe("The CI role or user that assumes each account's deployer role (central.assumeRoleArn and each account's assumeRoleArn)."),
  roleName: ruled(rules.iamRoleNameProblem, 'bootstrap.deployer.roleName')
    .optional()
    .describe(`With principalArn: the deployer role's name where assumeRoleArn is not given (path ${BOOTSTRAP_DEFAULTS.rolePath}). @default ${BOOTSTRAP_DEFAULTS.deployerRoleName}`),
  hcpTerraform: hcpTerraformSchema.optional(),
})
  .superRefine(exactlyOneOf(['principalArn', 'hcpTerraform'], 'bootstrap.deployer'))
  .superRefine((d, ctx) => {
    if (d.roleName !== undefined && d.hcpTerraform !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['roleName'],
        input: d.roleName,
        message: 'roleName names the role principalArn assumes; with hcpTerraform each workspace gets its own roles (<stack>-plan and <stack>-apply): remove roleName',
      });
    }
  })
  .meta(exactlyOneKeyword(['principalArn', 'hcpTerraform']))
  .describe('Who deploys the fleet: exactly one of principalArn (a CI role or user) or hcpTerraform (workspace dynamic credentials).');

const bootstrapSchema = obj({
  adminRoleName: ruled(rules.iamRoleNameProblem, 'bootstrap.adminRoleName')
    .optional()
    .describe(`The role the bootstrap stacks assume in each account, once, with administrator credentials. @default ${BOOTSTRAP_DEFAULTS.adminRoleName}`),
  adminAccountId: accountIdSchema
    .optional()
    .describe('The account the administrator credentials belong to: its bootstrap stack uses them directly instead of assuming adminRoleName. @default organization.managementAccountId'),
  deployer: deployerSchema,
}).describe('The deployer roles each account needs, created by `cloudtrail-fleet bootstrap` (docs/bootstrap.md).');

// ------------------------------------------------------------ the file

export const configFileSchema = obj({
  $schema: z.string().optional().describe('Path of the JSON Schema, for editors.'),
  partition: oneOf(rules.PARTITIONS as unknown as ['aws', 'aws-us-gov', 'aws-cn'], 'partition').optional().describe('@default aws'),
  organization: organizationSchema.optional(),
  central: centralSchema,
  defaults: obj(trailSettingsShape).optional().describe('Trail settings every account inherits; accounts override key by key.'),
  accounts: z.array(obj(accountShape).meta(ACCOUNT_KEYWORDS), {
      error: (issue) =>
        issue.input === undefined ? 'required: add accounts, the list of accounts to turn CloudTrail on in' : `accounts must be a list, got ${rules.describe(issue.input)}`,
    }).min(1, { error: 'accounts is empty: list at least one account to turn CloudTrail on in' }),
  backend: backendSchema.optional().describe('@default { type: local }'),
  guard: guardSchema.optional(),
  bootstrap: bootstrapSchema.optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
export type TrailSettingsInput = z.infer<ReturnType<typeof obj<typeof trailSettingsShape>>>;
export type AccountInput = ConfigFile['accounts'][number];
export type KmsKeyInput = NonNullable<TrailSettingsInput['kmsKey']>;
export type BackendConfig = NonNullable<ConfigFile['backend']>;
export type GuardInput = NonNullable<ConfigFile['guard']>;
export type BootstrapInput = NonNullable<ConfigFile['bootstrap']>;

/** Built-in trail defaults, applied after `defaults` and the account. */
export const TRAIL_DEFAULTS = {
  multiRegion: true,
  includeGlobalServiceEvents: true,
  organizationTrail: false,
  logFileValidation: true,
  enableLogging: true,
  managementEvents: { readWrite: 'All' as ManagementReadWrite, excludeKmsEvents: false, excludeRdsDataApiEvents: false },
  insights: { apiCallRate: false, apiErrorRate: false },
  cloudWatchRetentionInDays: 365,
  centralKeyAlias: 'alias/cloudtrail-logs',
  centralKeyDeletionWindowInDays: 30,
  s3BackendKeyPrefix: 'cloudtrail-fleet/',
} as const;

/** JSON Schema of the config file, for editor completion (written to config/cloudtrail.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, ...rootKeywords() }; // rules between top-level keys that JSON Schema can state
}
