/**
 * The guard's policies (docs/guard.md): the service control policies that
 * deny tampering with the fleet (prevention), and the resource and role
 * policies of its detection (the central event bus, each account's events
 * role, the central topic).
 *
 * Service control policies (SCPs), what AWS Organizations documents:
 *   - at most 5,120 characters each, whitespace included (rendered minified
 *     here, so the JSON below is exactly what is counted);
 *   - at most 5 attached to a root, OU or account; FullAWSAccess is one of
 *     them in a deny-list setup, so the guard may use 4 (`maxPolicies`);
 *   - they limit every principal of a member account (its root user too),
 *     never the management account, and never service-linked roles or AWS
 *     service principals (CloudTrail keeps delivering);
 *   - a Deny wins over any Allow; a request no SCP allows is denied unless
 *     FullAWSAccess (Allow * on *) is attached, which the guard assumes.
 *
 * Every statement denies its actions to every principal whose
 * `aws:PrincipalArn` (a role's ARN, not its session's) is not one of the
 * deployer roles or the exempt principals (`ArnNotLike`). Resources the
 * config names (trails, topics, log groups, roles, the guard's rules) are
 * denied by ARN; created KMS keys, whose ARNs are unknown until they exist,
 * by the tag the guard puts on them (GUARD_TAG) and by their alias
 * (`kms:ResourceAliases`, while it fits).
 *
 * Encodings: the fewest policies win (each takes one of the 5 policy slots
 * of every target), and at the same count exact ARNs before names:
 *   - `per-account`: exact ARNs of each account's resources, and each
 *     account's own deployer roles; accounts are packed into policies in
 *     account id order. Creating a protected role is denied too
 *     (iam:CreateRole): an exempt role that does not exist yet must not be
 *     minted by a member administrator.
 *   - `by-name`: region and account replaced by `*` (`trail/my-trail` in any
 *     account), so a fleet whose accounts share names costs the same at any
 *     size; keys by tag (and their aliases by name); and, because a name pattern would exempt a
 *     role of that name in any account, creating a role with a protected
 *     name is denied too (iam:CreateRole), so no member admin can mint an
 *     exempt role.
 */
import type { FleetConfig } from '../../config/model';
import type { Partition } from '../../config/rules';
import { eventRuleArn, iamRoleArn } from '../arns';
import { GUARD_EVENTS_ROLE, GUARD_NAME, GUARD_TAG, guardBusArn, guardedAccounts, GuardedResources, iamActions } from './scope';
import { policy, PolicyDocument, renderPolicy, sortedUnique, Statement } from '../policies/document';

/** "The maximum size of a policy document for service control policies is 5,120 characters" (AWS Organizations quotas). */
export const SCP_LIMIT_CHARACTERS = 5120;
/** EventBridge: "The permission policy on the event bus cannot exceed 10 KB in size" (PutPermission). */
export const EVENT_BUS_POLICY_LIMIT_BYTES = 10 * 1024;

export const SCP_ENCODINGS = ['per-account', 'by-name'] as const;
export type ScpEncoding = (typeof SCP_ENCODINGS)[number];

export function scpCharacters(doc: PolicyDocument): number {
  return renderPolicy(doc).length;
}

/** What one policy covers: the parts of its statements. */
interface ScpPart {
  /** Resources denied by ARN (trails, topics, log groups, roles, rules, aliases). */
  readonly resources: readonly string[];
  readonly actions: readonly string[];
  /** Resources of the key statements (key ARN patterns, or "*"); none = no key statements. */
  readonly keyResources: readonly string[];
  /** Alias names for the kms:ResourceAliases statement; none = no such statement. */
  readonly aliases: readonly string[];
  /** Exempt principal ARN patterns. */
  readonly exempt: readonly string[];
  /** Role name patterns nobody but the exempt may create (wildcard exemptions). */
  readonly createRoles: readonly string[];
}

const arrayOrStar = (values: readonly string[]): string | string[] => (values.length === 1 && values[0] === '*' ? '*' : [...values]);

