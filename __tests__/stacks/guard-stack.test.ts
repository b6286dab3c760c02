/**
 * The guard's resources as synthesized (docs/guard.md): the cloudtrail-guard
 * stack in the management account (its provider, backend, policies and
 * attachments), the central bus, each account's rules and role, the tag on
 * created keys; stable addresses and bytes when the config is reordered;
 * and nothing at all for a config without `guard`.
 */
import { addressesOf, awsProvidersOf, configOf, defaultRaw, parsePolicy, rawWith, resourcesOf, stackOf, synthFleet, synthManifest } from '../helpers/fleet';
import { deployerOf, guardFleet, MANAGEMENT, memberId, ROOT_ID } from '../helpers/guard-fleet';
import { fleetServiceControlPolicies } from '../../modules/guard/guard-policies';
import { GUARD_TAG } from '../../modules/guard/scope';
import { synthSummary } from '../../stacks/summary';
import { disappearedMessages, stackChanges } from '../../cli/lib/stack-diff';

const OU = 'ou-ab12-cdefgh34';

describe('cloudtrail-guard: the service control policies, in the management account', () => {
  const raw = guardFleet(3, { deliveries: true });
  raw.guard.prevention.attachTo = [OU, ROOT_ID, memberId(2)];
  raw.guard.prevention.assumeRoleArn = deployerOf(MANAGEMENT);
  raw.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' };
  const config = configOf(raw);
  const stacks = synthFleet(config);
  const guard = stackOf(stacks, 'cloudtrail-guard');

  test('its provider is pinned to the management account and assumes guard.prevention.assumeRoleArn', () => {
    const [provider] = awsProvidersOf(guard);
    expect(awsProvidersOf(guard)).toHaveLength(1);
    expect(provider.allowed_account_ids).toEqual([MANAGEMENT]);
    expect(provider.assume_role).toEqual([{ role_arn: deployerOf(MANAGEMENT), session_name: 'cloudtrail-fleet' }]);
    expect(provider.region).toBe('us-east-2');
  });

  test('it has its own backend workspace, like every stack', () => {
    expect(guard.terraform.cloud).toEqual({ organization: 'acme', workspaces: { name: 'ct-cloudtrail-guard' } });
  });

  test('each policy is a SERVICE_CONTROL_POLICY with the computed content, attached to every target', () => {
    const scps = fleetServiceControlPolicies(config);
    const policies = resourcesOf(guard, 'aws_organizations_policy');
    expect(Object.keys(policies)).toEqual(scps.policies.map((_, i) => `guard_scp_${i + 1}`));
    scps.policies.forEach((p, i) => {
      const r = policies[`guard_scp_${i + 1}`];
      expect(r.type).toBe('SERVICE_CONTROL_POLICY');
      expect(r.name).toBe(`cloudtrail-fleet-guard-${i + 1}`);
      expect(parsePolicy(r.content)).toEqual(p.document);
      expect(r.content.length).toBeLessThanOrEqual(5120);
    });
    const attachments = resourcesOf(guard, 'aws_organizations_policy_attachment');
    const expected = scps.policies.flatMap((_, i) => [memberId(2), OU, ROOT_ID].map((t) => [`guard_scp_${i + 1}_${t}`, { policy: `\${aws_organizations_policy.guard_scp_${i + 1}.id}`, target: t }]));
    expect(Object.entries(attachments).map(([k, v]) => [k, { policy: v.policy_id, target: v.target_id }]).sort()).toEqual(expected.sort());
    expect(Object.keys(guard.output).sort()).toEqual(['service_control_policy_characters', 'service_control_policy_ids']);
  });

  test('no other stack waits for it, and it waits for none', () => {
    const manifest = synthManifest(config);
    expect(manifest.stacks['cloudtrail-guard'].dependencies).toEqual([]);
    for (const [name, s] of Object.entries<any>(manifest.stacks)) expect([name, s.dependencies.includes('cloudtrail-guard')]).toEqual([name, false]);
  });

  test('the keys this config creates carry the guard tag (the policy finds them by it)', () => {
    for (const i of [0, 1, 2]) {
      const keys = Object.values(resourcesOf(stackOf(stacks, `cloudtrail-account-${memberId(i)}`), 'aws_kms_key'));
      expect(keys).toHaveLength(1);
      expect(keys[0].tags[GUARD_TAG.key]).toBe(GUARD_TAG.value);
    }
    expect(resourcesOf(stackOf(stacks, 'cloudtrail-central'), 'aws_kms_key').central_key.tags).toEqual({ [GUARD_TAG.key]: GUARD_TAG.value });
  });

  test('the synth summary says what the SCPs cover and that the management account is out of their reach', () => {
    const summary = synthSummary(config);
    expect(summary).toMatch(/guard: \d service control polic(y|ies) \(per-account; [\d, ]+ of 5120 characters\) on 200000015838, ou-ab12-cdefgh34, r-ab12, stack cloudtrail-guard/);
    expect(summary).toMatch(/^cloudtrail-fleet: 4 accounts, 4 trails, 6 stacks$/m);
    expect(summary).toContain('guard: SCPs do not apply to the management account 111111111111: trail org-trail there is guarded by detection only');
    expect(summary).toMatch(/guard: detection: 8 EventBridge rules in 4 accounts -> event bus cloudtrail-fleet-guard \(111111111111, us-east-2\); bus policy \d+ of 10240 bytes, admits the fleet's accounts/);
  });
});

describe('the guard in the central and account stacks', () => {
  const config = configOf(guardFleet(2, { deliveries: true, deliverTo: 'snsTopic' }));
  const stacks = synthFleet(config);

  test('central: the bus, its policy, the topic behind it, and outputs', () => {
    const central = stackOf(stacks, 'cloudtrail-central');
    expect(addressesOf(central).filter((a) => a.includes('guard'))).toEqual([
      'aws_cloudwatch_event_bus.guard_bus',
      'aws_cloudwatch_event_bus_policy.guard_bus_policy',
      'aws_cloudwatch_event_rule.guard_to_topic',
      'aws_cloudwatch_event_target.guard_to_topic_target',
      'aws_sns_topic.guard_topic',
      'aws_sns_topic_policy.guard_topic_policy',
    ]);
    expect(resourcesOf(central, 'aws_cloudwatch_event_bus').guard_bus.name).toBe('cloudtrail-fleet-guard');
    expect(central.output.guard_event_bus_arn.value).toBe('${aws_cloudwatch_event_bus.guard_bus.arn}');
    expect(central.output.guard_topic_arn.value).toBe('${aws_sns_topic.guard_topic.arn}');
  });

  test('account: the role and one rule with its target per region, named from the region', () => {
    const account = stackOf(stacks, `cloudtrail-account-${memberId(0)}`);
    expect(addressesOf(account).filter((a) => a.includes('guard'))).toEqual([
      'aws_cloudwatch_event_rule.guard_us_east_1',
      'aws_cloudwatch_event_rule.guard_us_east_2',
      'aws_cloudwatch_event_target.guard_us_east_1_target',
      'aws_cloudwatch_event_target.guard_us_east_2_target',
      'aws_iam_role.guard_events_role',
      'aws_iam_role_policy.guard_events_role_policy',
    ]);
    const target = resourcesOf(account, 'aws_cloudwatch_event_target').guard_us_east_1_target;
    expect(target.provider).toBe('aws.us-east-1');
    expect(target.depends_on).toEqual(['aws_iam_role_policy.guard_events_role_policy']);
    expect(awsProvidersOf(account).every((p) => JSON.stringify(p.allowed_account_ids) === JSON.stringify([memberId(0)]))).toBe(true);
  });
});

describe('stable and deterministic', () => {
  test('reordering accounts and attachTo targets changes no byte of any stack', () => {
    const raw = guardFleet(4, { trailsPerAccount: 2, deliveries: true });
    raw.guard.prevention.attachTo = [ROOT_ID, OU];
    const a = synthFleet(configOf(raw));
    const shuffled = { ...raw, accounts: [...raw.accounts].reverse(), guard: { ...raw.guard, prevention: { ...raw.guard.prevention, attachTo: [OU, ROOT_ID] } } };
    const b = synthFleet(configOf(shuffled));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, stack] of a) expect([name, JSON.stringify(b.get(name))]).toEqual([name, JSON.stringify(stack)]);
  });

  test("adding an account leaves the other accounts' guard addresses where they were", () => {
    const before = synthFleet(configOf(guardFleet(3, { deliveries: true })));
    const after = synthFleet(configOf(guardFleet(4, { deliveries: true })));
    for (const i of [0, 1, 2]) {
      const name = `cloudtrail-account-${memberId(i)}`;
      expect(addressesOf(after.get(name)!)).toEqual(addressesOf(before.get(name)!));
    }
  });
});

