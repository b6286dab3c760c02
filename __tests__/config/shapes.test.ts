/**
 * A mapping or list written as a scalar (a bucket as a bare name, `backend:
 * local`, an account as a bare id) is rejected with the shape to write and,
 * when the value fits a field, the same value in its place.
 */
import { SHAPE_KEYS, shapeKey } from '../../config/shapes';
import { issuesOf, rawWith } from '../helpers/fleet';

const acct = (r: any) => r.accounts[0];

describe('wrong shapes: the message shows the expected shape with an example', () => {
  const CASES: [string, (r: any) => void, string, unknown][] = [
    [
      'an S3 data-event bucket written as its bare name',
      (r) => (acct(r).dataEvents = { s3: { buckets: ['acme-data-lake-raw'] } }),
      'accounts[0].dataEvents.s3.buckets[0]',
      'expected { name: <bucket>, prefix?: <key prefix>, readWrite?: All|ReadOnly|WriteOnly }, got the string "acme-data-lake-raw"; write { name: acme-data-lake-raw }',
    ],
    [
      'buckets written as one name instead of a list',
      (r) => (acct(r).dataEvents = { s3: { buckets: 'acme-data-lake-raw' } }),
      'accounts[0].dataEvents.s3.buckets',
      'expected [{ name: <bucket>, prefix?: <key prefix>, readWrite?: All|ReadOnly|WriteOnly }, ...], got the string "acme-data-lake-raw"; write [{ name: acme-data-lake-raw }]',
    ],
    [
      'a Lambda function written as its bare ARN',
      (r) => (acct(r).dataEvents = { lambda: { functions: ['arn:aws:lambda:us-east-2:222222222222:function:f'] } }),
      'accounts[0].dataEvents.lambda.functions[0]',
      'expected { arn: arn:<partition>:lambda:<region>:<account>:function:<name>, readWrite?: All|ReadOnly|WriteOnly }, got the string "arn:aws:lambda:us-east-2:222222222222:function:f"; write { arn: arn:aws:lambda:us-east-2:222222222222:function:f }',
    ],
    [
      'a DynamoDB table written as its bare ARN (in defaults)',
      (r) => (r.defaults.dataEvents = { dynamodb: { tables: ['arn:aws:dynamodb:us-east-2:222222222222:table/orders'] } }),
      'defaults.dataEvents.dynamodb.tables[0]',
      'expected { arn: arn:<partition>:dynamodb:<region>:<account>:table/<name>, readWrite?: All|ReadOnly|WriteOnly }, got the string "arn:aws:dynamodb:us-east-2:222222222222:table/orders"; write { arn: arn:aws:dynamodb:us-east-2:222222222222:table/orders }',
    ],
    [
      'an advanced selector written as a word',
      (r) => (acct(r).dataEvents = { advanced: ['DeleteObject'] }),
      'accounts[0].dataEvents.advanced[0]',
      'expected { name?: <text>, fieldSelectors: [{ field: eventCategory, equals: [Data] }, { field: resources.type, equals: [<type>] }, ...] }, got the string "DeleteObject"',
    ],
    [
      'a field selector written as a word',
      (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: ['eventCategory'] }] }),
      'accounts[0].dataEvents.advanced[0].fieldSelectors[0]',
      'expected { field: <eventCategory|eventName|eventSource|readOnly|resources.ARN|resources.type|userIdentity.arn>, equals|notEquals|startsWith|notStartsWith|endsWith|notEndsWith: [<value>, ...] }, got the string "eventCategory"',
    ],
    [
      'an operator value not in a list',
      (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: 'Data' }] }] }),
      'accounts[0].dataEvents.advanced[0].fieldSelectors[0].equals',
      'expected [<value>, ...], got the string "Data"; write [Data]',
    ],
    [
      'sns written as a topic ARN',
      (r) => (acct(r).sns = 'arn:aws:sns:us-east-2:222222222222:ct'),
      'accounts[0].sns',
      'expected { topicArn: arn:<partition>:sns:<region>:<account>:<topic> } or { create: { topicName: <topic name>, sqsQueue?: true | false | { queueName: <queue name> } } }, got the string "arn:aws:sns:us-east-2:222222222222:ct"; write { topicArn: arn:aws:sns:us-east-2:222222222222:ct }',
    ],
    [
      'sns.create written as a topic name',
      (r) => (acct(r).sns = { create: 'ct-notify' }),
      'accounts[0].sns.create',
      'expected { topicName: <topic name>, sqsQueue?: true | false | { queueName: <queue name> } }, got the string "ct-notify"; write { topicName: ct-notify }',
    ],
    [
      'cloudWatchLogs written as a log group name',
      (r) => (acct(r).cloudWatchLogs = 'aws-cloudtrail-logs'),
      'accounts[0].cloudWatchLogs',
      'expected { logGroupArn: arn:<partition>:logs:<region>:<account>:log-group:<name>, roleArn?: <IAM role ARN> } or { create: { logGroupName: <name>, retentionInDays?: <days> }, roleArn?: <IAM role ARN> }, got the string "aws-cloudtrail-logs"; write { create: { logGroupName: aws-cloudtrail-logs } }',
    ],
    [
      'kmsKey written as a list',
      (r) => (acct(r).kmsKey = ['arn:aws:kms:us-east-2:222222222222:alias/x']),
      'accounts[0].kmsKey',
      'expected central | none | { arn: <key ARN or alias ARN> } | { create: { alias: alias/<name>, multiRegion?: true|false } }, got a list',
    ],
    [
      'kmsKey.create written as an alias',
      (r) => (acct(r).kmsKey = { create: 'alias/ct' }),
      'accounts[0].kmsKey.create',
      'expected { alias: alias/<name>, multiRegion?: true|false }, got the string "alias/ct"; write { alias: alias/ct }',
    ],
    [
      'managementEvents written as a word',
      (r) => (acct(r).managementEvents = 'ReadOnly'),
      'accounts[0].managementEvents',
      'expected { readWrite?: All|ReadOnly|WriteOnly|None, excludeKmsEvents?: true|false, excludeRdsDataApiEvents?: true|false }, got the string "ReadOnly"; write { readWrite: ReadOnly }',
    ],
    [
      'insights written as true',
      (r) => (acct(r).insights = true),
      'accounts[0].insights',
      'expected { apiCallRate?: true|false, apiErrorRate?: true|false }, got boolean true',
    ],
    [
      'central.retention written as a number of days',
      (r) => (r.central.retention = 365),
      'central.retention',
      'expected { transitionToGlacierAfterDays?: <days>, expireAfterDays?: <days>, noncurrentVersionExpireAfterDays?: <days> }, got number 365',
    ],
    [
      'central.objectLock written as its mode',
      (r) => (r.central.objectLock = 'GOVERNANCE'),
      'central.objectLock',
      'expected { mode: GOVERNANCE|COMPLIANCE, days: <n> } or { mode: GOVERNANCE|COMPLIANCE, years: <n> }, got the string "GOVERNANCE"; write { mode: GOVERNANCE, days: 365 }',
    ],
    [
      'central.accessLogging written as a bucket name',
      (r) => (r.central.accessLogging = 'my-access-logs'),
      'central.accessLogging',
      'expected { targetBucket: <bucket>, targetPrefix?: <key prefix> }, got the string "my-access-logs"; write { targetBucket: my-access-logs }',
    ],
    [
      'central.kmsKey written as an alias',
      (r) => (r.central.kmsKey = 'alias/cloudtrail'),
      'central.kmsKey',
      'expected true | false | { alias?: alias/<name>, multiRegion?: true|false, deletionWindowInDays?: <7-30>, decryptPrincipals?: [<IAM role/user ARN>, ...], existingKeyArn?: <key ARN>, extraStatements?: [<statement>, ...] }, got the string "alias/cloudtrail"; write { alias: alias/cloudtrail }',
    ],
    [
      'bucketPolicy.extraStatements written as one statement instead of a list',
      (r) => (r.central.bucketPolicy = { extraStatements: { Sid: 'AWSConfigWrite', Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::my-bucket/config/*' } }),
      'central.bucketPolicy.extraStatements',
      'expected [{ Sid: <sid>, Effect: Allow|Deny, Principal: ..., Action: ..., Resource: ... }, ...], got a mapping',
    ],
    [
      'dataEvents.s3 written as a lower-case read/write word',
      (r) => (acct(r).dataEvents = { s3: 'all' }),
      'accounts[0].dataEvents.s3',
      'expected { allBuckets?: All|ReadOnly|WriteOnly, buckets?: [{ name: <bucket>, prefix?: <key prefix>, readWrite?: All|ReadOnly|WriteOnly }, ...] }, got the string "all"; write { allBuckets: All }',
    ],
    [
      'dataEvents.s3 written as a bucket name',
      (r) => (acct(r).dataEvents = { s3: 'acme-data-lake-raw' }),
      'accounts[0].dataEvents.s3',
      'expected { allBuckets?: All|ReadOnly|WriteOnly, buckets?: [{ name: <bucket>, prefix?: <key prefix>, readWrite?: All|ReadOnly|WriteOnly }, ...] }, got the string "acme-data-lake-raw"; write { buckets: [{ name: acme-data-lake-raw }] }',
    ],
    [
      'dataEvents.lambda written as a function ARN',
      (r) => (acct(r).dataEvents = { lambda: 'arn:aws:lambda:us-east-2:222222222222:function:orders' }),
      'accounts[0].dataEvents.lambda',
      'expected { allFunctions?: All|ReadOnly|WriteOnly, functions?: [{ arn: arn:<partition>:lambda:<region>:<account>:function:<name>, readWrite?: All|ReadOnly|WriteOnly }, ...] }, got the string "arn:aws:lambda:us-east-2:222222222222:function:orders"; write { functions: [{ arn: arn:aws:lambda:us-east-2:222222222222:function:orders }] }',
    ],
    [
      'managementEvents written as a lower-case word',
      (r) => (acct(r).managementEvents = 'writeonly'),
      'accounts[0].managementEvents',
      'expected { readWrite?: All|ReadOnly|WriteOnly|None, excludeKmsEvents?: true|false, excludeRdsDataApiEvents?: true|false }, got the string "writeonly"; write { readWrite: WriteOnly }',
    ],
    [
      'central.adopt.except written as one part',
      (r) => (r.central.adopt = { except: 'lifecycle' }),
      'central.adopt.except',
      expect.stringMatching(/^expected \[<[a-zA-Z|]*lifecycle[a-zA-Z|]*>, \.\.\.\], got the string "lifecycle"; write \[lifecycle\]$/),
    ],
    [
      'organization written as its id',
      (r) => (r.organization = 'o-exampleorgid'),
      'organization',
      'expected { id: o-<10 to 32 lowercase letters or digits>, managementAccountId: "<12 digits>" }, got the string "o-exampleorgid"; write { id: o-exampleorgid, managementAccountId: "<12 digits>" }',
    ],
    [
      'backend written as its type',
      (r) => (r.backend = 'local'),
      'backend',
      'expected { type: local } | { type: cloud, organization: <HCP Terraform org>, workspacePrefix?: <prefix>, hostname?: <host>, project?: <project> } | { type: s3, bucket: <bucket>, region: <region>, keyPrefix?: <prefix>, ... }, got the string "local"; write { type: local }',
    ],
    [
      'central written as the account id',
      (r) => (r.central = '111111111111'),
      'central',
      'expected { accountId: "<12 digits>", region: <region>, bucketName: <bucket>, assumeRoleArn?: <IAM role ARN>, kmsKey?: ..., retention?: ..., objectLock?: ..., accessLogging?: ..., tags?: ... }, got the string "111111111111"',
    ],
    [
      'defaults written as a trail name',
      (r) => (r.defaults = 'my-trail'),
      'defaults',
      'expected { trailName?: <trail name>, prefix?: <key prefix>, ...any trail setting }, got the string "my-trail"; write { trailName: my-trail }',
    ],
    [
      'accounts written as one account id',
      (r) => (r.accounts = '222222222222'),
      'accounts',
      'expected [{ accountId: "<12 digits>", name?: <label>, region?: <region>, trailName?: <trail name>, ...trail settings }, ...], got the string "222222222222"; write [{ accountId: "222222222222" }]',
    ],
  ];

  test.each(CASES)('%s', (_name, change, path, message) => {
    expect(issuesOf(rawWith(change))).toEqual([{ path, message }]);
  });

  // Builds a value at a table key: lists get one entry, mappings the keys on the way; the last key gets `leaf`.
  function setAt(r: any, key: string, leaf: unknown): string {
    const steps = key.split('.').flatMap((part): (string | number)[] => (part.endsWith('[]') ? [part.slice(0, -2), 0] : [part]));
    let node = r;
    for (let i = 0; i < steps.length - 1; i++) {
      const here = steps[i];
      const next = steps[i + 1];
      if (node[here] === undefined || typeof node[here] !== 'object') node[here] = typeof next === 'number' ? [] : {};
      node = node[here];
    }
    node[steps[steps.length - 1]] = leaf;
    return steps.reduce<string>((p, s) => (typeof s === 'number' ? `${p}[${s}]` : p ? `${p}.${String(s)}` : String(s)), '');
  }

  const leafFor = (key: string) => (key === 'kmsKey' || key === 'networkActivityEvents.eventSources[]' ? 42 : 'a-word'); // word-or-mapping keys take a word

  test.each(SHAPE_KEYS.trail)('trail setting %s written as a scalar: "expected <shape>, got ..." under accounts[0] and defaults', (key) => {
    for (const where of ['accounts[0]', 'defaults']) {
      let path = '';
      const raw = rawWith((r) => {
        const base = where === 'defaults' ? r.defaults : r.accounts[0];
        path = `${where}.${setAt(base, key, leafFor(key))}`;
      });
      const issues = issuesOf(raw);
      expect(issues).toContainEqual({ path, message: expect.stringMatching(/^expected .+, got (the string "a-word"|number 42)/) });
    }
  });

  test.each(SHAPE_KEYS.root.filter((k) => k !== 'accounts[]'))('%s written as a scalar: "expected <shape>, got ..."', (key) => {
    let path = '';
    const raw = rawWith((r) => (path = setAt(r, key, 'a-word')));
    expect(issuesOf(raw)).toContainEqual({ path, message: expect.stringMatching(/^expected .+, got the string "a-word"/) });
  });

  test('shape keys: list indexes and the account or defaults prefix are dropped', () => {
    expect(shapeKey(['accounts', 3, 'dataEvents', 's3', 'buckets', 0])).toBe('dataEvents.s3.buckets[]');
    expect(shapeKey(['defaults', 'sns', 'create'])).toBe('sns.create');
    expect(shapeKey(['accounts', 1])).toBe('accounts[]');
  });

  test('a value of the right kind keeps its own rule message (a misspelt kmsKey word)', () => {
    expect(issuesOf(rawWith((r) => (acct(r).kmsKey = 'centrl')))).toEqual([
      { path: 'accounts[0].kmsKey', message: expect.stringMatching(/^kmsKey must be "central", "none"/) },
    ]);
  });
});
