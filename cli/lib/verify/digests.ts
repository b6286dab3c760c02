/**
 * `verify --digests`: reads a trail's digest files (hourly and backfill) and
 * the log files they list from the central bucket (central account's
 * credentials), the public keys from CloudTrail (ListPublicKeys, in each
 * digest region), and checks the chains with digest-chain.ts. For an
 * organization trail, `account` names the member whose folder
 * (`[prefix/]AWSLogs/<o-id>/<member>/`) is checked, as `validate-logs
 * --account-id` does.
 */
import { gunzipSync } from 'zlib';
import { CloudTrailClient, ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FleetConfig, TrailConfig } from '../../../config/model';
import { logFolder } from '../../../modules/arns';
import { RetryOptions, mapPool, withRetry } from './aws';
import { checkDigestChain, digestTimeOfKey, DigestObject, Finding, isBackfillDigestKey, PublicKeyInfo, sha256Hex, TRAILING } from './digest-chain';

export { digestTimeOfKey } from './digest-chain';

export interface DigestReport {
  readonly since: string;
  /** Digest files checked, backfill ones included. */
  readonly digestFiles: number;
  /** Of which backfill digest files (`_backfill.json.gz`). */
  readonly backfillDigestFiles: number;
  readonly logFiles: number;
  readonly findings: readonly Finding[];
}

export interface DigestInput {
  /** `trails`, when given, tells whether another trail of the account delivers into the same folder. */
  readonly config: Pick<FleetConfig, 'organization' | 'central'> & Partial<Pick<FleetConfig, 'trails'>>;
  readonly trail: TrailConfig;
  readonly s3: S3Client;
  /** CloudTrail client of the trail's home region; other regions' keys are read through `cloudTrailFor`. */
  readonly cloudTrail: CloudTrailClient;
  readonly cloudTrailFor?: (region: string) => Promise<CloudTrailClient>;
  readonly since: Date;
  readonly now: Date;
  readonly retry?: RetryOptions;
  /** An organization trail's member account whose folder is checked. @default the trail's own account */
  readonly account?: string;
}

/** `YYYY/MM/DD/` of every day from `since` to `now`. */
export function daysBetween(since: Date, now: Date): string[] {
  const out: string[] = [];
  for (let d = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()); d <= now.getTime(); d += 86_400_000) {
    const x = new Date(d);
    out.push(`${x.getUTCFullYear()}/${String(x.getUTCMonth() + 1).padStart(2, '0')}/${String(x.getUTCDate()).padStart(2, '0')}/`);
  }
  return out;
}

async function listAll(s3: S3Client, bucket: string, prefix: string, retry: RetryOptions, delimiter?: string) {
  const objects: { key: string; lastModified?: Date }[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const out = await withRetry(() => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token })), retry);
    for (const o of out?.Contents ?? []) if (o.Key) objects.push({ key: o.Key, lastModified: o.LastModified });
    for (const p of out?.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    token = out?.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return { objects, prefixes };
}

/** The bytes of a GetObject body: the SDK's stream (transformToByteArray), or a plain buffer or stream. */
async function bodyBytes(body: unknown): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if (body instanceof Uint8Array || typeof body === 'string') return Buffer.from(body);
  const b = body as { transformToByteArray?: () => Promise<Uint8Array>; [Symbol.asyncIterator]?: () => AsyncIterator<Uint8Array> };
  if (b.transformToByteArray) return Buffer.from(await b.transformToByteArray());
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function readObject(s3: S3Client, bucket: string, key: string, retry: RetryOptions) {
  try {
    const out = await withRetry(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })), retry);
    return { bytes: await bodyBytes(out?.Body), metadata: out?.Metadata ?? {} };
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey' || (e as Error).name === 'NotFound') return undefined;
    throw e;
  }
}

async function publicKeys(client: CloudTrailClient, since: Date, now: Date, retry: RetryOptions): Promise<PublicKeyInfo[]> {
  // ListPublicKeys takes whole ranges only forward in time.
  if (now < since) return [];
  const keys: PublicKeyInfo[] = [];
  let token: string | undefined;
  do {
    const out = await withRetry(() => client.send(new ListPublicKeysCommand({ StartTime: since, EndTime: now, NextToken: token })), retry);
    for (const k of out?.PublicKeyList ?? []) if (k.Fingerprint && k.Value) keys.push({ fingerprint: k.Fingerprint, value: k.Value });
    token = out?.NextToken;
  } while (token);
  return keys;
}

