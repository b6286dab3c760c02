/**
 * The guard and bootstrap together (docs/guard.md, "Who is exempt"): the
 * roles the service control policy exempts are the ones the bootstrap
 * contract names (modules/deployer-roles.ts), so a guarded fleet is accepted
 * when bootstrap defines its deployer roles (a CI principal's default roles,
 * HCP Terraform's plan and apply roles) and rejected, with its path and the
 * fix, when no role deploys a guarded stack.
 */
import { configOf, issuesOf } from '../../helpers/fleet';
import { adminRoleOf, defaultDeployerOf, guardFleet, hcpRoleOf, MANAGEMENT, memberId } from '../../helpers/guard-fleet';
import { bootstrapAdminRoleArn, deployerRoleArns } from '../../../modules/guard/deployers';
import { guardedAccounts } from '../../../modules/guard/scope';
import { configWarnings } from '../../../config/warnings';

const NO_ROLE = (what: string, field: string) =>
  `guard.prevention exempts the role that deploys ${what} from its service control policy, but none is named: set ${field} (the role Terraform assumes there), ` +
  'or let bootstrap.deployer define the deployer roles (docs/bootstrap.md); without it the first apply after the policy is attached would be denied';

/** A guarded fleet whose accounts name no role and that has no bootstrap. */
function noRoles(n: number): any {
  const raw = guardFleet(n);
  delete raw.central.assumeRoleArn;
  for (const a of raw.accounts) delete a.assumeRoleArn;
  return raw;
}

describe('every guarded stack needs a deployer role the policy exempts', () => {
  test('no role at all: each member account is rejected at its first entry (the management account is out of reach of SCPs)', () => {
    expect(issuesOf(noRoles(2))).toEqual([
      { path: 'accounts[1].assumeRoleArn', message: NO_ROLE(`account ${memberId(0)}`, 'assumeRoleArn') },
      { path: 'accounts[2].assumeRoleArn', message: NO_ROLE(`account ${memberId(1)}`, 'assumeRoleArn') },
    ]);
  });

  test("bootstrap's roles are accepted in place of named ones: a CI principal's default role, HCP Terraform's workspace roles", () => {
    for (const bootstrap of ['principal', 'hcp'] as const) {
      const raw = noRoles(2);
      const defined = guardFleet(2, { bootstrap });
      const config = configOf({ ...raw, backend: defined.backend, bootstrap: defined.bootstrap });
      for (const a of guardedAccounts(config)) {
        const expected = bootstrap === 'hcp' ? [hcpRoleOf(a.accountId, 'apply'), hcpRoleOf(a.accountId, 'plan')] : [defaultDeployerOf(a.accountId)];
        expect(a.deployerRoleArns).toEqual(expected);
        expect(deployerRoleArns(config, a.accountId)).toEqual(expected);
      }
    }
  });

  test('a member account holding the central key: central.assumeRoleArn, unless bootstrap defines the role', () => {
    const logArchive = (raw: any) => ({ ...raw, central: { ...raw.central, accountId: '333333333333' } });
    expect(issuesOf(logArchive(noRoles(1)))).toEqual([
      { path: 'central.assumeRoleArn', message: NO_ROLE('the central key (account 333333333333)', 'central.assumeRoleArn') },
      { path: `accounts[1].assumeRoleArn`, message: NO_ROLE(`account ${memberId(0)}`, 'assumeRoleArn') },
    ]);
    for (const bootstrap of ['principal', 'hcp'] as const) {
      const config = configOf(logArchive(guardFleet(1, { bootstrap })));
      const central = guardedAccounts(config).find((a) => a.accountId === '333333333333')!;
      expect(central.deployerRoleArns).toEqual(
        bootstrap === 'hcp'
          ? ['arn:aws:iam::333333333333:role/cloudtrail-fleet/cloudtrail-central-apply', 'arn:aws:iam::333333333333:role/cloudtrail-fleet/cloudtrail-central-plan']
          : [defaultDeployerOf('333333333333')],
      );
    }
  });

  test("a member central account without a key but with the guard's forwarding rule (deliverTo: snsTopic) is guarded too", () => {
    const raw = { ...noRoles(1), central: { accountId: '333333333333', region: 'us-east-2', bucketName: 'my-bucket', kmsKey: false } };
    raw.guard.detection = { deliverTo: 'snsTopic' };
    raw.accounts = raw.accounts.map((a: any) => ({ ...a, kmsKey: 'none' }));
    expect(issuesOf(raw)).toEqual([
      { path: 'central.assumeRoleArn', message: NO_ROLE("the guard's forwarding rule (account 333333333333)", 'central.assumeRoleArn') },
      { path: 'accounts[1].assumeRoleArn', message: NO_ROLE(`account ${memberId(0)}`, 'assumeRoleArn') },
    ]);
    const withBus = { ...raw, guard: { ...raw.guard, detection: { deliverTo: 'eventBus' } } };
    expect(issuesOf(withBus)).toEqual([{ path: 'accounts[1].assumeRoleArn', message: NO_ROLE(`account ${memberId(0)}`, 'assumeRoleArn') }]);
  });

  test('the management account needs no exempt role: SCPs never apply there', () => {
    const raw = guardFleet(1);
    delete raw.central.assumeRoleArn;
    delete raw.accounts[0].assumeRoleArn; // the management account's organization trail
    expect(() => configOf(raw)).not.toThrow();
  });
});

