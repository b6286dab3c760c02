/**
 * `npm run check-config -- --current-policy policy.json`: which Sids of the
 * bucket's policy today the apply replaces, keeps or drops.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { currentPolicyReport, parseArgs } from '../../scripts/check-config';
import { parseCurrentPolicy, policyDiff } from '../../modules/policies/policy-diff';
import { fleetPolicies } from '../../modules/policies/fleet-policies';
import { configOf, rawWith, ROOT } from '../helpers/fleet';

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
  expect(() => parseArgs(['--current-policy'])).toThrow(/--current-policy needs a file/);
  expect(() => parseArgs(['--currnt-policy', 'p.json'])).toThrow(
    /unknown option --currnt-policy; options: --current-policy <file>, --current-key-policy <file>/,
  );
  expect(() => parseArgs(['a.yaml', 'b.yaml'])).toThrow(/one config file only/);
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

test('npm run check-config -- --current-policy prints the fates after the report; a missing file exits 1', () => {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'app.js'), '--build-only'], { cwd: ROOT });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'current-policy-'));
  const configFile = path.join(dir, 'config.json');
  const policyFile = path.join(dir, 'policy.json');
  writeFileSync(configFile, JSON.stringify(keepConfig));
  writeFileSync(policyFile, JSON.stringify({ Policy: JSON.stringify(consolePolicy) }));
  const script = path.join(ROOT, 'dist', 'scripts', 'check-config.js');
  const run = spawnSync(process.execPath, [script, '--current-policy', policyFile, configFile], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const lines = run.stdout.split('\n');
  expect(run.stdout).toContain(`bucket policy of my-bucket (${policyFile}): 6 statement(s) today`);
  expect(lines.find((l) => l.includes('ELBAccessLogs'))).toMatch(/^ {2}dropped +ELBAccessLogs +DROPPED/);
  expect(lines.find((l) => l.includes('AWSConfigBucketPermissionsCheck') && !l.includes('added'))).toMatch(
    /^ {2}kept +AWSConfigBucketPermissionsCheck +kept verbatim/,
  );
  expect(run.stdout).toMatch(/ {2}1 statement\(s\) would be dropped by the apply\n$/);

  const missing = spawnSync(process.execPath, [script, '--current-policy', path.join(dir, 'nope.json'), configFile], { encoding: 'utf8' });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/cannot read the current policy .*nope.json: ENOENT.*; save it first \(aws s3api get-bucket-policy/);
});
