/**
 * The resolved config: what modules and stacks consume. Every default is
 * filled in, defaults are merged into accounts, and choices are tagged unions
 * so code never re-interprets raw config values.
 */
import type { AccountLifecycle, BackendConfig, ConfigFile, GuardDelivery, ManagementReadWrite, ReadWrite, TrailSettingsInput } from './schema';
import { BOOTSTRAP_DEFAULTS, DEEP_MERGED_KEYS, MAX_GUARD_POLICIES, TRAIL_DEFAULTS } from './schema';
import type { Partition } from './rules';
import { kmsAliasArn } from './arns';
import type { Statement } from './policy-document';
import type { BucketManagement, BucketPart, TrailPart } from './adoption';
import { isMultiRegionKeyArn } from './adoption';

export type { ReadWrite, ManagementReadWrite, BackendConfig, AccountLifecycle };

export interface CentralKey {
  readonly alias: string;
  readonly multiRegion: boolean;
  readonly deletionWindowInDays: number;
  /** IAM principals allowed to decrypt log files (besides the central account's admins). */
  readonly decryptPrincipals: readonly string[];
  /** An existing key to import (and its alias) instead of creating one. */
  readonly existingKeyArn?: string;
  /** Whether `alias` was written in the config (an adopted key's alias must be). */
  readonly aliasGiven: boolean;
  /** The user's statements, kept verbatim in the key policy. */
  readonly extraStatements: readonly Statement[];
}

export interface CentralConfig {
  readonly accountId: string;
  readonly region: string;
  readonly bucketName: string;
  readonly assumeRoleArn?: string;
  /** The central SSE-KMS key; undefined when `central.kmsKey: false`. */
  readonly kmsKey?: CentralKey;
  readonly retention?: NonNullable<ConfigFile['central']['retention']>;
  readonly objectLock?: NonNullable<ConfigFile['central']['objectLock']>;
  readonly accessLogging?: NonNullable<ConfigFile['central']['accessLogging']>;
  readonly tags: Readonly<Record<string, string>>;
  /** Who manages the bucket (`central.bucketManagement`). */
  readonly bucketManagement: BucketManagement;
  /** The existing bucket is imported, except the listed parts; undefined = nothing is imported. */
  readonly adopt?: { readonly except: readonly BucketPart[] };
  /** The user's statements, kept verbatim in the bucket policy. */
  readonly bucketPolicyExtraStatements: readonly Statement[];
}

export type TrailKmsKey =
  | { readonly kind: 'central' }
  | { readonly kind: 'none' }
  | { readonly kind: 'arn'; readonly arn: string }
  | { readonly kind: 'create'; readonly alias: string; readonly multiRegion: boolean };

export type TrailSns =
  | { readonly kind: 'create'; readonly topicName: string; readonly sqsQueueName?: string }
  | { readonly kind: 'existing'; readonly topicArn: string };

export interface TrailCloudWatchLogs {
  readonly logGroup:
    | { readonly kind: 'create'; readonly name: string; readonly retentionInDays: number }
    | { readonly kind: 'existing'; readonly arn: string };
  /** Existing role; undefined = a delivery role is created. */
  readonly roleArn?: string;
}

export interface ManagementEvents {
  readonly readWrite: ManagementReadWrite;
  readonly excludeKmsEvents: boolean;
  readonly excludeRdsDataApiEvents: boolean;
}

export interface DataResourceChoice {
  readonly arn: string;
  readonly readWrite: ReadWrite;
}

export interface DataEvents {
  readonly s3: {
    readonly allBuckets?: ReadWrite;
    readonly buckets: readonly { readonly name: string; readonly prefix: string; readonly readWrite: ReadWrite }[];
  };
  readonly lambda: { readonly allFunctions?: ReadWrite; readonly functions: readonly DataResourceChoice[] };
  readonly dynamodb: { readonly allTables?: ReadWrite; readonly tables: readonly DataResourceChoice[] };
  readonly advanced: NonNullable<NonNullable<TrailSettingsInput['dataEvents']>['advanced']>;
}

/**
 * Network activity events of one event source (API calls through VPC
 * endpoints): every call of the source, or only the named operations.
 */
