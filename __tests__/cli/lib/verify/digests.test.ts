/**
 * Digest validation: a chain of digest files signed with a test RSA key pair,
 * in a mocked central bucket. A clean chain reports nothing; a changed byte,
 * a deleted log file, a deleted or forged digest and a broken chain are each
 * reported.
 */
import { createHash, generateKeyPairSync, KeyObject, sign } from 'crypto';
import { gzipSync } from 'zlib';
import { configOf } from '../../../helpers/fleet';
import { checkDigestChain } from '../../../../cli/lib/verify/digest-chain';
import { verifyDigests } from '../../../../cli/lib/verify/digests';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { formatTable } from '../../../../cli/lib/verify/report';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsWorld } from './aws-world';

const BUCKET = 'my-bucket';
const ACCOUNT = '222222222222';
const NOW = new Date('2026-11-26T06:30:00Z');
const SINCE = new Date('2026-11-26T00:00:00Z');
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const stamp = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FINGERPRINT = createHash('md5').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest('hex');
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const config = () =>
  configOf({
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: BUCKET },
    defaults: { trailName: 'trail-a' },
    accounts: [{ accountId: ACCOUNT, multiRegion: false }],
  });

interface Digest {
  key: string;
  doc: any;
  content: Buffer;
  signature: string;
}

/** Signs a digest the way CloudTrail documents it (written here independently of the code under test). */
function signDigest(doc: any, key: KeyObject = privateKey): { content: Buffer; signature: string } {
  const content = Buffer.from(JSON.stringify(doc));
  const toSign = `${doc.digestEndTime}\n${doc.digestS3Bucket}/${doc.digestS3Object}\n${hex(content)}\n${doc.previousDigestSignature ?? 'null'}`;
  return { content, signature: sign('sha256', Buffer.from(toSign), key).toString('hex') };
}

