/**
 * The guard's service control policies, evaluated (docs/guard.md,
 * "Prevention"): for generated organization fleets, small and large, with
 * several trails per account, created keys, SNS topics and CloudWatch Logs,
 * a member account's administrator is denied every guarded action on its
 * own trails, keys, topics, log groups and roles; the deployer role is
 * allowed what its deploy needs; nothing else the member does is affected;
 * the management account is out of reach of SCPs. Every policy stays within
 * 5,120 characters and the number of policies a target can carry.
 */
import type { FleetConfig } from '../../../config/model';
import { GUARD_EVENTS_ROLE, GUARD_NAME, GUARD_TAG, GUARDED_ACTIONS, guardedAccounts, GuardedResources } from '../../../modules/guard/scope';
import { fleetServiceControlPolicies, GuardScpResult, SCP_LIMIT_CHARACTERS, byNameArn, guardServiceControlPolicies, ScpEncoding } from '../../../modules/guard/guard-policies';
import { renderPolicy } from '../../../modules/policies/document';
import type { PolicyDocument } from '../../../modules/policies/document';
import { evaluateServiceControlPolicies, IamRequest } from '../../helpers/iam-evaluator';
import { configOf, issuesOf } from '../../helpers/fleet';
import { adminRoleOf, defaultDeployerOf, deployerOf, guardFleet, GuardFleetOptions, hcpRoleOf, MANAGEMENT, memberId } from '../../helpers/guard-fleet';
import { bootstrapRoles } from '../../../modules/bootstrap-roles';
import { isAllowed } from '../../helpers/iam-evaluator';
import { logGroupNameOf } from '../../../config/rules';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const adminOf = (accountId: string) => `arn:aws:iam::${accountId}:role/Admin`;

function decide(scps: GuardScpResult, principal: string, action: string, resource: string, context: IamRequest['context'] = {}) {
  return evaluateServiceControlPolicies(
    scps.policies.map((p) => p.document),
    { principal: { aws: principal }, action, resource, context },
    { managementAccountId: MANAGEMENT },
  ).decision;
}

/** Every guarded (action, resource, context) of one account: what must be denied to its admin and allowed to its deployer. */
function guardedRequests(a: GuardedResources, config: FleetConfig): [string, string, IamRequest['context']][] {
  const out: [string, string, IamRequest['context']][] = [];
  const all = (service: keyof typeof GUARDED_ACTIONS) => GUARDED_ACTIONS[service].map((x) => `${service}:${x}`);
  for (const trail of a.trailArns) for (const action of all('cloudtrail')) out.push([action, trail, {}]);
  for (const k of a.keys) {
    const key = `arn:aws:kms:${k.region}:${a.accountId}:key/${KEY_ID}`;
    for (const action of all('kms')) {
      // The key, found by its tag, and (separately) by its alias: each alone is enough.
      out.push([action, key, { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value }]);
    }
    out.push(['kms:DeleteAlias', `arn:aws:kms:${k.region}:${a.accountId}:${k.alias}`, {}]);
  }
  for (const topic of a.topicArns) for (const action of all('sns')) out.push([action, topic, {}]);
  for (const group of a.logGroupArns) {
    for (const action of all('logs')) out.push([action, group, {}]);
    out.push(['logs:DeleteLogStream', `${group}:log-stream:${a.accountId}_CloudTrail_us-east-2`, {}]);
  }
  for (const role of [...a.deliveryRoleArns, ...a.deployerRoleArns]) for (const action of all('iam')) out.push([action, role, {}]);
  if (config.guard?.detection && a.trails.length > 0) {
    for (const action of all('events')) out.push([action, `arn:aws:events:us-east-2:${a.accountId}:rule/${GUARD_NAME}`, {}]);
    out.push(['iam:DeleteRole', `arn:aws:iam::${a.accountId}:role/${GUARD_EVENTS_ROLE}`, {}]);
  }
  return out;
}

