/**
 * The naming and format rules of AWS that a config value must obey, as pure
 * functions. Each returns `undefined` when the value is fine, or a sentence
 * that says what is wrong and how to fix it. The schema (schema.ts) and the
 * cross-field checks (validate.ts) call these; nothing else in the project
 * re-implements a rule.
 *
 * Sources are in shared/reference/aws-cloudtrail-facts.md.
 */

import { OTHER_PARTITION_PREFIXES, partitionOf, REGIONS, SUPPORTED_PARTITIONS } from './regions';
import type { Partition } from './regions';

export type { Partition };
export const PARTITIONS: readonly Partition[] = SUPPORTED_PARTITIONS;

export type Problem = string | undefined;

// ---------------------------------------------------------------- accounts

export const ACCOUNT_ID = /^\d{12}$/;

export function accountIdProblem(value: unknown): Problem {
  if (typeof value === 'number') {
    return (
      `account ids must be quoted strings of 12 digits; YAML read ${value} as a number ` +
      `(leading zeros would be lost). Write it in quotes, e.g. "${String(value).padStart(12, '0')}"`
    );
  }
  if (typeof value !== 'string') return `account ids must be quoted strings of 12 digits, got ${describe(value)}`;
  if (!ACCOUNT_ID.test(value)) {
    return `"${value}" is not an AWS account id: it must be exactly 12 digits (${value.length} characters given)`;
  }
  return undefined;
}

// ---------------------------------------------------------------- regions

/** The partition a region belongs to; `other` for a region of a partition this project does not serve. */
export function partitionOfRegion(region: string): Partition | 'other' {
  return partitionOf(region) ?? 'other';
}

/** A region must exist (config/regions.ts: the AWS SDK's list, per partition). */
export function regionProblem(region: string): Problem {
  if (partitionOf(region)) return undefined;
  const other = OTHER_PARTITION_PREFIXES.find(([re]) => re.test(region));
  if (other) return `"${region}" is a region of ${other[1]}, which this project does not support; use a region of ${PARTITIONS.join(', ')}`;
  // Suggest from the partition the name looks like (cn-... -> aws-cn, us-gov-... -> aws-us-gov), never across partitions.
  const looksLike: Partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const guess = closest(region, REGIONS[looksLike]);
  if (guess) return `"${region}" is not an AWS region (did you mean "${guess}"?)`;
  return `"${region}" is not an AWS region; regions of partition ${looksLike}: ${REGIONS[looksLike].join(', ')}${
    looksLike === 'aws' ? ` (aws-us-gov: ${REGIONS['aws-us-gov'].join(', ')}; aws-cn: ${REGIONS['aws-cn'].join(', ')})` : ''
  }`;
}

// ---------------------------------------------------------------- trails

/** Trail naming rules of CloudTrail (facts §2). */
export function trailNameProblem(name: string): Problem {
  if (name.length < 3 || name.length > 128) {
    return `trail names are 3 to 128 characters long; "${name}" has ${name.length}`;
  }
  if (/[^A-Za-z0-9._-]/.test(name)) {
    return `trail names may contain only ASCII letters, digits, ".", "_" and "-"; "${name}" contains "${name.match(/[^A-Za-z0-9._-]/)![0]}"`;
  }
  if (!/^[A-Za-z0-9]/.test(name) || !/[A-Za-z0-9]$/.test(name)) {
    return `trail names must start and end with a letter or digit; "${name}" does not`;
  }
  const adjacent = name.match(/[._-]{2}/);
  if (adjacent) return `trail names must not have adjacent ".", "_" or "-"; "${name}" has "${adjacent[0]}"`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `trail names must not look like an IP address; "${name}" does`;
  return undefined;
}

