/**
 * Where each stack keeps its Terraform state: one state
 * per stack, so each account is planned and applied on its own.
 *
 * Terraform reads `backend` and `cloud` blocks literally (no template
 * interpolation there), so unlike every other block of a stack their text is
 * never escaped (stacks/fleet-stack.ts): a key prefix `state/x%{/` is the S3
 * key `state/x%{/<stack>.tfstate`, exactly as the config and the README say.
 */
import { TerraformBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { LocalBackend } from 'cdktf/lib/backends/local-backend';
import { S3Backend } from 'cdktf/lib/backends/s3-backend';
import type { FleetConfig } from '../config/model';
import { TRAIL_DEFAULTS } from '../config/schema';
import { FleetIdentity, fleetId, fleetIdentity } from './fleet-identity';

/** The folder, under the project root, that holds a fleet's local state files: `state/aws-111111111111-my-bucket`. */
export function localStateDir(identity: FleetIdentity): string {
  return `state/${fleetId(identity)}`;
}

/** A stack's local state file, relative to the project root: `state/<fleet>/terraform.<stack>.tfstate`. */
export function localStateFile(identity: FleetIdentity, stackName: string): string {
  return `${localStateDir(identity)}/terraform.${stackName}.tfstate`;
}

/**
 * Where releases before per-fleet state kept every fleet's local state:
 * `terraform.<stack>.tfstate` in the project root, shared by every config
 * (docs/changing-safely.md, "Local state per fleet").
 */
export function legacyLocalStateFile(stackName: string): string {
  return `terraform.${stackName}.tfstate`;
}

export function applyBackend(stack: TerraformStack, stackName: string, config: Pick<FleetConfig, 'backend' | 'partition' | 'central'>): void {
  const backend = config.backend;
  switch (backend.type) {
    case 'local':
      // Terraform runs in cdktf.out/stacks/<stack>/; keep state under the project
      // root, in a folder of this fleet's own (two configs in one clone never
      // share a state file), as a relative path, so the generated JSON holds no
      // machine-specific path.
      new LocalBackend(stack, { path: `../../../${localStateFile(fleetIdentity(config), stackName)}` });
      return;
    case 'cloud':
      new HcpTerraformBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspace: `${backend.workspacePrefix ?? ''}${stackName}`,
        project: backend.project,
      });
      return;
    case 's3': {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix ?? TRAIL_DEFAULTS.s3BackendKeyPrefix}${stackName}.tfstate`,
        region: backend.region,
        encrypt: backend.encrypt ?? true,
        dynamodbTable: backend.dynamodbTable,
        assumeRole: backend.assumeRoleArn ? { roleArn: backend.assumeRoleArn } : undefined,
      });
      // State locking: a DynamoDB table when given, else S3's own lock file (Terraform >= 1.10).
      if (!backend.dynamodbTable) s3.addOverride('use_lockfile', true);
      return;
    }
  }
}

export interface HcpTerraformBackendProps {
  readonly organization: string;
  /** @default app.terraform.io */
  readonly hostname?: string;
  /** The workspace of this stack. */
  readonly workspace: string;
  /** @default the organization's default project */
  readonly project?: string;
}

/**
 * The `cloud` block (HCP Terraform / Terraform Enterprise), as cdktf's
 * CloudBackend writes it, without CloudBackend's construct validation: that
 * runs `terraform version` once per stack during synth (50-60 s at 1,000
 * accounts) and crashes synth where no terraform is installed, although
 * synth must need no Terraform binary. The version it checks (>= 1.1) is
 * below what the project needs anyway (>= 1.7 for `terraform test`, README).
 */
export class HcpTerraformBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    private readonly props: HcpTerraformBackendProps,
  ) {
    super(scope, 'backend', 'cloud');
  }

  toTerraform(): any {
    const { organization, hostname, workspace, project } = this.props;
    return {
      terraform: {
        cloud: {
          organization,
          ...(hostname ? { hostname } : {}),
          workspaces: { name: workspace, ...(project ? { project } : {}) },
        },
      },
    };
  }

  /** What the cdktf CLI reads to run plans remotely: `tfc` for app.terraform.io, `tfe` for a private host. */
  toMetadata(): any {
    const hostname = this.props.hostname;
    return { ...super.toMetadata(), cloud: !hostname || hostname.startsWith('app.terraform.io') ? 'tfc' : 'tfe' };
  }

  getRemoteStateDataSource(): never {
    throw new Error('cloudtrail-fleet stacks never read each other\'s state');
  }
}
