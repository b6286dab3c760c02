/**
 * What the central policies *do* at fleet scale, evaluated with the test IAM
 * evaluator (helpers/iam-evaluator.ts) rather than read for their shape:
 * every sampled account's trail can deliver into its own folder and nowhere
 * else, at 1, 100 and 1,000 accounts, whichever encoding the size forced.
 *
 * Which encoding admits a trail name that is not in the config, in an
 * account that is (documented here, asserted below):
 * - bucket `per-account` and `per-prefix-trail-arns`: no (exact trail ARNs);
 * - bucket `per-prefix-source-account`: yes, into that account's own folder
 *   only (scoped by `aws:SourceAccount`: the account owns both the trail and
 *   the folder);
 * - key `per-trail`: no; key `per-account`: yes, for its own account's
 *   encryption context only.
 * And a trail asking for an encryption context that names another
 * *configured* account's trail: `per-trail` admits it (its two ARN lists are
 * fleet-wide, not paired; CloudTrail itself always sends its own ARN),
 * `per-account` denies it.
 */
import { unescapeTemplateText } from '../../../modules/terraform-text';
import { Testing } from 'cdktf';
import type { FleetConfig } from '../../../config/model';
import { CentralStack } from '../../../stacks/central-stack';
import { bucketPolicy } from '../../../modules/policies/bucket-policy';
import { centralKeyPolicy } from '../../../modules/policies/key-policies';
import { fleetPolicies } from '../../../modules/policies/fleet-policies';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES, PolicyDocument, renderPolicy } from '../../../modules/policies/document';
import { trailArn } from '../../../modules/arns';
import { configOf, issuesOf, onlyResource } from '../../helpers/fleet';
import { evaluate, IamRequest, isAllowed } from '../../helpers/iam-evaluator';

// ---------------------------------------------------------------- fleet configs

