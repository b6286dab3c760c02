/**
 * Detection (docs/guard.md, "Detection"): the EventBridge rules of one
 * account, as plain data. Each rule sits on the account's default event bus
 * in a region where the guarded calls happen, matches the CloudTrail
 * management events of the guarded actions (GUARDED_ACTIONS, the same list
 * the service control policy denies) and forwards them to the central bus.
 *
 * Where the calls happen:
 *   - a trail's own calls (StopLogging, UpdateTrail, ...), its created SNS
 *     topic and log group: the trail's home region;
 *   - the KMS keys this config creates: the bucket's region (where they live);
 *   - IAM (the delivery and deployer roles, and the guard's own role): IAM is
 *     global and its events reach EventBridge in one region only
 *     (iamEventsRegion: us-east-1 in the aws partition).
 * Topic, log group and role events are matched on the names this config
 * creates (the event's requestParameters), so the rest of the account's
 * activity does not page anyone; trail and key events are matched in full:
 * any trail or key tampering in a fleet account is worth a look (a key's id
 * is unknown before it exists).
 */
import type { FleetConfig } from '../../config/model';
import { activeTrailsOf, GUARD_EVENTS_ROLE, GUARD_NAME, GUARDED_ACTIONS, GuardedService, guardedResources, iamEventsRegion, roleNameOf } from './scope';
import { logGroupNameOf } from '../../config/rules';

/** An EventBridge event pattern (JSON). */
export type EventPattern = { readonly [key: string]: unknown };

/** The detail-type of every API call that CloudTrail delivers to EventBridge. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * Event patterns are at most 2,048 characters by default (an EventBridge
 * quota, raisable to 4,096; the aws provider checks 2,048): a region whose
 * pattern would be longer gets several rules.
 */
export const EVENT_PATTERN_LIMIT = 2048;

/** One service's guarded calls, optionally only on some resources (a requestParameters field). */
export interface Watch {
  readonly service: GuardedService;
  readonly scope?: { readonly field: string; readonly values: readonly string[] };
}

export interface DetectionRule {
  readonly region: string;
  /** The rule's name on the default bus: cloudtrail-fleet-guard, then cloudtrail-fleet-guard-2, ... */
  readonly name: string;
  readonly pattern: EventPattern;
  /** What it watches, for the synth summary and tests. */
  readonly watches: readonly Watch[];
}

function subPattern(w: Watch): EventPattern {
  return {
    source: [`aws.${w.service}`],
    detail: {
      eventSource: [`${w.service}.amazonaws.com`],
      eventName: [...GUARDED_ACTIONS[w.service]],
      ...(w.scope ? { requestParameters: { [w.scope.field]: [...w.scope.values] } } : {}),
    },
  };
}

/** The pattern of one rule: CloudTrail API calls, and any of the watches. */
export function eventPattern(watches: readonly Watch[]): EventPattern {
  const subs = watches.map(subPattern);
  return { 'detail-type': [CLOUDTRAIL_API_CALL], ...(subs.length === 1 ? subs[0] : { $or: subs }) };
}

export function patternCharacters(pattern: EventPattern): number {
  return JSON.stringify(pattern).length;
}

/** Where each kind of guarded call happens in one account: region -> watches. */
export function accountWatches(config: FleetConfig, accountId: string): Map<string, Watch[]> {
  const { central, partition } = config;
  const r = guardedResources(config, accountId);
  const byRegion = new Map<string, Map<GuardedService, Set<string> | undefined>>();
  const add = (region: string, service: GuardedService, field?: string, value?: string) => {
    const services = byRegion.get(region) ?? new Map<GuardedService, Set<string> | undefined>();
    byRegion.set(region, services);
    if (!services.has(service)) services.set(service, field ? new Set() : undefined);
    if (value !== undefined) services.get(service)!.add(value);
  };
  for (const t of r.trails) add(t.region, 'cloudtrail');
  for (const arn of r.topicArns) add(arn.split(':')[3], 'sns', 'topicArn', arn);
  for (const arn of r.logGroupArns) add(arn.split(':')[3], 'logs', 'logGroupName', logGroupNameOf(arn));
  if (r.keys.length > 0) add(central.region, 'kms');
  for (const role of [...r.deliveryRoleArns, ...r.exemptRoleArns]) add(iamEventsRegion(partition), 'iam', 'roleName', roleNameOf(role));
  add(iamEventsRegion(partition), 'iam', 'roleName', GUARD_EVENTS_ROLE);

  const out = new Map<string, Watch[]>();
  const fields: Partial<Record<GuardedService, string>> = { sns: 'topicArn', logs: 'logGroupName', iam: 'roleName' };
  for (const region of [...byRegion.keys()].sort()) {
    const services = byRegion.get(region)!;
    const order = (Object.keys(GUARDED_ACTIONS) as GuardedService[]).filter((s) => services.has(s));
    out.set(
      region,
      order.map((service) => {
        const values = services.get(service);
        return values ? { service, scope: { field: fields[service]!, values: [...values].sort() } } : { service };
      }),
    );
  }
  return out;
}

/**
 * Packs watches into as few patterns of at most `limit` characters as it
 * can (in order); a scoped watch too long on its own is split by its values.
 */
export function packWatches(watches: readonly Watch[], limit = EVENT_PATTERN_LIMIT): Watch[][] {
  const fits = (ws: readonly Watch[]) => patternCharacters(eventPattern(ws)) <= limit;
  const pieces: Watch[] = [];
  for (const w of watches) {
    if (fits([w]) || !w.scope) {
      pieces.push(w);
      continue;
    }
    let current: string[] = [];
    for (const v of w.scope.values) {
      const next = [...current, v];
      if (current.length > 0 && !fits([{ service: w.service, scope: { field: w.scope.field, values: next } }])) {
        pieces.push({ service: w.service, scope: { field: w.scope.field, values: current } });
        current = [v];
      } else current = next;
    }
    pieces.push({ service: w.service, scope: { field: w.scope.field, values: current } });
  }
  const groups: Watch[][] = [];
  for (const w of pieces) {
    const last = groups[groups.length - 1];
    if (last && fits([...last, w])) last.push(w);
    else groups.push([w]);
  }
  return groups;
}

/** The guard's rules of one account (none when detection is off or the account has no active trail). */
export function detectionRules(config: FleetConfig, accountId: string): DetectionRule[] {
  if (!config.guard?.detection || activeTrailsOf(config, accountId).length === 0) return [];
  const rules: DetectionRule[] = [];
  for (const [region, watches] of accountWatches(config, accountId)) {
    packWatches(watches).forEach((group, i) => {
      rules.push({ region, name: i === 0 ? GUARD_NAME : `${GUARD_NAME}-${i + 1}`, pattern: eventPattern(group), watches: group });
    });
  }
  return rules;
}
