/**
 * Log file integrity the way `aws cloudtrail validate-logs` checks it, as a
 * pure function over digest files already read from S3:
 *
 * - each digest file is signed (S3 object metadata `signature`, hex, and
 *   `signature-algorithm` SHA256withRSA) over the string
 *   `digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(uncompressed digest)) \n previousDigestSignature`
 *   (`null` for the first digest of a chain), verified with the region's
 *   public key whose fingerprint the digest names (ListPublicKeys);
 * - each digest names the previous one (bucket, key, signature), so a
 *   deleted or replaced digest breaks the chain;
 * - each digest lists the log files delivered in its hour with the hex
 *   SHA-256 of their uncompressed content.
 * Log files under the trail's folders that no digest lists are unsigned.
 *
 * Backfill digest files (`..._<end time>_backfill.json.gz`, in the same
 * folder as the others) list log files that an hourly digest missed through
 * processing delays (AWS CloudTrail User Guide, "CloudTrail digest file
 * structure"). As `aws cloudtrail validate-logs` does since it supports them
 * (aws-cli awscli/customizations/cloudtrail/validation.py): they form chains
 * of their own, apart from the hourly chain, signed the same way; each must
 * carry the S3 metadata `backfill-generation-timestamp`; a backfill digest
 * that names no previous one starts a chain (no finding), one that names a
 * previous digest must match it, and the log files it lists are checked like
 * any other. Their log files are not unsigned.
 */
import { createHash, createPublicKey, verify } from 'crypto';

export interface DigestLogFile {
  readonly s3Bucket: string;
  readonly s3Object: string;
  readonly hashValue: string;
  readonly hashAlgorithm?: string;
}

/** The fields of a digest file this check reads (names as CloudTrail writes them). */
export interface DigestDocument {
  readonly digestStartTime: string;
  readonly digestEndTime: string;
  readonly digestS3Bucket: string;
  readonly digestS3Object: string;
  readonly digestPublicKeyFingerprint: string;
  readonly digestSignatureAlgorithm?: string;
  readonly previousDigestS3Bucket?: string | null;
  readonly previousDigestS3Object?: string | null;
  readonly previousDigestHashValue?: string | null;
  readonly previousDigestSignature?: string | null;
  readonly logFiles: readonly DigestLogFile[];
}

/** A digest object as read from S3. */
export interface DigestObject {
  readonly bucket: string;
  readonly key: string;
  /** The uncompressed digest file. */
  readonly content: Buffer;
  /** S3 metadata `signature` (hex); undefined when the object carries none. */
  readonly signature?: string;
  /** S3 metadata `signature-algorithm`. */
  readonly signatureAlgorithm?: string;
  /** S3 metadata `backfill-generation-timestamp` (backfill digests only). */
  readonly backfillGeneratedAt?: string;
}

export interface PublicKeyInfo {
  readonly fingerprint: string;
  /** DER-encoded PKCS#1 RSA public key (ListPublicKeys `Value`). */
  readonly value: Uint8Array;
}

export type FindingKind = 'missing-log' | 'modified-log' | 'unsigned-log' | 'missing-digest' | 'invalid-digest' | 'unsigned-digest' | 'broken-chain';

export interface Finding {
  readonly kind: FindingKind;
  /** `s3://bucket/key` of the file concerned. */
  readonly location: string;
  readonly detail?: string;
  /** The finding is about a backfill digest file, or a log file only a backfill digest lists. */
  readonly backfill?: true;
}

export interface ChainInput {
  /** Every digest file of one trail and region in the checked period. */
  readonly digests: readonly DigestObject[];
  readonly publicKeys: readonly PublicKeyInfo[];
  /**
   * Hex SHA-256 of each listed log file's uncompressed content, by
   * `bucket/key`; undefined = the object does not exist; `TRAILING` + a
   * sentence = the object has data after its gzip stream.
   */
  readonly logHashes: ReadonlyMap<string, string | undefined>;
  /** Log files found in the trail's folders for the period (`bucket/key` with their LastModified). */
  readonly logObjects?: readonly { readonly bucket: string; readonly key: string; readonly lastModified: Date }[];
  /**
   * Start of the period whose digest folders were listed: a digest named as
   * previous whose time is at or after it must be among `digests` (else it
   * was deleted); one before it is not followed.
   */
  readonly periodStart?: Date;
}

/** A `logHashes` value for a log file with data after the end of its gzip stream (validate-logs: INVALID). */
export const TRAILING = 'trailing:';

export const sha256Hex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

const s3 = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** The string CloudTrail signs for a digest file. */
export function digestStringToSign(doc: DigestDocument, content: Buffer): string {
  return `${doc.digestEndTime}\n${doc.digestS3Bucket}/${doc.digestS3Object}\n${sha256Hex(content)}\n${doc.previousDigestSignature ?? 'null'}`;
}

