/**
 * AWS access for verify: credentials by the stacks' rules, retries on
 * throttling, and a bounded pool so a fleet of 1,000 accounts is checked
 * a few accounts at a time.
 *
 * Credentials: an account (or the central account) with `assumeRoleArn` is
 * reached by assuming that role (STS AssumeRole, like the provider's
 * assume_role) from the ambient credentials (fromNodeProviderChain:
 * environment, AWS_PROFILE, SSO, instance role); otherwise the ambient
 * credentials are used as they are. Roles are assumed when an account is
 * first checked, so an AccessDenied is reported as such for that account,
 * and again shortly before their credentials expire.
 * (fromTemporaryCredentials would do the same, but it builds its STS client
 * from an internal package, out of reach of the SDK's mocking library.)
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

/** The credential shapes of the SDK (kept local: @aws-sdk/types is not a direct dependency). */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

export const SESSION_NAME = 'cloudtrail-fleet-verify';

/** Assume a role again when its credentials have less than this left (the SDK refreshes 5 min before expiry). */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** Error names AWS uses for "slow down". */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return THROTTLING.has(err?.name ?? '') || err?.$metadata?.httpStatusCode === 429 || err?.$retryable?.throttling === true;
}

export interface RetryOptions {
  /** Attempts after the first. @default 5 */
  readonly retries?: number;
  /** First backoff in ms, doubled each time, with full jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn`, retrying throttling errors with exponential backoff (the SDK's own retries come first). */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const base = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isThrottling(e) || attempt >= retries) throw e;
      await sleep(Math.random() * base * 2 ** attempt);
    }
  }
}

/** Maps `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** `name: message` of an AWS error, for reports. */
export function describeError(e: unknown): string {
  const err = e as { name?: string; message?: string };
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
}

/** Clients per account role and region, with credentials resolved by the stacks' rules. */
export class AwsAccess {
  private readonly ambient: AwsCredentialIdentityProvider;
  private readonly assumed = new Map<string, Promise<AwsCredentialIdentity>>();
  private readonly expirations = new Map<string, Date>();
  private readonly cloudTrail = new Map<string, CloudTrailClient>();
  private readonly s3 = new Map<string, S3Client>();

  constructor(
    readonly retry: RetryOptions = {},
    ambient: AwsCredentialIdentityProvider = fromNodeProviderChain(),
  ) {
    this.ambient = ambient;
  }

  /**
   * Credentials for a role (assumed once per run) or the ambient ones.
   * Rejects with the STS error (AccessDenied, ...) when the role cannot be assumed.
   */
  credentials(roleArn: string | undefined, region: string): Promise<AwsCredentialIdentity> | AwsCredentialIdentityProvider {
    if (!roleArn) return this.ambient;
    let pending = this.assumed.get(roleArn);
    const expiration = this.expirations.get(roleArn);
    // Assumed-role credentials last an hour by default: a long run (--digests over a large fleet) assumes again.
    if (!pending || (expiration && expiration.getTime() - Date.now() < REFRESH_BEFORE_MS)) {
      const sts = new STSClient({ region, credentials: this.ambient });
      pending = withRetry(() => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME })), this.retry).then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error(`AssumeRole ${roleArn} returned no credentials`), { name: 'AssumeRoleFailed' });
        if (c.Expiration) this.expirations.set(roleArn, c.Expiration);
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      });
      this.assumed.set(roleArn, pending);
    }
    return pending;
  }

  cloudTrailClient(roleArn: string | undefined, region: string): Promise<CloudTrailClient> {
    return this.cached(this.cloudTrail, roleArn, region, (credentials) => new CloudTrailClient({ region, credentials }));
  }

  s3Client(roleArn: string | undefined, region: string): Promise<S3Client> {
    return this.cached(this.s3, roleArn, region, (credentials) => new S3Client({ region, credentials }));
  }

  /** One client per role and region for the whole run. */
  private async cached<C>(
    clients: Map<string, C>,
    roleArn: string | undefined,
    region: string,
    make: (credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider) => C,
  ): Promise<C> {
    const key = `${roleArn ?? ''}|${region}`;
    let client = clients.get(key);
    if (!client) {
      const first = await this.credentials(roleArn, region); // an AccessDenied surfaces here, for this account
      // A role's clients get a provider, so the SDK asks again (and the role is assumed again) before the credentials expire.
      client = make(roleArn ? () => Promise.resolve(this.credentials(roleArn, region) as Promise<AwsCredentialIdentity>) : first);
      clients.set(key, client);
    }
    return client;
  }
}
