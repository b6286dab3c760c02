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
 *
 * Could not check: the first time the SDK needs the ambient credentials,
 * they are resolved once and shown to STS (GetCallerIdentity, which no
 * policy can deny). No credentials, credentials AWS refuses, or an endpoint
 * that does not answer throw `CouldNotCheck` (exit 3) at once, and every
 * later call fails the same way without asking again: one message, no
 * per-trail retries, no role blamed. A mocked client never asks for
 * credentials, so mocks (aws-sdk-client-mock) need none.
 *
 * The emulator: with AWS_ENDPOINT_URL set (or `endpoint` given) every client
 * talks to it, S3 with path-style addressing.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CouldNotCheck } from '../../command';
import { classifyAwsFailure, couldNotCheckReason } from '../aws-failure';

import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '../aws-access';
// One bounded pool and one error format for every command (doctor, deploy, verify).
export { mapPool } from '../pool';
import { describeError } from '../aws-access';
export { describeError };

export const SESSION_NAME = 'cloudtrail-fleet-verify';

/** Assume a role again when its credentials have less than this left (the SDK refreshes 5 min before expiry). */
const REFRESH_BEFORE_MS = 5 * 60_000;

export function isThrottling(e: unknown): boolean {
  return classifyAwsFailure(e).kind === 'throttled' || (e as { $retryable?: { throttling?: boolean } })?.$retryable?.throttling === true;
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

export interface AwsAccessOptions {
  /**
   * One endpoint for every service (the emulator): S3 is then addressed
   * path-style. @default AWS_ENDPOINT_URL
   */
  readonly endpoint?: string;
  /** Give up connecting after this long (an address that never answers). @default 5000 */
  readonly connectionTimeoutMs?: number;
}

/** What became of each role verify assumed: `denied` = AccessDenied (its trust policy does not admit the caller). */
export type RoleOutcome = 'assumed' | 'denied' | 'failed';

/** Clients per account role and region, with credentials resolved by the stacks' rules. */
export class AwsAccess {
  private readonly rawAmbient: AwsCredentialIdentityProvider;
  private readonly assumed = new Map<string, Promise<AwsCredentialIdentity>>();
  private readonly expirations = new Map<string, Date>();
  private readonly cloudTrail = new Map<string, CloudTrailClient>();
  private readonly s3 = new Map<string, S3Client>();
  private preflightOnce?: Promise<void>;
  private stsRegion?: string;
  readonly endpoint?: string;
  private readonly connectionTimeoutMs: number;
  /** The ambient identity (GetCallerIdentity `Arn`), once known. */
  caller?: string;
  /** Every role assumed (or tried) in this run. */
  readonly roles = new Map<string, RoleOutcome>();

  constructor(
    readonly retry: RetryOptions = {},
    ambient: AwsCredentialIdentityProvider = fromNodeProviderChain(),
    options: AwsAccessOptions = {},
  ) {
    this.rawAmbient = ambient;
    this.endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL || undefined);
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? 5000;
  }

  /** The region of STS calls (the central region: its partition, and enabled for the caller). */
  useRegion(region: string): void {
    this.stsRegion ??= region;
  }

  /** Options every client of this run shares. */
  clientConfig(region: string) {
    return {
      region,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      requestHandler: { connectionTimeout: this.connectionTimeoutMs },
    };
  }

  /** The caller's own credentials, checked once (see the file comment); later calls get the SDK's refreshed ones. */
  readonly ambient: AwsCredentialIdentityProvider = async () => {
    await (this.preflightOnce ??= this.preflight());
    return this.rawAmbient();
  };

  private async preflight(): Promise<void> {
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await this.rawAmbient();
    } catch (e) {
      throw new CouldNotCheck(couldNotCheckReason(e, { endpoint: this.endpoint, fatal: ['no-credentials', 'credentials-rejected', 'unreachable', 'other'] }) ?? `no AWS credentials: ${describeError(e)}`);
    }
    const sts = new STSClient({ ...this.clientConfig(this.stsRegion ?? 'us-east-1'), credentials, maxAttempts: 2 });
    try {
      this.caller = (await sts.send(new GetCallerIdentityCommand({})))?.Arn;
    } catch (e) {
      const reason = couldNotCheckReason(e, { endpoint: this.endpoint });
      if (reason) throw new CouldNotCheck(reason);
      // Anything else (no policy can deny GetCallerIdentity): the calls themselves report what goes wrong.
    }
  }

  /**
   * Credentials for a role (assumed once per run) or the ambient ones.
   * Rejects with the STS error (AccessDenied, ...) when the role cannot be
   * assumed, and with CouldNotCheck when the caller has no usable
   * credentials or STS does not answer.
   */
  credentials(roleArn: string | undefined, region: string): Promise<AwsCredentialIdentity> | AwsCredentialIdentityProvider {
    if (!roleArn) return this.ambient;
    let pending = this.assumed.get(roleArn);
    const expiration = this.expirations.get(roleArn);
    // Assumed-role credentials last an hour by default: a long run (--digests over a large fleet) assumes again.
    if (!pending || (expiration && expiration.getTime() - Date.now() < REFRESH_BEFORE_MS)) {
      const sts = new STSClient({ ...this.clientConfig(this.stsRegion ?? region), credentials: this.ambient });
      pending = withRetry(() => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME })), this.retry).then(
        (out) => {
          const c = out?.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey) {
            this.roles.set(roleArn, 'failed');
            throw Object.assign(new Error(`AssumeRole ${roleArn} returned no credentials`), { name: 'AssumeRoleFailed' });
          }
          if (c.Expiration) this.expirations.set(roleArn, c.Expiration);
          this.roles.set(roleArn, 'assumed');
          return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        },
        (e) => {
          if (e instanceof CouldNotCheck) throw e;
          // AssumeRole is signed with the caller's own credentials: refused or unanswered, nothing can be checked.
          const reason = couldNotCheckReason(e, { endpoint: this.endpoint });
          if (reason) throw new CouldNotCheck(reason);
          if (this.roles.get(roleArn) !== 'assumed') this.roles.set(roleArn, classifyAwsFailure(e).kind === 'access-denied' ? 'denied' : 'failed');
          throw e;
        },
      );
      this.assumed.set(roleArn, pending);
    }
    return pending;
  }

  cloudTrailClient(roleArn: string | undefined, region: string): Promise<CloudTrailClient> {
    return this.cached(this.cloudTrail, roleArn, region, (credentials) => new CloudTrailClient({ ...this.clientConfig(region), credentials }));
  }

  s3Client(roleArn: string | undefined, region: string): Promise<S3Client> {
    return this.cached(this.s3, roleArn, region, (credentials) => new S3Client({ ...this.clientConfig(region), credentials, ...(this.endpoint ? { forcePathStyle: true } : {}) }));
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