export interface NetworkActivitySource {
  readonly eventSource: string;
  /** Empty = every operation of the source. */
  readonly eventNames: readonly string[];
}

/** One trail, fully resolved. */
export interface TrailConfig {
  /** Position in `accounts`, for messages only (never for names or addresses). */
  readonly index: number;
  readonly accountId: string;
  readonly name?: string;
  readonly region: string;
  readonly assumeRoleArn?: string;
  readonly trailName: string;
  readonly prefix?: string;
  readonly multiRegion: boolean;
  readonly includeGlobalServiceEvents: boolean;
  readonly organizationTrail: boolean;
  readonly logFileValidation: boolean;
  readonly enableLogging: boolean;
  readonly kmsKey: TrailKmsKey;
  readonly sns?: TrailSns;
  readonly cloudWatchLogs?: TrailCloudWatchLogs;
  readonly tags: Readonly<Record<string, string>>;
  readonly managementEvents: ManagementEvents;
  readonly dataEvents: DataEvents;
  /** Network activity events by event source, sorted by source; empty = none. */
  readonly networkActivityEvents: readonly NetworkActivitySource[];
  readonly insights: { readonly apiCallRate: boolean; readonly apiErrorRate: boolean };
  /** The trail (and what this config creates for it) exists: import it. */
  readonly adopt: boolean;
  /** With `adopt`: parts that do not exist yet, so they are created instead of imported. */
  readonly adoptExcept: readonly TrailPart[];
  /** Keys this account inherited from `defaults` (for messages: "from defaults"). */
  readonly inherited: ReadonlySet<string>;
  /** `active` for every trail in `FleetConfig.trails`; the others are in `FleetConfig.leaving`. */
  readonly lifecycle: AccountLifecycle;
  /** The account's trail of that name (same home region) that this one replaces; docs/changing-safely.md. */
  readonly renamedFrom?: string;
  /** With `lifecycle: decommission`: the trail's created key is destroyed (scheduled for deletion), not forgotten. */
  readonly deleteKeys: boolean;
}

/** Service control policies that deny tampering with the fleet (docs/guard.md, "Prevention"). */
export interface GuardPrevention {
  /** Root, OU and account ids the policies are attached to, sorted. */
  readonly attachTo: readonly string[];
  /** Role Terraform assumes in the management account for the cloudtrail-guard stack. */
  readonly assumeRoleArn?: string;
  /** Principal ARN patterns exempt besides the deployer roles, sorted. */
  readonly exemptPrincipals: readonly string[];
  /** Service control policies the guard may attach to each target (1 to 4). */
  readonly maxPolicies: number;
}

/** EventBridge rules that forward tampering events to the central account (docs/guard.md, "Detection"). */
export interface GuardDetection {
  readonly deliverTo: GuardDelivery;
}

/** `guard`: absent = no guard at all; each part undefined = off. */
export interface GuardConfig {
  readonly prevention?: GuardPrevention;
  /**
   * `prevention: false` written out: the cloudtrail-guard stack stays, empty,
   * so the next deploy removes the policies an earlier one attached.
   */
  readonly preventionOff?: boolean;
  readonly detection?: GuardDetection;
  /**
   * The role the cloudtrail-guard stack's provider assumes in the management
   * account: guard.prevention.assumeRoleArn, else with
   * bootstrap.deployer.principalArn the management account's deployer role
   * (the one the config names there, or the bootstrap default). Undefined
   * without a guard stack, and with HCP Terraform (the workspace's
   * credentials are the role).
   */
  readonly assumeRoleArn?: string;
}

/**
 * Who deploys the fleet (`bootstrap.deployer`, docs/bootstrap.md):
 * - `principal`: one CI role or user assumes a deployer role in each account
 *   (central.assumeRoleArn and each account's assumeRoleArn; where none is
 *   written, `arn:<partition>:iam::<account>:role/cloudtrail-fleet/<roleName>`).
 * - `hcpTerraform`: each workspace's dynamic credentials are its own plan and
 *   apply roles (`<stack>-plan`, `<stack>-apply`, path /cloudtrail-fleet/),
 *   trusted through the account's IAM OIDC provider for the backend host.
 */
