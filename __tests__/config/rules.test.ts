import {
  ACCOUNT_ID,
  accountIdProblem,
  bucketNameProblem,
  closest,
  describe as describeValue,
  dynamodbTableArnProblem,
  editDistance,
  iamPrincipalArnProblem,
  iamRoleArnProblem,
  isAliasArn,
  kmsAliasProblem,
  kmsKeyArnProblem,
  lambdaFunctionArnProblem,
  LOG_RETENTION_DAYS,
  logGroupArnProblem,
  logGroupNameOf,
  logGroupNameProblem,
  ORGANIZATION_ID,
  parseArn,
  partitionOfRegion,
  PARTITIONS,
  prefixProblem,
  regionProblem,
  snsTopicArnProblem,
  snsTopicNameProblem,
  sqsQueueNameProblem,
  trailNameProblem,
} from '../../config/rules';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('account ids', () => {
  test.each(['111111111111', '012345678901', '000000000000'])('%s is a valid account id', (id) => {
    expect(accountIdProblem(id)).toBeUndefined();
    expect(ACCOUNT_ID.test(id)).toBe(true);
  });

  test.each([
    ['12345678901', /exactly 12 digits \(11 characters given\)/],
    ['1234567890123', /exactly 12 digits \(13 characters given\)/],
    ['11111111111a', /"11111111111a" is not an AWS account id/],
    ['', /exactly 12 digits \(0 characters given\)/],
  ])('%j is rejected: it must be 12 digits', (id, message) => {
    expect(accountIdProblem(id)).toMatch(message);
  });

  test('a number (YAML without quotes) is rejected with the quoted form to write instead, leading zeros restored', () => {
    expect(accountIdProblem(222222222222)).toBe(
      'account ids must be quoted strings of 12 digits; YAML read 222222222222 as a number (leading zeros would be lost). Write it in quotes, e.g. "222222222222"',
    );
    expect(accountIdProblem(12345678901)).toMatch(/e\.g\. "012345678901"$/);
  });

  test('a value that is neither string nor number says what it got', () => {
    expect(accountIdProblem(true)).toBe('account ids must be quoted strings of 12 digits, got boolean true');
    expect(accountIdProblem(undefined)).toBe('account ids must be quoted strings of 12 digits, got nothing (the key is missing)');
  });
});

