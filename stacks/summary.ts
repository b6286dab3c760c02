import type { FleetConfig } from '../config/model';
import { trailsByAccount } from '../config/model';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../modules/policies/document';
import { fleetPolicies } from '../modules/policies/fleet-policies';
import { keyDeletionWarning } from '../config/warnings';

/** A few lines for humans after synth. */
export function synthSummary(config: FleetConfig, now: () => Date = () => new Date()): string {
  const accounts = trailsByAccount(config).size;
  const stacks = new Set([...config.trails, ...config.leaving].map((t) => t.accountId)).size + 1;
  const { bucket, centralKey } = fleetPolicies(config);
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
  const lines = [
    `cloudtrail-fleet: ${accounts} account${accounts === 1 ? '' : 's'}, ${config.trails.length} trail${config.trails.length === 1 ? '' : 's'}, ${stacks} stacks`,
    `  bucket policy: ${bucket.bytes} of ${BUCKET_POLICY_LIMIT_BYTES} bytes (${pct(bucket.bytes, BUCKET_POLICY_LIMIT_BYTES)}), encoding ${bucket.encoding}`,
  ];
  if (config.leaving.length > 0) {
    const n = config.leaving.length;
    // A few by name; check-config lists them all.
    const named = config.leaving.slice(0, 5).map((t) => `${t.accountId}/${t.trailName} ${t.lifecycle}`);
    const more = n > named.length ? `, and ${n - named.length} more (npm run check-config lists them)` : '';
    lines.push(`  leaving the fleet: ${n} trail${n === 1 ? '' : 's'} (${named.join(', ')}${more}); no policy admits them`);
  }
  // Never hidden (unlike warnings): a deploy that makes log files unreadable.
  for (const t of config.leaving) {
    if (t.lifecycle === 'decommission' && t.deleteKeys && t.kmsKey.kind === 'create') lines.push(`  deleteKeys: ${keyDeletionWarning(config, t, now()).message}`);
  }
  if (centralKey) {
    lines.push(`  central key policy: ${centralKey.bytes} of ${KEY_POLICY_LIMIT_BYTES} bytes (${pct(centralKey.bytes, KEY_POLICY_LIMIT_BYTES)}), encoding ${centralKey.encoding}`);
  }
  return `${lines.join('\n')}\n`;
}
