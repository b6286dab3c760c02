/**
 * AWS access shared by the commands that talk to AWS (doctor, deploy's
 * preflight, verify): which credentials reach which account, and the one
 * distinction every report needs first:
 *
 *   - "could not check": nothing about the fleet was learnt, because the
 *     caller has no credentials, its credentials are rejected, or AWS (or the
 *     emulator) cannot be reached. Reported ONCE, fast, with exit 3
 *     (`CouldNotCheck`), never as one failure per account and never as a
 *     blamed role or an empty folder;
 *   - everything else (AccessDenied on one role, a missing bucket, ...) is a
 *     finding about one account.
 *
 * `preflight()` asks STS who the caller is, once, before any account is
 * touched: one call with one attempt and short timeouts, so a machine
 * without credentials or network fails in well under a second instead of
 * retrying per account. `AccessGuard` carries the same judgement through a
 * long run: when AWS stops answering half-way, the remaining accounts are
 * not tried one by one.
 *
 * Credentials follow the stacks' rules: an account with `assumeRoleArn` is
 * reached by assuming that role from the ambient credentials (environment,
 * AWS_PROFILE, SSO, instance role: the SDK's default chain), like the
 * provider's `assume_role`; without it the ambient credentials are used as
 * they are (and must belong to that account: `allowed_account_ids`).
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CouldNotCheck } from '../command';
import { AwsFailureKind, classifyAwsFailure, couldNotCheckReason } from './aws-failure';

/** The credential shapes of the SDK (kept local: @aws-sdk/types is not a direct dependency). */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Why nothing could be checked (the fatal kinds of cli/lib/aws-failure.ts). */
export type CouldNotCheckKind = Extract<AwsFailureKind, 'no-credentials' | 'credentials-rejected' | 'unreachable'>;

/** A request that never reached AWS (refused, no such host, timed out, TLS failed). */
export function isNetworkError(e: unknown): boolean {
  return classifyAwsFailure(e).kind === 'unreachable';
}

/** No credentials anywhere in the SDK's default chain. */
export function isMissingCredentials(e: unknown): boolean {
  return classifyAwsFailure(e).kind === 'no-credentials';
}

/**
 * The could-not-check kind of an error, or undefined when AWS answered with
 * a finding (AccessDenied, NoSuchBucket, ...). Refused credentials count only
 * for calls made with the ambient credentials: an assumed role's session used
 * in a region the account has not enabled answers InvalidClientTokenId too,
 * and that is a finding about that account.
 */
export function couldNotCheckKind(e: unknown, { ambient }: { ambient: boolean }): CouldNotCheckKind | undefined {
  const { kind } = classifyAwsFailure(e);
  if (kind === 'no-credentials' || kind === 'unreachable') return kind;
  if (kind === 'credentials-rejected' && ambient) return kind;
  return undefined;
}

/** `Name: message` of an AWS (or Node) error, for reports. */
export function describeError(e: unknown): string {
  const err = e as { name?: string; code?: string; message?: string } | undefined;
  const name = err?.name && err.name !== 'Error' ? err.name : err?.code;
  return `${name ?? 'Error'}: ${err?.message ?? String(e)}`;
}

/** What a could-not-check before any account was tried adds: nobody is blamed. */
export const NOTHING_CHECKED = 'Nothing was checked; no account was blamed';

/** The one message of a could-not-check, with what to do (the same words verify uses). */
export function couldNotCheckMessage(kind: CouldNotCheckKind, e: unknown, env: NodeJS.ProcessEnv, command = 'doctor'): string {
  return couldNotCheckReason(e, { endpoint: env.AWS_ENDPOINT_URL, profile: env.AWS_PROFILE, command, fatal: [kind] }) ?? `${kind}: ${describeError(e)}`;
}

