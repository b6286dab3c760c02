/**
 * What doctor checks in each account: every stack's way in, the guard's
 * cloudtrail-guard stack in the management account included (it may assume a
 * role no other stack there uses).
 */
import { accountTargets } from '../../../../cli/lib/doctor/targets';
import { configOf } from '../../../helpers/fleet';
import { guardFleet, MANAGEMENT, memberId } from '../../../helpers/guard-fleet';

test('the management account is checked with the role cloudtrail-guard assumes, beside its other stacks', () => {
  const raw = guardFleet(1);
  raw.guard.prevention.assumeRoleArn = `arn:aws:iam::${MANAGEMENT}:role/GuardDeploy`;
  const management = accountTargets(configOf(raw)).find((t) => t.accountId === MANAGEMENT)!;
  expect(management.access).toEqual([
    { roleArn: `arn:aws:iam::${MANAGEMENT}:role/TerraformDeploy`, rolePath: 'central.assumeRoleArn', stacks: ['cloudtrail-central', `cloudtrail-account-${MANAGEMENT}`] },
    { roleArn: `arn:aws:iam::${MANAGEMENT}:role/GuardDeploy`, rolePath: 'guard.prevention.assumeRoleArn', stacks: ['cloudtrail-guard'] },
  ]);
  // With a CI principal the guard stack takes the management account's role: one way in, used by all three stacks.
  const same = accountTargets(configOf(guardFleet(1, { bootstrap: 'principal' }))).find((t) => t.accountId === MANAGEMENT)!;
  const role = `arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`;
  expect(same.access).toEqual([{ roleArn: role, rolePath: 'central.assumeRoleArn', stacks: ['cloudtrail-central', `cloudtrail-account-${MANAGEMENT}`, 'cloudtrail-guard'] }]);
  // Without bootstrap and without guard.prevention.assumeRoleArn the guard stack uses the credentials it is given.
  const ambient = accountTargets(configOf(guardFleet(1))).find((t) => t.accountId === MANAGEMENT)!;
  expect(ambient.access[1]).toEqual({ roleArn: undefined, rolePath: 'guard.prevention.assumeRoleArn', stacks: ['cloudtrail-guard'] });
});

test('a management account that holds nothing but the guard stack is a target of its own', () => {
  const raw: any = { ...guardFleet(1, { managementTrail: false }), central: { accountId: '333333333333', region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: 'arn:aws:iam::333333333333:role/TerraformDeploy' } };
  raw.guard.prevention.assumeRoleArn = `arn:aws:iam::${MANAGEMENT}:role/GuardDeploy`;
  const targets = accountTargets(configOf(raw));
  expect(targets.map((t) => t.accountId)).toEqual(['333333333333', MANAGEMENT, memberId(0)]);
  expect(targets[1]).toEqual({
    accountId: MANAGEMENT,
    name: undefined,
    access: [{ roleArn: `arn:aws:iam::${MANAGEMENT}:role/GuardDeploy`, rolePath: 'guard.prevention.assumeRoleArn', stacks: ['cloudtrail-guard'] }],
    regions: ['us-east-2'],
    organizationTrail: false,
    central: false,
  });
  // Without prevention, no guard stack and no such target.
  delete raw.guard.prevention;
  expect(accountTargets(configOf(raw)).map((t) => t.accountId)).toEqual(['333333333333', memberId(0)]);
});