/** S3 key prefix of a trail (facts §1b, §1c). */
export function prefixProblem(prefix: string): Problem {
  if (prefix.length === 0) return 'an empty prefix is written by leaving the key out';
  if (prefix.length > 200) return `S3 key prefixes are at most 200 characters; this one has ${prefix.length}`;
  if (prefix.startsWith('/') || prefix.endsWith('/')) {
    return `"${prefix}" must not start or end with "/": CloudTrail adds the "/" before AWSLogs/ itself (write "${prefix.replace(/^\/+|\/+$/g, '')}")`;
  }
  if (prefix.includes('//')) return `"${prefix}" contains "//", which gives an empty folder name`;
  if (/(^|\/)AWSLogs(\/|$)/.test(prefix)) {
    return `"${prefix}" contains the folder AWSLogs, which CloudTrail reserves for its own layout (InvalidS3PrefixException)`;
  }
  const bad = prefix.match(/[^A-Za-z0-9!_.'()\/-]/);
  if (bad) {
    return (
      `"${prefix}" contains "${bad[0]}"; use only letters, digits and ! _ . ' ( ) - /` +
      ` ("*", "?" and "$" would act as wildcards or variables in the bucket policy)`
    );
  }
  return undefined;
}

// ---------------------------------------------------------------- S3

/** General purpose bucket naming rules of S3. */
export function bucketNameProblem(name: string): Problem {
  if (name.length < 3 || name.length > 63) return `bucket names are 3 to 63 characters long; "${name}" has ${name.length}`;
  const bad = name.match(/[^a-z0-9.-]/);
  if (bad) return `bucket names may contain only lowercase letters, digits, "." and "-"; "${name}" contains "${bad[0]}"`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return `bucket names must start and end with a letter or digit; "${name}" does not`;
  if (name.includes('..')) return `bucket names must not contain two adjacent periods; "${name}" does`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `bucket names must not look like an IP address; "${name}" does`;
  for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-']) {
    if (name.startsWith(p)) return `bucket names must not start with "${p}" (reserved by S3)`;
  }
  for (const s of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) {
    if (name.endsWith(s)) return `bucket names must not end with "${s}" (reserved by S3)`;
  }
  return undefined;
}

// ---------------------------------------------------------------- ARNs

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): Arn | undefined {
  const m = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/.exec(value);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] };
}

interface ArnShape {
  /** What the ARN names, for messages: "an SNS topic ARN". */
  what: string;
  service: string;
  /** Regex for the part after `account:`. */
  resource: RegExp;
  regional: boolean;
  example: string;
  /** The naming rule of the resource part, said when it does not match. */
  rule?: string;
}

function arnProblem(value: string, shape: ArnShape): Problem {
  const arn = parseArn(value);
  const hint = `expected ${shape.what} such as ${shape.example}`;
  if (!arn) return `"${value}" is not an ARN; ${hint}`;
  if (!(PARTITIONS as readonly string[]).includes(arn.partition)) return `"${value}" has unknown partition "${arn.partition}"; ${hint}`;
  if (arn.service !== shape.service) return `"${value}" is a ${arn.service} ARN; ${hint}`;
  if (shape.regional && regionProblem(arn.region)) return `"${value}" has no valid region; ${hint}`;
  if (!shape.regional && arn.region !== '') return `"${value}" must have an empty region field; ${hint}`;
  if (!ACCOUNT_ID.test(arn.account)) return `"${value}" has no 12-digit account id; ${hint}`;
  if (!shape.resource.test(arn.resource)) return `"${value}" does not name ${shape.what}${shape.rule ? ` (${shape.rule})` : ''}; ${hint}`;
  return undefined;
}