describe('the bootstrap administrator role', () => {
  test('is exempt in every guarded account when bootstrap is configured (adminRoleName, default OrganizationAccountAccessRole)', () => {
    const config = configOf(guardFleet(2, { bootstrap: 'principal' }));
    for (const a of guardedAccounts(config)) expect(a.exemptRoleArns).toContain(adminRoleOf(a.accountId));
    const renamed = guardFleet(1, { bootstrap: 'principal' });
    renamed.bootstrap.adminRoleName = 'AWSControlTowerExecution';
    const c = configOf(renamed);
    expect(bootstrapAdminRoleArn(c, memberId(0))).toBe(`arn:aws:iam::${memberId(0)}:role/AWSControlTowerExecution`);
    expect(guardedAccounts(c)[0].exemptRoleArns).toEqual([`arn:aws:iam::${memberId(0)}:role/AWSControlTowerExecution`, defaultDeployerOf(memberId(0))]);
  });

  test('is not known without bootstrap', () => {
    expect(bootstrapAdminRoleArn(configOf(guardFleet(1)), memberId(0))).toBeUndefined();
  });

  test('administrator credentials of a guarded member account (adminAccountId) get a warning: the policy does not exempt them', () => {
    const raw = guardFleet(2, { bootstrap: 'principal' });
    raw.bootstrap.adminAccountId = memberId(1);
    const warnings = configWarnings(configOf(raw)).filter((w) => w.path === 'bootstrap.adminAccountId');
    expect(warnings).toEqual([
      {
        path: 'bootstrap.adminAccountId',
        message:
          `the bootstrap stack of member account ${memberId(1)} applies with the administrator credentials themselves, not the role OrganizationAccountAccessRole; ` +
          'the service control policy exempts only that role, so a later bootstrap apply there cannot update the deployer roles: list the administrator\'s role in guard.prevention.exemptPrincipals, ' +
          'or leave adminAccountId out (the management account, which service control policies never reach)',
      },
    ]);
    expect(configWarnings(configOf(guardFleet(2, { bootstrap: 'principal' }))).filter((w) => w.path === 'bootstrap.adminAccountId')).toEqual([]);
  });
});

describe("the cloudtrail-guard stack's role", () => {
  test('with HCP Terraform, guard.prevention.assumeRoleArn is rejected like every assumeRoleArn (the workspace credentials are the role)', () => {
    const raw = guardFleet(1, { bootstrap: 'hcp' });
    raw.guard.prevention.assumeRoleArn = `arn:aws:iam::${MANAGEMENT}:role/TerraformDeploy`;
    expect(issuesOf(raw)).toEqual([
      {
        path: 'guard.prevention.assumeRoleArn',
        message:
          `with bootstrap.deployer.hcpTerraform the cloudtrail-guard workspace's dynamic credentials already are its apply role (arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-guard-apply); ` +
          'a provider assume_role would replace them (HCP Terraform docs: no other credentials settings in the provider): remove guard.prevention.assumeRoleArn',
      },
    ]);
  });

  test("with a CI principal: guard.prevention.assumeRoleArn, else the management account's role, else bootstrap's default", () => {
    const written = guardFleet(1, { bootstrap: 'principal' });
    written.guard.prevention.assumeRoleArn = `arn:aws:iam::${MANAGEMENT}:role/GuardDeploy`;
    expect(configOf(written).guard!.assumeRoleArn).toBe(`arn:aws:iam::${MANAGEMENT}:role/GuardDeploy`);
    const central = guardFleet(1, { bootstrap: 'principal' });
    central.central.assumeRoleArn = `arn:aws:iam::${MANAGEMENT}:role/LogArchive`;
    expect(configOf(central).guard!.assumeRoleArn).toBe(`arn:aws:iam::${MANAGEMENT}:role/LogArchive`);
    expect(configOf(guardFleet(1, { bootstrap: 'principal' })).guard!.assumeRoleArn).toBe(defaultDeployerOf(MANAGEMENT));
    // Without bootstrap: only what is written; with HCP Terraform: none.
    expect(configOf(guardFleet(1)).guard!.assumeRoleArn).toBeUndefined();
    expect(configOf(guardFleet(1, { bootstrap: 'hcp' })).guard!.assumeRoleArn).toBeUndefined();
  });

  test("two roles of the management account with the same name are refused (IAM role names are unique in an account)", () => {
    const raw = guardFleet(1, { bootstrap: 'principal' });
    raw.guard.prevention.assumeRoleArn = `arn:aws:iam::${MANAGEMENT}:role/ops/cloudtrail-fleet-deployer`;
    expect(issuesOf(raw)).toEqual([
      {
        path: 'guard.prevention.assumeRoleArn',
        message: expect.stringMatching(/^"arn:aws:iam::111111111111:role\/ops\/cloudtrail-fleet-deployer" and "arn:aws:iam::111111111111:role\/cloudtrail-fleet\/cloudtrail-fleet-deployer" are two roles of account 111111111111 with the same name/),
      },
    ]);
  });
});
