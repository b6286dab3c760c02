/**
 * Rules of the keys that make a change safe to deploy (docs/changing-safely.md):
 * `renamedFrom` (a trail replacing another of its account, created before the
 * old one is deleted) and `deleteKeys` (a decommission that may schedule the
 * deletion of the trail's created key). Called from validate.ts on the
 * resolved config; every active and leaving trail is seen.
 */
import type { FleetConfig, TrailConfig } from './model';

export interface ChangeRuleIssue {
  readonly path: string;
  readonly message: string;
}

function describeKey(t: TrailConfig): string {
  switch (t.kmsKey.kind) {
    case 'central':
      return 'kmsKey is central (the central key, which this stack does not manage)';
    case 'none':
      return 'kmsKey is none (no key)';
    case 'arn':
      return `kmsKey is { arn: ${t.kmsKey.arn} } (a key this project does not manage)`;
    case 'create':
      return `kmsKey is { create: { alias: ${t.kmsKey.alias} } }`;
  }
}

export function changeRuleIssues(config: FleetConfig): ChangeRuleIssue[] {
  const issues: ChangeRuleIssue[] = [];
  const push = (path: string, message: string) => issues.push({ path, message });
  const all = [...config.trails, ...config.leaving].sort((a, b) => a.index - b.index);

  for (const t of all) {
    const at = `accounts[${t.index}]`;
    if (t.deleteKeys) {
      if (t.lifecycle !== 'decommission') {
        push(
          `${at}.deleteKeys`,
          t.lifecycle === 'retain'
            ? 'deleteKeys applies only to lifecycle: decommission; lifecycle is retain, which leaves the trail and its key running: remove deleteKeys'
            : 'deleteKeys applies only to lifecycle: decommission (the deploy that destroys the trail); this trail is active and its key is never deleted: remove deleteKeys, or set lifecycle: decommission',
        );
      } else if (t.kmsKey.kind !== 'create') {
        push(
          `${at}.deleteKeys`,
          `deleteKeys deletes the key this project created for the trail (kmsKey: { create }), but ${describeKey(t)}: there is no created key to delete. ` +
            'Remove deleteKeys, or, if the deployed trail had a created key, set kmsKey back to its { create: { alias } } so the key is named',
        );
      }
    }

    if (t.renamedFrom === undefined) continue;
    const path = `${at}.renamedFrom`;
    if (t.lifecycle !== 'active') {
      push(path, `renamedFrom applies to an active trail (it is created before the old one is deleted); this entry has lifecycle ${t.lifecycle}: remove renamedFrom`);
      continue;
    }
    if (t.renamedFrom === t.trailName) {
      push(path, `renamedFrom is the trail's own name "${t.trailName}"; set it to the name the trail had before (the deployed one), or remove it`);
      continue;
    }
    const other = all.find((o) => o !== t && o.accountId === t.accountId && o.trailName === t.renamedFrom);
    if (other) {
      push(
        path,
        `renamedFrom "${t.renamedFrom}" is the name of the trail of accounts[${other.index}] (account ${t.accountId}), which is still in the config; ` +
          `the renamed trail replaces it: remove accounts[${other.index}] (the deploy deletes the old trail once the new one exists), or remove renamedFrom to keep both`,
      );
    }
    const twice = all.find((o) => o !== t && o.index < t.index && o.accountId === t.accountId && o.renamedFrom === t.renamedFrom);
    if (twice) {
      push(path, `trail "${t.renamedFrom}" of account ${t.accountId} is already renamed by accounts[${twice.index}] (to "${twice.trailName}"); one trail can be renamed into one trail only`);
    }
    if (t.adopt) {
      push(
        path,
        `with adopt the trail is imported by its ARN under the new name "${t.trailName}", which does not exist before the rename; ` +
          'finish the adoption first (deploy, then remove adopt), then rename in a later change',
      );
    }
  }
  return issues;
}
