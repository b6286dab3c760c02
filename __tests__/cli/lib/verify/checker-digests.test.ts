/**
 * verify --digests as an outside checker runs it: a digest chain built here
 * from scratch the way CloudTrail writes one (gzip files, SHA-256 of the
 * uncompressed content, SHA256withRSA over the string to sign, S3 metadata
 * `signature` / `signature-algorithm`, DER PKCS#1 public key from
 * ListPublicKeys), served by aws-sdk-client-mock with SDK stream bodies.
 */
import { createHash, createSign, generateKeyPairSync } from 'crypto';
import { Readable } from 'stream';
import { gzipSync } from 'zlib';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  InsightNotEnabledException,
  ListPublicKeysCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { configFromText } from '../../../../config/load';
import { AwsAccess } from '../../../../cli/lib/verify/aws';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { FLEET_CHECKS } from '../../../../modules/fleet-checks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sdkStreamMixin } = require(require.resolve('@smithy/core/serde', { paths: [require.resolve('@aws-sdk/client-s3')] }));

const NOW = new Date('2026-11-26T12:00:00Z');
const BUCKET = 'my-bucket';
const ACCT = '222222222222';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FINGERPRINT = 'b2e8c2a5d8a1c7e0f3f0aa11bb22cc33';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const compact = (d: Date) => iso(d).replace(/[-:]/g, '');

interface Obj {
  body: Buffer;
  metadata: Record<string, string>;
  lastModified: Date;
}
type Store = Map<string, Obj>;

/** Three hourly digests (09-10, 10-11, 11-12 UTC), two log files each, as CloudTrail writes them. */
function buildChain(): { store: Store; logs: string[]; digests: string[] } {
  const store: Store = new Map();
  const logs: string[] = [];
  const digests: string[] = [];
  let prev: { key: string; content: Buffer; signature: string } | undefined;
  for (let h = 9; h < 12; h++) {
    const start = new Date(Date.UTC(2026, 10, 26, h, 0, 0));
    const end = new Date(Date.UTC(2026, 10, 26, h + 1, 0, 0));
    const logFiles = [];
    for (let i = 0; i < 2; i++) {
      const at = new Date(start.getTime() + (i + 1) * 15 * 60_000);
      const key = `AWSLogs/${ACCT}/CloudTrail/us-east-2/2026/11/26/${ACCT}_CloudTrail_us-east-2_${compact(at).slice(0, 13)}Z_r${h}${i}.json.gz`;
      const raw = Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.11', eventTime: iso(at), eventName: `Call${h}${i}`, awsRegion: 'us-east-2' }] }));
      store.set(key, { body: gzipSync(raw), metadata: {}, lastModified: at });
      logs.push(key);
      logFiles.push({ s3Bucket: BUCKET, s3Object: key, hashValue: sha(raw), hashAlgorithm: 'SHA-256', newestEventTime: iso(at), oldestEventTime: iso(at) });
    }
    const dkey = `AWSLogs/${ACCT}/CloudTrail-Digest/us-east-2/2026/11/26/${ACCT}_CloudTrail-Digest_us-east-2_my-trail_us-east-2_${compact(end)}.json.gz`;
    const doc = {
      awsAccountId: ACCT,
      digestStartTime: iso(start),
      digestEndTime: iso(end),
      digestS3Bucket: BUCKET,
      digestS3Object: dkey,
      digestPublicKeyFingerprint: FINGERPRINT,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: iso(end),
      oldestEventTime: iso(start),
      previousDigestS3Bucket: prev ? BUCKET : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? sha(prev.content) : null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles,
    };
    const content = Buffer.from(JSON.stringify(doc));
    const toSign = `${iso(end)}\n${BUCKET}/${dkey}\n${sha(content)}\n${prev ? prev.signature : 'null'}`;
    const signature = createSign('RSA-SHA256').update(toSign).sign(privateKey).toString('hex');
    store.set(dkey, { body: gzipSync(content), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' }, lastModified: new Date(end.getTime() + 10 * 60_000) });
    digests.push(dkey);
    prev = { key: dkey, content, signature };
  }
  return { store, logs, digests };
}

const YAML = `
central: { accountId: "111111111111", region: us-east-2, bucketName: my-bucket }
defaults: { trailName: my-trail, multiRegion: false }
accounts: [{ accountId: "${ACCT}" }]
`;

const ct = mockClient(CloudTrailClient);
const s3 = mockClient(S3Client);
afterAll(() => {
  ct.restore();
  s3.restore();
});

async function run(store: Store, keyType: 'pkcs1' | 'spki' = 'pkcs1', yaml = YAML) {
  ct.reset();
  s3.reset();
  ct.on(GetTrailCommand).resolves({
    Trail: {
      Name: 'my-trail',
      S3BucketName: BUCKET,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: false,
      HomeRegion: 'us-east-2',
      TrailARN: `arn:aws:cloudtrail:us-east-2:${ACCT}:trail/my-trail`,
      LogFileValidationEnabled: true,
      KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/0f6a7e2c-1111-2222-3333-444455556666',
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    },
  });
  ct.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 15 * 60_000), LatestDigestDeliveryTime: new Date(NOW.getTime() - 50 * 60_000) });
  ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] });
  ct.on(GetInsightSelectorsCommand).rejects(new InsightNotEnabledException({ message: 'Trail my-trail does not have Insights enabled.', $metadata: { httpStatusCode: 400 } }));
  ct.on(ListPublicKeysCommand).resolves({
    PublicKeyList: [
      { Fingerprint: FINGERPRINT, Value: new Uint8Array(publicKey.export({ type: keyType, format: 'der' })), ValidityStartTime: new Date('2026-01-01T00:00:00Z'), ValidityEndTime: new Date('2027-01-01T00:00:00Z') },
    ],
  });
  s3.on(ListObjectsV2Command).callsFake((input) => {
    const prefix = input.Prefix ?? '';
    const contents = [...store.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((Key) => ({ Key, LastModified: store.get(Key)!.lastModified, Size: store.get(Key)!.body.length, ETag: '"x"', StorageClass: 'STANDARD' as const }));
    return { Name: BUCKET, Prefix: prefix, KeyCount: contents.length, MaxKeys: 1000, IsTruncated: false, ...(contents.length ? { Contents: contents } : {}) };
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const o = store.get(input.Key!);
    if (!o) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: sdkStreamMixin(Readable.from([o.body])), Metadata: o.metadata, LastModified: o.lastModified, ContentLength: o.body.length };
  });
  const access = new AwsAccess({ sleep: async () => undefined }, async () => ({ accessKeyId: 'AKIAX', secretAccessKey: 'x' }));
  const report = await verifyFleet(configFromText(yaml, 'digests.yaml', FLEET_CHECKS), access, { maxAgeMs: 24 * 3_600_000, concurrency: 2, now: NOW, digestsSince: new Date(NOW.getTime() - 86_400_000) });
  return report.trails[0];
}

