/**
 * verify --digests on backfill digest files and organization member folders.
 *
 * Backfill digest files (AWS CloudTrail User Guide, "CloudTrail digest file
 * structure": `..._<end time>_backfill.json.gz` beside the hourly ones) list
 * log files an hourly digest missed through processing delays. As
 * `aws cloudtrail validate-logs` checks them (aws-cli
 * awscli/customizations/cloudtrail/validation.py, since its backfill
 * support): chains of their own, signed like the hourly ones, with the S3
 * metadata `backfill-generation-timestamp`, public keys looked up around
 * that time when the checked period's keys lack theirs. A clean backfill
 * reports nothing; a tampered, deleted or forged one is reported.
 *
 * Everything is built here from scratch with a test RSA key pair, in the
 * API's own shapes (gzip objects, S3 metadata, DER PKCS#1 public keys).
 */
import { createHash, generateKeyPairSync, KeyObject, sign } from 'crypto';
import { gzipSync } from 'zlib';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { configOf } from '../../../helpers/fleet';
import { verifyDigests } from '../../../../cli/lib/verify/digests';
import { formatTable } from '../../../../cli/lib/verify/report';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { AwsWorld } from './aws-world';

const BUCKET = 'my-bucket';
const ACCOUNT = '222222222222';
const NOW = new Date('2026-11-26T06:30:00Z');
const SINCE = new Date('2026-11-26T00:00:00Z');
const GENERATED = '2026-11-26T05:10:00Z';
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const stamp = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');
const hour = (h: number) => new Date(SINCE.getTime() + h * 3_600_000);

const keyPair = (validFrom: string, validTo: string) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'pkcs1', format: 'der' });
  return { privateKey, fingerprint: createHash('md5').update(der).digest('hex'), listed: { Value: new Uint8Array(der), Fingerprint: createHash('md5').update(der).digest('hex'), ValidityStartTime: new Date(validFrom), ValidityEndTime: new Date(validTo) } };
};
const MAIN = keyPair('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z');

interface Folder {
  /** `AWSLogs/<account>/` or `AWSLogs/<o-id>/<member>/` */
  readonly base: string;
  readonly account: string;
  readonly trail: string;
}
const OWN: Folder = { base: `AWSLogs/${ACCOUNT}/`, account: ACCOUNT, trail: 'trail-a' };

interface Digest {
  key: string;
  doc: Record<string, unknown> & { logFiles: Record<string, string>[] };
  content: Buffer;
  signature: string;
}

class Bucket {
  constructor(readonly world: AwsWorld) {}
  log(folder: Folder, at: Date, tag: string): { key: string; entry: Record<string, string> } {
    const key = `${folder.base}CloudTrail/us-east-2/2026/11/26/${folder.account}_CloudTrail_us-east-2_${stamp(at)}_${tag}.json.gz`;
    const content = Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.11', eventTime: at.toISOString(), eventName: `Call${tag}`, recipientAccountId: folder.account }] }));
    this.world.objects.set(`${BUCKET}/${key}`, { body: gzipSync(content), lastModified: at });
    return { key, entry: { s3Bucket: BUCKET, s3Object: key, hashValue: hex(content), hashAlgorithm: 'SHA-256', newestEventTime: at.toISOString(), oldestEventTime: at.toISOString() } };
  }
  /** A digest signed the way CloudTrail documents it (written here independently of the code under test). */
  digest(folder: Folder, start: Date, end: Date, logs: Record<string, string>[], prev: Digest | undefined, options: { backfill?: boolean; key?: KeyObject; fingerprint?: string; generated?: string | null } = {}): Digest {
    const key = `${folder.base}CloudTrail-Digest/us-east-2/2026/11/26/${folder.account}_CloudTrail-Digest_us-east-2_${folder.trail}_us-east-2_${stamp(end)}${options.backfill ? '_backfill' : ''}.json.gz`;
    const doc = {
      awsAccountId: folder.account,
      digestStartTime: start.toISOString().replace('.000', ''),
      digestEndTime: end.toISOString().replace('.000', ''),
      digestS3Bucket: BUCKET,
      digestS3Object: key,
      digestPublicKeyFingerprint: options.fingerprint ?? MAIN.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: end.toISOString(),
      oldestEventTime: start.toISOString(),
      previousDigestS3Bucket: prev ? BUCKET : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? hex(prev.content) : null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles: logs,
    };
    const content = Buffer.from(JSON.stringify(doc));
    const toSign = `${doc.digestEndTime}\n${BUCKET}/${key}\n${hex(content)}\n${doc.previousDigestSignature ?? 'null'}`;
    const signature = sign('sha256', Buffer.from(toSign), options.key ?? MAIN.privateKey).toString('hex');
    const metadata: Record<string, string> = { signature, 'signature-algorithm': 'SHA256withRSA' };
    if (options.backfill && options.generated !== null) metadata['backfill-generation-timestamp'] = options.generated ?? GENERATED;
    const lastModified = options.backfill ? new Date(options.generated ?? GENERATED) : new Date(end.getTime() + 10 * 60_000);
    this.world.objects.set(`${BUCKET}/${key}`, { body: gzipSync(content), lastModified, metadata });
    return { key, doc, content, signature };
  }
}

