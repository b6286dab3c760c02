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

// ------------------------------------------------------------ building blocks

/** A strict object whose unknown-key error names the closest valid key. */
function obj<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
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
const fieldSelectorSchema = obj({
  field: oneOf(ADVANCED_FIELDS, 'field'),
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
  if (!sel.fieldSelectors.some((fs) => fs.field === 'eventCategory')) {
    ctx.addIssue({ code: 'custom', input: sel, message: 'every advanced selector needs an eventCategory field selector (equals: [Management] or [Data])' });
  }
  if (sel.fieldSelectors.filter((fs) => fs.field === 'resources.type').length > 1) {
    ctx.addIssue({ code: 'custom', input: sel, message: 'an advanced selector may have only one resources.type field selector' });
  }
}).meta(ADVANCED_SELECTOR_KEYWORDS);

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
  insights: insightsSchema.optional(),
  adopt: trailAdoptSchema.optional(),
};

export const TRAIL_SETTING_KEYS = Object.keys(trailSettingsShape) as (keyof typeof trailSettingsShape)[];

/**
 * Keys whose values are merged key by key (defaults first, then the account).
 * Every other key is replaced whole: a kmsKey or sns choice from defaults
 * must not blend with a different choice in the account.
 */
export const DEEP_MERGED_KEYS = ['tags', 'managementEvents', 'dataEvents', 'insights'] as const;

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
});

export type ConfigFile = z.infer<typeof configFileSchema>;
export type TrailSettingsInput = z.infer<ReturnType<typeof obj<typeof trailSettingsShape>>>;
export type AccountInput = ConfigFile['accounts'][number];
export type KmsKeyInput = NonNullable<TrailSettingsInput['kmsKey']>;
export type BackendConfig = NonNullable<ConfigFile['backend']>;

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
