/**
 * verify against mocked AWS (aws-sdk-client-mock): a healthy fleet reports
 * nothing; a stopped trail, a delivery error, an empty folder, a changed
 * selector, a missing trail, a denied role and throttling are each reported
 * (or retried) as a person needs to act on them.
 */
import { configOf } from '../../../helpers/fleet';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { formatJson, formatTable } from '../../../../cli/lib/verify/report';
import { parseVerifyArgs, runVerify } from '../../../../cli/commands/verify';
import { AwsWorld, FakeTrail } from './aws-world';

const NOW = new Date('2026-11-26T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const OPTIONS = { maxAgeMs: 24 * 3_600_000, concurrency: 4, now: NOW };

const raw = () => ({
  central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: 'arn:aws:iam::111111111111:role/Audit' },
  defaults: { trailName: 'trail-a' },
  accounts: [
    { accountId: '222222222222' },
    {
      accountId: '333333333333',
      trailName: 'trail-b',
      assumeRoleArn: 'arn:aws:iam::333333333333:role/Audit',
      prefix: 'team-b',
      kmsKey: 'none',
      sns: { create: { topicName: 'ct-b' } },
      insights: { apiCallRate: true },
      dataEvents: { s3: { buckets: [{ name: 'data-b' }] } },
    },
  ],
});

/** The two trails as the CloudTrail API describes them when they match the config (written out by hand). */
function healthyWorld(): AwsWorld {
  const world = new AwsWorld();
  const status = { IsLogging: true, LatestDeliveryTime: minutesAgo(7), LatestDigestDeliveryTime: minutesAgo(30), StartLoggingTime: minutesAgo(10_000) };
  world.trails.set('trail-a', {
    trail: {
      Name: 'trail-a',
      S3BucketName: 'my-bucket',
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'us-east-2',
      TrailARN: 'arn:aws:cloudtrail:us-east-2:222222222222:trail/trail-a',
      LogFileValidationEnabled: true,
      KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    },
    status: { ...status },
    eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
  });
  world.trails.set('trail-b', {
    trail: {
      Name: 'trail-b',
      S3BucketName: 'my-bucket',
      S3KeyPrefix: 'team-b',
      SnsTopicName: 'ct-b',
      SnsTopicARN: 'arn:aws:sns:us-east-2:333333333333:ct-b',
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'us-east-2',
      TrailARN: 'arn:aws:cloudtrail:us-east-2:333333333333:trail/trail-b',
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: true,
      HasInsightSelectors: true,
      IsOrganizationTrail: false,
    },
    status: { ...status },
    eventSelectors: [
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::data-b/'] }], ExcludeManagementEventSources: [] },
    ],
    insightTypes: ['ApiCallRateInsight'],
  });
  world.objects.set('my-bucket/AWSLogs/222222222222/CloudTrail/us-east-2/2026/11/26/222222222222_CloudTrail_us-east-2_20261126T1150Z_a.json.gz', { lastModified: minutesAgo(7) });
  world.objects.set('my-bucket/team-b/AWSLogs/333333333333/CloudTrail/us-east-2/2026/11/26/333333333333_CloudTrail_us-east-2_20261126T1150Z_b.json.gz', { lastModified: minutesAgo(7) });
  return world;
}

let world: AwsWorld;
beforeEach(() => (world = healthyWorld()));
afterEach(() => world.restore());
const run = () => verifyFleet(configOf(raw()), world.access(), OPTIONS);
const trailB = () => world.trails.get('trail-b') as FakeTrail;