/**
 * Four hourly digests (00-04 UTC), two log files each; two log files that
 * came late (01:50 and 03:50) are in no hourly digest but in two backfill
 * digests, the second chained to the first.
 */
function fleetOfDigests(world: AwsWorld, folder: Folder = OWN) {
  const b = new Bucket(world);
  const hourly: Digest[] = [];
  const logs: string[] = [];
  for (let h = 0; h < 4; h++) {
    const entries = [5, 35].map((m) => b.log(folder, new Date(hour(h).getTime() + m * 60_000), `${h}${m}`));
    logs.push(...entries.map((e) => e.key));
    hourly.push(b.digest(folder, hour(h), hour(h + 1), entries.map((e) => e.entry), hourly[h - 1]));
  }
  const late1 = b.log(folder, new Date(hour(1).getTime() + 50 * 60_000), 'late1');
  const late3 = b.log(folder, new Date(hour(3).getTime() + 50 * 60_000), 'late3');
  const backfill1 = b.digest(folder, hour(1), hour(2), [late1.entry], undefined, { backfill: true });
  const backfill2 = b.digest(folder, hour(3), hour(4), [late3.entry], backfill1, { backfill: true });
  world.publicKeys = [MAIN.listed];
  return { b, hourly, logs, late: [late1.key, late3.key], backfill: [backfill1, backfill2] };
}

let world: AwsWorld;
beforeEach(() => (world = new AwsWorld()));
afterEach(() => world.restore());

const config = () =>
  configOf({ central: { accountId: '111111111111', region: 'us-east-2', bucketName: BUCKET }, defaults: { trailName: 'trail-a' }, accounts: [{ accountId: ACCOUNT, multiRegion: false }] });

const check = (now = NOW) =>
  verifyDigests({ config: config(), trail: config().trails[0], s3: new S3Client({ region: 'us-east-2' }), cloudTrail: new CloudTrailClient({ region: 'us-east-2' }), since: SINCE, now });
const s3 = (key: string) => `s3://${BUCKET}/${key}`;

