/**
 * The rules and warnings of `guard` (docs/guard.md), kept beside each other:
 * what makes a guard config wrong (validate.ts calls guardIssues and
 * guardSizeIssues) and what it cannot reach (warnings.ts calls guardWarnings).
 */
import type { ConfigFile } from './schema';
import type { FleetConfig } from './model';
import { MAX_TAGS, parseArn } from './rules';
import { GUARD_TAG, guardedAccountIds, managementAccountTrails } from './guard-scope';

/** A problem or warning of the guard: a config path and what to do (the shape of ConfigIssue and ConfigWarning, which import this file). */
export interface GuardFinding {
  readonly path: string;
  readonly message: string;
}

const ROLE_ARN_WILDCARDS = /[$*?]/;

function samePartition(partition: string, value: string): string | undefined {
  const arn = parseArn(value);
  if (!arn || arn.partition === partition) return undefined;
  return `ARN is in partition ${arn.partition}, but partition is ${partition}; every ARN must be in one partition (write arn:${partition}:...)`;
}

/** Rules between `guard` and the rest of the config (the schema checked each value). */
export function guardIssues(file: ConfigFile, config: FleetConfig): GuardFinding[] {
  const issues: GuardFinding[] = [];
  const push = (path: string, message: string) => issues.push({ path, message });
  const prevention = config.guard?.prevention;
  const raw = file.guard?.prevention || undefined;
  const { organization, partition, central } = config;
  if (!prevention || !raw) return issues;

  if (!organization) {
    push(
      'guard.prevention',
      'service control policies need AWS Organizations: add the top-level organization (id and managementAccountId), or set guard.prevention: false (the guard then only detects)',
    );
    return issues;
  }
  const management = organization.managementAccountId;
  raw.attachTo.forEach((target, i) => {
    if (target === management) {
      push(
        `guard.prevention.attachTo[${i}]`,
        `${target} is the management account: service control policies never apply to it, so attaching one there does nothing; attach to the root, the OUs or the member accounts of the fleet`,
      );
    }
  });
  if (prevention.assumeRoleArn) {
    const p = samePartition(partition, prevention.assumeRoleArn);
    if (p) push('guard.prevention.assumeRoleArn', p);
    const account = parseArn(prevention.assumeRoleArn)!.account;
    if (account !== management) {
      push(
        'guard.prevention.assumeRoleArn',
        `role is in account ${account}, not the management account ${management}; the cloudtrail-guard stack runs in the management account (its provider's allowed_account_ids would refuse the role)`,
      );
    }
  }
  (raw.exemptPrincipals ?? []).forEach((pattern, i) => {
    const m = /^arn:([a-z-]+):/.exec(pattern);
    if (m && m[1] !== partition) {
      push(`guard.prevention.exemptPrincipals[${i}]`, `ARN is in partition ${m[1]}, but partition is ${partition}; every ARN must be in one partition (write arn:${partition}:...)`);
    }
  });

  // Every protected account needs the role that deploys it: a check that needs the bootstrap contract
  // (modules/deployer-roles.ts), so it is a fleet check (modules/guard/checks.ts, guardDeployerIssues).
  // Roles are exempted by ARN (ArnNotLike), where "*" and "?" are wildcards and "${" starts a policy variable.
  const literal = (path: string, role: string | undefined) => {
    if (role && ROLE_ARN_WILDCARDS.test(role)) {
      push(path, `the service control policy exempts ${role} by ARN (ArnNotLike), where "*" and "?" are wildcards and "\${" starts a policy variable; use a role whose path and name have none of "$", "*", "?"`);
    }
  };
  literal('central.assumeRoleArn', central.assumeRoleArn);
  file.accounts.forEach((a, i) => literal(`accounts[${i}].assumeRoleArn`, a.assumeRoleArn));

  // The guard's tag on the keys this config creates: one more tag, and a key name of its own.
  const keyTrails = config.trails.filter((t) => t.kmsKey.kind === 'create');
  for (const t of keyTrails) {
    if (Object.keys(t.tags).length + 1 > MAX_TAGS && !Object.hasOwn(t.tags, GUARD_TAG.key)) {
      push(
        `accounts[${t.index}].tags`,
        `with guard.prevention, the key this trail creates also carries the tag ${GUARD_TAG.key}; AWS allows ${MAX_TAGS} tags per resource, so at most ${MAX_TAGS - 1} tags here (${Object.keys(t.tags).length} now)`,
      );
    }
  }
  if (central.kmsKey && Object.keys(central.tags).length + 1 > MAX_TAGS && !Object.hasOwn(central.tags, GUARD_TAG.key)) {
    push('central.tags', `with guard.prevention, the central key also carries the tag ${GUARD_TAG.key}; AWS allows ${MAX_TAGS} tags per resource, so at most ${MAX_TAGS - 1} tags here`);
  }
  const reserved = (path: string, tags: Readonly<Record<string, string>>) => {
    if (Object.hasOwn(tags, GUARD_TAG.key)) {
      push(path, `the tag key ${GUARD_TAG.key} is the guard's own (it marks the keys the service control policy protects); rename this tag`);
    }
  };
  reserved('central.tags', central.tags);
  for (const t of config.trails) reserved(`accounts[${t.index}].tags${t.inherited.has('tags') ? ' (from defaults)' : ''}`, t.tags);
  return issues;
}

