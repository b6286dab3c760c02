/**
 * Before/after config pairs for every kind of edit issue 15 lists, for the
 * change gate's tests (cli/lib/change-plan.ts) and its Terraform oracle.
 *
 * What the change-safety synth adds (removed blocks for protected addresses
 * that leave the config, moved blocks + create_before_destroy for a declared
 * rename) is simulated on the synthesized JSON where a pair needs it
 * (`safety`), so the gate is tested on the stacks that work will produce.
 * TODO(merge): once that synth is on main, build those pairs from configs.
 */
import { configOf } from './fleet';
import { synthStacks } from '../../cli/lib/fleet-synth';
import { Declarations, declarationsFromStacks } from '../../cli/lib/change-plan';
import { GATE_DECLARATIONS_KEY } from '../../modules/gate-declarations';
import type { StackJson } from '../../cli/lib/stack-diff';

type Raw = Record<string, any>;
type Stacks = Map<string, StackJson>;

/** The base fleet: central key, object lock, retention; 222 on the central key, 333 with its own key + SNS + CloudWatch Logs, 444 with two trails. */
export function baseRaw(): Raw {
  return {
    central: {
      accountId: '111111111111',
      region: 'us-east-2',
      bucketName: 'my-bucket',
      objectLock: { mode: 'GOVERNANCE', days: 365 },
      retention: { expireAfterDays: 2557 },
    },
    defaults: { trailName: 'my-trail' },
    accounts: [
      { accountId: '222222222222' },
      {
        accountId: '333333333333',
        kmsKey: { create: { alias: 'alias/ct-333' } },
        sns: { create: { topicName: 'ct-333', sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: 'ct-333' } },
      },
      { accountId: '444444444444', trailName: 'trail-a' },
      { accountId: '444444444444', trailName: 'trail-b', kmsKey: { create: { alias: 'alias/ct-444b' } } },
    ],
  };
}

const copy = (raw: Raw): Raw => JSON.parse(JSON.stringify(raw));
const account = (raw: Raw, id: string, trail?: string) => raw.accounts.find((a: Raw) => a.accountId === id && (trail === undefined || (a.trailName ?? 'my-trail') === trail));

export interface ChangePair {
  readonly name: string;
  readonly base: Stacks;
  readonly current: Stacks;
  readonly declarations: Declarations;
}

function clone(stacks: Stacks): Stacks {
  return new Map([...stacks].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]));
}

/** Adds `removed { from = <address>  lifecycle { destroy = false } }` blocks to a stack. */
export function forget(stack: StackJson, addresses: readonly string[]): void {
  const s = stack as Record<string, any>;
  s.removed = [...(s.removed ?? []), ...addresses.map((from) => ({ from, lifecycle: { destroy: false } }))];
}

/** Adds `moved { from, to }` blocks to a stack. */
export function move(stack: StackJson, moves: readonly [string, string][]): void {
  const s = stack as Record<string, any>;
  s.moved = [...(s.moved ?? []), ...moves.map(([from, to]) => ({ from, to }))];
}

/** What synth writes into an account stack for the change-safety keys (`deleteKeys`, `renamedFrom`): see modules/gate-declarations.ts. */
export function declare(stack: StackJson, change: (d: Record<string, any>) => void): void {
  const s = stack as Record<string, any>;
  s['//'] = { ...(s['//'] ?? {}) };
  s['//'][GATE_DECLARATIONS_KEY] = { ...(s['//'][GATE_DECLARATIONS_KEY] ?? {}) };
  change(s['//'][GATE_DECLARATIONS_KEY]);
}

export function createBeforeDestroy(stack: StackJson, address: string): void {
  const [type, name] = address.split('.');
  const body = (stack as Record<string, any>).resource[type][name];
  body.lifecycle = { ...(body.lifecycle ?? {}), create_before_destroy: true };
}

/** Another team's bucket: its lifecycle and object lock are theirs (the config rules say so). */
function notOurBucket(r: Raw, mode: 'policyOnly' | 'none'): void {
  r.central.bucketManagement = mode;
  delete r.central.objectLock;
  delete r.central.retention;
}

const baseStacks = synthStacks(configOf(baseRaw()));

/** A pair; its declarations are what the current synthesis carries (as the deploy command reads them). */
function pair(name: string, edit: (raw: Raw) => void, safety?: (current: Stacks) => void): ChangePair {
  const raw = copy(baseRaw());
  edit(raw);
  const current = synthStacks(configOf(raw));
  safety?.(current);
  return { name, base: clone(baseStacks), current, declarations: declarationsFromStacks(current) };
}

const acct = (id: string) => `cloudtrail-account-${id}`;