describe('backfill digests', () => {
  test('a clean backfill reports nothing: its late log files are neither unsigned nor a missing digest', async () => {
    fleetOfDigests(world);
    const report = await check();
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ digestFiles: 6, backfillDigestFiles: 2, logFiles: 10 });
  });

  test('without the backfill digests, the late log files are unsigned (what backfill digests are for)', async () => {
    const { backfill } = fleetOfDigests(world);
    for (const d of backfill) world.objects.delete(`${BUCKET}/${d.key}`);
    expect((await check()).findings.map((f) => f.kind)).toEqual(['unsigned-log', 'unsigned-log']);
  });

  test('a tampered backfilled log file is reported as modified, marked backfill', async () => {
    const { late, backfill } = fleetOfDigests(world);
    world.objects.get(`${BUCKET}/${late[0]}`)!.body = gzipSync(Buffer.from('{"Records":[{"eventName":"Forged"}]}'));
    expect((await check()).findings).toEqual([{ kind: 'modified-log', location: s3(late[0]), detail: `SHA-256 differs from ${s3(backfill[0].key)}`, backfill: true }]);
  });

  test('a deleted backfilled log file is reported as missing', async () => {
    const { late, backfill } = fleetOfDigests(world);
    world.objects.delete(`${BUCKET}/${late[1]}`);
    expect((await check()).findings).toEqual([{ kind: 'missing-log', location: s3(late[1]), detail: `listed in ${s3(backfill[1].key)}`, backfill: true }]);
  });

  test('a deleted backfill digest: the next backfill names it (missing), its log file is unsigned', async () => {
    const { late, backfill } = fleetOfDigests(world);
    world.objects.delete(`${BUCKET}/${backfill[0].key}`);
    expect((await check()).findings).toEqual([
      { kind: 'missing-digest', location: s3(backfill[0].key), detail: `named as previous by ${s3(backfill[1].key)}`, backfill: true },
      { kind: 'unsigned-log', location: s3(late[0]), detail: 'in the trail folder, but in no digest file of its period' },
    ]);
  });

  test('a backfill digest edited after signing fails its signature; its next one no longer links', async () => {
    const { backfill } = fleetOfDigests(world);
    const forged = { ...backfill[0].doc, logFiles: [] };
    world.objects.get(`${BUCKET}/${backfill[0].key}`)!.body = gzipSync(Buffer.from(JSON.stringify(forged)));
    const findings = (await check()).findings;
    expect(findings).toContainEqual({ kind: 'invalid-digest', location: s3(backfill[0].key), detail: 'signature does not verify: the digest file was modified', backfill: true });
    expect(findings).toContainEqual({ kind: 'broken-chain', location: s3(backfill[1].key), detail: `its previousDigestHashValue does not match ${s3(backfill[0].key)}`, backfill: true });
  });

  test('a backfill digest signed with a key that is not CloudTrail\'s is invalid', async () => {
    const { b, backfill } = fleetOfDigests(world);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    b.digest(OWN, hour(1), hour(2), backfill[0].doc.logFiles, undefined, { backfill: true, key: stranger });
    const findings = (await check()).findings;
    expect(findings[0]).toEqual({ kind: 'invalid-digest', location: s3(backfill[0].key), detail: 'signature does not verify: the digest file was modified', backfill: true });
  });

  test('a backfill digest without backfill-generation-timestamp is invalid (validate-logs: invalid format)', async () => {
    const { b, backfill } = fleetOfDigests(world);
    const redone = b.digest(OWN, hour(1), hour(2), backfill[0].doc.logFiles, undefined, { backfill: true, generated: null });
    // Re-link the second backfill to the re-signed first one, so only the metadata is wrong.
    b.digest(OWN, hour(3), hour(4), backfill[1].doc.logFiles, redone, { backfill: true });
    expect((await check()).findings).toEqual([
      { kind: 'invalid-digest', location: s3(backfill[0].key), detail: 'a backfill digest without backfill-generation-timestamp in the object metadata', backfill: true },
    ]);
  });

  test('a backfill signed with a key of its generation time only: looked up in the hour around backfill-generation-timestamp', async () => {
    const { b, backfill } = fleetOfDigests(world);
    // Generated at 07:00 by AWS's clock, after the checked period ends (06:30 by ours), with a key valid from 06:45.
    const later = keyPair('2026-11-26T06:45:00Z', '2026-12-26T00:00:00Z');
    world.publicKeys = [{ ...MAIN.listed, ValidityEndTime: new Date('2026-11-26T06:40:00Z') }, later.listed];
    const redone = b.digest(OWN, hour(1), hour(2), backfill[0].doc.logFiles, undefined, { backfill: true, key: later.privateKey, fingerprint: later.fingerprint, generated: '2026-11-26T07:00:00Z' });
    b.digest(OWN, hour(3), hour(4), backfill[1].doc.logFiles, redone, { backfill: true });
    expect((await check()).findings).toEqual([]);
    expect(world.calls.filter((c) => c.startsWith('ListPublicKeys:'))).toEqual([
      'ListPublicKeys:2026-11-26T00:00:00.000Z/2026-11-26T06:30:00.000Z',
      'ListPublicKeys:2026-11-26T06:00:00.000Z/2026-11-26T08:00:00.000Z',
    ]);
  });
});