describe('off by default: a config without guard gets nothing of it', () => {
  test.each([
    ['the default config', defaultRaw()],
    ['an organization with a created key', rawWith((r) => {
      r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
      r.accounts[0].kmsKey = { create: { alias: 'alias/ct' } };
    })],
  ])('%s', (_name, raw) => {
    const config = configOf(raw);
    const stacks = synthFleet(config);
    expect([...stacks.keys()]).not.toContain('cloudtrail-guard');
    for (const [name, stack] of stacks) {
      expect([name, addressesOf(stack).filter((a) => /guard/.test(a))]).toEqual([name, []]);
      expect([name, JSON.stringify(stack).includes(GUARD_TAG.key)]).toEqual([name, false]);
    }
    expect(synthSummary(config)).not.toContain('guard');
  });

  test('detection only (no organization): no guard stack, rules and bus all the same', () => {
    const raw = rawWith((r) => {
      r.accounts[0].assumeRoleArn = 'arn:aws:iam::222222222222:role/TerraformDeploy';
      r.guard = {};
    });
    const config = configOf(raw);
    const stacks = synthFleet(config);
    expect([...stacks.keys()].sort()).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
    expect(addressesOf(stackOf(stacks, 'cloudtrail-central'))).toContain('aws_cloudwatch_event_bus.guard_bus');
    expect(addressesOf(stackOf(stacks, 'cloudtrail-account-222222222222'))).toContain('aws_cloudwatch_event_rule.guard_us_east_2');
    expect(JSON.stringify(stacks.get('cloudtrail-central'))).not.toContain(GUARD_TAG.key);
    expect(synthSummary(config)).toContain('guard: no organization, so no service control policy is possible: detection only');
  });
});