/** Every pair, by name. */
export function changePairs(): Map<string, ChangePair> {
  const list: ChangePair[] = [
    pair('nothing', () => undefined),
    pair('prefix and selectors (updates only)', (r) => {
      account(r, '222222222222').prefix = 'team-a';
      account(r, '222222222222').insights = { apiCallRate: true };
    }),
    pair('central.kmsKey false', (r) => (r.central.kmsKey = false)),
    pair(
      'central.kmsKey false, key forgotten',
      (r) => (r.central.kmsKey = false),
      (c) => forget(c.get('cloudtrail-central')!, ['aws_kms_alias.central_key_alias', 'aws_kms_key.central_key']),
    ),
    pair('central key alias renamed', (r) => (r.central.kmsKey = { alias: 'alias/cloudtrail-logs-v2' })),
    pair('bucketManagement policyOnly', (r) => notOurBucket(r, 'policyOnly')),
    pair('bucketManagement none', (r) => notOurBucket(r, 'none')),
    pair(
      'bucketManagement none, bucket forgotten',
      (r) => notOurBucket(r, 'none'),
      (c) =>
        forget(c.get('cloudtrail-central')!, [
          'aws_s3_bucket.log_bucket',
          'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
          'aws_s3_bucket_ownership_controls.log_bucket_ownership_controls',
          'aws_s3_bucket_policy.log_bucket_policy',
          'aws_s3_bucket_public_access_block.log_bucket_public_access_block',
          'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption',
          'aws_s3_bucket_versioning.log_bucket_versioning',
        ]),
    ),
    pair('objectLock removed', (r) => delete r.central.objectLock),
    pair('retention removed', (r) => delete r.central.retention),
    pair('decommission without deleteKeys', (r) => (account(r, '333333333333').lifecycle = 'decommission')),
    pair(
      'decommission without deleteKeys, key forgotten',
      (r) => (account(r, '333333333333').lifecycle = 'decommission'),
      (c) => forget(c.get(acct('333333333333'))!, ['aws_kms_alias.trail_my-trail_key_alias', 'aws_kms_key.trail_my-trail_key']),
    ),
    pair(
      'decommission with deleteKeys',
      (r) => (account(r, '333333333333').lifecycle = 'decommission'),
      (c) => declare(c.get(acct('333333333333'))!, (d) => (d.decommission = [{ trailName: 'my-trail', deleteKeys: true }])),
    ),
    pair('kmsKey create -> central', (r) => delete account(r, '333333333333').kmsKey),
    pair('kmsKey create -> none', (r) => (account(r, '333333333333').kmsKey = 'none')),
    pair(
      'kmsKey create -> central, key forgotten',
      (r) => delete account(r, '333333333333').kmsKey,
      (c) => forget(c.get(acct('333333333333'))!, ['aws_kms_alias.trail_my-trail_key_alias', 'aws_kms_key.trail_my-trail_key']),
    ),
    pair('created key alias renamed', (r) => (account(r, '333333333333').kmsKey = { create: { alias: 'alias/ct-333-v2' } })),
    pair('rename without renamedFrom', (r) => (account(r, '333333333333').trailName = 'new-trail')),
    pair(
      'rename with renamedFrom',
      (r) => (account(r, '333333333333').trailName = 'new-trail'),
      (c) => {
        const s = c.get(acct('333333333333'))!;
        const moves: [string, string][] = [
          ['aws_cloudtrail.trail_my-trail', 'aws_cloudtrail.trail_new-trail'],
          ['aws_kms_key.trail_my-trail_key', 'aws_kms_key.trail_new-trail_key'],
          ['aws_kms_alias.trail_my-trail_key_alias', 'aws_kms_alias.trail_new-trail_key_alias'],
        ];
        move(s, moves);
        createBeforeDestroy(s, 'aws_cloudtrail.trail_new-trail');
        declare(s, (d) => (d.renamed = [{ from: 'my-trail', to: 'new-trail' }]));
      },
    ),
    pair('home region changed', (r) => (account(r, '222222222222').region = 'us-west-2')),
    pair('account removed without lifecycle', (r) => (r.accounts = r.accounts.filter((a: Raw) => a.accountId !== '444444444444'))),
    pair('one of two trails removed without lifecycle', (r) => (r.accounts = r.accounts.filter((a: Raw) => a.trailName !== 'trail-b'))),
    pair('retain', (r) => (account(r, '333333333333').lifecycle = 'retain')),
    pair('account added', (r) => r.accounts.push({ accountId: '555555555555' })),
  ];
  return new Map(list.map((p) => [p.name, p]));
}