/** How long after a log file's delivery the digest file listing it is surely there (CloudTrail writes one per hour). */
export const DIGEST_DUE_MS = 90 * 60_000;

/**
 * The hex SHA-256 validate-logs compares: of the uncompressed log file.
 * A hash of the stored bytes as they are (a log file kept uncompressed, or a
 * digest writer hashing the .gz) proves the same, so it is accepted when it
 * is the listed one. Data after the end of the gzip stream is a change
 * (validate-logs: "unexpected data after end of compressed stream"); Node
 * would ignore trailing zeros, so the consumed length is checked.
 */
export function logFileHash(stored: Buffer, listed: string | undefined): string {
  const asStored = sha256Hex(stored);
  if (asStored === listed) return asStored;
  try {
    const { buffer, engine } = gunzipSync(stored, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    if (engine.bytesWritten < stored.length) return `${TRAILING}${stored.length - engine.bytesWritten} byte(s) of data after the end of its gzip stream (appended after delivery);`;
    return sha256Hex(buffer);
  } catch {
    return `not gzip: ${asStored}`;
  }
}

/** Checks every digest chain (one per region the trail logs in) of a trail, or of one organization member, since `since`. */
export async function verifyDigests(input: DigestInput): Promise<DigestReport> {
  const { config, trail: t, s3, since, now } = input;
  const retry = input.retry ?? {};
  const bucket = config.central.bucketName;
  const account = input.account ?? t.accountId;
  const owner = t.organizationTrail && config.organization ? `${config.organization.id}/${account}` : account;
  const base = logFolder(t.prefix, owner);
  const digestRoot = `${base}CloudTrail-Digest/`;
  const regions = t.multiRegion
    ? (await listAll(s3, bucket, digestRoot, retry, '/')).prefixes.map((p) => p.slice(digestRoot.length).replace(/\/$/, ''))
    : [t.region];
  if (!regions.includes(t.region)) regions.unshift(t.region);
  const days = daysBetween(since, now);
  const periodStart = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
  // Log file names do not name their trail: when another trail of the account writes into the same folder, a log
  // file no digest of this trail lists (or one after its last digest) may be that trail's, so those two checks are off.
  const sharedFolder = (config.trails ?? []).some(
    (o) => o.trailName !== t.trailName && o.accountId === t.accountId && (o.prefix ?? '') === (t.prefix ?? '') && o.organizationTrail === t.organizationTrail,
  );
  const findings: Finding[] = [];
  let digestFiles = 0;
  let backfillDigestFiles = 0;
  let logFiles = 0;

  for (const region of regions.sort()) {
    // <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<time>[_backfill].json.gz
    const marker = `/${account}_CloudTrail-Digest_${region}_${t.trailName}_${t.region}_`;
    const digestKeys: string[] = [];
    const logObjects: { bucket: string; key: string; lastModified: Date }[] = [];
    const seen = new Set<string>();
    for (const day of days) {
      const listed = await listAll(s3, bucket, `${digestRoot}${region}/${day}`, retry);
      for (const o of listed.objects) {
        if (o.key.includes(marker) && o.key.endsWith('.json.gz') && !seen.has(o.key)) {
          seen.add(o.key);
          digestKeys.push(o.key);
        }
      }
      const logs = await listAll(s3, bucket, `${base}CloudTrail/${region}/${day}`, retry);
      for (const o of logs.objects) {
        const isLog = o.key.includes(`_CloudTrail_${region}_`) && !o.key.includes('CloudTrail-Digest');
        if (isLog && o.lastModified && o.lastModified >= since && !seen.has(o.key)) {
          seen.add(o.key);
          logObjects.push({ bucket, key: o.key, lastModified: o.lastModified });
        }
      }
    }
    if (sharedFolder) logObjects.length = 0;
    if (digestKeys.length === 0) {
      if (logObjects.length > 0) {
        findings.push({ kind: 'missing-digest', location: `s3://${bucket}/${digestRoot}${region}/`, detail: `no digest file since ${since.toISOString()} while ${logObjects.length} log file(s) were delivered` });
      }
      continue;
    }
    const digests: DigestObject[] = [];
    for (const key of digestKeys.sort()) {
      const obj = await readObject(s3, bucket, key, retry);
      if (!obj) continue;
      let content: Buffer;
      try {
        content = gunzipSync(obj.bytes);
      } catch {
        findings.push({ kind: 'invalid-digest', location: `s3://${bucket}/${key}`, detail: 'not gzip', ...(isBackfillDigestKey(key) ? { backfill: true as const } : {}) });
        continue;
      }
      digests.push({
        bucket,
        key,
        content,
        signature: obj.metadata.signature,
        signatureAlgorithm: obj.metadata['signature-algorithm'],
        backfillGeneratedAt: obj.metadata['backfill-generation-timestamp'],
      });
    }
    const backfill = digests.filter((d) => isBackfillDigestKey(d.key));
    digestFiles += digests.length;
    backfillDigestFiles += backfill.length;

    const docs = new Map<string, { logFiles?: { s3Bucket: string; s3Object: string; hashValue?: string }[]; digestPublicKeyFingerprint?: string }>();
    for (const d of digests) {
      try {
        docs.set(d.key, JSON.parse(d.content.toString('utf8')));
      } catch {
        // reported by checkDigestChain
      }
    }
    const listedLogs = new Map<string, { bucket: string; key: string; hashValue?: string }>();
    for (const doc of docs.values()) for (const l of doc.logFiles ?? []) listedLogs.set(`${l.s3Bucket}/${l.s3Object}`, { bucket: l.s3Bucket, key: l.s3Object, hashValue: l.hashValue });
    const logHashes = new Map<string, string | undefined>();
    await mapPool([...listedLogs.entries()], 8, async ([id, l]) => {
      const obj = await readObject(s3, l.bucket, l.key, retry);
      logHashes.set(id, obj ? logFileHash(obj.bytes, l.hashValue) : undefined);
    });
    logFiles += listedLogs.size;

    // A digest file covers the log files delivered in its hour and arrives within about an hour after it: a log
    // file delivered after the newest digest's end, long enough ago for its digest to be there, means one is missing
    // (unless a backfill digest lists it).
    const newestEnd = Math.max(0, ...digests.filter((d) => !isBackfillDigestKey(d.key)).map((d) => digestTimeOfKey(d.key)));
    const late = logObjects.filter(
      (o) => o.lastModified.getTime() > newestEnd && now.getTime() - o.lastModified.getTime() > DIGEST_DUE_MS && !listedLogs.has(`${o.bucket}/${o.key}`),
    );
    if (newestEnd > 0 && late.length > 0) {
      findings.push({
        kind: 'missing-digest',
        location: `s3://${bucket}/${digestRoot}${region}/`,
        detail: `no digest file after ${new Date(newestEnd).toISOString()}, while ${late.length} log file(s) were delivered later`,
      });
    }

    const client = region === t.region || !input.cloudTrailFor ? input.cloudTrail : await input.cloudTrailFor(region);
    const keys = await publicKeys(client, since, now, retry);
    // A backfill digest may be signed with a key of its generation time (validate-logs asks for the hour around it).
    const known = new Set(keys.map((k) => k.fingerprint));
    for (const d of backfill) {
      const fingerprint = docs.get(d.key)?.digestPublicKeyFingerprint;
      const generated = d.backfillGeneratedAt ? new Date(d.backfillGeneratedAt) : undefined;
      if (!fingerprint || known.has(fingerprint) || !generated || Number.isNaN(generated.getTime())) continue;
      for (const k of await publicKeys(client, new Date(generated.getTime() - 3_600_000), new Date(generated.getTime() + 3_600_000), retry)) {
        if (!known.has(k.fingerprint)) {
          known.add(k.fingerprint);
          keys.push(k);
        }
      }
    }
    findings.push(...checkDigestChain({ digests, publicKeys: keys, logHashes, logObjects, periodStart }));
  }
  return { since: since.toISOString(), digestFiles, backfillDigestFiles, logFiles, findings };
}