/** ListPublicKeys gives a DER PKCS#1 RSA key; a DER SubjectPublicKeyInfo (what most tools export) is read too. */
function derPublicKey(der: Buffer) {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
}

export function verifyDigestSignature(doc: DigestDocument, content: Buffer, signatureHex: string, key: PublicKeyInfo): boolean {
  const publicKey = derPublicKey(Buffer.from(key.value));
  return verify('sha256', Buffer.from(digestStringToSign(doc, content)), publicKey, Buffer.from(signatureHex, 'hex'));
}

interface Parsed {
  readonly obj: DigestObject;
  readonly doc: DigestDocument;
}

function parse(obj: DigestObject, findings: Finding[]): Parsed | undefined {
  try {
    const doc = JSON.parse(obj.content.toString('utf8')) as DigestDocument;
    if (typeof doc.digestEndTime !== 'string' || !Array.isArray(doc.logFiles)) throw new Error('not a CloudTrail digest file');
    return { obj, doc };
  } catch (e) {
    findings.push({ kind: 'invalid-digest', location: s3(obj.bucket, obj.key), detail: `cannot be read: ${(e as Error).message}` });
    return undefined;
  }
}

export const isBackfillDigestKey = (key: string) => key.endsWith('_backfill.json.gz');

/** The time in a digest file's name (`..._20261126T010000Z.json.gz`, `..._20261126T010000Z_backfill.json.gz`), in ms; 0 when absent. */
export function digestTimeOfKey(key: string): number {
  const m = /_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z(?:_backfill)?\.json\.gz$/.exec(key);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : 0;
}

const byEndTime = (a: Parsed, b: Parsed) =>
  a.doc.digestEndTime < b.doc.digestEndTime ? -1 : a.doc.digestEndTime > b.doc.digestEndTime ? 1 : a.obj.key < b.obj.key ? -1 : a.obj.key > b.obj.key ? 1 : 0;