describe('verify', () => {
  test('a healthy fleet reports nothing and is healthy', async () => {
    const report = await run();
    expect(report.trails.map((t) => [t.trailName, t.problems, t.drift])).toEqual([
      ['trail-a', [], []],
      ['trail-b', [], []],
    ]);
    expect(report.healthy).toBe(true);
    expect(report.trails[1]).toMatchObject({ exists: true, isLogging: true, latestDeliveryAge: '7 min', folder: 's3://my-bucket/team-b/AWSLogs/333333333333/CloudTrail/' });
    expect(formatTable(report)).toMatch(/✔ all 2 trails healthy/);
    // Each account with its own role: the role is assumed, the central role too (for the folder).
    expect(world.calls).toEqual(expect.arrayContaining(['AssumeRole:arn:aws:iam::333333333333:role/Audit', 'AssumeRole:arn:aws:iam::111111111111:role/Audit']));
    expect(world.calls.filter((c) => c.startsWith('AssumeRole:')).sort()).toEqual(['AssumeRole:arn:aws:iam::111111111111:role/Audit', 'AssumeRole:arn:aws:iam::333333333333:role/Audit']);
  });

  test('a stopped trail is reported', async () => {
    trailB().status = { ...trailB().status, IsLogging: false, StopLoggingTime: minutesAgo(60) };
    const report = await run();
    expect(report.healthy).toBe(false);
    expect(report.trails[1].problems).toEqual(['logging is stopped (IsLogging false since 2026-11-26T11:00:00.000Z)']);
    expect(report.trails[0].problems).toEqual([]);
    expect(formatTable(report)).toMatch(/✖ +333333333333 +trail-b +us-east-2 +STOPPED/);
  });

  test('each delivery error of GetTrailStatus is reported', async () => {
    trailB().status = {
      ...trailB().status,
      LatestDeliveryError: 'AccessDenied',
      LatestDigestDeliveryError: 'AccessDenied',
      LatestNotificationError: 'AuthorizationError',
      LatestCloudWatchLogsDeliveryError: 'ResourceNotFoundException',
    };
    const problems = (await run()).trails[1].problems;
    expect(problems).toEqual([
      'log files are not delivered to s3://my-bucket (LatestDeliveryError: AccessDenied): the bucket policy of s3://my-bucket (or the KMS key policy) does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config',
      'digest files are not delivered to s3://my-bucket, so new log files cannot be proven intact (LatestDigestDeliveryError: AccessDenied): the bucket policy of s3://my-bucket does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config',
      // trail-b's config has no cloudWatchLogs: still reported, said to be possibly left from an earlier setting.
      'events are not delivered to CloudWatch Logs (LatestCloudWatchLogsDeliveryError: ResourceNotFoundException): the log group does not exist: deploy cloudtrail-account-333333333333, or correct cloudWatchLogs (the config delivers no CloudWatch Logs: if the live trail no longer does either, this error is left from an earlier setting)',
      "SNS notifications to arn:aws:sns:us-east-2:333333333333:ct-b fail (LatestNotificationError: AuthorizationError): the topic policy must allow SNS:Publish to cloudtrail.amazonaws.com for this trail (aws:SourceArn), and a KMS-encrypted topic's key must let CloudTrail use it",
    ]);
  });

  test('an old last delivery and an empty folder are reported', async () => {
    trailB().status = { ...trailB().status, LatestDeliveryTime: minutesAgo(60 * 30) };
    for (const k of [...world.objects.keys()]) if (k.includes('333333333333')) world.objects.delete(k);
    const problems = (await run()).trails[1].problems;
    expect(problems).toEqual([
      'last log file delivered 30 h ago (LatestDeliveryTime 2026-11-25T06:00:00.000Z), older than --max-age',
      'no log file under s3://my-bucket/team-b/AWSLogs/333333333333/CloudTrail/ in the last 24 h',
    ]);
  });

  test('a folder whose newest file is only in another region is still recent', async () => {
    for (const k of [...world.objects.keys()]) if (k.includes('333333333333')) world.objects.delete(k);
    world.objects.set('my-bucket/team-b/AWSLogs/333333333333/CloudTrail/eu-west-1/2026/11/25/x.json.gz', { lastModified: minutesAgo(60 * 20) });
    expect((await run()).trails[1].problems).toEqual([]);
  });

  test('a changed selector, a missing insight, another key and topic are drift', async () => {
    trailB().eventSelectors = [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];
    trailB().insightTypes = undefined;
    trailB().trail = { ...trailB().trail, KmsKeyId: 'arn:aws:kms:us-east-2:333333333333:key/abcd', SnsTopicARN: 'arn:aws:sns:us-east-2:333333333333:other' };
    const report = await run();
    expect(report.healthy).toBe(false);
    const drift = report.trails[1].drift;
    expect(drift.map((d) => d.setting)).toEqual(['kmsKey', 'sns (topic)', 'managementEvents/dataEvents/networkActivityEvents (event selectors)', 'insights']);
    expect(drift[0]).toEqual({ setting: 'kmsKey', expected: '(none)', actual: 'arn:aws:kms:us-east-2:333333333333:key/abcd' });
    expect(drift[2].actual).toContain('"readWrite":"ReadOnly"');
    expect(drift[3]).toEqual({ setting: 'insights', expected: 'ApiCallRateInsight', actual: '(none)' });
    expect(formatTable(report)).toMatch(/drift insights: config ApiCallRateInsight, live \(none\)/);
  });

  test('a trail whose central key was replaced by another account\'s key is drift', async () => {
    const a = world.trails.get('trail-a')!;
    a.trail = { ...a.trail, KmsKeyId: 'arn:aws:kms:us-east-2:222222222222:key/other' };
    expect((await run()).trails[0].drift).toEqual([{ setting: 'kmsKey', expected: 'a key arn:aws:kms:us-east-2:111111111111:key/…', actual: 'arn:aws:kms:us-east-2:222222222222:key/other' }]);
  });

  test('a missing trail (TrailNotFoundException) is reported with what to do', async () => {
    world.trails.delete('trail-a');
    const report = await run();
    expect(report.trails[0]).toMatchObject({ exists: false, healthy: false });
    expect(report.trails[0].problems[0]).toBe(
      'trail trail-a does not exist in 222222222222 us-east-2 (TrailNotFoundException): deploy cloudtrail-account-222222222222, or it was deleted outside Terraform',
    );
    expect(report.trails[1].healthy).toBe(true);
  });

  test('AccessDenied on AssumeRole is reported for that account; the others are still checked', async () => {
    world.deniedRoles.add('arn:aws:iam::333333333333:role/Audit');
    const report = await run();
    expect(report.trails[1].exists).toBeUndefined();
    expect(report.trails[1].problems).toEqual([
      expect.stringMatching(/^cannot assume arn:aws:iam::333333333333:role\/Audit \(AccessDenied: User: .* is not authorized to perform: sts:AssumeRole .*\): check that the role exists in 333333333333 and trusts the caller/),
    ]);
    expect(report.trails[0].healthy).toBe(true);
    expect(formatTable(report)).toMatch(/✖ +333333333333 +trail-b +us-east-2 +\?/);
  });

  test('AccessDenied on the central role is reported on the folder check', async () => {
    world.deniedRoles.add('arn:aws:iam::111111111111:role/Audit');
    const report = await run();
    for (const t of report.trails) expect(t.problems).toEqual([expect.stringMatching(/^cannot list s3:\/\/my-bucket\/.*AccessDenied/)]);
  });

  test('throttling is retried until the call succeeds', async () => {
    world.throttle.set('GetTrail:trail-a', 3);
    world.throttle.set('GetEventSelectors:trail-b', 2);
    const report = await run();
    expect(report.healthy).toBe(true);
    expect(world.calls.filter((c) => c === 'GetTrail:trail-a')).toHaveLength(4);
    expect(world.calls.filter((c) => c === 'GetEventSelectors:trail-b')).toHaveLength(3);
  });

  test('throttling that does not stop is reported, not hidden', async () => {
    world.throttle.set('GetTrailStatus:trail-a', 100);
    const report = await run();
    expect(report.trails[0].problems).toEqual(['ThrottlingException: Rate exceeded']);
    expect(world.calls.filter((c) => c === 'GetTrailStatus:trail-a')).toHaveLength(6);
  });

  test('a trail the config keeps stopped is healthy when stopped and drift when logging', async () => {
    const config = raw();
    (config.accounts[0] as any).enableLogging = false;
    world.trails.get('trail-a')!.status = { IsLogging: false };
    expect((await verifyFleet(configOf(config), world.access(), OPTIONS)).trails[0].healthy).toBe(true);
    world.trails.get('trail-a')!.status = { IsLogging: true, LatestDeliveryTime: minutesAgo(5) };
    expect((await verifyFleet(configOf(config), world.access(), OPTIONS)).trails[0].drift).toEqual([{ setting: 'enableLogging', expected: 'false', actual: 'true' }]);
  });

  test('--json gives the same report as JSON', async () => {
    trailB().status = { ...trailB().status, IsLogging: false };
    const json = JSON.parse(formatJson(await run()));
    expect(json.healthy).toBe(false);
    expect(json.trails[1]).toMatchObject({ accountId: '333333333333', trailName: 'trail-b', healthy: false, isLogging: false });
    expect(json.trails[1].problems[0]).toMatch(/^logging is stopped/);
  });

  test('runVerify exits 1 when a trail is unhealthy and 0 when all are healthy', async () => {
    const file = require('path').join(require('os').tmpdir(), `verify-${process.pid}.json`);
    require('fs').writeFileSync(file, JSON.stringify(raw()));
    try {
      // The world's deliveries are dated around NOW: pin runVerify's clock there (never the wall clock).
      const clock = { now: () => NOW };
      expect((await runVerify(['--config', file, '--json'], world.access(), clock)).exitCode).toBe(0);
      trailB().status = { ...trailB().status, IsLogging: false };
      const out = await runVerify(['--config', file], world.access(), clock);
      expect(out.exitCode).toBe(1);
      expect(out.output).toMatch(/✖ 1 of 2 trails unhealthy/);
    } finally {
      require('fs').rmSync(file, { force: true });
    }
  });
});

