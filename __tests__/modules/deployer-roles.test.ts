/**
 * The deployer role contract other parts of the fleet rely on (the guard's
 * SCP exemption, doctor, deploy): `deployerRoleArns(config, accountId)`.
 */
import { deployerRoleArns, deployerRoleRefs, fleetAccountIds, fleetStacks, roleNameAndPath } from '../../modules/deployer-roles';
import { configOf, rawWith } from '../helpers/fleet';

const CI = 'arn:aws:iam::999999999999:role/ci-deployer';
const hcp = (r: any) => {
  r.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' };
  r.bootstrap = { deployer: { hcpTerraform: true } };
};
const centralHasTrails = (r: any) => r.accounts.push({ accountId: '111111111111' });

describe('HCP Terraform: a plan and an apply role per workspace, in the stack account, path /cloudtrail-fleet/', () => {
  test('the account stack and the central stack', () => {
    const c = configOf(rawWith(hcp));
    expect(deployerRoleArns(c, '222222222222')).toEqual([
      'arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-account-222222222222-apply',
      'arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-account-222222222222-plan',
    ]);
    expect(deployerRoleArns(c, '111111111111')).toEqual([
      'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-central-apply',
      'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-central-plan',
    ]);
  });

  test('the central account with trails of its own has both workspaces: four roles', () => {
    const c = configOf(rawWith((r) => (hcp(r), centralHasTrails(r))));
    expect(deployerRoleArns(c, '111111111111')).toEqual([
      'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-account-111111111111-apply',
      'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-account-111111111111-plan',
      'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-central-apply',
      'arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-central-plan',
    ]);
    expect(deployerRoleRefs(c, '111111111111').map((r) => [r.kind, r.workspace])).toEqual([
      ['apply', 'ct-cloudtrail-account-111111111111'],
      ['plan', 'ct-cloudtrail-account-111111111111'],
      ['apply', 'ct-cloudtrail-central'],
      ['plan', 'ct-cloudtrail-central'],
    ]);
  });
});

describe('a CI principal: the role each stack assumes', () => {
  test('central.assumeRoleArn for the central account, the account assumeRoleArn for an account (defaults filled in)', () => {
    const c = configOf(rawWith((r) => (r.bootstrap = { deployer: { principalArn: CI } })));
    expect(deployerRoleArns(c, '111111111111')).toEqual(['arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-fleet-deployer']);
    expect(deployerRoleArns(c, '222222222222')).toEqual(['arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-fleet-deployer']);
  });

  test('one role serves both stacks of the central account; two named roles stay two', () => {
    const one = configOf(rawWith((r) => ((r.bootstrap = { deployer: { principalArn: CI } }), centralHasTrails(r))));
    expect(deployerRoleRefs(one, '111111111111').map((r) => r.stacks)).toEqual([['cloudtrail-central', 'cloudtrail-account-111111111111']]);
    const two = configOf(
      rawWith((r) => {
        r.bootstrap = { deployer: { principalArn: CI } };
        r.central.assumeRoleArn = 'arn:aws:iam::111111111111:role/LogArchive';
        r.accounts.push({ accountId: '111111111111', assumeRoleArn: 'arn:aws:iam::111111111111:role/Trails' });
      }),
    );
    expect(deployerRoleArns(two, '111111111111')).toEqual(['arn:aws:iam::111111111111:role/LogArchive', 'arn:aws:iam::111111111111:role/Trails']);
  });
});

test('without bootstrap: the roles the config names, if any', () => {
  expect(deployerRoleArns(configOf(rawWith(() => undefined)), '222222222222')).toEqual([]);
  const named = configOf(rawWith((r) => (r.accounts[0].assumeRoleArn = 'arn:aws:iam::222222222222:role/TerraformDeploy')));
  expect(deployerRoleArns(named, '222222222222')).toEqual(['arn:aws:iam::222222222222:role/TerraformDeploy']);
});

test('an account the fleet does not deploy into has no roles; one whose trails are leaving keeps its stack and roles', () => {
  const c = configOf(
    rawWith((r) => {
      hcp(r);
      r.accounts.push({ accountId: '333333333333', lifecycle: 'retain' });
    }),
  );
  expect(deployerRoleArns(c, '444444444444')).toEqual([]);
  expect(deployerRoleArns(c, '333333333333')).toHaveLength(2);
  expect(fleetAccountIds(c)).toEqual(['111111111111', '222222222222', '333333333333']);
  expect(fleetStacks(c).map((s) => s.name)).toEqual(['cloudtrail-central', 'cloudtrail-account-222222222222', 'cloudtrail-account-333333333333']);
});

test('role names and paths as IAM stores them', () => {
  expect(roleNameAndPath('arn:aws:iam::1:role/TerraformDeploy')).toEqual({ name: 'TerraformDeploy', path: '/' });
  expect(roleNameAndPath('arn:aws:iam::1:role/cloudtrail-fleet/x')).toEqual({ name: 'x', path: '/cloudtrail-fleet/' });
  expect(roleNameAndPath('arn:aws:iam::1:role/a/b/c')).toEqual({ name: 'c', path: '/a/b/' });
});