export function serviceControlPolicyDocument(part: ScpPart): PolicyDocument {
  const exempt = { ArnNotLike: { 'aws:PrincipalArn': [...part.exempt] } };
  const statements: Statement[] = [];
  if (part.resources.length > 0) {
    statements.push({ Sid: 'GuardFleetResources', Effect: 'Deny', Action: [...part.actions], Resource: [...part.resources], Condition: exempt });
  }
  if (part.keyResources.length > 0) {
    statements.push({
      Sid: 'GuardTrailKeysByTag',
      Effect: 'Deny',
      Action: iamActions('kms'),
      Resource: arrayOrStar(part.keyResources),
      Condition: { StringEquals: { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value }, ...exempt },
    });
    if (part.aliases.length > 0) {
      statements.push({
        Sid: 'GuardTrailKeysByAlias',
        Effect: 'Deny',
        Action: iamActions('kms'),
        Resource: arrayOrStar(part.keyResources),
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...part.aliases] }, ...exempt },
      });
    }
  }
  if (part.createRoles.length > 0) {
    statements.push({ Sid: 'GuardExemptRoleNames', Effect: 'Deny', Action: 'iam:CreateRole', Resource: [...part.createRoles], Condition: exempt });
  }
  return policy(statements);
}

// ---------------------------------------------------------------- what each account contributes

const isWildcard = (arn: string) => /[*?]/.test(arn);
const roleArns = (patterns: readonly string[]) => patterns.filter((p) => /^arn:[^:]+:iam::[^:]+:role\//.test(p));

/** ARN with region and account (also inside the resource part) replaced by `*`: the name, in any account. */
export function byNameArn(arn: string, accountId: string): string {
  const parts = arn.split(':');
  const resource = parts.slice(5).join(':').split(accountId).join('*');
  return [parts[0], parts[1], parts[2], parts[3] === '' ? '' : '*', '*', resource].join(':');
}

interface AccountContribution {
  readonly resources: string[];
  readonly actions: string[];
  readonly keyRegions: string[];
  readonly aliases: string[];
}

function contribution(partition: Partition, a: GuardedResources, detection: boolean): AccountContribution {
  const resources: string[] = [...a.trailArns, ...a.topicArns, ...a.deliveryRoleArns, ...a.exemptRoleArns];
  // iam:CreateRole too: an exempt role that does not exist yet (an invited account has no OrganizationAccountAccessRole,
  // a deployer role before bootstrap) must not be created by a member administrator, who would then be exempt.
  const actions = [...iamActions('cloudtrail'), ...iamActions('iam'), 'iam:CreateRole'];
  for (const lg of a.logGroupArns) resources.push(lg, `${lg}:*`);
  if (a.topicArns.length) actions.push(...iamActions('sns'));
  if (a.logGroupArns.length) actions.push(...iamActions('logs'));
  for (const k of a.keys) resources.push(`arn:${partition}:kms:${k.region}:${a.accountId}:${k.alias}`);
  if (a.keys.length) actions.push('kms:DeleteAlias', 'kms:UpdateAlias');
  if (detection) {
    // Scoped to the account: a policy of exact ARNs exempts only its own accounts' deployers (by-name drops the account).
    resources.push(iamRoleArn(partition, a.accountId, GUARD_EVENTS_ROLE), eventRuleArn(partition, '*', a.accountId, `${GUARD_NAME}*`));
    actions.push(...iamActions('events'));
  }
  return { resources, actions, keyRegions: sortedUnique(a.keys.map((k) => k.region)), aliases: a.keys.map((k) => k.alias) };
}

export interface GuardScpInput {
  readonly partition: Partition;
  readonly accounts: readonly GuardedResources[];
  readonly exemptPrincipals: readonly string[];
  readonly detection: boolean;
  readonly maxPolicies: number;
  /** The encodings to try. @default both: per-account, then by-name */
  readonly encodings?: readonly ScpEncoding[];
}

/** One policy of the `per-account` encoding: exact ARNs of these accounts. */
function perAccountPart(input: GuardScpInput, accounts: readonly GuardedResources[]): ScpPart {
  const cs = accounts.map((a) => contribution(input.partition, a, input.detection));
  return {
    resources: sortedUnique([...cs.flatMap((c) => c.resources), ...roleArns(input.exemptPrincipals)]),
    actions: sortedUnique(cs.flatMap((c) => c.actions)),
    keyResources: sortedUnique(accounts.flatMap((a, i) => cs[i].keyRegions.map((r) => `arn:${input.partition}:kms:${r}:${a.accountId}:key/*`))),
    aliases: sortedUnique(cs.flatMap((c) => c.aliases)),
    exempt: sortedUnique([...accounts.flatMap((a) => a.exemptRoleArns), ...input.exemptPrincipals]),
    createRoles: sortedUnique(roleArns(input.exemptPrincipals).filter(isWildcard)),
  };
}

/** Every account's resources as name patterns (`by-name`), and the exemptions the same way. */
function byNameItems(input: GuardScpInput): { resources: string[]; actions: string[]; keys: boolean; exempt: string[] } {
  const resources = new Set<string>();
  const actions = new Set<string>(['iam:CreateRole']);
  const exempt = new Set<string>(input.exemptPrincipals);
  let keys = false;
  for (const a of input.accounts) {
    const c = contribution(input.partition, a, input.detection);
    for (const r of c.resources) resources.add(byNameArn(r, a.accountId));
    for (const x of c.actions) actions.add(x);
    for (const d of a.exemptRoleArns) exempt.add(byNameArn(d, a.accountId));
    keys ||= a.keys.length > 0;
  }
  for (const r of roleArns(input.exemptPrincipals)) resources.add(r);
  return { resources: sortedUnique(resources), actions: sortedUnique(actions), keys, exempt: sortedUnique(exempt) };
}

export interface GuardScp {
  readonly document: PolicyDocument;
  readonly characters: number;
  /** Accounts whose resources it names (`per-account`); every account for `by-name`. */
  readonly accounts: readonly string[];
}

export interface GuardScpResult {
  readonly encoding: ScpEncoding;
  readonly policies: readonly GuardScp[];
  /** Every policy is within 5,120 characters and there are at most `maxPolicies`. */
  readonly fits: boolean;
  readonly maxPolicies: number;
}

/**
 * Packs items in order into groups whose policy fits the limit; undefined
 * when one item alone does not fit or more than `maxGroups` are needed.
 */
function pack<T>(items: readonly T[], build: (group: readonly T[], index: number) => PolicyDocument, maxGroups: number): { group: T[]; policy: GuardScp }[] | undefined {
  const groups: T[][] = [];
  let current: T[] = [];
  const fits = (group: readonly T[]) => scpCharacters(build(group, groups.length)) <= SCP_LIMIT_CHARACTERS;
  for (const item of items) {
    const next = [...current, item];
    if (fits(next)) {
      current = next;
      continue;
    }
    if (current.length === 0) return undefined;
    groups.push(current);
    if (groups.length >= maxGroups) return undefined;
    current = [item];
    if (!fits(current)) return undefined;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group, i) => {
    const document = build(group, i);
    return { group, policy: { document, characters: scpCharacters(document), accounts: [] } };
  });
}

