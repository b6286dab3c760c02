/**
 * The shared trail module, option by option: every choice of the console's
 * "Create trail" page as config, synthesized through the real stacks, and
 * checked in the Terraform JSON (policies parsed statement by statement).
 * Each option also has its bad inputs, with the exact config path and message.
 */
import {
  awsProvidersOf,
  configOf,
  issuesOf,
  list,
  onlyResource,
  parsePolicy,
  rawWith,
  resourcesOf,
  stackOf,
  StackJson,
  statementBySid,
  synthFleet,
} from '../helpers/fleet';
import type { Statement } from '../../modules/policies/document';

const ACCOUNT = '222222222222';
const STACK = `cloudtrail-account-${ACCOUNT}`;
const CENTRAL = 'cloudtrail-central';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-2:${ACCOUNT}:trail/my-trail`;
const CENTRAL_ALIAS_ARN = 'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs';
const CENTRAL_LOOKUP = 'key_111111111111_cloudtrail-logs';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

type Change = (account: any, raw: any) => void;

function fleetWith(change: Change): Map<string, StackJson> {
  return synthFleet(configOf(rawWith((raw) => change(raw.accounts[0], raw))));
}
function accountStackWith(change: Change): StackJson {
  return stackOf(fleetWith(change), STACK);
}
const trailOf = (stack: StackJson, name = 'trail_my-trail') => {
  const t = resourcesOf(stack, 'aws_cloudtrail')[name];
  if (!t) throw new Error(`no aws_cloudtrail.${name}; have ${Object.keys(resourcesOf(stack, 'aws_cloudtrail')).join(', ')}`);
  return t;
};
const resource = (stack: StackJson, type: string, name: string) => {
  const r = resourcesOf(stack, type)[name];
  if (!r) throw new Error(`no ${type}.${name}; have ${Object.keys(resourcesOf(stack, type)).join(', ')}`);
  return r;
};
const dataSources = (stack: StackJson, type: string): Record<string, any> => stack.data?.[type] ?? {};
/** The JSON without cdktf's "//" metadata, for whole-object comparisons. */
const clean = (o: any): any => (o && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== '//').map(([k, v]) => [k, clean(v)])) : o);

/** The issues of a config changed on accounts[0]. */
const problems = (change: Change) => issuesOf(rawWith((raw) => change(raw.accounts[0], raw)));

const isCloudTrailPrincipal = (s: Statement) => s.Principal !== undefined && s.Principal !== '*' && list(s.Principal.Service).includes(CLOUDTRAIL);

// ---------------------------------------------------------------- SSE-KMS

describe('kmsKey', () => {
  test('central (the default): the key is looked up by the central alias ARN and kms_key_id is its key ARN', () => {
    const fleet = fleetWith(() => {});
    const stack = stackOf(fleet, STACK);
    const lookups = dataSources(stack, 'aws_kms_key');
    expect(Object.keys(lookups)).toEqual([CENTRAL_LOOKUP]);
    expect(clean(lookups[CENTRAL_LOOKUP])).toEqual({ key_id: CENTRAL_ALIAS_ARN }); // same region: default provider
    expect(trailOf(stack).kms_key_id).toBe(`\${data.aws_kms_key.${CENTRAL_LOOKUP}.arn}`);
    expect(resourcesOf(stack, 'aws_kms_key')).toEqual({});
    // The central key admits this trail.
    const keyPolicy = parsePolicy(onlyResource(stackOf(fleet, CENTRAL), 'aws_kms_key').policy);
    const encrypt = statementBySid(keyPolicy, 'AllowCloudTrailToEncryptLogs');
    expect(encrypt.Condition!.StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toEqual([TRAIL_ARN]);
    // ... and lets the account look the key up by its alias.
    expect(list((statementBySid(keyPolicy, 'AllowTrailAccountsToLookUpKey').Principal as any).AWS)).toContain(`arn:aws:iam::${ACCOUNT}:root`);
  });

  test('central from a trail in another region: the lookup uses an aliased provider of the key region, same account guard', () => {
    const stack = accountStackWith((a) => (a.region = 'eu-west-1'));
    expect(dataSources(stack, 'aws_kms_key')[CENTRAL_LOOKUP].provider).toBe('aws.us-east-2');
    const providers = awsProvidersOf(stack);
    expect(providers.find((p) => p.alias === undefined)).toMatchObject({ region: 'eu-west-1', allowed_account_ids: [ACCOUNT] });
    expect(providers.find((p) => p.alias === 'us-east-2')).toMatchObject({ region: 'us-east-2', allowed_account_ids: [ACCOUNT] });
    expect(trailOf(stack).provider).toBeUndefined(); // the trail is in its home region (the default provider)
  });

  test('none: no kms_key_id, no lookup, no key; the central key still lets CloudTrail write through S3 default encryption', () => {
    const fleet = fleetWith((a) => (a.kmsKey = 'none'));
    const stack = stackOf(fleet, STACK);
    expect(trailOf(stack).kms_key_id).toBeUndefined();
    expect(stack.data).toBeUndefined();
    expect(resourcesOf(stack, 'aws_kms_key')).toEqual({});
    const keyPolicy = parsePolicy(onlyResource(stackOf(fleet, CENTRAL), 'aws_kms_key').policy);
    expect(keyPolicy.Statement.map((s) => s.Sid)).not.toContain('AllowCloudTrailToEncryptLogs');
    expect(statementBySid(keyPolicy, 'AllowCloudTrailThroughS3DefaultEncryption').Condition!.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual([
      'arn:aws:s3:::my-bucket',
      'arn:aws:s3:::my-bucket/*',
    ]);
  });

  test('{ arn: key ARN } (another account) is used directly, without a lookup', () => {
    const keyArn = `arn:aws:kms:us-east-2:333333333333:key/${KEY_ID}`;
    const stack = accountStackWith((a) => (a.kmsKey = { arn: keyArn }));
    expect(trailOf(stack).kms_key_id).toBe(keyArn);
    expect(stack.data).toBeUndefined();
  });

  test('{ arn: alias ARN } is looked up (kms_key_id is never an alias ARN)', () => {
    const alias = 'arn:aws:kms:us-east-2:333333333333:alias/shared/cloudtrail';
    const stack = accountStackWith((a) => (a.kmsKey = { arn: alias }));
    const lookups = dataSources(stack, 'aws_kms_key');
    expect(Object.keys(lookups)).toEqual(['key_333333333333_shared_cloudtrail']);
    expect(clean(lookups.key_333333333333_shared_cloudtrail)).toEqual({ key_id: alias });
    expect(trailOf(stack).kms_key_id).toBe('${data.aws_kms_key.key_333333333333_shared_cloudtrail.arn}');
  });

  test('{ arn: alias ARN } from a trail in another region: looked up with an aliased provider of the key region', () => {
    const alias = `arn:aws:kms:us-east-2:${ACCOUNT}:alias/cloudtrail-222`;
    const stack = accountStackWith((a) => {
      a.region = 'eu-west-1';
      a.kmsKey = { arn: alias };
    });
    expect(clean(dataSources(stack, 'aws_kms_key')['key_222222222222_cloudtrail-222'])).toEqual({ key_id: alias, provider: 'aws.us-east-2' });
    expect(awsProvidersOf(stack).find((p) => p.alias === 'us-east-2')).toMatchObject({ region: 'us-east-2', allowed_account_ids: [ACCOUNT] });
  });

  test('{ arn: <the central alias ARN> } is the central key (admitted by its policy)', () => {
    const fleet = fleetWith((a) => (a.kmsKey = { arn: CENTRAL_ALIAS_ARN }));
    expect(trailOf(stackOf(fleet, STACK)).kms_key_id).toBe(`\${data.aws_kms_key.${CENTRAL_LOOKUP}.arn}`);
    const keyPolicy = parsePolicy(onlyResource(stackOf(fleet, CENTRAL), 'aws_kms_key').policy);
    expect(statementBySid(keyPolicy, 'AllowCloudTrailToEncryptLogs').Condition!.StringEquals['aws:SourceArn']).toEqual([TRAIL_ARN]);
  });

  test('two trails of one account using two aliases get two distinct lookups, whatever characters the aliases use', () => {
    const stacks = synthFleet(
      configOf(
        rawWith((raw) => {
          raw.accounts = [
            { accountId: ACCOUNT, trailName: 'trail-a', kmsKey: { arn: `arn:aws:kms:us-east-2:${ACCOUNT}:alias/team/logs` } },
            { accountId: ACCOUNT, trailName: 'trail-b', kmsKey: { arn: `arn:aws:kms:us-east-2:${ACCOUNT}:alias/team_logs` } },
          ];
        }),
      ),
    );
    const stack = stackOf(stacks, STACK);
    const lookups = Object.values(dataSources(stack, 'aws_kms_key')).map((d: any) => d.key_id);
    expect(lookups.sort()).toEqual([`arn:aws:kms:us-east-2:${ACCOUNT}:alias/team/logs`, `arn:aws:kms:us-east-2:${ACCOUNT}:alias/team_logs`]);
    const ids = ['trail_trail-a', 'trail_trail-b'].map((n) => trailOf(stack, n).kms_key_id);
    expect(new Set(ids).size).toBe(2);
  });

  describe('{ create }', () => {
    const create = (a: any) => {
      a.region = 'eu-west-1';
      a.kmsKey = { create: { alias: 'alias/cloudtrail-222', multiRegion: true } };
    };
    const trailArnEu = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/my-trail`;

    test('a key in the bucket region (aliased provider), rotation on, with an alias; kms_key_id is its ARN', () => {
      const stack = accountStackWith(create);
      const key = resource(stack, 'aws_kms_key', 'trail_my-trail_key');
      expect(key).toMatchObject({ provider: 'aws.us-east-2', enable_key_rotation: true, multi_region: true });
      expect(clean(resource(stack, 'aws_kms_alias', 'trail_my-trail_key_alias'))).toEqual({
        name: 'alias/cloudtrail-222',
        target_key_id: '${aws_kms_key.trail_my-trail_key.key_id}',
        provider: 'aws.us-east-2',
      });
      expect(trailOf(stack).kms_key_id).toBe('${aws_kms_key.trail_my-trail_key.arn}');
      expect(stack.data).toBeUndefined();
    });

    test('in the bucket region already: the default provider; multiRegion defaults to false', () => {
      const stack = accountStackWith((a) => (a.kmsKey = { create: { alias: 'alias/cloudtrail-222' } }));
      const key = resource(stack, 'aws_kms_key', 'trail_my-trail_key');
      expect(key.provider).toBeUndefined();
      expect(key.multi_region).toBe(false);
      expect(key.enable_key_rotation).toBe(true);
    });

    test('the key policy, statement by statement', () => {
      const doc = parsePolicy(resource(accountStackWith(create), 'aws_kms_key', 'trail_my-trail_key').policy);
      expect(doc.Statement.map((s) => s.Sid)).toEqual([
        'EnableKeyAdministrationByOwnerAccount',
        'AllowCloudTrailToEncryptLogs',
        'AllowCloudTrailToDescribeKeyAndUseBucketKey',
        'AllowLogReadersToDecrypt',
      ]);
      // The owning account administers its key.
      expect(statementBySid(doc, 'EnableKeyAdministrationByOwnerAccount')).toMatchObject({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*' });
      // CloudTrail may encrypt only for this account's trail: encryption context and aws:SourceArn.
      expect(statementBySid(doc, 'AllowCloudTrailToEncryptLogs')).toEqual({
        Sid: 'AllowCloudTrailToEncryptLogs',
        Effect: 'Allow',
        Principal: { Service: CLOUDTRAIL },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': [trailArnEu] }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': [trailArnEu] } },
      });
      const describeKey = statementBySid(doc, 'AllowCloudTrailToDescribeKeyAndUseBucketKey');
      expect(list(describeKey.Action)).toEqual(expect.arrayContaining(['kms:DescribeKey']));
      expect(describeKey.Condition).toEqual({ StringEquals: { 'aws:SourceArn': [trailArnEu] } });
      // The bucket owner's readers decrypt log files (CloudTrail context present); no decryptPrincipals = the central account.
      expect(statementBySid(doc, 'AllowLogReadersToDecrypt')).toMatchObject({
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111111111111:root'] },
        Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } },
      });
      expect(list(statementBySid(doc, 'AllowLogReadersToDecrypt').Action)).toContain('kms:Decrypt');
      // No open principal, and every CloudTrail grant is bound to the trail.
      for (const s of doc.Statement) {
        expect(s.Principal).not.toBe('*');
        expect(list((s.Principal as any).AWS)).not.toContain('*');
        if (isCloudTrailPrincipal(s)) expect(s.Condition!.StringEquals['aws:SourceArn']).toEqual([trailArnEu]);
      }
    });

    test('the readers are the central decryptPrincipals when set', () => {
      const doc = parsePolicy(
        resource(
          accountStackWith((a, raw) => {
            create(a);
            raw.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/SecurityAudit', 'arn:aws:iam::111111111111:role/Forensics'] };
          }),
          'aws_kms_key',
          'trail_my-trail_key',
        ).policy,
      );
      expect((statementBySid(doc, 'AllowLogReadersToDecrypt').Principal as any).AWS).toEqual(['arn:aws:iam::111111111111:role/Forensics', 'arn:aws:iam::111111111111:role/SecurityAudit']);
    });

    test("only this trail is admitted, not the account's other trails", () => {
      const stacks = synthFleet(
        configOf(
          rawWith((raw) => {
            raw.accounts = [
              { accountId: ACCOUNT, trailName: 'own-key', kmsKey: { create: { alias: 'alias/own' } } },
              { accountId: ACCOUNT, trailName: 'central-key' },
            ];
          }),
        ),
      );
      const doc = parsePolicy(resource(stackOf(stacks, STACK), 'aws_kms_key', 'trail_own-key_key').policy);
      const own = `arn:aws:cloudtrail:us-east-2:${ACCOUNT}:trail/own-key`;
      expect(statementBySid(doc, 'AllowCloudTrailToEncryptLogs').Condition!.StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toEqual([own]);
      expect(JSON.stringify(doc)).not.toContain('trail/central-key');
    });
  });

  describe('bad inputs', () => {
    test.each<[string, Change, string, string]>([
      ['alias without alias/', (a) => (a.kmsKey = { create: { alias: 'cloudtrail' } }), 'accounts[0].kmsKey.create.alias', '"cloudtrail" must start with "alias/", e.g. alias/cloudtrail'],
      [
        'alias/aws… (reserved)',
        (a) => (a.kmsKey = { create: { alias: 'alias/aws-logs' } }),
        'accounts[0].kmsKey.create.alias',
        '"alias/aws-logs" begins with "aws", which KMS reserves for AWS managed keys; choose another name',
      ],
      [
        'alias ARN of an AWS managed key',
        (a) => (a.kmsKey = { arn: `arn:aws:kms:us-east-2:${ACCOUNT}:alias/aws/s3` }),
        'accounts[0].kmsKey.arn',
        '"alias/aws/s3" begins with "aws", which KMS reserves for AWS managed keys; choose another name',
      ],
      [
        'key ARN in another region than the bucket',
        (a) => (a.kmsKey = { arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${KEY_ID}` }),
        'accounts[0].kmsKey.arn',
        "the key is in us-west-2, but a trail's KMS key must be in the bucket's region (us-east-2) (KmsKeyNotFoundException)",
      ],
      [
        'alias ARN in another region than the bucket',
        (a) => (a.kmsKey = { arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/logs` }),
        'accounts[0].kmsKey.arn',
        "the key is in eu-west-1, but a trail's KMS key must be in the bucket's region (us-east-2) (KmsKeyNotFoundException)",
      ],
      [
        'malformed key id',
        (a) => (a.kmsKey = { arn: `arn:aws:kms:us-east-2:${ACCOUNT}:key/not-a-uuid` }),
        'accounts[0].kmsKey.arn',
        `"arn:aws:kms:us-east-2:${ACCOUNT}:key/not-a-uuid" has a malformed key id; key ids are UUIDs (or mrk-<32 hex> for multi-Region keys)`,
      ],
      [
        'partition mismatch of the key ARN',
        (a) => (a.kmsKey = { arn: `arn:aws-cn:kms:us-east-2:${ACCOUNT}:key/${KEY_ID}` }),
        'accounts[0].kmsKey.arn',
        `"arn:aws-cn:kms:us-east-2:${ACCOUNT}:key/${KEY_ID}" is in partition aws-cn, but partition is aws; every ARN must be in one partition (write arn:aws:...)`,
      ],
      [
        'central while the central key is disabled',
        (a, raw) => {
          raw.central.kmsKey = false;
          a.kmsKey = 'central';
        },
        'accounts[0].kmsKey',
        'kmsKey is central, but central.kmsKey is false (no central key); use none, { arn } or { create }, or enable central.kmsKey',
      ],
    ])('%s', (_name, change, path, message) => {
      expect(problems(change)).toEqual([{ path, message }]);
    });

    test('a key inherited from defaults is reported at the account, marked as coming from defaults', () => {
      const issues = issuesOf(rawWith((raw) => (raw.defaults.kmsKey = { arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${KEY_ID}` })));
      expect(issues).toEqual([
        {
          path: 'accounts[0].kmsKey.arn (from defaults)',
          message: "the key is in us-west-2, but a trail's KMS key must be in the bucket's region (us-east-2) (KmsKeyNotFoundException)",
        },
      ]);
      expect(issuesOf(rawWith((raw) => (raw.defaults.kmsKey = { create: { alias: 'alias/aws' } })))).toEqual([
        { path: 'defaults.kmsKey.create.alias', message: '"alias/aws" begins with "aws", which KMS reserves for AWS managed keys; choose another name' },
      ]);
    });

    test('{ arn } and { create } together are one too many', () => {
      const issues = problems((a) => (a.kmsKey = { arn: CENTRAL_ALIAS_ARN, create: { alias: 'alias/x' } }));
      expect(issues).toEqual([{ path: 'accounts[0].kmsKey', message: 'kmsKey takes exactly one of arn or create; arn and create are set' }]);
    });
  });
});

// ---------------------------------------------------------------- trail flags

describe('trail flags', () => {
  test('defaults: multi-region, global service events, log file validation and logging on, not an organization trail, no prefix', () => {
    const trail = trailOf(accountStackWith(() => {}));
    expect(trail).toMatchObject({
      name: 'my-trail',
      s3_bucket_name: 'my-bucket',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      is_organization_trail: false,
    });
    expect(trail.s3_key_prefix).toBeUndefined();
    for (const k of ['sns_topic_name', 'cloud_watch_logs_group_arn', 'cloud_watch_logs_role_arn', 'insight_selector', 'depends_on', 'tags']) expect(trail[k]).toBeUndefined();
  });

  test('logFileValidation false and enableLogging false', () => {
    const trail = trailOf(
      accountStackWith((a) => {
        a.logFileValidation = false;
        a.enableLogging = false;
      }),
    );
    expect(trail.enable_log_file_validation).toBe(false);
    expect(trail.enable_logging).toBe(false);
  });

  test('multiRegion false (single-region trail, global service events off) and a prefix', () => {
    const trail = trailOf(
      accountStackWith((a) => {
        a.multiRegion = false;
        a.includeGlobalServiceEvents = false;
        a.prefix = 'team-a';
      }),
    );
    expect(trail).toMatchObject({ is_multi_region_trail: false, include_global_service_events: false, s3_key_prefix: 'team-a' });
  });

  test('a multi-region trail without global service events is rejected', () => {
    expect(problems((a) => (a.includeGlobalServiceEvents = false))).toEqual([
      {
        path: 'accounts[0].includeGlobalServiceEvents',
        message: 'a multi-region trail must include global service events; set multiRegion: false or includeGlobalServiceEvents: true',
      },
    ]);
  });
});

// ---------------------------------------------------------------- SNS

describe('sns', () => {
  const TOPIC_ARN = `arn:aws:sns:us-east-2:${ACCOUNT}:ct-222-notify`;

  test('create: a topic whose policy lets only this trail publish; the trail names it and waits for the policy', () => {
    const stack = accountStackWith((a) => (a.sns = { create: { topicName: 'ct-222-notify' } }));
    expect(clean(resource(stack, 'aws_sns_topic', 'trail_my-trail_topic'))).toEqual({ name: 'ct-222-notify' });
    const topicPolicy = resource(stack, 'aws_sns_topic_policy', 'trail_my-trail_topic_policy');
    expect(topicPolicy.arn).toBe('${aws_sns_topic.trail_my-trail_topic.arn}');
    const doc = parsePolicy(topicPolicy.policy);
    expect(doc.Statement).toEqual([
      {
        Sid: 'AWSCloudTrailSNSPolicy',
        Effect: 'Allow',
        Principal: { Service: CLOUDTRAIL },
        Action: 'SNS:Publish',
        Resource: TOPIC_ARN,
        Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
      },
    ]);
    const trail = trailOf(stack);
    // The topic is in the trail's account and region: the provider reads sns_topic_name back as the
    // bare name there, so the name (not the ARN) keeps plans clean.
    expect(trail.sns_topic_name).toBe('${aws_sns_topic.trail_my-trail_topic.name}');
    expect(trail.depends_on).toEqual(['aws_sns_topic_policy.trail_my-trail_topic_policy']);
    expect(resourcesOf(stack, 'aws_sqs_queue')).toEqual({});
    expect(resourcesOf(stack, 'aws_sns_topic_subscription')).toEqual({});
  });

  test('create in a trail region other than the stack default: the topic lives in the trail region', () => {
    const stacks = synthFleet(
      configOf(
        rawWith((raw) => {
          raw.accounts = [
            { accountId: ACCOUNT, trailName: 'east', kmsKey: 'none' },
            { accountId: ACCOUNT, trailName: 'west', region: 'us-west-2', kmsKey: 'none', sns: { create: { topicName: 'west-notify' } } },
          ];
        }),
      ),
    );
    const stack = stackOf(stacks, STACK);
    expect(resource(stack, 'aws_sns_topic', 'trail_west_topic').provider).toBe('aws.us-west-2');
    expect(trailOf(stack, 'trail_west').provider).toBe('aws.us-west-2');
    const doc = parsePolicy(resource(stack, 'aws_sns_topic_policy', 'trail_west_topic_policy').policy);
    expect(doc.Statement[0].Resource).toBe(`arn:aws:sns:us-west-2:${ACCOUNT}:west-notify`);
    expect(doc.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-west-2:${ACCOUNT}:trail/west` } });
  });

  test('sqsQueue true: a queue named like the topic, subscribed with protocol sqs, accepting only that topic', () => {
    const stack = accountStackWith((a) => (a.sns = { create: { topicName: 'ct-222-notify', sqsQueue: true } }));
    expect(resource(stack, 'aws_sqs_queue', 'trail_my-trail_queue').name).toBe('ct-222-notify');
    expect(clean(resource(stack, 'aws_sns_topic_subscription', 'trail_my-trail_queue_subscription'))).toEqual({
      topic_arn: '${aws_sns_topic.trail_my-trail_topic.arn}',
      protocol: 'sqs',
      endpoint: '${aws_sqs_queue.trail_my-trail_queue.arn}',
    });
    const queuePolicy = resource(stack, 'aws_sqs_queue_policy', 'trail_my-trail_queue_policy');
    expect(queuePolicy.queue_url).toBe('${aws_sqs_queue.trail_my-trail_queue.url}');
    const doc = parsePolicy(queuePolicy.policy);
    expect(doc.Statement).toHaveLength(1);
    const [s] = doc.Statement;
    expect(s).toMatchObject({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:ct-222-notify` });
    const conditions = Object.values(s.Condition!).flatMap((block) => Object.entries(block));
    expect(conditions).toEqual([['aws:SourceArn', TOPIC_ARN]]);
  });

  test('sqsQueue { queueName } names the queue', () => {
    const stack = accountStackWith((a) => (a.sns = { create: { topicName: 'ct-222-notify', sqsQueue: { queueName: 'ct-222-queue' } } }));
    expect(resource(stack, 'aws_sqs_queue', 'trail_my-trail_queue').name).toBe('ct-222-queue');
    expect(parsePolicy(resource(stack, 'aws_sqs_queue_policy', 'trail_my-trail_queue_policy').policy).Statement[0].Resource).toBe(`arn:aws:sqs:us-east-2:${ACCOUNT}:ct-222-queue`);
  });

  test.each([
    ['the same account and region as the trail: its name', `arn:aws:sns:us-east-2:${ACCOUNT}:existing-notify`, 'existing-notify'],
    ['another account, same region: its ARN', 'arn:aws:sns:us-east-2:111111111111:existing-notify', 'arn:aws:sns:us-east-2:111111111111:existing-notify'],
    ['the same account, another region: its ARN', `arn:aws:sns:eu-west-1:${ACCOUNT}:existing-notify`, `arn:aws:sns:eu-west-1:${ACCOUNT}:existing-notify`],
  ])('an existing topic in %s (the form the provider reads back, so plans stay clean)', (_n, topicArn, expected) => {
    expect(trailOf(accountStackWith((a) => (a.sns = { topicArn }))).sns_topic_name).toBe(expected);
  });

  test('an existing topic in another account and region is used as sns_topic_name, nothing is created', () => {
    const topic = 'arn:aws:sns:eu-west-1:111111111111:security-notifications';
    const stack = accountStackWith((a) => (a.sns = { topicArn: topic }));
    expect(trailOf(stack).sns_topic_name).toBe(topic);
    expect(trailOf(stack).depends_on).toBeUndefined();
    expect(resourcesOf(stack, 'aws_sns_topic')).toEqual({});
    expect(resourcesOf(stack, 'aws_sns_topic_policy')).toEqual({});
  });

  describe('bad inputs', () => {
    test.each<[string, Change, string, string]>([
      [
        'topic ARN of another service',
        (a) => (a.sns = { topicArn: `arn:aws:sqs:us-east-2:${ACCOUNT}:foo` }),
        'accounts[0].sns.topicArn',
        `"arn:aws:sqs:us-east-2:${ACCOUNT}:foo" is a sqs ARN; expected an SNS topic ARN such as arn:aws:sns:us-east-2:222222222222:cloudtrail-notify`,
      ],
      [
        'topic ARN that is no ARN',
        (a) => (a.sns = { topicArn: 'ct-notify' }),
        'accounts[0].sns.topicArn',
        '"ct-notify" is not an ARN; expected an SNS topic ARN such as arn:aws:sns:us-east-2:222222222222:cloudtrail-notify',
      ],
      [
        'FIFO topic ARN',
        (a) => (a.sns = { topicArn: `arn:aws:sns:us-east-2:${ACCOUNT}:ct.fifo` }),
        'accounts[0].sns.topicArn',
        '"ct.fifo" is a FIFO topic; CloudTrail publishes only to standard topics',
      ],
      [
        'partition mismatch of the topic ARN',
        (a) => (a.sns = { topicArn: `arn:aws-us-gov:sns:us-gov-west-1:${ACCOUNT}:ct` }),
        'accounts[0].sns.topicArn',
        `"arn:aws-us-gov:sns:us-gov-west-1:${ACCOUNT}:ct" is in partition aws-us-gov, but partition is aws; every ARN must be in one partition (write arn:aws:...)`,
      ],
      [
        'topic name with a bad character',
        (a) => (a.sns = { create: { topicName: 'ct notify' } }),
        'accounts[0].sns.create.topicName',
        'SNS topic names may contain only letters, digits, "_" and "-"; "ct notify" contains " "',
      ],
    ])('%s', (_name, change, path, message) => {
      expect(problems(change)).toEqual([{ path, message }]);
    });

    test('create and topicArn together', () => {
      expect(problems((a) => (a.sns = { create: { topicName: 'x' }, topicArn: `arn:aws:sns:us-east-2:${ACCOUNT}:x` }))).toEqual([
        { path: 'accounts[0].sns', message: 'sns takes exactly one of create or topicArn; create and topicArn are set' },
      ]);
    });
  });
});

// ---------------------------------------------------------------- CloudWatch Logs

describe('cloudWatchLogs', () => {
  const GROUP_ARN = `arn:aws:logs:us-east-2:${ACCOUNT}:log-group:aws-cloudtrail-logs-222`;

  test('create: the log group with its retention, a role trusted by CloudTrail only, writing only CloudTrail streams of that group', () => {
    const stack = accountStackWith((a) => (a.cloudWatchLogs = { create: { logGroupName: 'aws-cloudtrail-logs-222', retentionInDays: 90 } }));
    expect(clean(resource(stack, 'aws_cloudwatch_log_group', 'trail_my-trail_log_group'))).toEqual({ name: 'aws-cloudtrail-logs-222', retention_in_days: 90 });

    const role = resource(stack, 'aws_iam_role', 'trail_my-trail_cwl_role');
    const trust = parsePolicy(role.assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toMatchObject({ Effect: 'Allow', Principal: { Service: CLOUDTRAIL }, Action: 'sts:AssumeRole' });
    expect(Object.keys(trust.Statement[0].Principal as object)).toEqual(['Service']);
    expect(list((trust.Statement[0].Principal as any).Service)).toEqual([CLOUDTRAIL]);

    const rolePolicy = resource(stack, 'aws_iam_role_policy', 'trail_my-trail_cwl_role_policy');
    expect(rolePolicy.role).toBe('${aws_iam_role.trail_my-trail_cwl_role.id}');
    const doc = parsePolicy(rolePolicy.policy);
    expect(doc.Statement.every((s) => s.Effect === 'Allow' && s.Condition === undefined)).toBe(true);
    expect(doc.Statement.flatMap((s) => list(s.Action)).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const s of doc.Statement) expect(list(s.Resource)).toEqual([`${GROUP_ARN}:log-stream:${ACCOUNT}_CloudTrail_*`]);

    const trail = trailOf(stack);
    expect(trail.cloud_watch_logs_group_arn).toBe('${aws_cloudwatch_log_group.trail_my-trail_log_group.arn}:*');
    expect(trail.cloud_watch_logs_group_arn.endsWith(':*')).toBe(true);
    expect(trail.cloud_watch_logs_role_arn).toBe('${aws_iam_role.trail_my-trail_cwl_role.arn}');
    expect(trail.depends_on).toEqual(['aws_iam_role_policy.trail_my-trail_cwl_role_policy']);
  });

  test('create without retentionInDays keeps logs 365 days', () => {
    const stack = accountStackWith((a) => (a.cloudWatchLogs = { create: { logGroupName: 'lg' } }));
    expect(resource(stack, 'aws_cloudwatch_log_group', 'trail_my-trail_log_group').retention_in_days).toBe(365);
  });

  test('an existing log group and an existing role are used as given, nothing is created', () => {
    const group = `arn:aws:logs:us-east-2:${ACCOUNT}:log-group:existing-trail-logs`;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/CloudTrailToCWL`;
    const stack = accountStackWith((a) => (a.cloudWatchLogs = { logGroupArn: group, roleArn }));
    const trail = trailOf(stack);
    expect(trail.cloud_watch_logs_group_arn).toBe(`${group}:*`);
    expect(trail.cloud_watch_logs_role_arn).toBe(roleArn);
    expect(trail.depends_on).toBeUndefined();
    for (const type of ['aws_cloudwatch_log_group', 'aws_iam_role', 'aws_iam_role_policy']) expect(resourcesOf(stack, type)).toEqual({});
  });

  test('an existing log group ARN already ending in :* is not suffixed twice; the created role writes to that group', () => {
    const group = `arn:aws:logs:us-east-2:${ACCOUNT}:log-group:existing`;
    const stack = accountStackWith((a) => (a.cloudWatchLogs = { logGroupArn: `${group}:*` }));
    expect(trailOf(stack).cloud_watch_logs_group_arn).toBe(`${group}:*`);
    const doc = parsePolicy(resource(stack, 'aws_iam_role_policy', 'trail_my-trail_cwl_role_policy').policy);
    for (const s of doc.Statement) expect(list(s.Resource)).toEqual([`${group}:log-stream:${ACCOUNT}_CloudTrail_*`]);
  });

  test('a created role and an existing role both sit in the trail account; roles of two trails of one account do not collide', () => {
    const stacks = synthFleet(
      configOf(
        rawWith((raw) => {
          raw.accounts = [
            { accountId: ACCOUNT, trailName: 'a-trail', cloudWatchLogs: { create: { logGroupName: 'a' } } },
            { accountId: ACCOUNT, trailName: 'b-trail', cloudWatchLogs: { create: { logGroupName: 'b' } } },
          ];
        }),
      ),
    );
    const names = Object.values(resourcesOf(stackOf(stacks, STACK), 'aws_iam_role')).map((r: any) => r.name);
    expect(names.sort()).toEqual(['CloudTrailToCWL-a-trail', 'CloudTrailToCWL-b-trail']);
  });

  describe('bad inputs', () => {
    test.each<[string, Change, string, string]>([
      [
        'log group in another account (the guide: must be in the current account)',
        (a) => (a.cloudWatchLogs = { logGroupArn: 'arn:aws:logs:us-east-2:111111111111:log-group:central' }),
        'accounts[0].cloudWatchLogs.logGroupArn',
        "the log group is in account 111111111111, but CloudTrail delivers only to a log group in the trail's own account (222222222222); create one there instead",
      ],
      [
        'role in another account',
        (a) => (a.cloudWatchLogs = { create: { logGroupName: 'lg' }, roleArn: 'arn:aws:iam::111111111111:role/CWL' }),
        'accounts[0].cloudWatchLogs.roleArn',
        "the role is in account 111111111111, but CloudTrail needs a role in the trail's own account (222222222222); name a role there or leave roleArn out to have one created",
      ],
      [
        'retention the API does not accept',
        (a) => (a.cloudWatchLogs = { create: { logGroupName: 'lg', retentionInDays: 100 } }),
        'accounts[0].cloudWatchLogs.create.retentionInDays',
        'CloudWatch Logs does not accept a retention of 100 days; use one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 = never expire)',
      ],
      [
        'log group ARN of another service',
        (a) => (a.cloudWatchLogs = { logGroupArn: `arn:aws:s3:::bucket` }),
        'accounts[0].cloudWatchLogs.logGroupArn',
        '"arn:aws:s3:::bucket" is a s3 ARN; expected a CloudWatch Logs log group ARN such as arn:aws:logs:us-east-2:222222222222:log-group:aws-cloudtrail-logs-222',
      ],
      [
        'partition mismatch of the role ARN',
        (a) => (a.cloudWatchLogs = { create: { logGroupName: 'lg' }, roleArn: `arn:aws-cn:iam::${ACCOUNT}:role/CWL` }),
        'accounts[0].cloudWatchLogs.roleArn',
        `"arn:aws-cn:iam::${ACCOUNT}:role/CWL" is in partition aws-cn, but partition is aws; every ARN must be in one partition (write arn:aws:...)`,
      ],
    ])('%s', (_name, change, path, message) => {
      expect(problems(change)).toEqual([{ path, message }]);
    });
  });
});

// ---------------------------------------------------------------- Insights

describe('insights', () => {
  test.each<[any, string[]]>([
    [{ apiCallRate: true }, ['ApiCallRateInsight']],
    [{ apiErrorRate: true }, ['ApiErrorRateInsight']],
    [{ apiCallRate: true, apiErrorRate: true }, ['ApiCallRateInsight', 'ApiErrorRateInsight']],
    [{ apiCallRate: false, apiErrorRate: false }, []],
  ])('%j gives insight selectors %j', (insights, types) => {
    const trail = trailOf(accountStackWith((a) => (a.insights = insights)));
    if (types.length === 0) expect(trail.insight_selector).toBeUndefined();
    else expect(trail.insight_selector).toEqual(types.map((insight_type) => ({ insight_type })));
  });

  test.each<[string, any, any]>([
    ['API call rate with WriteOnly', { readWrite: 'WriteOnly' }, { apiCallRate: true }],
    ['API error rate with ReadOnly', { readWrite: 'ReadOnly' }, { apiErrorRate: true }],
    ['API error rate with WriteOnly', { readWrite: 'WriteOnly' }, { apiErrorRate: true }],
  ])('%s is accepted', (_n, managementEvents, insights) => {
    expect(() =>
      configOf(
        rawWith((raw) => {
          raw.accounts[0].managementEvents = managementEvents;
          raw.accounts[0].insights = insights;
        }),
      ),
    ).not.toThrow();
  });

  test.each<[string, Change, string, string]>([
    [
      'API call rate needs Write management events',
      (a) => {
        a.managementEvents = { readWrite: 'ReadOnly' };
        a.insights = { apiCallRate: true };
      },
      'accounts[0].insights.apiCallRate',
      'API call rate Insights need Write management events, but managementEvents.readWrite is ReadOnly; use All or WriteOnly',
    ],
    [
      'API error rate needs Read or Write management events',
      (a) => {
        a.managementEvents = { readWrite: 'None' };
        a.dataEvents = { lambda: { allFunctions: 'All' } };
        a.insights = { apiErrorRate: true };
      },
      'accounts[0].insights.apiErrorRate',
      'API error rate Insights need Read or Write management events, but managementEvents.readWrite is None; use All, ReadOnly or WriteOnly',
    ],
  ])('%s', (_name, change, path, message) => {
    expect(problems(change)).toEqual([{ path, message }]);
  });
});

// ---------------------------------------------------------------- management and data event inputs

describe('event settings: bad inputs', () => {
  test.each<[string, Change, string, string]>([
    [
      'excludeKmsEvents with management events None',
      (a) => {
        a.managementEvents = { readWrite: 'None', excludeKmsEvents: true };
        a.dataEvents = { lambda: { allFunctions: 'All' } };
      },
      'accounts[0].managementEvents',
      'excluding KMS or RDS Data API events needs management events; set readWrite to All, ReadOnly or WriteOnly, or drop the exclusion',
    ],
    [
      'excludeRdsDataApiEvents with management events None',
      (a) => {
        a.managementEvents = { readWrite: 'None', excludeRdsDataApiEvents: true };
        a.dataEvents = { s3: { allBuckets: 'All' } };
      },
      'accounts[0].managementEvents',
      'excluding KMS or RDS Data API events needs management events; set readWrite to All, ReadOnly or WriteOnly, or drop the exclusion',
    ],
    [
      'DynamoDB ARN without table/',
      (a) => (a.dataEvents = { dynamodb: { tables: [{ arn: `arn:aws:dynamodb:us-east-2:${ACCOUNT}:orders` }] } }),
      'accounts[0].dataEvents.dynamodb.tables[0].arn',
      `"arn:aws:dynamodb:us-east-2:${ACCOUNT}:orders" does not name a DynamoDB table ARN (table/<name>: table names are 3 to 255 letters, digits, "_", "." or "-"); expected a DynamoDB table ARN such as arn:aws:dynamodb:us-east-2:222222222222:table/orders`,
    ],
    [
      'DynamoDB ARN of another service',
      (a) => (a.dataEvents = { dynamodb: { tables: [{ arn: `arn:aws:lambda:us-east-2:${ACCOUNT}:function:f` }] } }),
      'accounts[0].dataEvents.dynamodb.tables[0].arn',
      `"arn:aws:lambda:us-east-2:${ACCOUNT}:function:f" is a lambda ARN; expected a DynamoDB table ARN such as arn:aws:dynamodb:us-east-2:222222222222:table/orders`,
    ],
    [
      'Lambda ARN without function:',
      (a) => (a.dataEvents = { lambda: { functions: [{ arn: `arn:aws:lambda:us-east-2:${ACCOUNT}:f` }] } }),
      'accounts[0].dataEvents.lambda.functions[0].arn',
      `"arn:aws:lambda:us-east-2:${ACCOUNT}:f" does not name a Lambda function ARN; expected a Lambda function ARN such as arn:aws:lambda:us-east-2:222222222222:function:my-function`,
    ],
    [
      'Lambda ARN without a region',
      (a) => (a.dataEvents = { lambda: { functions: [{ arn: `arn:aws:lambda::${ACCOUNT}:function:f` }] } }),
      'accounts[0].dataEvents.lambda.functions[0].arn',
      `"arn:aws:lambda::${ACCOUNT}:function:f" has no valid region; expected a Lambda function ARN such as arn:aws:lambda:us-east-2:222222222222:function:my-function`,
    ],
    [
      'partition mismatch of a Lambda ARN',
      (a) => (a.dataEvents = { lambda: { functions: [{ arn: `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f` }] } }),
      'accounts[0].dataEvents.lambda.functions[0].arn',
      `"arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f" is in partition aws-cn, but partition is aws; every ARN must be in one partition (write arn:aws:...)`,
    ],
    [
      'partition mismatch of a DynamoDB ARN',
      (a) => (a.dataEvents = { dynamodb: { tables: [{ arn: `arn:aws-us-gov:dynamodb:us-gov-west-1:${ACCOUNT}:table/orders` }] } }),
      'accounts[0].dataEvents.dynamodb.tables[0].arn',
      `"arn:aws-us-gov:dynamodb:us-gov-west-1:${ACCOUNT}:table/orders" is in partition aws-us-gov, but partition is aws; every ARN must be in one partition (write arn:aws:...)`,
    ],
    [
      'management None and no data events: the trail would log nothing',
      (a) => (a.managementEvents = { readWrite: 'None' }),
      'accounts[0].managementEvents.readWrite',
      'the trail would log nothing: management events are None and no data or network activity events are set; log management events (All, ReadOnly or WriteOnly) or add dataEvents or networkActivityEvents',
    ],
  ])('%s', (_name, change, path, message) => {
    expect(problems(change)).toEqual([{ path, message }]);
  });

  test('an advanced field selector without an operator is rejected', () => {
    const issues = problems((a) => (a.dataEvents = { advanced: [{ name: 'x', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'eventName' }] }] }));
    expect(issues).toEqual([
      { path: 'accounts[0].dataEvents.advanced[0].fieldSelectors[1]', message: 'field selector on eventName has no operator; give one of equals, notEquals, startsWith, notStartsWith, endsWith, notEndsWith' },
    ]);
  });
});

// ---------------------------------------------------------------- organization trail

describe('organization trail', () => {
  const ORG = 'o-exampleorgid';
  const ORG_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-2:111111111111:trail/org-trail';
  const withOrgTrail = (extra: Record<string, unknown> = {}) =>
    rawWith((raw) => {
      raw.organization = { id: ORG, managementAccountId: '111111111111' };
      raw.accounts.push({ accountId: '111111111111', trailName: 'org-trail', organizationTrail: true, ...extra });
    });

  test('is_organization_trail on the management account trail only', () => {
    const stacks = synthFleet(configOf(withOrgTrail()));
    expect(trailOf(stackOf(stacks, 'cloudtrail-account-111111111111'), 'trail_org-trail').is_organization_trail).toBe(true);
    expect(trailOf(stackOf(stacks, STACK)).is_organization_trail).toBe(false);
  });

  test.each([
    [undefined, `arn:aws:s3:::my-bucket/AWSLogs/${ORG}/*`],
    ['org', `arn:aws:s3:::my-bucket/org/AWSLogs/${ORG}/*`],
  ])('the central bucket policy lets only that trail write under [prefix/]AWSLogs/<org id>/ (prefix %s)', (prefix, folder) => {
    const stacks = synthFleet(configOf(withOrgTrail(prefix ? { prefix } : {})));
    const doc = parsePolicy(onlyResource(stackOf(stacks, CENTRAL), 'aws_s3_bucket_policy').policy);
    const grants = doc.Statement.filter((s) => s.Effect === 'Allow' && list(s.Resource).some((r) => r.includes(`AWSLogs/${ORG}/`)));
    expect(grants).toHaveLength(1);
    const [s] = grants;
    expect(list(s.Resource)).toEqual([folder]);
    expect(list(s.Action)).toEqual(['s3:PutObject']);
    expect(s.Principal).toEqual({ Service: CLOUDTRAIL });
    expect(s.Condition).toEqual({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': [ORG_TRAIL_ARN] } });
    // Without an organization trail there is no org folder grant at all.
    const plain = parsePolicy(onlyResource(stackOf(synthFleet(configOf(rawWith(() => {}))), CENTRAL), 'aws_s3_bucket_policy').policy);
    expect(JSON.stringify(plain)).not.toContain('AWSLogs/o-');
  });

  test('with CloudWatch Logs, the delivery role may also write the member accounts streams (<org id>_*)', () => {
    const stacks = synthFleet(configOf(withOrgTrail({ cloudWatchLogs: { create: { logGroupName: 'org-logs' } } })));
    const doc = parsePolicy(resource(stackOf(stacks, 'cloudtrail-account-111111111111'), 'aws_iam_role_policy', 'trail_org-trail_cwl_role_policy').policy);
    const group = 'arn:aws:logs:us-east-2:111111111111:log-group:org-logs';
    for (const s of doc.Statement) expect(list(s.Resource).sort()).toEqual([`${group}:log-stream:111111111111_CloudTrail_*`, `${group}:log-stream:${ORG}_*`]);
  });

  test.each<[string, (raw: any) => void, string, string]>([
    [
      'without the top-level organization',
      (raw) => (raw.accounts[0].organizationTrail = true),
      'accounts[0].organizationTrail',
      'organization trails need the top-level organization (id and managementAccountId); add it or set organizationTrail: false',
    ],
    [
      'not in the management account',
      (raw) => {
        raw.organization = { id: ORG, managementAccountId: '111111111111' };
        raw.accounts[0].organizationTrail = true;
      },
      'accounts[0].organizationTrail',
      'only the management account (111111111111) can create an organization trail; 222222222222 is not it (set organizationTrail: false here)',
    ],
  ])('rejected %s', (_name, change, path, message) => {
    expect(issuesOf(rawWith(change))).toEqual([{ path, message }]);
  });
});

// ---------------------------------------------------------------- tags and dependencies

describe('tags', () => {
  test('tags every trail of the account shares become provider default_tags; nothing is repeated on resources', () => {
    const stack = accountStackWith((a) => {
      a.tags = { team: 'a' };
      a.sns = { create: { topicName: 'n' } };
    });
    expect(awsProvidersOf(stack)[0].default_tags).toEqual([{ tags: { team: 'a' } }]);
    expect(trailOf(stack).tags).toBeUndefined();
    expect(resource(stack, 'aws_sns_topic', 'trail_my-trail_topic').tags).toBeUndefined();
  });

  test('tags that differ between trails of one account go on each trail and its resources', () => {
    const stacks = synthFleet(
      configOf(
        rawWith((raw) => {
          raw.accounts = [
            {
              accountId: ACCOUNT,
              trailName: 'a-trail',
              tags: { owner: 'sec', team: 'a' },
              kmsKey: { create: { alias: 'alias/a' } },
              sns: { create: { topicName: 'a', sqsQueue: true } },
              cloudWatchLogs: { create: { logGroupName: 'a' } },
            },
            { accountId: ACCOUNT, trailName: 'b-trail', tags: { owner: 'sec', team: 'b' } },
          ];
        }),
      ),
    );
    const stack = stackOf(stacks, STACK);
    expect(awsProvidersOf(stack)[0].default_tags).toEqual([{ tags: { owner: 'sec' } }]);
    expect(trailOf(stack, 'trail_a-trail').tags).toEqual({ team: 'a' });
    expect(trailOf(stack, 'trail_b-trail').tags).toEqual({ team: 'b' });
    for (const [type, name] of [
      ['aws_kms_key', 'trail_a-trail_key'],
      ['aws_sns_topic', 'trail_a-trail_topic'],
      ['aws_sqs_queue', 'trail_a-trail_queue'],
      ['aws_cloudwatch_log_group', 'trail_a-trail_log_group'],
      ['aws_iam_role', 'trail_a-trail_cwl_role'],
    ]) {
      expect({ [name]: resource(stack, type, name).tags }).toEqual({ [name]: { team: 'a' } });
    }
  });
});

describe('depends_on', () => {
  test('the trail waits for the SNS topic policy and the CloudWatch Logs role policy', () => {
    const trail = trailOf(
      accountStackWith((a) => {
        a.sns = { create: { topicName: 'n' } };
        a.cloudWatchLogs = { create: { logGroupName: 'lg' } };
      }),
    );
    expect([...trail.depends_on].sort()).toEqual(['aws_iam_role_policy.trail_my-trail_cwl_role_policy', 'aws_sns_topic_policy.trail_my-trail_topic_policy']);
  });
});

// ---------------------------------------------------------------- trails per account and region

describe('at most 5 trails per account and region', () => {
  const trails = (specs: { region?: string; multiRegion?: boolean }[], accountId = ACCOUNT) =>
    specs.map((s, i) => ({ accountId, trailName: `trail-${accountId.slice(0, 1)}${i}`, kmsKey: 'none', ...(s.region ? { region: s.region } : {}), ...(s.multiRegion === false ? { multiRegion: false, includeGlobalServiceEvents: false } : {}) }));
  const multi = (n: number) => Array.from({ length: n }, () => ({}));
  const single = (n: number, region: string) => Array.from({ length: n }, () => ({ region, multiRegion: false }));
  const fleet = (...accounts: any[][]) => rawWith((raw) => (raw.accounts = accounts.flat()));

  test('5 multi-region trails in one account are accepted and synthesized', () => {
    const stacks = synthFleet(configOf(fleet(trails(multi(5)))));
    expect(Object.keys(resourcesOf(stackOf(stacks, STACK), 'aws_cloudtrail'))).toHaveLength(5);
  });

  test('a 6th multi-region trail is rejected', () => {
    const issues = issuesOf(fleet(trails(multi(6))));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('accounts[0]');
    expect(issues[0].message).toMatch(
      /^account 222222222222 would have 6 trails in .+ \(multi-region trails count in every region\); CloudTrail allows 5: remove trails, or merge their event settings into fewer trails$/,
    );
  });

  test('multi-region trails count in every region: 4 multi-region + 2 single-region in eu-west-1 is 6 there', () => {
    expect(issuesOf(fleet(trails([...multi(4), ...single(2, 'eu-west-1')])))).toEqual([
      {
        path: 'accounts[0]',
        message:
          'account 222222222222 would have 6 trails in eu-west-1 (multi-region trails count in every region); CloudTrail allows 5: remove trails, or merge their event settings into fewer trails',
      },
    ]);
  });

  test('4 multi-region + 1 single-region trail in each of two regions is 5 everywhere', () => {
    expect(() => configOf(fleet(trails([...multi(4), ...single(1, 'eu-west-1'), ...single(1, 'us-west-2')])))).not.toThrow();
  });

  test('single-region trails count only in their region', () => {
    expect(() => configOf(fleet(trails([...single(5, 'eu-west-1'), ...single(5, 'us-west-2')])))).not.toThrow();
    expect(issuesOf(fleet(trails(single(6, 'eu-west-1'))))[0].message).toMatch(/would have 6 trails in eu-west-1/);
  });

  test('trails of different accounts do not add up', () => {
    expect(() => configOf(fleet(trails(multi(5)), trails(multi(5), '333333333333')))).not.toThrow();
  });
});
