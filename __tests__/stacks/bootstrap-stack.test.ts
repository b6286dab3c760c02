/**
 * The bootstrap stacks as synthesized (cloudtrail-fleet bootstrap): one per
 * account the fleet deploys into, outside the main app, each with its
 * provider, backend, OIDC provider and roles, every policy parsed.
 */
import { bootstrapRoles } from '../../modules/bootstrap-roles';
import { renderPolicy } from '../../modules/policies/document';
import { awsProvidersOf, configOf, onlyResource, parsePolicy, rawWith, resourcesOf, stackOf, synthFleet } from '../helpers/fleet';
import { allRoles, synthBootstrapStacks } from '../helpers/bootstrap';

const CI = 'arn:aws:iam::999999999999:role/ci-deployer';
const ORG = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
const principal = (r: any) => (r.bootstrap = { deployer: { principalArn: CI } });
const hcp = (options: unknown = true) => (r: any) => {
  r.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-', project: 'logging' };
  r.bootstrap = { deployer: { hcpTerraform: options } };
};
const centralHasTrails = (r: any) => r.accounts.push({ accountId: '111111111111' });

describe('one bootstrap stack per account, outside the main app', () => {
  const config = configOf(rawWith((r) => (principal(r), centralHasTrails(r), r.accounts.push({ accountId: '333333333333', lifecycle: 'retain' }))));
  const { stacks } = synthBootstrapStacks(config);

  test('the central account once (it also has trails), every account with a stack, nothing else', () => {
    expect([...stacks.keys()]).toEqual(['cloudtrail-bootstrap-111111111111', 'cloudtrail-bootstrap-222222222222', 'cloudtrail-bootstrap-333333333333']);
  });

  test("the main app (cdktf deploy '*') does not contain them", () => {
    expect([...synthFleet(config).keys()].filter((s) => s.includes('bootstrap'))).toEqual([]);
  });

  test('each role is created with its trust policy and its permissions, as computed', () => {
    for (const [name, stack] of stacks) {
      const account = name.replace('cloudtrail-bootstrap-', '');
      const expected = bootstrapRoles(config, account);
      const roles = resourcesOf(stack, 'aws_iam_role');
      expect(Object.keys(roles)).toEqual(expected.map(() => 'role_cloudtrail-fleet-deployer'));
      const role = roles['role_cloudtrail-fleet-deployer'];
      expect(role).toMatchObject({ name: 'cloudtrail-fleet-deployer', path: '/cloudtrail-fleet/' });
      expect(parsePolicy(role.assume_role_policy)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Sid: 'TrustTheFleetDeployer', Effect: 'Allow', Principal: { AWS: CI }, Action: 'sts:AssumeRole' }],
      });
      const policies = Object.values<any>(resourcesOf(stack, 'aws_iam_role_policy'));
      if (expected[0].statements.length === 0) {
        // 333333333333 only retains its trail: its role may do nothing.
        expect(policies).toEqual([]);
        continue;
      }
      expect(policies).toHaveLength(1);
      expect(policies[0]).toMatchObject({ name: 'cloudtrail-fleet', role: '${aws_iam_role.role_cloudtrail-fleet-deployer.name}' });
      expect(parsePolicy(policies[0].policy).Statement).toEqual(expected[0].statements);
    }
  });

  test('the central account role covers both its stacks: the bucket and key, and its trail', () => {
    const role = allRoles(stacks).get('arn:aws:iam::111111111111:role/cloudtrail-fleet/cloudtrail-fleet-deployer')!;
    const sids = role.permissions.Statement.map((s) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['LogBucket', 'KmsKeys', 'KmsCreateKey', 'CloudTrailTrails', 'KmsKeyLookups']));
  });

  test('outputs: the role ARNs of the account', () => {
    expect(stackOf(stacks, 'cloudtrail-bootstrap-222222222222').output.role_arns.value).toEqual(['arn:aws:iam::222222222222:role/cloudtrail-fleet/cloudtrail-fleet-deployer']);
  });

  test('no static credentials anywhere', () => {
    for (const stack of stacks.values()) {
      const text = JSON.stringify(stack);
      expect(text).not.toMatch(/access_key|secret_key|"token"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
    }
  });
});

