/**
 * Config pieces for adopting what already exists (docs/adopting.md):
 * `central.adopt`, `central.bucketManagement`, `central.kmsKey.existingKeyArn`,
 * the `adopt` trail setting, and the user's own policy statements kept
 * verbatim (`central.bucketPolicy.extraStatements`,
 * `central.kmsKey.extraStatements`).
 *
 * Field-level shapes are here (schema.ts plugs them in); the rules that need
 * the whole resolved config are in adoption-rules.ts (called from
 * validate.ts), and those that need the computed policies (duplicate Sids,
 * sizes with the user's statements) in modules/fleet-checks.ts.
 */
import { z } from 'zod';
import * as rules from './rules';

// ------------------------------------------------------------ bucket parts and management

/**
 * The parts of the central bucket the stack manages besides the bucket
 * itself, by their config names. Each is its own Terraform resource, and
 * each is imported by `central.adopt` unless listed in `adopt.except`.
 */
export const BUCKET_PARTS = [
  'policy',
  'versioning',
  'encryption',
  'publicAccessBlock',
  'ownershipControls',
  'lifecycle',
  'objectLock',
  'accessLogging',
] as const;
export type BucketPart = (typeof BUCKET_PARTS)[number];

/**
 * Who owns the central bucket: `managed` (this project: bucket, hardening
 * and policy), `policyOnly` (another team owns the bucket; the central stack
 * manages only its policy), `none` (the central stack manages nothing of the
 * bucket; the computed policy is an output for the owning team).
 */
export const BUCKET_MANAGEMENT = ['managed', 'policyOnly', 'none'] as const;
export type BucketManagement = (typeof BUCKET_MANAGEMENT)[number];

export const bucketManagementSchema = z
  .enum(BUCKET_MANAGEMENT, {
    error: (issue) => `central.bucketManagement must be one of ${BUCKET_MANAGEMENT.join(', ')}; got ${rules.describe(issue.input)}`,
  })
  .describe(
    'Who manages the bucket: managed (this project), policyOnly (another team owns the bucket; only its policy is managed here), none (nothing of the bucket is managed here; the policy is output for its owner). @default managed',
  );

interface AdoptWording {
  /** The key as messages name it: `central.adopt`, `adopt`. */
  readonly key: string;
  /** What the parts belong to: `bucket parts`, `parts of a trail`. */
  readonly partsOf: string;
  /** One part, as a placeholder: `bucket part`, `trail part`. */
  readonly part: string;
  readonly emptyHint: string;
  readonly example: string;
  readonly exceptDescription: string;
}

/** `true`, `false` or `{ except: [<part>, ...] }`: what exists is imported, the parts listed are created. */
function adoptSchema<P extends readonly [string, ...string[]]>(parts: P, w: AdoptWording) {
  return z.union(
    [
      z.boolean(),
      z
        .looseObject({
          except: z
            .array(z.enum(parts, { error: (issue) => `adopt.except lists ${w.partsOf}: ${parts.join(', ')}; got ${rules.describe(issue.input)}` }))
            .min(1, { error: `adopt.except is empty: list ${w.emptyHint}, or write adopt: true` })
            .optional()
            .describe(w.exceptDescription),
        })
        // Unknown keys as a custom issue: the union then reports this branch's message, not only its own.
        .superRefine((value, ctx) => {
          const unknown = Object.keys(value).filter((k) => k !== 'except');
          if (unknown.length > 0 || value.except === undefined) {
            ctx.addIssue({
              code: 'custom',
              input: value,
              message: `${unknown.length ? `unknown key(s) ${unknown.join(', ')} under ${w.key}; ` : ''}the only key is except (adopt: { except: [${w.example}] }), or write adopt: true`,
            });
          }
        }),
    ],
    { error: (issue) => `${w.key} must be true, false or { except: [<${w.part}>, ...] }; got ${rules.describe(issue.input)}` },
  );
}

export const centralAdoptSchema = adoptSchema(BUCKET_PARTS, {
  key: 'central.adopt',
  partsOf: 'bucket parts',
  part: 'bucket part',
  emptyHint: 'the parts the existing bucket does not have yet',
  example: 'lifecycle',
  exceptDescription: 'Parts the existing bucket does not have yet: they are created (written over whatever is there), not imported.',
}).describe('The bucket already exists: import it and every part the stack manages (Terraform import blocks). @default false');

/** What an adopted trail may be missing yet: created, not imported, when listed in `adopt.except`. */
export const TRAIL_PARTS = ['topic', 'queue', 'logGroup', 'deliveryRole'] as const;
export type TrailPart = (typeof TRAIL_PARTS)[number];

export const trailAdoptSchema = adoptSchema(TRAIL_PARTS, {
  key: 'adopt',
  partsOf: 'parts of a trail',
  part: 'trail part',
  emptyHint: 'what the existing trail does not have yet',
  example: 'logGroup, deliveryRole',
  exceptDescription: 'What the existing trail does not have yet (e.g. a new SNS topic or log group): created, not imported.',
}).describe(
  'The trail already exists: import it, with the SNS topic, queue, log group and delivery role this config creates for it, except the parts listed in except (created). @default false',
);

// ------------------------------------------------------------ the existing central key