describe('regions', () => {
  test.each(['us-east-2', 'eu-west-1', 'ap-southeast-3', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1', 'il-central-1', 'ca-west-1'])(
    '%s is a region name',
    (region) => expect(regionProblem(region)).toBeUndefined(),
  );

  test.each(['us-east', 'US-EAST-1', 'useast1', 'us_east_1', 'us-east-1a', 'us-east-100'])('%j is not a region, and the message suggests the nearest one', (region) => {
    expect(regionProblem(region)).toMatch(new RegExp(`^"${region}" is not an AWS region \\(did you mean "us-east-1"\\?\\)$`));
  });

  test.each(['', 'xx-nowhere-9', 'atlantis'])('%j is not a region, and with nothing near it the message lists the real ones', (region) => {
    const problem = regionProblem(region)!;
    expect(problem).toMatch(new RegExp(`^"${region}" is not an AWS region; regions of partition aws: af-south-1, `));
    expect(problem).toContain('aws-us-gov: us-gov-east-1, us-gov-west-1');
  });

  test.each([
    ['eu-cental-1', 'eu-central-1'],
    ['us-east-7', 'us-east-1'],
    ['eu-wst-1', 'eu-west-1'],
    ['ap-southeast-9', 'ap-southeast-1'],
    ['us-gov-wset-1', 'us-gov-west-1'],
    ['cn-nort-1', 'cn-north-1'],
  ])('a region shaped like a real one but unknown (%s) is rejected with a suggestion', (region, guess) => {
    expect(regionProblem(region)).toMatch(new RegExp(`^"${region}" is not an AWS region \\(did you mean "${guess}"\\?\\)`));
  });

  test('suggestions stay in the partition the name looks like', () => {
    expect(regionProblem('cn-south-7')).not.toMatch(/did you mean "af-south-1"/);
    expect(regionProblem('cn-northwest-2')).toMatch(/did you mean "cn-northwest-1"/);
  });

  test.each(['af-south-1', 'ap-east-1', 'me-south-1', 'eu-south-2', 'mx-central-1', 'ap-southeast-7'])('opt-in region %s stays valid', (region) => {
    expect(regionProblem(region)).toBeUndefined();
  });

  test.each(['us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1'])('%s is named as a region of an unsupported ISO partition', (region) => {
    expect(regionProblem(region)).toMatch(/is a region of an ISO partition, which this project does not support/);
  });

  test.each([
    ['us-east-1', 'aws'],
    ['eu-central-1', 'aws'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
    ['us-iso-east-1', 'other'],
    ['eu-cental-1', 'other'],
  ])('region %s is in partition %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });

  test('the partitions a config may name are aws, aws-us-gov and aws-cn', () => {
    expect([...PARTITIONS]).toEqual(['aws', 'aws-us-gov', 'aws-cn']);
  });
});

describe('trail names (CloudTrail naming rules)', () => {
  test.each(['my-trail', 'abc', 'a'.repeat(128), 'My_Trail.v2', 'trail-1.prod_x', '1.2.3', '123', 'A-b_C.d'])('%s is a valid trail name', (name) => {
    expect(trailNameProblem(name)).toBeUndefined();
  });

  test.each([
    ['ab', /3 to 128 characters long; "ab" has 2/],
    ['', /3 to 128 characters long; "" has 0/],
    ['a'.repeat(129), /3 to 128 characters long; "a+" has 129/],
    ['my trail', /only ASCII letters, digits, "\.", "_" and "-"; "my trail" contains " "/],
    ['my/trail', /contains "\/"/],
    ['tráil', /contains "á"/],
    ['-trail', /must start and end with a letter or digit; "-trail" does not/],
    ['_trail', /must start and end with a letter or digit/],
    ['trail.', /must start and end with a letter or digit; "trail\." does not/],
    ['trail-', /must start and end with a letter or digit/],
    ['my-_namespace', /must not have adjacent "\.", "_" or "-"; "my-_namespace" has "-_"/],
    ['my--namespace', /adjacent .* has "--"/],
    ['my..trail', /adjacent .* has "\.\."/],
    ['my._trail', /adjacent .* has "\._"/],
    ['192.168.5.4', /must not look like an IP address; "192\.168\.5\.4" does/],
    ['10.0.0.1', /must not look like an IP address/],
  ])('%j is rejected', (name, message) => {
    expect(trailNameProblem(name)).toMatch(message);
  });
});

describe('S3 key prefixes of a trail', () => {
  test.each(['team-a', 'team-a/prod', 'a', 'x'.repeat(200), "logs!_.'()-/2024", 'myAWSLogs', 'AWSLogsArchive/x'])('%j is a valid prefix', (prefix) => {
    expect(prefixProblem(prefix)).toBeUndefined();
  });

  test.each([
    ['', /empty prefix is written by leaving the key out/],
    ['x'.repeat(201), /at most 200 characters; this one has 201/],
    ['/team-a', /must not start or end with "\/".*\(write "team-a"\)/],
    ['team-a/', /must not start or end with "\/".*\(write "team-a"\)/],
    ['a//b', /contains "\/\/", which gives an empty folder name/],
    ['AWSLogs', /contains the folder AWSLogs, which CloudTrail reserves/],
    ['team/AWSLogs', /contains the folder AWSLogs/],
    ['AWSLogs/team', /contains the folder AWSLogs/],
    ['a/AWSLogs/b', /InvalidS3PrefixException/],
    ['team a', /contains " "; use only letters, digits and/],
    ['team*', /contains "\*".*wildcards or variables in the bucket policy/],
    ['team${x}', /contains "\$"/],
    ['team?', /contains "\?"/],
  ])('%j is rejected', (prefix, message) => {
    expect(prefixProblem(prefix)).toMatch(message);
  });
});

describe('S3 bucket names', () => {
  test.each(['my-bucket', 'abc', 'a'.repeat(63), 'logs.example.com', '123bucket', 'bucket-1'])('%s is a valid bucket name', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  test.each([
    ['ab', /3 to 63 characters long; "ab" has 2/],
    ['a'.repeat(64), /3 to 63 characters long; "a+" has 64/],
    ['My-Bucket', /only lowercase letters, digits, "\." and "-"; "My-Bucket" contains "M"/],
    ['my_bucket', /contains "_"/],
    ['-bucket', /must start and end with a letter or digit/],
    ['bucket-', /must start and end with a letter or digit/],
    ['.bucket', /must start and end with a letter or digit/],
    ['my..bucket', /must not contain two adjacent periods/],
    ['192.168.5.4', /must not look like an IP address/],
    ['xn--bucket', /must not start with "xn--" \(reserved by S3\)/],
    ['sthree-bucket', /must not start with "sthree-"/],
    ['amzn-s3-demo-bucket', /must not start with "amzn-s3-demo-"/],
    ['bucket-s3alias', /must not end with "-s3alias" \(reserved by S3\)/],
    ['bucket--ol-s3', /must not end with "--ol-s3"/],
    ['bucket.mrap', /must not end with "\.mrap"/],
    ['bucket--x-s3', /must not end with "--x-s3"/],
    ['bucket--table-s3', /must not end with "--table-s3"/],
  ])('%j is rejected', (name, message) => {
    expect(bucketNameProblem(name)).toMatch(message);
  });
});

describe('ARNs', () => {
  test('parseArn splits an ARN into its fields', () => {
    expect(parseArn('arn:aws:cloudtrail:us-east-2:222222222222:trail/my-trail')).toEqual({
      partition: 'aws',
      service: 'cloudtrail',
      region: 'us-east-2',
      account: '222222222222',
      resource: 'trail/my-trail',
    });
    expect(parseArn('arn:aws:s3:::my-bucket')).toEqual({ partition: 'aws', service: 's3', region: '', account: '', resource: 'my-bucket' });
    expect(parseArn('arn:aws-us-gov:iam::111111111111:role/x')?.partition).toBe('aws-us-gov');
    expect(parseArn('arn:aws:logs:us-east-2:222222222222:log-group:g:*')?.resource).toBe('log-group:g:*');
  });

  test.each(['not-an-arn', 'arn:aws:kms', 'arn:aws:kms:us-east-2:1234:key/x', 'arn:aws:kms:us-east-2:222222222222:', ''])('parseArn returns nothing for %j', (value) => {
    expect(parseArn(value)).toBeUndefined();
  });

  describe('KMS key and alias ARNs', () => {
    test.each([
      `arn:aws:kms:us-east-2:111111111111:key/${KEY_ID}`,
      'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef',
      'arn:aws:kms:us-east-2:333333333333:alias/cloudtrail-333',
      `arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/${KEY_ID}`,
      `arn:aws-cn:kms:cn-north-1:111111111111:alias/x/y_z-1`,
    ])('%s is accepted', (arn) => expect(kmsKeyArnProblem(arn)).toBeUndefined());

    test.each([
      ['alias/cloudtrail', /"alias\/cloudtrail" is not an ARN; expected a KMS key ARN or alias ARN such as arn:aws:kms:/],
      [KEY_ID, /is not an ARN/],
      [`arn:aws-foo:kms:us-east-2:111111111111:key/${KEY_ID}`, /has unknown partition "aws-foo"/],
      [`arn:aws:s3:us-east-2:111111111111:key/${KEY_ID}`, /is a s3 ARN; expected a KMS key ARN/],
      [`arn:aws:kms::111111111111:key/${KEY_ID}`, /has no valid region/],
      [`arn:aws:kms:us-east-2:aws:key/${KEY_ID}`, /has no 12-digit account id/],
      ['arn:aws:kms:us-east-2:111111111111:keys/abc', /does not name a KMS key ARN or alias ARN/],
      ['arn:aws:kms:us-east-2:111111111111:key/not-a-uuid', /has a malformed key id; key ids are UUIDs \(or mrk-<32 hex> for multi-Region keys\)/],
      ['arn:aws:kms:us-east-2:111111111111:alias/aws/s3', /begins with "aws", which KMS reserves for AWS managed keys/],
      ['arn:aws:kms:us-east-2:111111111111:alias/bad name', /may contain only letters, digits/],
    ])('%s is rejected', (arn, message) => expect(kmsKeyArnProblem(arn)).toMatch(message));

    test('isAliasArn tells an alias ARN from a key ARN', () => {
      expect(isAliasArn('arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs')).toBe(true);
      expect(isAliasArn(`arn:aws:kms:us-east-2:111111111111:key/${KEY_ID}`)).toBe(false);
      expect(isAliasArn('alias/cloudtrail-logs')).toBe(false);
    });
  });

  describe('KMS aliases', () => {
    test.each(['alias/cloudtrail-logs', 'alias/a', 'alias/team/cloudtrail_1', `alias/${'x'.repeat(250)}`, 'alias/my-aws-key'])('%s is accepted', (alias) => {
      expect(kmsAliasProblem(alias)).toBeUndefined();
    });

    test.each([
      ['cloudtrail-logs', /must start with "alias\/", e\.g\. alias\/cloudtrail-logs/],
      ['/cloudtrail', /e\.g\. alias\/cloudtrail$/],
      ['alias/', /"alias\/" plus 1 to 250 characters/],
      [`alias/${'x'.repeat(251)}`, /"alias\/" plus 1 to 250 characters/],
      ['alias/my key', /only letters, digits, "\/", "_" and "-"; "alias\/my key" contains " "/],
      ['alias/key.1', /contains "\."/],
      ['alias/aws/cloudtrail', /begins with "aws", which KMS reserves for AWS managed keys; choose another name/],
      ['alias/AWSkey', /begins with "aws"/],
    ])('%j is rejected', (alias, message) => expect(kmsAliasProblem(alias)).toMatch(message));
  });

  describe('SNS topics and SQS queues', () => {
    test.each(['cloudtrail-notify', 'a', 'A_b-1', 'x'.repeat(256)])('topic name %s is accepted', (name) => expect(snsTopicNameProblem(name)).toBeUndefined());

    test.each([
      ['', /1 to 256 characters; "" has 0/],
      ['x'.repeat(257), /1 to 256 characters/],
      ['topic.fifo', /is a FIFO topic; CloudTrail publishes only to standard topics/],
      ['my.topic', /only letters, digits, "_" and "-"; "my\.topic" contains "\."/],
    ])('topic name %j is rejected', (name, message) => expect(snsTopicNameProblem(name)).toMatch(message));

    test('a topic ARN in any account or region is accepted', () => {
      expect(snsTopicArnProblem('arn:aws:sns:us-east-2:111111111111:security-notifications')).toBeUndefined();
      expect(snsTopicArnProblem('arn:aws:sns:eu-west-1:999999999999:t')).toBeUndefined();
    });

    test.each([
      ['cloudtrail-notify', /is not an ARN; expected an SNS topic ARN such as arn:aws:sns:/],
      ['arn:aws:sqs:us-east-2:222222222222:queue', /is a sqs ARN; expected an SNS topic ARN/],
      ['arn:aws:sns::222222222222:t', /has no valid region/],
      ['arn:aws:sns:us-east-2:222222222222:t:subscription-id', /does not name an SNS topic ARN/],
      ['arn:aws:sns:us-east-2:222222222222:t.fifo', /is a FIFO topic/],
    ])('topic ARN %s is rejected', (arn, message) => expect(snsTopicArnProblem(arn)).toMatch(message));

    test.each(['queue', 'ct-222-queue', 'x'.repeat(80)])('queue name %s is accepted', (name) => expect(sqsQueueNameProblem(name)).toBeUndefined());

    test.each([
      ['', /1 to 80 characters/],
      ['x'.repeat(81), /1 to 80 characters; "x+" has 81/],
      ['q.fifo', /is a FIFO queue; a standard SNS topic can only deliver to standard queues/],
      ['my queue', /only letters, digits, "_" and "-"; "my queue" contains " "/],
    ])('queue name %j is rejected', (name, message) => expect(sqsQueueNameProblem(name)).toMatch(message));
  });

  describe('Lambda function and DynamoDB table ARNs', () => {
    test.each([
      'arn:aws:lambda:us-east-2:222222222222:function:f',
      'arn:aws:lambda:us-east-2:222222222222:function:my-function:$LATEST',
      'arn:aws:lambda:us-east-2:222222222222:function:my-function:prod',
      `arn:aws:lambda:us-east-2:222222222222:function:${'f'.repeat(64)}`,
    ])('%s is a Lambda function ARN', (arn) => expect(lambdaFunctionArnProblem(arn)).toBeUndefined());

    test.each([
      ['arn:aws:lambda:us-east-2:222222222222:function/f', /does not name a Lambda function ARN; expected a Lambda function ARN such as arn:aws:lambda:/],
      [`arn:aws:lambda:us-east-2:222222222222:function:${'f'.repeat(65)}`, /does not name a Lambda function ARN/],
      ['arn:aws:lambda:us-east-2:222222222222:layer:l', /does not name a Lambda function ARN/],
      ['arn:aws:lambda::222222222222:function:f', /has no valid region/],
      ['arn:aws:dynamodb:us-east-2:222222222222:function:f', /is a dynamodb ARN/],
    ])('%s is rejected', (arn, message) => expect(lambdaFunctionArnProblem(arn)).toMatch(message));

    test.each(['arn:aws:dynamodb:us-east-2:222222222222:table/orders', 'arn:aws-cn:dynamodb:cn-north-1:222222222222:table/my.table_1-x'])(
      '%s is a DynamoDB table ARN',
      (arn) => expect(dynamodbTableArnProblem(arn)).toBeUndefined(),
    );

    test.each([
      ['arn:aws:dynamodb:us-east-2:222222222222:orders', /does not name a DynamoDB table ARN \(table\/<name>: [^)]*\); expected a DynamoDB table ARN such as arn:aws:dynamodb:us-east-2:222222222222:table\/orders/],
      ['arn:aws:dynamodb:us-east-2:222222222222:table/ab', /does not name a DynamoDB table ARN \(table\/<name>: table names are 3 to 255 letters, digits, "_", "\." or "-"\)/],
      ['arn:aws:dynamodb:us-east-2:222222222222:table/orders/stream/2024', /does not name a DynamoDB table ARN/],
      ['arn:aws:dynamodb::222222222222:table/orders', /has no valid region/],
    ])('%s is rejected', (arn, message) => expect(dynamodbTableArnProblem(arn)).toMatch(message));
  });

  describe('IAM roles and principals', () => {
    test.each(['arn:aws:iam::222222222222:role/TerraformDeploy', 'arn:aws:iam::222222222222:role/path/to/Role+=,.@_-'])('%s is a role ARN', (arn) => {
      expect(iamRoleArnProblem(arn)).toBeUndefined();
    });

    test.each([
      ['arn:aws:iam::222222222222:user/alice', /does not name an IAM role ARN; expected an IAM role ARN such as arn:aws:iam::222222222222:role\/TerraformDeploy/],
      ['arn:aws:iam:us-east-1:222222222222:role/x', /must have an empty region field/],
      ['arn:aws:sts::222222222222:assumed-role/x/y', /is a sts ARN/],
      ['TerraformDeploy', /is not an ARN/],
      [`arn:aws:iam::222222222222:role/${'r'.repeat(65)}`, /does not name an IAM role ARN/],
    ])('%s is not a role ARN', (arn, message) => expect(iamRoleArnProblem(arn)).toMatch(message));

    test.each(['arn:aws:iam::111111111111:root', 'arn:aws:iam::111111111111:role/SecurityAudit', 'arn:aws:iam::111111111111:user/auditor'])(
      '%s may be a log reader',
      (arn) => expect(iamPrincipalArnProblem(arn)).toBeUndefined(),
    );

    test.each([
      ['arn:aws:iam::111111111111:group/auditors', /does not name an IAM role, user or account root ARN/],
      ['arn:aws:iam::111111111111:policy/p', /does not name an IAM role, user or account root ARN/],
      ['*', /is not an ARN/],
    ])('%s may not be a log reader', (arn, message) => expect(iamPrincipalArnProblem(arn)).toMatch(message));
  });

  describe('CloudWatch Logs', () => {
    test.each(['aws-cloudtrail-logs-222', '/aws/cloudtrail/x', 'a#b.c_d-e'])('log group name %s is accepted', (name) => {
      expect(logGroupNameProblem(name)).toBeUndefined();
    });

    test.each([
      ['', /1 to 512 characters/],
      ['x'.repeat(513), /1 to 512 characters/],
      ['my group', /only letters, digits and _ - \/ \. #; "my group" contains " "/],
      ['g:1', /contains ":"/],
    ])('log group name %j is rejected', (name, message) => expect(logGroupNameProblem(name)).toMatch(message));

    test.each(['arn:aws:logs:us-east-2:222222222222:log-group:aws-cloudtrail-logs-222', 'arn:aws:logs:us-east-2:222222222222:log-group:/aws/ct:*'])(
      '%s is a log group ARN (with or without the :* stream wildcard)',
      (arn) => expect(logGroupArnProblem(arn)).toBeUndefined(),
    );

    test.each([
      ['arn:aws:logs:us-east-2:222222222222:loggroup:x', /does not name a CloudWatch Logs log group ARN/],
      ['arn:aws:logs:us-east-2:222222222222:log-group:a:log-stream:b', /does not name a CloudWatch Logs log group ARN/],
      ['arn:aws:logs:us-east-2:222222222222:log-group:bad name', /log group names may contain only/],
    ])('%s is rejected', (arn, message) => expect(logGroupArnProblem(arn)).toMatch(message));

    test('logGroupNameOf takes the name out of a log group ARN, with or without :*', () => {
      expect(logGroupNameOf('arn:aws:logs:us-east-2:222222222222:log-group:/aws/ct:*')).toBe('/aws/ct');
      expect(logGroupNameOf('arn:aws:logs:us-east-2:222222222222:log-group:existing-trail-logs')).toBe('existing-trail-logs');
    });

    test('the retention values are the ones PutRetentionPolicy accepts, 0 meaning never expire', () => {
      expect(LOG_RETENTION_DAYS).toContain(0);
      expect(LOG_RETENTION_DAYS).toContain(365);
      expect(LOG_RETENTION_DAYS).toContain(3653);
      expect(LOG_RETENTION_DAYS).not.toContain(100);
      expect(LOG_RETENTION_DAYS).not.toContain(364);
      expect([...LOG_RETENTION_DAYS]).toEqual([...LOG_RETENTION_DAYS].sort((a, b) => a - b));
    });
  });

  test('organization ids are o- and 10 to 32 lowercase letters or digits', () => {
    expect(ORGANIZATION_ID.test('o-exampleorgid')).toBe(true);
    expect(ORGANIZATION_ID.test('o-abcdefghij')).toBe(true);
    expect(ORGANIZATION_ID.test('o-abc')).toBe(false);
    expect(ORGANIZATION_ID.test('o-ExampleOrgId')).toBe(false);
    expect(ORGANIZATION_ID.test(`o-${'a'.repeat(33)}`)).toBe(false);
  });
});

describe('helpers for messages', () => {
  test('describe names the kind of a wrong value', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('nothing (the key is missing)');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({ a: 1 })).toBe('a mapping');
    expect(describeValue('x')).toBe('the string "x"');
    expect(describeValue(12)).toBe('number 12');
    expect(describeValue(false)).toBe('boolean false');
  });

  test('editDistance counts single-character edits, ignoring case', () => {
    expect(editDistance('region', 'region')).toBe(0);
    expect(editDistance('regoin', 'region')).toBe(2);
    expect(editDistance('trailname', 'trailName')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  test('closest suggests the nearest valid key for a typo', () => {
    const keys = ['accountId', 'name', 'region', 'assumeRoleArn', 'trailName', 'prefix'];
    expect(closest('regoin', keys)).toBe('region');
    expect(closest('trailname', keys)).toBe('trailName');
    expect(closest('acountId', keys)).toBe('accountId');
    expect(closest('prefx', keys)).toBe('prefix');
  });

  test('closest suggests nothing when no key is near', () => {
    expect(closest('zzzzzz', ['accountId', 'region'])).toBeUndefined();
    expect(closest('bucket', ['accountId', 'region'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
  });
});
