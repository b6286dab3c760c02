/**
 * The change gate (cli/lib/change-plan.ts) on every kind of edit issue 15
 * lists, synthesized from configs by the same code as `cdktf synth`:
 * exactly what it lists (action, stack, address, protected, declared), what
 * is unsafe, and the cost in words; and controls that take away the blocks
 * synth writes, where the gate must flag the destroy. That Terraform plans
 * the same actions is __tests__/cli/lib/change-plan-terraform.test.ts; that
 * `affected --base` and `check-config --base` print them with these exit
 * codes is __tests__/cli/commands/change-pairs-commands.test.ts.
 */
import { accountResourceOwner, analyzeChange, ChangePlan, Declarations, declarationsFromStacks, declarationsOf, formatChangePlan, gateExitCode, isProtected, trailBaseName } from '../../../cli/lib/change-plan';
import { contentKey } from '../../../cli/lib/stack-diff';
import { EXIT } from '../../../cli/command';
import { changePairs, forget } from '../../helpers/change-pairs';
import { EXPECTED } from '../../helpers/change-pairs-expected';
import { configOf, rawWith } from '../../helpers/fleet';
import { synthStacks } from '../../../cli/lib/fleet-synth';
import { readdirSync, readFileSync } from 'fs';
import { forceNewArguments } from '../../../cli/lib/force-new';
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
/** `destroy cloudtrail-central aws_kms_key.central_key [protected]` (+ `declared`), as in change-pairs-expected.ts. */
const actionsOf = (name: string) =>
  planOf(name).actions.map((a) => {
    const tags = [a.protected ? 'protected' : undefined, a.declared && a.action !== 'move' ? 'declared' : undefined].filter(Boolean).join(', ');
    return `${a.action} ${a.stack} ${a.previousAddress ? `${a.previousAddress} -> ` : ''}${a.address}${tags ? ` [${tags}]` : ''}`;
  });
const findingsOf = (name: string, unsafe: boolean) =>
  planOf(name)
    .findings.filter((f) => f.unsafe === unsafe)
    .map((f) => `${f.kind} ${f.stack}${f.address ? ` ${f.address}` : ''}`);
const costOf = (name: string, address: string) => planOf(name).actions.find((a) => a.address === address)!.cost;
const messageOf = (name: string, kind: string) => planOf(name).findings.find((f) => f.kind === kind)!.message;

describe('every pair: exactly the listing and the findings of change-pairs-expected.ts', () => {
  test('every pair has its expectation, and every expectation its pair', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...pairs.keys()].sort());
  });

  test.each([...pairs.keys()])('%s', (name) => {
    const expected = EXPECTED[name];
    expect(actionsOf(name)).toEqual(expected.actions);
    expect(findingsOf(name, true)).toEqual(expected.unsafe);
    expect(findingsOf(name, false)).toEqual(expected.notes ?? []);
    expect(gateExitCode(planOf(name))).toBe(expected.unsafe.length ? EXIT.problems : EXIT.ok);
    expect(gateExitCode(planOf(name), true)).toBe(EXIT.ok);
  });

  test('the pairs cover safe and unsafe, and each control turns a safe pair unsafe', () => {
    for (const [name, p] of pairs) {
      if (!p.control) continue;
      const real = name.replace(/, control: .*$/, '');
      expect([real, EXPECTED[real].unsafe]).toEqual([real, []]);
      expect(EXPECTED[name].unsafe.length).toBeGreaterThan(0);
    }
    expect([...pairs.values()].filter((p) => p.control)).toHaveLength(9);
  });
});

