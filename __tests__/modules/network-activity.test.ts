/**
 * Network activity events (`networkActivityEvents`), checked by their effect:
 * the selectors come out of the real synth (config -> stacks -> cdk.tf.json)
 * and the independent evaluator of CloudTrail's selector semantics
 * (__tests__/helpers/selector-evaluator.ts) says which events the trail logs:
 * a call through a VPC endpoint to KMS is logged, one to EC2 is not when only
 * KMS was asked for, and management and data events are logged exactly as
 * before, now through advanced selectors.
 */
import { configOf, issuesOf, onlyResource, rawWith, stackOf, synthFleet } from '../helpers/fleet';
import { describeEvent, dynamodbItem, lambdaInvoke, mgmt, s3Object, selectorKind, trailLogs, TrailEvent, vpceCall } from '../helpers/selector-evaluator';
import { advancedSelectors, countAdvancedValues, eventSelectors, networkActivitySelectors, selectorLimitProblems, SELECTOR_LIMITS } from '../../modules/selectors';
import type { DataEvents } from '../../config/model';
import { networkEventSourceProblem, NETWORK_ACTIVITY_EVENT_SOURCES } from '../../config/network-activity';

const ACCOUNT = '222222222222';
const STACK = `cloudtrail-account-${ACCOUNT}`;
const FN = `arn:aws:lambda:us-east-2:${ACCOUNT}:function:orders`;
const TABLE = `arn:aws:dynamodb:us-east-2:${ACCOUNT}:table/orders`;

const RW = [true, false];
/** Calls through VPC endpoints, allowed and denied, to several services; and management and data events. */
const EVENTS: TrailEvent[] = [
  ...['kms.amazonaws.com', 'ec2.amazonaws.com', 'secretsmanager.amazonaws.com', 's3.amazonaws.com'].flatMap((src) =>
    ['Decrypt', 'DescribeInstances', 'GetSecretValue', 'ListSecrets', 'GetObject'].flatMap((name) => [vpceCall(src, name), vpceCall(src, name, { denied: true })]),
  ),
  vpceCall('kms.amazonaws.com', 'Decrypt', { vpcEndpointId: 'vpce-0aaaaaaaaaaaaaaaa' }),
  ...['ec2.amazonaws.com', 'kms.amazonaws.com', 'iam.amazonaws.com'].flatMap((src) => RW.map((r) => mgmt(src, r))),
  ...RW.map((r) => s3Object('payments-data/a.csv', r)),
  ...RW.map((r) => lambdaInvoke(FN, r)),
  ...RW.map((r) => dynamodbItem(TABLE, r)),
];

type Pred = (e: TrailEvent) => boolean;
const anyOf = (...ps: Pred[]): Pred => (e) => ps.some((p) => p(e));
const isMgmt = (readOnly?: boolean): Pred => (e) => e.category === 'Management' && (readOnly === undefined || e.readOnly === readOnly);
const isNetwork = (source: string, names?: string[]): Pred => (e) => e.category === 'NetworkActivity' && e.eventSource === source && (names === undefined || names.includes(e.eventName!));

function trailWith(change: (account: any, raw: any) => void): any {
  return onlyResource(stackOf(synthFleet(configOf(rawWith((raw) => change(raw.accounts[0], raw)))), STACK), 'aws_cloudtrail');
}

function mismatches(trail: any, expected: Pred, events: readonly TrailEvent[] = EVENTS): string[] {
  return events.filter((e) => trailLogs(trail, e) !== expected(e)).map((e) => `${trailLogs(trail, e) ? 'logged' : 'not logged'}: ${describeEvent(e)}`);
}

const networkSelectorsOf = (trail: any) =>
  (trail.advanced_event_selector ?? []).filter((s: any) => s.field_selector.some((f: any) => f.field === 'eventCategory' && f.equals?.includes('NetworkActivity')));

