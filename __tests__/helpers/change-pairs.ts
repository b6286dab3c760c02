/**
 * Before/after config pairs for every kind of edit issue 15 lists, for the
 * change gate's tests (cli/lib/change-plan.ts), its Terraform oracle and the
 * commands that run it (`affected --base`, `check-config --base`).
 *
 * Both sides are synthesized from configs, by the same code as `cdktf
 * synth`: the `removed` and `moved` blocks, `create_before_destroy` and the
 * declarations (`//` entry) are what synth writes. A pair marked `control`
 * takes some of that away from the current synthesis, to show that the gate
 * (and Terraform) would then destroy what synth keeps: the gate's verdicts
 * on the real pairs cannot pass by the gate being blind.
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
  /** The configs (raw, as a user writes them). */
  readonly baseRaw: Raw;
  readonly currentRaw: Raw;
  readonly base: Stacks;
  readonly current: Stacks;
  /** What the current synthesis declares (as the deploy command reads it: from the stacks). */
  readonly declarations: Declarations;
  /** The current synthesis was altered (a control): no config gives it, so the commands cannot be run on it. */
  readonly control: boolean;
}

function clone(stacks: Stacks): Stacks {
  return new Map([...stacks].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]));
}

/** Adds `removed { from = <address>  lifecycle { destroy = false } }` blocks to a stack. */
export function forget(stack: StackJson, addresses: readonly string[]): void {
  const s = stack as Record<string, any>;
  s.removed = [...(s.removed ?? []), ...addresses.map((from) => ({ from, lifecycle: { destroy: false } }))];
}

/** Control: the stack without the `removed` blocks synth wrote. */
export function withoutRemoved(stack: StackJson): void {
  delete (stack as Record<string, any>).removed;
}

/** Control: the stack without the `moved` blocks synth wrote. */
export function withoutMoved(stack: StackJson): void {
  delete (stack as Record<string, any>).moved;
}

/** Control: the stack without the declarations synth wrote (an older synth). */
export function withoutDeclarations(stack: StackJson): void {
  const comments = (stack as Record<string, any>)['//'];
  if (comments) delete comments[GATE_DECLARATIONS_KEY];
}

/** Another team's bucket: its lifecycle and object lock are theirs (the config rules say so). */
function notOurBucket(r: Raw, mode: 'policyOnly' | 'none'): void {
  r.central.bucketManagement = mode;
  delete r.central.objectLock;
  delete r.central.retention;
}

const baseStacks = new Map<string, Stacks>();
const synthOf = (raw: Raw): Stacks => {
  const key = JSON.stringify(raw);
  if (!baseStacks.has(key)) baseStacks.set(key, synthStacks(configOf(raw)));
  return clone(baseStacks.get(key)!);
};

interface PairOptions {
  /** The base differs from baseRaw(). */
  readonly base?: (raw: Raw) => void;
  /** A control: what is taken away from the current synthesis. */
  readonly control?: (current: Stacks) => void;
}

/** A pair; its declarations are what the current synthesis carries (as the deploy command reads them). */
function pair(name: string, edit: (raw: Raw) => void, options: PairOptions = {}): ChangePair {
  const before = copy(baseRaw());
  options.base?.(before);
  const after = copy(before);
  edit(after);
  const current = synthOf(after);
  options.control?.(current);
  return { name, baseRaw: before, currentRaw: after, base: synthOf(before), current, declarations: declarationsFromStacks(current), control: !!options.control };
}

const acct = (id: string) => `cloudtrail-account-${id}`;
const central = (f: (s: StackJson) => void) => (c: Stacks) => f(c.get('cloudtrail-central')!);
const ofAccount = (id: string, f: (s: StackJson) => void) => (c: Stacks) => f(c.get(acct(id))!);

const deployer = (accountId: string) => `arn:aws:iam::${accountId}:role/TerraformDeploy`;

/** The organization of the fleet, its management account being the central one; each account deployed by its own role (as the guard needs). */
function organization(r: Raw): void {
  r.organization = { id: 'o-a1b2c3d4e5', managementAccountId: '111111111111' };
  for (const a of r.accounts) a.assumeRoleArn = deployer(a.accountId);
}