/** Default region of a partition's global services (STS, Organizations). */
export function partitionHomeRegion(partition: string): string {
  switch (partition) {
    case 'aws-us-gov':
      return 'us-gov-west-1';
    case 'aws-cn':
      return 'cn-northwest-1';
    default:
      return 'us-east-1';
  }
}

/** The account id in an ARN (`arn:aws:sts::123456789012:assumed-role/...`). */
export function accountOfArn(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/** Client settings common to every SDK client a command makes. */
export interface ClientSettings {
  /** Attempts per request (the SDK's own retries). @default 3 */
  readonly maxAttempts?: number;
  /** @default { connectionTimeout: 5000, requestTimeout: 30000 } */
  readonly requestHandler?: { readonly connectionTimeout?: number; readonly requestTimeout?: number };
}

/** The preflight's settings: one attempt, short timeouts (a missing network must fail fast). */
export const PREFLIGHT_SETTINGS: ClientSettings = { maxAttempts: 1, requestHandler: { connectionTimeout: 3000, requestTimeout: 10000 } };
const DEFAULT_SETTINGS: ClientSettings = { maxAttempts: 3, requestHandler: { connectionTimeout: 5000, requestTimeout: 30000 } };

/** A client class of the SDK: `new Ctor({ region, credentials, ... })`. */
export type ClientClass<C> = new (config: { region: string; credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider; maxAttempts?: number; requestHandler?: object }) => C;

/** Assume a role again when its credentials have less than this left. */
const REFRESH_BEFORE_MS = 5 * 60_000;

export interface AssumedRole {
  readonly credentials: AwsCredentialIdentity;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`: the account the credentials act in. */
  readonly assumedRoleArn: string;
  readonly account: string;
}

export interface AwsSessionOptions {
  /** The caller's credentials. @default the SDK's default chain */
  readonly ambient?: AwsCredentialIdentityProvider;
  /** RoleSessionName of assumed roles (shows in CloudTrail). */
  readonly sessionName: string;
  /** The command, for its could-not-check message ("give doctor the credentials…"). @default doctor */
  readonly command?: string;
  /** Region of STS calls. @default AWS_REGION, else the partition's home region */
  readonly stsRegion: string;
  readonly settings?: ClientSettings;
  /** For refresh decisions; tests pin it. @default Date.now */
  readonly now?: () => number;
}

/**
 * Credentials and clients for a run: the caller's identity (asked once), one
 * AssumeRole per role (again shortly before it expires), one client per
 * service, role and region.
 */
export class AwsSession {
  readonly ambient: AwsCredentialIdentityProvider;
  private readonly settings: ClientSettings;
  private readonly now: () => number;
  private identity?: Promise<CallerIdentity>;
  private readonly assumed = new Map<string, { pending: Promise<AssumedRole>; expiresAt?: number }>();
  private readonly clients = new Map<string, unknown>();

  constructor(private readonly options: AwsSessionOptions) {
    this.ambient = options.ambient ?? fromNodeProviderChain();
    this.settings = options.settings ?? DEFAULT_SETTINGS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Who the ambient credentials are (STS GetCallerIdentity, once, fast).
   * Throws `CouldNotCheck` (one message) when there are no credentials, they
   * are rejected, or STS cannot be reached.
   */
  preflight(env: NodeJS.ProcessEnv = process.env): Promise<CallerIdentity> {
    this.identity ??= this.callerIdentity(env);
    this.identity.catch(() => (this.identity = undefined));
    return this.identity;
  }

  /** GetCallerIdentity now (not cached): the preflight, and the AccessGuard's probe. */
  callerIdentity(env: NodeJS.ProcessEnv = process.env): Promise<CallerIdentity> {
    return (async () => {
      const sts = new STSClient({ region: this.options.stsRegion, credentials: this.ambient, ...PREFLIGHT_SETTINGS });
      try {
        const out = await sts.send(new GetCallerIdentityCommand({}));
        if (!out.Account || !out.Arn) throw Object.assign(new Error('GetCallerIdentity answered without Account or Arn'), { name: 'InvalidResponse' });
        return { account: out.Account, arn: out.Arn };
      } catch (e) {
        const kind = couldNotCheckKind(e, { ambient: true });
        throw new CouldNotCheck(`${kind ? couldNotCheckMessage(kind, e, env, this.options.command) : `STS GetCallerIdentity failed: ${describeError(e)}`}. ${NOTHING_CHECKED}`);
      }
    })();
  }

  /** Assumes a role from the ambient credentials (cached; assumed again near expiry). Rejects with STS's error. */
  assume(roleArn: string): Promise<AssumedRole> {
    const cached = this.assumed.get(roleArn);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - this.now() > REFRESH_BEFORE_MS)) return cached.pending;
    const entry: { pending: Promise<AssumedRole>; expiresAt?: number } = { pending: Promise.resolve() as unknown as Promise<AssumedRole> };
    entry.pending = (async () => {
      const sts = this.client(STSClient, undefined, this.options.stsRegion);
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.options.sessionName }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error(`AssumeRole ${roleArn} returned no credentials`), { name: 'AssumeRoleFailed' });
      const assumedRoleArn = out.AssumedRoleUser?.Arn ?? '';
      entry.expiresAt = c.Expiration?.getTime();
      return {
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
        assumedRoleArn,
        account: accountOfArn(assumedRoleArn) ?? accountOfArn(roleArn) ?? '',
      };
    })();
    entry.pending.catch(() => this.assumed.delete(roleArn)); // a failure is not cached: a rerun in the same process tries again
    this.assumed.set(roleArn, entry);
    return entry.pending;
  }

  /** The credentials a stack with this `assumeRoleArn` uses: the role's (refreshed as needed), else the ambient ones. */
  credentialsFor(roleArn: string | undefined): AwsCredentialIdentityProvider {
    if (!roleArn) return this.ambient;
    return () => this.assume(roleArn).then((r) => r.credentials);
  }

  /** One client per class, role and region for the run. */
  client<C>(Ctor: ClientClass<C>, roleArn: string | undefined, region: string): C {
    const key = `${Ctor.name}|${roleArn ?? ''}|${region}`;
    let client = this.clients.get(key) as C | undefined;
    if (!client) {
      client = new Ctor({ region, credentials: this.credentialsFor(roleArn), ...this.settings });
      this.clients.set(key, client);
    }
    return client;
  }
}

/** STS region for a run: AWS_REGION / AWS_DEFAULT_REGION, else the partition's home region. */
export function stsRegion(env: NodeJS.ProcessEnv, partition: string): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || partitionHomeRegion(partition);
}

/**
 * Carries "could not check" through a run over many accounts: the first
 * network failure after a good preflight asks STS once more; if STS does not
 * answer either, the guard trips, every call still to come fails at once
 * with the same `CouldNotCheck`, and the command reports it once.
 */
export class AccessGuard {
  private tripped?: CouldNotCheck;
  private probing?: Promise<void>;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get failure(): CouldNotCheck | undefined {
    return this.tripped;
  }

  /** Runs one AWS call for an account; a network failure that STS confirms becomes the run's CouldNotCheck. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tripped) throw this.tripped;
    try {
      return await fn();
    } catch (e) {
      if (this.tripped) throw this.tripped;
      if (!isNetworkError(e) && !isMissingCredentials(e)) throw e;
      this.probing ??= this.probe().then(
        () => {
          this.probing = undefined; // STS answers: this failure belongs to the account (a regional endpoint, say)
        },
        (probeError) => {
          this.tripped = probeError instanceof CouldNotCheck ? probeError : new CouldNotCheck(couldNotCheckMessage(couldNotCheckKind(probeError, { ambient: true }) ?? 'unreachable', probeError, this.env));
        },
      );
      await this.probing;
      if (this.tripped) throw this.tripped;
      throw e;
    }
  }
}