describe('verify arguments', () => {
  test('defaults and flags', () => {
    expect(parseVerifyArgs([])).toEqual({ json: false, maxAgeHours: 24, concurrency: 16, digests: false });
    expect(parseVerifyArgs(['--json', '--max-age', '2', '--concurrency', '16', '--digests', '--since', '2026-11-20'])).toEqual({
      json: true,
      maxAgeHours: 2,
      concurrency: 16,
      digests: true,
      since: new Date('2026-11-20'),
    });
  });

  test('bad arguments are rejected with what to give', () => {
    expect(() => parseVerifyArgs(['--since', 'yesterday', '--digests'])).toThrow('--since takes a date such as 2026-11-25 or 2026-11-25T12:00:00Z, got yesterday');
    expect(() => parseVerifyArgs(['--since', '2026-11-20'])).toThrow('--since is for --digests; add --digests');
    expect(() => parseVerifyArgs(['--concurrency', '0'])).toThrow('--concurrency takes a positive whole number, got 0');
    expect(() => parseVerifyArgs(['--max-age'])).toThrow('--max-age needs a value');
    expect(() => parseVerifyArgs(['--jsn'])).toThrow(/unknown option --jsn \(did you mean --json\?\); options: .*--json/);
  });
});

describe('verify with fixed answers per command (the simplest mock a user writes)', () => {
  test('a healthy trail answered by .resolves() mocks is healthy; a stopped one is not', async () => {
    const { mockClient } = await import('aws-sdk-client-mock');
    const ct = await import('@aws-sdk/client-cloudtrail');
    const s3 = await import('@aws-sdk/client-s3');
    world.restore();
    const ctMock = mockClient(ct.CloudTrailClient);
    const s3Mock = mockClient(s3.S3Client);
    try {
      const config = configOf({ central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket' }, defaults: { trailName: 'my-trail' }, accounts: [{ accountId: '222222222222' }] });
      ctMock.on(ct.GetTrailCommand).resolves({
        Trail: { Name: 'my-trail', S3BucketName: 'my-bucket', TrailARN: 'arn:aws:cloudtrail:us-east-2:222222222222:trail/my-trail', KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/k1', LogFileValidationEnabled: true, IsMultiRegionTrail: true },
      });
      ctMock.on(ct.GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryTime: minutesAgo(3) });
      ctMock.on(ct.GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
      ctMock.on(ct.GetInsightSelectorsCommand).rejects(new ct.InsightNotEnabledException({ message: 'not enabled', $metadata: {} }));
      s3Mock.on(s3.ListObjectsV2Command).resolves({ Contents: [{ Key: 'AWSLogs/222222222222/CloudTrail/us-east-2/2026/11/26/x.json.gz', LastModified: minutesAgo(3) }] });
      const access = new (await import('../../../../cli/lib/verify/aws')).AwsAccess({ sleep: async () => undefined }, async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }));
      expect((await verifyFleet(config, access, OPTIONS)).trails[0]).toMatchObject({ healthy: true, problems: [], drift: [] });
      ctMock.on(ct.GetTrailStatusCommand).resolves({ IsLogging: false, LatestDeliveryTime: minutesAgo(3) });
      s3Mock.on(s3.ListObjectsV2Command).resolves({ KeyCount: 0 });
      expect((await verifyFleet(config, access, OPTIONS)).trails[0].problems).toEqual([
        'logging is stopped (IsLogging false)',
        'no log file under s3://my-bucket/AWSLogs/222222222222/CloudTrail/ in the last 24 h',
      ]);
    } finally {
      ctMock.restore();
      s3Mock.restore();
    }
  });
});
