/**
 * What the change gate must say about each pair of __tests__/helpers/change-pairs.ts,
 * written out by hand from the rules of docs/changing-safely.md (not read
 * back from the gate): every destroy, replacement, forget and move, in the
 * order the listing prints them (central first, then account stacks; by
 * address), with its tags; the unsafe findings (kind, stack, address); the
 * findings that are only notes. The exit code of `affected --base` and
 * `check-config --base` follows: 1 when `unsafe` is not empty, else 0.
 */
export interface ExpectedChange {
  /** `<action> <stack> [<previous address> -> ]<address>[ [protected][, declared]]` (declared is not shown on a move). */
  readonly actions: readonly string[];
  /** `<kind> <stack>[ <address>]` */
  readonly unsafe: readonly string[];
  readonly notes?: readonly string[];
}

const C = 'cloudtrail-central';
const A2 = 'cloudtrail-account-222222222222';
const A3 = 'cloudtrail-account-333333333333';
const A4 = 'cloudtrail-account-444444444444';

/** What the trail module made for trail my-trail of 333333333333 (key, SNS + SQS, CloudWatch Logs), by address. */
const TRAIL_333 = [
  'aws_cloudtrail.trail_my-trail',
  'aws_cloudwatch_log_group.trail_my-trail_log_group',
  'aws_iam_role.trail_my-trail_cwl_role',
  'aws_iam_role_policy.trail_my-trail_cwl_role_policy',
  'aws_kms_alias.trail_my-trail_key_alias',
  'aws_kms_key.trail_my-trail_key',
  'aws_sns_topic.trail_my-trail_topic',
  'aws_sns_topic_policy.trail_my-trail_topic_policy',
  'aws_sns_topic_subscription.trail_my-trail_queue_subscription',
  'aws_sqs_queue.trail_my-trail_queue',
  'aws_sqs_queue_policy.trail_my-trail_queue_policy',
];
const PROTECTED_TYPES = ['aws_cloudtrail', 'aws_kms_alias', 'aws_kms_key'];
const isKey = (a: string) => a.startsWith('aws_kms_');
const isTrail = (a: string) => a.startsWith('aws_cloudtrail.');

/** One line per address of trail my-trail of 333333333333: `how` gives the action and whether the config declares it. */
function trail333(how: (address: string) => { action: string; declared: boolean } | undefined): string[] {
  return TRAIL_333.flatMap((a) => {
    const h = how(a);
    if (!h) return [];
    const tags = [PROTECTED_TYPES.includes(a.split('.')[0]) ? 'protected' : undefined, h.declared ? 'declared' : undefined].filter(Boolean);
    return [`${h.action} ${A3} ${a}${tags.length ? ` [${tags.join(', ')}]` : ''}`];
  });
}

/** The rename of trail my-trail of 333 into new-trail: the trail (and its delivery role, named after it) replaced, the rest moved. */
function rename333(trailTags: string): string[] {
  const to = (a: string) => a.replace('trail_my-trail', 'trail_new-trail');
  return TRAIL_333.map((a) => {
    const type = a.split('.')[0];
    if (isTrail(a)) return `replace ${A3} ${a} -> ${to(a)} ${trailTags}`;
    if (type === 'aws_iam_role' || type === 'aws_iam_role_policy') return `replace ${A3} ${a} -> ${to(a)}`;
    return `move ${A3} ${a} -> ${to(a)}${isKey(a) ? ' [protected]' : ''}`;
  }).sort((x, y) => (x.split(' -> ')[1] < y.split(' -> ')[1] ? -1 : 1));
}

/** The bucket's parts a change of bucketManagement stops managing (the policy only with `none`). */
function bucketParts(action: 'forget' | 'destroy', withPolicy: boolean): string[] {
  return [
    `${action} ${C} aws_s3_bucket.log_bucket [protected]`,
    `${action} ${C} aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle`,
    `${action} ${C} aws_s3_bucket_object_lock_configuration.log_bucket_object_lock [protected]`,
    `${action} ${C} aws_s3_bucket_ownership_controls.log_bucket_ownership_controls [protected]`,
    ...(withPolicy ? [`${action} ${C} aws_s3_bucket_policy.log_bucket_policy [protected]`] : []),
    `${action} ${C} aws_s3_bucket_public_access_block.log_bucket_public_access_block [protected]`,
    `${action} ${C} aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption [protected]`,
    `${action} ${C} aws_s3_bucket_versioning.log_bucket_versioning [protected]`,
  ];
}

/** The unsafe findings of destroying the bucket's protected parts (in the order of the listing's findings: by address, the bucket itself last). */
function bucketDestroyFindings(withPolicy: boolean): string[] {
  return [
    `protected-destroy ${C} aws_s3_bucket_object_lock_configuration.log_bucket_object_lock`,
    `protected-destroy ${C} aws_s3_bucket_ownership_controls.log_bucket_ownership_controls`,
    ...(withPolicy ? [`protected-destroy ${C} aws_s3_bucket_policy.log_bucket_policy`] : []),
    `protected-destroy ${C} aws_s3_bucket_public_access_block.log_bucket_public_access_block`,
    `protected-destroy ${C} aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption`,
    `protected-destroy ${C} aws_s3_bucket_versioning.log_bucket_versioning`,
    `protected-destroy ${C} aws_s3_bucket.log_bucket`,
  ];
}

