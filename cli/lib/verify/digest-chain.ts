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
}

export interface ChainInput {
  /** Every digest file of one trail and region in the checked period. */
  readonly digests: readonly DigestObject[];
  readonly publicKeys: readonly PublicKeyInfo[];
  /**
   * Hex SHA-256 of each listed log file's uncompressed content, by
   * `bucket/key`; undefined = the object does not exist.
   */
  readonly logHashes: ReadonlyMap<string, string | undefined>;
  /** Log files found in the trail's folders for the period (`bucket/key` with their LastModified). */
  readonly logObjects?: readonly { readonly bucket: string; readonly key: string; readonly lastModified: Date }[];
}

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

/** Checks one chain of digest files (one trail, one region). Empty result = intact. */
export function checkDigestChain(input: ChainInput): Finding[] {
  const findings: Finding[] = [];
  const keys = new Map(input.publicKeys.map((k) => [k.fingerprint, k]));
  const chain = input.digests
    .map((d) => parse(d, findings))
    .filter((p): p is Parsed => p !== undefined)
    .sort((a, b) => (a.doc.digestEndTime < b.doc.digestEndTime ? -1 : a.doc.digestEndTime > b.doc.digestEndTime ? 1 : 0));
  const byKey = new Map(chain.map((p) => [`${p.obj.bucket}/${p.obj.key}`, p]));

  chain.forEach((p, i) => {
    const { obj, doc } = p;
    const where = s3(obj.bucket, obj.key);
    if (doc.digestS3Bucket !== obj.bucket || doc.digestS3Object !== obj.key) {
      findings.push({ kind: 'invalid-digest', location: where, detail: `the digest says it is ${s3(doc.digestS3Bucket, doc.digestS3Object)}: copied or moved` });
    }
    if (!obj.signature) {
      findings.push({ kind: 'unsigned-digest', location: where, detail: 'no signature in the object metadata' });
    } else {
      const key = keys.get(doc.digestPublicKeyFingerprint);
      if (!key) {
        findings.push({ kind: 'invalid-digest', location: where, detail: `no public key with fingerprint ${doc.digestPublicKeyFingerprint} (ListPublicKeys)` });
      } else if (!verifyDigestSignature(doc, obj.content, obj.signature, key)) {
        findings.push({ kind: 'invalid-digest', location: where, detail: 'signature does not verify: the digest file was modified' });
      }
    }

    // The link to the previous digest. The first digest of the period may point before it.
    const prevKey = doc.previousDigestS3Object ? `${doc.previousDigestS3Bucket}/${doc.previousDigestS3Object}` : undefined;
    if (i > 0) {
      const prev = chain[i - 1];
      const prevWhere = s3(prev.obj.bucket, prev.obj.key);
      if (!prevKey) {
        findings.push({ kind: 'broken-chain', location: where, detail: `names no previous digest, but ${prevWhere} precedes it` });
      } else if (prevKey !== `${prev.obj.bucket}/${prev.obj.key}`) {
        findings.push(
          byKey.has(prevKey)
            ? { kind: 'broken-chain', location: where, detail: `names ${s3(doc.previousDigestS3Bucket!, doc.previousDigestS3Object!)} as previous, not ${prevWhere}` }
            : { kind: 'missing-digest', location: s3(doc.previousDigestS3Bucket!, doc.previousDigestS3Object!), detail: `named as previous by ${where}` },
        );
      } else {
        // One finding per link; an unsigned previous digest is already reported as such.
        const broken = [
          prev.obj.signature !== undefined && (doc.previousDigestSignature ?? undefined) !== prev.obj.signature ? 'previousDigestSignature' : undefined,
          doc.previousDigestHashValue && doc.previousDigestHashValue !== sha256Hex(prev.obj.content) ? 'previousDigestHashValue' : undefined,
        ].filter(Boolean);
        if (broken.length > 0) findings.push({ kind: 'broken-chain', location: where, detail: `its ${broken.join(' and ')} do${broken.length === 1 ? 'es' : ''} not match ${prevWhere}` });
      }
    }

    for (const log of doc.logFiles) {
      const id = `${log.s3Bucket}/${log.s3Object}`;
      const actual = input.logHashes.get(id);
      if (actual === undefined) findings.push({ kind: 'missing-log', location: s3(log.s3Bucket, log.s3Object), detail: `listed in ${where}` });
      else if (actual !== log.hashValue) findings.push({ kind: 'modified-log', location: s3(log.s3Bucket, log.s3Object), detail: `SHA-256 differs from ${where}` });
    }
  });

  // Log files the period's digests should cover but none lists.
  if (chain.length > 0 && input.logObjects) {
    const listed = new Set(chain.flatMap((p) => p.doc.logFiles.map((l) => `${l.s3Bucket}/${l.s3Object}`)));
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
