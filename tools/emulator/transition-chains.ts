/**
 * The transitions the emulator stage applies (tools/emulator/transitions.ts,
 * __tests__/tools/emulator/transitions.emulator.test.ts): every kind of edit
 * the config allows, packed into two chains of configs so that Terraform
 * runs as few times as it can (docs/emulator.md, "Transitions").
 *
 * An account stack holds many trails, and each trail makes an edit of its
 * own in the same step (account stacks are independent; one stack's plan,
 * apply and re-plan cover all of its trails). Central edits to different
 * parts of the central stack share a step too. Edits that need a deployed
 * state of their own come one step later (a rename's `renamedFrom` removed,
 * a decommissioned entry removed, Insights off after on).
 *
 * - `trails` (central 111111111111, bucket ct-transitions-trails): every
 *   kmsKey variant, an alias rename, SNS/SQS and CloudWatch Logs on and off,
 *   prefix, selectors basic and advanced, Insights and network activity on
 *   and off, trail lifecycle (decommission with and without deleteKeys,
 *   retain, renamedFrom, added, removed), an account decommissioned and
 *   removed, an account added with adopt and adopt removed; the central
 *   key's alias renamed and the central key dropped; retention, access
 *   logging and object lock. Probes: home region (a multi-Region
 *   trail), a created key's and the central key's multiRegion, a trail and an
 *   account removed without a lifecycle step.
 * - `central` (central 101010101010, bucket ct-transitions-central):
 *   organization on and off, the guard on and off, bucketManagement
 *   policyOnly and none, the bucket adopted back and adopt removed.
 *
 * Each config is written as a user would (raw YAML as objects), loaded with
 * every rule (configFromObject + FLEET_CHECKS).
 */
import { configFromObject } from '../../config/load';
import type { FleetConfig } from '../../config/model';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { Chain, ChainStep, Probe } from './transitions';

type Raw = Record<string, any>;

/**
 * Every kind of edit issue 15 lists, as the chains name them in `covers`: the
 * CI chain (`ciChain`) covers each of them at least once.
 */
export const ISSUE_KINDS = [
  'account added',
  'account removed (after decommission)',
  'account decommissioned',
  'trail added',
  'trail removed (after decommission / retain)',
  'trail renamed (renamedFrom)',
  'renamedFrom removed',
  'prefix',
  'home region (refused)',
  'kmsKey central -> create',
  'kmsKey create -> central',
  'kmsKey create -> none',
  'kmsKey create -> arn',
  'kmsKey create alias renamed',
  'central key alias renamed',
  'central key multiRegion (refused)',
  'central kmsKey false',
  'SNS/SQS on',
  'SNS/SQS off',
  'CloudWatch Logs on',
  'CloudWatch Logs off',
  'management event selectors',
  'data event selectors',
  'basic -> advanced selectors',
  'Insights on',
  'Insights off',
  'organization on',
  'organization off',
  'bucketManagement policyOnly',
  'bucketManagement none',
  'objectLock changed',
  'objectLock removed',
  'retention removed',
  'retention added',
  'accessLogging on',
  'accessLogging off',
  'adopt on (trail)',
  'adopt off (trail)',
  'lifecycle decommission',
  'lifecycle decommission with deleteKeys',
  'lifecycle retain',
  'trail removed without lifecycle (unsafe)',
  'account removed without lifecycle (unsafe)',
] as const;

/** Kinds only the exhaustive chains cover (CLOUDTRAIL_EMULATOR_TRANSITIONS=all): beyond the issue's list, or a second variant of one. */
export const EXTRA_KINDS = [
  'kmsKey create multiRegion (refused)',
  'network activity events on',
  'network activity events off',
  'adopt on (bucket)',
  'adopt off (bucket)',
  'guard on',
  'guard off',
] as const;

export const TRANSITION_KINDS = [...ISSUE_KINDS, ...EXTRA_KINDS] as const;

export type TransitionKind = (typeof TRANSITION_KINDS)[number];

const copy = (raw: Raw): Raw => JSON.parse(JSON.stringify(raw));
const load = (raw: Raw, name: string): FleetConfig => configFromObject(copy(raw), name, FLEET_CHECKS);

