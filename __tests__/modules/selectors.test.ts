/**
 * Event selectors, checked by their effect: for each console setting, the
 * selectors come out of the real synth (config -> stacks -> cdk.tf.json) and
 * an independent evaluator of CloudTrail's selector semantics
 * (__tests__/helpers/selector-evaluator.ts) says which events the trail logs.
 * Then the pure functions of modules/selectors.ts are tested directly.
 */
import { configOf, issuesOf, onlyResource, rawWith, stackOf, synthFleet } from '../helpers/fleet';
import { dynamodbItem, lambdaInvoke, mgmt, s3Object, selectorKind, trailLogs, TrailEvent, describeEvent } from '../helpers/selector-evaluator';
import type { DataEvents, ManagementEvents } from '../../config/model';
import {
  advancedSelectors,
  AdvancedSelector,
  basicSelectors,
  countAdvancedValues,
  countDataResources,
  eventSelectors,
  isDefaultSelectorSet,
  selectorLimitProblems,
  SELECTOR_LIMITS,
  SelectorSettings,
} from '../../modules/selectors';

const ACCOUNT = '222222222222';
const STACK = `cloudtrail-account-${ACCOUNT}`;
const FN_F = `arn:aws:lambda:us-east-2:${ACCOUNT}:function:f`;
const FN_F2 = `arn:aws:lambda:us-east-2:${ACCOUNT}:function:f2`;
const FN_ORDERS = `arn:aws:lambda:us-east-2:${ACCOUNT}:function:orders`;
const FN_OTHER_ACCOUNT = 'arn:aws:lambda:us-east-2:333333333333:function:f';
const TABLE_ORDERS = `arn:aws:dynamodb:us-east-2:${ACCOUNT}:table/orders`;
const TABLE_ORDERS2 = `arn:aws:dynamodb:us-east-2:${ACCOUNT}:table/orders2`;
const TABLE_OTHER = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/other`;

// ---------------------------------------------------------------- the sample of events

const bedrock = (readOnly: boolean): TrailEvent => ({
  category: 'Data',
  readOnly,
  eventSource: 'bedrock.amazonaws.com',
  eventName: readOnly ? 'GetFoundationModel' : 'InvokeModel',
  resourceType: 'AWS::Bedrock::Model',
  resourceArn: 'arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude',
});
const deleteObject = (bucketAndKey: string): TrailEvent => ({ ...s3Object(bucketAndKey, false), eventName: 'DeleteObject' });

const RW = [true, false];
const EVENTS: TrailEvent[] = [
  ...['ec2.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com', 'rdsdata.amazonaws.com', 's3.amazonaws.com'].flatMap((src) => RW.map((r) => mgmt(src, r))),
  ...['payments-data/2024/a.csv', 'payments-data-2/a.csv', 'payments/a.csv', 'exports/reports/q1.csv', 'exports/reports2/q1.csv', 'exports/other/q1.csv', 'random-bucket/x']
    .flatMap((k) => RW.map((r) => s3Object(k, r))),
  deleteObject('payments-data/2024/a.csv'),
  deleteObject('random-bucket/x'),
  ...[FN_F, FN_F2, FN_ORDERS, FN_OTHER_ACCOUNT].flatMap((fn) => RW.map((r) => lambdaInvoke(fn, r))),
  ...[TABLE_ORDERS, TABLE_ORDERS2, TABLE_OTHER].flatMap((t) => RW.map((r) => dynamodbItem(t, r))),
  bedrock(true),
  bedrock(false),
];

// ---------------------------------------------------------------- predicates of what settings mean

type Pred = (e: TrailEvent) => boolean;
type Rw = 'All' | 'ReadOnly' | 'WriteOnly';
const rwOk = (rw: Rw | 'None', e: TrailEvent) => rw === 'All' || (rw === 'ReadOnly' ? e.readOnly : rw === 'WriteOnly' ? !e.readOnly : false);
const isMgmt = (rw: Rw | 'None', excluded: string[] = []): Pred => (e) => e.category === 'Management' && rwOk(rw, e) && !excluded.includes(e.eventSource);
const isS3 = (rw: Rw, prefix = ''): Pred => (e) => e.resourceType === 'AWS::S3::Object' && rwOk(rw, e) && e.resourceArn!.startsWith(`arn:aws:s3:::${prefix}`);
const isLambda = (rw: Rw, arn?: string): Pred => (e) => e.resourceType === 'AWS::Lambda::Function' && rwOk(rw, e) && (arn === undefined || e.resourceArn === arn);
const isTable = (rw: Rw, arn?: string): Pred => (e) => e.resourceType === 'AWS::DynamoDB::Table' && rwOk(rw, e) && (arn === undefined || e.resourceArn === arn);
const anyOf = (...ps: Pred[]): Pred => (e) => ps.some((p) => p(e));

// ---------------------------------------------------------------- synth helpers

/** The synthesized aws_cloudtrail of account 222222222222 after `change` on its config entry. */
function trailWith(change: (account: any, raw: any) => void): any {
  const stacks = synthFleet(configOf(rawWith((raw) => change(raw.accounts[0], raw))));
  return onlyResource(stackOf(stacks, STACK), 'aws_cloudtrail');
}

/** Checks the selectors of a synthesized trail are well-formed: one kind only, an operator on every field selector. */
function expectWellFormed(trail: any): void {
  expect(trail.event_selector !== undefined && trail.advanced_event_selector !== undefined).toBe(false);
  for (const sel of trail.advanced_event_selector ?? []) {
    expect(sel.field_selector.length).toBeGreaterThan(0);
    for (const fs of sel.field_selector) {
      const ops = ['equals', 'not_equals', 'starts_with', 'not_starts_with', 'ends_with', 'not_ends_with'].filter((op) => fs[op] !== undefined);
      expect({ field: fs.field, operators: ops.length > 0 }).toEqual({ field: fs.field, operators: true });
      for (const op of ops) expect(fs[op].length).toBeGreaterThan(0);
    }
  }
  for (const sel of trail.event_selector ?? []) {
    expect(['All', 'ReadOnly', 'WriteOnly']).toContain(sel.read_write_type);
    for (const r of sel.data_resource ?? []) expect(r.values.length).toBeGreaterThan(0);
  }
}

/** The events the trail logs differ from `expected` on these events (empty = as expected). */
function mismatches(trail: any, expected: Pred, events: readonly TrailEvent[] = EVENTS): string[] {
  return events.filter((e) => trailLogs(trail, e) !== expected(e)).map((e) => `${trailLogs(trail, e) ? 'logged' : 'not logged'}: ${describeEvent(e)}`);
}

/** A raw advanced selector in config form, and the same in synthesized form for the evaluator. */
const PROBE_RAW = {
  name: 'Bedrock model invocations',
  fieldSelectors: [
    { field: 'eventCategory', equals: ['Data'] },
    { field: 'resources.type', equals: ['AWS::Bedrock::Model'] },
  ],
};
const DELETE_RAW = {
  name: 'Log DeleteObject only',
  fieldSelectors: [
    { field: 'eventCategory', equals: ['Data'] },
    { field: 'resources.type', equals: ['AWS::S3::Object'] },
    { field: 'eventName', equals: ['DeleteObject'] },
  ],
};
const toSynthForm = (raw: typeof PROBE_RAW) => ({ name: raw.name, field_selector: raw.fieldSelectors.map((f) => ({ field: f.field, equals: f.equals })) });
const rawLogs = (...raws: (typeof PROBE_RAW)[]): Pred => (e) => trailLogs({ advanced_event_selector: raws.map(toSynthForm) }, e);

function withRaw(settings: (account: any) => void, ...raws: (typeof PROBE_RAW)[]) {
  return (account: any) => {
    settings(account);
    account.dataEvents = { ...(account.dataEvents ?? {}), advanced: raws };
  };
}

// ---------------------------------------------------------------- the settings

interface Case {
  readonly name: string;
  readonly settings: (account: any) => void;
  /** What the settings mean: the events the trail must log. */
  readonly expected: Pred;
  readonly kind: 'default' | 'basic';
}

const CASES: Case[] = [
  { name: 'default: management All, no data events', settings: () => {}, expected: isMgmt('All'), kind: 'default' },
  { name: 'management ReadOnly', settings: (a) => (a.managementEvents = { readWrite: 'ReadOnly' }), expected: isMgmt('ReadOnly'), kind: 'basic' },
  { name: 'management WriteOnly', settings: (a) => (a.managementEvents = { readWrite: 'WriteOnly' }), expected: isMgmt('WriteOnly'), kind: 'basic' },
  {
    name: 'management None (with Lambda data events)',
    settings: (a) => {
      a.managementEvents = { readWrite: 'None' };
      a.dataEvents = { lambda: { allFunctions: 'All' } };
    },
    expected: isLambda('All'),
    kind: 'basic',
  },
  {
    name: 'excludeKmsEvents',
    settings: (a) => (a.managementEvents = { excludeKmsEvents: true }),
    expected: isMgmt('All', ['kms.amazonaws.com']),
    kind: 'basic',
  },
  {
    name: 'excludeRdsDataApiEvents',
    settings: (a) => (a.managementEvents = { excludeRdsDataApiEvents: true }),
    expected: isMgmt('All', ['rdsdata.amazonaws.com']),
    kind: 'basic',
  },
  {
    name: 'both exclusions with ReadOnly management events',
    settings: (a) => (a.managementEvents = { readWrite: 'ReadOnly', excludeKmsEvents: true, excludeRdsDataApiEvents: true }),
    expected: isMgmt('ReadOnly', ['kms.amazonaws.com', 'rdsdata.amazonaws.com']),
    kind: 'basic',
  },
  {
    name: 'S3 all buckets ReadOnly plus payments-data WriteOnly: that bucket gets both',
    settings: (a) => (a.dataEvents = { s3: { allBuckets: 'ReadOnly', buckets: [{ name: 'payments-data', readWrite: 'WriteOnly' }] } }),
    expected: anyOf(isMgmt('All'), isS3('ReadOnly'), isS3('All', 'payments-data/')),
    kind: 'basic',
  },
  {
    name: 'S3 all buckets WriteOnly plus a bucket ReadOnly',
    settings: (a) => (a.dataEvents = { s3: { allBuckets: 'WriteOnly', buckets: [{ name: 'exports', readWrite: 'ReadOnly' }] } }),
    expected: anyOf(isMgmt('All'), isS3('WriteOnly'), isS3('All', 'exports/')),
    kind: 'basic',
  },
  {
    name: 'S3 all buckets All makes an individual bucket choice redundant',
    settings: (a) => (a.dataEvents = { s3: { allBuckets: 'All', buckets: [{ name: 'payments-data', readWrite: 'ReadOnly' }] } }),
    expected: anyOf(isMgmt('All'), isS3('All')),
    kind: 'basic',
  },
  {
    name: 'S3 individual buckets with prefixes (whole bucket does not leak into a similarly named one)',
    settings: (a) =>
      (a.dataEvents = {
        s3: {
          buckets: [
            { name: 'exports', prefix: 'reports/', readWrite: 'All' },
            { name: 'payments-data', readWrite: 'WriteOnly' },
            { name: 'payments', prefix: '', readWrite: 'ReadOnly' },
          ],
        },
      }),
    expected: anyOf(isMgmt('All'), isS3('All', 'exports/reports/'), isS3('WriteOnly', 'payments-data/'), isS3('ReadOnly', 'payments/')),
    kind: 'basic',
  },
  {
    name: 'Lambda all functions WriteOnly',
    settings: (a) => (a.dataEvents = { lambda: { allFunctions: 'WriteOnly' } }),
    expected: anyOf(isMgmt('All'), isLambda('WriteOnly')),
    kind: 'basic',
  },
  {
    name: 'Lambda specific ARNs are exact: function:f does not match function:f2',
    settings: (a) =>
      (a.dataEvents = {
        lambda: {
          functions: [
            { arn: FN_F, readWrite: 'All' },
            { arn: FN_ORDERS, readWrite: 'WriteOnly' },
          ],
        },
      }),
    expected: anyOf(isMgmt('All'), isLambda('All', FN_F), isLambda('WriteOnly', FN_ORDERS)),
    kind: 'basic',
  },
  {
    name: 'DynamoDB tables (exact ARNs)',
    settings: (a) => (a.dataEvents = { dynamodb: { tables: [{ arn: TABLE_ORDERS, readWrite: 'WriteOnly' }] } }),
    expected: anyOf(isMgmt('All'), isTable('WriteOnly', TABLE_ORDERS)),
    kind: 'basic',
  },
  {
    name: 'DynamoDB all tables ReadOnly plus one table All',
    settings: (a) => (a.dataEvents = { dynamodb: { allTables: 'ReadOnly', tables: [{ arn: TABLE_ORDERS2 }] } }),
    expected: anyOf(isMgmt('All'), isTable('ReadOnly'), isTable('All', TABLE_ORDERS2)),
    kind: 'basic',
  },
  {
    name: 'everything at once: WriteOnly management without KMS, S3, Lambda and DynamoDB',
    settings: (a) => {
      a.managementEvents = { readWrite: 'WriteOnly', excludeKmsEvents: true };
      a.dataEvents = {
        s3: { allBuckets: 'ReadOnly', buckets: [{ name: 'payments-data', readWrite: 'WriteOnly' }, { name: 'exports', prefix: 'reports/', readWrite: 'All' }] },
        lambda: { functions: [{ arn: FN_F, readWrite: 'ReadOnly' }] },
        dynamodb: { tables: [{ arn: TABLE_ORDERS }] },
      };
    },
    expected: anyOf(
      isMgmt('WriteOnly', ['kms.amazonaws.com']),
      isS3('ReadOnly'),
      isS3('All', 'payments-data/'),
      isS3('All', 'exports/reports/'),
      isLambda('ReadOnly', FN_F),
      isTable('All', TABLE_ORDERS),
    ),
    kind: 'basic',
  },
];

describe.each(CASES)('$name', ({ settings, expected, kind }) => {
  let basic: any;
  beforeAll(() => {
    basic = trailWith(settings);
  });

  test(`synthesizes ${kind} selectors that log exactly the events the settings describe`, () => {
    expectWellFormed(basic);
    expect(selectorKind(basic)).toBe(kind);
    expect(mismatches(basic, expected)).toEqual([]);
  });

  test('with a raw advanced selector the whole trail is advanced and logs the same events plus what the raw selector adds', () => {
    const advanced = trailWith(withRaw(settings, PROBE_RAW, DELETE_RAW));
    expectWellFormed(advanced);
    expect(advanced.event_selector).toBeUndefined();
    expect(selectorKind(advanced)).toBe('advanced');
    // Equivalence with the basic trail of the same settings, on every sample event.
    const basicPlusRaw = anyOf((e) => trailLogs(basic, e), rawLogs(PROBE_RAW, DELETE_RAW));
    expect(mismatches(advanced, basicPlusRaw)).toEqual([]);
    expect(mismatches(advanced, anyOf(expected, rawLogs(PROBE_RAW, DELETE_RAW)))).toEqual([]);
    // The raw selectors are kept as written (name and field selectors).
    const names = advanced.advanced_event_selector.map((s: any) => s.name);
    expect(names).toEqual(expect.arrayContaining([PROBE_RAW.name, DELETE_RAW.name]));
  });
});

describe('selector shapes in the synthesized JSON', () => {
  test('the default (management All, no data events) emits no selector at all', () => {
    const trail = trailWith(() => {});
    expect(trail.event_selector).toBeUndefined();
    expect(trail.advanced_event_selector).toBeUndefined();
  });

  test('management All spelled out in the config is still the default', () => {
    const trail = trailWith((a) => (a.managementEvents = { readWrite: 'All', excludeKmsEvents: false, excludeRdsDataApiEvents: false }));
    expect(trail.event_selector).toBeUndefined();
  });

  test('basic selectors state include_management_events explicitly (Terraform defaults it to true)', () => {
    const trail = trailWith((a) => {
      a.managementEvents = { readWrite: 'ReadOnly' };
      a.dataEvents = { s3: { allBuckets: 'WriteOnly' } };
    });
    expect(trail.event_selector).toEqual([
      { read_write_type: 'ReadOnly', include_management_events: true },
      { read_write_type: 'WriteOnly', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] },
    ]);
  });

  test('advanced selectors use equals for eventCategory, readOnly and resources.type, startsWith for S3 and equals for Lambda ARNs', () => {
    const trail = trailWith(
      withRaw((a) => {
        a.managementEvents = { readWrite: 'WriteOnly', excludeKmsEvents: true };
        a.dataEvents = { s3: { buckets: [{ name: 'payments-data', readWrite: 'ReadOnly' }] }, lambda: { functions: [{ arn: FN_F }] } };
      }, PROBE_RAW),
    );
    const all = trail.advanced_event_selector.flatMap((s: any) => s.field_selector);
    for (const fs of all.filter((f: any) => ['eventCategory', 'readOnly', 'resources.type'].includes(f.field))) {
      expect(Object.keys(fs).sort()).toEqual(['equals', 'field']);
    }
    const arnSelectors = all.filter((f: any) => f.field === 'resources.ARN');
    expect(arnSelectors).toEqual(
      expect.arrayContaining([
        { field: 'resources.ARN', starts_with: ['arn:aws:s3:::payments-data/'] },
        { field: 'resources.ARN', equals: [FN_F] },
      ]),
    );
    expect(all).toContainEqual({ field: 'eventSource', not_equals: ['kms.amazonaws.com'] });
  });

  test('raw selectors with other operators keep them (jsii names equals equalTo; nothing is dropped)', () => {
    const raw = {
      name: 'csv writes outside tmp/',
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Data'] },
        { field: 'resources.type', equals: ['AWS::S3::Object'] },
        { field: 'readOnly', equals: ['false'] },
        { field: 'resources.ARN', startsWith: ['arn:aws:s3:::exports/'], notStartsWith: ['arn:aws:s3:::exports/tmp/'], endsWith: ['.csv'], notEndsWith: ['.tmp.csv'] },
        { field: 'eventName', notEquals: ['DeleteObject'] },
      ],
    };
    const trail = trailWith((a) => (a.dataEvents = { advanced: [raw] }));
    expectWellFormed(trail);
    const sel = trail.advanced_event_selector.find((s: any) => s.name === raw.name);
    expect(sel.field_selector).toEqual(
      expect.arrayContaining([
        {
          field: 'resources.ARN',
          starts_with: ['arn:aws:s3:::exports/'],
          not_starts_with: ['arn:aws:s3:::exports/tmp/'],
          ends_with: ['.csv'],
          not_ends_with: ['.tmp.csv'],
        },
        { field: 'eventName', not_equals: ['DeleteObject'] },
      ]),
    );
    expect(trailLogs(trail, s3Object('exports/a.csv', false))).toBe(true);
    expect(trailLogs(trail, s3Object('exports/tmp/a.csv', false))).toBe(false);
    expect(trailLogs(trail, s3Object('exports/a.tmp.csv', false))).toBe(false);
    expect(trailLogs(trail, s3Object('exports/a.json', false))).toBe(false);
    expect(trailLogs(trail, s3Object('exports/a.csv', true))).toBe(false);
    expect(trailLogs(trail, deleteObject('exports/a.csv'))).toBe(false);
    // Management events (default All) are translated too.
    expect(trailLogs(trail, mgmt('ec2.amazonaws.com', true))).toBe(true);
  });

  test('a programmatic config with an operator key set to undefined is validated and synthesized (no crash counting values)', () => {
    const raw = { ...DELETE_RAW, fieldSelectors: DELETE_RAW.fieldSelectors.map((f) => ({ ...f, notEquals: undefined })) };
    const trail = trailWith((a) => (a.dataEvents = { advanced: [raw] }));
    expectWellFormed(trail);
    expect(mismatches(trail, anyOf(isMgmt('All'), rawLogs(DELETE_RAW)))).toEqual([]);
  });

  test('management None with only raw advanced selectors logs only what they select', () => {
    const trail = trailWith((a) => {
      a.managementEvents = { readWrite: 'None' };
      a.dataEvents = { advanced: [DELETE_RAW] };
    });
    expect(mismatches(trail, rawLogs(DELETE_RAW))).toEqual([]);
  });

  test('data events in the aws-us-gov partition use that partition in every value', () => {
    const stacks = synthFleet(
      configOf(
        rawWith((raw) => {
          raw.partition = 'aws-us-gov';
          raw.central.region = 'us-gov-west-1';
          raw.accounts[0].dataEvents = {
            s3: { allBuckets: 'ReadOnly', buckets: [{ name: 'payments-data', readWrite: 'WriteOnly' }] },
            lambda: { allFunctions: 'All' },
          };
        }),
      ),
    );
    const trail = onlyResource(stackOf(stacks, STACK), 'aws_cloudtrail');
    const values = trail.event_selector.flatMap((s: any) => (s.data_resource ?? []).flatMap((r: any) => r.values));
    expect(values.sort()).toEqual(['arn:aws-us-gov:lambda', 'arn:aws-us-gov:s3', 'arn:aws-us-gov:s3:::payments-data/']);
    expect(trailLogs(trail, s3Object('any/x', true, 'aws-us-gov'))).toBe(true);
    expect(trailLogs(trail, s3Object('payments-data/x', false, 'aws-us-gov'))).toBe(true);
    expect(trailLogs(trail, s3Object('any/x', false, 'aws-us-gov'))).toBe(false);
  });
});

// ---------------------------------------------------------------- limits

const buckets = (n: number, rw = 'All') => Array.from({ length: n }, (_, i) => ({ name: `bucket-${String(i).padStart(4, '0')}`, readWrite: rw }));

describe('selector limits at synth and validation', () => {
  test('250 data resources fit the basic form', () => {
    const trail = trailWith((a) => (a.dataEvents = { s3: { buckets: buckets(250) } }));
    expect(selectorKind(trail)).toBe('basic');
    const values = trail.event_selector.flatMap((s: any) => (s.data_resource ?? []).flatMap((r: any) => r.values));
    expect(values).toHaveLength(250);
  });

  test('251 data resources switch the trail to advanced selectors that log the same events', () => {
    const trail = trailWith((a) => {
      a.managementEvents = { readWrite: 'WriteOnly' };
      a.dataEvents = { s3: { buckets: buckets(251, 'ReadOnly') }, lambda: { functions: [{ arn: FN_F }] } };
    });
    expectWellFormed(trail);
    expect(selectorKind(trail)).toBe('advanced');
    const expected = anyOf(isMgmt('WriteOnly'), (e) => e.resourceType === 'AWS::S3::Object' && e.readOnly && /^arn:aws:s3:::bucket-0(000|125|250)\//.test(e.resourceArn!), isLambda('All', FN_F));
    const sample = [
      ...EVENTS,
      ...['bucket-0000/k', 'bucket-0125/k', 'bucket-0250/k', 'bucket-0251/k', 'bucket-00000/k'].flatMap((k) => RW.map((r) => s3Object(k, r))),
    ];
    // Only the sampled configured buckets match the regex; every configured bucket must be logged for reads.
    expect(mismatches(trail, expected, sample)).toEqual([]);
    for (const b of buckets(251)) expect(trailLogs(trail, s3Object(`${b.name}/k`, true))).toBe(true);
    const total = trail.advanced_event_selector.reduce(
      (n: number, s: any) => n + s.field_selector.reduce((m: number, f: any) => m + ['equals', 'not_equals', 'starts_with'].reduce((k, op) => k + (f[op]?.length ?? 0), 0), 0),
      0,
    );
    expect(total).toBeLessThanOrEqual(SELECTOR_LIMITS.advancedValues);
  });

  test('beyond 500 advanced values it is rejected with the count and the limit', () => {
    // 520 buckets: 1 (Management) + 2 (Data, AWS::S3::Object) + 520 prefixes = 523 values.
    const issues = issuesOf(rawWith((raw) => (raw.accounts[0].dataEvents = { s3: { buckets: buckets(520) } })));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('accounts[0].dataEvents');
    expect(issues[0].message).toMatch(/^the advanced event selectors have 523 condition values; CloudTrail allows 500 per trail/);
  });

  test('raw advanced selectors: exactly 500 values are accepted, 501 rejected', () => {
    const withNames = (n: number) =>
      rawWith(
        (raw) =>
          (raw.accounts[0].dataEvents = {
            advanced: [
              {
                name: 'many names',
                fieldSelectors: [
                  { field: 'eventCategory', equals: ['Data'] },
                  { field: 'resources.type', equals: ['AWS::S3::Object'] },
                  { field: 'eventName', equals: Array.from({ length: n }, (_, i) => `Name${i}`) },
                ],
              },
            ],
          }),
      );
    // 1 (Management, translated) + 2 + n.
    expect(() => configOf(withNames(497))).not.toThrow();
    const issues = issuesOf(withNames(498));
    expect(issues).toEqual([{ path: 'accounts[0].dataEvents', message: expect.stringMatching(/have 501 condition values; CloudTrail allows 500 per trail/) }]);
  });
});

// ---------------------------------------------------------------- the pure functions

const NO_DATA: DataEvents = { s3: { buckets: [] }, lambda: { functions: [] }, dynamodb: { tables: [] }, advanced: [] };
function settings(m: Partial<ManagementEvents> = {}, d: Partial<{ [K in keyof DataEvents]: Partial<DataEvents[K]> }> = {}): SelectorSettings {
  return {
    managementEvents: { readWrite: 'All', excludeKmsEvents: false, excludeRdsDataApiEvents: false, ...m },
    dataEvents: {
      s3: { ...NO_DATA.s3, ...d.s3 },
      lambda: { ...NO_DATA.lambda, ...d.lambda },
      dynamodb: { ...NO_DATA.dynamodb, ...d.dynamodb },
      advanced: (d.advanced as DataEvents['advanced']) ?? [],
    },
  };
}

describe('basicSelectors', () => {
  test('the default is one selector: All management events, no exclusions, no data', () => {
    const sel = basicSelectors('aws', settings());
    expect(sel).toEqual([{ readWriteType: 'All', includeManagementEvents: true, excludeManagementEventSources: [], dataResources: [] }]);
    expect(isDefaultSelectorSet({ kind: 'basic', selectors: sel })).toBe(true);
  });

  test('exclusions go only on the selector that includes management events', () => {
    const sel = basicSelectors('aws', settings({ readWrite: 'ReadOnly', excludeKmsEvents: true, excludeRdsDataApiEvents: true }, { lambda: { allFunctions: 'WriteOnly' } }));
    expect(sel).toEqual([
      { readWriteType: 'ReadOnly', includeManagementEvents: true, excludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'], dataResources: [] },
      { readWriteType: 'WriteOnly', includeManagementEvents: false, excludeManagementEventSources: [], dataResources: [{ type: 'AWS::Lambda::Function', values: ['arn:aws:lambda'] }] },
    ]);
    expect(isDefaultSelectorSet({ kind: 'basic', selectors: sel })).toBe(false);
  });

  test('management None: no selector includes management events', () => {
    const sel = basicSelectors('aws', settings({ readWrite: 'None' }, { dynamodb: { allTables: 'All' } }));
    expect(sel).toEqual([
      { readWriteType: 'All', includeManagementEvents: false, excludeManagementEventSources: [], dataResources: [{ type: 'AWS::DynamoDB::Table', values: ['arn:aws:dynamodb'] }] },
    ]);
  });

  test('an individual resource already covered by the "all" choice is dropped; one that adds to it is kept', () => {
    const sel = basicSelectors(
      'aws',
      settings(
        {},
        {
          s3: {
            allBuckets: 'ReadOnly',
            buckets: [
              { name: 'covered', prefix: '', readWrite: 'ReadOnly' },
              { name: 'writes', prefix: '', readWrite: 'WriteOnly' },
              { name: 'both', prefix: 'p/', readWrite: 'All' },
            ],
          },
        },
      ),
    );
    expect(sel).toEqual([
      { readWriteType: 'All', includeManagementEvents: true, excludeManagementEventSources: [], dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::both/p/'] }] },
      { readWriteType: 'ReadOnly', includeManagementEvents: false, excludeManagementEventSources: [], dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] },
      { readWriteType: 'WriteOnly', includeManagementEvents: false, excludeManagementEventSources: [], dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::writes/'] }] },
    ]);
  });

  test('values are sorted and de-duplicated, types in S3, Lambda, DynamoDB order, in the partition given', () => {
    const sel = basicSelectors(
      'aws-cn',
      settings(
        { readWrite: 'None' },
        {
          dynamodb: { tables: [{ arn: 'arn:aws-cn:dynamodb:cn-north-1:222222222222:table/b', readWrite: 'All' }] },
          lambda: {
            functions: [
              { arn: 'arn:aws-cn:lambda:cn-north-1:222222222222:function:z', readWrite: 'All' },
              { arn: 'arn:aws-cn:lambda:cn-north-1:222222222222:function:a', readWrite: 'All' },
              { arn: 'arn:aws-cn:lambda:cn-north-1:222222222222:function:a', readWrite: 'All' },
            ],
          },
          s3: { buckets: [{ name: 'x', prefix: '', readWrite: 'All' }] },
        },
      ),
    );
    expect(sel).toHaveLength(1);
    expect(sel[0].dataResources).toEqual([
      { type: 'AWS::S3::Object', values: ['arn:aws-cn:s3:::x/'] },
      { type: 'AWS::Lambda::Function', values: ['arn:aws-cn:lambda:cn-north-1:222222222222:function:a', 'arn:aws-cn:lambda:cn-north-1:222222222222:function:z'] },
      { type: 'AWS::DynamoDB::Table', values: ['arn:aws-cn:dynamodb:cn-north-1:222222222222:table/b'] },
    ]);
    expect(countDataResources(sel)).toBe(4);
  });
});

describe('advancedSelectors', () => {
  test('management events with readOnly and eventSource exclusions', () => {
    const sel = advancedSelectors('aws', settings({ readWrite: 'WriteOnly', excludeKmsEvents: true, excludeRdsDataApiEvents: true }));
    expect(sel).toEqual([
      {
        name: 'Management events (WriteOnly), excluding kms.amazonaws.com, rdsdata.amazonaws.com',
        fieldSelectors: [
          { field: 'eventCategory', equals: ['Management'] },
          { field: 'readOnly', equals: ['false'] },
          { field: 'eventSource', notEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
        ],
      },
    ]);
  });

  test('management None gives no management selector', () => {
    const sel = advancedSelectors('aws', settings({ readWrite: 'None' }, { lambda: { allFunctions: 'All' } }));
    expect(sel.map((s) => s.fieldSelectors[0])).toEqual([{ field: 'eventCategory', equals: ['Data'] }]);
  });

  test('data events: "all" without an ARN condition, S3 by startsWith, Lambda and DynamoDB by equals; raw selectors last', () => {
    const raw = { name: 'raw', fieldSelectors: [{ field: 'eventCategory' as const, equals: ['Data'] }, { field: 'resources.type' as const, equals: ['AWS::SNS::Topic'] }] };
    const sel = advancedSelectors(
      'aws',
      settings(
        { readWrite: 'None' },
        {
          s3: { allBuckets: 'ReadOnly', buckets: [{ name: 'b', prefix: 'p/', readWrite: 'WriteOnly' }] },
          lambda: { functions: [{ arn: FN_F, readWrite: 'All' }] },
          dynamodb: { tables: [{ arn: TABLE_ORDERS, readWrite: 'ReadOnly' }] },
          advanced: [raw],
        },
      ),
    );
    const data = (type: string) => [
      { field: 'eventCategory', equals: ['Data'] },
      { field: 'resources.type', equals: [type] },
    ];
    expect(sel).toEqual([
      { name: 'AWS::S3::Object data events: all resources (ReadOnly)', fieldSelectors: [...data('AWS::S3::Object'), { field: 'readOnly', equals: ['true'] }] },
      {
        name: 'AWS::S3::Object data events: selected resources (WriteOnly)',
        fieldSelectors: [...data('AWS::S3::Object'), { field: 'readOnly', equals: ['false'] }, { field: 'resources.ARN', startsWith: ['arn:aws:s3:::b/p/'] }],
      },
      { name: 'AWS::Lambda::Function data events: selected resources (All)', fieldSelectors: [...data('AWS::Lambda::Function'), { field: 'resources.ARN', equals: [FN_F] }] },
      {
        name: 'AWS::DynamoDB::Table data events: selected resources (ReadOnly)',
        fieldSelectors: [...data('AWS::DynamoDB::Table'), { field: 'readOnly', equals: ['true'] }, { field: 'resources.ARN', equals: [TABLE_ORDERS] }],
      },
      { name: 'raw', fieldSelectors: raw.fieldSelectors },
    ]);
  });
});

describe('countAdvancedValues', () => {
  test('counts every value of every operator of every field selector', () => {
    const sel: AdvancedSelector[] = [
      { name: 'a', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'eventSource', notEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] },
      { name: 'b', fieldSelectors: [{ field: 'resources.ARN', startsWith: ['x', 'y'], notStartsWith: ['z'], endsWith: ['.a'], notEndsWith: ['.b', '.c'] }] },
    ];
    expect(countAdvancedValues(sel)).toBe(3 + 6);
    expect(countAdvancedValues([])).toBe(0);
  });

  test('an operator left undefined counts as no values', () => {
    const sel: AdvancedSelector[] = [{ name: 'a', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'], notEquals: undefined }] }];
    expect(countAdvancedValues(sel)).toBe(1);
  });
});

describe('selectorLimitProblems and eventSelectors', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `b${String(i).padStart(4, '0')}`, prefix: '', readWrite: 'All' as const }));

  test('within limits: no problem', () => {
    expect(selectorLimitProblems(eventSelectors('aws', settings({}, { s3: { buckets: many(250) } })))).toEqual([]);
  });

  test('basic: more than 250 data resources or more than 5 selectors are named with the count and the limit', () => {
    const tooMany = basicSelectors('aws', settings({}, { s3: { buckets: many(251) } }));
    expect(selectorLimitProblems({ kind: 'basic', selectors: tooMany })).toEqual(['251 data resources; CloudTrail allows 250 per trail']);
    const six = Array.from({ length: 6 }, () => tooMany[0]);
    expect(selectorLimitProblems({ kind: 'basic', selectors: six.map((s) => ({ ...s, dataResources: [] })) })).toEqual(['6 event selectors; CloudTrail allows 5 per trail']);
  });

  test('eventSelectors switches to advanced past 250 data resources, and the advanced form is checked against 500 values', () => {
    const s251 = eventSelectors('aws', settings({}, { s3: { buckets: many(251) } }));
    expect(s251.kind).toBe('advanced');
    expect(countAdvancedValues(s251.selectors as AdvancedSelector[])).toBe(1 + 2 + 251);
    expect(selectorLimitProblems(s251)).toEqual([]);
    const s498 = eventSelectors('aws', settings({}, { s3: { buckets: many(498) } }));
    expect(selectorLimitProblems(s498)).toEqual([expect.stringMatching(/^the advanced event selectors have 501 condition values; CloudTrail allows 500 per trail/)]);
  });

  test('raw advanced selectors always give the advanced form, even when small', () => {
    const raw = { name: '', fieldSelectors: [{ field: 'eventCategory' as const, equals: ['Data'] }, { field: 'resources.type' as const, equals: ['AWS::SNS::Topic'] }] };
    const sel = eventSelectors('aws', settings({}, { advanced: [raw] }));
    expect(sel.kind).toBe('advanced');
    expect(isDefaultSelectorSet(sel)).toBe(false);
  });
});
