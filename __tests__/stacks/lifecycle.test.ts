/**
 * Leaving the fleet on purpose: `lifecycle: decommission | retain` keeps the
 * account's stack without the trail's resources, and the central policies
 * stop admitting the account in the same synthesis.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { configOf, issuesOf, list, parsePolicy, rawWith, ROOT, stackOf, synthFleet } from '../helpers/fleet';
import { trailAddresses } from '../../modules/trail-transitions';
import { synthSummary } from '../../stacks/summary';
import { stackChanges, disappearedMessages } from '../../cli/lib/stack-diff';
import { synthStacks } from '../../cli/lib/fleet-synth';

const example = () => parse(readFileSync(path.join(ROOT, 'config', 'examples', 'leaving-the-fleet.yaml'), 'utf8'));
const active = () =>
  rawWith((raw) => {
    raw.accounts = example().accounts.map(({ lifecycle, ...rest }: any) => rest);
  });

/** `type.name` of every resource of a stack. */
function addresses(stack: any): string[] {
  return Object.entries(stack.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`))
    .sort();
}

/** Every string of a policy document (principals, resources, condition values). */
function policyStrings(json: string): string[] {
  const doc = parsePolicy(json);
  return doc.Statement.flatMap((s: any) => [
    ...list(s.Resource),
    ...Object.values(s.Principal ?? {}).flatMap((p: any) => list(p)),
    ...Object.values(s.Condition ?? {}).flatMap((c: any) => Object.values(c).flatMap((v: any) => list(v as any))),
  ]);
}

describe('lifecycle: decommission and retain', () => {
  const before = synthFleet(configOf(active()));
  const after = synthFleet(configOf(example()));

  test('a decommissioned account keeps its stack, with no resources and no outputs, so the next deploy destroys the trail and its topic, queue, log group and role, and forgets its key', () => {
    const was = stackOf(before, 'cloudtrail-account-333333333333');
    expect(addresses(was)).toEqual(
      expect.arrayContaining(['aws_cloudtrail.trail_my-trail', 'aws_sns_topic.trail_my-trail_topic', 'aws_sqs_queue.trail_my-trail_queue', 'aws_cloudwatch_log_group.trail_my-trail_log_group', 'aws_iam_role.trail_my-trail_cwl_role']),
    );
    const stack = stackOf(after, 'cloudtrail-account-333333333333');
    expect(stack.resource).toBeUndefined();
    expect(stack.data).toBeUndefined();
    expect(stack.output).toBeUndefined();
    // Whatever the base created as the trail's key is forgotten, never scheduled for deletion (no deleteKeys).
    expect(stack.removed).toEqual([
      { from: 'aws_kms_alias.trail_my-trail_key_alias', lifecycle: { destroy: false } },
      { from: 'aws_kms_key.trail_my-trail_key', lifecycle: { destroy: false } },
    ]);
    // Same account pin and region: the destroy runs with the same credentials rules (and aws.us-east-2, which the state may name).
    expect(stack.provider.aws).toEqual([
      expect.objectContaining({ allowed_account_ids: ['333333333333'], region: 'us-east-2' }),
      expect.objectContaining({ alias: 'us-east-2', allowed_account_ids: ['333333333333'], region: 'us-east-2' }),
    ]);
  });

  test('a retained account keeps its stack with a removed block (destroy = false) for every resource the trail had, and no resources', () => {
    const was = addresses(stackOf(before, 'cloudtrail-account-444444444444'));
    expect(was.length).toBeGreaterThanOrEqual(8); // trail, key, alias, topic, policy, log group, role, role policy
    const stack = stackOf(after, 'cloudtrail-account-444444444444');
    expect(stack.resource).toBeUndefined();
    const forgotten = stack.removed.map((r: any) => r.from).sort();
    expect(forgotten).toEqual(expect.arrayContaining(was));
    // Every address the module can create for the name, whatever the entry says now: here also the queue it never had.
    expect(forgotten).toEqual([...was, 'aws_sns_topic_subscription.trail_my-trail_queue_subscription', 'aws_sqs_queue.trail_my-trail_queue', 'aws_sqs_queue_policy.trail_my-trail_queue_policy'].sort());
    for (const r of stack.removed) expect(r.lifecycle).toEqual({ destroy: false });
  });

  test('the retained stack keeps the provider of every region its resources live in (the key lives in the bucket region)', () => {
    const regions = stackOf(after, 'cloudtrail-account-444444444444').provider.aws.map((p: any) => `${p.alias ?? 'default'}:${p.region}`);
    expect(regions.sort()).toEqual(['default:eu-west-1', 'eu-west-1:eu-west-1', 'us-east-2:us-east-2']);
    const config = configOf(example());
    const key = trailAddresses(config.leaving.find((t) => t.accountId === '444444444444')!, {
      partition: 'aws',
      bucketName: 'my-bucket',
      bucketRegion: 'us-east-2',
    }).find((a) => a.address === 'aws_kms_key.trail_my-trail_key');
    expect(key).toEqual({ address: 'aws_kms_key.trail_my-trail_key', part: 'key', region: 'us-east-2' });
  });

  test('the central bucket and key policies no longer name a leaving account, in the same synthesis', () => {
    const central = stackOf(after, 'cloudtrail-central');
    const bucketPolicy = Object.values(central.resource.aws_s3_bucket_policy as Record<string, any>)[0].policy;
    const keyPolicy = Object.values(central.resource.aws_kms_key as Record<string, any>)[0].policy;
    for (const json of [bucketPolicy, keyPolicy]) {
      const strings = policyStrings(json).join(' ');
      expect(strings).toContain('222222222222');
      expect(strings).not.toContain('333333333333');
      expect(strings).not.toContain('444444444444');
    }
    const beforeBucket = Object.values(stackOf(before, 'cloudtrail-central').resource.aws_s3_bucket_policy as Record<string, any>)[0].policy;
    expect(policyStrings(beforeBucket).join(' ')).toContain('333333333333');
  });

  test('the synth summary names the leaving trails', () => {
    expect(synthSummary(configOf(example()))).toMatch(/4 stacks\n[\s\S]*leaving the fleet: 2 trails \(333333333333\/my-trail decommission, 444444444444\/my-trail retain\)/);
  });

  test('with many leaving trails the summary names five and counts the rest (one short line at any fleet size)', () => {
    const raw = rawWith((r) => {
      r.accounts = Array.from({ length: 40 }, (_, i) => ({ accountId: String(500000000000 + i), lifecycle: i < 30 ? 'decommission' : 'active' }));
    });
    const line = synthSummary(configOf(raw)).split('\n').find((l) => l.includes('leaving the fleet'))!;
    expect(line).toMatch(/leaving the fleet: 30 trails \(500000000000\/my-trail decommission, .*500000000004\/my-trail decommission, and 25 more \(npm run check-config lists them\)\); no policy admits them/);
  });

  test('affected lists the leaving accounts, then the central stack, when their lifecycle changes (deploy order: the trails go first)', () => {
    expect(stackChanges(synthStacks(configOf(active())), synthStacks(configOf(example()))).affected).toEqual([
      'cloudtrail-account-333333333333',
      'cloudtrail-account-444444444444',
      'cloudtrail-central',
    ]);
  });

  test('removing a decommissioned (and deployed) account afterwards is not a warning; removing an active one is', () => {
    const base = synthStacks(configOf(example()));
    const raw = example();
    raw.accounts = raw.accounts.filter((a: any) => !a.lifecycle);
    const gone = stackChanges(base, synthStacks(configOf(raw)));
    expect(gone.disappeared).toEqual([
      { stack: 'cloudtrail-account-333333333333', withoutLifecycle: false },
      { stack: 'cloudtrail-account-444444444444', withoutLifecycle: false },
    ]);
    raw.accounts = [{ accountId: '333333333333' }];
    const dropped = stackChanges(base, synthStacks(configOf(raw)));
    expect(disappearedMessages(dropped.disappeared)[0]).toMatch(/^warning: stack cloudtrail-account-222222222222 /);
  });
});

describe('lifecycle: bad input', () => {
  test('an unknown lifecycle value is rejected with the accepted values', () => {
    const issues = issuesOf(rawWith((raw) => (raw.accounts[0].lifecycle = 'deleted')));
    expect(issues).toEqual([{ path: 'accounts[0].lifecycle', message: 'lifecycle must be one of active, decommission, retain; got the string "deleted"' }]);
  });

  test('lifecycle is an account key, not a trail setting for defaults', () => {
    const issues = issuesOf(rawWith((raw) => (raw.defaults.lifecycle = 'retain')));
    expect(issues[0].path).toBe('defaults');
    expect(issues[0].message).toMatch(/unknown key "lifecycle"/);
  });

  test('a trail cannot be both leaving and active in one account', () => {
    const issues = issuesOf(rawWith((raw) => raw.accounts.push({ accountId: '222222222222', lifecycle: 'decommission' })));
    expect(issues).toEqual([{ path: 'accounts[1].trailName (from defaults)', message: expect.stringMatching(/trail name "my-trail" is already used by accounts\[0\] \(account 222222222222\); choose another/) }]);
  });
});
