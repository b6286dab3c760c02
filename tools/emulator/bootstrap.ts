/**
 * The bootstrap stacks (`cloudtrail-fleet bootstrap`) applied on the emulator
 * the way docs/bootstrap.md says an administrator applies them the first
 * time: in each stack folder `terraform init`, then `terraform apply`, with
 * the administrator's credentials as the ambient ones. Each stack's provider
 * assumes `bootstrap.adminRoleName` in its account (the administrator's own
 * account uses the credentials directly) and carries `allowed_account_ids`,
 * so a stack applied in the wrong account fails as on AWS.
 *
 * No override file: the stacks run exactly as written; AWS_ENDPOINT_URL
 * (which the aws provider honours for every service) points them at the
 * emulator. On the emulator STS AssumeRole needs no existing role
 * (docs/emulator.md, "What it cannot do"), so the administrator role of each
 * member account need not be planted.
 */
import { readdirSync } from 'fs';
import * as path from 'path';
import type { Emulator } from './emulator';
import { emulatorCredentials } from './emulator';
import { inPool } from './fleet';
import { Terraform, TerraformResult } from './terraform';

export interface BootstrapApplyOptions {
  readonly emulator: Emulator;
  /** The account the administrator credentials belong to (bootstrap.adminAccountId). */
  readonly adminAccountId: string;
  /** Terraform's work folder (its CLI config). */
  readonly workDir: string;
  /** Stacks applied at once (default 2). */
  readonly jobs?: number;
}

/** The bootstrap stack folders of a `cloudtrail-fleet bootstrap --out <outdir>`, by name. */
export function bootstrapStackDirs(outdir: string): string[] {
  const stacks = path.join(outdir, 'stacks');
  return readdirSync(stacks)
    .filter((n) => n.startsWith('cloudtrail-bootstrap-'))
    .sort()
    .map((n) => path.join(stacks, n));
}

/** Applies every bootstrap stack once with the administrator credentials (init, then apply); throws TerraformError on the first failure. */
export async function applyBootstrap(stackDirs: readonly string[], o: BootstrapApplyOptions): Promise<Map<string, TerraformResult>> {
  const terraform = new Terraform({ workDir: o.workDir, endpoint: o.emulator.endpoint, credentials: emulatorCredentials(o.adminAccountId) });
  const results = await inPool(stackDirs, o.jobs ?? 2, (dir) => terraform.apply(dir));
  return new Map(stackDirs.map((d, i) => [path.basename(d), results[i]]));
}