describe('what the listing says', () => {
  test('nothing destroyed, replaced, forgotten or moved: one line', () => {
    expect(formatChangePlan(planOf('nothing'))).toBe('change: no destroy, replacement, forget or move; nothing unsafe\n');
  });

  test('a forget says that AWS keeps it and that it is the user\'s from now on', () => {
    expect(costOf('central.kmsKey false', 'aws_kms_key.central_key')).toBe(
      'Terraform stops managing aws_kms_key.central_key; it keeps running in AWS, and what happens to it is yours from now on',
    );
    expect(formatChangePlan(planOf('central.kmsKey false'))).toMatch(/\nchange: safe \(nothing protected is lost that the config does not declare\)\n$/);
  });

  test('control: without the removed blocks the central key would be destroyed, and the cost names the accounts whose logs it encrypts', () => {
    // 222 and 444 trail-a encrypt with the central key; 333 and 444 trail-b have keys of their own.
    expect(costOf('central.kmsKey false, control: no removed blocks', 'aws_kms_key.central_key')).toBe(
      'the central key is scheduled for deletion: SSE-KMS log files of 222222222222, 444444444444 become unreadable 30 days after the deploy',
    );
    expect(formatChangePlan(planOf('central.kmsKey false, control: no removed blocks'))).toMatch(
      /change: UNSAFE: 2 finding\(s\) above would lose evidence; fix the config \(docs\/changing-safely.md\), or pass --allow-unsafe to proceed anyway\n$/,
    );
  });

  test('removing retention destroys the lifecycle rules: not protected (keeping logs longer loses nothing)', () => {
    expect(costOf('retention removed', 'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle')).toBe('the lifecycle rules of my-bucket are removed: log files are kept forever');
  });

  test('control: the bucket\'s parts destroyed say what each costs', () => {
    const name = 'bucketManagement none, control: no removed blocks';
    expect(costOf(name, 'aws_s3_bucket_versioning.log_bucket_versioning')).toBe('versioning of my-bucket is suspended: an overwritten or deleted log file can no longer be recovered');
    expect(costOf(name, 'aws_s3_bucket.log_bucket')).toMatch(/^the log bucket my-bucket is deleted if it is empty; with log files in it the delete fails/);
    expect(costOf(name, 'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock')).toBe('the default retention (object lock) of my-bucket is removed: new log files are no longer locked');
  });

  test('policyOnly keeps the bucket policy: the same address, not replaced', () => {
    expect(planOf('bucketManagement policyOnly').actions.find((a) => a.address === 'aws_s3_bucket_policy.log_bucket_policy')).toBeUndefined();
  });

  test('a decommission destroys the trail (declared) and forgets its key; with deleteKeys the cost says when logs become unreadable', () => {
    expect(costOf('decommission without deleteKeys', 'aws_cloudtrail.trail_my-trail')).toBe('trail my-trail of 333333333333 is deleted: it stops logging');
    expect(formatChangePlan(planOf('decommission with deleteKeys'))).toContain(
      'the key of trail my-trail of 333333333333 is scheduled for deletion: SSE-KMS log files of 333333333333 encrypted with it become unreadable 30 days after the deploy',
    );
  });

  test('retain: the central policies stop admitting the trail, and the config says so: a note', () => {
    expect(messageOf('retain', 'delivery-refused')).toMatch(/deliveries of trail my-trail are refused from then on \(lifecycle: retain says so/);
  });

  test('an account removed without a lifecycle step: its trails keep running, refused from then on', () => {
    expect(planOf('account removed without lifecycle').unsafe[1].message).toBe(
      'trail trail-a of 444444444444 keeps running, unmanaged, but the central bucket policy no longer admits it (arn:aws:cloudtrail:us-east-2:444444444444:trail/trail-a): deliveries of trail trail-a are refused from then on',
    );
  });

  test('a rename with renamedFrom: the new trail is created first, and so is its delivery role (create_before_destroy reaches what the trail depends on)', () => {
    const plan = planOf('rename with renamedFrom');
    const trail = plan.actions.find((a) => a.type === 'aws_cloudtrail')!;
    expect(trail).toMatchObject({ forcedBy: ['name'], createBeforeDestroy: true });
    expect(trail.cost).toBe('trail my-trail of 333333333333 is replaced by new-trail (the new one is created before the old one is deleted)');
    expect(plan.actions.filter((a) => a.action === 'replace' && a.type.startsWith('aws_iam_')).map((a) => [a.address, a.createBeforeDestroy])).toEqual([
      ['aws_iam_role.trail_new-trail_cwl_role', true],
      ['aws_iam_role_policy.trail_new-trail_cwl_role_policy', true],
    ]);
    // Without renamedFrom written in the synthesis (an earlier release), the same replacement is not declared.
    expect(messageOf('rename with renamedFrom, control: no declarations', 'protected-replace')).toMatch(/^replaces protected aws_cloudtrail\.trail_new-trail \(name changed\), which the config does not declare/);
  });

  test('a replaced key: the cost says prevent_destroy makes Terraform refuse the plan', () => {
    expect(costOf('created key multiRegion changed', 'aws_kms_key.trail_my-trail_key')).toBe(
      'the key of trail my-trail of 333333333333 is scheduled for deletion: SSE-KMS log files of 333333333333 encrypted with it become unreadable 30 days after the deploy; a new key is created (prevent_destroy: Terraform refuses this plan)',
    );
  });

  test('a home region change under the same name: unsafe, with the steps of docs/changing-safely.md', () => {
    expect(messageOf('home region changed', 'home-region')).toBe(
      'trail my-trail of 222222222222 cannot move its home region from us-east-2 to us-west-2: CloudTrail cannot move a trail, and the provider reads it by its ARN in any region, ' +
        "so the account stack's plan fails on the trail's home region check while the central policies, deployed first, would admit it only in us-west-2. " +
        'Keep region: us-east-2 on the entry of my-trail, add an entry with another trailName in us-west-2 beside it and deploy (both trails log, both are admitted); ' +
        'then set lifecycle: decommission on the old entry and deploy; then remove it (docs/changing-safely.md, "Moving a trail to another home region")',
    );
  });

  test('a trail renamed and moved to another region in one change: unsafe (Terraform would delete the old trail outside its home region)', () => {
    const p = pairs.get('rename with renamedFrom')!;
    const current = synthStacks(
      configOf(
        (() => {
          const raw = JSON.parse(JSON.stringify(p.currentRaw));
          raw.accounts.find((a: any) => a.accountId === '333333333333').region = 'eu-west-1';
          return raw;
        })(),
      ),
    );
    const plan = analyzeChange(p.base, current);
    expect(plan.unsafe.map((f) => `${f.kind} ${f.address}`)).toEqual(['home-region aws_cloudtrail.trail_new-trail']);
    expect(plan.unsafe[0].message).toMatch(
      /^trail my-trail of 333333333333 \(home region us-east-2\) is replaced by trail new-trail in eu-west-1 in one change: .*CloudTrail deletes a trail only in its home region.*Keep region: us-east-2 on the entry of my-trail/,
    );
  });

  test('the guard\'s policies left attached with nobody to remove them: unsafe, saying how to turn prevention off', () => {
    expect(messageOf('guard removed at once', 'guard-dropped')).toBe(
      'stack cloudtrail-guard is in the base but not in the current config, and it still manages 2 resource(s): its service control policies would stay attached, unmanaged, ' +
        'and keep denying whoever they do not exempt, with no deploy to remove them. Set guard.prevention: false and deploy (the stack stays, empty, and its deploy detaches and deletes them), ' +
        'then remove guard.prevention (docs/guard.md)',
    );
    expect(costOf('guard: prevention false', 'aws_organizations_policy.guard_scp_1')).toBe("the guard's service control policy cloudtrail-fleet-guard-1 is deleted: what it denied is allowed again");
  });
});

describe('renaming a KMS alias (docs/changing-safely.md, "Renaming a KMS alias")', () => {
  test('a new alias name written in the config replaces the alias: declared, safe, and the cost says what changes for whom', () => {
    expect(planOf('created key alias renamed').actions.map((a) => [a.action, a.address, a.forcedBy, a.declared, a.cost])).toEqual([
      [
        'replace',
        'aws_kms_alias.trail_my-trail_key_alias',
        ['name'],
        true,
        'the alias alias/ct-333 is replaced by alias/ct-333-v2 for the same key (the old one is deleted before the new one is created); the key and the log files it encrypted are not affected, and anything that names alias/ct-333 must use alias/ct-333-v2',
      ],
    ]);
  });

  test('the central alias: account stacks look the key up by it, so the cost says to plan them after the central stack', () => {
    expect(costOf('central key alias renamed', 'aws_kms_alias.central_key_alias')).toBe(
      'the alias alias/cloudtrail-logs is replaced by alias/cloudtrail-logs-v2 for the same key (the old one is deleted before the new one is created); the key and the log files it encrypted are not affected, ' +
        'and anything that names alias/cloudtrail-logs must use alias/cloudtrail-logs-v2. Account stacks look the central key up by its alias: plan them only after cloudtrail-central is applied (deploy does, central first)',
    );
    // Every account stack on the central key looks up the new name, and is deployed after the central stack.
    const p = pairs.get('central key alias renamed')!;
    for (const account of ['cloudtrail-account-222222222222', 'cloudtrail-account-444444444444']) {
      expect(JSON.stringify((p.current.get(account) as any).data.aws_kms_key)).toContain(':alias/cloudtrail-logs-v2');
      expect(contentKey(p.current.get(account)!)).not.toBe(contentKey(p.base.get(account)!));
    }
  });

  test('an alias replaced for anything but a new literal name is not declared', () => {
    const p = pairs.get('created key alias renamed')!;
    const current = new Map([...p.current].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]));
    (current.get('cloudtrail-account-333333333333') as any).resource.aws_kms_alias['trail_my-trail_key_alias'].name = '${aws_kms_key.trail_my-trail_key.id}';
    expect(analyzeChange(p.base, current).unsafe.map((f) => `${f.kind} ${f.address}`)).toEqual(['protected-replace aws_kms_alias.trail_my-trail_key_alias']);
  });

  test('a deleted alias (its trail renamed without renamedFrom) stays unsafe', () => {
    expect(EXPECTED['rename without renamedFrom'].unsafe).toContain('protected-destroy cloudtrail-account-333333333333 aws_kms_alias.trail_my-trail_key_alias');
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

  test('every resource of every account stack of the examples belongs to a trail of its stack, or to the guard\'s detection', () => {
    let trails = 0;
    let guard = 0;
    for (const file of ['every-option.yaml', 'leaving-the-fleet.yaml', 'adopt-everything.yaml']) {
      const stacks = synthStacks(configOf(parse(readFileSync(path.join(ROOT, 'config', 'examples', file), 'utf8'))));
      for (const [name, stack] of stacks) {
        if (!name.startsWith('cloudtrail-account-')) continue;
        const resources = (stack.resource ?? {}) as Record<string, Record<string, unknown>>;
        const names = Object.keys(resources.aws_cloudtrail ?? {});
        for (const [type, byName] of Object.entries(resources)) {
          for (const n of Object.keys(byName)) {
            const owner = accountResourceOwner(type, n);
            expect([type, n, owner && ('trail' in owner ? names.includes(owner.trail) : owner.guard)]).toEqual([type, n, true]);
            if (owner && 'trail' in owner) trails++;
            else guard++;
          }
        }
      }
    }
    expect(trails).toBeGreaterThan(20);
    // every-option.yaml has guard.detection: rules, targets and the role that puts events on the central bus.
    expect(guard).toBeGreaterThan(10);
  });

  test('a trail\'s resources are told from the guard\'s and from other names', () => {
    expect(trailBaseName('aws_kms_alias', 'trail_x_key_key_alias')).toBe('trail_x_key');
    expect(trailBaseName('aws_cloudtrail', 'trail_org--trail')).toBe('trail_org--trail');
    expect(trailBaseName('aws_iam_role', 'guard_events_role')).toBeUndefined();
    expect(accountResourceOwner('aws_iam_role', 'guard_events_role')).toEqual({ guard: true });
    expect(accountResourceOwner('aws_cloudwatch_event_rule', 'guard_eu_west_1')).toEqual({ guard: true });
    expect(accountResourceOwner('aws_s3_bucket', 'guard_x')).toBeUndefined();
    expect(accountResourceOwner('aws_iam_role', 'other_role')).toBeUndefined();
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
    const p = pairs.get('decommission without deleteKeys')!;
    const current = new Map([...p.current].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]));
    for (const s of current.values()) delete (s as any)['//'];
    expect(analyzeChange(p.base, current).unsafe.map((f) => f.address)).toEqual(['aws_cloudtrail.trail_my-trail']);
    expect(analyzeChange(p.base, p.current).unsafe).toEqual([]);
    // What the commands pass (the config's own declarations) says the same as the synthesis.
    expect(analyzeChange(p.base, current, declarationsOf(configOf(p.currentRaw)))).toEqual(analyzeChange(p.base, p.current));
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
    const p = pairs.get('kmsKey create -> central, control: no removed blocks')!;
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
  test('none that the stacks of the examples use (the guard\'s EventBridge and Organizations types included)', () => {
    const types = new Set<string>();
    for (const file of readdirSync(path.join(ROOT, 'config', 'examples')).filter((f) => f.endsWith('.yaml'))) {
      for (const stack of synthStacks(configOf(parse(readFileSync(path.join(ROOT, 'config', 'examples', file), 'utf8')))).values()) {
        for (const t of Object.keys((stack as any).resource ?? {})) types.add(t);
      }
    }
    expect([...types].filter((t) => !forceNewArguments(t))).toEqual([]);
    for (const t of ['aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target', 'aws_cloudwatch_event_bus', 'aws_organizations_policy_attachment']) expect(types).toContain(t);
  });

  test('unchanged: nothing; changed: unsafe, naming the table to extend', () => {
    const base = new Map([['cloudtrail-central', { resource: { aws_new_thing: { x: { a: 1 } } } }]]);
    expect(analyzeChange(base, base).findings).toEqual([]);
    const changed = new Map([['cloudtrail-central', { resource: { aws_new_thing: { x: { a: 2 } } } }]]);
    expect(analyzeChange(base, changed).unsafe).toEqual([
      expect.objectContaining({ kind: 'unknown-type', address: 'aws_new_thing.x', message: expect.stringContaining('cli/lib/force-new.ts') }),
    ]);
  });
});