export type DeployerConfig =
  | { readonly kind: 'principal'; readonly principalArn: string; readonly roleName: string }
  | {
      readonly kind: 'hcpTerraform';
      /** backend.hostname, or app.terraform.io. */
      readonly hostname: string;
      /** backend.organization ('' when the backend is not cloud: the config is then rejected). */
      readonly organization: string;
      /** backend.project, or HCP Terraform's "Default Project". */
      readonly project: string;
      readonly workspacePrefix: string;
      readonly audience: string;
      readonly oidcThumbprints: readonly string[];
      /** Accounts whose OIDC provider for the host exists already (not created by bootstrap). */
      readonly existingOidcProvider: readonly string[];
    };

export interface BootstrapConfig {
  /** The role the bootstrap stacks assume in each account with the administrator credentials. */
  readonly adminRoleName: string;
  /** The account the administrator credentials belong to (no role assumed there). */
  readonly adminAccountId?: string;
  readonly deployer: DeployerConfig;
}

export interface FleetConfig {
  readonly partition: Partition;
  readonly organization?: { readonly id: string; readonly managementAccountId: string };
  readonly central: CentralConfig;
  /** Every active trail, sorted by account id then trail name (never by list position). */
  readonly trails: readonly TrailConfig[];
  /**
   * Trails leaving the fleet (`lifecycle: decommission | retain`), same order.
   * Their stacks stay so the next deploy can destroy or release them; no
   * policy admits them, and no rule about running trails applies to them.
   */
  readonly leaving: readonly TrailConfig[];
  readonly backend: BackendConfig;
  /** The guard; undefined when the config has no `guard` key. */
  readonly guard?: GuardConfig;
  /** `bootstrap`: the deployer roles `cloudtrail-fleet bootstrap` creates; undefined = not configured. */
  readonly bootstrap?: BootstrapConfig;
}

// ------------------------------------------------------------ resolution

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges key by key. Keys are user text (tag keys such as `toString` or `__proto__`): own properties only, set as data. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const merged = new Map(Object.entries(base));
  for (const [k, v] of Object.entries(over)) merged.set(k, deepMerge(merged.get(k), v));
  return Object.fromEntries(merged);
}

/** Merges `defaults` into one account, key by key (see DEEP_MERGED_KEYS). */
export function mergeSettings(defaults: TrailSettingsInput | undefined, account: TrailSettingsInput): TrailSettingsInput {
  const merged: Record<string, unknown> = { ...(defaults ?? {}) };
  for (const [key, value] of Object.entries(account)) {
    merged[key] = (DEEP_MERGED_KEYS as readonly string[]).includes(key) ? deepMerge(merged[key], value) : value;
  }
  return merged as TrailSettingsInput;
}

function resolveCentral(file: ConfigFile): CentralConfig {
  const c = file.central;
  const key = c.kmsKey === false ? undefined : c.kmsKey === true || c.kmsKey === undefined ? {} : c.kmsKey;
  return {
    accountId: c.accountId,
    region: c.region,
    bucketName: c.bucketName,
    assumeRoleArn: c.assumeRoleArn,
    kmsKey: key && {
      alias: key.alias ?? TRAIL_DEFAULTS.centralKeyAlias,
      // A multi-Region key's id starts with mrk- (and only such a key's); multi_region cannot change in place.
      multiRegion: key.multiRegion ?? (key.existingKeyArn !== undefined && isMultiRegionKeyArn(key.existingKeyArn)),
      deletionWindowInDays: key.deletionWindowInDays ?? TRAIL_DEFAULTS.centralKeyDeletionWindowInDays,
      decryptPrincipals: [...(key.decryptPrincipals ?? [])].sort(),
      existingKeyArn: key.existingKeyArn,
      aliasGiven: key.alias !== undefined,
      extraStatements: (key.extraStatements ?? []) as unknown as Statement[],
    },
    retention: c.retention,
    objectLock: c.objectLock,
    accessLogging: c.accessLogging,
    tags: c.tags ?? {},
    bucketManagement: c.bucketManagement ?? 'managed',
    adopt: c.adopt === true ? { except: [] } : c.adopt ? { except: c.adopt.except ?? [] } : undefined,
    bucketPolicyExtraStatements: (c.bucketPolicy?.extraStatements ?? []) as unknown as Statement[],
  };
}