const keys333 = (action: 'forget' | 'destroy', declared = false) => [
  `${action} ${A3} aws_kms_alias.trail_my-trail_key_alias [protected${declared ? ', declared' : ''}]`,
  `${action} ${A3} aws_kms_key.trail_my-trail_key [protected${declared ? ', declared' : ''}]`,
];
const keyFindings333 = [`protected-destroy ${A3} aws_kms_alias.trail_my-trail_key_alias`, `protected-destroy ${A3} aws_kms_key.trail_my-trail_key`];

/** The guard's EventBridge rules, targets and role in an account stack with trails in us-east-2 (rules for us-east-1, where IAM and global events are, and us-east-2). */
const guardRules = (stack: string) => [
  `destroy ${stack} aws_cloudwatch_event_rule.guard_us_east_1`,
  `destroy ${stack} aws_cloudwatch_event_rule.guard_us_east_2`,
  `destroy ${stack} aws_cloudwatch_event_target.guard_us_east_1_target`,
  `destroy ${stack} aws_cloudwatch_event_target.guard_us_east_2_target`,
  `destroy ${stack} aws_iam_role.guard_events_role`,
  `destroy ${stack} aws_iam_role_policy.guard_events_role_policy`,
];

const SAFE: ExpectedChange = { actions: [], unsafe: [] };