describe('hourly chain, what validate-logs also catches', () => {
  test('the first digest of the day deleted: the next one names it, so it is missing (the period starts at 00:00 UTC)', async () => {
    const { hourly } = fleetOfDigests(world);
    world.objects.delete(`${BUCKET}/${hourly[0].key}`);
    expect((await check()).findings).toEqual([{ kind: 'missing-digest', location: s3(hourly[0].key), detail: `named as previous by ${s3(hourly[1].key)}` }]);
  });

  test('a new chain in the period (logging was off for a while): the gap is reported, as validate-logs notes it', async () => {
    const { b, hourly } = fleetOfDigests(world);
    const restarted = b.digest(OWN, hour(2), hour(3), hourly[2].doc.logFiles, undefined);
    // Digest 3 is signed against the new digest 2, so only the gap remains.
    b.digest(OWN, hour(3), hour(4), hourly[3].doc.logFiles, restarted);
    expect((await check()).findings).toEqual([
      {
        kind: 'broken-chain',
        location: s3(hourly[2].key),
        detail: `names no previous digest, but ${s3(hourly[1].key)} precedes it: CloudTrail starts a new chain after logging or log file validation was off, and nothing proves the time in between`,
      },
    ]);
  });

  test('an hourly digest chained through a backfill digest is a link like any other (validate-logs follows it)', async () => {
    const { b, hourly, backfill } = fleetOfDigests(world);
    const relinked = b.digest(OWN, hour(2), hour(3), hourly[2].doc.logFiles, backfill[0]);
    b.digest(OWN, hour(3), hour(4), hourly[3].doc.logFiles, relinked);
    expect((await check()).findings).toEqual([]);
  });

  test('data appended after the end of a log file\'s gzip stream is a modified log file (Node alone would ignore it)', async () => {
    const { logs, hourly } = fleetOfDigests(world);
    const o = world.objects.get(`${BUCKET}/${logs[2]}`)!;
    o.body = Buffer.concat([o.body!, Buffer.alloc(8)]);
    expect((await check()).findings).toEqual([
      { kind: 'modified-log', location: s3(logs[2]), detail: `8 byte(s) of data after the end of its gzip stream (appended after delivery); listed in ${s3(hourly[1].key)}` },
    ]);
  });

  test('a second gzip member appended (forged records after the real ones) is a modified log file', async () => {
    const { logs } = fleetOfDigests(world);
    const o = world.objects.get(`${BUCKET}/${logs[3]}`)!;
    o.body = Buffer.concat([o.body!, gzipSync('{"Records":[{"eventName":"Planted"}]}')]);
    expect((await check()).findings.map((f) => `${f.kind} ${f.location}`)).toEqual([`modified-log ${s3(logs[3])}`]);
  });
});

