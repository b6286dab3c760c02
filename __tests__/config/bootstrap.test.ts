/**
 * The `bootstrap` key: its defaults, the deployer role every stack assumes
 * with a CI principal, and every bad input rejected with its config path, the
 * value, the rule and the fix.
 */
import { configOf, issuesOf, rawWith } from '../helpers/fleet';

const CI = 'arn:aws:iam::999999999999:role/ci-deployer';
const withPrincipal = (extra: Record<string, unknown> = {}) => (r: any) => (r.bootstrap = { deployer: { principalArn: CI, ...extra } });
const cloud = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' };
const withHcp = (hcpTerraform: unknown = true) => (r: any) => {
  r.backend = { ...cloud };
  r.bootstrap = { deployer: { hcpTerraform } };
};

describe('resolution', () => {
  test('a CI principal: every stack assumes the default deployer role of its account', () => {
    const c = configOf(rawWith(withPrincipal()));
    expect(c.bootstrap).toEqual({ adminRoleName: 'OrganizationAccountAccessRole', deployer: { kind: 'principal', principalArn: CI, roleName: 'cloudtrail-fleet-deployer' } });
    expect(c.central.assumeRoleArn).toBe('arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-fleet-deployer');
    expect(c.trails.map((t) => t.assumeRoleArn)).toEqual(['arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-fleet-deployer']);
  });

  test('roleName renames the default role; a role the config names is kept', () => {
    const c = configOf(
      rawWith((r) => {
        withPrincipal({ roleName: 'ct-deployer' })(r);
        r.accounts.push({ accountId: '333333333333', assumeRoleArn: 'arn:aws:iam::333333333333:role/TerraformDeploy' });
      }),
    );
    expect(c.trails.map((t) => [t.accountId, t.assumeRoleArn])).toEqual([
      ['222222222222', 'arn:aws:iam::222222222222:role/cloudtrail-fleet/ct-deployer'],
      ['333333333333', 'arn:aws:iam::333333333333:role/TerraformDeploy'],
    ]);
  });

  test("the central account keeps one role: the central stack takes the one its trails name, and the other way round", () => {
    const trailsName = configOf(
      rawWith((r) => {
        withPrincipal()(r);
        r.accounts.push({ accountId: '111111111111', assumeRoleArn: 'arn:aws:iam::111111111111:role/LogArchiveDeploy' });
      }),
    );
    expect(trailsName.central.assumeRoleArn).toBe('arn:aws:iam::111111111111:role/LogArchiveDeploy');
    const centralNames = configOf(
      rawWith((r) => {
        withPrincipal()(r);
        r.central.assumeRoleArn = 'arn:aws:iam::111111111111:role/LogArchiveDeploy';
        r.accounts.push({ accountId: '111111111111' });
      }),
    );
    expect(centralNames.trails.find((t) => t.accountId === '111111111111')!.assumeRoleArn).toBe('arn:aws:iam::111111111111:role/LogArchiveDeploy');
  });

  test('the administrator account defaults to the management account; adminAccountId and adminRoleName override', () => {
    const org = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
    expect(configOf(rawWith((r) => ((r.organization = org), withPrincipal()(r)))).bootstrap!.adminAccountId).toBe('111111111111');
    expect(configOf(rawWith(withPrincipal())).bootstrap!.adminAccountId).toBeUndefined();
    const c = configOf(rawWith((r) => ((r.organization = org), (r.bootstrap = { adminAccountId: '555555555555', adminRoleName: 'AWSControlTowerExecution', deployer: { principalArn: CI } }))));
    expect(c.bootstrap).toMatchObject({ adminAccountId: '555555555555', adminRoleName: 'AWSControlTowerExecution' });
  });

  test('HCP Terraform: host, organization, project and prefix come from the cloud backend, with HCP Terraform\'s defaults', () => {
    const c = configOf(rawWith(withHcp()));
    expect(c.bootstrap!.deployer).toEqual({
      kind: 'hcpTerraform',
      hostname: 'app.terraform.io',
      organization: 'acme',
      project: 'Default Project',
      workspacePrefix: 'ct-',
      audience: 'aws.workload.identity',
      oidcThumbprints: [],
      existingOidcProvider: [],
    });
    // No stack assumes a role: the workspace's credentials are the role.
    expect([c.central.assumeRoleArn, ...c.trails.map((t) => t.assumeRoleArn)]).toEqual([undefined, undefined]);
    const tfe = configOf(
      rawWith((r) => {
        withHcp({ oidcThumbprints: ['9E99A48A9960B14926BB7F3B02E22DA2B0AB7280'], existingOidcProvider: ['222222222222'] })(r);
        r.backend = { ...cloud, hostname: 'tfe.example.com', project: 'logging' };
      }),
    );
    expect(tfe.bootstrap!.deployer).toMatchObject({ hostname: 'tfe.example.com', project: 'logging', oidcThumbprints: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'], existingOidcProvider: ['222222222222'] });
  });

  test('without bootstrap nothing changes: no role is added to any stack', () => {
    const c = configOf(rawWith(() => undefined));
    expect(c.bootstrap).toBeUndefined();
    expect([c.central.assumeRoleArn, ...c.trails.map((t) => t.assumeRoleArn)]).toEqual([undefined, undefined]);
  });
});

describe('bad inputs, each rejected with its path, the value, the rule and the fix', () => {
  const CASES: [string, (r: any) => void, string, RegExp][] = [
    [
      'both deployers',
      (r) => (r.bootstrap = { deployer: { principalArn: CI, hcpTerraform: true } }),
      'bootstrap.deployer',
      /^bootstrap\.deployer takes exactly one of principalArn or hcpTerraform; principalArn and hcpTerraform are set$/,
    ],
    ['no deployer kind', (r) => (r.bootstrap = { deployer: {} }), 'bootstrap.deployer', /^bootstrap\.deployer takes exactly one of principalArn or hcpTerraform; none is set$/],
    ['no deployer at all', (r) => (r.bootstrap = {}), 'bootstrap.deployer', /^required: add this key \(a mapping\)$/],
    [
      'an account root as the principal',
      withPrincipal({ principalArn: 'arn:aws:iam::999999999999:root' }),
      'bootstrap.deployer.principalArn',
      /^"arn:aws:iam::999999999999:root" is an account root: it would let every principal of that account assume the deployer roles; name the one CI role or user, e.g\. arn:aws:iam::999999999999:role\/ci-deployer$/,
    ],
    [
      'a principal that is not an IAM ARN',
      withPrincipal({ principalArn: 'arn:aws:sts::999999999999:assumed-role/ci/session' }),
      'bootstrap.deployer.principalArn',
      /^"arn:aws:sts::999999999999:assumed-role\/ci\/session" is a sts ARN; expected an IAM role or user ARN such as arn:aws:iam::111111111111:role\/ci-deployer$/,
    ],
    [
      'a principal of another partition',
      withPrincipal({ principalArn: 'arn:aws-us-gov:iam::999999999999:role/ci' }),
      'bootstrap.deployer.principalArn',
      /^"arn:aws-us-gov:iam::999999999999:role\/ci" is in partition aws-us-gov, but partition is aws; roles of partition aws can only trust a principal of the same partition \(write arn:aws:\.\.\.\)$/,
    ],
    [
      'the principal itself as a stack role',
      (r) => (withPrincipal({ principalArn: 'arn:aws:iam::222222222222:role/ci' })(r), (r.accounts[0].assumeRoleArn = 'arn:aws:iam::222222222222:role/ci')),
      'accounts[0].assumeRoleArn',
      /^"arn:aws:iam::222222222222:role\/ci" is bootstrap\.deployer\.principalArn itself; .*leave assumeRoleArn out to get cloudtrail-fleet\/cloudtrail-fleet-deployer$/,
    ],
    [
      'two roles of one account with the same name',
      (r) => {
        withPrincipal()(r);
        r.central.assumeRoleArn = 'arn:aws:iam::111111111111:role/ops/Deploy';
        r.accounts.push({ accountId: '111111111111', assumeRoleArn: 'arn:aws:iam::111111111111:role/ci/deploy' });
      },
      'accounts[1].assumeRoleArn',
      /^"arn:aws:iam::111111111111:role\/ci\/deploy" and "arn:aws:iam::111111111111:role\/ops\/Deploy" are two roles of account 111111111111 with the same name; IAM role names are unique in an account whatever the path.*give them different names, or name the same role$/,
    ],
    [
      'hcpTerraform: false',
      (r) => (r.bootstrap = { deployer: { hcpTerraform: false } }),
      'bootstrap.deployer.hcpTerraform',
      /^hcpTerraform must be true or a mapping of options \(oidcThumbprints, existingOidcProvider\); to have a CI role or user assume the deployer roles instead, set principalArn$/,
    ],
    [
      'HCP Terraform with the local backend',
      (r) => (r.bootstrap = { deployer: { hcpTerraform: true } }),
      'bootstrap.deployer.hcpTerraform',
      /^HCP Terraform dynamic credentials are given to workspaces of the cloud backend, but backend\.type is local; set backend: \{ type: cloud, organization: <your organization> \}.*or use bootstrap\.deployer\.principalArn/,
    ],
    [
      'HCP Terraform with an account role',
      (r) => (withHcp()(r), (r.accounts[0].assumeRoleArn = 'arn:aws:iam::222222222222:role/TerraformDeploy')),
      'accounts[0].assumeRoleArn',
      /^with bootstrap\.deployer\.hcpTerraform each workspace's dynamic credentials already are its stack's apply role \(arn:aws:iam::<account>:role\/cloudtrail-fleet\/cloudtrail-account-222222222222-apply\); a provider assume_role would replace them .*: remove assumeRoleArn$/,
    ],
    [
      'HCP Terraform with a central role',
      (r) => (withHcp()(r), (r.central.assumeRoleArn = 'arn:aws:iam::111111111111:role/TerraformDeploy')),
      'central.assumeRoleArn',
      /^with bootstrap\.deployer\.hcpTerraform .*cloudtrail-central-apply\).*: remove central\.assumeRoleArn$/,
    ],
    [
      'HCP Terraform on a host with a port',
      (r) => (withHcp()(r), (r.backend.hostname = 'tfe.example.com:8443')),
      'backend.hostname',
      /^"tfe\.example\.com:8443" has a port, but an IAM OIDC provider URL cannot \(IAM CreateOpenIDConnectProvider\).*serve Terraform Enterprise on port 443 or use bootstrap\.deployer\.principalArn$/,
    ],
    [
      'roleName with HCP Terraform',
      (r) => (withHcp()(r), (r.bootstrap.deployer.roleName = 'x')),
      'bootstrap.deployer.roleName',
      /^roleName names the role principalArn assumes; with hcpTerraform each workspace gets its own roles \(<stack>-plan and <stack>-apply\): remove roleName$/,
    ],
    [
      'a thumbprint that is not one',
      withHcp({ oidcThumbprints: ['9E:99:A4'] }),
      'bootstrap.deployer.hcpTerraform.oidcThumbprints[0]',
      /^"9E:99:A4" is not a certificate thumbprint \(the SHA-1 fingerprint: 40 hexadecimal digits, no colons\)$/,
    ],
    [
      'an existing OIDC provider in an account outside the fleet',
      withHcp({ existingOidcProvider: ['333333333333'] }),
      'bootstrap.deployer.hcpTerraform.existingOidcProvider',
      /^account 333333333333 is not one the fleet deploys into .*remove it from existingOidcProvider$/,
    ],
    [
      'an admin role name with a path',
      (r) => (r.bootstrap = { adminRoleName: 'org/OrganizationAccountAccessRole', deployer: { principalArn: CI } }),
      'bootstrap.adminRoleName',
      /^IAM role names may contain only letters, digits and \+ = , \. @ _ -; "org\/OrganizationAccountAccessRole" contains "\/"$/,
    ],
    [
      'an admin account id written as a number',
      (r) => (r.bootstrap = { adminAccountId: 555555555555, deployer: { principalArn: CI } }),
      'bootstrap.adminAccountId',
      /YAML read 555555555555 as a number.*Write it in quotes/,
    ],
    [
      'a typo in a bootstrap key',
      (r) => (r.bootstrap = { adminRoleNme: 'x', deployer: { principalArn: CI } }),
      'bootstrap',
      /^unknown key "adminRoleNme" \(did you mean "adminRoleName"\?\); valid keys here: adminRoleName, adminAccountId, deployer$/,
    ],
  ];

  test.each(CASES)('%s', (_name, change, path, message) => {
    expect(issuesOf(rawWith(change))).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});