const KEY_ID = /^key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A key ARN or an alias ARN, in any account (facts §3 "Key ID formats"). */
export function kmsKeyArnProblem(value: string): Problem {
  const problem = arnProblem(value, {
    what: 'a KMS key ARN or alias ARN',
    service: 'kms',
    resource: /^(key\/.+|alias\/.+)$/,
    regional: true,
    example: 'arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  });
  if (problem) return problem;
  const resource = parseArn(value)!.resource;
  if (resource.startsWith('key/') && !KEY_ID.test(resource)) {
    return `"${value}" has a malformed key id; key ids are UUIDs (or mrk-<32 hex> for multi-Region keys)`;
  }
  if (resource.startsWith('alias/')) {
    const aliasProblem = kmsAliasProblem(resource);
    if (aliasProblem) return aliasProblem;
  }
  return undefined;
}

export function isAliasArn(value: string): boolean {
  return parseArn(value)?.resource.startsWith('alias/') ?? false;
}

/** KMS alias naming rules (facts §3 "Alias rules"). */
export function kmsAliasProblem(alias: string): Problem {
  if (!alias.startsWith('alias/')) return `"${alias}" must start with "alias/", e.g. alias/${alias.replace(/^\/+/, '')}`;
  const name = alias.slice('alias/'.length);
  if (name.length < 1 || alias.length > 256) return `KMS aliases are "alias/" plus 1 to 250 characters; "${alias}" is not`;
  const bad = name.match(/[^A-Za-z0-9/_-]/);
  if (bad) return `KMS alias names may contain only letters, digits, "/", "_" and "-"; "${alias}" contains "${bad[0]}"`;
  if (/^aws/i.test(name)) return `"${alias}" begins with "aws", which KMS reserves for AWS managed keys; choose another name`;
  return undefined;
}

export function snsTopicNameProblem(name: string): Problem {
  if (name.length < 1 || name.length > 256) return `SNS topic names are 1 to 256 characters; "${name}" has ${name.length}`;
  if (name.endsWith('.fifo')) return `"${name}" is a FIFO topic; CloudTrail publishes only to standard topics`;
  const bad = name.match(/[^A-Za-z0-9_-]/);
  if (bad) return `SNS topic names may contain only letters, digits, "_" and "-"; "${name}" contains "${bad[0]}"`;
  return undefined;
}

export function snsTopicArnProblem(value: string): Problem {
  const problem = arnProblem(value, {
    what: 'an SNS topic ARN',
    service: 'sns',
    resource: /^[^:]+$/,
    regional: true,
    example: 'arn:aws:sns:us-east-2:222222222222:cloudtrail-notify',
  });
  return problem ?? snsTopicNameProblem(parseArn(value)!.resource);
}

export function sqsQueueNameProblem(name: string): Problem {
  if (name.length < 1 || name.length > 80) return `SQS queue names are 1 to 80 characters; "${name}" has ${name.length}`;
  if (name.endsWith('.fifo')) return `"${name}" is a FIFO queue; a standard SNS topic can only deliver to standard queues`;
  const bad = name.match(/[^A-Za-z0-9_-]/);
  if (bad) return `SQS queue names may contain only letters, digits, "_" and "-"; "${name}" contains "${bad[0]}"`;
  return undefined;
}

export function lambdaFunctionArnProblem(value: string): Problem {
  return arnProblem(value, {
    what: 'a Lambda function ARN',
    service: 'lambda',
    resource: /^function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]+))?$/,
    regional: true,
    example: 'arn:aws:lambda:us-east-2:222222222222:function:my-function',
  });
}

export function dynamodbTableArnProblem(value: string): Problem {
  return arnProblem(value, {
    what: 'a DynamoDB table ARN',
    service: 'dynamodb',
    resource: /^table\/[A-Za-z0-9_.-]{3,255}$/,
    regional: true,
    example: 'arn:aws:dynamodb:us-east-2:222222222222:table/orders',
    rule: 'table/<name>: table names are 3 to 255 letters, digits, "_", "." or "-"',
  });
}

export function iamRoleArnProblem(value: string): Problem {
  return arnProblem(value, {
    what: 'an IAM role ARN',
    service: 'iam',
    resource: /^role\/([\x21-\x7e]*\/)?[A-Za-z0-9+=,.@_-]{1,64}$/,
    regional: false,
    example: 'arn:aws:iam::222222222222:role/TerraformDeploy',
  });
}

/** Principals that may read (decrypt) logs: IAM roles, users or account roots. */
export function iamPrincipalArnProblem(value: string): Problem {
  return arnProblem(value, {
    what: 'an IAM role, user or account root ARN',
    service: 'iam',
    resource: /^(root|(role|user)\/([\x21-\x7e]*\/)?[A-Za-z0-9+=,.@_-]{1,64})$/,
    regional: false,
    example: 'arn:aws:iam::111111111111:role/SecurityAudit',
  });
}