const kinds = async (store: Store) => {
  const t = await run(store);
  return { healthy: t.healthy, kinds: (t.digests?.findings ?? []).map((f) => `${f.kind} ${f.location.split('/').pop()}`), problems: t.problems };
};

test('a clean chain: nothing reported', async () => {
  const { store } = buildChain();
  const r = await kinds(store);
  expect(r).toEqual({ healthy: true, kinds: [], problems: [] });
});

test('a tampered log file (one byte of its content)', async () => {
  const { store, logs } = buildChain();
  const o = store.get(logs[2])!;
  const { gunzipSync } = await import('zlib');
  const raw = gunzipSync(o.body);
  raw[raw.indexOf('Call')] = 'X'.charCodeAt(0);
  store.set(logs[2], { ...o, body: gzipSync(raw) });
  const r = await kinds(store);
  expect(r.healthy).toBe(false);
  expect(r.kinds).toEqual([`modified-log ${logs[2].split('/').pop()}`]);
});

test('a deleted log file', async () => {
  const { store, logs } = buildChain();
  store.delete(logs[3]);
  const r = await kinds(store);
  expect(r.kinds).toEqual([`missing-log ${logs[3].split('/').pop()}`]);
});

test('a deleted digest file (middle of the chain)', async () => {
  const { store, digests } = buildChain();
  store.delete(digests[1]);
  const r = await kinds(store);
  expect(r.healthy).toBe(false);
  expect(r.kinds).toContain(`missing-digest ${digests[1].split('/').pop()}`);
});

