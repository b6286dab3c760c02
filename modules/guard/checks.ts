/**
 * The guard's checks that need modules/ (config/ cannot import them): every
 * guarded stack has a deployer role the policy exempts (the bootstrap
 * contract, modules/deployer-roles.ts), the sizes of the service control
 * policies and of the event bus policy (run with the other FLEET_CHECKS),
 * and the warnings about which encoding fit (added to the config's warnings
 * by modules/fleet-warnings.ts).
 */
import type { ConfigIssue } from '../../config/validate';
import type { ConfigWarning } from '../../config/warnings';
import type { FleetConfig } from '../../config/model';
import { centralStackIsGuarded, guardedAccountIds } from '../../config/guard-scope';
import { deployerRoleRefs, fleetStacks } from '../deployer-roles';
import { guardedAccounts } from './scope';
import { EVENT_BUS_POLICY_LIMIT_BYTES, fleetEventBusPolicy, fleetServiceControlPolicies, SCP_LIMIT_CHARACTERS } from './guard-policies';

/**
 * Every stack that changes what the policy protects in a member account needs
 * a role the policy exempts, or its first apply after the policy is attached
 * is denied: the deployer roles of the bootstrap contract
 * (modules/deployer-roles.ts: the roles the config names, bootstrap's default
 * role with a CI principal, the plan and apply roles of each HCP Terraform
 * workspace). Account stacks hold the trails; the central stack the central
 * key and the guard's forwarding rule (config/guard-scope.ts).
 */
export function guardDeployerIssues(config: FleetConfig): ConfigIssue[] {
  if (!config.guard?.prevention || !config.organization) return [];
  const guarded = new Set(guardedAccountIds(config));
  const issues: ConfigIssue[] = [];
  const refs = deployerRoleRefs(config);
  const missing = (path: string, what: string) =>
    issues.push({
      path,
      message:
        `guard.prevention exempts the role that deploys ${what} from its service control policy, but none is named: set ${path.replace(/^accounts\[\d+\]\./, '')} ` +
        `(the role Terraform assumes there), or let bootstrap.deployer define the deployer roles (docs/bootstrap.md); without it the first apply after the policy is attached would be denied`,
    });
  for (const s of fleetStacks(config)) {
    if (!guarded.has(s.accountId) || refs.some((r) => r.stacks.includes(s.name))) continue;
    if (s.kind === 'central' && centralStackIsGuarded(config)) {
      missing('central.assumeRoleArn', `${config.central.kmsKey ? 'the central key' : "the guard's forwarding rule"} (account ${s.accountId})`);
    } else if (s.kind === 'account') {
      const first = config.trails.filter((t) => t.accountId === s.accountId).sort((a, b) => a.index - b.index)[0];
      if (first) missing(`accounts[${first.index}].assumeRoleArn`, `account ${s.accountId}`);
    }
  }
  return issues;
}

/** Sizes of the guard's policies (only meaningful once the rest of the config is valid). */
export function guardSizeIssues(config: FleetConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.guard?.prevention && config.organization) {
    const scps = fleetServiceControlPolicies(config);
    if (!scps.fits) issues.push({ path: 'guard.prevention', message: scpTooBig(config) });
  }
  if (config.guard?.detection) {
    const bus = fleetEventBusPolicy(config);
    if (!bus.fits) {
      const accounts = new Set(config.trails.map((t) => t.accountId)).size;
      issues.push({
        path: 'guard.detection',
        message:
          `the guard's event bus policy for ${accounts} accounts needs ${bus.bytes} bytes, over EventBridge's limit of ${EVENT_BUS_POLICY_LIMIT_BYTES}; ` +
          `set organization (id, managementAccountId) so the bus admits the organization instead of each account, or split the accounts over several configs`,
      });
    }
  }
  return issues;
}

function scpTooBig(config: FleetConfig): string {
  const scps = fleetServiceControlPolicies(config);
  const accounts = guardedAccounts(config);
  const distinct = (values: string[]) => new Set(values).size;
  const names = (arns: readonly string[]) => arns.map((a) => a.replace(/^.*?:(trail\/|log-group:|role\/)?/, '').split(':').pop()!);
  const trailNames = distinct(accounts.flatMap((a) => a.trails.map((t) => t.trailName)));
  const topicNames = distinct(accounts.flatMap((a) => names(a.topicArns)));
  const logGroups = distinct(accounts.flatMap((a) => names(a.logGroupArns)));
  const deployers = distinct(accounts.flatMap((a) => a.deployerRoleArns.map((r) => r.split(':').slice(5).join(':').split(a.accountId).join('*'))));
  const needed = scps.policies.length;
  const max = config.guard!.prevention!.maxPolicies;
  const what =
    needed > 0
      ? `needs ${needed} service control policies of at most ${SCP_LIMIT_CHARACTERS} characters even in its most compact form (by-name), more than guard.prevention.maxPolicies (${max})`
      : `does not fit in a service control policy of ${SCP_LIMIT_CHARACTERS} characters even in its most compact form (by-name)`;
  return (
    `the guard for ${accounts.length} accounts ${what}: it names ${trailNames} distinct trail names, ${topicNames} topic names, ${logGroups} log group names ` +
    `and ${deployers} deployer role names (with the account id left out); AWS attaches at most 5 service control policies to a root, OU or account (FullAWSAccess takes one), ` +
    `so the rest could not be attached. Give the trails, created topics and log groups the same names in every account (set them in defaults) and every account's deployer role ` +
    `the same name, or split the accounts over several configs` +
    (max < 4 ? `, or raise guard.prevention.maxPolicies (up to 4 when the targets carry no other service control policy)` : '')
  );
}

/** What the encoding that fit means for the user (the exact forms did not fit). */
export function guardEncodingWarnings(config: FleetConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const { organization, guard } = config;
  if (!guard) return warnings;
  if (organization && guard.prevention) {
    const scps = fleetServiceControlPolicies(config);
    if (scps.fits && scps.encoding === 'by-name') {
      warnings.push({
        path: 'guard.prevention',
        message:
          'the service control policy names resources and deployer roles by name in any account (by-name: the exact form does not fit): it also protects same-named trails, topics and log groups ' +
          "of accounts outside the fleet, and only principals in guard.prevention.exemptPrincipals may create a role with a deployer role's name (a new account's deployer role too)",
      });
    }
  }
  if (guard.detection) {
    const bus = fleetEventBusPolicy(config);
    if (bus.encoding === 'organization') {
      warnings.push({
        path: 'guard.detection',
        message: `the list of the fleet's accounts does not fit in the guard bus policy (10 KB), so it admits every account of organization ${organization!.id}; events from accounts outside the fleet can reach the bus`,
      });
    }
  }
  return warnings;
}
