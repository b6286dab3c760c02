/**
 * IAM policy documents as data, and the AWS size limits of the policies this
 * project writes. They are config-level: the config carries the user's own
 * statements verbatim (`extraStatements`), and the builders in
 * modules/policies/ produce the same shapes (modules/policies/document.ts
 * re-exports these).
 */

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  /** Absent in identity policies (attached to a role). */
  readonly Principal?: '*' | { readonly Service?: string | string[]; readonly AWS?: string | string[] };
  readonly Action: string | string[];
  /** Absent in trust policies. */
  readonly Resource?: string | string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Statement[];
}

/** S3 bucket policies: "limited to 20 KB in size". */
export const BUCKET_POLICY_LIMIT_BYTES = 20 * 1024;
/** KMS key policies: 32 KB. */
export const KEY_POLICY_LIMIT_BYTES = 32 * 1024;