/**
 * `{ arn }` naming the central key's own alias ARN is the central key: it must
 * be admitted by the central key policy like any `central` trail.
 */
function resolveKmsKey(input: TrailSettingsInput['kmsKey'], centralAliasArn: string | undefined): TrailKmsKey {
  if (input === undefined) return { kind: centralAliasArn ? 'central' : 'none' };
  if (input === 'central' || input === 'none') return { kind: input };
  if (input.arn !== undefined) return input.arn === centralAliasArn ? { kind: 'central' } : { kind: 'arn', arn: input.arn };
  return { kind: 'create', alias: input.create!.alias, multiRegion: input.create!.multiRegion ?? false };
}

function resolveSns(input: TrailSettingsInput['sns']): TrailSns | undefined {
  if (!input) return undefined;
  if (input.topicArn !== undefined) return { kind: 'existing', topicArn: input.topicArn };
  const { topicName, sqsQueue } = input.create!;
  const sqsQueueName = sqsQueue === true ? topicName : sqsQueue ? sqsQueue.queueName : undefined;
  return { kind: 'create', topicName, sqsQueueName };
}

function resolveCloudWatchLogs(input: TrailSettingsInput['cloudWatchLogs']): TrailCloudWatchLogs | undefined {
  if (!input) return undefined;
  const logGroup: TrailCloudWatchLogs['logGroup'] = input.create
    ? { kind: 'create', name: input.create.logGroupName, retentionInDays: input.create.retentionInDays ?? TRAIL_DEFAULTS.cloudWatchRetentionInDays }
    : { kind: 'existing', arn: input.logGroupArn! };
  return { logGroup, roleArn: input.roleArn };
}

function resolveDataEvents(input: TrailSettingsInput['dataEvents']): DataEvents {
  const d = input ?? {};
  return {
    s3: {
      allBuckets: d.s3?.allBuckets,
      buckets: (d.s3?.buckets ?? []).map((b) => ({ name: b.name, prefix: b.prefix ?? '', readWrite: b.readWrite ?? 'All' })),
    },
    lambda: { allFunctions: d.lambda?.allFunctions, functions: (d.lambda?.functions ?? []).map((f) => ({ arn: f.arn, readWrite: f.readWrite ?? 'All' })) },
    dynamodb: { allTables: d.dynamodb?.allTables, tables: (d.dynamodb?.tables ?? []).map((t) => ({ arn: t.arn, readWrite: t.readWrite ?? 'All' })) },
    advanced: d.advanced ?? [],
  };
}

/** Entries sorted by event source, so the order they are written in changes no output. */
function resolveNetworkActivity(input: TrailSettingsInput['networkActivityEvents']): NetworkActivitySource[] {
  return (input?.eventSources ?? [])
    .map((e) => (typeof e === 'string' ? { eventSource: e, eventNames: [] } : { eventSource: e.eventSource, eventNames: [...(e.eventNames ?? [])] }))
    .sort((a, b) => (a.eventSource < b.eventSource ? -1 : a.eventSource > b.eventSource ? 1 : 0));
}

function resolveGuard(input: ConfigFile['guard']): GuardConfig | undefined {
  if (!input) return undefined;
  const p = input.prevention;
  const d = input.detection;
  return {
    prevention: p
      ? {
          attachTo: [...p.attachTo].sort(),
          assumeRoleArn: p.assumeRoleArn,
          exemptPrincipals: [...new Set(p.exemptPrincipals ?? [])].sort(),
          maxPolicies: p.maxPolicies ?? MAX_GUARD_POLICIES,
        }
      : undefined,
    preventionOff: p === false || undefined,
    // Detection is on whenever the guard is there, unless it says false.
    detection: d === false ? undefined : { deliverTo: (d === true || d === undefined ? undefined : d.deliverTo) ?? 'eventBus' },
  };
}

/**
 * Resolves a schema-valid config file. Trails without a trail name are
 * skipped here; validate.ts reports them.
 */
