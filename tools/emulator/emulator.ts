/**
 * Starting and driving the project's AWS emulator (tools/emulator/launcher.py:
 * moto 5.2.1 with the project's patches) from Node: tests, the CI stage and
 * other tools. docs/emulator.md describes what it covers.
 *
 *   const emulator = await startEmulator();          // 127.0.0.1, a free port
 *   try { ... emulator.endpoint ... } finally { await emulator.stop(); }
 *
 * An emulator never outlives the Node process that started it: it is stopped
 * on `stop()`, on process exit, and (when Node dies without running exit
 * handlers) by itself when its stdin pipe closes.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as path from 'path';

/** The python executable (default `python3`). */
export const PYTHON_ENV = 'CLOUDTRAIL_EMULATOR_PYTHON';
/** The moto version the patches are written against (tools/emulator/patches.py MOTO_VERSION). */
export const MOTO_VERSION = '5.2.1';

/** Where launcher.py is, from the compiled (dist/tools/emulator) or the source (tools/emulator) location. */
export function launcherPath(): string {
  const here = __dirname;
  const parts = here.split(path.sep);
  const dist = parts.lastIndexOf('dist');
  const root = dist >= 0 ? parts.slice(0, dist).join(path.sep) : path.resolve(here, '..', '..');
  return path.join(root, 'tools', 'emulator', 'launcher.py');
}

export type Availability = { readonly available: true; readonly python: string; readonly moto: string } | { readonly available: false; readonly reason: string };

/** Whether python3 with moto 5.2.1 (and its server dependencies) is installed here. Never throws. */
export function emulatorAvailability(python = process.env[PYTHON_ENV] || 'python3'): Availability {
  const r = spawnSync(python, ['-c', 'import moto, flask, flask_cors, werkzeug; print(moto.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { available: false, reason: `${python} not found (${r.error.message}); set ${PYTHON_ENV} to a python with moto ${MOTO_VERSION}` };
  if (r.status !== 0) return { available: false, reason: `${python} cannot import moto and its server dependencies (pip install "moto[server]==${MOTO_VERSION}"): ${(r.stderr || '').trim().split('\n').pop()}` };
  const version = r.stdout.trim();
  if (version !== MOTO_VERSION) return { available: false, reason: `${python} has moto ${version}; the emulator's patches are written against moto ${MOTO_VERSION}` };
  return { available: true, python, moto: version };
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The emulator's credentials of an account: an access key of the IAM user
 * `emulator-deployer` in that account (created on first use). Deterministic:
 * the same in every emulator.
 */
export function emulatorCredentials(accountId: string): AwsCredentials {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`an account id is 12 digits, got ${JSON.stringify(accountId)}`);
  return { accessKeyId: `AKIA${accountId}EMUL`, secretAccessKey: 'emulator-secret-access-key-not-a-secret' };
}

/** An error the emulator answers for the next `count` matching calls. */
export interface FaultSpec {
  /** The service as it signs requests: `cloudtrail`, `kms`, `s3`, `sts`, `iam`, `sns`, `sqs`, `logs`, ... */
  readonly service: string;
  /** The API action: `CreateTrail`, `PutEventSelectors`, `PutBucketPolicy`, ... */
  readonly action: string;
  /** The AWS error code: `InsufficientS3BucketPolicyException`, ... */
  readonly code: string;
  readonly message?: string;
  /** How many matching calls fail (default 1). */
  readonly count?: number;
  /** HTTP status (default 400). */
  readonly status?: number;
  /** Only calls made with this account's credentials. */
  readonly accountId?: string;
  /** Only calls to this Region. */
  readonly region?: string;
  /** CloudTrail only: calls naming this trail (by name or ARN). */
  readonly trailName?: string;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  readonly remaining: number;
}

/** One API call the emulator served. */
export interface ApiCall {
  readonly service: string;
  readonly action: string;
  readonly accountId: string;
  readonly region: string;
  readonly trailName?: string;
  readonly status?: number;
  /** The injected error code, when a fault answered the call. */
  readonly fault?: string;
}

export interface Organization {
  readonly id: string;
  readonly managementAccountId: string;
  readonly accountIds: readonly string[];
  /** The root's id (e.g. the `r-...` a service control policy is attached to); default: moto's own. */
  readonly rootId?: string;
}

export interface PlantedObject {
  readonly bucket: string;
  readonly key: string;
  readonly lastModified: string;
}

export interface PatchInfo {
  readonly name: string;
  readonly summary: string;
  readonly source: string;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Environment for the AWS SDK v3 / CLI with an account's credentials (AWS_ENDPOINT_URL, keys, region). */
  env(accountId: string, region: string): Record<string, string>;
  /** moto's version and the project's patches. */
  health(): Promise<{ moto: string; patches: PatchInfo[] }>;
  injectFault(fault: FaultSpec): Promise<Fault>;
  faults(): Promise<Fault[]>;
  clearFaults(): Promise<void>;
  /** The API calls served since the start (or the last clearCalls/reset), oldest first. */
  calls(): Promise<ApiCall[]>;
  clearCalls(): Promise<void>;
  /**
   * An organization AWS would know: decides aws:PrincipalOrgID and who may create organization
   * trails, and exists in the emulator's Organizations (its id, root id and accounts; service
   * control policies enabled on the root) for the management account's Organizations calls.
   */
  declareOrganization(org: Organization): Promise<void>;
  /**
   * A log file where CloudTrail would deliver one for this trail (named as
   * CloudTrail names them), written straight into the bucket: planting, not
   * delivery (no policy is evaluated).
   */
  plantLogFile(options: { trailArn: string; time?: Date; region?: string }): Promise<PlantedObject>;
  /** Any object, written straight into the bucket (no policy evaluated). */
  plantObject(options: { bucket: string; key: string; body?: string | Buffer; time?: Date }): Promise<PlantedObject>;
  /** A KMS key that exists before the stacks run, optionally with a given key id (an adopted key's) and an alias. */
  plantKmsKey(options: { accountId: string; region: string; keyId?: string; alias?: string; policy?: string; multiRegion?: boolean }): Promise<{ keyId: string; arn: string }>;
  /** An SNS topic that exists before the stacks run. */
  plantSnsTopic(options: { accountId: string; region: string; name: string }): Promise<{ arn: string }>;
  /** An S3 bucket that exists before the stacks run (optionally with Object Lock enabled and a bucket policy). */
  plantBucket(options: { accountId: string; region: string; name: string; objectLock?: boolean; policy?: string }): Promise<{ name: string; arn: string }>;
  /** Empties every service and the emulator's own state (faults, calls, organizations). */
  reset(): Promise<void>;
  /** Stops the emulator (idempotent). */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 0 (default) = a free port. */
  readonly port?: number;
  readonly python?: string;
  /** Log every request on this process's stderr. */
  readonly verbose?: boolean;
  /** @default 60000 */
  readonly startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Starts an emulator on 127.0.0.1 and resolves once it listens. */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const python = options.python || process.env[PYTHON_ENV] || 'python3';
  const args = [launcherPath(), '--port', String(options.port ?? 0), '--exit-on-stdin-eof', ...(options.verbose ? ['--verbose'] : [])];
  const env = { ...process.env };
  // moto reads these at import: nothing from the caller's shell may change how it behaves.
  for (const k of Object.keys(env)) if (/^(MOTO_|AWS_)/.test(k)) delete env[k];
  const child = spawn(python, args, { stdio: ['pipe', 'pipe', options.verbose ? 'inherit' : 'pipe'], env });
  installExitHook();
  running.add(child);
  child.on('exit', () => running.delete(child));

  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator did not start within ${(options.startTimeoutMs ?? 60000) / 1000} s\n${err}`));
    }, options.startTimeoutMs ?? 60000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      if (err.length > 20000) err = err.slice(-20000);
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${python} ${args.join(' ')}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited before listening (${signal ?? `exit ${code}`})\n${err.trim()}`));
    });
  });
  // Keep draining its output so it never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr?.resume();
  return emulatorAt(endpoint, child);
}

