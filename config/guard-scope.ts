/**
 * Which accounts and trails the guard covers, from the config alone (the
 * ground floor: modules/guard/scope.ts builds the protected resources on it).
 */
import type { FleetConfig, TrailConfig } from './model';

/**
 * The tag the guard puts on the KMS keys this config creates (trail keys and
 * the central key): their ARNs are unknown until they exist, so the policy
 * finds them by this tag (and by alias, where it fits). The policy also
 * denies changing the tags of a tagged key, so the tag cannot be taken off.
 */
export const GUARD_TAG = { key: 'cloudtrail-fleet:guard', value: 'protected' } as const;

/**
 * The accounts a service control policy protects: every account with a trail,
 * and the central account when it holds the central key or the guard's
 * forwarding rule (`deliverTo: snsTopic`, a `cloudtrail-fleet-guard*` rule
 * the policy protects), but the management account, where SCPs do not apply.
 * Empty without `organization` or without `guard.prevention`.
 */
export function guardedAccountIds(config: FleetConfig): string[] {
  const management = config.organization?.managementAccountId;
  if (!management || !config.guard?.prevention) return [];
  const ids = new Set(config.trails.map((t) => t.accountId));
  if (centralStackIsGuarded(config)) ids.add(config.central.accountId);
  ids.delete(management);
  return [...ids].sort();
}

/**
 * Whether the config has the cloudtrail-guard stack (in the management
 * account): with an organization and guard.prevention, or `prevention: false`
 * written out (an empty stack, so the next deploy removes what an earlier one
 * attached; docs/guard.md).
 */
export function hasGuardStack(config: Pick<FleetConfig, 'organization' | 'guard'>): boolean {
  return Boolean(config.organization && (config.guard?.prevention || config.guard?.preventionOff));
}

/**
 * Whether the central stack holds something the guard's policy protects: the
 * central key (`kmsKey`), or the rule that forwards the guard bus to the
 * topic (`detection.deliverTo: snsTopic`, named `cloudtrail-fleet-guard-to-topic`).
 */
export function centralStackIsGuarded(config: Pick<FleetConfig, 'central' | 'guard'>): boolean {
  return Boolean(config.central.kmsKey || config.guard?.detection?.deliverTo === 'snsTopic');
}

/** Trails the SCP cannot protect: those of the management account (detection only). */
export function managementAccountTrails(config: FleetConfig): TrailConfig[] {
  const management = config.organization?.managementAccountId;
  return management ? config.trails.filter((t) => t.accountId === management) : [];
}
