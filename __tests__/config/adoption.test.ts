/**
 * The adoption keys (config/adoption.ts): every bad input is rejected with
 * its config path, the value, the rule and how to fix it; good input reaches
 * the policies verbatim and counts in their size.
 */
import { configOf, issuesOf, onlyResource, parsePolicy, rawWith, stackOf, synthFleet } from '../helpers/fleet';
import { fleetPolicies } from '../../modules/policies/fleet-policies';
import { policyBytes } from '../../modules/policies/document';
import { existingKeyArnProblem, keyIdOf, sidProblem } from '../../config/adoption';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-2:111111111111:key/${KEY_ID}`;

const configStatement = (sid = 'AWSConfigBucketPermissionsCheck') => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { Service: 'config.amazonaws.com' },
  Action: 's3:GetBucketAcl',
  Resource: 'arn:aws:s3:::my-bucket',
  Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
});
const withExtras = (...statements: unknown[]) => rawWith((r) => (r.central.bucketPolicy = { extraStatements: statements }));
const only = (issues: { path: string; message: string }[], path: string) => {
  const found = issues.filter((i) => i.path === path);
  if (found.length === 0) throw new Error(`no issue at ${path}; issues: ${JSON.stringify(issues, null, 1)}`);
  return found.map((i) => i.message).join('\n');
};

describe('central.bucketPolicy.extraStatements', () => {
  test('are kept verbatim at the end of the computed policy and counted in its size', () => {
    const extra = configStatement();
    const config = configOf(withExtras(extra));
    const central = stackOf(synthFleet(config), 'cloudtrail-central');
    const doc = parsePolicy(onlyResource(central, 'aws_s3_bucket_policy').policy);
    expect(doc.Statement[doc.Statement.length - 1]).toEqual(extra);
    expect(doc.Statement.map((s) => s.Sid)).toContain('AWSCloudTrailAclCheck');
    const without = fleetPolicies(configOf(rawWith(() => undefined))).bucket.bytes;
    expect(fleetPolicies(config).bucket.bytes).toBe(without + Buffer.byteLength(JSON.stringify(extra)) + 1);
    expect(fleetPolicies(config).bucket.bytes).toBe(policyBytes(doc));
  });

  test.each([
    ['', /Sid "" is not valid/],
    ['has/slash', /Sid "has\/slash" is not valid: use 1-128 letters, digits, spaces/],
    ['trailing-', /Sid "trailing-" is not valid/],
    ['x'.repeat(129), /is not valid/],
  ])('a bad Sid %j is rejected', (sid, message) => {
    expect(only(issuesOf(withExtras(configStatement(sid))), 'central.bucketPolicy.extraStatements[0].Sid')).toMatch(message);
  });

  test('Sids with spaces, dots and dashes (as S3 and KMS accept) are fine', () => {
    expect(sidProblem('Allow ELB log delivery')).toBeUndefined();
    expect(sidProblem('AWSConfig.Check-1_a')).toBeUndefined();
  });

  test('a statement without a Sid is rejected (check-config and reviewers name statements by Sid)', () => {
    const { Sid, ...noSid } = configStatement();
    expect(only(issuesOf(withExtras(noSid)), 'central.bucketPolicy.extraStatements[0].Sid')).toMatch(/every extra statement needs a Sid/);
  });

  test.each(['AWSCloudTrailAclCheck', 'DenyInsecureTransport', 'AWSCloudTrailWrite222222222222'])('a Sid the computed policy uses (%s) is rejected', (sid) => {
    expect(only(issuesOf(withExtras(configStatement(sid))), 'central.bucketPolicy.extraStatements[0].Sid')).toMatch(
      new RegExp(`Sid "${sid}" is already a statement of the computed policy; rename yours`),
    );
  });

  test('two extra statements with one Sid are rejected at the second', () => {
    const message = only(issuesOf(withExtras(configStatement('Same'), configStatement('Same'))), 'central.bucketPolicy.extraStatements[1].Sid');
    expect(message).toMatch(/Sid "Same" is also used by central.bucketPolicy.extraStatements\[0\]; Sids must be unique/);
  });

  test.each([
    ['a string instead of a statement', 'Allow everything', '[0]', /a statement must be a mapping \(a JSON object\), got the string "Allow everything"/],
    ['a misspelt element', { ...configStatement(), Efect: 'Allow' }, '[0]', /unknown statement element "Efect" \(did you mean "Effect"\?\)/],
    ['Effect not Allow/Deny', { ...configStatement(), Effect: 'Permit' }, '[0].Effect', /Effect must be Allow or Deny; got the string "Permit"/],
    ['Action and NotAction', { ...configStatement(), NotAction: 's3:*' }, '[0]', /needs exactly one of Action or NotAction.*both are set/],
    ['no Resource', (({ Resource, ...s }) => s)(configStatement()), '[0]', /needs exactly one of Resource or NotResource.*none is set/],
    ['no Principal', (({ Principal, ...s }) => s)(configStatement()), '[0]', /needs exactly one of Principal or NotPrincipal/],
    ['an empty Action list', { ...configStatement(), Action: [] }, '[0].Action', /Action must be a non-empty string or a non-empty list of strings/],
    [
      'a Principal that is neither "*" nor a mapping',
      { ...configStatement(), Principal: 'everyone' },
      '[0].Principal',
      /Principal must be "\*" or a mapping with AWS, Service/,
    ],
    [
      'a Condition that is not operator -> key -> value',
      { ...configStatement(), Condition: { StringEquals: 'x' } },
      '[0].Condition.StringEquals',
      /each Condition operator maps condition keys to values/,
    ],
  ])('bad shape: %s', (_, statement, where, message) => {
    expect(only(issuesOf(withExtras(statement)), `central.bucketPolicy.extraStatements${where}`)).toMatch(message);
  });

  test('a condition value list holding a mapping, or empty, is rejected with the values a condition takes', () => {
    const statement = (values: unknown) => ({ ...configStatement(), Condition: { StringEquals: { 'aws:SourceAccount': values } } });
    expect(only(issuesOf(withExtras(statement(['111111111111', { a: 2 }]))), 'central.bucketPolicy.extraStatements[0].Condition.StringEquals["aws:SourceAccount"][1]')).toBe(
      'a condition value must be a string, number, true/false or a non-empty list of them',
    );
    expect(only(issuesOf(withExtras(statement([]))), 'central.bucketPolicy.extraStatements[0].Condition.StringEquals["aws:SourceAccount"]')).toBe(
      'a condition value must be a string, number, true/false or a non-empty list of them',
    );
  });

  test('extraStatements must be a list', () => {
    expect(only(issuesOf(rawWith((r) => (r.central.bucketPolicy = { extraStatements: configStatement() }))), 'central.bucketPolicy.extraStatements')).toMatch(
      /^expected \[\{ Sid: <sid>, Effect: Allow\|Deny, Principal: \.\.\., Action: \.\.\., Resource: \.\.\. \}, \.\.\.\], got a mapping$/,
    );
  });

  test('a Resource outside the central bucket is rejected (S3 rejects the policy)', () => {
    const message = only(
      issuesOf(withExtras({ ...configStatement(), Resource: ['arn:aws:s3:::my-bucket/x/*', 'arn:aws:s3:::other-bucket/*'] })),
      'central.bucketPolicy.extraStatements[0].Resource',
    );
    expect(message).toMatch(
      /"arn:aws:s3:::other-bucket\/\*" is not the central bucket or an object in it; a bucket policy may only name arn:aws:s3:::my-bucket/,
    );
    // A bucket whose name starts like ours is another bucket.
    expect(issuesOf(withExtras({ ...configStatement(), Resource: 'arn:aws:s3:::my-bucket-2' })).map((i) => i.path)).toContain(
      'central.bucketPolicy.extraStatements[0].Resource',
    );
  });

  test('statements that push the policy over 20 KB are rejected with their share of the bytes', () => {
    const big = {
      ...configStatement('Big'),
      Condition: { StringEquals: { 'aws:SourceAccount': Array.from({ length: 1500 }, (_, i) => String(100000000000 + i)) } },
    };
    const message = only(issuesOf(withExtras(big)), 'central.bucketPolicy.extraStatements');
    expect(message).toMatch(
      /your 1 extra statement\(s\) add about \d+ bytes to the bucket policy, which then needs \d+ bytes, over the S3 limit of 20480; shorten or merge them/,
    );
    const own = Number(/add about (\d+) bytes/.exec(message)![1]);
    expect(own).toBe(Buffer.byteLength(JSON.stringify(big)) + 1); // and its comma
  });
});

describe('central.kmsKey.existingKeyArn and extraStatements', () => {
  const withKey = (key: Record<string, unknown>) => rawWith((r) => (r.central.kmsKey = key));

  test('a valid existing key resolves, and its key id is the import ID', () => {
    const config = configOf(withKey({ existingKeyArn: KEY_ARN, alias: 'alias/existing' }));
    expect(config.central.kmsKey!.existingKeyArn).toBe(KEY_ARN);
    expect(keyIdOf(KEY_ARN)).toBe(KEY_ID);
    expect(keyIdOf('arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef')).toBe('mrk-0123456789abcdef0123456789abcdef');
  });

  test('an alias ARN is rejected: importing needs the key id', () => {
    const message = only(
      issuesOf(withKey({ existingKeyArn: 'arn:aws:kms:us-east-2:111111111111:alias/logs', alias: 'alias/logs' })),
      'central.kmsKey.existingKeyArn',
    );
    expect(message).toMatch(/is an alias ARN; give the key ARN .*aws kms describe-key --key-id alias\/logs prints it/);
  });

  test.each([
    ['not an ARN', 'my-key', /"my-key" is not an ARN/],
    ['a malformed key id', 'arn:aws:kms:us-east-2:111111111111:key/xyz', /malformed key id/],
  ])('%s is rejected', (_, value, message) => {
    expect(existingKeyArnProblem(value)).toMatch(message);
    expect(only(issuesOf(withKey({ existingKeyArn: value, alias: 'alias/x' })), 'central.kmsKey.existingKeyArn')).toMatch(message);
  });

  test('a key in another account or region is rejected', () => {
    const other = only(
      issuesOf(withKey({ existingKeyArn: `arn:aws:kms:us-east-2:333333333333:key/${KEY_ID}`, alias: 'alias/x' })),
      'central.kmsKey.existingKeyArn',
    );
    expect(other).toMatch(/the key is in account 333333333333, but the central key must be in the central account 111111111111/);
    const region = only(
      issuesOf(withKey({ existingKeyArn: `arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}`, alias: 'alias/x' })),
      'central.kmsKey.existingKeyArn',
    );
    expect(region).toMatch(/the key is in eu-west-1, but the central key must be in the bucket's region us-east-2/);
  });

  test('an existing key needs its alias written out (it is imported too)', () => {
    expect(only(issuesOf(withKey({ existingKeyArn: KEY_ARN })), 'central.kmsKey.alias')).toMatch(
      /with existingKeyArn, give the alias of the existing key.*aws kms create-alias/,
    );
  });

  test('extra key statements are kept verbatim; a computed Sid is rejected', () => {
    const extra = { Sid: 'AllowBackup', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Backup' }, Action: 'kms:Decrypt', Resource: '*' };
    const config = configOf(withKey({ existingKeyArn: KEY_ARN, alias: 'alias/x', extraStatements: [extra] }));
    const doc = fleetPolicies(config).centralKey!.document;
    expect(doc.Statement[doc.Statement.length - 1]).toEqual(extra);
    const dup = { ...extra, Sid: 'EnableKeyAdministrationByOwnerAccount' };
    expect(only(issuesOf(withKey({ extraStatements: [dup] })), 'central.kmsKey.extraStatements[0].Sid')).toMatch(
      /is already a statement of the computed policy/,
    );
  });

  test("an extra key statement's Resource must be \"*\"", () => {
    const extra = { Sid: 'AllowBackup', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Backup' }, Action: 'kms:Decrypt', Resource: KEY_ARN };
    expect(only(issuesOf(withKey({ extraStatements: [extra] })), 'central.kmsKey.extraStatements[0]')).toMatch(
      /a key policy statement's Resource must be "\*" \(it means this key\); got "arn:aws:kms:/,
    );
  });

  test('extra key statements over 32 KB are rejected', () => {
    const big = {
      Sid: 'Big',
      Effect: 'Allow',
      Principal: { AWS: Array.from({ length: 900 }, (_, i) => `arn:aws:iam::${100000000000 + i}:role/reader`) },
      Action: 'kms:Decrypt',
      Resource: '*',
    };
    expect(only(issuesOf(withKey({ extraStatements: [big] })), 'central.kmsKey.extraStatements')).toMatch(
      /the central key policy needs \d+ bytes, over the KMS limit of 32768/,
    );
  });
});

describe('central.adopt', () => {
  test.each([
    ['yes', /central.adopt must be true, false or \{ except: \[<bucket part>, \.\.\.\] \}/],
    [{ except: [] }, /adopt.except is empty/],
    [{ except: ['bucket'] }, /adopt.except lists bucket parts: policy, versioning, .*; got the string "bucket"/],
    [{ skip: ['policy'] }, /unknown key\(s\) skip under central.adopt; the only key is except/],
  ])('%j is rejected', (adopt, message) => {
    const issues = issuesOf(rawWith((r) => (r.central.adopt = adopt)));
    expect(
      issues
        .filter((i) => i.path.startsWith('central.adopt'))
        .map((i) => i.message)
        .join('\n'),
    ).toMatch(message);
  });

  test('a part the config does not set cannot be excepted', () => {
    expect(only(issuesOf(rawWith((r) => (r.central.adopt = { except: ['lifecycle'] }))), 'central.adopt.except[0]')).toMatch(
      /lifecycle is not part of the central stack \(the config does not set it \(central.retention is not set\)\); remove it from the list/,
    );
  });

  test('a part listed twice is rejected', () => {
    expect(only(issuesOf(rawWith((r) => (r.central.adopt = { except: ['policy', 'policy'] }))), 'central.adopt.except[1]')).toMatch(/policy is listed twice/);
  });

  test('adopt with bucketManagement none is rejected (nothing to import)', () => {
    const raw = rawWith((r) => {
      r.central.adopt = true;
      r.central.bucketManagement = 'none';
    });
    expect(only(issuesOf(raw), 'central.adopt')).toMatch(
      /bucketManagement is none: the central stack manages nothing of the bucket, so there is nothing to import/,
    );
  });

  test('with policyOnly only the policy can be excepted', () => {
    const raw = rawWith((r) => {
      r.central.adopt = { except: ['versioning'] };
      r.central.bucketManagement = 'policyOnly';
    });
    expect(only(issuesOf(raw), 'central.adopt.except[0]')).toMatch(
      /versioning is not part of the central stack \(with bucketManagement policyOnly the stack does not manage it\)/,
    );
  });
});

describe('central.bucketManagement', () => {
  test('an unknown value is rejected with the accepted ones', () => {
    expect(only(issuesOf(rawWith((r) => (r.central.bucketManagement = 'external'))), 'central.bucketManagement')).toMatch(
      /central.bucketManagement must be one of managed, policyOnly, none; got the string "external"/,
    );
  });

  test.each(['policyOnly', 'none'])('with %s, bucket settings of its owner are rejected', (mode) => {
    const issues = issuesOf(
      rawWith((r) => {
        r.central.bucketManagement = mode;
        r.central.retention = { expireAfterDays: 400 };
        r.central.objectLock = { mode: 'GOVERNANCE', days: 1 };
        r.central.accessLogging = { targetBucket: 'my-access-logs' };
      }),
    );
    for (const key of ['retention', 'objectLock', 'accessLogging']) {
      expect(only(issues, `central.${key}`)).toMatch(
        new RegExp(`bucketManagement is ${mode}: the bucket's ${key} belongs to the team that owns the bucket; remove central.${key}`),
      );
    }
  });
});