/** Checks the digest chains (hourly and backfill) of one trail and region. Empty result = intact. */
export function checkDigestChain(input: ChainInput): Finding[] {
  const findings: Finding[] = [];
  const keys = new Map(input.publicKeys.map((k) => [k.fingerprint, k]));
  const parsed = input.digests.map((d) => parse(d, findings)).filter((p): p is Parsed => p !== undefined);
  const chain = parsed.filter((p) => !isBackfillDigestKey(p.obj.key)).sort(byEndTime);
  const backfill = parsed.filter((p) => isBackfillDigestKey(p.obj.key)).sort(byEndTime);
  const byKey = new Map(parsed.map((p) => [`${p.obj.bucket}/${p.obj.key}`, p]));
  const periodStart = input.periodStart?.getTime();
  const mark = (f: Finding, isBackfill: boolean): Finding => (isBackfill ? { ...f, backfill: true } : f);

  const checkFile = ({ obj, doc }: Parsed, isBackfill: boolean) => {
    const where = s3(obj.bucket, obj.key);
    const add = (f: Finding) => findings.push(mark(f, isBackfill));
    if (doc.digestS3Bucket !== obj.bucket || doc.digestS3Object !== obj.key) {
      add({ kind: 'invalid-digest', location: where, detail: `the digest says it is ${s3(doc.digestS3Bucket, doc.digestS3Object)}: copied or moved` });
    }
    if (isBackfill && !obj.backfillGeneratedAt) add({ kind: 'invalid-digest', location: where, detail: 'a backfill digest without backfill-generation-timestamp in the object metadata' });
    if (!obj.signature) {
      add({ kind: 'unsigned-digest', location: where, detail: 'no signature in the object metadata' });
    } else {
      const key = keys.get(doc.digestPublicKeyFingerprint);
      if (!key) {
        add({ kind: 'invalid-digest', location: where, detail: `no public key with fingerprint ${doc.digestPublicKeyFingerprint} (ListPublicKeys)` });
      } else if (!verifyDigestSignature(doc, obj.content, obj.signature, key)) {
        add({ kind: 'invalid-digest', location: where, detail: 'signature does not verify: the digest file was modified' });
      }
    }
  };

  /** The named previous digest is `prev`: its signature and hash must be the ones the digest names. */
  const checkLink = (p: Parsed, prev: Parsed, isBackfill: boolean) => {
    // One finding per link; an unsigned previous digest is already reported as such.
    const broken = [
      prev.obj.signature !== undefined && (p.doc.previousDigestSignature ?? undefined) !== prev.obj.signature ? 'previousDigestSignature' : undefined,
      p.doc.previousDigestHashValue && p.doc.previousDigestHashValue !== sha256Hex(prev.obj.content) ? 'previousDigestHashValue' : undefined,
    ].filter(Boolean);
    if (broken.length > 0) {
      findings.push(mark({ kind: 'broken-chain', location: s3(p.obj.bucket, p.obj.key), detail: `its ${broken.join(' and ')} do${broken.length === 1 ? 'es' : ''} not match ${s3(prev.obj.bucket, prev.obj.key)}` }, isBackfill));
    }
  };

  /** A previous digest that is named but absent: deleted when it falls in the listed period. */
  const missingPrevious = (p: Parsed, prevKey: string, isBackfill: boolean) => {
    if (periodStart === undefined || digestTimeOfKey(prevKey) < periodStart) return;
    findings.push(
      mark({ kind: 'missing-digest', location: s3(p.doc.previousDigestS3Bucket!, p.doc.previousDigestS3Object!), detail: `named as previous by ${s3(p.obj.bucket, p.obj.key)}` }, isBackfill),
    );
  };

  chain.forEach((p, i) => {
    const { obj, doc } = p;
    const where = s3(obj.bucket, obj.key);
    checkFile(p, false);
    // The link to the previous digest. The first digest of the period may point before it.
    const prevKey = doc.previousDigestS3Object ? `${doc.previousDigestS3Bucket}/${doc.previousDigestS3Object}` : undefined;
    if (i === 0) {
      if (prevKey && !byKey.has(prevKey)) missingPrevious(p, prevKey, false);
      else if (prevKey) checkLink(p, byKey.get(prevKey)!, false);
      return;
    }
    const prev = chain[i - 1];
    const prevWhere = s3(prev.obj.bucket, prev.obj.key);
    if (!prevKey) {
      findings.push({
        kind: 'broken-chain',
        location: where,
        detail: `names no previous digest, but ${prevWhere} precedes it: CloudTrail starts a new chain after logging or log file validation was off, and nothing proves the time in between`,
      });
    } else if (prevKey !== `${prev.obj.bucket}/${prev.obj.key}` && isBackfillDigestKey(prevKey) && byKey.has(prevKey)) {
      // validate-logs follows a link wherever it leads; an hourly digest chained through a backfill digest is such a link.
      checkLink(p, byKey.get(prevKey)!, false);
    } else if (prevKey !== `${prev.obj.bucket}/${prev.obj.key}`) {
      findings.push(
        byKey.has(prevKey)
          ? { kind: 'broken-chain', location: where, detail: `names ${s3(doc.previousDigestS3Bucket!, doc.previousDigestS3Object!)} as previous, not ${prevWhere}` }
          : { kind: 'missing-digest', location: s3(doc.previousDigestS3Bucket!, doc.previousDigestS3Object!), detail: `named as previous by ${where}` },
      );
    } else checkLink(p, prev, false);
  });

  for (const p of backfill) {
    checkFile(p, true);
    const prevKey = p.doc.previousDigestS3Object ? `${p.doc.previousDigestS3Bucket}/${p.doc.previousDigestS3Object}` : undefined;
    if (!prevKey) continue; // the start of a backfill chain
    const prev = byKey.get(prevKey);
    if (prev) checkLink(p, prev, true);
    else missingPrevious(p, prevKey, true);
  }

  const reported = new Set<string>();
  const standardLogs = new Set(chain.flatMap((p) => p.doc.logFiles.map((l) => `${l.s3Bucket}/${l.s3Object}`)));
  for (const p of [...chain, ...backfill]) {
    const isBackfill = isBackfillDigestKey(p.obj.key);
    const where = s3(p.obj.bucket, p.obj.key);
    for (const log of p.doc.logFiles) {
      const id = `${log.s3Bucket}/${log.s3Object}`;
      const actual = input.logHashes.get(id);
      const finding: Finding | undefined =
        actual === undefined
          ? { kind: 'missing-log', location: s3(log.s3Bucket, log.s3Object), detail: `listed in ${where}` }
          : actual !== log.hashValue
            ? { kind: 'modified-log', location: s3(log.s3Bucket, log.s3Object), detail: actual.startsWith(TRAILING) ? `${actual.slice(TRAILING.length)} listed in ${where}` : `SHA-256 differs from ${where}` }
            : undefined;
      if (finding && !reported.has(`${finding.kind} ${id}`)) {
        reported.add(`${finding.kind} ${id}`);
        findings.push(mark(finding, isBackfill && !standardLogs.has(id)));
      }
    }
  }

  // Log files the period's digests should cover but none lists (a backfill digest covers a late one).
  if (chain.length > 0 && input.logObjects) {
    const listed = new Set(parsed.flatMap((p) => p.doc.logFiles.map((l) => `${l.s3Bucket}/${l.s3Object}`)));
    const from = new Date(chain[0].doc.digestStartTime).getTime();
    const to = new Date(chain[chain.length - 1].doc.digestEndTime).getTime();
    for (const o of input.logObjects) {
      const t = o.lastModified.getTime();
      if (t >= from && t <= to && !listed.has(`${o.bucket}/${o.key}`)) {
        findings.push({ kind: 'unsigned-log', location: s3(o.bucket, o.key), detail: 'in the trail folder, but in no digest file of its period' });
      }
    }
  }
  return findings;
}