const CENTRAL = '111111111111';
const REGION = 'us-east-2';
const BUCKET = 'my-bucket';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY_ARN = `arn:aws:kms:${REGION}:${CENTRAL}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ORG = 'o-exampleorgid';
const TRAIL = 'my-trail';
const CT = 'cloudtrail.amazonaws.com';
/** An account that no config below lists. */
const STRANGER = '999999999999';

/** Deterministic, distinct, 12-digit account ids (never the central account or the stranger). */
const accountId = (i: number): string => String(300_000_000_000 + i * 7_919);

interface FleetOptions {
  /** One prefix for every account (defaults.prefix). */
  readonly prefix?: string;
  /** Distinct prefixes `team-0` .. `team-<n-1>`, assigned round-robin. */
  readonly prefixes?: number;
  /** Adds an organization trail in the management (central) account. */
  readonly organizationTrail?: boolean;
  readonly decryptPrincipals?: string[];
}

function fleetRaw(n: number, o: FleetOptions = {}): any {
  const accounts: any[] = Array.from({ length: n }, (_, i) => ({ accountId: accountId(i), ...(o.prefixes ? { prefix: `team-${i % o.prefixes}` } : {}) }));
  if (o.organizationTrail) accounts.push({ accountId: CENTRAL, trailName: 'org-trail', organizationTrail: true });
  return {
    ...(o.organizationTrail ? { organization: { id: ORG, managementAccountId: CENTRAL } } : {}),
    central: { accountId: CENTRAL, region: REGION, bucketName: BUCKET, ...(o.decryptPrincipals ? { kmsKey: { decryptPrincipals: o.decryptPrincipals } } : {}) },
    defaults: { trailName: TRAIL, ...(o.prefix ? { prefix: o.prefix } : {}) },
    accounts,
  };
}

/** The trails of fleetRaw(n), as the policy builders take them. */
const trailRefs = (n: number, prefix?: string) => Array.from({ length: n }, (_, i) => ({ accountId: accountId(i), region: REGION, trailName: TRAIL, prefix }));

/** Samples of account positions: first, middle, last, and a few seeded-random ones. */
function samples(n: number, random = 3, seed = 20261124): number[] {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const picks = new Set([0, Math.floor(n / 2), n - 1]);
  for (let i = 0; i < random; i++) picks.add(Math.floor(next() * n));
  return [...picks].sort((a, b) => a - b);
}

/** The central stack's bucket and key policies as Terraform would get them (parsed from the synthesized JSON). */
function centralStackPolicies(config: FleetConfig): { bucket: PolicyDocument; bucketJson: string; key?: PolicyDocument; keyJson?: string; outputs: any } {
  const stack = JSON.parse(Testing.synth(new CentralStack(Testing.app(), config)));
  // What AWS receives: Terraform turns the escapes ($${aws:SourceAccount}) back into policy variables.
  const bucketJson: string = unescapeTemplateText(onlyResource(stack, 'aws_s3_bucket_policy').policy);
  const keyJson: string | undefined = stack.resource.aws_kms_key ? unescapeTemplateText(onlyResource(stack, 'aws_kms_key').policy) : undefined;
  return { bucket: JSON.parse(bucketJson), bucketJson, key: keyJson ? JSON.parse(keyJson) : undefined, keyJson, outputs: stack.output };
}

// ---------------------------------------------------------------- requests

const folder = (prefix: string | undefined, owner: string) => `${prefix ? `${prefix}/` : ''}AWSLogs/${owner}/`;
const logObject = (prefix: string | undefined, owner: string) => `${BUCKET_ARN}/${folder(prefix, owner)}CloudTrail/us-east-2/2026/11/24/x.json.gz`;

interface Caller {
  /** Account that owns the trail (aws:SourceAccount). */
  readonly account: string;
  readonly trailName?: string;
}
const arnOfTrail = (c: Caller) => trailArn('aws', REGION, c.account, c.trailName ?? TRAIL);

function putObject(c: Caller, objectArn: string, context: IamRequest['context'] = {}): IamRequest {
  return {
    principal: { service: CT },
    action: 's3:PutObject',
    resource: objectArn,
    context: {
      'aws:SourceArn': arnOfTrail(c),
      'aws:SourceAccount': c.account,
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SecureTransport': 'true',
      ...context,
    },
  };
}

function getBucketAcl(c: Caller): IamRequest {
  return {
    principal: { service: CT },
    action: 's3:GetBucketAcl',
    resource: BUCKET_ARN,
    context: { 'aws:SourceArn': arnOfTrail(c), 'aws:SourceAccount': c.account, 'aws:SecureTransport': 'true' },
  };
}

function generateDataKey(c: Caller, contextTrailArn = arnOfTrail(c), action = 'kms:GenerateDataKey'): IamRequest {
  return {
    principal: { service: CT },
    action,
    resource: KEY_ARN,
    context: { 'aws:SourceArn': arnOfTrail(c), 'aws:SourceAccount': c.account, 'kms:EncryptionContext:aws:cloudtrail:arn': contextTrailArn },
  };
}

/** S3 using the bucket's default SSE-KMS key for a trail that names no key (bucket key: context = bucket ARN). */
function viaS3(c: Caller, s3Context = BUCKET_ARN, region = REGION, action = 'kms:GenerateDataKey'): IamRequest {
  return {
    principal: { service: CT },
    action,
    resource: KEY_ARN,
    context: {
      'aws:SourceArn': arnOfTrail(c),
      'aws:SourceAccount': c.account,
      'kms:ViaService': `s3.${region}.amazonaws.com`,
      'kms:EncryptionContext:aws:s3:arn': s3Context,
    },
  };
}

/** An account stack's data "aws_kms_key" lookup, made with that account's deploy role. */
function describeKeyFrom(account: string): IamRequest {
  return {
    principal: { aws: `arn:aws:iam::${account}:role/TerraformDeploy` },
    action: 'kms:DescribeKey',
    resource: KEY_ARN,
    context: { 'aws:PrincipalAccount': account },
  };
}

// ---------------------------------------------------------------- shared checks

/** The bucket policy confines the trail of account `i` to its own folder. */
function expectBucketIsolation(bucket: PolicyDocument, config: FleetConfig, i: number, n: number) {
  const me: Caller = { account: accountId(i) };
  const myPrefix = config.trails.find((t) => t.accountId === me.account)!.prefix;
  const neighbour = accountId((i + 1) % n === i ? i + 1 : (i + 1) % n);
  const mine = logObject(myPrefix, me.account);

  // Delivers into its own folder (log files, digests, Insights), and checks the bucket ACL.
  expect(evaluate(bucket, putObject(me, mine)).decision).toBe('Allow');
  expect(isAllowed(bucket, putObject(me, `${BUCKET_ARN}/${folder(myPrefix, me.account)}CloudTrail-Digest/us-east-2/2026/11/24/d.json.gz`))).toBe(true);
  expect(isAllowed(bucket, getBucketAcl(me))).toBe(true);

  // Nowhere else: a neighbour's folder, the bucket root, another prefix, no prefix.
  expect(isAllowed(bucket, putObject(me, logObject(myPrefix, neighbour)))).toBe(false);
  expect(isAllowed(bucket, putObject(me, `${BUCKET_ARN}/x.json.gz`))).toBe(false);
  expect(isAllowed(bucket, putObject(me, logObject('elsewhere', me.account)))).toBe(false);
  if (myPrefix) expect(isAllowed(bucket, putObject(me, logObject(undefined, me.account)))).toBe(false);

  // Only with the bucket-owner-full-control ACL header, and only over TLS.
  expect(isAllowed(bucket, putObject(me, mine, { 's3:x-amz-acl': undefined }))).toBe(false);
  expect(isAllowed(bucket, putObject(me, mine, { 's3:x-amz-acl': 'private' }))).toBe(false);
  expect(evaluate(bucket, putObject(me, mine, { 'aws:SecureTransport': 'false' })).decision).toBe('ExplicitDeny');
  expect(evaluate(bucket, { ...getBucketAcl(me), context: { ...getBucketAcl(me).context, 'aws:SecureTransport': 'false' } }).decision).toBe('ExplicitDeny');

  // Another principal of the same account gets nothing from this policy.
  expect(isAllowed(bucket, { ...putObject(me, mine), principal: { aws: `arn:aws:iam::${me.account}:role/Admin` } })).toBe(false);
}

/** An account that is not configured cannot deliver at all: not into its own folder, not into a configured one. */
function expectStrangerShutOut(bucket: PolicyDocument, prefix: string | undefined) {
  const stranger: Caller = { account: STRANGER };
  expect(isAllowed(bucket, putObject(stranger, logObject(prefix, STRANGER)))).toBe(false);
  expect(isAllowed(bucket, putObject(stranger, logObject(prefix, accountId(0))))).toBe(false);
  expect(isAllowed(bucket, getBucketAcl(stranger))).toBe(false);
}

/** The central key lets each sampled account's trail encrypt for itself only. */
function expectKeyIsolation(key: PolicyDocument, i: number, n: number, encoding: string) {
  const me: Caller = { account: accountId(i) };
  const neighbour: Caller = { account: accountId((i + 1) % n === i ? i + 1 : (i + 1) % n) };

  expect(evaluate(key, generateDataKey(me)).decision).toBe('Allow');
  expect(isAllowed(key, generateDataKey(me, arnOfTrail(me), 'kms:GenerateDataKeyWithoutPlaintext'))).toBe(true);
  expect(isAllowed(key, { ...generateDataKey(me), action: 'kms:DescribeKey' })).toBe(true);
  // The account stack's key lookup.
  expect(isAllowed(key, describeKeyFrom(me.account))).toBe(true);

  // A context naming a trail of an account that is not configured.
  expect(isAllowed(key, generateDataKey(me, arnOfTrail({ account: STRANGER })))).toBe(false);
  // A context naming a configured neighbour's trail: see the header.
  if (n > 1) expect(isAllowed(key, generateDataKey(me, arnOfTrail(neighbour)))).toBe(encoding === 'per-trail');
  // No context at all (not through S3).
  expect(isAllowed(key, { ...generateDataKey(me), context: { ...generateDataKey(me).context, 'kms:EncryptionContext:aws:cloudtrail:arn': undefined } })).toBe(
    false,
  );

  // CloudTrail's SSE-KMS through S3 with a trail context: the same rule as direct calls.
  const viaS3WithTrail = (trail: string) => ({ ...viaS3(me), context: { ...viaS3(me).context, 'kms:EncryptionContext:aws:cloudtrail:arn': trail } });
  expect(isAllowed(key, viaS3WithTrail(arnOfTrail(me)))).toBe(true);
  expect(isAllowed(key, viaS3WithTrail(arnOfTrail({ account: STRANGER })))).toBe(encoding === 'per-trail');
  if (n > 1) expect(isAllowed(key, viaS3WithTrail(arnOfTrail(neighbour)))).toBe(encoding === 'per-trail');

  // The S3 default-encryption path (a trail with kmsKey: none writing into the bucket).
  expect(isAllowed(key, viaS3(me))).toBe(true);
  expect(isAllowed(key, viaS3(me, `${BUCKET_ARN}/AWSLogs/${me.account}/CloudTrail/x.json.gz`))).toBe(true);
  expect(isAllowed(key, viaS3(me, BUCKET_ARN, REGION, 'kms:Decrypt'))).toBe(true);
  expect(isAllowed(key, viaS3(me, 'arn:aws:s3:::another-bucket'))).toBe(encoding === 'per-account');
  expect(isAllowed(key, viaS3(me, BUCKET_ARN, 'eu-west-1'))).toBe(false);
}

function expectStrangerShutOutOfKey(key: PolicyDocument) {
  const stranger: Caller = { account: STRANGER };
  expect(isAllowed(key, generateDataKey(stranger))).toBe(false);
  expect(isAllowed(key, generateDataKey(stranger, arnOfTrail({ account: accountId(0) })))).toBe(false);
  expect(isAllowed(key, { ...generateDataKey(stranger), action: 'kms:DescribeKey' })).toBe(false);
  expect(isAllowed(key, describeKeyFrom(STRANGER))).toBe(false);
  // Through S3 it may only touch this bucket's objects, whose writers the bucket policy already limits.
  expect(isAllowed(key, viaS3(stranger, 'arn:aws:s3:::another-bucket'))).toBe(false);
}

// ---------------------------------------------------------------- the fleets

describe.each([
  // n, bucket encoding, key encoding
  [1, 'per-account', 'per-trail'],
  [100, 'per-prefix-trail-arns', 'per-trail'],
  [1000, 'per-prefix-source-account', 'per-account'],
])('%i accounts sharing one prefix', (n, bucketEncoding, keyEncoding) => {
  const config = configOf(fleetRaw(n, { prefix: 'fleet' }));
  const policies = fleetPolicies(config);
  const synthesized = centralStackPolicies(config);
  const bucket = synthesized.bucket;
  const key = synthesized.key!;

  test(`the bucket policy uses ${bucketEncoding}, fits in 20 KB, and is what the central stack deploys`, () => {
    expect(policies.bucket.encoding).toBe(bucketEncoding);
    expect(policies.bucket.fits).toBe(true);
    expect(Buffer.byteLength(synthesized.bucketJson, 'utf8')).toBe(policies.bucket.bytes);
    expect(policies.bucket.bytes).toBeLessThanOrEqual(BUCKET_POLICY_LIMIT_BYTES);
    expect(synthesized.bucketJson).toBe(renderPolicy(policies.bucket.document));
    expect(synthesized.outputs.bucket_policy_bytes.value).toBe(policies.bucket.bytes);
  });

  test(`the central key policy uses ${keyEncoding} and fits in 32 KB`, () => {
    expect(policies.centralKey!.encoding).toBe(keyEncoding);
    expect(policies.centralKey!.bytes).toBeLessThanOrEqual(KEY_POLICY_LIMIT_BYTES);
    expect(Buffer.byteLength(synthesized.keyJson!, 'utf8')).toBe(policies.centralKey!.bytes);
  });

  test.each(samples(n))('account #%i delivers only into its own folder', (i) => {
    expectBucketIsolation(bucket, config, i, n);
  });

  test('an account that is not in the config cannot deliver', () => {
    expectStrangerShutOut(bucket, 'fleet');
  });

  test(`a trail name that is not in the config, in a configured account: ${bucketEncoding === 'per-prefix-source-account' ? 'admitted, own folder only' : 'refused'}`, () => {
    const rogue: Caller = { account: accountId(0), trailName: 'unlisted-trail' };
    const admitted = bucketEncoding === 'per-prefix-source-account';
    expect(isAllowed(bucket, putObject(rogue, logObject('fleet', rogue.account)))).toBe(admitted);
    expect(isAllowed(bucket, getBucketAcl(rogue))).toBe(admitted);
    // Never into another account's folder (a neighbour, or with one account, an unconfigured one).
    expect(isAllowed(bucket, putObject(rogue, logObject('fleet', accountId(1))))).toBe(false);
  });

  test.each(samples(n))('account #%i encrypts with the central key for its own trail only', (i) => {
    expectKeyIsolation(key, i, n, keyEncoding);
  });

  test('an account that is not in the config cannot use the central key', () => {
    expectStrangerShutOutOfKey(key);
  });

  test(`the central key and a trail name that is not in the config: ${keyEncoding === 'per-account' ? 'admitted for its own account' : 'refused'}`, () => {
    const rogue: Caller = { account: accountId(0), trailName: 'unlisted-trail' };
    expect(isAllowed(key, generateDataKey(rogue))).toBe(keyEncoding === 'per-account');
  });

  test('the policy evaluated is the one bucketPolicy() builds from the trails', () => {
    const direct = bucketPolicy({ partition: 'aws', bucketName: BUCKET, trails: config.trails });
    expect(direct.document).toEqual(bucket);
    const i = n - 1;
    expect(isAllowed(direct.document, putObject({ account: accountId(i) }, logObject('fleet', accountId(i))))).toBe(true);
  });
});

describe('no prefix at all: logs go to AWSLogs/<account>/ at the bucket root', () => {
  test.each([1, 100, 1000])('%i accounts', (n) => {
    const config = configOf(fleetRaw(n));
    const { bucket } = fleetPolicies(config);
    expect(bucket.bytes).toBeLessThanOrEqual(BUCKET_POLICY_LIMIT_BYTES);
    for (const i of samples(n)) expectBucketIsolation(bucket.document, config, i, n);
    expectStrangerShutOut(bucket.document, undefined);
  });
});

describe('several distinct prefixes', () => {
  test.each([
    [100, 4, 'per-prefix-trail-arns'],
    [1000, 4, 'per-prefix-source-account'],
  ])('%i accounts over %i prefixes (%s): nobody writes under another prefix', (n, prefixes, encoding) => {
    const config = configOf(fleetRaw(n, { prefixes }));
    const { bucket } = fleetPolicies(config);
    expect(bucket.encoding).toBe(encoding);
    expect(bucket.bytes).toBeLessThanOrEqual(BUCKET_POLICY_LIMIT_BYTES);
    for (const i of samples(n)) {
      expectBucketIsolation(bucket.document, config, i, n);
      const me: Caller = { account: accountId(i) };
      const mine = i % prefixes;
      for (let p = 0; p < prefixes; p++) {
        // Its own account folder, under every other team's prefix.
        expect(isAllowed(bucket.document, putObject(me, logObject(`team-${p}`, me.account)))).toBe(p === mine);
      }
      // A neighbour on the same prefix is still out of reach.
      const sameTeam = accountId((i + prefixes) % n);
      if (sameTeam !== me.account) expect(isAllowed(bucket.document, putObject(me, logObject(`team-${mine}`, sameTeam)))).toBe(false);
    }
  });

  test('10 accounts over 3 prefixes fit the AWS-documented per-account form', () => {
    const config = configOf(fleetRaw(10, { prefixes: 3 }));
    const { bucket } = fleetPolicies(config);
    expect(bucket.encoding).toBe('per-account');
    for (const i of samples(10)) expectBucketIsolation(bucket.document, config, i, 10);
    expect(isAllowed(bucket.document, putObject({ account: accountId(0) }, logObject('team-1', accountId(0))))).toBe(false);
  });
});

describe.each([1, 1000])('an organization trail beside %i member account trails', (n) => {
  const config = configOf(fleetRaw(n, { prefix: 'fleet', organizationTrail: true }));
  const { bucket, centralKey } = fleetPolicies(config);
  const org: Caller = { account: CENTRAL, trailName: 'org-trail' };

  test('fits', () => {
    expect(bucket.bytes).toBeLessThanOrEqual(BUCKET_POLICY_LIMIT_BYTES);
    expect(centralKey!.bytes).toBeLessThanOrEqual(KEY_POLICY_LIMIT_BYTES);
  });

  test("the organization trail delivers every member's logs under AWSLogs/<org id>/, and the management account's own", () => {
    for (const member of [accountId(0), accountId(n - 1), STRANGER]) {
      expect(isAllowed(bucket.document, putObject(org, `${BUCKET_ARN}/fleet/AWSLogs/${ORG}/${member}/CloudTrail/us-east-2/2026/11/24/x.json.gz`))).toBe(true);
    }
    expect(isAllowed(bucket.document, putObject(org, logObject('fleet', CENTRAL)))).toBe(true);
    expect(isAllowed(bucket.document, getBucketAcl(org))).toBe(true);
    expect(isAllowed(bucket.document, putObject(org, `${BUCKET_ARN}/fleet/AWSLogs/${ORG}/x`, { 's3:x-amz-acl': undefined }))).toBe(false);
    // Not into a member account's own (non-organization) folder.
    expect(isAllowed(bucket.document, putObject(org, logObject('fleet', accountId(0))))).toBe(false);
    // Its log files are encrypted with the central key for itself.
    expect(isAllowed(centralKey!.document, generateDataKey(org))).toBe(true);
  });

  test('no other trail writes into the organization folder', () => {
    const orgObject = `${BUCKET_ARN}/fleet/AWSLogs/${ORG}/${accountId(0)}/CloudTrail/us-east-2/2026/11/24/x.json.gz`;
    expect(isAllowed(bucket.document, putObject({ account: accountId(0) }, orgObject))).toBe(false);
    expect(isAllowed(bucket.document, putObject({ account: CENTRAL, trailName: 'other-trail' }, orgObject))).toBe(false);
    expect(isAllowed(bucket.document, putObject({ account: STRANGER }, orgObject))).toBe(false);
  });

  test.each(samples(n))('member #%i still delivers only into its own folder', (i) => {
    expectBucketIsolation(bucket.document, config, i, n);
  });
});

describe('log readers of the central key', () => {
  test('decrypt only CloudTrail log files (encryption context present)', () => {
    // A reader outside the central account (whose root, the key's administrator, can delegate anything to its own roles).
    const reader = 'arn:aws:iam::444444444444:role/SecurityAudit';
    const { centralKey } = fleetPolicies(configOf(fleetRaw(1000, { prefix: 'fleet', decryptPrincipals: [reader] })));
    const decrypt = (context: IamRequest['context'], aws = reader): IamRequest => ({ principal: { aws }, action: 'kms:Decrypt', resource: KEY_ARN, context });
    const logContext = { 'kms:EncryptionContext:aws:cloudtrail:arn': arnOfTrail({ account: accountId(5) }) };
    expect(isAllowed(centralKey!.document, decrypt(logContext))).toBe(true);
    expect(isAllowed(centralKey!.document, decrypt({}))).toBe(false);
    expect(isAllowed(centralKey!.document, decrypt(logContext, `arn:aws:iam::${accountId(5)}:role/SecurityAudit`))).toBe(false);
  });
});

// ---------------------------------------------------------------- when nothing fits

describe('a fleet that no encoding fits is rejected with its size and a way out', () => {
  test('1,000 accounts with a prefix each: share prefixes', () => {
    const issues = issuesOf(fleetRaw(1000, { prefixes: 1000 }));
    expect(issues).toEqual([
      {
        path: 'accounts',
        message: expect.stringMatching(
          /^the bucket policy for 1000 accounts and 1000 trails needs \d+ bytes even in its most compact form, over the S3 limit of 20480; its 1000 distinct prefixes add a statement each \(about \d+ bytes\): with one shared prefix it would need \d+ bytes; let accounts share prefixes \(about \d+ distinct prefixes fit\)$/,
        ),
      },
    ]);
    const [, bytes, shared, fit] = /needs (\d+) bytes.*would need (\d+) bytes.*about (\d+) distinct prefixes fit/.exec(issues[0].message)!.map(Number);
    expect(bytes).toBeGreaterThan(BUCKET_POLICY_LIMIT_BYTES);
    expect(shared).toBeLessThanOrEqual(BUCKET_POLICY_LIMIT_BYTES);
    // The suggestion holds: that many prefixes fit, one more does not.
    const withPrefixes = (k: number) =>
      bucketPolicy({ partition: 'aws', bucketName: BUCKET, trails: trailRefs(1000).map((t, i) => ({ ...t, prefix: `team-${i % k}` })) });
    expect(withPrefixes(fit).fits).toBe(true);
    expect(withPrefixes(fit + 1).fits).toBe(false);
  });

  test('1,100 accounts: the bucket policy still fits, the central key policy does not', () => {
    const issues = issuesOf(fleetRaw(1100, { prefix: 'fleet' }));
    expect(issues).toEqual([
      {
        path: 'central.kmsKey',
        message: expect.stringMatching(
          /^the central key policy for 1100 accounts needs \d+ bytes even in its most compact form, over the KMS limit of 32768; about \d+ accounts fit on one key: give the other accounts kmsKey: none .* or kmsKey: \{ create: \{ alias: alias\/<name> \} \}/,
        ),
      },
    ]);
    const fit = Number(/about (\d+) accounts fit/.exec(issues[0].message)![1]);
    const key = (k: number) =>
      centralKeyPolicy({ partition: 'aws', centralAccountId: CENTRAL, region: REGION, bucketName: BUCKET, trails: trailRefs(k, 'fleet'), decryptPrincipals: [] });
    // Exact: that many accounts fit, one more does not.
    expect(key(fit).fits).toBe(true);
    expect(key(fit + 1).fits).toBe(false);
    // And the advice works: moving the rest to kmsKey none makes the config valid.
    const raw = fleetRaw(1100, { prefix: 'fleet' });
    raw.accounts.slice(fit).forEach((a: any) => (a.kmsKey = 'none'));
    expect(() => configOf(raw)).not.toThrow();
  });

  test('2,000 accounts: both policies are over, each with its own advice', () => {
    const issues = issuesOf(fleetRaw(2000, { prefix: 'fleet' }));
    expect(issues.map((i) => i.path)).toEqual(['accounts', 'central.kmsKey']);
    expect(issues[0].message).toMatch(
      /^the bucket policy for 2000 accounts and 2000 trails needs \d+ bytes even in its most compact form, over the S3 limit of 20480; about \d+ accounts fit in one bucket policy: split the accounts over several buckets .*or log them with one organization trail/,
    );
    expect(issues[0].message).not.toMatch(/share/);
    expect(issues[1].message).toMatch(/^the central key policy for 2000 accounts needs \d+ bytes/);
    const fit = Number(/about (\d+) accounts fit in one bucket policy/.exec(issues[0].message)![1]);
    expect(bucketPolicy({ partition: 'aws', bucketName: BUCKET, trails: trailRefs(fit, 'fleet') }).fits).toBe(true);
    expect(bucketPolicy({ partition: 'aws', bucketName: BUCKET, trails: trailRefs(fit + 1, 'fleet') }).fits).toBe(false);
  });

  test('many log readers: grant one reader role', () => {
    const readers = Array.from({ length: 800 }, (_, i) => `arn:aws:iam::111111111111:role/LogReader${i}`);
    const issues = issuesOf(fleetRaw(10, { decryptPrincipals: readers }));
    expect(issues).toEqual([
      {
        path: 'central.kmsKey',
        message: expect.stringMatching(/^the central key policy for 10 accounts needs \d+ bytes .* over the KMS limit of 32768; use fewer decryptPrincipals \(800 listed, \d+ bytes\)/),
      },
    ]);
  });
});

describe('central key at 1,500 accounts with an organization', () => {
  const n = 1_500;
  const trails = trailRefs(n);
  const input = { partition: 'aws' as const, centralAccountId: CENTRAL, region: REGION, bucketName: BUCKET, trails, decryptPrincipals: [] };

  test('without an organization it does not fit; with one, lookups go to the organization and it fits', () => {
    expect(centralKeyPolicy(input).fits).toBe(false);
    const withOrg = centralKeyPolicy({ ...input, organizationId: ORG });
    expect(withOrg.encoding).toBe('per-account-org');
    expect(withOrg.fits).toBe(true);
    expect(withOrg.bytes).toBeLessThanOrEqual(KEY_POLICY_LIMIT_BYTES);
  });

  test('the organization encoding is used only when the per-account one does not fit', () => {
    expect(centralKeyPolicy({ ...input, trails: trailRefs(100), organizationId: ORG }).encoding).toBe('per-trail');
    expect(centralKeyPolicy({ ...input, trails: trailRefs(1_000), organizationId: ORG }).encoding).toBe('per-account');
  });

  test('every sampled account still encrypts only for its own trails, and member accounts may look the key up', () => {
    const policy = centralKeyPolicy({ ...input, organizationId: ORG }).document;
    for (const i of samples(n)) {
      const me: Caller = { account: accountId(i) };
      expect(isAllowed(policy, generateDataKey(me))).toBe(true);
      expect(isAllowed(policy, generateDataKey(me, arnOfTrail({ account: accountId((i + 1) % n) })))).toBe(false);
      const lookup = (orgId: string): IamRequest => ({
        principal: { aws: `arn:aws:iam::${me.account}:role/TerraformDeploy` },
        action: 'kms:DescribeKey',
        resource: KEY_ARN,
        context: { 'aws:PrincipalAccount': me.account, 'aws:PrincipalOrgID': orgId },
      });
      expect(isAllowed(policy, lookup(ORG))).toBe(true);
      expect(isAllowed(policy, lookup('o-someotherorg1'))).toBe(false);
    }
    expect(isAllowed(policy, generateDataKey({ account: STRANGER }))).toBe(false);
  });
});

describe('readers (central.kmsKey.decryptPrincipals) read every log file in the bucket', () => {
  // In a security account: principals of the central account are also admitted by the key administration statement.
  const READER = "arn:aws:iam::444444444444:role/SecurityAudit";
  const decrypt = (principal: string, context: IamRequest['context']): IamRequest => ({ principal: { aws: principal }, action: 'kms:Decrypt', resource: KEY_ARN, context });
  const viaS3Context = (s3Arn: string, region = REGION) => ({ 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': s3Arn });

  test.each([1, 100, 1000])('with %i accounts, in every encoding', (n) => {
    const key = centralKeyPolicy({
      partition: 'aws',
      centralAccountId: CENTRAL,
      region: REGION,
      bucketName: BUCKET,
      trails: trailRefs(n, 'fleet'),
      decryptPrincipals: [READER],
    }).document;
    // Files CloudTrail encrypted with its trail ARN as context.
    expect(isAllowed(key, decrypt(READER, { 'kms:EncryptionContext:aws:cloudtrail:arn': arnOfTrail({ account: accountId(0) }) }))).toBe(true);
    // Files that got the bucket's default SSE-KMS (kmsKey: none, digest files), with and without an S3 Bucket Key.
    expect(isAllowed(key, decrypt(READER, viaS3Context(BUCKET_ARN)))).toBe(true);
    expect(isAllowed(key, decrypt(READER, viaS3Context(`${BUCKET_ARN}/AWSLogs/${accountId(0)}/CloudTrail/x.json.gz`)))).toBe(true);
    // Not another bucket's objects, not outside S3, not from another region's S3, not for someone else.
    expect(isAllowed(key, decrypt(READER, viaS3Context('arn:aws:s3:::another-bucket')))).toBe(false);
    expect(isAllowed(key, decrypt(READER, { 'kms:EncryptionContext:aws:s3:arn': BUCKET_ARN }))).toBe(false);
    expect(isAllowed(key, decrypt(READER, viaS3Context(BUCKET_ARN, 'eu-west-1')))).toBe(false);
    expect(isAllowed(key, decrypt(`arn:aws:iam::${STRANGER}:role/SecurityAudit`, viaS3Context(BUCKET_ARN)))).toBe(false);
  });
});