/** The `per-account` policies, or undefined when they need more than `maxPolicies`. */
function perAccount(input: GuardScpInput, maxPolicies: number): GuardScp[] | undefined {
  const packed = pack(input.accounts, (group) => serviceControlPolicyDocument(perAccountPart(input, group)), maxPolicies);
  return packed?.map(({ group, policy: p }) => ({ ...p, accounts: group.map((a) => a.accountId) }));
}

/** The `by-name` policies (resources split over several when needed; the key statement in the first). */
function byName(input: GuardScpInput, maxPolicies: number): GuardScp[] | undefined {
  const items = byNameItems(input);
  const all = input.accounts.map((a) => a.accountId);
  const build = (resources: readonly string[], index: number) =>
    serviceControlPolicyDocument({
      resources,
      actions: items.actions,
      keyResources: index === 0 && items.keys ? ['*'] : [],
      aliases: [],
      exempt: items.exempt,
      createRoles: [],
    });
  return pack(items.resources, build, maxPolicies)?.map(({ policy: p }) => ({ ...p, accounts: all }));
}

/** The guard's service control policies for these accounts: the first encoding that fits (or the most compact, with fits: false). */
export function guardServiceControlPolicies(input: GuardScpInput): GuardScpResult {
  if (input.accounts.length === 0) return { encoding: 'per-account', policies: [], fits: true, maxPolicies: input.maxPolicies };
  // Fewest policies first (each takes one of the 5 slots of every target), exact ARNs before names at each count.
  const encodings = input.encodings ?? SCP_ENCODINGS;
  for (let count = 1; count <= input.maxPolicies; count++) {
    const exact = encodings.includes('per-account') ? perAccount(input, count) : undefined;
    if (exact) return { encoding: 'per-account', policies: exact, fits: true, maxPolicies: input.maxPolicies };
    const compact = encodings.includes('by-name') ? byName(input, count) : undefined;
    if (compact) return { encoding: 'by-name', policies: compact, fits: true, maxPolicies: input.maxPolicies };
  }
  // For the message: how many the most compact form would need (there is no limit on the count here).
  const last = encodings[encodings.length - 1];
  const unbounded = last === 'by-name' ? byName(input, Number.MAX_SAFE_INTEGER) : perAccount(input, Number.MAX_SAFE_INTEGER);
  return { encoding: last, policies: unbounded ?? [], fits: false, maxPolicies: input.maxPolicies };
}