/** The guard on: service control policies on the root, detection into the central bus. */
function guardOn(r: Raw): void {
  organization(r);
  r.guard = { prevention: { attachTo: ['r-ab12'] }, detection: {} };
}

/** Every pair, by name. */
export function changePairs(): Map<string, ChangePair> {
  const decommission333 = (r: Raw) => (account(r, '333333333333').lifecycle = 'decommission');
  const rename333 = (r: Raw) => Object.assign(account(r, '333333333333'), { trailName: 'new-trail', renamedFrom: 'my-trail' });
  const list: ChangePair[] = [
    pair('nothing', () => undefined),
    pair('prefix and selectors (updates only)', (r) => {
      account(r, '222222222222').prefix = 'team-a';
      account(r, '222222222222').insights = { apiCallRate: true };
      account(r, '444444444444', 'trail-a').dataEvents = { s3: { buckets: [{ name: 'some-data' }] } };
    }),
    pair('account added', (r) => r.accounts.push({ accountId: '555555555555' })),
    pair('trail added to an account', (r) => r.accounts.push({ accountId: '222222222222', trailName: 'second', region: 'eu-west-1' })),

    // The central bucket and key.
    pair('central.kmsKey false', (r) => (r.central.kmsKey = false)),
    pair('central.kmsKey false, control: no removed blocks', (r) => (r.central.kmsKey = false), { control: central(withoutRemoved) }),
    pair('central key alias renamed', (r) => (r.central.kmsKey = { alias: 'alias/cloudtrail-logs-v2' })),
    pair('central key multiRegion changed', (r) => (r.central.kmsKey = { multiRegion: true })),
    pair('bucketManagement policyOnly', (r) => notOurBucket(r, 'policyOnly')),
    pair('bucketManagement policyOnly, control: no removed blocks', (r) => notOurBucket(r, 'policyOnly'), { control: central(withoutRemoved) }),
    pair('bucketManagement none', (r) => notOurBucket(r, 'none')),
    pair('bucketManagement none, control: no removed blocks', (r) => notOurBucket(r, 'none'), { control: central(withoutRemoved) }),
    pair('objectLock removed', (r) => delete r.central.objectLock),
    pair('objectLock removed, control: no removed blocks', (r) => delete r.central.objectLock, { control: central(withoutRemoved) }),
    pair('retention removed', (r) => delete r.central.retention),
    pair('accessLogging added', (r) => (r.central.accessLogging = { targetBucket: 'my-access-logs' })),
    pair('accessLogging removed', (r) => delete r.central.accessLogging, { base: (r) => (r.central.accessLogging = { targetBucket: 'my-access-logs' }) }),
    pair('organization on', (r) => {
      r.organization = { id: 'o-a1b2c3d4e5', managementAccountId: '999999999999' };
      r.accounts.push({ accountId: '999999999999', trailName: 'org-trail', organizationTrail: true });
    }),
    pair(
      'organization off',
      (r) => {
        delete r.organization;
        r.accounts = r.accounts.filter((a: Raw) => a.accountId !== '999999999999');
        r.accounts.push({ accountId: '999999999999', trailName: 'org-trail', lifecycle: 'decommission' });
      },
      {
        base: (r) => {
          r.organization = { id: 'o-a1b2c3d4e5', managementAccountId: '999999999999' };
          r.accounts.push({ accountId: '999999999999', trailName: 'org-trail', organizationTrail: true });
        },
      },
    ),

    // Trails leaving the fleet.
    pair('decommission without deleteKeys', decommission333),
    pair('decommission without deleteKeys, control: no removed blocks', decommission333, { control: ofAccount('333333333333', withoutRemoved) }),
    pair('decommission without deleteKeys, control: no declarations', decommission333, { control: ofAccount('333333333333', withoutDeclarations) }),
    pair('decommission with deleteKeys', (r) => Object.assign(account(r, '333333333333'), { lifecycle: 'decommission', deleteKeys: true })),
    pair('decommissioned account removed', (r) => (r.accounts = r.accounts.filter((a: Raw) => a.accountId !== '333333333333')), { base: decommission333 }),
    pair('retain', (r) => (account(r, '333333333333').lifecycle = 'retain')),
    pair('retain, the entry edited in the same change', (r) => Object.assign(account(r, '333333333333'), { lifecycle: 'retain', kmsKey: 'none' })),
    pair('retained account removed', (r) => (r.accounts = r.accounts.filter((a: Raw) => a.accountId !== '333333333333')), {
      base: (r) => (account(r, '333333333333').lifecycle = 'retain'),
    }),
    pair('account removed without lifecycle', (r) => (r.accounts = r.accounts.filter((a: Raw) => a.accountId !== '444444444444'))),
    pair('one of two trails removed without lifecycle', (r) => (r.accounts = r.accounts.filter((a: Raw) => a.trailName !== 'trail-b'))),

    // Trail keys, names, regions and deliveries.
    pair('kmsKey create -> central', (r) => delete account(r, '333333333333').kmsKey),
    pair('kmsKey create -> none', (r) => (account(r, '333333333333').kmsKey = 'none')),
    pair('kmsKey create -> arn', (r) => (account(r, '333333333333').kmsKey = { arn: 'arn:aws:kms:us-east-2:333333333333:key/0a1b2c3d-1111-2222-3333-444455556666' })),
    pair('kmsKey create -> central, control: no removed blocks', (r) => delete account(r, '333333333333').kmsKey, { control: ofAccount('333333333333', withoutRemoved) }),
    pair('kmsKey central -> create', (r) => (account(r, '222222222222').kmsKey = { create: { alias: 'alias/ct-222' } })),
    pair('created key alias renamed', (r) => (account(r, '333333333333').kmsKey = { create: { alias: 'alias/ct-333-v2' } })),
    pair('created key multiRegion changed', (r) => (account(r, '333333333333').kmsKey = { create: { alias: 'alias/ct-333', multiRegion: true } })),
    pair('SNS, SQS and CloudWatch Logs off', (r) => {
      delete account(r, '333333333333').sns;
      delete account(r, '333333333333').cloudWatchLogs;
    }),
    pair('SNS, SQS and CloudWatch Logs on', (r) =>
      Object.assign(account(r, '222222222222'), { sns: { create: { topicName: 'ct-222', sqsQueue: true } }, cloudWatchLogs: { create: { logGroupName: 'ct-222' } } }),
    ),
    pair('rename without renamedFrom', (r) => (account(r, '333333333333').trailName = 'new-trail')),
    pair('rename with renamedFrom', rename333),
    pair('rename with renamedFrom, control: no moved blocks', rename333, { control: ofAccount('333333333333', withoutMoved) }),
    pair('rename with renamedFrom, control: no declarations', rename333, { control: ofAccount('333333333333', withoutDeclarations) }),
    pair('renamedFrom removed after the rename', (r) => delete account(r, '333333333333').renamedFrom, { base: rename333 }),
    pair('home region changed', (r) => (account(r, '222222222222').region = 'us-west-2')),

    // The guard (issue 17): its EventBridge rules in each account, the service control policies in the management account.
    pair('guard on', guardOn, { base: organization }),
    pair('guard: a trail in another region adds a rule', (r) => r.accounts.push({ accountId: '222222222222', trailName: 'eu-trail', region: 'eu-west-1', assumeRoleArn: deployer('222222222222') }), {
      base: guardOn,
    }),
    pair('guard: prevention attached elsewhere', (r) => (r.guard.prevention.attachTo = ['ou-ab12-cdefgh12']), { base: guardOn }),
    pair('guard: prevention false', (r) => (r.guard.prevention = false), { base: guardOn }),
    pair('guard removed at once', (r) => delete r.guard, { base: guardOn }),
    pair('adopt removed after the adoption', (r) => delete account(r, '222222222222').adopt, { base: (r) => (account(r, '222222222222').adopt = true) }),
  ];
  return new Map(list.map((p) => [p.name, p]));
}