describe('network activity events in the synthesized trail', () => {
  test('KMS only: a call through a VPC endpoint to KMS is logged (allowed or denied), one to EC2 is not, management events as before', () => {
    const trail = trailWith((a) => (a.networkActivityEvents = { eventSources: ['kms.amazonaws.com'] }));
    expect(selectorKind(trail)).toBe('advanced');
    expect(trail.event_selector).toBeUndefined();
    expect(trailLogs(trail, vpceCall('kms.amazonaws.com', 'Decrypt'))).toBe(true);
    expect(trailLogs(trail, vpceCall('kms.amazonaws.com', 'Decrypt', { denied: true }))).toBe(true);
    expect(trailLogs(trail, vpceCall('ec2.amazonaws.com', 'DescribeInstances'))).toBe(false);
    expect(trailLogs(trail, mgmt('ec2.amazonaws.com', false))).toBe(true);
    expect(mismatches(trail, anyOf(isMgmt(), isNetwork('kms.amazonaws.com')))).toEqual([]);
  });

  test('one selector per event source: eventCategory NetworkActivity and eventSource, each with equals and one value', () => {
    const trail = trailWith((a) => (a.networkActivityEvents = { eventSources: ['secretsmanager.amazonaws.com', 'ec2.amazonaws.com', 'kms.amazonaws.com'] }));
    expect(networkSelectorsOf(trail)).toEqual([
      { name: 'Network activity events: ec2.amazonaws.com', field_selector: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['ec2.amazonaws.com'] }] },
      { name: 'Network activity events: kms.amazonaws.com', field_selector: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }] },
      {
        name: 'Network activity events: secretsmanager.amazonaws.com',
        field_selector: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['secretsmanager.amazonaws.com'] }],
      },
    ]);
    // The management default is translated into an advanced selector too (the two kinds never mix).
    expect(trail.advanced_event_selector).toHaveLength(4);
    expect(mismatches(trail, anyOf(isMgmt(), isNetwork('ec2.amazonaws.com'), isNetwork('kms.amazonaws.com'), isNetwork('secretsmanager.amazonaws.com')))).toEqual([]);
  });

  test('eventNames: only those operations of that source; the other sources log every operation', () => {
    const trail = trailWith(
      (a) =>
        (a.networkActivityEvents = {
          eventSources: [{ eventSource: 'secretsmanager.amazonaws.com', eventNames: ['ListSecrets', 'GetSecretValue'] }, 'kms.amazonaws.com'],
        }),
    );
    expect(networkSelectorsOf(trail)).toContainEqual({
      name: 'Network activity events: secretsmanager.amazonaws.com (2 operations)',
      field_selector: [
        { field: 'eventCategory', equals: ['NetworkActivity'] },
        { field: 'eventSource', equals: ['secretsmanager.amazonaws.com'] },
        { field: 'eventName', equals: ['GetSecretValue', 'ListSecrets'] },
      ],
    });
    expect(trailLogs(trail, vpceCall('secretsmanager.amazonaws.com', 'GetSecretValue'))).toBe(true);
    expect(trailLogs(trail, vpceCall('secretsmanager.amazonaws.com', 'Decrypt'))).toBe(false);
    expect(mismatches(trail, anyOf(isMgmt(), isNetwork('secretsmanager.amazonaws.com', ['GetSecretValue', 'ListSecrets']), isNetwork('kms.amazonaws.com')))).toEqual([]);
  });

  test('with data events and exclusions: every other setting is translated and logs exactly what it did with basic selectors', () => {
    const settings = (a: any) => {
      a.managementEvents = { readWrite: 'WriteOnly', excludeKmsEvents: true };
      a.dataEvents = { s3: { buckets: [{ name: 'payments-data', readWrite: 'ReadOnly' }] }, lambda: { functions: [{ arn: FN }] } };
    };
    const basic = trailWith(settings);
    expect(selectorKind(basic)).toBe('basic');
    const withNetwork = trailWith((a) => {
      settings(a);
      a.networkActivityEvents = { eventSources: ['s3.amazonaws.com'] };
    });
    expect(selectorKind(withNetwork)).toBe('advanced');
    expect(mismatches(withNetwork, anyOf((e) => trailLogs(basic, e), isNetwork('s3.amazonaws.com')))).toEqual([]);
    // A data event on S3 is not a network activity event, and the other way round.
    expect(trailLogs(withNetwork, s3Object('payments-data/a.csv', true))).toBe(true);
    expect(trailLogs(withNetwork, s3Object('payments-data/a.csv', false))).toBe(false);
    expect(trailLogs(withNetwork, vpceCall('s3.amazonaws.com', 'PutObject'))).toBe(true);
    expect(trailLogs(withNetwork, mgmt('kms.amazonaws.com', false))).toBe(false);
  });

  test('with raw advanced selectors: the raw selectors and the network selectors both apply', () => {
    const raw = { name: 'DeleteObject', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', equals: ['DeleteObject'] }] };
    const trail = trailWith((a) => {
      a.dataEvents = { advanced: [raw] };
      a.networkActivityEvents = { eventSources: ['ec2.amazonaws.com'] };
    });
    const deleteObject = { ...s3Object('any/x', false), eventName: 'DeleteObject' };
    expect(mismatches(trail, anyOf(isMgmt(), isNetwork('ec2.amazonaws.com'), (e) => e === deleteObject), [...EVENTS, deleteObject])).toEqual([]);
  });

  test('management None with only network activity events: the trail logs only those', () => {
    const trail = trailWith((a) => {
      a.managementEvents = { readWrite: 'None' };
      a.networkActivityEvents = { eventSources: ['kms.amazonaws.com'] };
    });
    expect(trail.advanced_event_selector).toHaveLength(1);
    expect(mismatches(trail, isNetwork('kms.amazonaws.com'))).toEqual([]);
  });

  test('a raw NetworkActivity selector logs the source it names (the way to log a source the key does not list)', () => {
    const trail = trailWith(
      (a) =>
        (a.dataEvents = {
          advanced: [{ name: 'raw', fieldSelectors: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }] }],
        }),
    );
    expect(mismatches(trail, anyOf(isMgmt(), isNetwork('kms.amazonaws.com')))).toEqual([]);
  });

  test('the order of eventSources and eventNames changes no byte of the trail', () => {
    const a = trailWith((x) => (x.networkActivityEvents = { eventSources: ['kms.amazonaws.com', { eventSource: 'ec2.amazonaws.com', eventNames: ['RunInstances', 'DescribeInstances'] }] }));
    const b = trailWith((x) => (x.networkActivityEvents = { eventSources: [{ eventSource: 'ec2.amazonaws.com', eventNames: ['DescribeInstances', 'RunInstances'] }, 'kms.amazonaws.com'] }));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('defaults and accounts', () => {
  const fleet = (change: (raw: any) => void) => {
    const stacks = synthFleet(
      configOf(
        rawWith((raw) => {
          raw.accounts.push({ accountId: '333333333333' });
          change(raw);
        }),
      ),
    );
    return (account: string) => onlyResource(stackOf(stacks, `cloudtrail-account-${account}`), 'aws_cloudtrail');
  };

  test('set in defaults, every account logs them; an account replaces the list or turns them off with []', () => {
    const trailOf = fleet((raw) => {
      raw.defaults.networkActivityEvents = { eventSources: ['kms.amazonaws.com'] };
      raw.accounts[0].networkActivityEvents = { eventSources: ['ec2.amazonaws.com'] };
    });
    expect(mismatches(trailOf('222222222222'), anyOf(isMgmt(), isNetwork('ec2.amazonaws.com')))).toEqual([]);
    expect(mismatches(trailOf('333333333333'), anyOf(isMgmt(), isNetwork('kms.amazonaws.com')))).toEqual([]);

    const off = fleet((raw) => {
      raw.defaults.networkActivityEvents = { eventSources: ['kms.amazonaws.com'] };
      raw.accounts[0].networkActivityEvents = { eventSources: [] };
    });
    // Back to CloudTrail's default selector, which the stack leaves unwritten.
    expect(off('222222222222').advanced_event_selector).toBeUndefined();
    expect(off('222222222222').event_selector).toBeUndefined();
    expect(mismatches(off('222222222222'), isMgmt())).toEqual([]);
  });
});

describe('the selector limits', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `Operation${String(i).padStart(3, '0')}`);

  test('network values count in the 500: 1 (management) + 2 + 497 names = 500 is accepted, one more is rejected at networkActivityEvents', () => {
    const at = (n: number) => rawWith((raw) => (raw.accounts[0].networkActivityEvents = { eventSources: [{ eventSource: 'kms.amazonaws.com', eventNames: names(n) }] }));
    const sel = eventSelectors('aws', configOf(at(497)).trails[0]);
    expect(countAdvancedValues(sel.kind === 'advanced' ? sel.selectors : [])).toBe(SELECTOR_LIMITS.advancedValues);
    expect(issuesOf(at(498))).toEqual([
      {
        path: 'accounts[0].networkActivityEvents',
        message:
          'the advanced event selectors have 501 condition values (500 of them for network activity events); CloudTrail allows 500 per trail ' +
          '(log whole buckets or "all" choices instead of many single resources, log every operation of a network event source instead of listing eventNames, or split them over several trails)',
      },
    ]);
  });

  test('every listed source fits one trail: 2 values each, no cap on the number of advanced selectors', () => {
    const trail = trailWith((a) => (a.networkActivityEvents = { eventSources: [...NETWORK_ACTIVITY_EVENT_SOURCES] }));
    expect(networkSelectorsOf(trail)).toHaveLength(NETWORK_ACTIVITY_EVENT_SOURCES.length);
    for (const src of NETWORK_ACTIVITY_EVENT_SOURCES) expect(trailLogs(trail, vpceCall(src, 'AnyCall'))).toBe(true);
  });

  test('network and data events together over 500: reported at dataEvents with the network share', () => {
    const buckets = Array.from({ length: 490 }, (_, i) => ({ name: `bucket-${String(i).padStart(4, '0')}` }));
    const issues = issuesOf(
      rawWith((raw) => {
        raw.accounts[0].dataEvents = { s3: { buckets } };
        raw.accounts[0].networkActivityEvents = { eventSources: ['kms.amazonaws.com', 'ec2.amazonaws.com', 's3.amazonaws.com', 'sqs.amazonaws.com'] };
      }),
    );
    // 1 (management) + 2 + 490 prefixes + 4 x 2 = 501.
    expect(issues).toEqual([{ path: 'accounts[0].dataEvents', message: expect.stringMatching(/^the advanced event selectors have 501 condition values \(8 of them for network activity events\); CloudTrail allows 500/) }]);
  });
});

