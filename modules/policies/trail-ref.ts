import type { Partition } from '../../config/rules';
import { trailArn } from '../arns';

/** What a policy needs to know about one trail. */
export interface TrailRef {
  readonly accountId: string;
  readonly region: string;
  readonly trailName: string;
  readonly prefix?: string;
  readonly organizationTrail?: boolean;
}

export function arnOf(partition: Partition, t: TrailRef): string {
  return trailArn(partition, t.region, t.accountId, t.trailName);
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