/** What a member administrator does every day, and must still be able to do. */
function unaffectedRequests(accountId: string): [string, string, IamRequest['context']][] {
  return [
    ['cloudtrail:CreateTrail', `arn:aws:cloudtrail:us-east-2:${accountId}:trail/team-own-trail`, {}],
    ['cloudtrail:StopLogging', `arn:aws:cloudtrail:us-east-2:${accountId}:trail/team-own-trail`, {}],
    ['cloudtrail:DeleteTrail', `arn:aws:cloudtrail:us-east-2:${accountId}:trail/team-own-trail`, {}],
    ['cloudtrail:LookupEvents', '*', {}],
    ['kms:ScheduleKeyDeletion', `arn:aws:kms:us-east-2:${accountId}:key/${KEY_ID}`, { 'kms:ResourceAliases': ['alias/app-data'] }],
    ['kms:DisableKey', `arn:aws:kms:us-east-2:${accountId}:key/${KEY_ID}`, {}],
    ['kms:Decrypt', `arn:aws:kms:us-east-2:${accountId}:key/${KEY_ID}`, { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value }],
    ['kms:CreateKey', '*', {}],
    ['sns:DeleteTopic', `arn:aws:sns:us-east-2:${accountId}:app-alerts`, {}],
    ['logs:DeleteLogGroup', `arn:aws:logs:us-east-2:${accountId}:log-group:/aws/lambda/app`, {}],
    ['iam:DeleteRole', `arn:aws:iam::${accountId}:role/app-role`, {}],
    ['iam:CreateRole', `arn:aws:iam::${accountId}:role/app-role`, {}],
    ['events:DeleteRule', `arn:aws:events:us-east-2:${accountId}:rule/app-schedule`, {}],
    ['s3:PutObject', 'arn:aws:s3:::app-bucket/x', {}],
    ['ec2:RunInstances', `arn:aws:ec2:us-east-2:${accountId}:instance/*`, {}],
  ];
}

/** The config's policies, or (to prove an encoding the fleet would not pick) those of the encodings given. */
function policiesOf(config: FleetConfig, encodings?: readonly ScpEncoding[]): GuardScpResult {
  if (!encodings) return fleetServiceControlPolicies(config);
  const p = config.guard!.prevention!;
  return guardServiceControlPolicies({ partition: config.partition, accounts: guardedAccounts(config), exemptPrincipals: p.exemptPrincipals, detection: Boolean(config.guard!.detection), maxPolicies: p.maxPolicies, encodings });
}

function proveGuard(raw: unknown, sample: (accounts: GuardedResources[]) => GuardedResources[] = (a) => a, encodings?: readonly ScpEncoding[]): GuardScpResult {
  const config = configOf(raw);
  const scps = policiesOf(config, encodings);
  expect(scps.fits).toBe(true);
  expect(scps.policies.length).toBeGreaterThan(0);
  expect(scps.policies.length).toBeLessThanOrEqual(config.guard!.prevention!.maxPolicies);
  for (const p of scps.policies) {
    expect(renderPolicy(p.document).length).toBe(p.characters);
    expect(p.characters).toBeLessThanOrEqual(SCP_LIMIT_CHARACTERS);
    expect(renderPolicy(p.document)).not.toMatch(/\s/); // minified: whitespace counts in the limit
    for (const s of p.document.Statement) {
      expect(s.Effect).toBe('Deny');
      expect(s.Principal).toBeUndefined();
      expect(s.Condition?.ArnNotLike?.['aws:PrincipalArn']).toEqual(expect.any(Array));
    }
  }
  const accounts = sample(guardedAccounts(config));
  expect(accounts.length).toBeGreaterThan(0);
  for (const a of accounts) {
    const requests = guardedRequests(a, config);
    expect(requests.length).toBeGreaterThan(GUARDED_ACTIONS.cloudtrail.length);
    const deployer = a.deployerRoleArns[0];
    for (const [action, resource, context] of requests) {
      expect([adminOf(a.accountId), action, resource, decide(scps, adminOf(a.accountId), action, resource, context)]).toEqual([adminOf(a.accountId), action, resource, 'ExplicitDeny']);
      expect([`arn:aws:iam::${a.accountId}:root`, action, decide(scps, `arn:aws:iam::${a.accountId}:root`, action, resource, context)]).toEqual([
        `arn:aws:iam::${a.accountId}:root`,
        action,
        'ExplicitDeny',
      ]);
      expect([deployer, action, resource, decide(scps, deployer, action, resource, context)]).toEqual([deployer, action, resource, 'Allow']);
    }
    for (const [action, resource, context] of unaffectedRequests(a.accountId)) {
      expect([action, resource, decide(scps, adminOf(a.accountId), action, resource, context)]).toEqual([action, resource, 'Allow']);
    }
  }
  // The management account's own trail: SCPs do not reach it (detection only).
  const mgmtTrail = `arn:aws:cloudtrail:us-east-2:${MANAGEMENT}:trail/org-trail`;
  expect(decide(scps, adminOf(MANAGEMENT), 'cloudtrail:StopLogging', mgmtTrail)).toBe('Allow');
  return scps;
}

