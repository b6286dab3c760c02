/**
 * The selector evaluator on hand-written selectors: before it judges the
 * generated ones, it must itself follow CloudTrail's documented semantics
 * (facts §6).
 */
import {
  advancedSelectorLogs,
  basicSelectorLogs,
  dynamodbItem,
  fieldSelectorMatches,
  lambdaInvoke,
  loggedEvents,
  mgmt,
  s3Object,
  selectorKind,
  trailLogs,
  TrailEvent,
  vpceCall,
} from './selector-evaluator';

const EC2_READ = mgmt('ec2.amazonaws.com', true, 'DescribeInstances');
const EC2_WRITE = mgmt('ec2.amazonaws.com', false, 'RunInstances');
const KMS_READ = mgmt('kms.amazonaws.com', true, 'Decrypt');
const RDS_DATA_WRITE = mgmt('rdsdata.amazonaws.com', false, 'ExecuteStatement');
const FN = 'arn:aws:lambda:us-east-2:222222222222:function:f';
const FN2 = 'arn:aws:lambda:us-east-2:222222222222:function:f2';
const TABLE = 'arn:aws:dynamodb:us-east-2:222222222222:table/orders';
const TABLE2 = 'arn:aws:dynamodb:us-east-2:222222222222:table/orders2';

describe('no selector: CloudTrail default', () => {
  test('logs every management event, read and write, and no data event', () => {
    const trail = { name: 't' };
    expect(selectorKind(trail)).toBe('default');
    for (const e of [EC2_READ, EC2_WRITE, KMS_READ, RDS_DATA_WRITE]) expect(trailLogs(trail, e)).toBe(true);
    for (const e of [s3Object('b/k', true), lambdaInvoke(FN), dynamodbItem(TABLE, false)]) expect(trailLogs(trail, e)).toBe(false);
  });

  test('empty selector lists count as none', () => {
    expect(selectorKind({ event_selector: [], advanced_event_selector: [] })).toBe('default');
  });

  test('both kinds on one trail are rejected, as Terraform does', () => {
    expect(() => trailLogs({ event_selector: [{}], advanced_event_selector: [{ field_selector: [{ field: 'eventCategory', equals: ['Management'] }] }] }, EC2_READ)).toThrow(
      /both event_selector and advanced_event_selector/,
    );
  });
});

