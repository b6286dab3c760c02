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
 * The accounts a service control policy protects: every account with a trail
 * (and the central account when it holds the central key), but the management
 * account, where SCPs do not apply. Empty without `organization` or without
 * `guard.prevention`.
 */
export function guardedAccountIds(config: FleetConfig): string[] {
  const management = config.organization?.managementAccountId;
  if (!management || !config.guard?.prevention) return [];
  const ids = new Set(config.trails.map((t) => t.accountId));
  if (config.central.kmsKey) ids.add(config.central.accountId);
  ids.delete(management);
  return [...ids].sort();
}

/** Trails the SCP cannot protect: those of the management account (detection only). */
export function managementAccountTrails(config: FleetConfig): TrailConfig[] {
  const management = config.organization?.managementAccountId;
  return management ? config.trails.filter((t) => t.accountId === management) : [];
}
