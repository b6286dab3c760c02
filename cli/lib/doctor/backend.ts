/**
 * Is the state backend reachable, the way Terraform will reach it?
 *
 *   local  the folder the state files go to is writable: the fleet's own
 *          `state/<partition>-<central account>-<bucket>/` in the folder
 *          holding the output folder (the stacks name
 *          `../../../state/<fleet>/terraform.<stack>.tfstate` from
 *          `<out>/stacks/<stack>/`);
 *   s3     the state bucket answers HeadBucket, with the backend's
 *          assumeRoleArn when set (as the backend block says), else the
 *          ambient credentials;
 *   cloud  a token for the host (TF_TOKEN_<host>, the CLI config, or
 *          credentials.tfrc.json, like Terraform), the host's service
 *          discovery, and the organization readable with that token.
 */
import { randomBytes } from 'crypto';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { BackendConfig } from '../../../config/model';
import { localStateDir as fleetStateFolder } from '../../../modules/backend';
import type { FleetIdentity } from '../../../modules/fleet-identity';
import { AccessGuard, AwsSession, describeError, isNetworkError } from '../aws-access';
import { DEFAULT_TFC_HOST, findTerraformToken, missingTokenMessage } from '../terraform/credentials';
import type { CheckStatus } from './checks';

export interface BackendReport {
  readonly type: BackendConfig['type'];
  /** Where the state lives: a folder, s3://bucket/prefix, host/organization. */
  readonly location: string;
  readonly status: CheckStatus;
  readonly message: string;
}

/** `fetch` as the cloud check uses it (tests answer it themselves). */
export type Fetch = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface BackendCheckOptions {
  readonly backend: BackendConfig;
  /** The synthesis output folder (cdktf.out). */
  readonly outdir: string;
  /** The fleet: its local state has a folder of its own (modules/backend.ts). */
  readonly fleet: FleetIdentity;
  readonly session: AwsSession;
  readonly guard: AccessGuard;
  readonly env: NodeJS.ProcessEnv;
  readonly fetch?: Fetch;
  /** @default 10 s */
  readonly timeoutMs?: number;
}

/** The project root of an output folder: what the stacks' `../../../` from `<out>/stacks/<stack>/` is (local state folders are under it). */
export function localStateDir(outdir: string): string {
  return path.resolve(outdir, 'stacks', 'x', '..', '..', '..');
}

function checkLocal(outdir: string, fleet: FleetIdentity): BackendReport {
  const dir = path.join(localStateDir(outdir), fleetStateFolder(fleet));
  const probe = path.join(dir, `.cloudtrail-fleet-doctor-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return { type: 'local', location: dir, status: 'ok', message: `state files go to ${dir} (writable)` };
  } catch (e) {
    return { type: 'local', location: dir, status: 'problem', message: `cannot write state files in ${dir}: ${(e as Error).message}` };
  }
}

async function checkS3(backend: Extract<BackendConfig, { type: 's3' }>, o: BackendCheckOptions): Promise<BackendReport> {
  const location = `s3://${backend.bucket}/${backend.keyPrefix ?? 'cloudtrail-fleet/'}`;
  const who = backend.assumeRoleArn ?? 'the ambient credentials';
  try {
    const s3 = o.session.client(S3Client, backend.assumeRoleArn, backend.region);
    await o.guard.call(() => s3.send(new HeadBucketCommand({ Bucket: backend.bucket })));
    return { type: 's3', location, status: 'ok', message: `state bucket s3://${backend.bucket} (${backend.region}) reachable with ${who}` };
  } catch (e) {
    if (isNetworkError(e)) return { type: 's3', location, status: 'unchecked', message: `state bucket s3://${backend.bucket}: no answer (${describeError(e)})` };
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as Error).name === 'NotFound')
      return { type: 's3', location, status: 'problem', message: `state bucket s3://${backend.bucket} does not exist: create it first (Terraform's S3 backend does not create its bucket), or fix backend.bucket` };
    if (status === 403)
      return { type: 's3', location, status: 'problem', message: `state bucket s3://${backend.bucket}: access denied for ${who} (HeadBucket 403): allow s3:ListBucket, s3:GetObject and s3:PutObject there${backend.assumeRoleArn ? '' : ', or set backend.assumeRoleArn'}` };
    const fromRole = backend.assumeRoleArn && /AssumeRole|AccessDenied/.test(describeError(e)) ? ` (backend.assumeRoleArn ${backend.assumeRoleArn})` : '';
    return { type: 's3', location, status: 'problem', message: `state bucket s3://${backend.bucket}: ${describeError(e)}${fromRole}` };
  }
}

async function checkCloud(backend: Extract<BackendConfig, { type: 'cloud' }>, o: BackendCheckOptions): Promise<BackendReport> {
  const host = backend.hostname ?? DEFAULT_TFC_HOST;
  const location = `${host}/${backend.organization}`;
  const token = findTerraformToken(host, o.env);
  if (!token.found) return { type: 'cloud', location, status: 'problem', message: missingTokenMessage(host, token) };
  const fetch = o.fetch ?? (globalThis.fetch as unknown as Fetch);
  const timeout = o.timeoutMs ?? 10_000;
  const get = (url: string) => fetch(url, { headers: { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/vnd.api+json' }, signal: AbortSignal.timeout(timeout) });
  let api: string;
  try {
    const discovery = await fetch(`https://${host}/.well-known/terraform.json`, { headers: {}, signal: AbortSignal.timeout(timeout) });
    if (discovery.status !== 200) return { type: 'cloud', location, status: 'problem', message: `https://${host}/.well-known/terraform.json answered ${discovery.status}: is backend.hostname a Terraform Enterprise / HCP Terraform host?` };
    const services = (await discovery.json()) as Record<string, string>;
    if (!services['tfe.v2']) return { type: 'cloud', location, status: 'problem', message: `${host} offers no tfe.v2 API in its service discovery: not an HCP Terraform / Terraform Enterprise host` };
    api = new URL(services['tfe.v2'], `https://${host}/`).toString();
  } catch (e) {
    return { type: 'cloud', location, status: 'unchecked', message: `cannot reach https://${host} (${describeError(e)})` };
  }
  try {
    const r = await get(`${api.replace(/\/?$/, '/')}organizations/${encodeURIComponent(backend.organization)}`);
    if (r.status === 200) return { type: 'cloud', location, status: 'ok', message: `${host} reachable; organization ${backend.organization} readable with the token from ${token.source}` };
    if (r.status === 401) return { type: 'cloud', location, status: 'problem', message: `${host} rejected the token from ${token.source} (401): it expired or was revoked; run terraform login again or replace it` };
    if (r.status === 404)
      return { type: 'cloud', location, status: 'problem', message: `organization ${backend.organization} not found on ${host}, or the token from ${token.source} cannot see it: check backend.organization` };
    return { type: 'cloud', location, status: 'problem', message: `${host} answered ${r.status} for organization ${backend.organization}` };
  } catch (e) {
    return { type: 'cloud', location, status: 'unchecked', message: `cannot reach the API of ${host} (${describeError(e)})` };
  }
}

export async function checkBackend(o: BackendCheckOptions): Promise<BackendReport> {
  switch (o.backend.type) {
    case 'local':
      return checkLocal(o.outdir, o.fleet);
    case 's3':
      return checkS3(o.backend, o);
    case 'cloud':
      return checkCloud(o.backend, o);
  }
}
