/**
 * verify as an outside checker runs it: its own fleet and its own
 * aws-sdk-client-mock answers (not aws-world.ts), shaped like the real API:
 * accounts told apart by the credentials STS hands out, ListObjectsV2 paged
 * 1,000 keys at a time, advanced selectors, an organization trail under a
 * prefix, a key given by alias ARN that CloudTrail reports as a key ARN.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  InsightNotEnabledException,
  TrailNotFoundException,
  type GetEventSelectorsCommandOutput,
  type GetTrailStatusCommandOutput,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command, S3Client, type _Object } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { configFromText } from '../../../../config/load';
import { AwsAccess } from '../../../../cli/lib/verify/aws';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { FLEET_CHECKS } from '../../../../modules/fleet-checks';

const NOW = new Date('2026-11-26T12:00:00Z');
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000);

const YAML = `
organization: { id: o-abc123defg, managementAccountId: "111111111111" }
central:
  accountId: "111111111111"
  region: us-east-2
  bucketName: my-bucket
  assumeRoleArn: arn:aws:iam::111111111111:role/Audit
defaults:
  trailName: my-trail
accounts:
  - accountId: "111111111111"
    assumeRoleArn: arn:aws:iam::111111111111:role/Audit
    trailName: org-trail
    organizationTrail: true
    prefix: org
  - accountId: "222222222222"
    assumeRoleArn: arn:aws:iam::222222222222:role/Audit
  - accountId: "333333333333"
    assumeRoleArn: arn:aws:iam::333333333333:role/Audit
    kmsKey: { arn: "arn:aws:kms:us-east-2:333333333333:alias/ct" }
    dataEvents:
      advanced:
        - name: deletes
          fieldSelectors:
            - { field: eventCategory, equals: [Data] }
            - { field: resources.type, equals: ["AWS::S3::Object"] }
            - { field: eventName, equals: [DeleteObject] }
`;

const keyOf = (role: string) => `ASIA${role.split(':')[4]}`;
type World = {
  trails: Record<string, { trail: Trail; status: Omit<GetTrailStatusCommandOutput, '$metadata'>; selectors: Omit<GetEventSelectorsCommandOutput, '$metadata' | 'TrailARN'> }>;
  keys: string[];
};

function healthy(): World {
  const status = () => ({ IsLogging: true, LatestDeliveryTime: ago(6), LatestDigestDeliveryTime: ago(40), StartLoggingTime: ago(90_000), LatestDeliveryAttemptTime: '2026-11-26T11:54:00Z' });
  const trail = (acct: string, name: string, extra: Partial<Trail>): Trail => ({
    Name: name,
    S3BucketName: 'my-bucket',
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: 'us-east-2',
    TrailARN: `arn:aws:cloudtrail:us-east-2:${acct}:trail/${name}`,
    LogFileValidationEnabled: true,
    KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/0f6a7e2c-1111-2222-3333-444455556666',
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
    ...extra,
  });
  const basic = { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] };
  const keys: string[] = [];
  // 1,500 log files today for the org trail's member folder (two pages), a healthy folder for 222 and 333.
  for (let i = 0; i < 1500; i++) keys.push(`org/AWSLogs/o-abc123defg/111111111111/CloudTrail/us-east-2/2026/11/26/111111111111_CloudTrail_us-east-2_20261126T${String(i % 12).padStart(2, '0')}00Z_${String(i).padStart(6, '0')}.json.gz`);
  for (const acct of ['222222222222', '333333333333']) {
    keys.push(`AWSLogs/${acct}/CloudTrail/us-east-2/2026/11/26/${acct}_CloudTrail_us-east-2_20261126T1150Z_abc.json.gz`);
    // The organization trail logs the member accounts too, each in its own folder under the organization's.
    keys.push(`org/AWSLogs/o-abc123defg/${acct}/CloudTrail/us-east-2/2026/11/26/${acct}_CloudTrail_us-east-2_20261126T1150Z_org.json.gz`);
  }
  return {
    keys,
    trails: {
      '111111111111': { trail: trail('111111111111', 'org-trail', { IsOrganizationTrail: true, S3KeyPrefix: 'org' }), status: status(), selectors: basic },
      '222222222222': { trail: trail('222222222222', 'my-trail', {}), status: status(), selectors: basic },
      '333333333333': {
        trail: trail('333333333333', 'my-trail', { KmsKeyId: 'arn:aws:kms:us-east-2:333333333333:key/9d8e7f6a-aaaa-bbbb-cccc-ddddeeeeffff', HasCustomEventSelectors: true }),
        status: status(),
        selectors: {
          AdvancedEventSelectors: [
            { Name: 'Management events (All)', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            {
              Name: 'deletes',
              FieldSelectors: [
                { Field: 'eventName', Equals: ['DeleteObject'] },
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              ],
            },
          ],
        },
      },
    },
  };
}

const ct = mockClient(CloudTrailClient);
const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);
afterAll(() => {
  ct.restore();
  s3.restore();
  sts.restore();
});

async function run(world: World) {
  ct.reset();
  s3.reset();
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake((input) => ({
    Credentials: { AccessKeyId: keyOf(input.RoleArn), SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) },
  }));
  const accountOf = async (getClient: () => CloudTrailClient) => {
    const creds = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
    return creds.accessKeyId.slice(4);
  };
  const find = async (name: string | undefined, getClient: () => CloudTrailClient) => {
    const t = world.trails[await accountOf(getClient)];
    if (!t || (t.trail.Name !== name && t.trail.TrailARN !== name)) throw new TrailNotFoundException({ message: `Unknown trail: ${name}`, $metadata: { httpStatusCode: 400 } });
    return t;
  };
  ct.on(GetTrailCommand).callsFake(async (input, getClient) => ({ Trail: (await find(input.Name, getClient)).trail }));
  ct.on(GetTrailStatusCommand).callsFake(async (input, getClient) => (await find(input.Name, getClient)).status);
  ct.on(GetEventSelectorsCommand).callsFake(async (input, getClient) => {
    const t = await find(input.TrailName, getClient);
    return { TrailARN: t.trail.TrailARN, ...t.selectors };
  });
  ct.on(GetInsightSelectorsCommand).callsFake(async (input) => {
    throw new InsightNotEnabledException({ message: `Trail ${input.TrailName} does not have Insights enabled.`, $metadata: { httpStatusCode: 400 } });
  });
  s3.on(ListObjectsV2Command).callsFake((input) => {
    const prefix = input.Prefix ?? '';
    const all = world.keys.filter((k) => k.startsWith(prefix)).sort();
    const contents: _Object[] = [];
    const common = new Set<string>();
    for (const k of all) {
      const rest = k.slice(prefix.length);
      if (input.Delimiter && rest.includes(input.Delimiter)) common.add(prefix + rest.slice(0, rest.indexOf(input.Delimiter) + 1));
      else contents.push({ Key: k, LastModified: ago(10), ETag: '"e"', Size: 1234, StorageClass: 'STANDARD' });
    }
    const start = Number(input.ContinuationToken ?? 0);
    const page = contents.slice(start, start + 1000);
    const truncated = start + 1000 < contents.length;
    return {
      Name: input.Bucket,
      Prefix: prefix,
      KeyCount: page.length,
      MaxKeys: 1000,
      IsTruncated: truncated,
      ...(page.length ? { Contents: page } : {}),
      ...(common.size ? { CommonPrefixes: [...common].map((Prefix) => ({ Prefix })) } : {}),
      ...(truncated ? { NextContinuationToken: String(start + 1000) } : {}),
    };
  });
  const access = new AwsAccess({ sleep: async () => undefined }, async () => ({ accessKeyId: 'AKIAAMBIENT', secretAccessKey: 'x' }));
  return verifyFleet(configFromText(YAML, 'checker.yaml', FLEET_CHECKS), access, { maxAgeMs: 24 * 3_600_000, concurrency: 4, now: NOW });
}

const unhealthy = (r: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries([
    ...r.trails.filter((t) => !t.healthy).map((t) => [t.accountId, [...t.problems, ...t.drift.map((d) => `drift ${d.setting}`)]]),
    ...r.trails.flatMap((t) => (t.members ?? []).filter((m) => !m.healthy).map((m) => [`${m.accountId} in ${t.trailName}`, m.problems])),
  ]);

test('a healthy fleet reports nothing', async () => {
  const r = await run(healthy());
  expect(unhealthy(r)).toEqual({});
  expect(r.healthy).toBe(true);
});

test('a stopped trail', async () => {
  const w = healthy();
  w.trails['222222222222'].status = { ...w.trails['222222222222'].status, IsLogging: false, StopLoggingTime: ago(300) };
  expect(Object.keys(unhealthy(await run(w)))).toEqual(['222222222222']);
});

test('a delivery error', async () => {
  const w = healthy();
  w.trails['333333333333'].status = { ...w.trails['333333333333'].status, LatestDeliveryError: 'AccessDenied', LatestDeliveryTime: ago(600) };
  const u = unhealthy(await run(w));
  expect(Object.keys(u)).toEqual(['333333333333']);
  expect(u['333333333333'].join('\n')).toContain('AccessDenied');
});

test('an empty folder', async () => {
  const w = healthy();
  w.keys = w.keys.filter((k) => !k.startsWith('AWSLogs/222222222222/'));
  const u = unhealthy(await run(w));
  expect(Object.keys(u)).toEqual(['222222222222']);
});

test('an empty org folder', async () => {
  const w = healthy();
  w.keys = w.keys.filter((k) => !k.startsWith('org/AWSLogs/o-abc123defg/111111111111/'));
  expect(Object.keys(unhealthy(await run(w)))).toEqual(['111111111111']);
});

test('an organization member whose folder under the organization is empty is reported on its own', async () => {
  const w = healthy();
  w.keys = w.keys.filter((k) => !k.startsWith('org/AWSLogs/o-abc123defg/333333333333/'));
  const r = await run(w);
  expect(unhealthy(r)).toEqual({
    '333333333333 in org-trail': [
      'no log file under s3://my-bucket/org/AWSLogs/o-abc123defg/333333333333/CloudTrail/ in the last 24 h: the organization trail org-trail (111111111111) delivers nothing for 333333333333: is 333333333333 a member of o-abc123defg (aws organizations list-accounts), and is the trail logging?',
    ],
  });
  expect(r.healthy).toBe(false);
  // The trail itself and the member's own trail stay healthy.
  expect(r.trails.map((t) => [t.accountId, t.healthy])).toEqual([
    ['111111111111', true],
    ['222222222222', true],
    ['333333333333', true],
  ]);
  expect(r.trails[0].members?.map((m) => [m.accountId, m.folderState])).toEqual([
    ['222222222222', 'recent'],
    ['333333333333', 'empty'],
  ]);
});

test('a changed selector (advanced)', async () => {
  const w = healthy();
  const sel = w.trails['333333333333'].selectors.AdvancedEventSelectors!;
  sel[1] = { ...sel[1], FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] };
  expect(Object.keys(unhealthy(await run(w)))).toEqual(['333333333333']);
});

test('a changed selector (basic ReadOnly)', async () => {
  const w = healthy();
  w.trails['222222222222'].selectors = { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] };
  expect(Object.keys(unhealthy(await run(w)))).toEqual(['222222222222']);
});

test('a key of another account', async () => {
  const w = healthy();
  w.trails['333333333333'].trail.KmsKeyId = 'arn:aws:kms:us-east-2:111111111111:key/0f6a7e2c-1111-2222-3333-444455556666';
  expect(Object.keys(unhealthy(await run(w)))).toEqual(['333333333333']);
});

describe('a mock keyed on the folder prefix only (as a checker who reads the docs writes it)', () => {
  const folderOnly = (world: World) => {
    s3.reset();
    // Answers only the folder itself, with every object under it (ignores Delimiter): what a hand-written mock does.
    for (const folder of ['org/AWSLogs/o-abc123defg/111111111111/CloudTrail/', 'AWSLogs/222222222222/CloudTrail/', 'AWSLogs/333333333333/CloudTrail/']) {
      const contents = world.keys.filter((k) => k.startsWith(folder)).slice(0, 1000).map((Key) => ({ Key, LastModified: ago(10) }));
      s3.on(ListObjectsV2Command, { Bucket: 'my-bucket', Prefix: folder }).resolves({ Contents: contents.length ? contents : undefined, KeyCount: contents.length, IsTruncated: false });
    }
  };
  test('healthy: nothing reported; empty: reported', async () => {
    const { newestLogFile } = await import('../../../../cli/lib/verify/run');
    const w = healthy();
    folderOnly(w);
    const client = new S3Client({ region: 'us-east-2' });
    expect(await newestLogFile(client, 'my-bucket', 'AWSLogs/222222222222/CloudTrail/', 'us-east-2', NOW, 86_400_000)).toEqual(ago(10));
    w.keys = w.keys.filter((k) => !k.includes('/222222222222/'));
    folderOnly(w);
    expect(await newestLogFile(client, 'my-bucket', 'AWSLogs/222222222222/CloudTrail/', 'us-east-2', NOW, 86_400_000)).toBeUndefined();
  });
});

test('advanced selectors without names (or renamed) log the same events: no drift; a changed value is drift', async () => {
  const w = healthy();
  const sel = w.trails['333333333333'].selectors.AdvancedEventSelectors!;
  w.trails['333333333333'].selectors = { AdvancedEventSelectors: sel.map(({ FieldSelectors }, i) => (i === 0 ? { FieldSelectors } : { Name: 'renamed in the console', FieldSelectors })) };
  expect(unhealthy(await run(w))).toEqual({});
  w.trails['333333333333'].selectors.AdvancedEventSelectors![1].FieldSelectors![0] = { Field: 'eventName', Equals: ['PutObject'] };
  expect(Object.keys(unhealthy(await run(w)))).toEqual(['333333333333']);
});

test('a role is assumed again before its credentials expire (long runs), once while they are fresh', async () => {
  sts.reset();
  let n = 0;
  let lifetimeMs = 2 * 60_000; // less than the refresh window
  sts.on(AssumeRoleCommand).callsFake(() => ({
    Credentials: { AccessKeyId: `ASIA${++n}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + lifetimeMs) },
  }));
  const access = new AwsAccess({}, async () => ({ accessKeyId: 'AKIAAMBIENT', secretAccessKey: 'x' }));
  const client = await access.s3Client('arn:aws:iam::111111111111:role/Audit', 'us-east-2');
  const creds = client.config.credentials as () => Promise<{ accessKeyId: string }>;
  const first = (await creds()).accessKeyId;
  const second = (await creds()).accessKeyId;
  expect(first).not.toBe(second);
  lifetimeMs = 3_600_000;
  const fresh = new AwsAccess({}, async () => ({ accessKeyId: 'AKIAAMBIENT', secretAccessKey: 'x' }));
  const c2 = (await fresh.cloudTrailClient('arn:aws:iam::222222222222:role/Audit', 'us-east-2')).config.credentials as () => Promise<{ accessKeyId: string }>;
  const before = n;
  await c2();
  await c2();
  await fresh.s3Client('arn:aws:iam::222222222222:role/Audit', 'eu-west-1');
  expect(n).toBe(before);
});