/** Drives an emulator already listening at `endpoint` (e.g. one started by `npm run emulator`); stop() ends only a child this process started. */
export function emulatorAt(endpoint: string, child?: ChildProcess): Emulator {
  const port = Number(new URL(endpoint).port);
  const control = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${endpoint}/_cloudtrail_fleet/${route}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`emulator ${method} ${route}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    }
    if (!res.ok) throw new Error(`emulator ${method} ${route}: ${json.error ?? text}`);
    return json as T;
  };
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child?.pid ?? -1,
    env: (accountId, region) => {
      const c = emulatorCredentials(accountId);
      return { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_EC2_METADATA_DISABLED: 'true' };
    },
    health: () => control('GET', 'health'),
    injectFault: (fault) => control<Fault>('POST', 'faults', fault),
    faults: async () => (await control<{ faults: Fault[] }>('GET', 'faults')).faults,
    clearFaults: async () => void (await control('DELETE', 'faults')),
    calls: async () => (await control<{ calls: ApiCall[] }>('GET', 'calls')).calls,
    clearCalls: async () => void (await control('DELETE', 'calls')),
    declareOrganization: async (org) => void (await control('POST', 'organizations', org)),
    plantLogFile: (o) => control<PlantedObject>('POST', 'log-files', { trailArn: o.trailArn, time: o.time?.toISOString(), region: o.region }),
    plantObject: (o) =>
      control<PlantedObject>('POST', 'objects', {
        bucket: o.bucket,
        key: o.key,
        ...(Buffer.isBuffer(o.body) ? { bodyBase64: o.body.toString('base64') } : { body: o.body ?? '' }),
        time: o.time?.toISOString(),
      }),
    plantKmsKey: (o) => control('POST', 'kms-keys', o),
    plantSnsTopic: (o) => control('POST', 'sns-topics', o),
    plantBucket: (o) => control('POST', 'buckets', o),
    reset: async () => void (await control('POST', 'reset')),
    stop: () => {
      if (!child) return Promise.resolve();
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
        child.stdin?.end();
      });
      return stopped;
    },
  };
}