describe('a member administrator cannot silence its trails; the deployer can deploy; nothing else changes', () => {
  const cases: [string, number, GuardFleetOptions, ScpEncoding[] | undefined][] = [
    ['one account, one trail (exact ARNs)', 1, {}, undefined],
    ['one account, three trails, with created keys, topics and log groups (exact ARNs)', 1, { trailsPerAccount: 3, deliveries: true }, undefined],
    ['three accounts, three trails each, with created keys, topics and log groups', 3, { trailsPerAccount: 3, deliveries: true }, undefined],
    ['8 accounts with every delivery, exact ARNs forced (several policies, each exempting its own accounts)', 8, { deliveries: true }, ['per-account']],
    ['40 accounts whose names differ, names forced', 40, { distinctNames: true, deliveries: true }, ['by-name']],
    ['1,000 accounts sharing names (by-name: one policy at any size)', 1000, { trailsPerAccount: 2, deliveries: true }, undefined],
    ['detection delivered to a topic', 4, { deliverTo: 'snsTopic', deliveries: true }, undefined],
    // The deployer roles bootstrap defines (modules/deployer-roles.ts), with no role named in the config.
    ['a CI principal: bootstrap\'s default role in each account is the deployer', 3, { deliveries: true, bootstrap: 'principal' }, undefined],
    ['HCP Terraform: each workspace\'s apply role is the deployer (exact ARNs)', 2, { bootstrap: 'hcp' }, ['per-account']],
    ['HCP Terraform, 3 accounts with every delivery', 3, { deliveries: true, bootstrap: 'hcp' }, undefined],
    ['HCP Terraform, 300 accounts with every delivery (the workspace roles by name)', 300, { deliveries: true, bootstrap: 'hcp' }, undefined],
  ];
  test.each(cases)('%s', (_name, n, options, encodings) => {
    // Large fleets: every guarded action of a deterministic sample of accounts (first, last, two between).
    const sample = (a: GuardedResources[]) => (a.length <= 25 ? a : [a[0], a[Math.floor(a.length / 3)], a[Math.floor((2 * a.length) / 3)], a[a.length - 1]]);
    const scps = proveGuard(guardFleet(n, options), sample, encodings);
    if (encodings) expect(scps.encoding).toBe(encodings[0]);
  });

  test('the encodings: the fewest policies, exact ARNs before names at the same count', () => {
    expect(fleetServiceControlPolicies(configOf(guardFleet(1, { trailsPerAccount: 3, deliveries: true }))).encoding).toBe('per-account');
    expect(fleetServiceControlPolicies(configOf(guardFleet(10))).encoding).toBe('per-account');
    expect(fleetServiceControlPolicies(configOf(guardFleet(5, { deliveries: true }))).encoding).toBe('by-name');
    const several = policiesOf(configOf(guardFleet(8, { deliveries: true })), ['per-account']);
    expect(several.encoding).toBe('per-account');
    expect(several.policies.length).toBeGreaterThan(1);
    // Each policy names its own accounts' resources and exempts their deployers only.
    const [first, second] = several.policies;
    expect(new Set([...first.accounts, ...second.accounts]).size).toBe(first.accounts.length + second.accounts.length);
    const text = renderPolicy(first.document);
    expect(text).toContain(deployerOf(first.accounts[0]));
    expect(text).not.toContain(deployerOf(second.accounts[0]));
    const large = fleetServiceControlPolicies(configOf(guardFleet(1000, { trailsPerAccount: 2, deliveries: true })));
    expect(large.encoding).toBe('by-name');
    expect(large.policies).toHaveLength(1);
    const [fleetResources] = large.policies[0].document.Statement;
    expect(fleetResources.Resource).toEqual(expect.arrayContaining(['arn:aws:cloudtrail:*:*:trail/trail-1', 'arn:aws:sns:*:*:ct-trail-2', 'arn:aws:iam::*:role/TerraformDeploy']));
    expect(fleetResources.Action).toContain('iam:CreateRole');
    expect(fleetResources.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/TerraformDeploy'] } });
  });

  test('by-name: a member administrator cannot mint a role named like the exempt deployer role', () => {
    const scps = fleetServiceControlPolicies(configOf(guardFleet(1000)));
    const a = memberId(5);
    expect(decide(scps, adminOf(a), 'iam:CreateRole', `arn:aws:iam::${a}:role/TerraformDeploy`)).toBe('ExplicitDeny');
    expect(decide(scps, deployerOf(a), 'iam:CreateRole', `arn:aws:iam::${a}:role/TerraformDeploy`)).toBe('Allow');
  });

  test('per-account: a created key is denied by its alias alone too (kms:ResourceAliases), and only in its own account', () => {
    const config = configOf(guardFleet(2, { deliveries: true }));
    const scps = fleetServiceControlPolicies(config);
    const a = memberId(0);
    const key = `arn:aws:kms:us-east-2:${a}:key/${KEY_ID}`;
    expect(decide(scps, adminOf(a), 'kms:ScheduleKeyDeletion', key, { 'kms:ResourceAliases': ['alias/ct-trail-1'] })).toBe('ExplicitDeny');
    expect(decide(scps, adminOf(a), 'kms:ScheduleKeyDeletion', key, { 'kms:ResourceAliases': ['alias/app', 'alias/ct-trail-1'] })).toBe('ExplicitDeny');
    // The same alias name on a key of an account outside the fleet is that account's business.
    const outsider = '999999999999';
    expect(decide(scps, adminOf(outsider), 'kms:ScheduleKeyDeletion', `arn:aws:kms:us-east-2:${outsider}:key/${KEY_ID}`, { 'kms:ResourceAliases': ['alias/ct-trail-1'] })).toBe('Allow');
  });

  test('exempt principals (a break-glass role) may act; a wildcard exemption cannot be minted by a member', () => {
    const scps = proveGuard(guardFleet(2, { exemptPrincipals: ['arn:aws:iam::*:role/BreakGlass*'] }));
    const a = memberId(1);
    const trail = `arn:aws:cloudtrail:us-east-2:${a}:trail/trail-1`;
    expect(decide(scps, `arn:aws:iam::${a}:role/BreakGlass`, 'cloudtrail:StopLogging', trail)).toBe('Allow');
    expect(decide(scps, adminOf(a), 'iam:CreateRole', `arn:aws:iam::${a}:role/BreakGlassMine`)).toBe('ExplicitDeny');
    expect(decide(scps, adminOf(a), 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${a}:role/BreakGlass`)).toBe('ExplicitDeny');
  });

  test('a central key in a member account (a log archive account) is guarded, and its deployer is the central role', () => {
    const raw = guardFleet(2);
    raw.central.accountId = '333333333333';
    raw.central.assumeRoleArn = deployerOf('333333333333');
    const scps = proveGuard(raw);
    const key = `arn:aws:kms:us-east-2:333333333333:key/${KEY_ID}`;
    expect(decide(scps, adminOf('333333333333'), 'kms:PutKeyPolicy', key, { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value })).toBe('ExplicitDeny');
    expect(decide(scps, deployerOf('333333333333'), 'kms:PutKeyPolicy', key, { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value })).toBe('Allow');
  });
});

describe('size: every policy within 5,120 characters, at most maxPolicies of them', () => {
  test.each([1, 10, 100, 1000, 1250])('%i accounts with two trails and every delivery each', (n) => {
    const scps = fleetServiceControlPolicies(configOf(guardFleet(n, { trailsPerAccount: 2, deliveries: true })));
    expect(scps.fits).toBe(true);
    expect(scps.policies.length).toBeLessThanOrEqual(4);
    for (const p of scps.policies) expect(p.characters).toBeLessThanOrEqual(SCP_LIMIT_CHARACTERS);
  });

  test('names that differ in every account cannot fit at 1,000 accounts: a synth error says why, how many, and what to change', () => {
    const issues = issuesOf(guardFleet(1000, { distinctNames: true }));
    expect(issues).toEqual([
      {
        path: 'guard.prevention',
        message: expect.stringMatching(
          /^the guard for 1000 accounts needs \d+ service control policies of at most 5120 characters even in its most compact form \(by-name\), more than guard\.prevention\.maxPolicies \(4\): it names 1000 distinct trail names, 0 topic names, 0 log group names and 1 deployer role names \(with the account id left out\); AWS attaches at most 5 service control policies to a root, OU or account \(FullAWSAccess takes one\), so the rest could not be attached\. Give the trails, created topics and log groups the same names in every account \(set them in defaults\) and every account's deployer role the same name, or split the accounts over several configs$/,
        ),
      },
    ]);
  });

  test('a lower maxPolicies is honoured, and the message suggests raising it', () => {
    const raw = guardFleet(25, { deliveries: true, distinctNames: true, maxPolicies: 1 });
    const [issue] = issuesOf(raw);
    expect(issue.path).toBe('guard.prevention');
    expect(issue.message).toMatch(/more than guard\.prevention\.maxPolicies \(1\).*or raise guard\.prevention\.maxPolicies \(up to 4 when the targets carry no other service control policy\)$/);
    expect(fleetServiceControlPolicies(configOf(guardFleet(25, { deliveries: true, distinctNames: true, maxPolicies: 4 }))).fits).toBe(true);
  });
});

describe('determinism and stable content', () => {
  test('the same config gives the same policies; reordering the accounts changes nothing', () => {
    const raw = guardFleet(30, { trailsPerAccount: 2, deliveries: true });
    const a = fleetServiceControlPolicies(configOf(raw)).policies.map((p) => renderPolicy(p.document));
    const b = fleetServiceControlPolicies(configOf(guardFleet(30, { trailsPerAccount: 2, deliveries: true }))).policies.map((p) => renderPolicy(p.document));
    const reversed = { ...raw, accounts: [...raw.accounts].reverse() };
    const c = fleetServiceControlPolicies(configOf(reversed)).policies.map((p) => renderPolicy(p.document));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  test('no organization or no prevention: no policy at all', () => {
    const raw = guardFleet(2);
    delete raw.guard.prevention;
    expect(fleetServiceControlPolicies(configOf(raw)).policies).toEqual([]);
  });

  test('byNameArn: region and account become *, also inside the name', () => {
    expect(byNameArn('arn:aws:cloudtrail:us-east-2:222222222222:trail/t', '222222222222')).toBe('arn:aws:cloudtrail:*:*:trail/t');
    expect(byNameArn('arn:aws:iam::222222222222:role/cf/cloudtrail-account-222222222222-apply', '222222222222')).toBe('arn:aws:iam::*:role/cf/cloudtrail-account-*-apply');
    expect(byNameArn('arn:aws:logs:eu-west-1:222222222222:log-group:g:*', '222222222222')).toBe('arn:aws:logs:*:*:log-group:g:*');
  });

  test('an empty fleet needs no policy', () => {
    expect(guardServiceControlPolicies({ partition: 'aws', accounts: [], exemptPrincipals: [], detection: true, maxPolicies: 4 }).policies).toEqual([]);
  });
});

/** Guarded log group names are what the detection rules watch (one list for both). */
test('the log group names come from the same guarded resources the rules use', () => {
  const [a] = guardedAccounts(configOf(guardFleet(1, { deliveries: true })));
  expect(a.logGroupArns.map(logGroupNameOf)).toEqual(['ct-trail-1']);
  const doc: PolicyDocument = fleetServiceControlPolicies(configOf(guardFleet(1, { deliveries: true }))).policies[0].document;
  expect(doc.Statement[0].Resource).toEqual(expect.arrayContaining([`arn:aws:logs:us-east-2:${a.accountId}:log-group:ct-trail-1`, `arn:aws:logs:us-east-2:${a.accountId}:log-group:ct-trail-1:*`]));
});

describe('the deployer roles bootstrap defines are exempt; a member administrator is still denied', () => {
  const KEY_TAG = { [`aws:ResourceTag/${GUARD_TAG.key}`]: GUARD_TAG.value };

  test('HCP Terraform: the apply role may, the plan role is exempt but its own policy only reads, a member admin is denied', () => {
    const config = configOf(guardFleet(3, { deliveries: true, bootstrap: 'hcp' }));
    const scps = fleetServiceControlPolicies(config);
    expect(scps.fits).toBe(true);
    const text = scps.policies.map((p) => renderPolicy(p.document)).join('');
    for (const a of guardedAccounts(config)) {
      expect(a.deployerRoleArns).toEqual([hcpRoleOf(a.accountId, 'apply'), hcpRoleOf(a.accountId, 'plan')]);
      const plan = bootstrapRoles(config, a.accountId).find((r) => r.kind === 'plan')!;
      const planPolicy: PolicyDocument = { Version: '2012-10-17', Statement: [...plan.statements] };
      const requests = guardedRequests(a, config);
      for (const [action, resource, context] of requests) {
        expect([action, resource, decide(scps, hcpRoleOf(a.accountId, 'apply'), action, resource, context)]).toEqual([action, resource, 'Allow']);
        expect([action, resource, decide(scps, adminOf(a.accountId), action, resource, context)]).toEqual([action, resource, 'ExplicitDeny']);
        // The SCP leaves the plan role alone; its own permissions allow none of the guarded writes.
        expect([action, resource, decide(scps, hcpRoleOf(a.accountId, 'plan'), action, resource, context)]).toEqual([action, resource, 'Allow']);
        expect([action, resource, isAllowed(planPolicy, { principal: {}, action, resource, context: { 'aws:RequestedRegion': 'us-east-2', ...context } })]).toEqual([action, resource, false]);
      }
      // Neither workspace role can be re-trusted or re-policied by a member admin (else it could assume it).
      for (const phase of ['plan', 'apply'] as const) {
        for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRole']) {
          expect(decide(scps, adminOf(a.accountId), action, hcpRoleOf(a.accountId, phase))).toBe('ExplicitDeny');
        }
      }
    }
    // The central and account workspaces' roles of other accounts than the guarded ones are not named (the management account is never guarded).
    expect(text).not.toContain(`${MANAGEMENT}:role/cloudtrail-fleet/`);
  });

  test('HCP Terraform at 300 accounts: the workspace roles by name, and no member admin can mint one', () => {
    const config = configOf(guardFleet(300, { deliveries: true, bootstrap: 'hcp' }));
    const scps = fleetServiceControlPolicies(config);
    expect(scps.encoding).toBe('by-name');
    expect(scps.policies).toHaveLength(1);
    const [statement] = scps.policies[0].document.Statement;
    expect(statement.Condition).toEqual({
      ArnNotLike: {
        'aws:PrincipalArn': [
          'arn:aws:iam::*:role/OrganizationAccountAccessRole',
          'arn:aws:iam::*:role/cloudtrail-fleet/cloudtrail-account-*-apply',
          'arn:aws:iam::*:role/cloudtrail-fleet/cloudtrail-account-*-plan',
        ],
      },
    });
    const a = memberId(123);
    for (const phase of ['plan', 'apply'] as const) {
      expect(decide(scps, adminOf(a), 'iam:CreateRole', hcpRoleOf(a, phase))).toBe('ExplicitDeny');
      // A role named like another account's workspace role, in this account: matches the exempt pattern, so it cannot be created.
      expect(decide(scps, adminOf(a), 'iam:CreateRole', `arn:aws:iam::${a}:role/cloudtrail-fleet/cloudtrail-account-999999999999-${phase}`)).toBe('ExplicitDeny');
    }
    expect(decide(scps, adminOf(a), 'cloudtrail:StopLogging', `arn:aws:cloudtrail:us-east-2:${a}:trail/trail-1`)).toBe('ExplicitDeny');
    expect(decide(scps, hcpRoleOf(a), 'cloudtrail:StopLogging', `arn:aws:cloudtrail:us-east-2:${a}:trail/trail-1`)).toBe('Allow');
    expect(decide(scps, adminOf(a), 'iam:CreateRole', `arn:aws:iam::${a}:role/app-role`)).toBe('Allow');
  });

  test('the bootstrap administrator role is exempt (a re-apply of bootstrap updates the deployer roles) and protected', () => {
    for (const bootstrap of ['principal', 'hcp'] as const) {
      const config = configOf(guardFleet(2, { bootstrap }));
      const scps = policiesOf(config, ['per-account']);
      for (const a of guardedAccounts(config)) {
        expect(a.exemptRoleArns).toEqual([...a.deployerRoleArns, adminRoleOf(a.accountId)].sort());
        for (const deployer of a.deployerRoleArns) {
          for (const action of ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePolicy']) {
            expect([bootstrap, action, decide(scps, adminRoleOf(a.accountId), action, deployer)]).toEqual([bootstrap, action, 'Allow']);
            expect([bootstrap, action, decide(scps, adminOf(a.accountId), action, deployer)]).toEqual([bootstrap, action, 'ExplicitDeny']);
          }
        }
        expect(decide(scps, adminOf(a.accountId), 'iam:UpdateAssumeRolePolicy', adminRoleOf(a.accountId))).toBe('ExplicitDeny');
        expect(decide(scps, adminOf(a.accountId), 'iam:AttachRolePolicy', adminRoleOf(a.accountId))).toBe('ExplicitDeny');
        // An exempt role that does not exist yet (an invited account has no OrganizationAccountAccessRole) cannot be minted by a member admin;
        // bootstrap's administrator role may create the deployer roles after the policy is attached.
        expect(decide(scps, adminOf(a.accountId), 'iam:CreateRole', adminRoleOf(a.accountId))).toBe('ExplicitDeny');
        for (const deployer of a.deployerRoleArns) {
          expect(decide(scps, adminOf(a.accountId), 'iam:CreateRole', deployer)).toBe('ExplicitDeny');
          expect(decide(scps, adminRoleOf(a.accountId), 'iam:CreateRole', deployer)).toBe('Allow');
        }
        expect(decide(scps, adminOf(a.accountId), 'iam:CreateRole', `arn:aws:iam::${a.accountId}:role/app-role`)).toBe('Allow');
      }
    }
  });

  test('without bootstrap the administrator role is not exempt by itself (list it in exemptPrincipals)', () => {
    const config = configOf(guardFleet(2));
    const scps = fleetServiceControlPolicies(config);
    const a = memberId(0);
    expect(guardedAccounts(config)[0].exemptRoleArns).toEqual([deployerOf(a)]);
    expect(decide(scps, adminRoleOf(a), 'iam:PutRolePolicy', deployerOf(a))).toBe('ExplicitDeny');
  });

  test("a CI principal with bootstrap's default roles: the default role is the deployer of each account", () => {
    const config = configOf(guardFleet(2, { deliveries: true, bootstrap: 'principal' }));
    const scps = fleetServiceControlPolicies(config);
    for (const a of guardedAccounts(config)) {
      expect(a.deployerRoleArns).toEqual([defaultDeployerOf(a.accountId)]);
      const key = `arn:aws:kms:us-east-2:${a.accountId}:key/${KEY_ID}`;
      expect(decide(scps, defaultDeployerOf(a.accountId), 'kms:PutKeyPolicy', key, KEY_TAG)).toBe('Allow');
      expect(decide(scps, adminOf(a.accountId), 'kms:PutKeyPolicy', key, KEY_TAG)).toBe('ExplicitDeny');
      expect(decide(scps, deployerOf(a.accountId), 'kms:PutKeyPolicy', key, KEY_TAG)).toBe('ExplicitDeny');
    }
  });
});
