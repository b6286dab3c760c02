/**
 * The bad-input corpus (used by invalid-corpus.test.ts, which checks the
 * loader's message for each case, and json-schema.test.ts, which checks that
 * the editors' JSON Schema rejects each case it can express): each case is
 * the default config (config/cloudtrail.yaml) with exactly ONE rule broken.
 */
export interface Case {
  /** What is wrong, in the user's words. */
  readonly name: string;
  /** Breaks one rule of the default config. */
  readonly change: (raw: any) => void;
  /** The exact config path reported. */
  readonly path: string;
  /** The message: the rule and how to fix it. */
  readonly message: RegExp;
}

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const acct = (r: any) => r.accounts[0];
const lambdaArns = (n: number) => Array.from({ length: n }, (_, i) => ({ arn: `arn:aws:lambda:us-east-2:222222222222:function:f${i}` }));
/** An organization with the guard's prevention on, deployed by a role in account 222222222222: valid until a case breaks it. */
const guarded = (r: any, prevention: any = {}) => {
  r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
  acct(r).assumeRoleArn = 'arn:aws:iam::222222222222:role/TerraformDeploy';
  r.guard = { prevention: { attachTo: ['r-ab12'], ...prevention } };
};
const manyAccounts = (n: number) => Array.from({ length: n }, (_, i) => ({ accountId: String(100000000000 + i), prefix: `p${i}` }));

