/**
 * Where each stack keeps its Terraform state: one state
 * per stack, so each account is planned and applied on its own.
 */
import { TerraformBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { LocalBackend } from 'cdktf/lib/backends/local-backend';
import { S3Backend } from 'cdktf/lib/backends/s3-backend';
import type { BackendConfig } from '../config/model';
import { TRAIL_DEFAULTS } from '../config/schema';

export function applyBackend(stack: TerraformStack, stackName: string, backend: BackendConfig): void {
  switch (backend.type) {
    case 'local':
      // Terraform runs in cdktf.out/stacks/<stack>/; keep state in the project
      // root (as cdktf does by default) but as a relative path, so the
      // generated JSON holds no machine-specific path.
      new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
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