test('a broken chain: a digest replaced by one signed with the right key but a wrong previous signature', async () => {
  const { store, digests } = buildChain();
  const { gunzipSync } = await import('zlib');
  const o = store.get(digests[2])!;
  const doc = JSON.parse(gunzipSync(o.body).toString());
  doc.previousDigestSignature = 'ab'.repeat(256);
  const content = Buffer.from(JSON.stringify(doc));
  const signature = createSign('RSA-SHA256').update(`${doc.digestEndTime}\n${BUCKET}/${digests[2]}\n${sha(content)}\n${doc.previousDigestSignature}`).sign(privateKey).toString('hex');
  store.set(digests[2], { ...o, body: gzipSync(content), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
  const r = await kinds(store);
  expect(r.kinds).toEqual([`broken-chain ${digests[2].split('/').pop()}`]);
});

test('a digest file edited after signing', async () => {
  const { store, digests } = buildChain();
  const { gunzipSync } = await import('zlib');
  const o = store.get(digests[0])!;
  const doc = JSON.parse(gunzipSync(o.body).toString());
  doc.logFiles = doc.logFiles.slice(1);
  store.set(digests[0], { ...o, body: gzipSync(Buffer.from(JSON.stringify(doc))) });
  const r = await kinds(store);
  expect(r.healthy).toBe(false);
  expect(r.kinds.some((k) => k.startsWith('invalid-digest'))).toBe(true);
});

test('the newest digest deleted while log files keep arriving', async () => {
  const { store, digests } = buildChain();
  store.delete(digests[2]);
  store.delete(digests[1]);
  const r = await kinds(store);
  expect(r.healthy).toBe(false);
  expect(r.kinds.some((k) => k.startsWith('missing-digest'))).toBe(true);
});

test('a digest that hashes the stored .gz bytes (not the uncompressed content) is intact too, and a changed byte still shows', async () => {
  const { store, logs, digests } = buildChain();
  const { gunzipSync } = await import('zlib');
  // Rebuild the chain's hashes over the compressed objects, re-signing every digest.
  let prev: { key: string; content: Buffer; signature: string } | undefined;
  for (const dkey of digests) {
    const o = store.get(dkey)!;
    const doc = JSON.parse(gunzipSync(o.body).toString());
    doc.logFiles = doc.logFiles.map((l: { s3Object: string }) => ({ ...l, hashValue: sha(store.get(l.s3Object)!.body) }));
    if (prev) Object.assign(doc, { previousDigestHashValue: sha(prev.content), previousDigestSignature: prev.signature });
    const content = Buffer.from(JSON.stringify(doc));
    const signature = createSign('RSA-SHA256').update(`${doc.digestEndTime}\n${BUCKET}/${dkey}\n${sha(content)}\n${prev ? prev.signature : 'null'}`).sign(privateKey).toString('hex');
    store.set(dkey, { ...o, body: gzipSync(content), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
    prev = { key: dkey, content, signature };
  }
  expect((await kinds(store)).kinds).toEqual([]);
  const o = store.get(logs[0])!;
  const body = Buffer.from(o.body);
  body[body.length - 9] ^= 1; // a byte of the gzip trailer
  store.set(logs[0], { ...o, body });
  expect((await kinds(store)).kinds).toEqual([`modified-log ${logs[0].split('/').pop()}`]);
});

test('a public key given as DER SubjectPublicKeyInfo verifies too; a wrong key does not', async () => {
  const { store } = buildChain();
  const t = await run(store, 'spki');
  expect(t.digests?.findings).toEqual([]);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
  const { checkDigestChain } = await import('../../../../cli/lib/verify/digest-chain');
  const { gunzipSync } = await import('zlib');
  const digests = [...store.entries()].filter(([k]) => k.includes('Digest')).map(([key, o]) => ({ bucket: BUCKET, key, content: gunzipSync(o.body), signature: o.metadata.signature }));
  const findings = checkDigestChain({ digests, publicKeys: [{ fingerprint: FINGERPRINT, value: new Uint8Array(other) }], logHashes: new Map() });
  expect(findings.filter((f) => f.kind === 'invalid-digest')).toHaveLength(3);
});

test('another trail of the account writing into the same folder: its log files are not unsigned ones of this trail', async () => {
  const { store } = buildChain();
  for (const h of [9, 10, 11]) {
    const key = `AWSLogs/${ACCT}/CloudTrail/us-east-2/2026/11/26/${ACCT}_CloudTrail_us-east-2_20261126T${h}20Z_other${h}.json.gz`;
    store.set(key, { body: gzipSync(Buffer.from('{"Records":[]}')), metadata: {}, lastModified: new Date(Date.UTC(2026, 10, 26, h, 20)) });
  }
  const two = `${YAML.replace('accounts: [{ accountId: "222222222222" }]', '')}accounts:\n  - { accountId: "${ACCT}" }\n  - { accountId: "${ACCT}", trailName: other-trail, logFileValidation: false }\n`;
  const t = await run(store, 'pkcs1', two);
  expect(t.digests?.findings).toEqual([]);
  // With the trail alone in its folder, the same files are unsigned.
  expect((await run(store)).digests?.findings.map((f) => f.kind)).toEqual(['unsigned-log', 'unsigned-log', 'unsigned-log']);
});