describe('the provider: the administrator credentials, through adminRoleName except in their own account', () => {
  test('with an organization, the management account uses the credentials directly; the others assume OrganizationAccountAccessRole', () => {
    const { stacks } = synthBootstrapStacks(configOf(rawWith((r) => ((r.organization = ORG), principal(r)))));
    expect(awsProvidersOf(stackOf(stacks, 'cloudtrail-bootstrap-111111111111'))).toEqual([{ region: 'us-east-2', allowed_account_ids: ['111111111111'] }]);
    expect(awsProvidersOf(stackOf(stacks, 'cloudtrail-bootstrap-222222222222'))).toEqual([
      {
        region: 'us-east-2',
        allowed_account_ids: ['222222222222'],
        assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole', session_name: 'cloudtrail-fleet' }],
      },
    ]);
  });

  test('adminAccountId and adminRoleName decide; without an organization every account is reached through the role', () => {
    const named = synthBootstrapStacks(configOf(rawWith((r) => (r.bootstrap = { adminAccountId: '222222222222', adminRoleName: 'AWSControlTowerExecution', deployer: { principalArn: CI } })))).stacks;
    expect(awsProvidersOf(stackOf(named, 'cloudtrail-bootstrap-222222222222'))[0].assume_role).toBeUndefined();
    expect(awsProvidersOf(stackOf(named, 'cloudtrail-bootstrap-111111111111'))[0].assume_role[0].role_arn).toBe('arn:aws:iam::111111111111:role/AWSControlTowerExecution');
    const none = synthBootstrapStacks(configOf(rawWith(principal))).stacks;
    for (const stack of none.values()) expect(awsProvidersOf(stack)[0].assume_role[0].role_arn).toMatch(/:role\/OrganizationAccountAccessRole$/);
  });
});

describe('state: next to the fleet in S3, else a local file (never an HCP Terraform workspace, which would run without credentials)', () => {
  test("local and cloud backends: a local state file in the fleet's state folder of the project root", () => {
    for (const change of [principal, hcp()]) {
      const { stacks } = synthBootstrapStacks(configOf(rawWith(change)));
      expect(stackOf(stacks, 'cloudtrail-bootstrap-222222222222').terraform.backend).toEqual({
        local: { path: '../../../state/aws-111111111111-my-bucket/terraform.cloudtrail-bootstrap-222222222222.tfstate' },
      });
      expect(stackOf(stacks, 'cloudtrail-bootstrap-222222222222').terraform.cloud).toBeUndefined();
    }
  });
  test('s3 backend: the same bucket, a key per bootstrap stack', () => {
    const { stacks } = synthBootstrapStacks(configOf(rawWith((r) => ((r.backend = { type: 's3', bucket: 'acme-state', region: 'eu-central-1' }), principal(r)))));
    expect(stackOf(stacks, 'cloudtrail-bootstrap-222222222222').terraform.backend.s3).toMatchObject({
      bucket: 'acme-state',
      key: 'cloudtrail-fleet/cloudtrail-bootstrap-222222222222.tfstate',
      region: 'eu-central-1',
      encrypt: true,
      use_lockfile: true,
    });
  });
});

describe('HCP Terraform: the OIDC provider and a plan and an apply role per workspace', () => {
  const config = configOf(rawWith((r) => (hcp()(r), centralHasTrails(r))));
  const { stacks } = synthBootstrapStacks(config);

  test('the OIDC provider for the host, audience aws.workload.identity, no thumbprint (IAM trusts the host by its CA)', () => {
    for (const stack of stacks.values()) {
      expect(onlyResource(stack, 'aws_iam_openid_connect_provider')).toMatchObject({ url: 'https://app.terraform.io', client_id_list: ['aws.workload.identity'] });
      expect(onlyResource(stack, 'aws_iam_openid_connect_provider').thumbprint_list).toBeUndefined();
      expect(awsProvidersOf(stack)[0].assume_role[0].role_arn).toMatch(/:role\/OrganizationAccountAccessRole$/);
    }
  });

  test('roles per workspace with exact subjects, each depending on the OIDC provider', () => {
    const central = stackOf(stacks, 'cloudtrail-bootstrap-111111111111');
    const roles = resourcesOf(central, 'aws_iam_role');
    expect(Object.keys(roles).sort()).toEqual([
      'role_cloudtrail-account-111111111111-apply',
      'role_cloudtrail-account-111111111111-plan',
      'role_cloudtrail-central-apply',
      'role_cloudtrail-central-plan',
    ]);
    const plan = roles['role_cloudtrail-central-plan'];
    expect(plan).toMatchObject({ name: 'cloudtrail-central-plan', path: '/cloudtrail-fleet/', depends_on: ['aws_iam_openid_connect_provider.hcp_terraform_oidc_provider'] });
    expect(parsePolicy(plan.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TrustTheWorkspacePlanPhase',
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/app.terraform.io' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'app.terraform.io:aud': 'aws.workload.identity',
              'app.terraform.io:sub': 'organization:acme:project:logging:workspace:ct-cloudtrail-central:run_phase:plan',
            },
          },
        },
      ],
    });
    // No wildcard in any trust condition.
    for (const stack of stacks.values()) for (const r of Object.values<any>(resourcesOf(stack, 'aws_iam_role'))) expect(r.assume_role_policy).not.toContain('*');
  });

  test('the plan roles get reads only; each role its own inline policy', () => {
    for (const role of allRoles(stacks).values()) {
      expect(role.inline).toBe(1);
      if (role.arn.endsWith('-plan')) for (const s of role.permissions.Statement) for (const a of ([] as string[]).concat(s.Action)) expect(a).toMatch(/:(Get|List|Describe)/);
    }
  });

  test('existingOidcProvider: that account gets no provider, and its roles trust the existing one by ARN; thumbprints are kept', () => {
    const c = configOf(rawWith(hcp({ existingOidcProvider: ['222222222222'], oidcThumbprints: ['9E99A48A9960B14926BB7F3B02E22DA2B0AB7280'] })));
    const s = synthBootstrapStacks(c).stacks;
    expect(resourcesOf(stackOf(s, 'cloudtrail-bootstrap-222222222222'), 'aws_iam_openid_connect_provider')).toEqual({});
    const apply = resourcesOf(stackOf(s, 'cloudtrail-bootstrap-222222222222'), 'aws_iam_role')['role_cloudtrail-account-222222222222-apply'];
    expect(apply.depends_on).toBeUndefined();
    expect(parsePolicy(apply.assume_role_policy).Statement[0].Principal).toEqual({ Federated: 'arn:aws:iam::222222222222:oidc-provider/app.terraform.io' });
    expect(onlyResource(stackOf(s, 'cloudtrail-bootstrap-111111111111'), 'aws_iam_openid_connect_provider').thumbprint_list).toEqual(['9e99a48a9960b14926bb7f3b02e22da2b0ab7280']);
  });
});