describe('adopt on a trail', () => {
  test('is allowed under defaults and accounts, accounts override defaults', () => {
    const config = configOf(
      rawWith((r) => {
        r.defaults.adopt = true;
        r.accounts.push({ accountId: '333333333333', adopt: false });
      }),
    );
    expect(config.trails.map((t) => [t.accountId, t.adopt])).toEqual([
      ['222222222222', true],
      ['333333333333', false],
    ]);
  });

  test('a non-boolean is rejected', () => {
    expect(only(issuesOf(rawWith((r) => (r.accounts[0].adopt = 'yes'))), 'accounts[0].adopt')).toMatch(/adopt must be true, false or \{ except: \[<trail part>, \.\.\.\] \}; got the string "yes"/);
  });

  test('the default is false', () => {
    expect(configOf(rawWith(() => undefined)).trails[0].adopt).toBe(false);
  });
});

describe('adopt: { except } on a trail', () => {
  test.each([
    [{ except: ['queue'] }, 'accounts[0].adopt.except[0]', /queue is not created for trail my-trail \(no sqsQueue is created\); remove it from the list/],
    [{ except: ['logGroup', 'logGroup'] }, 'accounts[0].adopt.except[1]', /logGroup is listed twice; list it once/],
    [{ except: ['bucket'] }, 'accounts[0].adopt.except[0]', /adopt\.except lists parts of a trail: topic, queue, logGroup, deliveryRole; got the string "bucket"/],
    [{ except: [] }, 'accounts[0].adopt.except', /adopt\.except is empty: list what the existing trail does not have yet, or write adopt: true/],
  ])('%j is rejected at %s', (adopt, path, message) => {
    const issues = issuesOf(
      rawWith((r) => {
        r.accounts[0].adopt = adopt;
        r.accounts[0].cloudWatchLogs = { create: { logGroupName: 'ct-logs' } };
      }),
    );
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});