describe('organization trails: each member account of the config, in its own folder', () => {
  const ORG = 'o-abc123defg';
  const orgConfig = () =>
    configOf({
      organization: { id: ORG, managementAccountId: '111111111111' },
      central: { accountId: '111111111111', region: 'us-east-2', bucketName: BUCKET },
      defaults: { trailName: 'trail-a' },
      accounts: [
        { accountId: '111111111111', trailName: 'org-trail', organizationTrail: true, multiRegion: false },
        { accountId: ACCOUNT, multiRegion: false },
      ],
    });
  const memberFolder: Folder = { base: `AWSLogs/${ORG}/${ACCOUNT}/`, account: ACCOUNT, trail: 'org-trail' };
  const mgmtFolder: Folder = { base: `AWSLogs/${ORG}/111111111111/`, account: '111111111111', trail: 'org-trail' };

  function orgWorld() {
    const trail = (name: string, acct: string, org: boolean) => ({
      trail: { Name: name, S3BucketName: BUCKET, IsMultiRegionTrail: false, IncludeGlobalServiceEvents: true, HomeRegion: 'us-east-2', LogFileValidationEnabled: true, IsOrganizationTrail: org, KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/k', TrailARN: `arn:aws:cloudtrail:us-east-2:${acct}:trail/${name}` },
      status: { IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 10 * 60_000), LatestDigestDeliveryTime: new Date(NOW.getTime() - 30 * 60_000) },
      eventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    });
    world.trails.set('org-trail', trail('org-trail', '111111111111', true));
    world.trails.set('trail-a', trail('trail-a', ACCOUNT, false));
    const member = fleetOfDigests(world, memberFolder);
    fleetOfDigests(world, mgmtFolder);
    fleetOfDigests(world, OWN); // the member's own trail
    for (const f of [memberFolder, mgmtFolder, OWN]) new Bucket(world).log(f, new Date(NOW.getTime() - 10 * 60_000), 'fresh');
    return member;
  }

  test('a clean member folder: nothing reported, its digests counted on its own row', async () => {
    orgWorld();
    const report = await verifyFleet(orgConfig(), world.access(), { maxAgeMs: 86_400_000, concurrency: 4, now: NOW, digestsSince: SINCE });
    const org = report.trails.find((t) => t.trailName === 'org-trail')!;
    expect(org.members).toEqual([
      {
        accountId: ACCOUNT,
        healthy: true,
        folder: `s3://${BUCKET}/AWSLogs/${ORG}/${ACCOUNT}/CloudTrail/`,
        folderState: 'recent',
        folderNewestObject: '2026-11-26T06:20:00.000Z',
        problems: [],
        digests: { since: SINCE.toISOString(), digestFiles: 6, backfillDigestFiles: 2, logFiles: 10, findings: [] },
      },
    ]);
    expect(report.healthy).toBe(true);
    expect(formatTable(report)).toMatch(/✔ +222222222222 +org-trail \(member\) +us-east-2 +org +- +recent +ok \(6\/10\) +- +-/);
    expect(formatTable(report)).toContain('✔ all 2 trails healthy and 1 organization member folder recent (deliveries within 24 h)');
  });

  test('a tampered log file in the member folder is the member\'s problem, not the management account\'s', async () => {
    const { logs } = orgWorld();
    world.objects.get(`${BUCKET}/${logs[4]}`)!.body = gzipSync('{"Records":[]}');
    const report = await verifyFleet(orgConfig(), world.access(), { maxAgeMs: 86_400_000, concurrency: 4, now: NOW, digestsSince: SINCE });
    const org = report.trails.find((t) => t.trailName === 'org-trail')!;
    expect(org.healthy).toBe(true);
    expect(org.members![0].problems).toEqual([expect.stringMatching(new RegExp(`^digest: modified-log s3://my-bucket/AWSLogs/${ORG}/${ACCOUNT}/CloudTrail/us-east-2/2026/11/26/${ACCOUNT}_CloudTrail_us-east-2_20261126T020500Z_25\\.json\\.gz \\(SHA-256 differs from`))]);
    expect(report.healthy).toBe(false);
    const table = formatTable(report);
    expect(table).toMatch(/✖ +222222222222 +org-trail \(member\) +us-east-2 +org +- +recent +1 finding +- +1/);
    expect(table).toContain(`✖ 222222222222 in organization trail org-trail (111111111111, us-east-2):`);
    expect(table).toContain('✖ 0 of 2 trails unhealthy, 1 of 1 organization member folder unhealthy');
  });
});