export const EXPECTED: Readonly<Record<string, ExpectedChange>> = {
  nothing: SAFE,
  'prefix and selectors (updates only)': SAFE,
  'account added': SAFE,
  'trail added to an account': SAFE,

  // The central bucket and key: what the config stops managing is forgotten; without the removed blocks it would be destroyed.
  'central.kmsKey false': { actions: [`forget ${C} aws_kms_alias.central_key_alias [protected]`, `forget ${C} aws_kms_key.central_key [protected]`], unsafe: [] },
  'central.kmsKey false, control: no removed blocks': {
    actions: [`destroy ${C} aws_kms_alias.central_key_alias [protected]`, `destroy ${C} aws_kms_key.central_key [protected]`],
    unsafe: [`protected-destroy ${C} aws_kms_alias.central_key_alias`, `protected-destroy ${C} aws_kms_key.central_key`],
  },
  // A new alias name written in the config: the alias is replaced, declared (docs/changing-safely.md, "Renaming a KMS alias").
  'central key alias renamed': { actions: [`replace ${C} aws_kms_alias.central_key_alias [protected, declared]`], unsafe: [] },
  'central key multiRegion changed': { actions: [`replace ${C} aws_kms_key.central_key [protected]`], unsafe: [`protected-replace ${C} aws_kms_key.central_key`] },
  'bucketManagement policyOnly': { actions: bucketParts('forget', false), unsafe: [] },
  'bucketManagement policyOnly, control: no removed blocks': { actions: bucketParts('destroy', false), unsafe: bucketDestroyFindings(false) },
  'bucketManagement none': { actions: bucketParts('forget', true), unsafe: [] },
  'bucketManagement none, control: no removed blocks': { actions: bucketParts('destroy', true), unsafe: bucketDestroyFindings(true) },
  'objectLock removed': { actions: [`forget ${C} aws_s3_bucket_object_lock_configuration.log_bucket_object_lock [protected]`], unsafe: [] },
  'objectLock removed, control: no removed blocks': {
    actions: [`destroy ${C} aws_s3_bucket_object_lock_configuration.log_bucket_object_lock [protected]`],
    unsafe: [`protected-destroy ${C} aws_s3_bucket_object_lock_configuration.log_bucket_object_lock`],
  },
  // Not protected: removing them keeps more, not less.
  'retention removed': { actions: [`destroy ${C} aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle`], unsafe: [] },
  'accessLogging added': SAFE,
  'accessLogging removed': { actions: [`destroy ${C} aws_s3_bucket_logging.log_bucket_access_logging`], unsafe: [] },
  'organization on': SAFE,
  'organization off': { actions: ['destroy cloudtrail-account-999999999999 aws_cloudtrail.trail_org-trail [protected, declared]'], unsafe: [] },

  // Trails leaving the fleet.
  'decommission without deleteKeys': { actions: trail333((a) => (isKey(a) ? { action: 'forget', declared: false } : { action: 'destroy', declared: true })), unsafe: [] },
  'decommission without deleteKeys, control: no removed blocks': {
    actions: trail333((a) => ({ action: 'destroy', declared: !isKey(a) })),
    unsafe: keyFindings333,
  },
  'decommission without deleteKeys, control: no declarations': {
    actions: trail333((a) => (isKey(a) ? { action: 'forget', declared: false } : { action: 'destroy', declared: false })),
    unsafe: [`protected-destroy ${A3} aws_cloudtrail.trail_my-trail`],
  },
  'decommission with deleteKeys': { actions: trail333(() => ({ action: 'destroy', declared: true })), unsafe: [] },
  // The decommissioned account's stack manages nothing any more: dropping it is a note of affected, not the gate's.
  'decommissioned account removed': SAFE,
  retain: {
    actions: trail333(() => ({ action: 'forget', declared: true })),
    unsafe: [],
    notes: [`delivery-refused ${A3} aws_cloudtrail.trail_my-trail`],
  },
  // Retain forgets what the base deployed (the key too), whatever the entry says now.
  'retain, the entry edited in the same change': {
    actions: trail333(() => ({ action: 'forget', declared: true })),
    unsafe: [],
    notes: [`delivery-refused ${A3} aws_cloudtrail.trail_my-trail`],
  },
  'retained account removed': SAFE,
  'account removed without lifecycle': {
    actions: [],
    unsafe: [`account-dropped ${A4}`, `delivery-refused ${A4} aws_cloudtrail.trail_trail-a`, `delivery-refused ${A4} aws_cloudtrail.trail_trail-b`],
  },
  'one of two trails removed without lifecycle': {
    actions: [
      `destroy ${A4} aws_cloudtrail.trail_trail-b [protected]`,
      `destroy ${A4} aws_kms_alias.trail_trail-b_key_alias [protected]`,
      `destroy ${A4} aws_kms_key.trail_trail-b_key [protected]`,
    ],
    unsafe: [
      `protected-destroy ${A4} aws_cloudtrail.trail_trail-b`,
      `protected-destroy ${A4} aws_kms_alias.trail_trail-b_key_alias`,
      `protected-destroy ${A4} aws_kms_key.trail_trail-b_key`,
    ],
  },

  // Trail keys, names, regions and deliveries.
  'kmsKey create -> central': { actions: keys333('forget'), unsafe: [] },
  'kmsKey create -> none': { actions: keys333('forget'), unsafe: [] },
  'kmsKey create -> arn': { actions: keys333('forget'), unsafe: [] },
  'kmsKey create -> central, control: no removed blocks': { actions: keys333('destroy'), unsafe: keyFindings333 },
  'kmsKey central -> create': SAFE,
  'created key alias renamed': { actions: [`replace ${A3} aws_kms_alias.trail_my-trail_key_alias [protected, declared]`], unsafe: [] },
  'created key multiRegion changed': { actions: [`replace ${A3} aws_kms_key.trail_my-trail_key [protected]`], unsafe: [`protected-replace ${A3} aws_kms_key.trail_my-trail_key`] },
  'SNS, SQS and CloudWatch Logs off': { actions: trail333((a) => (isKey(a) || isTrail(a) ? undefined : { action: 'destroy', declared: false })), unsafe: [] },
  'SNS, SQS and CloudWatch Logs on': SAFE,
  'rename without renamedFrom': {
    actions: trail333(() => ({ action: 'destroy', declared: false })),
    unsafe: [`protected-destroy ${A3} aws_cloudtrail.trail_my-trail`, ...keyFindings333],
  },
  'rename with renamedFrom': { actions: rename333('[protected, declared]'), unsafe: [] },
  'rename with renamedFrom, control: no moved blocks': {
    actions: trail333((a) => ({ action: 'destroy', declared: isTrail(a) })),
    unsafe: keyFindings333,
  },
  'rename with renamedFrom, control: no declarations': {
    actions: rename333('[protected]'),
    unsafe: [`protected-replace ${A3} aws_cloudtrail.trail_new-trail`],
  },
  'renamedFrom removed after the rename': SAFE,
  'home region changed': {
    actions: [],
    unsafe: [`home-region ${A2} aws_cloudtrail.trail_my-trail`, `delivery-refused ${A2} aws_cloudtrail.trail_my-trail`],
  },

  // The guard: not evidence, so nothing of it is protected; its policies left behind unmanaged are unsafe.
  'guard on': SAFE,
  'guard: a trail in another region adds a rule': SAFE,
  'guard: prevention attached elsewhere': { actions: ['destroy cloudtrail-guard aws_organizations_policy_attachment.guard_scp_1_r-ab12'], unsafe: [] },
  'guard: prevention false': {
    actions: ['destroy cloudtrail-guard aws_organizations_policy.guard_scp_1', 'destroy cloudtrail-guard aws_organizations_policy_attachment.guard_scp_1_r-ab12'],
    unsafe: [],
  },
  'guard removed at once': {
    actions: [
      `destroy ${C} aws_cloudwatch_event_bus.guard_bus`,
      `destroy ${C} aws_cloudwatch_event_bus_policy.guard_bus_policy`,
      ...guardRules(A2),
      ...guardRules(A3),
      ...guardRules(A4),
    ],
    unsafe: ['guard-dropped cloudtrail-guard'],
  },
  'adopt removed after the adoption': SAFE,
};
