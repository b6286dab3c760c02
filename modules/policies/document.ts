/**
 * IAM policy documents as plain data. Builders return these; they become JSON
 * at one boundary (`renderPolicy`), so tests read the same objects Terraform gets.
 */

import type { PolicyDocument, Statement } from '../../config/policy-document';

// The shapes and limits are config-level (the config carries the user's own statements): re-exported here for the builders.
export type { ConditionBlock, PolicyDocument, Statement } from '../../config/policy-document';
export { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../../config/policy-document';

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
