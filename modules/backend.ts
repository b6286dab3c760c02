/**
 * Where each stack keeps its Terraform state (SPEC §3 `backend`): one state
 * per stack, so each account is planned and applied on its own.
 */
import type { TerraformStack } from 'cdktf';
import { CloudBackend, NamedCloudWorkspace } from 'cdktf/lib/backends/cloud-backend';
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
      new CloudBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new NamedCloudWorkspace(`${backend.workspacePrefix ?? ''}${stackName}`, backend.project),
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
