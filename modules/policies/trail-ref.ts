import type { Partition } from '../../config/rules';
import { trailArn } from '../arns';

/** What a policy needs to know about one trail. */
export interface TrailRef {
  readonly accountId: string;
  readonly region: string;
  readonly trailName: string;
  readonly prefix?: string;
  readonly organizationTrail?: boolean;
  /**
   * The trail this one replaces (same account, home region, prefix): while it is set, policies admit both,
   * so the old trail keeps delivering until it is deleted and the new one is admitted before it exists.
   */
  readonly renamedFrom?: string;
}

export function arnOf(partition: Partition, t: TrailRef): string {
  return trailArn(partition, t.region, t.accountId, t.trailName);
}

/** Every trail ARN a policy must admit for this trail: its own, and the one it replaces (`renamedFrom`). */
export function admittedArns(partition: Partition, t: TrailRef): string[] {
  const own = arnOf(partition, t);
  return t.renamedFrom === undefined ? [own] : [own, trailArn(partition, t.region, t.accountId, t.renamedFrom)];
}

/** Groups items by a string key; groups come back sorted by key. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