/** What the guard cannot reach, and what a user must know before applying it. */
export function guardWarnings(config: FleetConfig): GuardFinding[] {
  const warnings: GuardFinding[] = [];
  const { organization, central, guard } = config;
  const prevention = organization ? guard?.prevention : undefined;
  const management = organization?.managementAccountId;

  // Keys of member accounts that no service control policy protects: their admins can make the archived logs unreadable.
  if (organization) {
    const unguarded = (kind: string) =>
      kind === 'arn'
        ? 'the guard never protects a key this config does not create (its owner manages it); use kmsKey: { create } or the central key, or protect the key yourself'
        : 'without guard.prevention (docs/guard.md) nothing stops them';
    for (const t of config.trails) {
      const owner = t.kmsKey.kind === 'create' ? t.accountId : t.kmsKey.kind === 'arn' ? parseArn(t.kmsKey.arn)!.account : undefined;
      if (!owner || owner === management) continue;
      if (t.kmsKey.kind === 'create' && prevention) continue;
      warnings.push({
        path: `accounts[${t.index}].kmsKey`,
        message:
          `trail ${t.trailName} encrypts with a key of member account ${owner}: an administrator there can disable it or schedule its deletion, ` +
          `and every log file it encrypted becomes unreadable; ${unguarded(t.kmsKey.kind)}`,
      });
    }
    if (central.kmsKey && central.accountId !== management && !prevention && config.trails.length > 0) {
      warnings.push({
        path: 'central.kmsKey',
        message:
          `the central key is in member account ${central.accountId}: an administrator there can disable it or schedule its deletion, and the log files it encrypted ` +
          `become unreadable; without guard.prevention (docs/guard.md) nothing stops them`,
      });
    }
  }
  if (!guard) return warnings;

  if (!organization) {
    warnings.push({
      path: 'guard',
      message:
        'the fleet has no organization, so no service control policy is possible: the guard only detects (EventBridge alerts within minutes), it cannot stop an account administrator; ' +
        'add organization (and guard.prevention) if the accounts are in AWS Organizations',
    });
  } else if (!guard.prevention) {
    warnings.push({
      path: 'guard',
      message: 'guard.prevention is not set: the guard only detects; add guard.prevention.attachTo (the root, OUs or accounts) so no member administrator can stop a trail',
    });
  }

  if (prevention && management) {
    const own = managementAccountTrails(config);
    if (own.length > 0) {
      warnings.push({
        path: `accounts[${Math.min(...own.map((t) => t.index))}]`,
        message:
          `service control policies do not apply to the management account ${management}: its trail${own.length === 1 ? '' : 's'} ${own.map((t) => t.trailName).join(', ')} ` +
          `(an organization trail too) and ${own.length === 1 ? 'its' : 'their'} keys, topics and log groups are guarded by detection only; keep its administrators few`,
      });
    }
    const targets = prevention.attachTo;
    if (!targets.some((t) => t.startsWith('r-') || t.startsWith('ou-'))) {
      const outside = guardedAccountIds(config).filter((id) => !targets.includes(id));
      if (outside.length > 0) {
        warnings.push({
          path: 'guard.prevention.attachTo',
          message: `no policy is attached above account ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ` and ${outside.length - 5} more` : ''}: the guard does not protect ${outside.length === 1 ? 'it' : 'them'}; add ${outside.length === 1 ? 'it' : 'them'}, their OUs or the root`,
        });
      }
    }
    // bootstrap's administrator credentials are used directly in adminAccountId: the policy exempts only the role adminRoleName.
    const adminAccount = config.bootstrap?.adminAccountId;
    if (adminAccount && adminAccount !== management && guardedAccountIds(config).includes(adminAccount)) {
      warnings.push({
        path: 'bootstrap.adminAccountId',
        message:
          `the bootstrap stack of member account ${adminAccount} applies with the administrator credentials themselves, not the role ${config.bootstrap!.adminRoleName}; ` +
          `the service control policy exempts only that role, so a later bootstrap apply there cannot update the deployer roles: list the administrator's role in guard.prevention.exemptPrincipals, ` +
          `or leave adminAccountId out (the management account, which service control policies never reach)`,
      });
    }
    warnings.push({
      path: 'guard.prevention',
      message:
        'service control policies must be enabled in the organization (aws organizations enable-policy-type --root-id <r-...> --policy-type SERVICE_CONTROL_POLICY, once, in the management account); ' +
        'without it the attachments fail with PolicyTypeNotEnabledException',
    });
  }

  if (guard.detection) {
    for (const t of config.trails) {
      if (!t.enableLogging) {
        warnings.push({
          path: `accounts[${t.index}].enableLogging`,
          message: `EventBridge receives API calls only from a trail that is logging: with trail ${t.trailName} stopped, the guard's rules in account ${t.accountId} may see nothing`,
        });
      }
    }
  }
  return warnings;
}
