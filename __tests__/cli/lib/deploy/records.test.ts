/**
 * Deploy records: a folder (local and cloud backends, --records) and the S3
 * state bucket (s3 backend: a CI runner from a clean clone finds them like
 * the state); content hashes ignore cdktf's `//` comments and key order but
 * not override files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsSession } from '../../../../cli/lib/aws-access';
import { DeployRecord, FolderRecords, S3Records, stackContentHash } from '../../../../cli/lib/deploy/records';

// The SDK's stream helper, from the copy the S3 client uses (not a direct dependency).
const { sdkStreamMixin } = require(require.resolve('@smithy/core/serde', { paths: [require.resolve('@aws-sdk/client-s3')] }));

const record = (stack: string, content = 'c'.repeat(64)): DeployRecord => ({ version: 1, stack, content, synth: 's'.repeat(64), appliedAt: '2026-11-26T12:00:00.000Z', terraformVersion: '1.11.4', terraform: { resource: {} } });

describe('content hash', () => {
  test('comments and key order do not count; values and override files do', () => {
    const a = { '//': { metadata: { version: '0.21.0' } }, resource: { aws_cloudtrail: { t: { name: 'x', s3_bucket_name: 'b' } } } };
    const b = { resource: { aws_cloudtrail: { t: { s3_bucket_name: 'b', name: 'x' } } }, '//': { metadata: { version: '0.21.1' } } };
    expect(stackContentHash(a)).toBe(stackContentHash(b));
    expect(stackContentHash(a)).not.toBe(stackContentHash({ resource: { aws_cloudtrail: { t: { name: 'y', s3_bucket_name: 'b' } } } }));
    expect(stackContentHash(a, new Map([['emulator_override.tf.json', '{}']]))).not.toBe(stackContentHash(a));
  });
});

describe('FolderRecords', () => {
  test('written atomically, read back; torn or foreign files are ignored', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'records-')), 'deployed');
    const store = new FolderRecords(dir);
    expect(await store.readAll()).toEqual(new Map());
    await store.write(record('cloudtrail-central'));
    await store.write(record('cloudtrail-account-222222222222'));
    writeFileSync(path.join(dir, 'cloudtrail-account-333333333333.json'), '{"version":1,"stack":"cloudt');
    writeFileSync(path.join(dir, 'other.json'), JSON.stringify(record('cloudtrail-central')));
    const all = await store.readAll();
    expect([...all.keys()].sort()).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
    expect(JSON.parse(readFileSync(path.join(dir, 'cloudtrail-central.json'), 'utf8'))).toEqual(record('cloudtrail-central'));
  });
});

describe('S3Records', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());
  const objects = new Map<string, string>();
  beforeEach(() => {
    s3.reset();
    objects.clear();
    s3.on(PutObjectCommand).callsFake((input) => void objects.set(input.Key, String(input.Body)));
    s3.on(ListObjectsV2Command).callsFake((input) => ({ Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix)).map((Key) => ({ Key })), IsTruncated: false }));
    s3.on(GetObjectCommand).callsFake((input) => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(objects.get(input.Key) ?? '')])) }));
  });

  test('next to the state: <keyPrefix>deployed/<stack>.json in the state bucket, encrypted, read back', async () => {
    const session = new AwsSession({ sessionName: 't', stsRegion: 'us-east-1', ambient: async () => ({ accessKeyId: 'A', secretAccessKey: 's' }) });
    const store = new S3Records({ type: 's3', bucket: 'acme-state', region: 'eu-central-1', keyPrefix: 'ct/' }, session);
    expect(store.location).toBe('s3://acme-state/ct/deployed/');
    await store.write(record('cloudtrail-central'));
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'acme-state', Key: 'ct/deployed/cloudtrail-central.json', ServerSideEncryption: 'AES256', ContentType: 'application/json' });
    objects.set('ct/cloudtrail-central.tfstate', '{}'); // the state itself is not a record
    const all = await store.readAll();
    expect([...all.keys()]).toEqual(['cloudtrail-central']);
    expect(all.get('cloudtrail-central')).toEqual(record('cloudtrail-central'));
  });
});