/** Builds a chain from a first raw config and edits, each applied to a copy of the step before. */
class ChainBuilder {
  private readonly steps: ChainStep[] = [];
  private last: Raw;

  constructor(
    private readonly chain: string,
    first: Raw,
    name: string,
  ) {
    this.last = copy(first);
    this.steps.push({ name, covers: [], config: load(first, `${chain} 0`), raw: copy(first) });
  }

  /** A probe from the current (last) config: `edit` applied to a copy, planned and never applied. */
  probe(name: string, covers: readonly TransitionKind[], edit: (r: Raw) => void, planFails?: Record<string, string>): Probe {
    const raw = copy(this.last);
    edit(raw);
    return { name, covers, config: load(raw, `${this.chain} probe ${name}`), ...(planFails ? { planFails } : {}) };
  }

  step(name: string, covers: readonly TransitionKind[], edit: (r: Raw) => void, options: { probes?: Probe[]; seedImports?: boolean } = {}): this {
    const raw = copy(this.last);
    edit(raw);
    this.steps.push({ name, covers, config: load(raw, `${this.chain} ${this.steps.length}`), raw: copy(raw), ...options });
    this.last = raw;
    return this;
  }

  build(): Chain {
    return { name: this.chain, steps: this.steps };
  }
}

const entry = (r: Raw, accountId: string, trailName: string): Raw => {
  const e = r.accounts.find((a: Raw) => a.accountId === accountId && a.trailName === trailName);
  if (!e) throw new Error(`tools/emulator/transition-chains.ts: no entry ${accountId}/${trailName}`);
  return e;
};
const drop = (r: Raw, accountId: string, trailName?: string) => {
  r.accounts = r.accounts.filter((a: Raw) => !(a.accountId === accountId && (trailName === undefined || a.trailName === trailName)));
};

/** A KMS key of account 222222222222 that exists before the fleet names it (`kmsKey: { arn }`). */
export const EXISTING_KEY_ARN = 'arn:aws:kms:us-east-2:222222222222:key/0a1b2c3d-1111-2222-3333-444455556666';

const KEYS = '222222222222';
const DELIVERIES = '333333333333';
const LEAVING = '444444444444';
const ADOPTED = '555555555555';