const KEY_ARN = /^arn:([a-z-]+):kms:([a-z0-9-]+):(\d{12}):key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A multi-Region key: its key id starts with `mrk-` (AWS gives that prefix to multi-Region keys, and only to them). */
export function isMultiRegionKeyArn(keyArn: string): boolean {
  return KEY_ARN.exec(keyArn)?.[4].startsWith('mrk-') ?? false;
}

/** The key id (import ID of aws_kms_key) of a key ARN. */
export function keyIdOf(keyArn: string): string {
  return KEY_ARN.exec(keyArn)![4];
}

/** An existing central key: its key ARN (the key id is not derivable from an alias). */
export function existingKeyArnProblem(value: string): rules.Problem {
  if (rules.isAliasArn(value)) {
    return `"${value}" is an alias ARN; give the key ARN (arn:...:kms:<region>:<account>:key/<key id>): importing a key needs its key id, which an alias does not show (aws kms describe-key --key-id ${value.replace(
      /^arn:[^:]+:kms:[^:]+:\d{12}:/,
      '',
    )} prints it)`;
  }
  const problem = rules.kmsKeyArnProblem(value);
  if (problem) return problem;
  return KEY_ARN.test(value) ? undefined : `"${value}" is not a key ARN such as arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
}

// ------------------------------------------------------------ policy statements kept verbatim

/** Sid: letters, digits, spaces, "-", "_" and "." (what S3 and KMS policies accept in practice); it names the statement in check-config. */
const SID = /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,126}[A-Za-z0-9])?$/;

export function sidProblem(sid: string): rules.Problem {
  if (SID.test(sid)) return undefined;
  return `Sid "${sid}" is not valid: use 1-128 letters, digits, spaces, "-", "_" or "." (starting and ending with a letter or digit)`;
}

const STATEMENT_KEYS = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'] as const;
const oneOrMore = (what: string) => {
  const error = `${what} must be a non-empty string or a non-empty list of strings`;
  return z.union([z.string().min(1, { error }), z.array(z.string().min(1, { error })).min(1, { error })], { error });
};
const principal = (what: string) =>
  z.union(
    [
      z.literal('*'),
      z.strictObject({
        AWS: oneOrMore(`${what}.AWS`).optional(),
        Service: oneOrMore(`${what}.Service`).optional(),
        Federated: oneOrMore(`${what}.Federated`).optional(),
        CanonicalUser: oneOrMore(`${what}.CanonicalUser`).optional(),
      }),
    ],
    { error: `${what} must be "*" or a mapping with AWS, Service, Federated or CanonicalUser` },
  );
const CONDITION_VALUE_ERROR = 'a condition value must be a string, number, true/false or a non-empty list of them';
const conditionValue = z.union(
  [z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()], { error: CONDITION_VALUE_ERROR })).min(1, { error: CONDITION_VALUE_ERROR })],
  { error: CONDITION_VALUE_ERROR },
);

/** One IAM policy statement as written in a resource policy, kept verbatim. */
export const statementSchema = z
  .strictObject(
    {
      Sid: z.string({ error: 'every extra statement needs a Sid (a name check-config and reviewers can refer to)' }).superRefine((sid, ctx) => {
        const problem = sidProblem(sid);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: sid });
      }),
      Effect: z.enum(['Allow', 'Deny'], { error: (issue) => `Effect must be Allow or Deny; got ${rules.describe(issue.input)}` }),
      Principal: principal('Principal').optional(),
      NotPrincipal: principal('NotPrincipal').optional(),
      Action: oneOrMore('Action').optional(),
      NotAction: oneOrMore('NotAction').optional(),
      Resource: oneOrMore('Resource').optional(),
      NotResource: oneOrMore('NotResource').optional(),
      Condition: z
        .record(z.string(), z.record(z.string(), conditionValue, { error: 'each Condition operator maps condition keys to values' }), {
          error: 'Condition must be a mapping of operators (StringEquals, ...) to mappings of condition keys',
        })
        .optional(),
    },
    {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') {
          return issue.keys
            .map((k) => {
              const guess = rules.closest(k, STATEMENT_KEYS);
              return `unknown statement element "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}; a statement has ${STATEMENT_KEYS.join(', ')}`;
            })
            .join('; ');
        }
        return issue.code === 'invalid_type' ? `a statement must be a mapping (a JSON object), got ${rules.describe(issue.input)}` : undefined;
      },
    },
  )
  .superRefine((s, ctx) => {
    for (const [a, b] of [
      ['Principal', 'NotPrincipal'],
      ['Action', 'NotAction'],
      ['Resource', 'NotResource'],
    ] as const) {
      const set = [a, b].filter((k) => s[k] !== undefined);
      if (set.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          input: s,
          message: `statement ${s.Sid ?? ''} needs exactly one of ${a} or ${b} (a resource policy statement names who, what and on which resource); ${
            set.length ? 'both are' : 'none is'
          } set`,
        });
      }
    }
  });

export const extraStatementsSchema = z
  .array(statementSchema, { error: 'extraStatements must be a list of policy statements' })
  .describe('Your own statements (for other services, e.g. AWS Config), kept verbatim in the policy and counted in its size limit.');