describe('stable and deterministic', () => {
  test('reordering the accounts changes no byte of any bootstrap stack', () => {
    const raw = rawWith((r) => {
      principal(r);
      r.accounts.push({ accountId: '333333333333' }, { accountId: '444444444444', assumeRoleArn: 'arn:aws:iam::444444444444:role/Deploy+Ops' });
    });
    const reversed = { ...raw, accounts: [...raw.accounts].reverse() };
    const a = synthBootstrapStacks(configOf(raw)).stacks;
    const b = synthBootstrapStacks(configOf(reversed)).stacks;
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, stack] of a) expect(JSON.stringify(stackOf(b, name))).toBe(JSON.stringify(stack));
    // A role name Terraform names cannot hold keeps a stable, distinct address.
    expect(Object.keys(resourcesOf(stackOf(a, 'cloudtrail-bootstrap-444444444444'), 'aws_iam_role'))).toEqual([expect.stringMatching(/^role_Deploy_Ops_[0-9a-f]{8}$/)]);
  });
});

describe('an account whose permissions exceed the inline quota: managed policies attached by literal ARN', () => {
  test('each policy is created before its attachment, and every statement is kept', () => {
    const raw = rawWith((r) => {
      principal(r);
      r.accounts = Array.from({ length: 30 }, (_, i) => ({
        accountId: '222222222222',
        trailName: `trail-${i}`,
        region: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2'][Math.floor(i / 5)],
        multiRegion: false,
        includeGlobalServiceEvents: false,
        sns: { create: { topicName: `ct-notify-${i}`, sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: `aws-cloudtrail-logs-${i}` } },
        kmsKey: { create: { alias: `alias/ct-${i}` } },
      }));
    });
    const config = configOf(raw);
    const stack = stackOf(synthBootstrapStacks(config).stacks, 'cloudtrail-bootstrap-222222222222');
    const expected = bootstrapRoles(config, '222222222222')[0];
    const policies = resourcesOf(stack, 'aws_iam_policy');
    const attachments = resourcesOf(stack, 'aws_iam_role_policy_attachment');
    expect(resourcesOf(stack, 'aws_iam_role_policy')).toEqual({});
    expect(Object.keys(policies).length).toBe(expected.policies.managed.length);
    expect(Object.keys(policies).length).toBeGreaterThan(1);
    Object.entries<any>(policies).forEach(([address, p], i) => {
      expect(address).toBe(`role_cloudtrail-fleet-deployer_policy_${i + 1}`);
      expect(p).toMatchObject({ name: `cloudtrail-fleet-deployer-${i + 1}`, path: '/cloudtrail-fleet/' });
      expect(p.policy.length).toBeLessThanOrEqual(6_144);
      expect(attachments[`${address}_attachment`]).toEqual(
        expect.objectContaining({
          role: '${aws_iam_role.role_cloudtrail-fleet-deployer.name}',
          policy_arn: `arn:aws:iam::222222222222:policy/cloudtrail-fleet/cloudtrail-fleet-deployer-${i + 1}`,
          depends_on: [`aws_iam_policy.${address}`],
        }),
      );
    });
    // Together they hold exactly the role's statements (a statement too large for one policy is split by resources).
    const resources = (docs: any[]) => docs.flatMap((d) => d.Statement.flatMap((s: any) => ([] as string[]).concat(s.Action).flatMap((a) => ([] as string[]).concat(s.Resource).map((r) => `${a} ${r}`)))).sort();
    expect(resources(Object.values<any>(policies).map((p) => parsePolicy(p.policy)))).toEqual(resources(expected.statements.map((s) => JSON.parse(renderPolicy({ Version: '2012-10-17', Statement: [s] })))));
  });
});