export function resolveConfig(file: ConfigFile): FleetConfig {
  const central = resolveCentral(file);
  const partition = file.partition ?? 'aws';
  const centralAliasArn = central.kmsKey && kmsAliasArn(partition, central.region, central.accountId, central.kmsKey.alias);
  const trails: TrailConfig[] = [];
  file.accounts.forEach((account, index) => {
    const { accountId, name, region, assumeRoleArn, lifecycle, renamedFrom, deleteKeys, ...own } = account;
    const s = mergeSettings(file.defaults, own);
    if (s.trailName === undefined) return;
    const inherited = new Set(Object.keys(file.defaults ?? {}).filter((k) => !Object.hasOwn(own, k)));
    const me = { ...TRAIL_DEFAULTS.managementEvents, ...s.managementEvents };
    trails.push({
      index,
      accountId,
      name,
      region: region ?? central.region,
      assumeRoleArn,
      trailName: s.trailName,
      prefix: s.prefix,
      multiRegion: s.multiRegion ?? TRAIL_DEFAULTS.multiRegion,
      includeGlobalServiceEvents: s.includeGlobalServiceEvents ?? TRAIL_DEFAULTS.includeGlobalServiceEvents,
      organizationTrail: s.organizationTrail ?? TRAIL_DEFAULTS.organizationTrail,
      logFileValidation: s.logFileValidation ?? TRAIL_DEFAULTS.logFileValidation,
      enableLogging: s.enableLogging ?? TRAIL_DEFAULTS.enableLogging,
      kmsKey: resolveKmsKey(s.kmsKey, centralAliasArn),
      sns: resolveSns(s.sns),
      cloudWatchLogs: resolveCloudWatchLogs(s.cloudWatchLogs),
      tags: s.tags ?? {},
      managementEvents: me,
      dataEvents: resolveDataEvents(s.dataEvents),
      networkActivityEvents: resolveNetworkActivity(s.networkActivityEvents),
      insights: { ...TRAIL_DEFAULTS.insights, ...s.insights },
      adopt: s.adopt === true || typeof s.adopt === 'object',
      adoptExcept: typeof s.adopt === 'object' ? (s.adopt.except ?? []) : [],
      inherited,
      lifecycle: lifecycle ?? 'active',
      renamedFrom,
      deleteKeys: deleteKeys ?? false,
    });
  });
  trails.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.trailName.localeCompare(b.trailName));
  const backend = file.backend ?? { type: 'local' as const };
  const bootstrap = resolveBootstrap(file, backend);
  // With a CI principal, every stack assumes a deployer role: the one written, else the bootstrap default.
  const roles = withDeployerRoles(partition, bootstrap, central, trails);
  return {
    partition,
    organization: file.organization,
    central: roles.central,
    trails: roles.trails.filter((t) => t.lifecycle === 'active'),
    leaving: roles.trails.filter((t) => t.lifecycle !== 'active'),
    backend,
    guard: withGuardRole(partition, file.organization, bootstrap, resolveGuard(file.guard), roles),
    bootstrap,
  };
}

// ------------------------------------------------------------ bootstrap (docs/bootstrap.md)

/** `bootstrap` with its defaults; the rules between it and the rest of the config are in bootstrap-rules.ts. */
export function resolveBootstrap(file: ConfigFile, backend: BackendConfig): BootstrapConfig | undefined {
  const b = file.bootstrap;
  if (!b) return undefined;
  const adminAccountId = b.adminAccountId ?? file.organization?.managementAccountId;
  const base = { adminRoleName: b.adminRoleName ?? BOOTSTRAP_DEFAULTS.adminRoleName, ...(adminAccountId ? { adminAccountId } : {}) };
  if (b.deployer.principalArn !== undefined) {
    return { ...base, deployer: { kind: 'principal', principalArn: b.deployer.principalArn, roleName: b.deployer.roleName ?? BOOTSTRAP_DEFAULTS.deployerRoleName } };
  }
  const options = typeof b.deployer.hcpTerraform === 'object' ? b.deployer.hcpTerraform : {};
  const cloud = backend.type === 'cloud' ? backend : undefined;
  return {
    ...base,
    deployer: {
      kind: 'hcpTerraform',
      hostname: cloud?.hostname ?? BOOTSTRAP_DEFAULTS.hcpHostname,
      organization: cloud?.organization ?? '',
      project: cloud?.project ?? BOOTSTRAP_DEFAULTS.hcpProject,
      workspacePrefix: cloud?.workspacePrefix ?? '',
      audience: BOOTSTRAP_DEFAULTS.hcpAudience,
      oidcThumbprints: [...(options.oidcThumbprints ?? [])].map((t) => t.toLowerCase()).sort(),
      existingOidcProvider: [...new Set(options.existingOidcProvider ?? [])].sort(),
    },
  };
}