/** The `trails` chain: per-trail and per-account edits, and the central stack's key, retention, logging and lock. */
export function trailsChain(): Chain {
  const w1 = 'us-west-1';
  const w2 = 'us-west-2';
  const base: Raw = {
    central: {
      accountId: '111111111111',
      region: 'us-east-2',
      bucketName: 'ct-transitions-trails',
      kmsKey: { alias: 'alias/ct-trails' },
      objectLock: { mode: 'GOVERNANCE', days: 1 },
      retention: { expireAfterDays: 400 },
    },
    // Single-Region trails, SSE-S3 unless said otherwise: five trails fit per account and Region.
    defaults: { multiRegion: false, includeGlobalServiceEvents: false, kmsKey: 'none' },
    accounts: [
      // Keys, and what leaves (us-east-2: keys; us-west-2: lifecycle).
      { accountId: KEYS, trailName: 'k-central2create', kmsKey: 'central' },
      { accountId: KEYS, trailName: 'k-create2central', kmsKey: { create: { alias: 'alias/k-create2central' } } },
      { accountId: KEYS, trailName: 'k-create2none', kmsKey: { create: { alias: 'alias/k-create2none' } } },
      { accountId: KEYS, trailName: 'k-create2arn', kmsKey: { create: { alias: 'alias/k-create2arn' } } },
      { accountId: KEYS, trailName: 'k-alias', kmsKey: { create: { alias: 'alias/k-alias' } } },
      { accountId: KEYS, trailName: 'l-decom', region: w2, kmsKey: { create: { alias: 'alias/l-decom' } } },
      { accountId: KEYS, trailName: 'l-decom-keys', region: w2, kmsKey: { create: { alias: 'alias/l-decom-keys' } } },
      { accountId: KEYS, trailName: 'l-retain', region: w2, kmsKey: { create: { alias: 'alias/l-retain' } }, cloudWatchLogs: { create: { logGroupName: 'l-retain' } } },
      { accountId: KEYS, trailName: 'l-rename', region: w2, kmsKey: { create: { alias: 'alias/l-rename' } }, cloudWatchLogs: { create: { logGroupName: 'l-rename' } } },
      // Deliveries (us-east-2) and events (us-west-2).
      { accountId: DELIVERIES, trailName: 'd-sns-on' },
      { accountId: DELIVERIES, trailName: 'd-sns-off', sns: { create: { topicName: 'd-sns-off', sqsQueue: true } } },
      { accountId: DELIVERIES, trailName: 'd-cwl-on' },
      { accountId: DELIVERIES, trailName: 'd-cwl-off', cloudWatchLogs: { create: { logGroupName: 'd-cwl-off', retentionInDays: 30 } } },
      { accountId: DELIVERIES, trailName: 'e-prefix' },
      { accountId: DELIVERIES, trailName: 'e-selectors', region: w2 },
      { accountId: DELIVERIES, trailName: 'e-advanced', region: w2, dataEvents: { lambda: { allFunctions: 'WriteOnly' } } },
      { accountId: DELIVERIES, trailName: 'e-insights-on', region: w2 },
      { accountId: DELIVERIES, trailName: 'e-insights-off', region: w2, insights: { apiCallRate: true, apiErrorRate: true } },
      { accountId: DELIVERIES, trailName: 'e-network', region: w2 },
      // An account that leaves the fleet; its trail is multi-Region (the home-region probe).
      { accountId: LEAVING, trailName: 'multi-region', multiRegion: true, includeGlobalServiceEvents: true, kmsKey: { create: { alias: 'alias/leaving' } } },
    ],
  };
  const b = new ChainBuilder('trails', base, 'central key, object lock, retention; 4 accounts, 20 trails');
  const probes = [
    b.probe('home region of a multi-Region trail', ['home region (refused)'], (r) => (entry(r, LEAVING, 'multi-region').region = w2), {
      [`cloudtrail-account-${LEAVING}`]: `Trail multi-region of account ${LEAVING} is configured with home region ${w2}`,
    }),
    b.probe('a created key made multi-Region', ['kmsKey create multiRegion (refused)'], (r) => (entry(r, KEYS, 'k-alias').kmsKey = { create: { alias: 'alias/k-alias', multiRegion: true } }), {
      [`cloudtrail-account-${KEYS}`]: 'aws_kms_key.trail_k-alias_key has lifecycle.prevent_destroy',
    }),
    b.probe('the central key made multi-Region', ['central key multiRegion (refused)'], (r) => (r.central.kmsKey = { alias: 'alias/ct-trails', multiRegion: true }), {
      'cloudtrail-central': 'aws_kms_key.central_key has lifecycle.prevent_destroy',
    }),
    b.probe('a trail with its created key removed without lifecycle (control)', ['trail removed without lifecycle (unsafe)'], (r) => drop(r, KEYS, 'k-create2arn')),
    b.probe('an account removed without lifecycle (control)', ['account removed without lifecycle (unsafe)'], (r) => drop(r, LEAVING)),
  ];
  b.step(
    'keys, deliveries, selectors, lifecycle; alias renamed, access logging on',
    [
      'kmsKey central -> create',
      'kmsKey create -> central',
      'kmsKey create -> none',
      'kmsKey create -> arn',
      'kmsKey create alias renamed',
      'lifecycle decommission',
      'lifecycle decommission with deleteKeys',
      'lifecycle retain',
      'trail renamed (renamedFrom)',
      'trail added',
      'SNS/SQS on',
      'SNS/SQS off',
      'CloudWatch Logs on',
      'CloudWatch Logs off',
      'prefix',
      'management event selectors',
      'data event selectors',
      'basic -> advanced selectors',
      'Insights on',
      'Insights off',
      'network activity events on',
      'account decommissioned',
      'account added',
      'adopt on (trail)',
      'central key alias renamed',
      'retention removed',
      'accessLogging on',
      'objectLock changed',
    ],
    (r) => {
      r.central.kmsKey = { alias: 'alias/ct-trails-v2' };
      delete r.central.retention;
      r.central.accessLogging = { targetBucket: 'ct-transitions-trails-access', targetPrefix: 'trails/' };
      r.central.objectLock = { mode: 'GOVERNANCE', days: 2 };
      entry(r, KEYS, 'k-central2create').kmsKey = { create: { alias: 'alias/k-central2create' } };
      entry(r, KEYS, 'k-create2central').kmsKey = 'central';
      entry(r, KEYS, 'k-create2none').kmsKey = 'none';
      entry(r, KEYS, 'k-create2arn').kmsKey = { arn: EXISTING_KEY_ARN };
      entry(r, KEYS, 'k-alias').kmsKey = { create: { alias: 'alias/k-alias-v2' } };
      entry(r, KEYS, 'l-decom').lifecycle = 'decommission';
      Object.assign(entry(r, KEYS, 'l-decom-keys'), { lifecycle: 'decommission', deleteKeys: true });
      entry(r, KEYS, 'l-retain').lifecycle = 'retain';
      Object.assign(entry(r, KEYS, 'l-rename'), { trailName: 'l-renamed', renamedFrom: 'l-rename' });
      r.accounts.push({ accountId: KEYS, trailName: 'l-added', region: w1 });
      entry(r, DELIVERIES, 'd-sns-on').sns = { create: { topicName: 'd-sns-on', sqsQueue: true } };
      delete entry(r, DELIVERIES, 'd-sns-off').sns;
      entry(r, DELIVERIES, 'd-cwl-on').cloudWatchLogs = { create: { logGroupName: 'd-cwl-on' } };
      delete entry(r, DELIVERIES, 'd-cwl-off').cloudWatchLogs;
      entry(r, DELIVERIES, 'e-prefix').prefix = 'team-e';
      Object.assign(entry(r, DELIVERIES, 'e-selectors'), {
        managementEvents: { readWrite: 'WriteOnly', excludeKmsEvents: true },
        dataEvents: { s3: { buckets: [{ name: 'payments-data', readWrite: 'WriteOnly' }] } },
      });
      entry(r, DELIVERIES, 'e-advanced').dataEvents = {
        lambda: { allFunctions: 'WriteOnly' },
        advanced: [{ name: 'DeleteObject only', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', equals: ['DeleteObject'] }] }],
      };
      entry(r, DELIVERIES, 'e-insights-on').insights = { apiCallRate: true, apiErrorRate: true };
      delete entry(r, DELIVERIES, 'e-insights-off').insights;
      entry(r, DELIVERIES, 'e-network').networkActivityEvents = { eventSources: ['kms.amazonaws.com', { eventSource: 'secretsmanager.amazonaws.com', eventNames: ['GetSecretValue'] }] };
      entry(r, LEAVING, 'multi-region').lifecycle = 'decommission';
      r.accounts.push({ accountId: ADOPTED, trailName: 'adopted', adopt: true, multiRegion: true, includeGlobalServiceEvents: true });
    },
    { probes },
  );
  b.step(
    'what the first step left: decommissioned and retained entries removed, renamedFrom removed, Insights and network events off, adopt removed; retention back, access logging off, object lock removed',
    ['trail removed (after decommission / retain)', 'renamedFrom removed', 'account removed (after decommission)', 'Insights off', 'network activity events off', 'adopt off (trail)', 'retention added', 'accessLogging off', 'objectLock removed'],
    (r) => {
      r.central.retention = { expireAfterDays: 500, transitionToGlacierAfterDays: 90 };
      delete r.central.accessLogging;
      delete r.central.objectLock;
      drop(r, KEYS, 'l-decom');
      drop(r, KEYS, 'l-decom-keys');
      drop(r, KEYS, 'l-retain');
      delete entry(r, KEYS, 'l-renamed').renamedFrom;
      delete entry(r, DELIVERIES, 'e-insights-on').insights;
      delete entry(r, DELIVERIES, 'e-network').networkActivityEvents;
      drop(r, LEAVING);
      delete entry(r, ADOPTED, 'adopted').adopt;
    },
  );
  b.step('the central key dropped', ['central kmsKey false'], (r) => {
    r.central.kmsKey = false;
    // Without a central key, no trail can name it.
    entry(r, KEYS, 'k-create2central').kmsKey = 'none';
  });
  return b.build();
}

const CENTRAL = '101010101010';
const MEMBER = '202020202020';
const role = (accountId: string) => `arn:aws:iam::${accountId}:role/TerraformDeploy`;

/** The `central` chain: organization, guard, and the bucket given away and adopted back. */
export function centralChain(): Chain {
  const base: Raw = {
    central: { accountId: CENTRAL, region: 'us-east-2', bucketName: 'ct-transitions-central', assumeRoleArn: role(CENTRAL), kmsKey: { alias: 'alias/ct-central' } },
    defaults: { trailName: 'fleet-trail' },
    accounts: [{ accountId: MEMBER, assumeRoleArn: role(MEMBER) }],
  };
  const b = new ChainBuilder('central', base, 'central key; one member account');
  b.step('organization on with an organization trail, and the guard on', ['organization on', 'guard on'], (r) => {
    r.organization = { id: 'o-transitions01', managementAccountId: CENTRAL };
    r.accounts.push({ accountId: CENTRAL, assumeRoleArn: role(CENTRAL), trailName: 'org-trail', organizationTrail: true, kmsKey: 'none' });
    r.guard = { prevention: { attachTo: ['r-ab12'], assumeRoleArn: role(CENTRAL) }, detection: {} };
  });
  b.step('the guard off: prevention and detection false', ['guard off'], (r) => {
    r.guard = { prevention: false, detection: false };
  });
  b.step('organization off: the organization trail decommissioned, the guard removed', ['organization off'], (r) => {
    delete r.guard;
    delete r.organization;
    entry(r, CENTRAL, 'org-trail').lifecycle = 'decommission';
    delete entry(r, CENTRAL, 'org-trail').organizationTrail;
  });
  b.step('bucketManagement policyOnly', ['bucketManagement policyOnly'], (r) => {
    drop(r, CENTRAL, 'org-trail');
    r.central.bucketManagement = 'policyOnly';
  });
  b.step('bucketManagement none', ['bucketManagement none'], (r) => {
    r.central.bucketManagement = 'none';
  });
  b.step(
    'the bucket managed again, adopted with its parts',
    ['adopt on (bucket)'],
    (r) => {
      r.central.bucketManagement = 'managed';
      r.central.adopt = true;
    },
    { seedImports: false },
  );
  b.step('adopt removed after the adoption', ['adopt off (bucket)'], (r) => {
    delete r.central.adopt;
  });
  return b.build();
}

const CI_CENTRAL = '121212121212';
const CI_TRAILS = '232323232323';
const CI_LEAVING = '454545454545';
const CI_ADOPTED = '565656565656';

/** A KMS key of the CI chain's trail account that exists before the fleet names it (`kmsKey: { arn }`). */
export const CI_EXISTING_KEY_ARN = `arn:aws:kms:us-east-2:${CI_TRAILS}:key/0a1b2c3d-4444-5555-6666-777788889999`;

/**
 * The CI chain: every kind of edit issue 15 lists (ISSUE_KINDS) at least once,
 * in as few Terraform runs as it takes (4 stacks at most, 4 transitions, 2
 * probes). Every account and the central account have an `assumeRoleArn`,
 * so `verify` can check each trail with its own account's credentials once
 * the chain is applied.
 *
 *  0. central key, object lock, retention; 12 trails in one account (keys,
 *     deliveries, events, what will leave) and a multi-Region trail in an
 *     account that will leave;
 *  1. every trail edit at once (keys, SNS/SQS and CloudWatch Logs on and off,
 *     prefix and selectors, Insights on, decommission, retain, rename, a trail
 *     added), the leaving account decommissioned with deleteKeys, an adopted
 *     account added; the central key's alias renamed, retention removed,
 *     access logging on, object lock changed. Probes: the home region of a
 *     multi-Region trail with the central key made multi-Region (Terraform
 *     refuses both), and a trail and an account dropped without a lifecycle
 *     step (the gate's control: unsafe, and Terraform's plan loses exactly
 *     what the gate lists);
 *  2. what step 1 left removed (decommissioned and retained entries, the
 *     leaving account, renamedFrom, adopt), basic -> advanced selectors,
 *     Insights off; retention back, access logging off, object lock removed;
 *     an organization with an organization trail;
 *  3. the central key dropped, the organization off (its trail no longer an
 *     organization trail), bucketManagement policyOnly;
 *  4. bucketManagement none.
 */
export function ciChain(): Chain {
  const e2 = 'us-east-2';
  const w2 = 'us-west-2';
  const w1 = 'us-west-1';
  const trail = (trailName: string, region: string, more: Raw = {}): Raw => ({ accountId: CI_TRAILS, assumeRoleArn: role(CI_TRAILS), trailName, region, ...more });
  const create = (name: string) => ({ create: { alias: `alias/ci-${name}` } });
  const base: Raw = {
    central: {
      accountId: CI_CENTRAL,
      region: e2,
      bucketName: 'ct-transitions-ci',
      assumeRoleArn: role(CI_CENTRAL),
      kmsKey: { alias: 'alias/ct-ci' },
      objectLock: { mode: 'GOVERNANCE', days: 1 },
      retention: { expireAfterDays: 400 },
    },
    // Single-Region trails with SSE-S3 unless said otherwise, at most five per account and Region (the CloudTrail quota).
    defaults: { multiRegion: false, includeGlobalServiceEvents: false, kmsKey: 'none' },
    accounts: [
      trail('k-central2create', e2, { kmsKey: 'central' }),
      trail('k-create2central', e2, { kmsKey: create('k-create2central') }),
      trail('k-create2none', e2, { kmsKey: create('k-create2none') }),
      trail('k-create2arn', e2, { kmsKey: create('k-create2arn') }),
      trail('k-alias', e2, { kmsKey: create('k-alias') }),
      trail('d-on', w2),
      trail('d-off', w2, { sns: { create: { topicName: 'ci-d-off', sqsQueue: true } }, cloudWatchLogs: { create: { logGroupName: 'ci-d-off', retentionInDays: 30 } } }),
      trail('e-events', w2),
      trail('e-insights', w2),
      trail('l-decom', w2, { kmsKey: create('l-decom') }),
      trail('l-retain', w1, { cloudWatchLogs: { create: { logGroupName: 'ci-l-retain' } } }),
      trail('l-rename', w1, { kmsKey: create('l-rename') }),
      { accountId: CI_LEAVING, assumeRoleArn: role(CI_LEAVING), trailName: 'leaving', multiRegion: true, includeGlobalServiceEvents: true, kmsKey: create('leaving') },
    ],
  };
  const b = new ChainBuilder('ci', base, 'central key, object lock, retention; 13 trails in 2 accounts');
  const probes = [
    b.probe(
      'the home region of a multi-Region trail, and the central key made multi-Region',
      ['home region (refused)', 'central key multiRegion (refused)'],
      (r) => {
        entry(r, CI_LEAVING, 'leaving').region = w2;
        r.central.kmsKey = { alias: 'alias/ct-ci', multiRegion: true };
      },
      {
        [`cloudtrail-account-${CI_LEAVING}`]: `Trail leaving of account ${CI_LEAVING} is configured with home region ${w2}`,
        'cloudtrail-central': 'aws_kms_key.central_key has lifecycle.prevent_destroy',
      },
    ),
    b.probe('a trail with its created key and an account dropped without a lifecycle step (the control)', ['trail removed without lifecycle (unsafe)', 'account removed without lifecycle (unsafe)'], (r) => {
      drop(r, CI_TRAILS, 'k-create2arn');
      drop(r, CI_LEAVING);
    }),
  ];
  b.step(
    'every trail edit; the leaving account decommissioned, an adopted account added; central alias, retention, access logging, object lock',
    [
      'kmsKey central -> create',
      'kmsKey create -> central',
      'kmsKey create -> none',
      'kmsKey create -> arn',
      'kmsKey create alias renamed',
      'SNS/SQS on',
      'SNS/SQS off',
      'CloudWatch Logs on',
      'CloudWatch Logs off',
      'prefix',
      'management event selectors',
      'data event selectors',
      'Insights on',
      'lifecycle decommission',
      'lifecycle retain',
      'trail renamed (renamedFrom)',
      'trail added',
      'account decommissioned',
      'lifecycle decommission with deleteKeys',
      'account added',
      'adopt on (trail)',
      'central key alias renamed',
      'retention removed',
      'accessLogging on',
      'objectLock changed',
    ],
    (r) => {
      r.central.kmsKey = { alias: 'alias/ct-ci-v2' };
      delete r.central.retention;
      r.central.accessLogging = { targetBucket: 'ct-transitions-ci-access', targetPrefix: 'ci/' };
      r.central.objectLock = { mode: 'GOVERNANCE', days: 2 };
      entry(r, CI_TRAILS, 'k-central2create').kmsKey = create('k-central2create');
      entry(r, CI_TRAILS, 'k-create2central').kmsKey = 'central';
      entry(r, CI_TRAILS, 'k-create2none').kmsKey = 'none';
      entry(r, CI_TRAILS, 'k-create2arn').kmsKey = { arn: CI_EXISTING_KEY_ARN };
      entry(r, CI_TRAILS, 'k-alias').kmsKey = create('k-alias-v2');
      Object.assign(entry(r, CI_TRAILS, 'd-on'), { sns: { create: { topicName: 'ci-d-on', sqsQueue: true } }, cloudWatchLogs: { create: { logGroupName: 'ci-d-on' } } });
      delete entry(r, CI_TRAILS, 'd-off').sns;
      delete entry(r, CI_TRAILS, 'd-off').cloudWatchLogs;
      Object.assign(entry(r, CI_TRAILS, 'e-events'), {
        prefix: 'team-e',
        managementEvents: { readWrite: 'WriteOnly', excludeKmsEvents: true },
        dataEvents: { s3: { buckets: [{ name: 'payments-data', readWrite: 'WriteOnly' }] } },
      });
      entry(r, CI_TRAILS, 'e-insights').insights = { apiCallRate: true, apiErrorRate: true };
      entry(r, CI_TRAILS, 'l-decom').lifecycle = 'decommission';
      entry(r, CI_TRAILS, 'l-retain').lifecycle = 'retain';
      Object.assign(entry(r, CI_TRAILS, 'l-rename'), { trailName: 'l-renamed', renamedFrom: 'l-rename' });
      r.accounts.push(trail('l-added', w1));
      Object.assign(entry(r, CI_LEAVING, 'leaving'), { lifecycle: 'decommission', deleteKeys: true });
      r.accounts.push({ accountId: CI_ADOPTED, assumeRoleArn: role(CI_ADOPTED), trailName: 'adopted', adopt: true, multiRegion: true, includeGlobalServiceEvents: true });
    },
    { probes },
  );
  b.step(
    'what step 1 left removed; advanced selectors, Insights off; retention back, access logging off, object lock removed; an organization trail',
    [
      'trail removed (after decommission / retain)',
      'account removed (after decommission)',
      'renamedFrom removed',
      'adopt off (trail)',
      'basic -> advanced selectors',
      'Insights off',
      'retention added',
      'accessLogging off',
      'objectLock removed',
      'organization on',
    ],
    (r) => {
      drop(r, CI_TRAILS, 'l-decom');
      drop(r, CI_TRAILS, 'l-retain');
      drop(r, CI_LEAVING);
      delete entry(r, CI_TRAILS, 'l-renamed').renamedFrom;
      delete entry(r, CI_ADOPTED, 'adopted').adopt;
      entry(r, CI_TRAILS, 'e-events').dataEvents = {
        advanced: [{ name: 'DeleteObject only', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', equals: ['DeleteObject'] }] }],
      };
      delete entry(r, CI_TRAILS, 'e-insights').insights;
      r.central.retention = { expireAfterDays: 500, transitionToGlacierAfterDays: 90 };
      delete r.central.accessLogging;
      delete r.central.objectLock;
      // The management account is the adopted trail's (a multi-Region trail counts in every Region: the trail account has five in us-east-2).
      r.organization = { id: 'o-citransit01', managementAccountId: CI_ADOPTED };
      r.accounts.push({ accountId: CI_ADOPTED, assumeRoleArn: role(CI_ADOPTED), trailName: 'org-trail', organizationTrail: true, multiRegion: true, includeGlobalServiceEvents: true });
    },
  );
  b.step('the central key dropped, the organization off, bucketManagement policyOnly', ['central kmsKey false', 'organization off', 'bucketManagement policyOnly'], (r) => {
    r.central.kmsKey = false;
    entry(r, CI_TRAILS, 'k-create2central').kmsKey = 'none';
    delete r.organization;
    delete entry(r, CI_ADOPTED, 'org-trail').organizationTrail;
    r.central.bucketManagement = 'policyOnly';
    delete r.central.retention;
  });
  b.step('bucketManagement none', ['bucketManagement none'], (r) => {
    r.central.bucketManagement = 'none';
  });
  return b.build();
}
