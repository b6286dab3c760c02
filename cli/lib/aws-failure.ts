/**
 * What an AWS failure means for a check, as pure functions (no SDK import):
 * is the fleet unhealthy, or could nothing be checked at all?
 *
 * "Could not check" (exit 3, reported once) is a property of the caller's
 * surroundings, never of a trail: no credentials found, credentials that
 * AWS refuses, or an endpoint that does not answer (AWS or the emulator
 * behind AWS_ENDPOINT_URL). Everything else (AccessDenied on one account's
 * role, a missing trail, an S3 error on one folder) is a finding about that
 * trail (exit 1).
 *
 * Every command that talks to AWS (verify, doctor, deploy's preflight)
 * classifies failures here, so all of them draw the line in the same place
 * and say it in the same words.
 */

export type AwsFailureKind =
  /** The credential provider chain found nothing (or an SSO session/profile that cannot give credentials). */
  | 'no-credentials'
  /** Credentials were found but AWS refuses them: expired, unknown key, bad signature. */
  | 'credentials-rejected'
  /** No answer: DNS, connection refused or reset, timeout (AWS or the emulator). */
  | 'unreachable'
  /** The caller is known but not allowed (an IAM or trust policy): a finding about one account. */
  | 'access-denied'
  /** Slow down: retried, never fatal. */
  | 'throttled'
  | 'other';

export interface AwsFailure {
  readonly kind: AwsFailureKind;
  /** The error's name or code as AWS or Node gives it, e.g. `ExpiredToken`, `ECONNREFUSED`. */
  readonly code: string;
  readonly message: string;
  /** `host:port` that did not answer, when the error says. */
  readonly target?: string;
}

/** Node's codes for a request that got no answer (net, dns, the SDK's own timeouts). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EPIPE',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
  'NetworkingError',
  'AbortError',
  'UND_ERR_CONNECT_TIMEOUT',
  // TLS failures: the answer could not be trusted, so nothing was learnt.
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** AWS error codes for credentials that were sent but refused (STS, CloudTrail, S3 names). */
const REJECTED_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidToken',
  'TokenRefreshRequired',
  'AuthFailure',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'RequestExpired',
]);

const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Forbidden', 'AllAccessDisabled', 'AuthorizationError']);

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function target(err: ErrorLike): string | undefined {
  const host = typeof err.hostname === 'string' ? err.hostname : typeof err.address === 'string' ? err.address : undefined;
  if (!host) return undefined;
  return typeof err.port === 'number' || typeof err.port === 'string' ? `${host}:${err.port}` : host;
}

/** Classifies any thrown value; pure, total (never throws). */
export function classifyAwsFailure(e: unknown): AwsFailure {
  const err = (e ?? {}) as ErrorLike;
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const nodeCode = typeof err.code === 'string' ? err.code : undefined;
  const awsCode = typeof err.Code === 'string' ? err.Code : undefined;
  const message = typeof err.message === 'string' ? err.message : String(e);
  // The SDK keeps the AWS error code in `name` (`Code` for S3); Node network errors keep theirs in `code`.
  const code = nodeCode && nodeCode !== name ? nodeCode : (awsCode ?? name);
  const where = target(err);
  const failure = (kind: AwsFailureKind): AwsFailure => ({ kind, code, message, ...(where ? { target: where } : {}) });

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /Could not load credentials from any providers/.test(message)) return failure('no-credentials');
  if (nodeCode && UNREACHABLE_CODES.has(nodeCode)) return failure('unreachable');
  if (UNREACHABLE_CODES.has(name) || (awsCode && UNREACHABLE_CODES.has(awsCode))) return failure('unreachable');
  // A network error that crossed a realm or a wrapper keeps only its message ("AWS SDK error wrapper for Error: connect
  // ECONNREFUSED 127.0.0.1:5055"): its Node code is still in the text.
  const inText = /\b(E[A-Z_]{3,})\b(?: ([\w.-]+(?::\d+)?))?/.exec(message);
  if (!nodeCode && inText && UNREACHABLE_CODES.has(inText[1])) return { kind: 'unreachable', code: inText[1], message, ...(where ?? inText[2] ? { target: where ?? inText[2] } : {}) };
  if (err.cause && typeof err.cause === 'object') {
    const inner = classifyAwsFailure(err.cause);
    if (inner.kind === 'unreachable' || inner.kind === 'no-credentials') return inner;
  }
  if (REJECTED_CODES.has(name) || (awsCode && REJECTED_CODES.has(awsCode))) return failure('credentials-rejected');
  if (THROTTLING_CODES.has(name) || err.$metadata?.httpStatusCode === 429) return failure('throttled');
  if (DENIED_CODES.has(name) || (awsCode && DENIED_CODES.has(awsCode))) return failure('access-denied');
  return failure('other');
}

export interface CouldNotCheckContext {
  /** AWS_ENDPOINT_URL when set: the emulator (or a proxy) every call went to. */
  readonly endpoint?: string;
  /** The command, for "give <command> the credentials…". @default verify */
  readonly command?: string;
  /** AWS_PROFILE when set: named in the no-credentials message (an expired SSO session of that profile, say). */
  readonly profile?: string;
  /** The kinds that mean "could not check" at this point. @default all three */
  readonly fatal?: readonly AwsFailureKind[];
}

const ALL_FATAL: readonly AwsFailureKind[] = ['no-credentials', 'credentials-rejected', 'unreachable'];

/**
 * The one-line reason when `e` means that nothing can be checked (no
 * credentials, credentials refused, endpoint unreachable), with what to do;
 * undefined when `e` is a finding about one trail or account.
 */
export function couldNotCheckReason(e: unknown, context: CouldNotCheckContext = {}): string | undefined {
  const f = classifyAwsFailure(e);
  const command = context.command ?? 'verify';
  if (!(context.fatal ?? ALL_FATAL).includes(f.kind)) return undefined;
  switch (f.kind) {
    case 'no-credentials':
      return (
        `no AWS credentials found${context.profile ? ` for AWS_PROFILE=${context.profile}` : ''} (${f.message}): give ${command} the credentials you would give the AWS CLI, ` +
        'e.g. AWS_PROFILE=<profile> (after `aws sso login --profile <profile>` for an SSO profile), ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or an instance or container role; ' +
        'against the emulator, set AWS_ENDPOINT_URL and any dummy keys'
      );
    case 'credentials-rejected':
      return `AWS refused the credentials (${f.code}: ${f.message}): refresh them (\`aws sso login\`, new keys, or a new session) and run ${command} again`;
    case 'unreachable':
      return context.endpoint
        ? `the endpoint ${context.endpoint} (AWS_ENDPOINT_URL) did not answer (${f.code}${f.target ? ` ${f.target}` : ''}): start the emulator, or unset AWS_ENDPOINT_URL to check AWS itself`
        : `AWS did not answer (${f.code}${f.target ? ` ${f.target}` : ''}: ${f.message}): check the network, the proxy settings (HTTPS_PROXY) and the regions in the config`;
    default:
      return undefined;
  }
}