export const CORPUS: readonly Case[] = [
  // ------------------------------------------------------------ account ids
  {
    name: 'an account id written as a YAML number',
    change: (r) => (acct(r).accountId = 222222222222),
    path: 'accounts[0].accountId',
    message: /quoted strings of 12 digits; YAML read 222222222222 as a number \(leading zeros would be lost\)\. Write it in quotes, e\.g\. "222222222222"/,
  },
  {
    name: 'an account id with 11 digits',
    change: (r) => (acct(r).accountId = '22222222222'),
    path: 'accounts[0].accountId',
    message: /is not an AWS account id: it must be exactly 12 digits \(11 characters given\)/,
  },
  {
    name: 'an account entry without an account id',
    change: (r) => delete acct(r).accountId,
    path: 'accounts[0].accountId',
    message: /account ids must be quoted strings of 12 digits, got nothing \(the key is missing\)/,
  },
  {
    name: 'the central account id as a number',
    change: (r) => (r.central.accountId = 111111111111),
    path: 'central.accountId',
    message: /YAML read 111111111111 as a number.*Write it in quotes/,
  },
  {
    name: 'the same account listed twice with the same trail name',
    change: (r) => r.accounts.push({ accountId: '222222222222', name: 'again' }),
    path: 'accounts[1].trailName (from defaults)',
    message: /^trail name "my-trail" is already used by accounts\[0\] \(account 222222222222\); choose another$/,
  },
  {
    name: 'an empty accounts list',
    change: (r) => (r.accounts = []),
    path: 'accounts',
    message: /accounts is empty: list at least one account to turn CloudTrail on in/,
  },
  {
    name: 'accounts written as a mapping instead of a list',
    change: (r) => (r.accounts = { '222222222222': {} }),
    path: 'accounts',
    message: /^expected \[\{ accountId: "<12 digits>", name\?: <label>, region\?: <region>, .*\}, \.\.\.\], got a mapping$/,
  },

  // ------------------------------------------------------------ trail names
  {
    name: 'no trail name anywhere',
    change: (r) => delete r.defaults.trailName,
    path: 'accounts[0].trailName',
    message: /no trail name: set trailName in this account or in defaults\.trailName/,
  },
  {
    name: 'a trail name of 2 characters',
    change: (r) => (acct(r).trailName = 'ab'),
    path: 'accounts[0].trailName',
    message: /trail names are 3 to 128 characters long; "ab" has 2/,
  },
  {
    name: 'a trail name of 129 characters',
    change: (r) => (acct(r).trailName = 't'.repeat(129)),
    path: 'accounts[0].trailName',
    message: /3 to 128 characters long; "t+" has 129/,
  },
  {
    name: 'a trail name with a space',
    change: (r) => (acct(r).trailName = 'my trail'),
    path: 'accounts[0].trailName',
    message: /may contain only ASCII letters, digits, "\.", "_" and "-"; "my trail" contains " "/,
  },
  {
    name: 'a trail name starting with a dash',
    change: (r) => (r.defaults.trailName = '-my-trail'),
    path: 'defaults.trailName',
    message: /must start and end with a letter or digit/,
  },
  {
    name: 'a trail name with adjacent "-" and "_"',
    change: (r) => (acct(r).trailName = 'my-_namespace'),
    path: 'accounts[0].trailName',
    message: /must not have adjacent "\.", "_" or "-"; "my-_namespace" has "-_"/,
  },
  {
    name: 'a trail name in IP address format',
    change: (r) => (acct(r).trailName = '192.168.5.4'),
    path: 'accounts[0].trailName',
    message: /must not look like an IP address/,
  },

  // ------------------------------------------------------------ bucket, regions, prefixes
  {
    name: 'a bucket name with capital letters',
    change: (r) => (r.central.bucketName = 'My-Bucket'),
    path: 'central.bucketName',
    message: /bucket names may contain only lowercase letters, digits, "\." and "-"; "My-Bucket" contains "M"/,
  },
  {
    name: 'a bucket name with a reserved suffix',
    change: (r) => (r.central.bucketName = 'logs-s3alias'),
    path: 'central.bucketName',
    message: /must not end with "-s3alias" \(reserved by S3\)/,
  },
  {
    name: 'a region name without its number',
    change: (r) => (acct(r).region = 'us-east'),
    path: 'accounts[0].region',
    message: /^"us-east" is not an AWS region \(did you mean "us-east-1"\?\)$/,
  },
  {
    name: 'a region with a typo',
    change: (r) => (r.central.region = 'eu-cental-1'),
    path: 'central.region',
    message: /"eu-cental-1" is not an AWS region \(did you mean "eu-central-1"\?\)/,
  },
  {
    name: 'a region shaped like a real one that does not exist',
    change: (r) => (acct(r).region = 'us-east-7'),
    path: 'accounts[0].region',
    message: /"us-east-7" is not an AWS region \(did you mean "us-east-1"\?\)/,
  },
  {
    name: 'the central region in another partition',
    change: (r) => {
      r.central.region = 'us-gov-west-1';
      acct(r).region = 'us-east-2';
    },
    path: 'central.region',
    message: /region us-gov-west-1 is not in partition aws; set partition: aws-us-gov or use a region of partition aws/,
  },
  {
    name: 'an account region in another partition',
    change: (r) => (acct(r).region = 'cn-north-1'),
    path: 'accounts[0].region',
    message: /region cn-north-1 is not in partition aws; .*use a region of partition aws/,
  },
  {
    name: 'an unknown partition',
    change: (r) => (r.partition = 'aws-gov'),
    path: 'partition',
    message: /partition must be one of aws, aws-us-gov, aws-cn; got the string "aws-gov"/,
  },
  {
    name: 'a prefix longer than 200 characters',
    change: (r) => (acct(r).prefix = 'p'.repeat(201)),
    path: 'accounts[0].prefix',
    message: /S3 key prefixes are at most 200 characters; this one has 201/,
  },
  {
    name: 'a prefix with a trailing slash',
    change: (r) => (acct(r).prefix = 'team-a/'),
    path: 'accounts[0].prefix',
    message: /must not start or end with "\/": CloudTrail adds the "\/" before AWSLogs\/ itself \(write "team-a"\)/,
  },
  {
    name: 'a prefix with a leading slash',
    change: (r) => (r.defaults.prefix = '/team-a'),
    path: 'defaults.prefix',
    message: /\(write "team-a"\)/,
  },
  {
    name: 'a prefix containing AWSLogs/',
    change: (r) => (acct(r).prefix = 'AWSLogs/team-a'),
    path: 'accounts[0].prefix',
    message: /contains the folder AWSLogs, which CloudTrail reserves for its own layout/,
  },
  {
    name: 'a prefix with an empty folder ("//")',
    change: (r) => (acct(r).prefix = 'team//a'),
    path: 'accounts[0].prefix',
    message: /contains "\/\/", which gives an empty folder name/,
  },

  // ------------------------------------------------------------ KMS
  {
    name: 'a central key alias without "alias/"',
    change: (r) => (r.central.kmsKey = { alias: 'cloudtrail-logs' }),
    path: 'central.kmsKey.alias',
    message: /must start with "alias\/", e\.g\. alias\/cloudtrail-logs/,
  },
  {
    name: 'a created key alias in the reserved aws namespace',
    change: (r) => (acct(r).kmsKey = { create: { alias: 'alias/aws/cloudtrail' } }),
    path: 'accounts[0].kmsKey.create.alias',
    message: /begins with "aws", which KMS reserves for AWS managed keys; choose another name/,
  },
  {
    name: 'a key given by its bare id instead of an ARN',
    change: (r) => (acct(r).kmsKey = { arn: KEY }),
    path: 'accounts[0].kmsKey.arn',
    message: /is not an ARN; expected a KMS key ARN or alias ARN such as arn:aws:kms:/,
  },
  {
    name: 'a key ARN with a malformed key id',
    change: (r) => (acct(r).kmsKey = { arn: 'arn:aws:kms:us-east-2:222222222222:key/abc' }),
    path: 'accounts[0].kmsKey.arn',
    message: /malformed key id; key ids are UUIDs/,
  },
  {
    name: 'a key in another region than the bucket',
    change: (r) => (acct(r).kmsKey = { arn: `arn:aws:kms:eu-west-1:222222222222:key/${KEY}` }),
    path: 'accounts[0].kmsKey.arn',
    message: /the key is in eu-west-1, but a trail's KMS key must be in the bucket's region \(us-east-2\)/,
  },
  {
    name: 'a misspelt kmsKey choice',
    change: (r) => (acct(r).kmsKey = 'centrl'),
    path: 'accounts[0].kmsKey',
    message: /kmsKey must be "central", "none", \{ arn: <key or alias ARN> \} or \{ create: \{ alias: alias\/<name> \} \}/,
  },
  {
    name: 'kmsKey with both arn and create',
    change: (r) => (acct(r).kmsKey = { arn: 'arn:aws:kms:us-east-2:222222222222:alias/x', create: { alias: 'alias/y' } }),
    path: 'accounts[0].kmsKey',
    message: /kmsKey takes exactly one of arn or create; arn and create are set/,
  },
  {
    name: 'kmsKey central while the central key is turned off',
    change: (r) => {
      r.central.kmsKey = false;
      acct(r).kmsKey = 'central';
    },
    path: 'accounts[0].kmsKey',
    message: /kmsKey is central, but central\.kmsKey is false \(no central key\); use none, \{ arn \} or \{ create \}, or enable central\.kmsKey/,
  },
  {
    name: "a created key reusing the central key's alias in the central account",
    change: (r) => r.accounts.push({ accountId: '111111111111', kmsKey: { create: { alias: 'alias/cloudtrail-logs' } } }),
    path: 'accounts[1].kmsKey.create.alias',
    message: /alias\/cloudtrail-logs is the central key's alias in the same account and region; choose another alias/,
  },
  {
    name: 'two trails of an account creating keys with the same alias',
    change: (r) => {
      acct(r).kmsKey = { create: { alias: 'alias/ct' } };
      r.accounts.push({ accountId: '222222222222', trailName: 'second', kmsKey: { create: { alias: 'alias/ct' } } });
    },
    path: 'accounts[1].kmsKey.create.alias',
    message: /KMS alias "alias\/ct" is already used by accounts\[0\] \(account 222222222222\); choose another/,
  },
  {
    name: 'a deletion window of 5 days',
    change: (r) => (r.central.kmsKey = { deletionWindowInDays: 5 }),
    path: 'central.kmsKey.deletionWindowInDays',
    message: /deletionWindowInDays is 7 to 30/,
  },
  {
    name: 'a log reader that is an IAM group',
    change: (r) => (r.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:group/auditors'] }),
    path: 'central.kmsKey.decryptPrincipals[0]',
    message: /does not name an IAM role, user or account root ARN; expected .* such as arn:aws:iam::111111111111:role\/SecurityAudit/,
  },
  {
    name: 'central.kmsKey as a string',
    change: (r) => (r.central.kmsKey = 'yes'),
    path: 'central.kmsKey',
    message: /^expected true \| false \| \{ alias\?: alias\/<name>, .*\}, got the string "yes"; write true$/,
  },

  // ------------------------------------------------------------ SNS
  {
    name: 'an SQS ARN where the SNS topic ARN belongs',
    change: (r) => (acct(r).sns = { topicArn: 'arn:aws:sqs:us-east-2:222222222222:queue' }),
    path: 'accounts[0].sns.topicArn',
    message: /is a sqs ARN; expected an SNS topic ARN such as arn:aws:sns:/,
  },
  {
    name: 'a FIFO topic name',
    change: (r) => (acct(r).sns = { create: { topicName: 'notify.fifo' } }),
    path: 'accounts[0].sns.create.topicName',
    message: /is a FIFO topic; CloudTrail publishes only to standard topics/,
  },
  {
    name: 'sns with both create and topicArn',
    change: (r) => (acct(r).sns = { create: { topicName: 'n' }, topicArn: 'arn:aws:sns:us-east-2:222222222222:n' }),
    path: 'accounts[0].sns',
    message: /sns takes exactly one of create or topicArn; create and topicArn are set/,
  },
  {
    name: 'sqsQueue as a word',
    change: (r) => (acct(r).sns = { create: { topicName: 'n', sqsQueue: 'yes' } }),
    path: 'accounts[0].sns.create.sqsQueue',
    message: /^expected true \| false \| \{ queueName: <queue name> \}, got the string "yes"; write true$/,
  },
  {
    name: 'a FIFO queue name',
    change: (r) => (acct(r).sns = { create: { topicName: 'n', sqsQueue: { queueName: 'q.fifo' } } }),
    path: 'accounts[0].sns.create.sqsQueue.queueName',
    message: /is a FIFO queue; a standard SNS topic can only deliver to standard queues/,
  },
  {
    name: 'two trails of an account creating the same topic in one region',
    change: (r) => {
      acct(r).sns = { create: { topicName: 'ct-notify' } };
      r.accounts.push({ accountId: '222222222222', trailName: 'second', sns: { create: { topicName: 'ct-notify' } } });
    },
    path: 'accounts[1].sns.create.topicName',
    message: /SNS topic "ct-notify" is already used by accounts\[0\] \(account 222222222222\); choose another/,
  },
  {
    name: 'two trails of an account creating the same queue',
    change: (r) => {
      acct(r).sns = { create: { topicName: 'a', sqsQueue: { queueName: 'q' } } };
      r.accounts.push({ accountId: '222222222222', trailName: 'second', sns: { create: { topicName: 'b', sqsQueue: { queueName: 'q' } } } });
    },
    path: 'accounts[1].sns.create.sqsQueue',
    message: /SQS queue "q" is already used by accounts\[0\] \(account 222222222222\); choose another/,
  },

  // ------------------------------------------------------------ CloudWatch Logs
  {
    name: 'a log group in another account',
    change: (r) => (acct(r).cloudWatchLogs = { logGroupArn: 'arn:aws:logs:us-east-2:333333333333:log-group:ct' }),
    path: 'accounts[0].cloudWatchLogs.logGroupArn',
    message: /the log group is in account 333333333333, but CloudTrail delivers only to a log group in the trail's own account \(222222222222\); create one there instead/,
  },
  {
    name: 'a delivery role in another account',
    change: (r) => (acct(r).cloudWatchLogs = { create: { logGroupName: 'ct' }, roleArn: 'arn:aws:iam::333333333333:role/CloudTrailToCWL' }),
    path: 'accounts[0].cloudWatchLogs.roleArn',
    message: /the role is in account 333333333333, but CloudTrail needs a role in the trail's own account \(222222222222\); name a role there or leave roleArn out/,
  },
  {
    name: 'a retention CloudWatch Logs does not accept',
    change: (r) => (acct(r).cloudWatchLogs = { create: { logGroupName: 'ct', retentionInDays: 100 } }),
    path: 'accounts[0].cloudWatchLogs.create.retentionInDays',
    message: /does not accept a retention of 100 days; use one of 0, 1, 3, .*3653 \(0 = never expire\)/,
  },
  {
    name: 'a log group name with a space',
    change: (r) => (acct(r).cloudWatchLogs = { create: { logGroupName: 'my logs' } }),
    path: 'accounts[0].cloudWatchLogs.create.logGroupName',
    message: /log group names may contain only letters, digits and _ - \/ \. #; "my logs" contains " "/,
  },
  {
    name: 'cloudWatchLogs with only a role',
    change: (r) => (acct(r).cloudWatchLogs = { roleArn: 'arn:aws:iam::222222222222:role/x' }),
    path: 'accounts[0].cloudWatchLogs',
    message: /cloudWatchLogs takes exactly one of create or logGroupArn; none is set/,
  },
  {
    name: 'two trails of an account creating the same log group',
    change: (r) => {
      acct(r).cloudWatchLogs = { create: { logGroupName: 'ct' } };
      r.accounts.push({ accountId: '222222222222', trailName: 'second', cloudWatchLogs: { create: { logGroupName: 'ct' } } });
    },
    path: 'accounts[1].cloudWatchLogs.create.logGroupName',
    message: /log group "ct" is already used by accounts\[0\] \(account 222222222222\); choose another/,
  },

  // ------------------------------------------------------------ events
  {
    name: 'a management read/write choice that does not exist',
    change: (r) => (acct(r).managementEvents = { readWrite: 'Read' }),
    path: 'accounts[0].managementEvents.readWrite',
    message: /managementEvents\.readWrite must be one of All, ReadOnly, WriteOnly, None; got the string "Read"/,
  },
  {
    name: 'excluding KMS events while management events are off',
    change: (r) => {
      acct(r).managementEvents = { readWrite: 'None', excludeKmsEvents: true };
      acct(r).dataEvents = { lambda: { allFunctions: 'All' } };
    },
    path: 'accounts[0].managementEvents',
    message: /excluding KMS or RDS Data API events needs management events; set readWrite to All, ReadOnly or WriteOnly, or drop the exclusion/,
  },
  {
    name: 'a trail that would log nothing',
    change: (r) => (acct(r).managementEvents = { readWrite: 'None' }),
    path: 'accounts[0].managementEvents.readWrite',
    message: /the trail would log nothing: .*; log management events \(All, ReadOnly or WriteOnly\) or add dataEvents/,
  },
  {
    name: 'API call rate Insights with read-only management events',
    change: (r) => {
      acct(r).managementEvents = { readWrite: 'ReadOnly' };
      acct(r).insights = { apiCallRate: true };
    },
    path: 'accounts[0].insights.apiCallRate',
    message: /API call rate Insights need Write management events, but managementEvents\.readWrite is ReadOnly; use All or WriteOnly/,
  },
  {
    name: 'API error rate Insights without management events',
    change: (r) => {
      acct(r).managementEvents = { readWrite: 'None' };
      acct(r).dataEvents = { s3: { allBuckets: 'WriteOnly' } };
      acct(r).insights = { apiErrorRate: true };
    },
    path: 'accounts[0].insights.apiErrorRate',
    message: /API error rate Insights need Read or Write management events, but managementEvents\.readWrite is None; use All, ReadOnly or WriteOnly/,
  },
  {
    name: 'more than 500 advanced selector values',
    change: (r) => (acct(r).dataEvents = { lambda: { functions: lambdaArns(501) } }),
    path: 'accounts[0].dataEvents',
    message: /the advanced event selectors have 504 condition values; CloudTrail allows 500 per trail \(log whole buckets or "all" choices instead/,
  },
  {
    name: 'a Lambda ARN with a slash instead of a colon',
    change: (r) => (acct(r).dataEvents = { lambda: { functions: [{ arn: 'arn:aws:lambda:us-east-2:222222222222:function/orders' }] } }),
    path: 'accounts[0].dataEvents.lambda.functions[0].arn',
    message: /does not name a Lambda function ARN; expected a Lambda function ARN such as arn:aws:lambda:us-east-2:222222222222:function:my-function/,
  },
  {
    name: 'a DynamoDB ARN without table/',
    change: (r) => (acct(r).dataEvents = { dynamodb: { tables: [{ arn: 'arn:aws:dynamodb:us-east-2:222222222222:orders' }] } }),
    path: 'accounts[0].dataEvents.dynamodb.tables[0].arn',
    message: /does not name a DynamoDB table ARN \(table\/<name>: table names are 3 to 255 letters[^)]*\); expected a DynamoDB table ARN such as arn:aws:dynamodb:us-east-2:222222222222:table\/orders/,
  },
  {
    name: 'an invalid bucket name in S3 data events',
    change: (r) => (acct(r).dataEvents = { s3: { buckets: [{ name: 'Payments' }] } }),
    path: 'accounts[0].dataEvents.s3.buckets[0].name',
    message: /bucket names may contain only lowercase letters/,
  },
  {
    name: 'None as an S3 data event choice',
    change: (r) => (acct(r).dataEvents = { s3: { allBuckets: 'None' } }),
    path: 'accounts[0].dataEvents.s3.allBuckets',
    message: /must be one of All, ReadOnly, WriteOnly; got the string "None"/,
  },
  {
    name: 'an advanced selector without eventCategory',
    change: (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventName', equals: ['DeleteObject'] }] }] }),
    path: 'accounts[0].dataEvents.advanced[0]',
    message: /every advanced selector needs an eventCategory field selector \(equals: \[Management\], \[Data\] or \[NetworkActivity\]\)/,
  },
  {
    name: 'a field selector without an operator',
    change: (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventCategory' }] }] }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[0]',
    message: /field selector on eventCategory has no operator; give one of equals, notEquals, startsWith/,
  },
  {
    name: 'startsWith on resources.type',
    change: (r) =>
      (acct(r).dataEvents = {
        advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', startsWith: ['AWS::S3'] }] }],
      }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[1]',
    message: /resources\.type accepts only the equals operator/,
  },
  {
    name: 'two resources.type selectors in one advanced selector',
    change: (r) =>
      (acct(r).dataEvents = {
        advanced: [
          {
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Data'] },
              { field: 'resources.type', equals: ['AWS::S3::Object'] },
              { field: 'resources.type', equals: ['AWS::Lambda::Function'] },
            ],
          },
        ],
      }),
    path: 'accounts[0].dataEvents.advanced[0]',
    message: /an advanced selector may have only one resources\.type field selector/,
  },
  {
    name: 'a field that advanced selectors do not know',
    change: (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventcategory', equals: ['Data'] }] }] }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[0].field',
    message: /field must be one of eventCategory, eventName, .*; got the string "eventcategory"/,
  },
  {
    name: 'an operator with no values',
    change: (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: [] }] }] }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[0].equals',
    message: /an operator needs at least one value/,
  },
  {
    name: 'insights flag as a string',
    change: (r) => (acct(r).insights = { apiCallRate: 'yes' }),
    path: 'accounts[0].insights.apiCallRate',
    message: /insights\.apiCallRate must be true or false, got the string "yes"/,
  },

  // ------------------------------------------------------------ trail flags and organization
  {
    name: 'a multi-region trail without global service events',
    change: (r) => (acct(r).includeGlobalServiceEvents = false),
    path: 'accounts[0].includeGlobalServiceEvents',
    message: /a multi-region trail must include global service events; set multiRegion: false or includeGlobalServiceEvents: true/,
  },
  {
    name: 'multiRegion as a string',
    change: (r) => (acct(r).multiRegion = 'yes'),
    path: 'accounts[0].multiRegion',
    message: /multiRegion must be true or false, got the string "yes"/,
  },
  {
    name: 'an organization trail without an organization',
    change: (r) => (acct(r).organizationTrail = true),
    path: 'accounts[0].organizationTrail',
    message: /organization trails need the top-level organization \(id and managementAccountId\); add it or set organizationTrail: false/,
  },
  {
    name: 'an organization trail outside the management account',
    change: (r) => {
      r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
      acct(r).organizationTrail = true;
    },
    path: 'accounts[0].organizationTrail',
    message: /only the management account \(111111111111\) can create an organization trail; 222222222222 is not it \(set organizationTrail: false here\)/,
  },
  {
    name: 'an organization id that is too short',
    change: (r) => (r.organization = { id: 'o-abc', managementAccountId: '111111111111' }),
    path: 'organization.id',
    message: /"o-abc" is not an organization id \(o- followed by 10 to 32 lowercase letters or digits\)/,
  },
  {
    name: 'six multi-region trails in one account',
    change: (r) => {
      for (let i = 1; i <= 5; i++) r.accounts.push({ accountId: '222222222222', trailName: `extra-${i}` });
    },
    path: 'accounts[0]',
    message: /account 222222222222 would have 6 trails in .* \(multi-region trails count in every region\); CloudTrail allows 5: remove trails, or merge/,
  },
  {
    name: 'five single-region trails in a region where a multi-region trail also counts',
    change: (r) => {
      for (let i = 1; i <= 5; i++) r.accounts.push({ accountId: '222222222222', trailName: `eu-${i}`, region: 'eu-west-1', multiRegion: false });
    },
    path: 'accounts[0]',
    message: /would have 6 trails in eu-west-1 \(multi-region trails count in every region\); CloudTrail allows 5/,
  },

  // ------------------------------------------------------------ credentials and partitions
  {
    name: 'an account role in another account',
    change: (r) => (acct(r).assumeRoleArn = 'arn:aws:iam::333333333333:role/TerraformDeploy'),
    path: 'accounts[0].assumeRoleArn',
    message: /role is in account 333333333333, not 222222222222; the provider's allowed_account_ids would refuse it \(use a role in 222222222222\)/,
  },
  {
    name: 'the central role in another account',
    change: (r) => (r.central.assumeRoleArn = 'arn:aws:iam::222222222222:role/TerraformDeploy'),
    path: 'central.assumeRoleArn',
    message: /role is in account 222222222222, not the central account 111111111111; the provider's allowed_account_ids would refuse it/,
  },
  {
    name: 'a role ARN that names a user',
    change: (r) => (acct(r).assumeRoleArn = 'arn:aws:iam::222222222222:user/deployer'),
    path: 'accounts[0].assumeRoleArn',
    message: /does not name an IAM role ARN; expected an IAM role ARN such as arn:aws:iam::222222222222:role\/TerraformDeploy/,
  },
  {
    name: 'two trails of an account with different roles',
    change: (r) => r.accounts.push({ accountId: '222222222222', trailName: 'second', assumeRoleArn: 'arn:aws:iam::222222222222:role/Other' }),
    path: 'accounts[1].assumeRoleArn',
    message: /every entry of account 222222222222 must use the same assumeRoleArn .*; use no assumeRoleArn here too/,
  },
  {
    name: 'an ARN in another partition',
    change: (r) => (acct(r).assumeRoleArn = 'arn:aws-cn:iam::222222222222:role/TerraformDeploy'),
    path: 'accounts[0].assumeRoleArn',
    message: /is in partition aws-cn, but partition is aws; every ARN must be in one partition \(write arn:aws:\.\.\.\)/,
  },
  {
    name: 'a Lambda ARN in another partition',
    change: (r) => (acct(r).dataEvents = { lambda: { functions: [{ arn: 'arn:aws-us-gov:lambda:us-gov-west-1:222222222222:function:f' }] } }),
    path: 'accounts[0].dataEvents.lambda.functions[0].arn',
    message: /is in partition aws-us-gov, but partition is aws; every ARN must be in one partition/,
  },
  {
    name: 'a log reader in another partition',
    change: (r) => (r.central.kmsKey = { decryptPrincipals: ['arn:aws-cn:iam::111111111111:role/SecurityAudit'] }),
    path: 'central.kmsKey.decryptPrincipals[0]',
    message: /ARN is in partition aws-cn, but partition is aws; every ARN must be in one partition \(write arn:aws:\.\.\.\)/,
  },
  {
    name: "a state backend role in another partition than the state bucket's region",
    change: (r) => (r.backend = { type: 's3', bucket: 'acme-state', region: 'us-east-1', assumeRoleArn: 'arn:aws-cn:iam::111111111111:role/State' }),
    path: 'backend.assumeRoleArn',
    message: /ARN is in partition aws-cn, but the state bucket's region us-east-1 is in aws; use a role of partition aws/,
  },

  // ------------------------------------------------------------ central bucket options
  {
    name: 'access logs of the log bucket into itself',
    change: (r) => (r.central.accessLogging = { targetBucket: 'my-bucket' }),
    path: 'central.accessLogging.targetBucket',
    message: /access logs of the log bucket must go to another bucket/,
  },
  {
    name: 'expiry before the transition to Glacier',
    change: (r) => (r.central.retention = { transitionToGlacierAfterDays: 90, expireAfterDays: 30 }),
    path: 'central.retention.expireAfterDays',
    message: /expiry \(30 days\) must come after the transition to Glacier \(90 days\)/,
  },
  {
    name: 'a retention of 0 days',
    change: (r) => (r.central.retention = { expireAfterDays: 0 }),
    path: 'central.retention.expireAfterDays',
    message: /^must be at least 1$/,
  },
  {
    name: 'object lock with both days and years',
    change: (r) => (r.central.objectLock = { mode: 'GOVERNANCE', days: 30, years: 1 }),
    path: 'central.objectLock',
    message: /objectLock takes exactly one of days or years; days and years are set/,
  },
  {
    name: 'an object lock mode in lowercase',
    change: (r) => (r.central.objectLock = { mode: 'governance', days: 30 }),
    path: 'central.objectLock.mode',
    message: /objectLock\.mode must be one of GOVERNANCE, COMPLIANCE; got the string "governance"/,
  },
  {
    name: 'a bucket policy over 20 KB',
    change: (r) => {
      r.central.kmsKey = false;
      r.accounts = manyAccounts(1500);
    },
    path: 'accounts',
    message: /the bucket policy for 1500 accounts and 1500 trails needs \d+ bytes even in its most compact form, over the S3 limit of 20480; about \d+ accounts fit in one bucket policy: split the accounts over several buckets/,
  },
  {
    name: 'a central key policy over 32 KB',
    change: (r) =>
      (r.central.kmsKey = { decryptPrincipals: Array.from({ length: 800 }, (_, i) => `arn:aws:iam::111111111111:role/LogReader${i}`) }),
    path: 'central.kmsKey',
    message: /the central key policy for 1 accounts needs \d+ bytes .* over the KMS limit of 32768; use fewer decryptPrincipals/,
  },

  // ------------------------------------------------------------ shapes, tags, unknown keys, backend
  {
    name: 'a typo in a key',
    change: (r) => (acct(r).regoin = 'us-east-1'),
    path: 'accounts[0]',
    message: /unknown key "regoin" \(did you mean "region"\?\); valid keys here:/,
  },
  {
    name: 'tags as a list',
    change: (r) => (acct(r).tags = ['team=a']),
    path: 'accounts[0].tags',
    message: /^expected \{ <tag key>: "<tag value>", \.\.\. \}, got a list$/,
  },
  {
    name: 'a tag value that YAML read as a number',
    change: (r) => (acct(r).tags = { cost: 42 }),
    path: 'accounts[0].tags.cost',
    message: /tag values must be strings, got number 42; put the value in quotes/,
  },
  {
    name: 'a tag key over 128 characters',
    change: (r) => (r.central.tags = { ['k'.repeat(129)]: 'v' }),
    path: `central.tags.${'k'.repeat(129)}`,
    message: /tag keys are 1 to 128 characters; "k+" has 129/,
  },
  {
    name: 'more than 50 tags on the central stack',
    change: (r) => (r.central.tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))),
    path: 'central.tags',
    message: /^51 tags, but AWS allows at most 50 per resource \(the apply would fail with a tag limit error\); drop or combine 1$/,
  },
  {
    name: 'more than 50 tags once defaults.tags are merged into an account',
    change: (r) => {
      r.defaults.tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'v']));
      acct(r).tags = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`a${i}`, 'v']));
    },
    path: 'accounts[0].tags',
    message: /^55 tags once defaults\.tags are merged in, but AWS allows at most 50 per resource .*drop or combine 5$/,
  },
  {
    name: 'no accounts section',
    change: (r) => delete r.accounts,
    path: 'accounts',
    message: /^required: add accounts, the list of accounts to turn CloudTrail on in$/,
  },
  {
    name: 'no central section',
    change: (r) => delete r.central,
    path: 'central',
    message: /^required: add this key \(a mapping\)$/,
  },
  {
    name: 'an unknown backend type',
    change: (r) => (r.backend = { type: 'remote' }),
    path: 'backend.type',
    message: /backend\.type must be local, cloud or s3/,
  },
  {
    name: 'an HCP Terraform backend without its organization',
    change: (r) => (r.backend = { type: 'cloud', workspacePrefix: 'ct-' }),
    path: 'backend.organization',
    message: /^required: add this key \(a string\)$/,
  },
  {
    name: 'a workspace prefix with a space',
    change: (r) => (r.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct fleet-' }),
    path: 'backend.workspacePrefix',
    message: /workspacePrefix may contain only letters, digits, "-" and "_"/,
  },
  {
    name: 'an S3 state bucket with an invalid name',
    change: (r) => (r.backend = { type: 's3', bucket: 'State_Bucket', region: 'us-east-1' }),
    path: 'backend.bucket',
    message: /bucket names may contain only lowercase letters/,
  },
  {
    name: 'a central region in an ISO partition',
    change: (r) => {
      r.central.region = 'us-iso-east-1';
      acct(r).region = 'us-east-2';
    },
    path: 'central.region',
    message: /"us-iso-east-1" is a region of an ISO partition, which this project does not support; use a region of aws, aws-us-gov, aws-cn/,
  },
  {
    name: 'the central role in another partition',
    change: (r) => (r.central.assumeRoleArn = 'arn:aws-us-gov:iam::111111111111:role/TerraformDeploy'),
    path: 'central.assumeRoleArn',
    message: /ARN is in partition aws-us-gov, but partition is aws; every ARN must be in one partition \(write arn:aws:\.\.\.\)/,
  },
  {
    name: 'object lock with neither days nor years',
    change: (r) => (r.central.objectLock = { mode: 'COMPLIANCE' }),
    path: 'central.objectLock',
    message: /objectLock takes exactly one of days or years; none is set/,
  },
  {
    name: 'an access-log target bucket with an invalid name',
    change: (r) => (r.central.accessLogging = { targetBucket: 'Access_Logs' }),
    path: 'central.accessLogging.targetBucket',
    message: /bucket names may contain only lowercase letters, digits, "\." and "-"; "Access_Logs" contains "A"/,
  },
  {
    name: 'an account label over 256 characters',
    change: (r) => (acct(r).name = 'n'.repeat(257)),
    path: 'accounts[0].name',
    message: /^must be at most 256 characters$/,
  },
  {
    name: 'an account entry written as a bare account id',
    change: (r) => (r.accounts[0] = '222222222222'),
    path: 'accounts[0]',
    message: /^expected \{ accountId: "<12 digits>", .*\}, got the string "222222222222"; write \{ accountId: "222222222222" \}$/,
  },
  {
    name: 'an empty sns mapping',
    change: (r) => (acct(r).sns = {}),
    path: 'accounts[0].sns',
    message: /sns takes exactly one of create or topicArn; none is set/,
  },
  {
    name: 'a created key with multiRegion as a string',
    change: (r) => (acct(r).kmsKey = { create: { alias: 'alias/ct', multiRegion: 'no' } }),
    path: 'accounts[0].kmsKey.create.multiRegion',
    message: /kmsKey\.create\.multiRegion must be true or false, got the string "no"/,
  },
  {
    name: 'notEquals on readOnly',
    change: (r) =>
      (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', notEquals: ['true'] }] }] }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[1]',
    message: /readOnly accepts only the equals operator/,
  },
  {
    name: 'a DynamoDB all-tables choice in lowercase',
    change: (r) => (acct(r).dataEvents = { dynamodb: { allTables: 'all' } }),
    path: 'accounts[0].dataEvents.dynamodb.allTables',
    message: /dataEvents\.dynamodb\.allTables must be one of All, ReadOnly, WriteOnly; got the string "all"/,
  },
  // ------------------------------------------------------------ issue #9: what Terraform or AWS would refuse later
  {
    name: 'a tag value with template text (AWS tags allow letters, digits, spaces and _ . : / = + - @)',
    change: (r) => (acct(r).tags = { team: '${var.team}' }),
    path: 'accounts[0].tags.team',
    message: /tag value "\$\{var\.team\}" contains "\$"; AWS tags allow only letters, digits, spaces and _ \. : \/ = \+ - @/,
  },
  {
    name: 'a tag key with a quote',
    change: (r) => (r.central.tags = { 'cost"center': 'x' }),
    path: 'central.tags["cost\\"center"]',
    message: /tag key "cost"center" contains "\\""; AWS tags allow only/,
  },
  {
    name: 'a tag key named __proto__',
    // As YAML and JSON parsers produce it: an own property, not the prototype.
    change: (r) => (acct(r).tags = JSON.parse('{"__proto__": "x", "team": "a"}')),
    path: 'accounts[0].tags.__proto__',
    message: /the key "__proto__" cannot be used \(JavaScript objects cannot keep it as data\); rename it/,
  },
  {
    name: 'a tag key in the aws: namespace',
    change: (r) => (acct(r).tags = { 'aws:owner': 'me' }),
    path: 'accounts[0].tags["aws:owner"]',
    message: /starts with "aws:", which AWS reserves for its own tags/,
  },
  {
    name: 'an SQS queue named after a topic name longer than 80 characters',
    change: (r) => (acct(r).sns = { create: { topicName: 't'.repeat(81), sqsQueue: true } }),
    path: 'accounts[0].sns.create.sqsQueue',
    message: /sqsQueue: true names the queue after the topic, but "t+" has 81 characters and SQS queue names are at most 80; give the queue its own name: sqsQueue: \{ queueName: <1-80 characters> \}/,
  },
  {
    name: 'an advanced field that the pinned provider (aws 5.100.0) rejects',
    change: (r) =>
      (acct(r).dataEvents = {
        advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'sessionCredentialFromConsole', equals: ['true'] }] }],
      }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[1].field',
    message: /field must be one of eventCategory, eventName, eventSource, readOnly, resources\.ARN, resources\.type, userIdentity\.arn; got the string "sessionCredentialFromConsole"/,
  },
  {
    name: 'an HCP Terraform hostname written as a URL',
    change: (r) => (r.backend = { type: 'cloud', organization: 'acme', hostname: 'https://app.terraform.io/' }),
    path: 'backend.hostname',
    message: /"https:\/\/app\.terraform\.io\/" is a URL; hostname takes the host name only, e\.g\. app\.terraform\.io/,
  },
  {
    name: 'an HCP Terraform hostname with a path',
    change: (r) => (r.backend = { type: 'cloud', organization: 'acme', hostname: 'tfe.example.com/app' }),
    path: 'backend.hostname',
    message: /"tfe\.example\.com\/app" is not a host name/,
  },
  {
    name: 'an HCP Terraform organization with a space',
    change: (r) => (r.backend = { type: 'cloud', organization: 'acme corp' }),
    path: 'backend.organization',
    message: /"acme corp" is not an HCP Terraform organization name/,
  },
  {
    name: 'a workspace prefix that makes workspace names longer than 90 characters',
    change: (r) => (r.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'w'.repeat(60) }),
    path: 'backend.workspacePrefix',
    message: /workspacePrefix is at most 59 characters \(workspace names are at most 90/,
  },
  {
    name: 'an S3 state key prefix starting with "/"',
    change: (r) => (r.backend = { type: 's3', bucket: 'my-state', region: 'us-east-1', keyPrefix: '/states/' }),
    path: 'backend.keyPrefix',
    message: /"\/states\/" starts with "\/"; S3 state keys must not \(write "states\/"\)/,
  },
  {
    name: 'an S3 state key prefix with "//"',
    change: (r) => (r.backend = { type: 's3', bucket: 'my-state', region: 'us-east-1', keyPrefix: 'states//fleet/' }),
    path: 'backend.keyPrefix',
    message: /contains "\/\/"; S3 state keys must not have an empty folder name/,
  },
  {
    name: 'a DynamoDB lock table name with a slash',
    change: (r) => (r.backend = { type: 's3', bucket: 'my-state', region: 'us-east-1', dynamodbTable: 'locks/fleet' }),
    path: 'backend.dynamodbTable',
    message: /"locks\/fleet" is not a DynamoDB table name/,
  },
  {
    name: 'an S3 state bucket in a region that does not exist',
    change: (r) => (r.backend = { type: 's3', bucket: 'my-state', region: 'eu-wst-1' }),
    path: 'backend.region',
    message: /"eu-wst-1" is not an AWS region \(did you mean "eu-west-1"\?\)/,
  },
  {
    name: 'free text holding a cdktf token marker',
    change: (r) => (acct(r).name = 'see ${TfToken[TOKEN.1]}'),
    path: 'accounts[0].name',
    message: /"see \$\{TfToken\[TOKEN\.1\]\}" contains "\$\{TfToken\[", which cdktf reserves for its own tokens/,
  },
  // ------------------------------------------------------------ network activity events
  {
    name: 'a network event source written as the service short name',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: ['kms'] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0]',
    message: /^"kms" is not an event source CloudTrail logs network activity events for \(did you mean "kms\.amazonaws\.com"\?\); write the service's event source in full, e\.g\. kms\.amazonaws\.com$/,
  },
  {
    name: 'a misspelt network event source',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'secretmanager.amazonaws.com', eventNames: ['GetSecretValue'] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0].eventSource',
    message: /^"secretmanager\.amazonaws\.com" is not an event source CloudTrail logs network activity events for \(did you mean "secretsmanager\.amazonaws\.com"\?\)/,
  },
  {
    name: 'a service without network activity events',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: ['iam.amazonaws.com'] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0]',
    message: /^"iam\.amazonaws\.com" is not an event source CloudTrail logs network activity events for; they are appconfig\.amazonaws\.com, .*kms\.amazonaws\.com, .*workmail\.amazonaws\.com; write the service's event source in full/,
  },
  {
    name: 'the same network event source listed twice',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: ['kms.amazonaws.com', 'kms.amazonaws.com'] }),
    path: 'accounts[0].networkActivityEvents.eventSources[1]',
    message: /^kms\.amazonaws\.com is listed twice \(also as eventSources\[0\]\); CloudTrail takes one selector per event source: list it once \(with every eventNames it needs, or none to log all its calls\)$/,
  },
  {
    name: 'a network event source listed twice, once with event names',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: ['kms.amazonaws.com', { eventSource: 'kms.amazonaws.com', eventNames: ['Decrypt'] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[1]',
    message: /^kms\.amazonaws\.com is listed twice \(also as eventSources\[0\]\)/,
  },
  {
    name: 'an event name listed twice for a network event source',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'kms.amazonaws.com', eventNames: ['Decrypt', 'Decrypt'] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0].eventNames[1]',
    message: /^"Decrypt" is listed twice in eventNames \(as eventNames\[0\]\); list it once$/,
  },
  {
    name: 'an empty eventNames list for a network event source',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'kms.amazonaws.com', eventNames: [] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0].eventNames',
    message: /^eventNames needs at least one API operation; leave the key out to log every network activity event of the source$/,
  },
  {
    name: 'a wildcard in a network event name',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'secretsmanager.amazonaws.com', eventNames: ['Get*'] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0].eventNames[0]',
    message: /^"Get\*" is not an API operation name \(letters and digits, e\.g\. GetSecretValue\): it contains "\*", and selectors take no wildcards$/,
  },
  {
    name: 'network activity events only for calls a VPC endpoint policy denied (needs aws provider 6.2)',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: ['kms.amazonaws.com'], vpceAccessDeniedOnly: true }),
    path: 'accounts[0].networkActivityEvents.vpceAccessDeniedOnly',
    message:
      /^logging only calls a VPC endpoint policy denied \(errorCode VpceAccessDenied\) needs the advanced selector field errorCode, which the aws provider accepts from version 6\.2\.0 on \(hashicorp\/terraform-provider-aws#43091\); this project pins hashicorp\/aws 5\.100\.0, whose terraform validate rejects the field: drop vpceAccessDeniedOnly to log every network activity event of the source, and select errorCode = "VpceAccessDenied" when you read the logs$/,
  },
  {
    name: 'an errorCode filter on one network event source (needs aws provider 6.2)',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'kms.amazonaws.com', errorCode: 'VpceAccessDenied' }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0].errorCode',
    message: /^filtering network activity events on errorCode \(VpceAccessDenied\) needs the advanced selector field errorCode, which the aws provider accepts from version 6\.2\.0 on .*this project pins hashicorp\/aws 5\.100\.0/,
  },
  {
    name: 'a VPC endpoint filter on network activity events (needs aws provider 6.2)',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'ec2.amazonaws.com', vpcEndpointIds: ['vpce-0123456789abcdef0'] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0].vpcEndpointIds',
    message: /^filtering network activity events by VPC endpoint needs the advanced selector field vpcEndpointId, which the aws provider accepts from version 6\.2\.0 on .*drop vpcEndpointIds to log the network activity events of every VPC endpoint of the source/,
  },
  {
    name: 'a misspelt key in a network event source entry',
    change: (r) => (acct(r).networkActivityEvents = { eventSources: [{ eventSource: 'kms.amazonaws.com', eventName: ['Decrypt'] }] }),
    path: 'accounts[0].networkActivityEvents.eventSources[0]',
    message: /unknown key "eventName" \(did you mean "eventNames"\?\); valid keys here: eventSource, eventNames$/,
  },
  {
    name: 'a raw advanced selector on errorCode (needs aws provider 6.2)',
    change: (r) =>
      (acct(r).dataEvents = {
        advanced: [
          {
            fieldSelectors: [
              { field: 'eventCategory', equals: ['NetworkActivity'] },
              { field: 'eventSource', equals: ['kms.amazonaws.com'] },
              { field: 'errorCode', equals: ['VpceAccessDenied'] },
            ],
          },
        ],
      }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[2].field',
    message: /^field must be one of eventCategory, .*; got the string "errorCode": a condition on errorCode needs the advanced selector field errorCode, which the aws provider accepts from version 6\.2\.0 on .*leave this field selector out$/,
  },
  {
    name: 'a raw network activity selector with two event sources in one condition',
    change: (r) =>
      (acct(r).dataEvents = {
        advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com', 'ec2.amazonaws.com'] }] }],
      }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors',
    message: /^a NetworkActivity selector needs exactly one eventSource field selector with equals and one value \(CloudTrail: eventSource is required, takes only Equals, and each event source gets its own selector\)/,
  },
  {
    name: 'a raw network activity selector with a readOnly condition',
    change: (r) =>
      (acct(r).dataEvents = {
        advanced: [
          { fieldSelectors: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'readOnly', equals: ['true'] }] },
        ],
      }),
    path: 'accounts[0].dataEvents.advanced[0].fieldSelectors',
    message: /^network activity events have no readOnly field \(it is only for management and data events\); drop that field selector$/,
  },
  {
    name: 'network activity events whose eventNames exceed 500 selector values',
    change: (r) =>
      (acct(r).networkActivityEvents = {
        eventSources: [{ eventSource: 'kms.amazonaws.com', eventNames: Array.from({ length: 498 }, (_, i) => `Operation${i}`) }],
      }),
    path: 'accounts[0].networkActivityEvents',
    message: /^the advanced event selectors have 501 condition values \(500 of them for network activity events\); CloudTrail allows 500 per trail \(log whole buckets or "all" choices instead of many single resources, log every operation of a network event source instead of listing eventNames, or split them over several trails\)$/,
  },
  // ------------------------------------------------------------ the guard (docs/guard.md)
  {
    name: 'guard prevention without attachTo',
    change: (r) => {
      guarded(r);
      delete r.guard.prevention.attachTo;
    },
    path: 'guard.prevention.attachTo',
    message: /^required: add attachTo, the root, OUs or accounts the service control policies are attached to \(e\.g\. \[r-ab12\]; aws organizations list-roots prints the root id\)$/,
  },
  {
    name: 'guard prevention with an empty attachTo',
    change: (r) => guarded(r, { attachTo: [] }),
    path: 'guard.prevention.attachTo',
    message: /^attachTo is empty: list the root, OUs or accounts the service control policies are attached to \(e\.g\. \[r-ab12\]\)$/,
  },
  {
    name: 'an SCP target that is neither a root, an OU nor an account',
    change: (r) => guarded(r, { attachTo: ['root'] }),
    path: 'guard.prevention.attachTo[0]',
    message: /^"root" is not a root, OU or account id: write the root id \(r- and 4 to 32 lowercase letters or digits, e\.g\. r-ab12\), an OU id \(ou-<root part>-<8 to 32 lowercase letters or digits>, e\.g\. ou-ab12-cdefgh34\) or a 12-digit account id in quotes; aws organizations list-roots and list-organizational-units-for-parent print them$/,
  },
  {
    name: 'an OU id with an uppercase letter',
    change: (r) => guarded(r, { attachTo: ['ou-AB12-cdefgh34'] }),
    path: 'guard.prevention.attachTo[0]',
    message: /^"ou-AB12-cdefgh34" is not a root, OU or account id/,
  },
  {
    name: 'an SCP target account written as a YAML number',
    change: (r) => guarded(r, { attachTo: [222222222222] }),
    path: 'guard.prevention.attachTo[0]',
    message: /^account ids must be quoted strings of 12 digits; YAML read 222222222222 as a number/,
  },
  {
    name: 'an SCP target listed twice',
    change: (r) => guarded(r, { attachTo: ['r-ab12', 'r-ab12'] }),
    path: 'guard.prevention.attachTo[1]',
    message: /^r-ab12 is listed twice; list each target once$/,
  },
  {
    name: 'guard prevention: true',
    change: (r) => {
      guarded(r);
      r.guard.prevention = true;
    },
    path: 'guard.prevention',
    message: /^guard\.prevention must be false or a mapping with attachTo \(the root, OUs or accounts to attach the service control policies to\)$/,
  },
  {
    name: 'an exempt principal pattern matching every role',
    change: (r) => guarded(r, { exemptPrincipals: ['arn:aws:iam::*:role/*'] }),
    path: 'guard.prevention.exemptPrincipals[0]',
    message: /^"arn:aws:iam::\*:role\/\*" matches every role: the guard would exempt every principal of the account; name the role or its path/,
  },
  {
    name: 'an account root as exempt principal',
    change: (r) => guarded(r, { exemptPrincipals: ['arn:aws:iam::222222222222:root'] }),
    path: 'guard.prevention.exemptPrincipals[0]',
    message: /^"arn:aws:iam::222222222222:root" is an account root: exempting it lets that account's root user stop the fleet's trails; name a role or user instead$/,
  },
  {
    name: 'an exempt principal with a policy variable',
    change: (r) => guarded(r, { exemptPrincipals: ['arn:aws:iam::*:role/${aws:username}'] }),
    path: 'guard.prevention.exemptPrincipals[0]',
    message: /may contain only printable ASCII without "\$" \(in a policy, "\$\{" starts a variable\)/,
  },
  {
    name: 'an exempt principal in another partition',
    change: (r) => guarded(r, { exemptPrincipals: ['arn:aws-cn:iam::*:role/BreakGlass'] }),
    path: 'guard.prevention.exemptPrincipals[0]',
    message: /^ARN is in partition aws-cn, but partition is aws; every ARN must be in one partition \(write arn:aws:\.\.\.\)$/,
  },
  {
    name: 'maxPolicies of 5',
    change: (r) => guarded(r, { maxPolicies: 5 }),
    path: 'guard.prevention.maxPolicies',
    message: /^maxPolicies is 1 to 4: AWS attaches at most 5 service control policies to a root, OU or account, and FullAWSAccess takes one$/,
  },
  {
    name: 'maxPolicies of 2.5',
    change: (r) => guarded(r, { maxPolicies: 2.5 }),
    path: 'guard.prevention.maxPolicies',
    message: /^maxPolicies must be a whole number from 1 to 4/,
  },
  {
    name: 'guard detection delivering to email',
    change: (r) => (r.guard = { detection: { deliverTo: 'email' } }),
    path: 'guard.detection.deliverTo',
    message: /^guard\.detection\.deliverTo must be one of eventBus, snsTopic; got the string "email"$/,
  },
  {
    name: 'a misspelt guard key',
    change: (r) => (r.guard = { detecton: false }),
    path: 'guard',
    message: /^unknown key "detecton" \(did you mean "detection"\?\); valid keys here: prevention, detection$/,
  },
  {
    name: 'guard prevention without an organization',
    change: (r) => {
      guarded(r);
      delete r.organization;
    },
    path: 'guard.prevention',
    message: /^service control policies need AWS Organizations: add the top-level organization \(id and managementAccountId\), or set guard\.prevention: false \(the guard then only detects\)$/,
  },
  {
    name: 'a service control policy attached to the management account',
    change: (r) => guarded(r, { attachTo: ['111111111111'] }),
    path: 'guard.prevention.attachTo[0]',
    message: /^111111111111 is the management account: service control policies never apply to it, so attaching one there does nothing; attach to the root, the OUs or the member accounts of the fleet$/,
  },
  {
    name: 'the guard role in another account than the management account',
    change: (r) => guarded(r, { assumeRoleArn: 'arn:aws:iam::222222222222:role/TerraformDeploy' }),
    path: 'guard.prevention.assumeRoleArn',
    message: /^role is in account 222222222222, not the management account 111111111111; the cloudtrail-guard stack runs in the management account/,
  },
  {
    name: 'a guarded account without the role that deploys it',
    change: (r) => {
      guarded(r);
      delete acct(r).assumeRoleArn;
    },
    path: 'accounts[0].assumeRoleArn',
    message:
      /^guard\.prevention exempts the role that deploys account 222222222222 from its service control policy, but none is named: set assumeRoleArn \(the role Terraform assumes there\), or let bootstrap\.deployer define the deployer roles \(docs\/bootstrap\.md\); without it the first apply after the policy is attached would be denied$/,
  },
  {
    name: 'a guarded central key without the role that deploys it',
    change: (r) => {
      guarded(r);
      r.organization.managementAccountId = '333333333333';
    },
    path: 'central.assumeRoleArn',
    message: /^guard\.prevention exempts the role that deploys the central key \(account 111111111111\) from its service control policy, but none is named: set central\.assumeRoleArn/,
  },
  {
    name: 'a deployer role with a wildcard in its path under the guard',
    change: (r) => {
      guarded(r);
      acct(r).assumeRoleArn = 'arn:aws:iam::222222222222:role/ops*/TerraformDeploy';
    },
    path: 'accounts[0].assumeRoleArn',
    message: /^the service control policy exempts arn:aws:iam::222222222222:role\/ops\*\/TerraformDeploy by ARN \(ArnNotLike\), where "\*" and "\?" are wildcards/,
  },
  {
    name: "the guard's tag key in a trail's tags",
    change: (r) => {
      guarded(r);
      acct(r).tags = { 'cloudtrail-fleet:guard': 'mine' };
    },
    path: 'accounts[0].tags',
    message: /^the tag key cloudtrail-fleet:guard is the guard's own \(it marks the keys the service control policy protects\); rename this tag$/,
  },
  {
    name: 'fifty tags on a trail whose created key also gets the guard tag',
    change: (r) => {
      guarded(r);
      acct(r).kmsKey = { create: { alias: 'alias/ct-222' } };
      acct(r).tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    },
    path: 'accounts[0].tags',
    message: /^with guard\.prevention, the key this trail creates also carries the tag cloudtrail-fleet:guard; AWS allows 50 tags per resource, so at most 49 tags here \(50 now\)$/,
  },
  {
    name: 'a guard bus policy over 10 KB without an organization',
    change: (r) => {
      r.accounts = Array.from({ length: 700 }, (_, i) => ({ accountId: String(100000000000 + i) }));
      r.guard = { detection: true };
    },
    path: 'guard.detection',
    message: /^the guard's event bus policy for 700 accounts needs \d+ bytes, over EventBridge's limit of 10240; set organization \(id, managementAccountId\) so the bus admits the organization instead of each account, or split the accounts over several configs$/,
  },
];