describe('basic selectors', () => {
  test('defaults: include_management_events true, read_write_type All', () => {
    expect(basicSelectorLogs({}, EC2_READ)).toBe(true);
    expect(basicSelectorLogs({}, EC2_WRITE)).toBe(true);
  });

  test.each([
    ['All', [true, true]],
    ['ReadOnly', [true, false]],
    ['WriteOnly', [false, true]],
  ] as const)('read_write_type %s logs [read, write] management events = %j', (rw, [read, write]) => {
    const sel = { read_write_type: rw, include_management_events: true };
    expect(basicSelectorLogs(sel, EC2_READ)).toBe(read);
    expect(basicSelectorLogs(sel, EC2_WRITE)).toBe(write);
  });

  test('an invalid read_write_type is an error', () => {
    expect(() => basicSelectorLogs({ read_write_type: 'read-only' }, EC2_READ)).toThrow(/invalid read_write_type/);
  });

  test('include_management_events false logs no management event', () => {
    const sel = { read_write_type: 'All', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] };
    expect(basicSelectorLogs(sel, EC2_READ)).toBe(false);
    expect(basicSelectorLogs(sel, s3Object('b/k', true))).toBe(true);
  });

  test('exclude_management_event_sources drops only those sources', () => {
    const sel = { read_write_type: 'All', include_management_events: true, exclude_management_event_sources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] };
    expect(basicSelectorLogs(sel, KMS_READ)).toBe(false);
    expect(basicSelectorLogs(sel, RDS_DATA_WRITE)).toBe(false);
    expect(basicSelectorLogs(sel, EC2_READ)).toBe(true);
  });

  test('a management-only selector logs no data event', () => {
    const sel = { read_write_type: 'All', include_management_events: true };
    expect(basicSelectorLogs(sel, s3Object('b/k', true))).toBe(false);
  });

  describe('S3 data resources', () => {
    test('arn:aws:s3 is every bucket', () => {
      const sel = { read_write_type: 'All', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] };
      expect(basicSelectorLogs(sel, s3Object('any-bucket/any/key', true))).toBe(true);
      expect(basicSelectorLogs(sel, s3Object('other/key', false))).toBe(true);
      // Not another partition's objects, not another type.
      expect(basicSelectorLogs(sel, s3Object('any-bucket/k', true, 'aws-us-gov'))).toBe(false);
      expect(basicSelectorLogs(sel, lambdaInvoke(FN))).toBe(false);
    });

    test('the partition of the all-buckets value is the one of the object ARN', () => {
      const sel = { data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws-us-gov:s3'] }] };
      expect(basicSelectorLogs(sel, s3Object('b/k', true, 'aws-us-gov'))).toBe(true);
      expect(basicSelectorLogs(sel, s3Object('b/k', true))).toBe(false);
    });

    test('a bucket value with the trailing slash is that whole bucket, and only it', () => {
      const sel = { read_write_type: 'All', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::payments/'] }] };
      expect(basicSelectorLogs(sel, s3Object('payments/2024/x.csv', true))).toBe(true);
      expect(basicSelectorLogs(sel, s3Object('payments-data/x.csv', true))).toBe(false);
    });

    test('a value with a key prefix is a prefix of the object ARN', () => {
      const sel = { read_write_type: 'All', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::exports/reports/'] }] };
      expect(basicSelectorLogs(sel, s3Object('exports/reports/q1.csv', false))).toBe(true);
      expect(basicSelectorLogs(sel, s3Object('exports/other/q1.csv', false))).toBe(false);
    });

    test('read_write_type applies to data events too', () => {
      const sel = { read_write_type: 'WriteOnly', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] };
      expect(basicSelectorLogs(sel, s3Object('b/k', false))).toBe(true);
      expect(basicSelectorLogs(sel, s3Object('b/k', true))).toBe(false);
    });
  });

  describe('Lambda and DynamoDB data resources', () => {
    test('arn:aws:lambda is every function; a function ARN is exact (f does not match f2)', () => {
      const all = { data_resource: [{ type: 'AWS::Lambda::Function', values: ['arn:aws:lambda'] }] };
      expect(basicSelectorLogs(all, lambdaInvoke(FN2))).toBe(true);
      const one = { data_resource: [{ type: 'AWS::Lambda::Function', values: [FN] }] };
      expect(basicSelectorLogs(one, lambdaInvoke(FN))).toBe(true);
      expect(basicSelectorLogs(one, lambdaInvoke(FN2))).toBe(false);
    });

    test('arn:aws:dynamodb is every table; a table ARN is exact', () => {
      const all = { data_resource: [{ type: 'AWS::DynamoDB::Table', values: ['arn:aws:dynamodb'] }] };
      expect(basicSelectorLogs(all, dynamodbItem(TABLE2, true))).toBe(true);
      const one = { data_resource: [{ type: 'AWS::DynamoDB::Table', values: [TABLE] }] };
      expect(basicSelectorLogs(one, dynamodbItem(TABLE, false))).toBe(true);
      expect(basicSelectorLogs(one, dynamodbItem(TABLE2, false))).toBe(false);
    });

    test('the value must be under the data resource of the event type', () => {
      const sel = { data_resource: [{ type: 'AWS::S3::Object', values: [FN] }] };
      expect(basicSelectorLogs(sel, lambdaInvoke(FN))).toBe(false);
    });

    test('basic selectors know only the three basic types', () => {
      const sel = { data_resource: [{ type: 'AWS::Bedrock::Model', values: ['arn:aws:bedrock'] }] };
      expect(() => basicSelectorLogs(sel, { category: 'Data', readOnly: false, eventSource: 'bedrock.amazonaws.com', resourceType: 'AWS::Bedrock::Model', resourceArn: 'arn:aws:bedrock:x' })).toThrow(
        /do not support/,
      );
    });
  });

  test('a trail logs an event when any of its selectors does', () => {
    const trail = {
      event_selector: [
        { read_write_type: 'ReadOnly', include_management_events: true },
        { read_write_type: 'WriteOnly', include_management_events: false, data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::b/'] }] },
      ],
    };
    expect(selectorKind(trail)).toBe('basic');
    const events: TrailEvent[] = [EC2_READ, EC2_WRITE, s3Object('b/k', true), s3Object('b/k', false)];
    expect(loggedEvents(trail, events)).toEqual([EC2_READ, s3Object('b/k', false)]);
  });
});

