/**
 * `npm run check-config -- --current-policy policy.json`: which Sids of the
 * bucket's policy today the apply replaces, keeps or drops.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { currentPolicyReport, parseArgs } from '../../../cli/commands/check-config';
import { parseCurrentPolicy, policyDiff } from '../../../modules/policies/policy-diff';
import { fleetPolicies } from '../../../modules/policies/fleet-policies';
import { configOf, rawWith, ROOT } from '../../helpers/fleet';

const ct = { Service: 'cloudtrail.amazonaws.com' };
/** The policy the console wrote for the first account's trail, plus AWS Config and ELB statements. */
const consolePolicy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AWSCloudTrailAclCheck20150319', Effect: 'Allow', Principal: ct, Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::my-bucket' },
    {
      Sid: 'AWSCloudTrailWrite20150319',
      Effect: 'Allow',
      Principal: ct,
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::my-bucket/AWSLogs/111111111111/*',
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
    {
      Sid: 'AWSConfigBucketPermissionsCheck',
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: 'arn:aws:s3:::my-bucket',
    },
    {
      Sid: 'ELBAccessLogs',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::033677994240:root' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::my-bucket/elb/*',
    },
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::my-bucket/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    { Sid: 'AWSCloudTrailAclCheck', Effect: 'Allow', Principal: ct, Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::my-bucket' },
  ],
};
const keepConfig = rawWith((r) => {
  r.central.bucketPolicy = { extraStatements: [consolePolicy.Statement[2]] };
});

test('each current statement is replaced, kept or dropped, by Sid (or position)', () => {
  const config = configOf(keepConfig);
  const diff = policyDiff(
    consolePolicy.Statement as any,
    fleetPolicies(config).bucket.document,
    config.central.bucketPolicyExtraStatements,
    'central.bucketPolicy.extraStatements',
  );
  expect(diff.current.map((c) => [c.sid, c.fate])).toEqual([
    ['AWSCloudTrailAclCheck20150319', 'replaced'],
    ['AWSCloudTrailWrite20150319', 'replaced'],
    ['AWSConfigBucketPermissionsCheck', 'kept'],
    ['ELBAccessLogs', 'dropped'],
    ['#5', 'replaced'], // the TLS deny, which the computed DenyInsecureTransport covers
    ['AWSCloudTrailAclCheck', 'replaced'],
  ]);
  expect(diff.current[5].why).toBe('replaced by the computed statement of the same Sid');
  expect(diff.current[3].why).toMatch(/DROPPED: nothing in the config keeps it; to keep it, copy it into central.bucketPolicy.extraStatements/);
  expect(diff.added).toEqual(['AWSCloudTrailWrite222222222222', 'DenyInsecureTransport']);
});

test('a kept statement that differs from the current one says so', () => {
  const config = configOf(
    rawWith((r) => (r.central.bucketPolicy = { extraStatements: [{ ...consolePolicy.Statement[2], Action: ['s3:GetBucketAcl', 's3:ListBucket'] }] })),
  );
  const diff = policyDiff(
    consolePolicy.Statement as any,
    fleetPolicies(config).bucket.document,
    config.central.bucketPolicyExtraStatements,
    'central.bucketPolicy.extraStatements',
  );
  expect(diff.current[2]).toEqual({
    sid: 'AWSConfigBucketPermissionsCheck',
    fate: 'kept',
    why: 'kept as written in central.bucketPolicy.extraStatements, which differs from the current statement',
  });
});

test('reads the document or the AWS CLI output {"Policy": "<string>"}; rejects what is neither', () => {
  expect(parseCurrentPolicy(JSON.stringify(consolePolicy), 'p.json')).toHaveLength(6);
  expect(parseCurrentPolicy(JSON.stringify({ Policy: JSON.stringify(consolePolicy) }), 'p.json')).toHaveLength(6);
  expect(parseCurrentPolicy(JSON.stringify({ Statement: consolePolicy.Statement[0] }), 'p.json')).toHaveLength(1);
  expect(() => parseCurrentPolicy('{not json', 'p.json')).toThrow(
    /p.json: not JSON .*aws s3api get-bucket-policy --bucket <name> --query Policy --output text > p.json/,
  );
  expect(() => parseCurrentPolicy('{"Version":"2012-10-17"}', 'p.json')).toThrow(/p.json: no policy document \(an object with a Statement list\)/);
  expect(() => parseCurrentPolicy('{"Statement":["x"]}', 'p.json')).toThrow(/no policy document/);
});

test('arguments: --current-policy, --current-key-policy and one config file, in any order', () => {
  expect(parseArgs(['--current-policy', 'p.json', 'c.yaml'])).toEqual({ currentPolicy: 'p.json', configFile: 'c.yaml' });
  expect(parseArgs(['c.yaml', '--current-key-policy', 'k.json'])).toEqual({ configFile: 'c.yaml', currentKeyPolicy: 'k.json' });
  expect(() => parseArgs(['--current-policy'])).toThrow('--current-policy needs a value (<file>)');
  expect(() => parseArgs(['--currnt-policy', 'p.json'])).toThrow(
    /unknown option --currnt-policy \(did you mean --current-policy\?\); options: --current-policy <file>, --current-key-policy <file>/,
  );
  expect(() => parseArgs(['a.yaml', 'b.yaml'])).toThrow('too many arguments: b.yaml (check-config takes [file])');
});

test('the key policy: the console key policy root admin and CloudTrail statements are replaced, others dropped unless kept', () => {
  const config = configOf(rawWith(() => undefined));
  const keyPolicy = {
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Allow CloudTrail to encrypt logs', Effect: 'Allow', Principal: ct, Action: 'kms:GenerateDataKey*', Resource: '*' },
      { Sid: 'Allow alias creation during setup', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:CreateAlias', Resource: '*' },
    ],
  };
  const out = currentPolicyReport(config, { currentKeyPolicy: 'key.json' }, () => JSON.stringify({ Policy: JSON.stringify(keyPolicy) }));
  expect(out).toMatch(/central key policy \(key.json\): 3 statement\(s\) today/);
  expect(out).toMatch(/replaced +Enable IAM User Permissions /);
  expect(out).toMatch(/replaced +Allow CloudTrail to encrypt logs /);
  expect(out).toMatch(/dropped +Allow alias creation during setup +DROPPED: .*central.kmsKey.extraStatements/);
  expect(out).toMatch(/1 statement\(s\) would be dropped by the apply/);
});

test('npm run check-config -- --current-policy prints the fates after the report and exits 1 when statements would be dropped (0 with --allow-unsafe); a missing file exits 2', () => {
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'current-policy-'));
  const configFile = path.join(dir, 'config.json');
  const policyFile = path.join(dir, 'policy.json');
  writeFileSync(configFile, JSON.stringify(keepConfig));
  writeFileSync(policyFile, JSON.stringify({ Policy: JSON.stringify(consolePolicy) }));
  const script = path.join(ROOT, 'dist', 'cli', 'main.js');
  const run = spawnSync(process.execPath, [script, 'check-config', '--current-policy', policyFile, configFile], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(1);
  const lines = run.stdout.split('\n');
  expect(run.stdout).toContain(`bucket policy of my-bucket (${policyFile}): 6 statement(s) today`);
  expect(lines.find((l) => l.includes('ELBAccessLogs'))).toMatch(/^ {2}dropped +ELBAccessLogs +DROPPED/);
  expect(lines.find((l) => l.includes('AWSConfigBucketPermissionsCheck') && !l.includes('added'))).toMatch(
    /^ {2}kept +AWSConfigBucketPermissionsCheck +kept verbatim/,
  );
  // The default config does not list 111111111111, whose console trail the current policy admits.
  expect(lines.find((l) => l.includes('AWSCloudTrailWrite20150319'))).toMatch(/^ {2}dropped +AWSCloudTrailWrite20150319 +DROPPED: it admits account 111111111111/);
  expect(run.stdout).toMatch(/ {2}2 statement\(s\) would be dropped by the apply\n\n2 current statement\(s\) would be dropped: keep them in extraStatements, or pass --allow-unsafe to proceed anyway\n$/);
  const allowed = spawnSync(process.execPath, [script, 'check-config', '--current-policy', policyFile, '--allow-unsafe', configFile], { encoding: 'utf8' });
  expect(allowed.status).toBe(0);
  expect(allowed.stdout).toContain('2 current statement(s) would be dropped; proceeding anyway (--allow-unsafe)');
  const json = spawnSync(process.execPath, [script, 'check-config', '--current-policy', policyFile, '--json', configFile], { encoding: 'utf8' });
  expect(json.status).toBe(1);
  const doc = JSON.parse(json.stdout);
  expect(doc.dropped).toBe(2);
  expect(doc.currentPolicies[0].statements.filter((c: { fate: string }) => c.fate === 'dropped').map((c: { sid: string }) => c.sid)).toEqual(['AWSCloudTrailWrite20150319', 'ELBAccessLogs']);

  const missing = spawnSync(process.execPath, [script, 'check-config', '--current-policy', path.join(dir, 'nope.json'), configFile], { encoding: 'utf8' });
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/cannot read the current policy .*nope.json: ENOENT.*; save it first \(aws s3api get-bucket-policy/);
});

describe("the console's CloudTrail statements of the first account's trail (the AWS template)", () => {
  const trail = 'arn:aws:cloudtrail:us-east-2:111111111111:trail/my-trail';
  const template = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck20150319',
        Effect: 'Allow',
        Principal: ct,
        Action: 's3:GetBucketAcl',
        Resource: 'arn:aws:s3:::my-bucket',
        Condition: { StringEquals: { 'AWS:SourceArn': trail } },
      },
      {
        Sid: 'AWSCloudTrailWrite20150319',
        Effect: 'Allow',
        Principal: ct,
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::my-bucket/AWSLogs/111111111111/*',
        Condition: { StringEquals: { 'AWS:SourceArn': trail, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
      consolePolicy.Statement[2],
      consolePolicy.Statement[3],
    ],
  };
  const report = (change: (r: any) => void, policy: object = template, args: object = { currentPolicy: 'p.json' }) =>
    currentPolicyReport(configOf(rawWith(change)), args, () => JSON.stringify({ Policy: JSON.stringify(policy) }));
  const fate = (out: string, sid: string) => out.split('\n').find((l) => l.trimStart().split(/ +/)[1] === sid);
  const listFirst = (r: any) => {
    r.central.adopt = true;
    r.accounts.unshift({ accountId: '111111111111', adopt: true, kmsKey: 'none' });
  };

  test('are replaced when the config lists that trail', () => {
    const out = report(listFirst);
    expect(fate(out, 'AWSCloudTrailAclCheck20150319')).toMatch(/^ {2}replaced /);
    expect(fate(out, 'AWSCloudTrailWrite20150319')).toMatch(/^ {2}replaced /);
  });

  test('are DROPPED, naming the trail that would stop delivering, when the config forgets it', () => {
    const out = report((r) => (r.central.adopt = true));
    expect(fate(out, 'AWSCloudTrailAclCheck20150319')).toMatch(
      /^ {2}dropped +AWSCloudTrailAclCheck20150319 +DROPPED: it admits trail arn:aws:cloudtrail:us-east-2:111111111111:trail\/my-trail, which no configured trail covers, so that trail stops delivering; add the account and trail to accounts \(adopt: true for an existing trail\), or copy the statement into central.bucketPolicy.extraStatements/,
    );
    expect(fate(out, 'AWSCloudTrailWrite20150319')).toMatch(/DROPPED: it admits trail .*my-trail, account 111111111111 \(arn:aws:s3:::my-bucket\/AWSLogs\/111111111111\/\*\)/);
    expect(out).toMatch(/4 statement\(s\) would be dropped by the apply/);
  });

  test('a trail of the same name in another region is not the same trail', () => {
    const out = report((r) => r.accounts.unshift({ accountId: '111111111111', region: 'us-west-2', kmsKey: 'none' }));
    expect(fate(out, 'AWSCloudTrailAclCheck20150319')).toMatch(/^ {2}dropped .*trail arn:aws:cloudtrail:us-east-2:111111111111:trail\/my-trail/);
    // The account's folder is still admitted (for its us-west-2 trail), so only the trail is named.
    expect(fate(out, 'AWSCloudTrailWrite20150319')).not.toMatch(/account 111111111111/);
  });

  test('a wildcard source ARN or a source account is judged by its account', () => {
    const wide = { ...template.Statement[1], Sid: 'Wide', Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:333333333333:trail/*' } } };
    const byAccount = {
      ...template.Statement[1],
      Sid: 'ByAccount',
      Resource: 'arn:aws:s3:::my-bucket/AWSLogs/*',
      Condition: { StringEquals: { 'aws:SourceAccount': ['222222222222', '444444444444'] } },
    };
    const ours = {
      ...wide,
      Sid: 'Ours',
      Resource: 'arn:aws:s3:::my-bucket/AWSLogs/222222222222/*',
      Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:222222222222:trail/*' } },
    };
    const out = report(() => undefined, { Statement: [wide, byAccount, ours] });
    expect(fate(out, 'Wide')).toMatch(/DROPPED: it admits trail arn:aws:cloudtrail:\*:333333333333:trail\/\*, account 111111111111/);
    expect(fate(out, 'ByAccount')).toMatch(/DROPPED: it admits account 444444444444,/);
    expect(fate(out, 'Ours')).toMatch(/^ {2}replaced /);
  });

  test("the console key policy's CloudTrail statement for a forgotten trail is DROPPED too", () => {
    const keyPolicy = {
      Statement: [
        {
          Sid: 'Allow CloudTrail to encrypt logs',
          Effect: 'Allow',
          Principal: ct,
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            StringEquals: { 'AWS:SourceArn': trail },
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:111111111111:trail/*' },
          },
        },
      ],
    };
    const forgotten = report(() => undefined, keyPolicy, { currentKeyPolicy: 'k.json' });
    expect(fate(forgotten, 'Allow')).toMatch(
      /DROPPED: it admits trail arn:aws:cloudtrail:us-east-2:111111111111:trail\/my-trail, trail arn:aws:cloudtrail:\*:111111111111:trail\/\*, .*central.kmsKey.extraStatements/,
    );
    expect(fate(report(listFirst, keyPolicy, { currentKeyPolicy: 'k.json' }), 'Allow')).toMatch(/^ {2}replaced /);
  });
});
