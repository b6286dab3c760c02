/**
 * Which failed applies deploy tries again: only those whose every error is
 * one AWS documents as a passing state of eventual consistency. Anything
 * else (a wrong ARN, a denied action, a quota, a Terraform error) fails the
 * stack at once: trying again would only repeat it and hide it.
 *
 * The documented transient errors (the AWS error code inside Terraform's
 * `Error:` line):
 *
 *   InsufficientS3BucketPolicyException, InsufficientEncryptionPolicyException
 *     CloudTrail CreateTrail / UpdateTrail / PutInsightSelectors check the
 *     bucket policy and the KMS key policy when called ("This exception is
 *     thrown when the policy on the S3 bucket or KMS key does not have
 *     sufficient permissions", CloudTrail API Reference, Errors of
 *     CreateTrail). Right after cloudtrail-central changed the bucket or key
 *     policy, the new policy may not be visible to CloudTrail yet (S3 and
 *     KMS are eventually consistent: see below); the same apply a little
 *     later succeeds (docs/deploying.md, "What AWS checks only at apply time"). "Bucket
 *     configurations have an eventual consistency model" (S3 User Guide,
 *     https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel).
 *
 *   KMS NotFoundException / InvalidStateException (any KMS call, e.g. the
 *     account stack's `data "aws_kms_key"` lookup of the central key by its
 *     alias ARN); KMS AccessDeniedException only when cloudtrail-central was
 *     applied in this run (its key policy just admitted the account)
 *     "changes to AWS KMS resources might not be immediately visible ... You
 *     might get unexpected errors, such as a NotFoundException or an
 *     InvalidStateException, during this time" (AWS KMS Developer Guide,
 *     "AWS KMS eventual consistency",
 *     https://docs.aws.amazon.com/kms/latest/developerguide/programming-eventual-consistency.html).
 *
 *   InvalidCloudWatchLogsRoleArnException / InvalidCloudWatchLogsLogGroupArnException
 *     with "Access denied." (IAM propagation of the delivery role just
 *     created in the same apply): "Changes that I make are not always
 *     immediately visible ... IAM ... is eventually consistent" (IAM User
 *     Guide, Troubleshooting IAM,
 *     https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 *     The AWS provider already retries exactly these for 2 minutes
 *     (internal/service/cloudtrail/trail.go, propagationTimeout); a deploy
 *     retry covers a propagation slower than that.
 */
import { Diagnostic, awsErrorCode, awsOperation, errorDiagnostics } from '../terraform/output';

export interface TransientContext {
  /** cloudtrail-central was applied in this run (its bucket and key policies just changed). */
  readonly centralApplied: boolean;
}

interface Rule {
  /** What the retry line says the error was. */
  readonly label: (d: Diagnostic) => string;
  readonly matches: (d: Diagnostic, ctx: TransientContext) => boolean;
}

const code = (d: Diagnostic) => awsErrorCode(d) ?? '';
const service = (d: Diagnostic) => awsOperation(d)?.service;

const RULES: readonly Rule[] = [
  {
    label: code,
    matches: (d) => code(d) === 'InsufficientS3BucketPolicyException' || code(d) === 'InsufficientEncryptionPolicyException',
  },
  {
    label: (d) => `KMS ${code(d)} (KMS eventual consistency)`,
    matches: (d, ctx) =>
      service(d) === 'KMS' && (code(d) === 'NotFoundException' || code(d) === 'InvalidStateException' || (ctx.centralApplied && code(d) === 'AccessDeniedException')),
  },
  {
    label: (d) => `${code(d)} (IAM propagation)`,
    matches: (d) => (code(d) === 'InvalidCloudWatchLogsRoleArnException' || code(d) === 'InvalidCloudWatchLogsLogGroupArnException') && /Access denied/.test(d.text),
  },
];

export interface FailureKind {
  /** Every error is a documented transient one: try the apply again. */
  readonly transient: boolean;
  /** The transient errors, for the retry line (`InsufficientS3BucketPolicyException on aws_cloudtrail.trail_x`). */
  readonly reasons: readonly string[];
  readonly errors: readonly Diagnostic[];
}

/** Judges a failed Terraform run by its output. No `Error:` block at all (a crash, a kill) is never transient. */
export function classifyFailure(output: string, ctx: TransientContext): FailureKind {
  const errors = errorDiagnostics(output);
  const reasons: string[] = [];
  for (const d of errors) {
    const rule = RULES.find((r) => r.matches(d, ctx));
    if (!rule) return { transient: false, reasons: [], errors };
    reasons.push(`${rule.label(d)}${d.address ? ` on ${d.address}` : ''}`);
  }
  return { transient: errors.length > 0, reasons, errors };
}

export interface BackoffOptions {
  /** First wait in ms. @default 10,000 */
  readonly baseMs: number;
  /** Longest wait in ms. @default 120,000 */
  readonly maxMs?: number;
  /** In [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Wait before retry `n` (1 = the first retry): base * 2^(n-1), capped, with ±25% jitter so parallel stacks do not retry in step. */
export function backoffMs(n: number, o: BackoffOptions): number {
  const raw = Math.min(o.maxMs ?? 120_000, o.baseMs * 2 ** (n - 1));
  const jitter = 0.75 + 0.5 * (o.random ?? Math.random)();
  return Math.round(raw * jitter);
}