export function logGroupNameProblem(name: string): Problem {
  if (name.length < 1 || name.length > 512) return `log group names are 1 to 512 characters; "${name}" has ${name.length}`;
  const bad = name.match(/[^A-Za-z0-9_\-/.#]/);
  if (bad) return `log group names may contain only letters, digits and _ - / . #; "${name}" contains "${bad[0]}"`;
  return undefined;
}

export function logGroupArnProblem(value: string): Problem {
  const problem = arnProblem(value, {
    what: 'a CloudWatch Logs log group ARN',
    service: 'logs',
    resource: /^log-group:[^:]+(:\*)?$/,
    regional: true,
    example: 'arn:aws:logs:us-east-2:222222222222:log-group:aws-cloudtrail-logs-222',
  });
  return problem ?? logGroupNameProblem(logGroupNameOf(value));
}

export function logGroupNameOf(arn: string): string {
  return parseArn(arn)!.resource.replace(/^log-group:/, '').replace(/:\*$/, '');
}

/** Values `RetentionInDays` accepts (CloudWatch Logs PutRetentionPolicy); 0 = never expire. */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

// ---------------------------------------------------------------- tags

/** Characters AWS accepts in tag keys and values: letters, digits, spaces (any script) and _ . : / = + - @. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function firstBadTagChar(text: string): string | undefined {
  return [...text].find((c) => !TAG_TEXT.test(c));
}

/** Tag limits count characters (Unicode code points), as AWS does; JavaScript's `length` counts UTF-16 units (2 for U+20000). */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function tagKeyProblem(key: string): Problem {
  const length = characters(key);
  if (length < 1 || length > 128) return `tag keys are 1 to 128 characters; "${key}" has ${length}`;
  if (/^aws:/i.test(key)) return `tag key "${key}" starts with "aws:", which AWS reserves for its own tags; choose another key`;
  const bad = firstBadTagChar(key);
  if (bad) return `tag key "${key}" contains ${JSON.stringify(bad)}; AWS tags allow only letters, digits, spaces and _ . : / = + - @`;
  return undefined;
}

export function tagValueProblem(value: string): Problem {
  const length = characters(value);
  if (length > 256) return `tag values are at most 256 characters; this one has ${length}`;
  const bad = firstBadTagChar(value);
  if (bad) return `tag value "${value}" contains ${JSON.stringify(bad)}; AWS tags allow only letters, digits, spaces and _ . : / = + - @`;
  return undefined;
}

/** AWS allows 50 user tags per resource (CloudTrail, S3, KMS, SNS, SQS, IAM, CloudWatch Logs); Terraform cannot check it before apply. */
export const MAX_TAGS = 50;

export function tooManyTags(count: number, merged = ''): string {
  return `${count} tags${merged}, but AWS allows at most ${MAX_TAGS} per resource (the apply would fail with a tag limit error); drop or combine ${count - MAX_TAGS}`;
}

// ---------------------------------------------------------------- state backends

/** A host name with an optional port, as the `cloud` block's hostname (no scheme, no path). */
export function hostnameProblem(value: string): Problem {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return `"${value}" is a URL; hostname takes the host name only, e.g. ${value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]}`;
  }
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/.test(value)) {
    return `"${value}" is not a host name (letters, digits, "-" and "." with an optional :port, e.g. app.terraform.io or tfe.example.com)`;
  }
  return undefined;
}

/** HCP Terraform organization names: letters, digits, "-" and "_". */
export function tfcOrganizationProblem(value: string): Problem {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(value)) return `"${value}" is not an HCP Terraform organization name (1 to 40 letters, digits, "-" or "_")`;
  return undefined;
}

/** HCP Terraform workspace names are at most 90 letters, digits, "-" and "_"; ours are prefix + stack name. */
export const WORKSPACE_NAME_MAX = 90;

/** The S3 backend refuses a state key that starts with "/" or contains "//" (terraform init: "Invalid Value"). */
export function stateKeyPrefixProblem(prefix: string): Problem {
  if (prefix.startsWith('/')) return `"${prefix}" starts with "/"; S3 state keys must not (write "${prefix.replace(/^\/+/, '')}")`;
  if (prefix.includes('//')) return `"${prefix}" contains "//"; S3 state keys must not have an empty folder name`;
  if (prefix.length > 900) return `keyPrefix is at most 900 characters (S3 keys are at most 1024 with the stack name); this one has ${prefix.length}`;
  return undefined;
}

export function dynamodbTableNameProblem(name: string): Problem {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) return `"${name}" is not a DynamoDB table name (3 to 255 letters, digits, "_", "-" or ".")`;
  return undefined;
}

// ---------------------------------------------------------------- helpers

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (the key is missing)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
