import type { FleetConfig } from '../config/model';
import { trailsByAccount } from '../config/model';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../modules/policies/document';
import { fleetPolicies } from '../modules/policies/fleet-policies';
import { keyDeletionWarning } from '../config/warnings';
import { EVENT_BUS_POLICY_LIMIT_BYTES, fleetEventBusPolicy, fleetServiceControlPolicies, SCP_LIMIT_CHARACTERS } from '../modules/guard/guard-policies';
import { detectionRules } from '../modules/guard/detection-rules';
import { GUARD_NAME, hasGuardStack, managementAccountTrails } from '../modules/guard/scope';

/** A few lines for humans after synth. */
export function synthSummary(config: FleetConfig, now: () => Date = () => new Date()): string {
  const accounts = trailsByAccount(config).size;
  const stacks = new Set([...config.trails, ...config.leaving].map((t) => t.accountId)).size + 1 + (hasGuardStack(config) ? 1 : 0);
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
  lines.push(...guardSummary(config).map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}

/** What the guard does, in a few lines (the synth summary and check-config print them). */
export function guardSummary(config: FleetConfig): string[] {
  const { guard, organization } = config;
  if (!guard) return [];
  const lines: string[] = [];
  if (guard.prevention && organization) {
    const scps = fleetServiceControlPolicies(config);
    const n = scps.policies.length;
    if (n === 0) {
      lines.push('guard: no service control policy: every trail is in the management account, where SCPs do not apply (detection only)');
    } else {
      const sizes = scps.policies.map((p) => p.characters).join(', ');
      lines.push(
        `guard: ${n} service control polic${n === 1 ? 'y' : 'ies'} (${scps.encoding}; ${sizes} of ${SCP_LIMIT_CHARACTERS} characters) on ${guard.prevention.attachTo.join(', ')}, stack cloudtrail-guard`,
      );
    }
    const own = managementAccountTrails(config);
    lines.push(
      `guard: SCPs do not apply to the management account ${organization.managementAccountId}` +
        (own.length ? `: trail${own.length === 1 ? '' : 's'} ${own.map((t) => t.trailName).join(', ')} there ${own.length === 1 ? 'is' : 'are'} guarded by detection only` : ''),
    );
  } else if (guard.preventionOff && organization) {
    lines.push('guard: prevention off: stack cloudtrail-guard is empty (its next deploy removes the service control policies an earlier one attached): detection only');
  } else {
    lines.push(organization ? 'guard: no prevention (guard.prevention is not set): detection only' : 'guard: no organization, so no service control policy is possible: detection only');
  }
  if (guard.detection) {
    const accounts = [...new Set(config.trails.map((t) => t.accountId))];
    const rules = accounts.reduce((n, a) => n + detectionRules(config, a).length, 0);
    const bus = fleetEventBusPolicy(config);
    const to = guard.detection.deliverTo === 'snsTopic' ? `event bus and SNS topic ${GUARD_NAME}` : `event bus ${GUARD_NAME}`;
    lines.push(
      `guard: detection: ${rules} EventBridge rule${rules === 1 ? '' : 's'} in ${accounts.length} account${accounts.length === 1 ? '' : 's'} -> ${to} (${config.central.accountId}, ${config.central.region}); ` +
        `bus policy ${bus.bytes} of ${EVENT_BUS_POLICY_LIMIT_BYTES} bytes, admits ${bus.encoding === 'accounts' ? "the fleet's accounts" : `organization ${organization!.id}`}`,
    );
  } else {
    lines.push('guard: no detection (guard.detection: false)');
  }
  return lines;
}

/** The guard as data (check-config --json); null without a guard. */
export function guardJson(config: FleetConfig): unknown {
  const { guard, organization } = config;
  if (!guard) return null;
  const scps = guard.prevention && organization ? fleetServiceControlPolicies(config) : undefined;
  const bus = guard.detection ? fleetEventBusPolicy(config) : undefined;
  const accounts = [...new Set(config.trails.map((t) => t.accountId))];
  return {
    prevention: scps
      ? {
          encoding: scps.encoding,
          policies: scps.policies.map((p) => ({ characters: p.characters, accounts: p.accounts.length })),
          limitCharacters: SCP_LIMIT_CHARACTERS,
          attachTo: guard.prevention!.attachTo,
          notCovered: { managementAccountId: organization!.managementAccountId, trails: managementAccountTrails(config).map((t) => t.trailName) },
        }
      : null,
    detection: bus
      ? {
          deliverTo: guard.detection!.deliverTo,
          rules: accounts.reduce((n, a) => n + detectionRules(config, a).length, 0),
          busPolicy: { bytes: bus.bytes, limit: EVENT_BUS_POLICY_LIMIT_BYTES, encoding: bus.encoding },
        }
      : null,
  };
}