describe('advanced selectors', () => {
  const cat = (c: string) => ({ field: 'eventCategory', equals: [c] });

  test('equals: any of the values', () => {
    expect(fieldSelectorMatches({ field: 'eventName', equals: ['PutObject', 'DeleteObject'] }, s3Object('b/k', false))).toBe(true);
    expect(fieldSelectorMatches({ field: 'eventName', equals: ['DeleteObject'] }, s3Object('b/k', false))).toBe(false);
  });

  test('not_equals: none of the values', () => {
    const fs = { field: 'eventSource', not_equals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] };
    expect(fieldSelectorMatches(fs, KMS_READ)).toBe(false);
    expect(fieldSelectorMatches(fs, RDS_DATA_WRITE)).toBe(false);
    expect(fieldSelectorMatches(fs, EC2_READ)).toBe(true);
  });

  test('starts_with and not_starts_with', () => {
    expect(fieldSelectorMatches({ field: 'resources.ARN', starts_with: ['arn:aws:s3:::a/', 'arn:aws:s3:::b/'] }, s3Object('b/k', true))).toBe(true);
    expect(fieldSelectorMatches({ field: 'resources.ARN', starts_with: ['arn:aws:s3:::a/'] }, s3Object('b/k', true))).toBe(false);
    expect(fieldSelectorMatches({ field: 'resources.ARN', not_starts_with: ['arn:aws:s3:::b/'] }, s3Object('b/k', true))).toBe(false);
    expect(fieldSelectorMatches({ field: 'resources.ARN', not_starts_with: ['arn:aws:s3:::a/'] }, s3Object('b/k', true))).toBe(true);
  });

  test('ends_with and not_ends_with', () => {
    expect(fieldSelectorMatches({ field: 'resources.ARN', ends_with: ['.csv'] }, s3Object('b/k.csv', true))).toBe(true);
    expect(fieldSelectorMatches({ field: 'resources.ARN', ends_with: ['.csv'] }, s3Object('b/k.json', true))).toBe(false);
    expect(fieldSelectorMatches({ field: 'resources.ARN', not_ends_with: ['.csv'] }, s3Object('b/k.csv', true))).toBe(false);
    expect(fieldSelectorMatches({ field: 'resources.ARN', not_ends_with: ['.csv'] }, s3Object('b/k.json', true))).toBe(true);
  });

  test('several operators on one field must all hold', () => {
    const fs = { field: 'resources.ARN', starts_with: ['arn:aws:s3:::b/'], not_ends_with: ['.tmp'] };
    expect(fieldSelectorMatches(fs, s3Object('b/k.csv', true))).toBe(true);
    expect(fieldSelectorMatches(fs, s3Object('b/k.tmp', true))).toBe(false);
  });

  test('readOnly compares the strings "true" and "false"', () => {
    expect(fieldSelectorMatches({ field: 'readOnly', equals: ['true'] }, EC2_READ)).toBe(true);
    expect(fieldSelectorMatches({ field: 'readOnly', equals: ['true'] }, EC2_WRITE)).toBe(false);
    expect(fieldSelectorMatches({ field: 'readOnly', equals: ['false'] }, EC2_WRITE)).toBe(true);
  });

  test('a field the event does not have: positive operators fail, negative ones hold', () => {
    expect(fieldSelectorMatches({ field: 'resources.type', equals: ['AWS::S3::Object'] }, EC2_READ)).toBe(false);
    expect(fieldSelectorMatches({ field: 'resources.ARN', not_starts_with: ['arn:aws:s3:::b/'] }, EC2_READ)).toBe(true);
  });

  test('a field selector without an operator is an error (the jsii equalTo pitfall)', () => {
    expect(() => fieldSelectorMatches({ field: 'eventCategory' }, EC2_READ)).toThrow(/has no operator/);
    expect(() => fieldSelectorMatches({ field: 'eventCategory', equals: null }, EC2_READ)).toThrow(/has no operator/);
  });

  test('a selector matches when every field selector matches', () => {
    const sel = {
      name: 'DeleteObject in b',
      field_selector: [cat('Data'), { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', equals: ['DeleteObject'] }, { field: 'resources.ARN', starts_with: ['arn:aws:s3:::b/'] }],
    };
    const del: TrailEvent = { ...s3Object('b/k', false), eventName: 'DeleteObject' };
    expect(advancedSelectorLogs(sel, del)).toBe(true);
    expect(advancedSelectorLogs(sel, s3Object('b/k', false))).toBe(false); // PutObject
    expect(advancedSelectorLogs(sel, { ...del, resourceArn: 'arn:aws:s3:::c/k' })).toBe(false);
    expect(advancedSelectorLogs(sel, EC2_WRITE)).toBe(false);
  });

  test('a selector without field selectors is an error', () => {
    expect(() => advancedSelectorLogs({ name: 'x', field_selector: [] }, EC2_READ)).toThrow(/at least one field selector/);
  });

  test('management selector with readOnly and eventSource exclusions', () => {
    const sel = { field_selector: [cat('Management'), { field: 'readOnly', equals: ['false'] }, { field: 'eventSource', not_equals: ['kms.amazonaws.com'] }] };
    expect(advancedSelectorLogs(sel, EC2_WRITE)).toBe(true);
    expect(advancedSelectorLogs(sel, EC2_READ)).toBe(false);
    expect(advancedSelectorLogs(sel, mgmt('kms.amazonaws.com', false))).toBe(false);
    expect(advancedSelectorLogs(sel, s3Object('b/k', false))).toBe(false);
  });

  test('a trail logs an event when any selector matches (Lambda exact ARNs with equals)', () => {
    const trail = {
      advanced_event_selector: [
        { field_selector: [cat('Management')] },
        { field_selector: [cat('Data'), { field: 'resources.type', equals: ['AWS::Lambda::Function'] }, { field: 'resources.ARN', equals: [FN] }] },
      ],
    };
    expect(selectorKind(trail)).toBe('advanced');
    expect(loggedEvents(trail, [EC2_READ, EC2_WRITE, lambdaInvoke(FN), lambdaInvoke(FN2), dynamodbItem(TABLE, true)])).toEqual([EC2_READ, EC2_WRITE, lambdaInvoke(FN)]);
  });

  test('other resource types are data events like any other', () => {
    const bedrock: TrailEvent = {
      category: 'Data',
      readOnly: false,
      eventSource: 'bedrock.amazonaws.com',
      eventName: 'InvokeModel',
      resourceType: 'AWS::Bedrock::Model',
      resourceArn: 'arn:aws:bedrock:us-east-2::foundation-model/x',
    };
    const trail = { advanced_event_selector: [{ field_selector: [cat('Data'), { field: 'resources.type', equals: ['AWS::Bedrock::Model'] }] }] };
    expect(trailLogs(trail, bedrock)).toBe(true);
    expect(trailLogs(trail, EC2_READ)).toBe(false);
  });
});

describe('network activity events (API calls through VPC endpoints)', () => {
  const KMS_VPCE = vpceCall('kms.amazonaws.com', 'Decrypt');
  const KMS_DENIED = vpceCall('kms.amazonaws.com', 'Decrypt', { denied: true });
  const EC2_VPCE = vpceCall('ec2.amazonaws.com', 'DescribeInstances', { readOnly: true });
  const network = (source: string, ...more: any[]) => ({
    field_selector: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: [source] }, ...more],
  });

  test('the default and basic selectors log none', () => {
    expect(trailLogs({ name: 't' }, KMS_VPCE)).toBe(false);
    expect(trailLogs({ event_selector: [{ read_write_type: 'All', include_management_events: true }] }, KMS_VPCE)).toBe(false);
    expect(trailLogs({ event_selector: [{ read_write_type: 'All', data_resource: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] }, vpceCall('s3.amazonaws.com', 'GetObject'))).toBe(false);
  });

  test('a selector logs the calls of its event source only, allowed and denied', () => {
    const trail = { advanced_event_selector: [network('kms.amazonaws.com')] };
    expect(loggedEvents(trail, [KMS_VPCE, KMS_DENIED, EC2_VPCE, KMS_READ])).toEqual([KMS_VPCE, KMS_DENIED]);
  });

  test('management and data selectors do not log network activity events, nor the network selector management events', () => {
    const trail = {
      advanced_event_selector: [
        { field_selector: [{ field: 'eventCategory', equals: ['Management'] }] },
        { field_selector: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }] },
      ],
    };
    expect(trailLogs(trail, KMS_VPCE)).toBe(false);
    expect(trailLogs({ advanced_event_selector: [network('kms.amazonaws.com')] }, KMS_READ)).toBe(false);
  });

  test('eventName, errorCode and vpcEndpointId filter the calls', () => {
    expect(trailLogs({ advanced_event_selector: [network('kms.amazonaws.com', { field: 'eventName', equals: ['GenerateDataKey'] })] }, KMS_VPCE)).toBe(false);
    const denied = { advanced_event_selector: [network('kms.amazonaws.com', { field: 'errorCode', equals: ['VpceAccessDenied'] })] };
    expect(loggedEvents(denied, [KMS_VPCE, KMS_DENIED])).toEqual([KMS_DENIED]);
    const endpoint = { advanced_event_selector: [network('kms.amazonaws.com', { field: 'vpcEndpointId', equals: ['vpce-1'] })] };
    expect(loggedEvents(endpoint, [KMS_VPCE, vpceCall('kms.amazonaws.com', 'Decrypt', { vpcEndpointId: 'vpce-1' })])).toHaveLength(1);
  });

  test.each([
    ['two event sources in one field selector', [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com', 'ec2.amazonaws.com'] }], /Equals with one value/],
    ['no event source', [{ field: 'eventCategory', equals: ['NetworkActivity'] }], /exactly one eventSource/],
    ['two eventSource field selectors', [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'eventSource', equals: ['ec2.amazonaws.com'] }], /exactly one eventSource/],
    ['an eventSource with not_equals', [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', not_equals: ['kms.amazonaws.com'] }], /Equals with one value/],
    ['a readOnly condition', [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'readOnly', equals: ['true'] }], /no readOnly field/],
    ['another errorCode value', [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'errorCode', equals: ['AccessDenied'] }], /only errorCode value/],
    ['NetworkActivity with another category', [{ field: 'eventCategory', equals: ['NetworkActivity', 'Data'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }], /cannot name other categories/],
  ])('a selector CloudTrail rejects is an error: %s', (_, fields, message) => {
    expect(() => advancedSelectorLogs({ field_selector: fields }, KMS_VPCE)).toThrow(message);
  });
});
