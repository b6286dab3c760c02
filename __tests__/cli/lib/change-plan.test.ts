/**
 * The change gate (cli/lib/change-plan.ts) on every kind of edit issue 15
 * lists: exactly what it lists (action, stack, address, protected, declared),
 * what is unsafe, and the cost in words. That Terraform plans the same
 * actions is __tests__/cli/lib/change-plan-terraform.test.ts.
 */
import { analyzeChange, ChangePlan, Declarations, declarationsFromStacks, declarationsOf, formatChangePlan, gateExitCode, isProtected, trailBaseName } from '../../../cli/lib/change-plan';
import { contentKey } from '../../../cli/lib/stack-diff';
import { EXIT } from '../../../cli/command';
import { changePairs, forget } from '../../helpers/change-pairs';
import { configOf, rawWith } from '../../helpers/fleet';
import { synthStacks } from '../../../cli/lib/fleet-synth';
import { readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/fleet';

const pairs = changePairs();
// Given the two syntheses only, as the deploy command calls it: the declarations travel in the current stacks.
const plans = new Map<string, ChangePlan>([...pairs].map(([name, p]) => [name, analyzeChange(p.base, p.current)]));
const planOf = (name: string) => {
  const plan = plans.get(name);
  if (!plan) throw new Error(`no pair ${name}`);
  return plan;
};
/** `destroy cloudtrail-central aws_kms_key.central_key protected` (+ `declared`). */
const actionsOf = (name: string) =>
  planOf(name).actions.map((a) =>
    [a.action, a.stack.replace('cloudtrail-account-', 'account-'), a.previousAddress ? `${a.previousAddress} -> ${a.address}` : a.address, a.protected ? 'protected' : '', a.declared && a.action !== 'move' ? 'declared' : '']
      .filter(Boolean)
      .join(' '),
  );
const unsafeOf = (name: string) => planOf(name).unsafe.map((f) => `${f.kind} ${f.stack.replace('cloudtrail-account-', 'account-')}${f.address ? ` ${f.address}` : ''}`);
const costOf = (name: string, address: string) => planOf(name).actions.find((a) => a.address === address)!.cost;

const A333 = 'account-333333333333';
const TRAIL_333_UNPROTECTED = [
  'aws_cloudwatch_log_group.trail_my-trail_log_group',
  'aws_iam_role.trail_my-trail_cwl_role',
  'aws_iam_role_policy.trail_my-trail_cwl_role_policy',
  'aws_sns_topic.trail_my-trail_topic',
  'aws_sns_topic_policy.trail_my-trail_topic_policy',
  'aws_sns_topic_subscription.trail_my-trail_queue_subscription',
  'aws_sqs_queue.trail_my-trail_queue',
  'aws_sqs_queue_policy.trail_my-trail_queue_policy',
];

describe('edits that destroy or replace nothing', () => {
  test.each(['nothing', 'prefix and selectors (updates only)', 'account added'])('%s: nothing listed, safe', (name) => {
    expect(actionsOf(name)).toEqual([]);
    expect(planOf(name).findings).toEqual([]);
    expect(formatChangePlan(planOf(name))).toBe('change: no destroy, replacement, forget or move; nothing unsafe\n');
  });

  test('removing retention destroys the lifecycle rules: listed, not protected (keeping logs longer loses nothing)', () => {
    expect(actionsOf('retention removed')).toEqual(['destroy cloudtrail-central aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle']);
    expect(unsafeOf('retention removed')).toEqual([]);
    expect(costOf('retention removed', 'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle')).toBe('the lifecycle rules of my-bucket are removed: log files are kept forever');
  });
});

describe('the central bucket and key', () => {
  test('central.kmsKey: false destroys the central key and alias: unsafe, and the key\'s readers are named with the date', () => {
    expect(actionsOf('central.kmsKey false')).toEqual([
      'destroy cloudtrail-central aws_kms_alias.central_key_alias protected',
      'destroy cloudtrail-central aws_kms_key.central_key protected',
    ]);
    expect(unsafeOf('central.kmsKey false')).toEqual(['protected-destroy cloudtrail-central aws_kms_alias.central_key_alias', 'protected-destroy cloudtrail-central aws_kms_key.central_key']);
    // 222 encrypts with the central key; 333 and 444 trail-b have keys of their own; 444 trail-a too uses the central key.
    expect(costOf('central.kmsKey false', 'aws_kms_key.central_key')).toBe(
      'the central key is scheduled for deletion: SSE-KMS log files of 222222222222, 444444444444 become unreadable 30 days after the deploy',
    );
  });

  test('central.kmsKey: false with the key forgotten (removed blocks): listed as forget, safe', () => {
    expect(actionsOf('central.kmsKey false, key forgotten')).toEqual([
      'forget cloudtrail-central aws_kms_alias.central_key_alias protected',
      'forget cloudtrail-central aws_kms_key.central_key protected',
    ]);
    expect(unsafeOf('central.kmsKey false, key forgotten')).toEqual([]);
  });

  test('a new central alias name replaces the alias (ForceNew name): unsafe', () => {
    expect(planOf('central key alias renamed').actions.map((a) => [a.action, a.address, a.forcedBy])).toEqual([['replace', 'aws_kms_alias.central_key_alias', ['name']]]);
    expect(unsafeOf('central key alias renamed')).toEqual(['protected-replace cloudtrail-central aws_kms_alias.central_key_alias']);
  });

  test.each(['bucketManagement policyOnly', 'bucketManagement none'])('%s destroys the bucket and every part that protects it: unsafe', (name) => {
    const parts = [
      'aws_s3_bucket.log_bucket',
      'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
      'aws_s3_bucket_ownership_controls.log_bucket_ownership_controls',
      ...(name.endsWith('none') ? ['aws_s3_bucket_policy.log_bucket_policy'] : []),
      'aws_s3_bucket_public_access_block.log_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption',
      'aws_s3_bucket_versioning.log_bucket_versioning',
    ];
    expect(actionsOf(name)).toEqual(
      [...parts.map((a) => `destroy cloudtrail-central ${a} protected`), 'destroy cloudtrail-central aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle'].sort((a, b) =>
        a.split(' ')[2] < b.split(' ')[2] ? -1 : 1,
      ),
    );
    expect(unsafeOf(name).sort()).toEqual(parts.map((a) => `protected-destroy cloudtrail-central ${a}`).sort());
    expect(costOf(name, 'aws_s3_bucket_versioning.log_bucket_versioning')).toBe('versioning of my-bucket is suspended: an overwritten or deleted log file can no longer be recovered');
    expect(costOf(name, 'aws_s3_bucket.log_bucket')).toMatch(/^the log bucket my-bucket is deleted if it is empty; with log files in it the delete fails/);
  });

  test('policyOnly keeps the bucket policy: the same address, and a literal bucket name equal to what the bucket\'s id was (no replacement)', () => {
    expect(planOf('bucketManagement policyOnly').actions.find((a) => a.address === 'aws_s3_bucket_policy.log_bucket_policy')).toBeUndefined();
  });

  test('bucketManagement none with everything forgotten: forgets, the lifecycle rules destroyed (not protected), safe', () => {
    expect(unsafeOf('bucketManagement none, bucket forgotten')).toEqual([]);
    expect(actionsOf('bucketManagement none, bucket forgotten').filter((a) => a.startsWith('forget'))).toHaveLength(7);
  });

  test('removing objectLock destroys the default retention: unsafe, with what it costs', () => {
    expect(actionsOf('objectLock removed')).toEqual(['destroy cloudtrail-central aws_s3_bucket_object_lock_configuration.log_bucket_object_lock protected']);
    expect(unsafeOf('objectLock removed')).toEqual(['protected-destroy cloudtrail-central aws_s3_bucket_object_lock_configuration.log_bucket_object_lock']);
    expect(costOf('objectLock removed', 'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock')).toBe(
      'the default retention (object lock) of my-bucket is removed: new log files are no longer locked',
    );
  });
});

describe('trails leaving the fleet', () => {
  test('decommission without deleteKeys: the trail\'s destroy is declared, its key\'s is not (unsafe)', () => {
    expect(actionsOf('decommission without deleteKeys')).toEqual(
      [
        `destroy ${A333} aws_cloudtrail.trail_my-trail protected declared`,
        `destroy ${A333} aws_kms_alias.trail_my-trail_key_alias protected`,
        `destroy ${A333} aws_kms_key.trail_my-trail_key protected`,
        ...TRAIL_333_UNPROTECTED.map((a) => `destroy ${A333} ${a} declared`),
      ].sort((a, b) => (a.split(' ')[2] < b.split(' ')[2] ? -1 : 1)),
    );
    expect(unsafeOf('decommission without deleteKeys')).toEqual([`protected-destroy ${A333} aws_kms_alias.trail_my-trail_key_alias`, `protected-destroy ${A333} aws_kms_key.trail_my-trail_key`]);
    expect(costOf('decommission without deleteKeys', 'aws_kms_key.trail_my-trail_key')).toBe(
      'the key of trail my-trail of 333333333333 is scheduled for deletion: SSE-KMS log files of 333333333333 encrypted with it become unreadable 30 days after the deploy',
    );
    expect(costOf('decommission without deleteKeys', 'aws_cloudtrail.trail_my-trail')).toBe('trail my-trail of 333333333333 is deleted: it stops logging');
  });

  test('decommission with the key forgotten: safe', () => {
    expect(unsafeOf('decommission without deleteKeys, key forgotten')).toEqual([]);
    expect(actionsOf('decommission without deleteKeys, key forgotten').filter((a) => a.startsWith('forget'))).toEqual([
      `forget ${A333} aws_kms_alias.trail_my-trail_key_alias protected`,
      `forget ${A333} aws_kms_key.trail_my-trail_key protected`,
    ]);
  });

  test('decommission with deleteKeys: true: the key\'s destroy is declared too, safe, and the cost says when logs become unreadable', () => {
    expect(unsafeOf('decommission with deleteKeys')).toEqual([]);
    expect(actionsOf('decommission with deleteKeys')).toContain(`destroy ${A333} aws_kms_key.trail_my-trail_key protected declared`);
    expect(formatChangePlan(planOf('decommission with deleteKeys'))).toContain('SSE-KMS log files of 333333333333 encrypted with it become unreadable 30 days after the deploy');
  });

  test('retain forgets everything of the trail (declared); the central policies stop admitting it: a note, not unsafe', () => {
    expect(actionsOf('retain')).toEqual(
      [
        `forget ${A333} aws_cloudtrail.trail_my-trail protected declared`,
        `forget ${A333} aws_kms_alias.trail_my-trail_key_alias protected declared`,
        `forget ${A333} aws_kms_key.trail_my-trail_key protected declared`,
        ...TRAIL_333_UNPROTECTED.map((a) => `forget ${A333} ${a} declared`),
      ].sort((a, b) => (a.split(' ')[2] < b.split(' ')[2] ? -1 : 1)),
    );
    expect(unsafeOf('retain')).toEqual([]);
    expect(planOf('retain').findings.map((f) => [f.kind, f.unsafe])).toEqual([['delivery-refused', false]]);
    expect(planOf('retain').findings[0].message).toMatch(/deliveries of trail my-trail are refused from then on \(lifecycle: retain says so/);
  });

  test('an account removed without a lifecycle step: account-dropped and its trails refused from then on, all unsafe; nothing is destroyed', () => {
    expect(actionsOf('account removed without lifecycle')).toEqual([]);
    expect(unsafeOf('account removed without lifecycle')).toEqual([
      'account-dropped account-444444444444',
      'delivery-refused account-444444444444 aws_cloudtrail.trail_trail-a',
      'delivery-refused account-444444444444 aws_cloudtrail.trail_trail-b',
    ]);
    const refused = planOf('account removed without lifecycle').unsafe[1].message;
    expect(refused).toBe(
      'trail trail-a of 444444444444 keeps running, unmanaged, but the central bucket policy no longer admits it (arn:aws:cloudtrail:us-east-2:444444444444:trail/trail-a): deliveries of trail trail-a are refused from then on',
    );
  });

  test('one of two trails of an account removed without a lifecycle step: its destroy (and its key\'s) is unsafe', () => {
    expect(unsafeOf('one of two trails removed without lifecycle')).toEqual([
      'protected-destroy account-444444444444 aws_cloudtrail.trail_trail-b',
      'protected-destroy account-444444444444 aws_kms_alias.trail_trail-b_key_alias',
      'protected-destroy account-444444444444 aws_kms_key.trail_trail-b_key',
    ]);
  });
});

describe('trail keys, names and regions', () => {
  test.each(['kmsKey create -> central', 'kmsKey create -> none'])('%s destroys the created key and alias: unsafe', (name) => {
    expect(actionsOf(name)).toEqual([`destroy ${A333} aws_kms_alias.trail_my-trail_key_alias protected`, `destroy ${A333} aws_kms_key.trail_my-trail_key protected`]);
    expect(unsafeOf(name)).toHaveLength(2);
  });

  test('kmsKey create -> central with the key forgotten: safe', () => {
    expect(unsafeOf('kmsKey create -> central, key forgotten')).toEqual([]);
  });

  test('a new alias for a created key replaces the alias (the key stays): unsafe', () => {
    expect(planOf('created key alias renamed').actions.map((a) => [a.action, a.address, a.forcedBy, a.cost])).toEqual([
      ['replace', 'aws_kms_alias.trail_my-trail_key_alias', ['name'], 'the alias alias/ct-333 is deleted (the key stays); it is created again (the old one is deleted before the new one is created)'],
    ]);
  });

  test('a rename without renamedFrom destroys the old trail and its key: unsafe', () => {
    expect(unsafeOf('rename without renamedFrom')).toEqual([
      `protected-destroy ${A333} aws_cloudtrail.trail_my-trail`,
      `protected-destroy ${A333} aws_kms_alias.trail_my-trail_key_alias`,
      `protected-destroy ${A333} aws_kms_key.trail_my-trail_key`,
    ]);
  });

  test('a rename with renamedFrom (moved blocks, create_before_destroy): the trail is replaced (declared), key and alias moved, safe', () => {
    const plan = planOf('rename with renamedFrom');
    expect(plan.unsafe).toEqual([]);
    expect(actionsOf('rename with renamedFrom')).toEqual(
      [
        `replace ${A333} aws_cloudtrail.trail_my-trail -> aws_cloudtrail.trail_new-trail protected declared`,
        `move ${A333} aws_kms_alias.trail_my-trail_key_alias -> aws_kms_alias.trail_new-trail_key_alias protected`,
        `move ${A333} aws_kms_key.trail_my-trail_key -> aws_kms_key.trail_new-trail_key protected`,
        // Not moved by this pair: the topic, queue, log group and role go with the old name (none of them is protected).
        ...TRAIL_333_UNPROTECTED.map((a) => `destroy ${A333} ${a}`),
      ].sort((a, b) => (a.split(' ')[2] < b.split(' ')[2] ? -1 : 1)),
    );
    const trail = plan.actions.find((a) => a.type === 'aws_cloudtrail')!;
    expect(trail).toMatchObject({ forcedBy: ['name'], createBeforeDestroy: true });
    expect(trail.cost).toBe('trail my-trail of 333333333333 is replaced by new-trail (the new one is created before the old one is deleted)');
  });

  test('a home region change under the same name: the trail cannot move, and the central policies refuse it from then on: unsafe', () => {
    expect(actionsOf('home region changed')).toEqual([]);
    expect(unsafeOf('home region changed')).toEqual([
      'home-region account-222222222222 aws_cloudtrail.trail_my-trail',
      'delivery-refused account-222222222222 aws_cloudtrail.trail_my-trail',
    ]);
    expect(planOf('home region changed').unsafe[0].message).toMatch(/^trail my-trail of 222222222222 cannot move its home region from us-east-2 to us-west-2: .*renamedFrom: my-trail/);
  });
});

describe('the exit code of the gate for every pair (affected and check-config --base)', () => {
  const expected: Record<string, number> = {
    nothing: EXIT.ok,
    'prefix and selectors (updates only)': EXIT.ok,
    'central.kmsKey false': EXIT.problems,
    'central.kmsKey false, key forgotten': EXIT.ok,
    'central key alias renamed': EXIT.problems,
    'bucketManagement policyOnly': EXIT.problems,
    'bucketManagement none': EXIT.problems,
    'bucketManagement none, bucket forgotten': EXIT.ok,
    'objectLock removed': EXIT.problems,
    'retention removed': EXIT.ok,
    'decommission without deleteKeys': EXIT.problems,
    'decommission without deleteKeys, key forgotten': EXIT.ok,
    'decommission with deleteKeys': EXIT.ok,
    'kmsKey create -> central': EXIT.problems,
    'kmsKey create -> none': EXIT.problems,
    'kmsKey create -> central, key forgotten': EXIT.ok,
    'created key alias renamed': EXIT.problems,
    'rename without renamedFrom': EXIT.problems,
    'rename with renamedFrom': EXIT.ok,
    'home region changed': EXIT.problems,
    'account removed without lifecycle': EXIT.problems,
    'one of two trails removed without lifecycle': EXIT.problems,
    retain: EXIT.ok,
    'account added': EXIT.ok,
  };

  test('every pair has its expected exit code; --allow-unsafe is always 0', () => {
    expect(Object.keys(expected).sort()).toEqual([...pairs.keys()].sort());
    expect(Object.fromEntries([...plans].map(([name, plan]) => [name, gateExitCode(plan)]))).toEqual(expected);
    for (const plan of plans.values()) expect(gateExitCode(plan, true)).toBe(EXIT.ok);
  });
});

describe('what is protected, and whose a resource is', () => {
  test('the issue\'s protected set, and not lifecycle rules, access logging, SNS/SQS, CloudWatch Logs or roles', () => {
    for (const t of ['aws_s3_bucket', 'aws_s3_bucket_policy', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_versioning', 'aws_s3_bucket_object_lock_configuration', 'aws_kms_key', 'aws_kms_alias']) {
      expect(isProtected('cloudtrail-central', t)).toBe(true);
    }
    for (const t of ['aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_logging']) expect(isProtected('cloudtrail-central', t)).toBe(false);
    for (const t of ['aws_cloudtrail', 'aws_kms_key', 'aws_kms_alias']) expect(isProtected('cloudtrail-account-222222222222', t)).toBe(true);
    for (const t of ['aws_sns_topic', 'aws_sqs_queue', 'aws_cloudwatch_log_group', 'aws_iam_role', 'aws_iam_role_policy']) expect(isProtected('cloudtrail-account-222222222222', t)).toBe(false);
  });

  test('every resource of every account stack of the examples belongs to a trail of its stack (the address convention of modules/fleet-trail.ts)', () => {
    let checked = 0;
    for (const file of ['every-option.yaml', 'leaving-the-fleet.yaml', 'adopt-everything.yaml']) {
      const stacks = synthStacks(configOf(parse(readFileSync(path.join(ROOT, 'config', 'examples', file), 'utf8'))));
      for (const [name, stack] of stacks) {
        if (name === 'cloudtrail-central') continue;
        const resources = (stack.resource ?? {}) as Record<string, Record<string, unknown>>;
        const trails = Object.keys(resources.aws_cloudtrail ?? {});
        for (const [type, byName] of Object.entries(resources)) {
          for (const n of Object.keys(byName)) {
            expect(trails).toContain(trailBaseName(type, n));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('declarations come from the config in its own words, and travel in the synthesis', () => {
  test('synth writes them into each account stack as a // comment entry, which is what analyzeChange reads given two syntheses', () => {
    const config = configOf(parse(readFileSync(path.join(ROOT, 'config', 'examples', 'leaving-the-fleet.yaml'), 'utf8')));
    const stacks = synthStacks(config);
    const fromStacks = declarationsFromStacks(stacks);
    expect(fromStacks).toEqual(declarationsOf(config));
    expect(fromStacks.decommissioned.size + fromStacks.retained.size).toBeGreaterThan(0);
    // Terraform reads `//` as a comment: affected compares stacks without it.
    const withDecl = [...stacks.values()].find((s) => (s as any)['//']?.cloudtrailFleetDeclarations)!;
    expect(contentKey(withDecl)).not.toContain('cloudtrailFleetDeclarations');
  });

  test('a stack without the entry (an older synth) declares nothing: a decommission then is not declared', () => {
    const p = pairs.get('decommission without deleteKeys, key forgotten')!;
    const current = new Map([...p.current].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]));
    for (const s of current.values()) delete (s as any)['//'];
    expect(analyzeChange(p.base, current).unsafe.map((f) => f.address)).toEqual(['aws_cloudtrail.trail_my-trail']);
    expect(analyzeChange(p.base, p.current).unsafe).toEqual([]);
  });

  test('lifecycle decommission and retain', () => {
    const d: Declarations = declarationsOf(
      configOf(rawWith((r) => r.accounts.push({ accountId: '333333333333', lifecycle: 'decommission' }, { accountId: '444444444444', lifecycle: 'retain' }))),
    );
    expect([...d.decommissioned]).toEqual([['333333333333/my-trail', { deleteKeys: false }]]);
    expect([...d.retained]).toEqual(['444444444444/my-trail']);
    expect([...d.renamed]).toEqual([]);
  });

  test('a removed block with destroy = true is a destroy, not a forget', () => {
    const p = pairs.get('kmsKey create -> central')!;
    const current = new Map([...p.current].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]));
    forget(current.get('cloudtrail-account-333333333333')!, ['aws_kms_key.trail_my-trail_key']);
    (current.get('cloudtrail-account-333333333333') as any).removed[0].lifecycle.destroy = true;
    expect(analyzeChange(p.base, current, p.declarations).actions.map((a) => `${a.action} ${a.address}`)).toEqual([
      'destroy aws_kms_alias.trail_my-trail_key_alias',
      'destroy aws_kms_key.trail_my-trail_key',
    ]);
  });
});

describe('a resource type the ForceNew table does not know', () => {
  test('unchanged: nothing; changed: unsafe, naming the table to extend', () => {
    const base = new Map([['cloudtrail-central', { resource: { aws_new_thing: { x: { a: 1 } } } }]]);
    expect(analyzeChange(base, base).findings).toEqual([]);
    const changed = new Map([['cloudtrail-central', { resource: { aws_new_thing: { x: { a: 2 } } } }]]);
    expect(analyzeChange(base, changed).unsafe).toEqual([
      expect.objectContaining({ kind: 'unknown-type', address: 'aws_new_thing.x', message: expect.stringContaining('cli/lib/force-new.ts') }),
    ]);
  });
});