/** `hours` hourly digests, each listing two log files; everything stored in the world's bucket. */
function buildChain(world: AwsWorld, hours = 4): { digests: Digest[]; logs: string[] } {
  const digests: Digest[] = [];
  const logs: string[] = [];
  for (let h = 0; h < hours; h++) {
    const start = new Date(SINCE.getTime() + h * 3_600_000);
    const end = new Date(start.getTime() + 3_600_000);
    const logFiles = [5, 35].map((minute) => {
      const at = new Date(start.getTime() + minute * 60_000);
      const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-2/2026/11/26/${ACCOUNT}_CloudTrail_us-east-2_${stamp(at)}_${h}${minute}.json.gz`;
      const content = Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.09', eventTime: at.toISOString(), eventName: 'DescribeInstances', n: h * 100 + minute }] }));
      world.objects.set(`${BUCKET}/${key}`, { body: gzipSync(content), lastModified: at });
      logs.push(key);
      return { s3Bucket: BUCKET, s3Object: key, hashValue: hex(content), hashAlgorithm: 'SHA-256', newestEventTime: at.toISOString(), oldestEventTime: at.toISOString() };
    });
    const key = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-2/2026/11/26/${ACCOUNT}_CloudTrail-Digest_us-east-2_trail-a_us-east-2_${stamp(end)}.json.gz`;
    const prev = digests[h - 1];
    const doc = {
      awsAccountId: ACCOUNT,
      digestStartTime: start.toISOString(),
      digestEndTime: end.toISOString(),
      digestS3Bucket: BUCKET,
      digestS3Object: key,
      digestPublicKeyFingerprint: FINGERPRINT,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: end.toISOString(),
      oldestEventTime: start.toISOString(),
      previousDigestS3Bucket: prev ? BUCKET : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? hex(prev.content) : null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles,
    };
    const { content, signature } = signDigest(doc);
    digests.push({ key, doc, content, signature });
    world.objects.set(`${BUCKET}/${key}`, { body: gzipSync(content), lastModified: end, metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
  }
  world.publicKeys = [
    {
      Value: new Uint8Array(publicKey.export({ type: 'pkcs1', format: 'der' })),
      ValidityStartTime: new Date('2026-11-01T00:00:00Z'),
      ValidityEndTime: new Date('2026-12-01T00:00:00Z'),
      Fingerprint: FINGERPRINT,
    },
  ];
  return { digests, logs };
}

let world: AwsWorld;
beforeEach(() => (world = new AwsWorld()));
afterEach(() => world.restore());

async function check() {
  const t = config().trails[0];
  const report = await verifyDigests({
    config: config(),
    trail: t,
    s3: new S3Client({ region: 'us-east-2' }),
    cloudTrail: new CloudTrailClient({ region: 'us-east-2' }),
    since: SINCE,
    now: NOW,
  });
  return report;
}

describe('verify --digests', () => {
  test('a clean chain reports nothing', async () => {
    buildChain(world);
    const report = await check();
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ digestFiles: 4, logFiles: 8 });
  });

  test('a changed byte in a log file is reported as modified', async () => {
    const { logs } = buildChain(world);
    const o = world.objects.get(`${BUCKET}/${logs[3]}`)!;
    const content = Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.09', eventName: 'DescribeInstances', n: 136 }] }));
    o.body = gzipSync(content);
    expect((await check()).findings).toEqual([
      { kind: 'modified-log', location: `s3://${BUCKET}/${logs[3]}`, detail: expect.stringMatching(/^SHA-256 differs from s3:\/\/my-bucket\/.*CloudTrail-Digest.*T020000Z\.json\.gz$/) },
    ]);
  });

  test('a deleted log file is reported as missing', async () => {
    const { logs } = buildChain(world);
    world.objects.delete(`${BUCKET}/${logs[0]}`);
    expect((await check()).findings).toEqual([{ kind: 'missing-log', location: `s3://${BUCKET}/${logs[0]}`, detail: expect.stringContaining('listed in s3://') }]);
  });

  test('a deleted digest file breaks the chain and is reported as missing', async () => {
    const { digests } = buildChain(world);
    world.objects.delete(`${BUCKET}/${digests[1].key}`);
    const findings = (await check()).findings;
    expect(findings).toContainEqual({ kind: 'missing-digest', location: `s3://${BUCKET}/${digests[1].key}`, detail: `named as previous by s3://${BUCKET}/${digests[2].key}` });
    // Its log files are now in no digest: unsigned.
    expect(findings.filter((f) => f.kind === 'unsigned-log')).toHaveLength(2);
  });

  test('a digest file modified after delivery fails its signature', async () => {
    const { digests } = buildChain(world);
    const d = digests[2];
    const forged = { ...d.doc, logFiles: d.doc.logFiles.slice(1) };
    world.objects.get(`${BUCKET}/${d.key}`)!.body = gzipSync(Buffer.from(JSON.stringify(forged)));
    const findings = (await check()).findings;
    expect(findings).toContainEqual({ kind: 'invalid-digest', location: `s3://${BUCKET}/${d.key}`, detail: 'signature does not verify: the digest file was modified' });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'unsigned-log', location: `s3://${BUCKET}/${d.doc.logFiles[0].s3Object}` }));
  });

  test('a digest signed with a key that is not CloudTrail\'s fails its signature', async () => {
    const { digests } = buildChain(world);
    const d = digests[1];
    world.objects.get(`${BUCKET}/${d.key}`)!.metadata!.signature = signDigest(d.doc, other.privateKey).signature;
    expect((await check()).findings).toContainEqual(expect.objectContaining({ kind: 'invalid-digest', location: `s3://${BUCKET}/${d.key}` }));
  });

  test('a broken chain (a digest that names another previous digest) is reported', async () => {
    const { digests } = buildChain(world);
    // Digest 3 validly signed, but chained to digest 1 instead of digest 2.
    const doc = { ...digests[3].doc, previousDigestS3Object: digests[1].key, previousDigestSignature: digests[1].signature, previousDigestHashValue: hex(digests[1].content) };
    const { content, signature } = signDigest(doc);
    world.objects.set(`${BUCKET}/${digests[3].key}`, { body: gzipSync(content), lastModified: new Date(doc.digestEndTime), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
    expect((await check()).findings).toEqual([
      { kind: 'broken-chain', location: `s3://${BUCKET}/${digests[3].key}`, detail: `names s3://${BUCKET}/${digests[1].key} as previous, not s3://${BUCKET}/${digests[2].key}` },
    ]);
  });

  test('a previous signature that does not match is a broken chain', async () => {
    const { digests } = buildChain(world);
    const doc = { ...digests[2].doc, previousDigestSignature: 'ab'.repeat(256) };
    const { content, signature } = signDigest(doc);
    world.objects.set(`${BUCKET}/${digests[2].key}`, { body: gzipSync(content), lastModified: new Date(doc.digestEndTime), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
    // Digest 3 still names the old signature of digest 2, so that link breaks too.
    const kinds = (await check()).findings.map((f) => `${f.kind} ${f.location.split('_').pop()}`);
    expect(kinds).toEqual(['broken-chain 20261126T030000Z.json.gz', 'broken-chain 20261126T040000Z.json.gz']);
  });

  test('deleting the newest digest files is reported when later log files exist', async () => {
    const { digests } = buildChain(world);
    for (const d of digests.slice(1)) world.objects.delete(`${BUCKET}/${d.key}`);
    const findings = (await check()).findings;
    expect(findings).toContainEqual({
      kind: 'missing-digest',
      location: `s3://${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-2/`,
      detail: 'no digest file after 2026-11-26T01:00:00.000Z, while 6 log file(s) were delivered later',
    });
  });

  test('a digest without signature metadata and a log file no digest lists are unsigned', async () => {
    const { digests } = buildChain(world);
    world.objects.get(`${BUCKET}/${digests[0].key}`)!.metadata = {};
    const extra = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-2/2026/11/26/${ACCOUNT}_CloudTrail_us-east-2_20261126T0150Z_planted.json.gz`;
    world.objects.set(`${BUCKET}/${extra}`, { body: gzipSync('{"Records":[]}'), lastModified: new Date('2026-11-26T01:50:00Z') });
    expect((await check()).findings).toEqual([
      { kind: 'unsigned-digest', location: `s3://${BUCKET}/${digests[0].key}`, detail: 'no signature in the object metadata' },
      { kind: 'unsigned-log', location: `s3://${BUCKET}/${extra}`, detail: 'in the trail folder, but in no digest file of its period' },
    ]);
  });

  test('a public key fingerprint that ListPublicKeys does not return is reported', () => {
    const findings = checkDigestChain({ digests: [], publicKeys: [], logHashes: new Map() });
    expect(findings).toEqual([]);
    buildChain(world);
    const d = [...world.objects.entries()].find(([k]) => k.includes('CloudTrail-Digest'))!;
    const content = require('zlib').gunzipSync(d[1].body);
    const key = d[0].slice(BUCKET.length + 1);
    expect(
      checkDigestChain({ digests: [{ bucket: BUCKET, key, content, signature: d[1].metadata!.signature }], publicKeys: [], logHashes: new Map() }).map((f) => f.kind),
    ).toEqual(['invalid-digest', 'missing-log', 'missing-log']);
  });

  test('verify --digests reports the findings as problems of the trail', async () => {
    const { logs } = buildChain(world);
    world.objects.delete(`${BUCKET}/${logs[5]}`);
    world.trails.set('trail-a', {
      trail: { Name: 'trail-a', S3BucketName: BUCKET, IncludeGlobalServiceEvents: true, IsMultiRegionTrail: false, HomeRegion: 'us-east-2', LogFileValidationEnabled: true, KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/k', IsOrganizationTrail: false },
      status: { IsLogging: true, LatestDeliveryTime: new Date('2026-11-26T06:20:00Z') },
      eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    });
    const report = await verifyFleet(config(), world.access(), { maxAgeMs: 86_400_000, concurrency: 2, now: NOW, digestsSince: SINCE });
    expect(report.trails[0].problems).toEqual([`digest: missing-log s3://${BUCKET}/${logs[5]} (listed in s3://${BUCKET}/${logs[5].replace('CloudTrail/', 'CloudTrail-Digest/').split('/').slice(0, -1).join('/')}/${ACCOUNT}_CloudTrail-Digest_us-east-2_trail-a_us-east-2_20261126T030000Z.json.gz)`]);
    expect(report.trails[0].digests).toMatchObject({ digestFiles: 4, logFiles: 8 });
    expect(formatTable(report)).toMatch(/DIGESTS[\s\S]*✖ +222222222222 +trail-a .*1 finding /);
  });
});