describe('turning prevention off', () => {
  test('guard.prevention: false keeps cloudtrail-guard, empty, so its next deploy removes the policies', () => {
    const raw = guardFleet(2);
    raw.guard.prevention = false;
    const config = configOf(raw);
    const stacks = synthFleet(config);
    const guard = stackOf(stacks, 'cloudtrail-guard');
    expect(addressesOf(guard)).toEqual([]);
    expect(awsProvidersOf(guard)[0].allowed_account_ids).toEqual([MANAGEMENT]);
    expect(synthSummary(config)).toContain('guard: prevention off: stack cloudtrail-guard is empty');
    // The keys lose the guard tag (a deployer, exempt, removes it).
    expect(JSON.stringify(stacks.get(`cloudtrail-account-${memberId(0)}`))).not.toContain(GUARD_TAG.key);
  });

  test('dropping guard.prevention altogether: the change is flagged, with the safe way out', () => {
    const before = synthFleet(configOf(guardFleet(2)));
    const raw = guardFleet(2);
    delete raw.guard.prevention;
    const after = synthFleet(configOf(raw));
    const { disappeared } = stackChanges(before, after);
    expect(disappeared).toEqual([{ stack: 'cloudtrail-guard', withoutLifecycle: true }]);
    expect(disappearedMessages(disappeared)).toEqual([
      'warning: stack cloudtrail-guard is in the base but not in the current config: its service control policies would stay attached, unmanaged (and would keep denying whoever they do not exempt). Set guard.prevention: false and deploy (the stack stays, empty, and removes them), then remove guard.prevention',
    ]);
  });
});