/** The deployer role bootstrap creates in an account where the config names none: `role/cloudtrail-fleet/<roleName>`. */
export function defaultDeployerRoleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role${BOOTSTRAP_DEFAULTS.rolePath}${roleName}`;
}

/**
 * With `bootstrap.deployer.principalArn`, every stack assumes a deployer
 * role. Per account: the role the config names for it (central.assumeRoleArn
 * for the central account, then its entries' assumeRoleArn), else the
 * default role; so one account gets one role unless the config names two.
 * Without a principal (no bootstrap, or HCP Terraform), nothing changes.
 */
export function withDeployerRoles(
  partition: Partition,
  bootstrap: BootstrapConfig | undefined,
  central: CentralConfig,
  trails: readonly TrailConfig[],
): { central: CentralConfig; trails: TrailConfig[] } {
  if (bootstrap?.deployer.kind !== 'principal') return { central, trails: [...trails] };
  const { roleName } = bootstrap.deployer;
  const named = new Map<string, string>();
  if (central.assumeRoleArn) named.set(central.accountId, central.assumeRoleArn);
  for (const t of [...trails].sort((a, b) => a.index - b.index)) if (t.assumeRoleArn && !named.has(t.accountId)) named.set(t.accountId, t.assumeRoleArn);
  const roleOf = (accountId: string) => named.get(accountId) ?? defaultDeployerRoleArn(partition, accountId, roleName);
  return {
    central: central.assumeRoleArn ? central : { ...central, assumeRoleArn: roleOf(central.accountId) },
    // An entry without a role gets its account's role only when no entry of that account names one
    // (otherwise validate.ts reports the mix, as without bootstrap).
    trails: trails.map((t) => (t.assumeRoleArn || trails.some((o) => o.accountId === t.accountId && o.assumeRoleArn) ? t : { ...t, assumeRoleArn: roleOf(t.accountId) })),
  };
}

/**
 * The role the cloudtrail-guard stack assumes (GuardConfig.assumeRoleArn).
 * With a CI principal the management account has one deployer role for all
 * its stacks unless the config names another: the guard stack takes the
 * role written in guard.prevention.assumeRoleArn, else the management
 * account's (central.assumeRoleArn when it is the central account, else its
 * entries' assumeRoleArn), else the bootstrap default there.
 */
function withGuardRole(
  partition: Partition,
  organization: ConfigFile['organization'],
  bootstrap: BootstrapConfig | undefined,
  guard: GuardConfig | undefined,
  roles: { central: CentralConfig; trails: readonly TrailConfig[] },
): GuardConfig | undefined {
  if (!guard) return undefined;
  const written = guard.prevention?.assumeRoleArn;
  const stack = Boolean(organization && (guard.prevention || guard.preventionOff));
  if (!stack || bootstrap?.deployer.kind !== 'principal') return written ? { ...guard, assumeRoleArn: written } : guard;
  const management = organization!.managementAccountId;
  const named =
    written ??
    (roles.central.accountId === management ? roles.central.assumeRoleArn : undefined) ??
    [...roles.trails].sort((a, b) => a.index - b.index).find((t) => t.accountId === management && t.assumeRoleArn)?.assumeRoleArn;
  return { ...guard, assumeRoleArn: named ?? defaultDeployerRoleArn(partition, management, bootstrap.deployer.roleName) };
}

/** Trails grouped by account, in account id order: one account stack each. */
export function trailsByAccount(config: Pick<FleetConfig, 'trails'>): Map<string, TrailConfig[]> {
  const groups = new Map<string, TrailConfig[]>();
  for (const t of config.trails) {
    const list = groups.get(t.accountId) ?? [];
    list.push(t);
    groups.set(t.accountId, list);
  }
  return groups;
}
