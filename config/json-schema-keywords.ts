/**
 * The JSON Schema keywords (pattern, length, enum, examples) that express each
 * string rule of rules.ts, for editors: `config/cloudtrail.schema.json` gets
 * them through schema.ts's `ruled()`. The rule functions stay the source of
 * the loader's messages; `__tests__/config/json-schema.test.ts` runs the
 * generated schema with a real validator against the loader's invalid corpus
 * and against valid values, so a pattern cannot drift from its rule unseen.
 *
 * Patterns are ECMA-262 regular expressions (what JSON Schema and
 * yaml-language-server use), anchored.
 */
import * as rules from './rules';
import { ALL_REGIONS, REGIONS } from './regions';
import { existingKeyArnProblem } from './adoption';
import { eventNameProblem } from './network-activity';

export type Keywords = Readonly<Record<string, unknown>>;

const PARTITION = `(?:${rules.PARTITIONS.join('|')})`;
/** A real region of a supported partition (config/regions.ts). */
const REGION = `(?:${ALL_REGIONS.join('|')})`;
const ACCOUNT = '\\d{12}';
const IP_ADDRESS = '\\d{1,3}(?:\\.\\d{1,3}){3}';
const KMS_ALIAS = 'alias/(?![Aa][Ww][Ss])[A-Za-z0-9/_-]{1,250}';
const KEY_ID = 'key/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const IAM_NAME = '(?:[\\x21-\\x7e]*/)?[A-Za-z0-9+=,.@_-]{1,64}';
const LOG_GROUP_NAME = '[A-Za-z0-9_\\-/.#]{1,512}';
const TAG_TEXT = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
const arn = (service: string, region: string, resource: string) => `^arn:${PARTITION}:${service}:${region}:${ACCOUNT}:${resource}$`;