const cache = new WeakMap<FleetConfig, GuardScpResult>();

/** The fleet's service control policies (none without organization or guard.prevention). */
export function fleetServiceControlPolicies(config: FleetConfig): GuardScpResult {
  let result = cache.get(config);
  if (!result) {
    const prevention = config.guard?.prevention;
    result = guardServiceControlPolicies({
      partition: config.partition,
      accounts: guardedAccounts(config),
      exemptPrincipals: prevention?.exemptPrincipals ?? [],
      detection: Boolean(config.guard?.detection),
      maxPolicies: prevention?.maxPolicies ?? 4,
    });
    cache.set(config, result);
  }
  return result;
}

// ---------------------------------------------------------------- detection

export const EVENT_BUS_POLICY_ENCODINGS = ['accounts', 'organization'] as const;
export type EventBusPolicyEncoding = (typeof EVENT_BUS_POLICY_ENCODINGS)[number];

export interface EventBusPolicyResult {
  readonly document: PolicyDocument;
  readonly encoding: EventBusPolicyEncoding;
  readonly bytes: number;
  readonly fits: boolean;
}

/**
 * The central bus accepts events only from the fleet's accounts: each
 * account's rule puts them with the account's events role, so the caller
 * is a principal of that account (`aws:PrincipalAccount`, a global key
 * present in every authenticated request). Past the 10 KB limit (about 650
 * accounts) the organization is admitted instead (`aws:PrincipalOrgID`):
 * wider than the fleet, said in the synth summary and by check-config.
 */
export function guardEventBusPolicy(input: { busArn: string; accounts: readonly string[]; organizationId?: string }): EventBusPolicyResult {
  const build = (encoding: EventBusPolicyEncoding) =>
    policy([
      {
        Sid: encoding === 'accounts' ? 'AllowFleetAccountsToPutGuardEvents' : 'AllowOrganizationToPutGuardEvents',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: input.busArn,
        Condition:
          encoding === 'accounts'
            ? { StringEquals: { 'aws:PrincipalAccount': sortedUnique(input.accounts) } }
            : { StringEquals: { 'aws:PrincipalOrgID': input.organizationId! } },
      },
    ]);
  const encodings = EVENT_BUS_POLICY_ENCODINGS.filter((e) => e === 'accounts' || input.organizationId);
  let last: EventBusPolicyResult | undefined;
  for (const encoding of encodings) {
    const document = build(encoding);
    const bytes = Buffer.byteLength(renderPolicy(document), 'utf8');
    last = { document, encoding, bytes, fits: bytes <= EVENT_BUS_POLICY_LIMIT_BYTES };
    if (last.fits) return last;
  }
  return last!;
}

/** The fleet's bus policy: the accounts with active trails (their rules put events). */
export function fleetEventBusPolicy(config: FleetConfig): EventBusPolicyResult {
  return guardEventBusPolicy({ busArn: guardBusArn(config), accounts: config.trails.map((t) => t.accountId), organizationId: config.organization?.id });
}

/** Trust policy of each account's events role: EventBridge only. */
export function guardEventsRoleTrustPolicy(): PolicyDocument {
  return policy([{ Sid: 'AllowEventBridgeToAssume', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
}

/** Permissions of each account's events role: put events on the central guard bus, nothing else. */
export function guardEventsRolePolicy(busArn: string): PolicyDocument {
  return policy([{ Sid: 'PutEventsOnTheGuardBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }]);
}

/**
 * The central topic (`deliverTo: snsTopic`) accepts only the central rule
 * that forwards the bus's events (the central account's own principals keep
 * their IAM permissions: a topic policy adds to them).
 */
export function guardTopicPolicy(topicArn: string, ruleArn: string): PolicyDocument {
  return policy([
    {
      Sid: 'AllowGuardRuleToPublish',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topicArn,
      Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    },
  ]);
}
