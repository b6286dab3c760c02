/**
 * IAM policy documents as plain data. Builders return these; they become JSON
 * at one boundary (`renderPolicy`), so tests read the same objects Terraform gets.
 */

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  /** Absent in identity policies (attached to a role). */
  readonly Principal?: '*' | { readonly Service?: string | string[]; readonly AWS?: string | string[]; readonly Federated?: string | string[] };
  readonly Action: string | string[];
  /** Absent in trust policies. */
  readonly Resource?: string | string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Statement[];
}

export function policy(statements: readonly Statement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** Compact JSON: the form stored in Terraform and counted against AWS size limits. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

export function policyBytes(doc: PolicyDocument): number {
  return Buffer.byteLength(renderPolicy(doc), 'utf8');
}

/** Sorted, de-duplicated copy, so policies do not depend on config order. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** S3 bucket policies: "limited to 20 KB in size". */
export const BUCKET_POLICY_LIMIT_BYTES = 20 * 1024;
/** KMS key policies: 32 KB. */
export const KEY_POLICY_LIMIT_BYTES = 32 * 1024;

/** A policy in one of several encodings, with its size against the AWS limit. */
export interface SizedPolicy<E extends string> {
  readonly document: PolicyDocument;
  readonly encoding: E;
  readonly bytes: number;
  readonly fits: boolean;
}

/**
 * Builds the encodings in order (most explicit first) and returns the first
 * that fits in `limit` bytes, or the smallest with `fits: false`.
 */
export function firstThatFits<E extends string>(encodings: readonly E[], build: (encoding: E) => PolicyDocument, limit: number): SizedPolicy<E> {
  let smallest: SizedPolicy<E> | undefined;
  for (const encoding of encodings) {
    const document = build(encoding);
    const bytes = policyBytes(document);
    const result = { document, encoding, bytes, fits: bytes <= limit };
    if (result.fits) return result;
    if (!smallest || bytes < smallest.bytes) smallest = result;
  }
  return smallest!;
}
