/**
 * The record of the last successful deploy of each stack: what `deploy`
 * compares with to apply only what changed, to resume after a failure, and
 * to hand the change-safety gate what is deployed now.
 *
 * One small JSON file per stack, written right after its apply succeeded
 * (never before, never for a failed one), holding the content hash of what
 * was applied, the hash of the whole synthesis, the time, and the stack's
 * Terraform content itself (the gate's base next time).
 *
 * Where it lives, so that the next deploy finds it wherever it runs:
 *   local  `state/<fleet>/.cloudtrail-fleet/deployed/<stack>.json`, next to
 *          the `terraform.<stack>.tfstate` files it describes, in the
 *          fleet's own state folder (two configs in one clone never read
 *          each other's records);
 *   s3     `s3://<state bucket>/<keyPrefix>deployed/<stack>.json`, next to
 *          the state, with the backend's credentials: a CI runner that
 *          starts from a clean clone reads it like the state;
 *   cloud  HCP Terraform keeps only the state, so the record stays in the
 *          local folder (`--records <dir>` to put it elsewhere, e.g. a CI
 *          cache); a clean clone without it has no record, and deploy asks
 *          for `--base <ref>` or `--all` rather than guess (docs/deploying.md).
 * `--records <dir>` puts it in a folder of your choice for any backend.
 */
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BackendConfig } from '../../../config/model';
import { TRAIL_DEFAULTS } from '../../../config/schema';
import type { AwsSession } from '../aws-access';
import { mapPool } from '../pool';
import { StackJson, contentKey } from '../stack-diff';

export interface DeployRecord {
  readonly version: 1;
  readonly stack: string;
  /** sha256 of what Terraform read in the stack folder (cdk.tf.json without comments, plus override files). */
  readonly content: string;
  /** sha256 over every stack's content: which synthesis the apply belonged to. */
  readonly synth: string;
  readonly appliedAt: string;
  readonly terraformVersion?: string;
  /** The stack's Terraform content as applied (cdk.tf.json without `//` comments). */
  readonly terraform: StackJson;
}

export interface RecordStore {
  /** Where the records are, for messages. */
  readonly location: string;
  /** Every record found. */
  readAll(): Promise<Map<string, DeployRecord>>;
  write(record: DeployRecord): Promise<void>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The content hash of a stack: its Terraform content, and the text of any other Terraform file in its folder (e.g. `*_override.tf.json`). */
export function stackContentHash(stack: StackJson, extraFiles: ReadonlyMap<string, string> = new Map()): string {
  const extras = [...extraFiles.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, text]) => `\n--- ${name}\n${text}`);
  return sha256(contentKey(stack) + extras.join(''));
}

/** The synthesis hash: every stack's name and content hash. */
export function synthHash(contents: ReadonlyMap<string, string>): string {
  return sha256([...contents.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, c]) => `${n} ${c}`).join('\n'));
}

function isRecord(value: unknown): value is DeployRecord {
  const r = value as DeployRecord;
  return !!r && r.version === 1 && typeof r.stack === 'string' && typeof r.content === 'string' && typeof r.synth === 'string';
}

export class FolderRecords implements RecordStore {
  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  async readAll(): Promise<Map<string, DeployRecord>> {
    const out = new Map<string, DeployRecord>();
    if (!existsSync(this.dir)) return out;
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort()) {
      try {
        const r = JSON.parse(readFileSync(path.join(this.dir, file), 'utf8'));
        if (isRecord(r) && `${r.stack}.json` === file) out.set(r.stack, r);
      } catch {
        // a torn or foreign file: as if there were no record (the stack is applied again, which is safe)
      }
    }
    return out;
  }

  async write(record: DeployRecord): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${record.stack}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record)}\n`);
    renameSync(tmp, file); // atomic: a reader sees the old record or the new one
  }
}

export class S3Records implements RecordStore {
  private readonly prefix: string;

  constructor(
    private readonly backend: Extract<BackendConfig, { type: 's3' }>,
    private readonly session: AwsSession,
  ) {
    this.prefix = `${backend.keyPrefix ?? TRAIL_DEFAULTS.s3BackendKeyPrefix}deployed/`;
  }

  get location(): string {
    return `s3://${this.backend.bucket}/${this.prefix}`;
  }

  private client(): S3Client {
    return this.session.client(S3Client, this.backend.assumeRoleArn, this.backend.region);
  }

  async readAll(): Promise<Map<string, DeployRecord>> {
    const s3 = this.client();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: this.backend.bucket, Prefix: this.prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key?.endsWith('.json') ? [o.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const records = await mapPool(keys, 16, async (Key) => {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: this.backend.bucket, Key }));
        const r = JSON.parse((await out.Body?.transformToString()) ?? '');
        return isRecord(r) ? r : undefined;
      } catch {
        return undefined;
      }
    });
    return new Map(records.flatMap((r) => (r ? [[r.stack, r] as [string, DeployRecord]] : [])));
  }

  async write(record: DeployRecord): Promise<void> {
    await this.client().send(
      new PutObjectCommand({
        Bucket: this.backend.bucket,
        Key: `${this.prefix}${record.stack}.json`,
        Body: `${JSON.stringify(record)}\n`,
        ContentType: 'application/json',
        ...(this.backend.encrypt === false ? {} : { ServerSideEncryption: 'AES256' as const }),
      }),
    );
  }
}

/** The default record folder of a local (or cloud) backend: `.cloudtrail-fleet/deployed` next to the state files. */
export function defaultRecordsDir(stateDir: string): string {
  return path.join(stateDir, '.cloudtrail-fleet', 'deployed');
}

/**
 * The records of one fleet in its own folder. Earlier releases kept every
 * fleet's records in one folder of the project root (`legacyDir`); while the
 * fleet's own folder holds none, the records there that are this fleet's
 * (`belongs`) are read instead, so the first deploy after the upgrade still
 * applies only what changed and the change gate still sees what was
 * deployed. New records always go to the fleet's own folder.
 */
export class FleetRecords implements RecordStore {
  /** How many records were read from the legacy folder (0: none, or the fleet's own folder had records). */
  fromLegacy = 0;

  constructor(
    readonly dir: string,
    readonly legacyDir: string,
    private readonly belongs: (record: DeployRecord) => boolean,
  ) {}

  get location(): string {
    return this.dir;
  }

  async readAll(): Promise<Map<string, DeployRecord>> {
    const own = await new FolderRecords(this.dir).readAll();
    if (own.size > 0 || path.resolve(this.legacyDir) === path.resolve(this.dir)) return own;
    const legacy = new Map([...(await new FolderRecords(this.legacyDir).readAll())].filter(([, r]) => this.belongs(r)));
    this.fromLegacy = legacy.size;
    return legacy;
  }

  write(record: DeployRecord): Promise<void> {
    return new FolderRecords(this.dir).write(record);
  }
}