describe('the pure builders', () => {
  const NO_DATA: DataEvents = { s3: { buckets: [] }, lambda: { functions: [] }, dynamodb: { tables: [] }, advanced: [] };

  test('networkActivitySelectors: sorted by source, names sorted, eventName only when names are given', () => {
    expect(
      networkActivitySelectors([
        { eventSource: 'sqs.amazonaws.com', eventNames: ['SendMessage', 'DeleteMessage'] },
        { eventSource: 'kms.amazonaws.com', eventNames: [] },
      ]),
    ).toEqual([
      { name: 'Network activity events: kms.amazonaws.com', fieldSelectors: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }] },
      {
        name: 'Network activity events: sqs.amazonaws.com (2 operations)',
        fieldSelectors: [
          { field: 'eventCategory', equals: ['NetworkActivity'] },
          { field: 'eventSource', equals: ['sqs.amazonaws.com'] },
          { field: 'eventName', equals: ['DeleteMessage', 'SendMessage'] },
        ],
      },
    ]);
  });

  test('advancedSelectors puts the network selectors after the management and data ones; eventSelectors is advanced with them', () => {
    const settings = { managementEvents: { readWrite: 'All' as const, excludeKmsEvents: false, excludeRdsDataApiEvents: false }, dataEvents: NO_DATA, networkActivityEvents: [{ eventSource: 'ec2.amazonaws.com', eventNames: [] }] };
    const sel = advancedSelectors('aws', settings);
    expect(sel.map((s) => s.name)).toEqual(['Management events (All)', 'Network activity events: ec2.amazonaws.com']);
    expect(eventSelectors('aws', settings).kind).toBe('advanced');
    expect(selectorLimitProblems(eventSelectors('aws', settings))).toEqual([]);
  });

  test('networkEventSourceProblem: short names and typos get a suggestion, unrelated names the list', () => {
    expect(networkEventSourceProblem('kms.amazonaws.com')).toBeUndefined();
    expect(networkEventSourceProblem('KMS')).toMatch(/\(did you mean "kms\.amazonaws\.com"\?\)/);
    expect(networkEventSourceProblem('lamda.amazonaws.com')).toMatch(/\(did you mean "lambda\.amazonaws\.com"\?\)/);
    expect(networkEventSourceProblem('iam.amazonaws.com')).toMatch(/; they are appconfig\.amazonaws\.com, /);
  });
});