/** Keywords per rule function; a rule without an entry is checked by the loader only. */
export const RULE_KEYWORDS = new Map<(value: string) => rules.Problem, Keywords>([
  [rules.regionProblem, { enum: [...ALL_REGIONS] }],
  [
    rules.trailNameProblem,
    { minLength: 3, maxLength: 128, pattern: `^(?!${IP_ADDRESS}$)[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`, examples: ['my-trail', 'org.audit_v2'] },
  ],
  [
    rules.prefixProblem,
    // No leading or trailing "/", no "//" (every folder has a name), no AWSLogs folder, only characters that are literal in a policy.
    { maxLength: 200, pattern: `^(?!(?:.*/)?AWSLogs(?:/|$))[A-Za-z0-9!_.'()-]+(?:/[A-Za-z0-9!_.'()-]+)*$`, examples: ['team-a', 'cloudtrail/prod'] },
  ],
  [
    rules.bucketNameProblem,
    {
      minLength: 3,
      maxLength: 63,
      pattern:
        `^(?!xn--|sthree-|amzn-s3-demo-)(?!${IP_ADDRESS}$)(?!.*\\.\\.)(?!.*(?:-s3alias|--ol-s3|\\.mrap|--x-s3|--table-s3)$)` +
        '[a-z0-9][a-z0-9.-]*[a-z0-9]$',
      examples: ['my-bucket', 'acme-cloudtrail-logs'],
    },
  ],
  [rules.kmsAliasProblem, { maxLength: 256, pattern: `^${KMS_ALIAS}$`, examples: ['alias/cloudtrail-logs'] }],
  [
    rules.kmsKeyArnProblem,
    {
      pattern: arn('kms', REGION, `(?:${KEY_ID}|${KMS_ALIAS})`),
      examples: ['arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs'],
    },
  ],
  [
    existingKeyArnProblem,
    { pattern: arn('kms', REGION, KEY_ID), examples: ['arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'] },
  ],
  [rules.snsTopicNameProblem, { pattern: '^[A-Za-z0-9_-]{1,256}$', examples: ['cloudtrail-notify'] }],
  [rules.snsTopicArnProblem, { pattern: arn('sns', REGION, '[A-Za-z0-9_-]{1,256}'), examples: ['arn:aws:sns:us-east-2:222222222222:cloudtrail-notify'] }],
  [rules.sqsQueueNameProblem, { pattern: '^[A-Za-z0-9_-]{1,80}$', examples: ['cloudtrail-notify'] }],
  [
    rules.lambdaFunctionArnProblem,
    { pattern: arn('lambda', REGION, 'function:[A-Za-z0-9_-]{1,64}(?::(?:\\$LATEST|[A-Za-z0-9_-]+))?'), examples: ['arn:aws:lambda:us-east-2:222222222222:function:my-function'] },
  ],
  [rules.dynamodbTableArnProblem, { pattern: arn('dynamodb', REGION, 'table/[A-Za-z0-9_.-]{3,255}'), examples: ['arn:aws:dynamodb:us-east-2:222222222222:table/orders'] }],
  [rules.iamRoleArnProblem, { pattern: arn('iam', '', `role/${IAM_NAME}`), examples: ['arn:aws:iam::222222222222:role/TerraformDeploy'] }],
  [rules.iamPrincipalArnProblem, { pattern: arn('iam', '', `(?:root|(?:role|user)/${IAM_NAME})`), examples: ['arn:aws:iam::111111111111:role/SecurityAudit'] }],
  [
    rules.deployerPrincipalArnProblem,
    { pattern: arn('iam', '', `(?:role|user)/${IAM_NAME}`), examples: ['arn:aws:iam::111111111111:role/ci-deployer'] },
  ],
  [rules.iamRoleNameProblem, { pattern: '^[A-Za-z0-9+=,.@_-]{1,64}$', examples: ['OrganizationAccountAccessRole'] }],
  [rules.oidcThumbprintProblem, { pattern: '^[0-9A-Fa-f]{40}$' }],
  [rules.logGroupNameProblem, { pattern: `^${LOG_GROUP_NAME}$`, examples: ['aws-cloudtrail-logs-222222222222'] }],
  [
    rules.logGroupArnProblem,
    { pattern: arn('logs', REGION, `log-group:${LOG_GROUP_NAME}(?::\\*)?`), examples: ['arn:aws:logs:us-east-2:222222222222:log-group:aws-cloudtrail-logs-222'] },
  ],
  [rules.tagKeyProblem, { pattern: `^(?![Aa][Ww][Ss]:)${TAG_TEXT}{1,128}$` }],
  [rules.tagValueProblem, { pattern: `^${TAG_TEXT}{0,256}$` }],
  [
    rules.hostnameProblem,
    { pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d{1,5})?$', examples: ['app.terraform.io'] },
  ],
  [rules.tfcOrganizationProblem, { pattern: '^[A-Za-z0-9_-]{1,40}$' }],
  [rules.stateKeyPrefixProblem, { maxLength: 900, pattern: '^(?!/)(?!.*//)' }],
  [rules.dynamodbTableNameProblem, { pattern: '^[A-Za-z0-9_.-]{3,255}$' }],
  [eventNameProblem, { minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9]+$', examples: ['GetSecretValue', 'Decrypt'] }],
  [rules.scpTargetProblem, { pattern: '^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\\d{12})$', examples: ['r-ab12', 'ou-ab12-cdefgh34', '222222222222'] }],
  [
    rules.exemptPrincipalProblem,
    {
      pattern: `^arn:${PARTITION}:iam::(?:${ACCOUNT}|\\*):(?:role|user)/(?![*?/]+$)[\\x21-\\x23\\x25-\\x7e]+$`,
      examples: ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole'],
    },
  ],
]);

/** The keywords of a rule (empty when it has none). */
export function ruleKeywords(rule: (value: string) => rules.Problem): Keywords {
  return RULE_KEYWORDS.get(rule) ?? {};
}

/** "Exactly one of these keys" as JSON Schema. */
export function exactlyOneKeyword(keys: readonly string[]): Keywords {
  return { oneOf: keys.map((k) => ({ required: [k] })) };
}

/** Operators of an advanced field selector (schema.ts FIELD_OPERATORS). */
const OPERATORS = ['equals', 'notEquals', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'] as const;

/** A field selector needs an operator; readOnly, eventCategory and resources.type take only equals. */
export const FIELD_SELECTOR_KEYWORDS: Keywords = {
  anyOf: OPERATORS.map((op) => ({ required: [op] })),
  if: { properties: { field: { enum: ['readOnly', 'eventCategory', 'resources.type'] } }, required: ['field'] },
  then: { properties: Object.fromEntries(OPERATORS.filter((op) => op !== 'equals').map((op) => [op, false])) },
  examples: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', equals: ['DeleteObject'] }],
};

const fieldIs = (field: string | readonly string[]) => ({ properties: { field: typeof field === 'string' ? { const: field } : { enum: [...field] } }, required: ['field'] });

/**
 * An advanced selector needs an eventCategory field selector and has at most
 * one resources.type selector. A NetworkActivity selector has exactly one
 * eventSource field selector, equals with one value and no other operator,
 * and no readOnly or resources field (config/network-activity.ts).
 */
export const ADVANCED_SELECTOR_KEYWORDS: Keywords = {
  allOf: [
    {
      properties: {
        fieldSelectors: {
          allOf: [
            { contains: fieldIs('eventCategory') },
            { contains: fieldIs('resources.type'), minContains: 0, maxContains: 1 },
          ],
        },
      },
    },
    {
      if: { properties: { fieldSelectors: { contains: { ...fieldIs('eventCategory'), properties: { field: { const: 'eventCategory' }, equals: { contains: { const: 'NetworkActivity' } } }, required: ['field', 'equals'] } } } },
      then: {
        properties: {
          fieldSelectors: {
            contains: fieldIs('eventSource'),
            minContains: 1,
            maxContains: 1,
            items: {
              allOf: [
                {
                  if: fieldIs('eventSource'),
                  then: { required: ['equals'], properties: { equals: { maxItems: 1 }, ...Object.fromEntries(OPERATORS.filter((op) => op !== 'equals').map((op) => [op, false])) } },
                },
                { not: fieldIs(['readOnly', 'resources.type', 'resources.ARN']) },
              ],
            },
          },
        },
      },
    },
  ],
  examples: [
    {
      name: 'Log DeleteObject only',
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Data'] },
        { field: 'resources.type', equals: ['AWS::S3::Object'] },
        { field: 'eventName', equals: ['DeleteObject'] },
      ],
    },
  ],
};

const has = (key: string, value: unknown) => ({ properties: { [key]: { const: value } }, required: [key] });
/** The value at `path` is `value` (or matches `schema`), and the keys on the way are there. */
const hasIn = (path: readonly string[], value: unknown, schema?: Keywords): Keywords =>
  path.length === 1
    ? { properties: { [path[0]]: schema ?? { const: value } }, required: [path[0]] }
    : { properties: { [path[0]]: hasIn(path.slice(1), value, schema) }, required: [path[0]] };

/** Where ARNs are written: under central, under guard, and in the trail settings of defaults and of every account. */
const CENTRAL_ARNS = [['assumeRoleArn'], ['kmsKey', 'decryptPrincipals', '[]']];
const GUARD_ARNS = [['prevention', 'assumeRoleArn'], ['prevention', 'exemptPrincipals', '[]']];
const TRAIL_ARNS = [
  ['kmsKey', 'arn'],
  ['sns', 'topicArn'],
  ['cloudWatchLogs', 'logGroupArn'],
  ['cloudWatchLogs', 'roleArn'],
  ['dataEvents', 'lambda', 'functions', '[]', 'arn'],
  ['dataEvents', 'dynamodb', 'tables', '[]', 'arn'],
];

/** A schema that puts `leaf` at `path` (`[]` = every list entry), constraining nothing else. */
function at(path: readonly string[], leaf: Keywords): Keywords {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  return head === '[]' ? { items: at(rest, leaf) } : { properties: { [head]: at(rest, leaf) } };
}

/** Every ARN of the config is in `partition` (one allOf entry per place). */
function arnsInPartition(partition: rules.Partition): Keywords {
  const leaf = { pattern: `^arn:${partition}:` };
  return {
    allOf: [
      ...CENTRAL_ARNS.map((p) => at(['central', ...p], leaf)),
      ...GUARD_ARNS.map((p) => at(['guard', ...p], leaf)),
      at(['accounts', '[]', 'assumeRoleArn'], leaf),
      at(['bootstrap', 'deployer', 'principalArn'], leaf),
      ...TRAIL_ARNS.flatMap((p) => [at(['defaults', ...p], leaf), at(['accounts', '[]', ...p], leaf)]),
    ],
  };
}

/**
 * Rules between keys of one account entry. Only the account's own keys are
 * used: they win over defaults in the merge, so a config these reject is
 * one the loader rejects too (what defaults add is left to the loader).
 */
export const ACCOUNT_KEYWORDS: Keywords = {
  allOf: [
    // Excluding KMS or RDS Data API events needs management events.
    {
      if: hasIn(['managementEvents', 'readWrite'], 'None'),
      then: { properties: { managementEvents: { properties: { excludeKmsEvents: { const: false }, excludeRdsDataApiEvents: { const: false } } } } },
    },
    // API call rate Insights need Write management events; API error rate Insights need Read or Write.
    {
      if: hasIn(['insights', 'apiCallRate'], true),
      then: { properties: { managementEvents: { properties: { readWrite: { enum: ['All', 'WriteOnly'] } } } } },
    },
    {
      if: hasIn(['insights', 'apiErrorRate'], true),
      then: { properties: { managementEvents: { properties: { readWrite: { enum: ['All', 'ReadOnly', 'WriteOnly'] } } } } },
    },
  ],
};

/** `sqsQueue: true` names the queue after the topic, and queue names are at most 80 characters. */
export const SNS_CREATE_KEYWORDS: Keywords = {
  if: has('sqsQueue', true),
  then: { properties: { topicName: { maxLength: 80 } } },
};

/**
 * Rules between the top-level keys, at the root of the schema: regions of
 * the configured partition (`partition`, default aws) for central.region and
 * every account's region (the state backend's region may be in any
 * partition); a trail name in every account or in defaults; an account that
 * asks for the central key while there is none; an organization trail
 * without `organization`; a multi-region trail without global service
 * events, and a trail that logs nothing, where defaults do not decide it.
 */
export function rootKeywords(): Keywords {
  const regionsOf = (partition: rules.Partition) => ({ enum: [...REGIONS[partition]] });
  const defaultsLack = (key: string) => ({ not: { properties: { defaults: { required: [key] } }, required: ['defaults'] } });
  return {
    allOf: [
      ...rules.PARTITIONS.map((partition) => ({
        if:
          partition === 'aws'
            ? { anyOf: [{ not: { required: ['partition'] } }, has('partition', 'aws')] }
            : has('partition', partition),
        then: {
          properties: {
            central: { properties: { region: regionsOf(partition) } },
            accounts: { items: { properties: { region: regionsOf(partition) } } },
          },
        },
      })),
      { anyOf: [{ properties: { defaults: { required: ['trailName'] } }, required: ['defaults'] }, { properties: { accounts: { items: { required: ['trailName'] } } } }] },
      ...rules.PARTITIONS.map((partition) => ({
        if: partition === 'aws' ? { anyOf: [{ not: { required: ['partition'] } }, has('partition', 'aws')] } : has('partition', partition),
        then: arnsInPartition(partition),
      })),
      // The state backend's role is in the partition of the state bucket's region.
      ...rules.PARTITIONS.map((partition) => ({
        if: hasIn(['backend', 'region'], undefined, { enum: [...REGIONS[partition]] }),
        then: { properties: { backend: { properties: { assumeRoleArn: { pattern: `^arn:${partition}:` } } } } },
      })),
      {
        if: hasIn(['central', 'kmsKey'], false),
        then: { properties: { accounts: { items: { properties: { kmsKey: { not: { const: 'central' } } } } } } },
      },
      {
        if: { properties: { accounts: { contains: has('organizationTrail', true) } }, required: ['accounts'] },
        then: { required: ['organization'] },
      },
      // guard.prevention: service control policies need the organization; the deployer roles are named in an ArnNotLike
      // (no "$", "*", "?" in their ARNs); the guard's tag key is its own.
      {
        if: { properties: { guard: { properties: { prevention: { type: 'object' } }, required: ['prevention'] } }, required: ['guard'] },
        then: {
          required: ['organization'],
          properties: {
            central: { properties: { assumeRoleArn: { pattern: '^[^$*?]*$' }, tags: { propertyNames: { not: { const: 'cloudtrail-fleet:guard' } } } } },
            defaults: { properties: { tags: { propertyNames: { not: { const: 'cloudtrail-fleet:guard' } } } } },
            accounts: { items: { properties: { assumeRoleArn: { pattern: '^[^$*?]*$' }, tags: { propertyNames: { not: { const: 'cloudtrail-fleet:guard' } } } } } },
          },
        },
      },
      {
        if: { not: hasIn(['defaults', 'multiRegion'], false) },
        then: { properties: { accounts: { items: { if: has('includeGlobalServiceEvents', false), then: has('multiRegion', false) } } } },
      },
      // HCP Terraform dynamic credentials: the cloud backend's workspaces, and no provider assume_role (docs/bootstrap.md).
      {
        if: hasIn(['bootstrap', 'deployer', 'hcpTerraform'], undefined, {}),
        then: {
          required: ['backend'],
          properties: {
            backend: has('type', 'cloud'),
            central: { not: { required: ['assumeRoleArn'] } },
            accounts: { items: { not: { required: ['assumeRoleArn'] } } },
          },
        },
      },
      {
        if: { allOf: [defaultsLack('dataEvents'), defaultsLack('networkActivityEvents')] },
        then: {
          properties: { accounts: { items: { if: hasIn(['managementEvents', 'readWrite'], 'None'), then: { anyOf: [{ required: ['dataEvents'] }, { required: ['networkActivityEvents'] }] } } } },
        },
      },
    ],
  };
}
