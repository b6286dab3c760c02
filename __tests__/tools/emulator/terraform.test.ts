/**
 * The emulator harness's pure parts (no emulator, no Terraform): the override
 * it writes beside cdk.tf.json, reading `terraform show -json`, credentials,
 * the seeds of imported resources and the account sample of big fleets.
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emulatorCredentials, launcherPath } from '../../../tools/emulator/emulator';
import { FleetStack, seedResource } from '../../../tools/emulator/fleet';
import { sampleAccounts } from '../../../tools/emulator/stage';
import { destructiveChanges, EMULATED_ENDPOINTS, emulatorOverride, plannedChanges, Terraform, writeEmulatorOverride } from '../../../tools/emulator/terraform';

const ENDPOINT = 'http://127.0.0.1:4566';

const stack = {
  provider: {
    aws: [
      { region: 'us-east-2', allowed_account_ids: ['222222222222'], assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/TerraformDeploy' }], default_tags: [{ tags: { team: 'a' } }] },
      { alias: 'us-east-2', region: 'us-east-2', allowed_account_ids: ['222222222222'], assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/TerraformDeploy' }] },
    ],
  },
  terraform: { backend: { cloud: { organization: 'acme' } } },
};

describe('emulatorOverride', () => {
  test('points every provider configuration at the emulator with its own account credentials, keeping the stack own settings', () => {
    const o = emulatorOverride(stack, { endpoint: ENDPOINT, stateFile: '/work/state/s.tfstate' });
    expect(o.provider.aws).toHaveLength(2);
    expect(o.provider.aws.map((p: any) => p.alias)).toEqual([undefined, 'us-east-2']);
    for (const p of o.provider.aws) {
      expect(p.access_key).toBe('AKIA222222222222EMUL');
      expect(p.s3_use_path_style).toBe(true);
      expect(Object.keys(p.endpoints[0]).sort()).toEqual([...EMULATED_ENDPOINTS].sort());
      expect(new Set(Object.values(p.endpoints[0]))).toEqual(new Set([ENDPOINT]));
      // Terraform merges an override argument by argument: what the override leaves out stays the stack's own.
      for (const kept of ['region', 'assume_role', 'allowed_account_ids', 'default_tags']) expect(p).not.toHaveProperty(kept);
    }
    for (const service of ['s3', 'kms', 'cloudtrail', 'sts', 'iam', 'sns', 'sqs', 'logs', 'organizations', 'events']) expect(EMULATED_ENDPOINTS).toContain(service);
    // Every stack the same backend block (one init serves all); the state file is a link beside cdk.tf.json.
    expect(o.terraform).toEqual({ backend: { local: { path: 'terraform.tfstate' } } });
  });

  test('writeEmulatorOverride writes the override and links terraform.tfstate to the state file', () => {
    const dir = mkdtempSync(path.join(process.env.CLOUDTRAIL_JEST_TMP || os.tmpdir(), 'override-'));
    writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(stack));
    const file = writeEmulatorOverride(dir, { endpoint: ENDPOINT, stateFile: path.join(dir, 'state', 'x.tfstate') });
    expect(file).toBe(path.join(dir, 'emulator_override.tf.json'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(emulatorOverride(stack, { endpoint: ENDPOINT, stateFile: 'ignored' }));
    expect(readlinkSync(path.join(dir, 'terraform.tfstate'))).toBe(path.join(dir, 'state', 'x.tfstate'));
    // Pointing it elsewhere replaces the link.
    writeEmulatorOverride(dir, { endpoint: ENDPOINT, stateFile: path.join(dir, 'state', 'y.tfstate') });
    expect(readlinkSync(path.join(dir, 'terraform.tfstate'))).toBe(path.join(dir, 'state', 'y.tfstate'));
  });

  test('another account credentials on request (to prove allowed_account_ids), and a clear error without allowed_account_ids', () => {
    expect(emulatorOverride(stack, { endpoint: ENDPOINT, stateFile: 's', credentialsAccountId: '999999999999' }).provider.aws[0].access_key).toBe('AKIA999999999999EMUL');
    expect(() => emulatorOverride({ provider: { aws: [{ region: 'us-east-2' }] } }, { endpoint: ENDPOINT, stateFile: 's' })).toThrow(
      'provider configuration (default) has no allowed_account_ids: give credentialsAccountId',
    );
    expect(() => emulatorOverride({}, { endpoint: ENDPOINT, stateFile: 's' })).toThrow('the stack has no aws provider configuration to point at the emulator');
  });
});

describe('emulatorCredentials and launcherPath', () => {
  test('one deterministic key per account; anything but 12 digits is refused', () => {
    expect(emulatorCredentials('012345678901')).toEqual({ accessKeyId: 'AKIA012345678901EMUL', secretAccessKey: 'emulator-secret-access-key-not-a-secret' });
    expect(emulatorCredentials('012345678901').accessKeyId).toMatch(/^[A-Z0-9]{20}$/);
    expect(() => emulatorCredentials('12345')).toThrow('an account id is 12 digits, got "12345"');
  });

  test('launcherPath names the launcher in tools/emulator', () => {
    expect(launcherPath()).toMatch(/tools[/\\]emulator[/\\]launcher\.py$/);
    expect(existsSync(launcherPath())).toBe(true);
  });
});

describe('plannedChanges and destructiveChanges', () => {
  const show = JSON.stringify({
    resource_changes: [
      { address: 'aws_s3_bucket.b', change: { actions: ['no-op'] } },
      { address: 'data.aws_kms_key.k', change: { actions: ['read'] } },
      { address: 'aws_cloudtrail.new', change: { actions: ['create'] } },
      { address: 'aws_s3_bucket_policy.p', change: { actions: ['update'] } },
      { address: 'aws_kms_key.trail', change: { actions: ['delete'] } },
      { address: 'aws_cloudtrail.t', change: { actions: ['delete', 'create'] } },
      { address: 'aws_sns_topic.t', change: { actions: ['create', 'delete'] } },
      { address: 'aws_iam_role.r', change: { actions: ['forget'] } },
    ],
    output_changes: { trail_arn: { actions: ['no-op'] }, trail: { actions: ['update'] } },
  });

  test('keeps every change but no-op and read, in order, then output changes', () => {
    expect(plannedChanges(show).map((c) => `${c.address} ${c.actions.join('/')}`)).toEqual([
      'aws_cloudtrail.new create',
      'aws_s3_bucket_policy.p update',
      'aws_kms_key.trail delete',
      'aws_cloudtrail.t delete/create',
      'aws_sns_topic.t create/delete',
      'aws_iam_role.r forget',
      'output.trail update',
    ]);
    expect(plannedChanges('{"format_version":"1.2"}')).toEqual([]);
  });

  test('destructive = deletes and replacements (either order), not forget', () => {
    expect(destructiveChanges(plannedChanges(show)).map((c) => c.address)).toEqual(['aws_kms_key.trail', 'aws_cloudtrail.t', 'aws_sns_topic.t']);
  });
});

describe('seedResource (what an import block finds in the emulator)', () => {
  test('bucket parts in a minimal form the stack then updates', () => {
    expect(seedResource('aws_s3_bucket_versioning', {}, 'b', 'aws', '111111111111')).toEqual({ bucket: 'b', versioning_configuration: { status: 'Enabled' } });
    expect(seedResource('aws_s3_bucket_logging', { target_bucket: 'logs', target_prefix: 'x/' }, 'b', 'aws', '111111111111')).toMatchObject({ bucket: 'b', target_bucket: 'logs' });
    const policy = JSON.parse(seedResource('aws_s3_bucket_policy', {}, 'b', 'aws-us-gov', '111111111111')!.policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Principal: { AWS: 'arn:aws-us-gov:iam::111111111111:root' }, Resource: 'arn:aws-us-gov:s3:::b' });
  });

  test('a trail with the name of its ARN, delivering to the literal bucket, multi-Region as the stack says', () => {
    expect(seedResource('aws_cloudtrail', { s3_bucket_name: 'logs', is_multi_region_trail: true, kms_key_id: '${data.aws_kms_key.k.arn}' }, 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/acme-audit', 'aws', '222222222222')).toEqual({
      name: 'acme-audit',
      s3_bucket_name: 'logs',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_logging: true,
    });
  });

  test('SQS queue policy from the queue URL; IAM role policy from role:name; unknown types are undefined', () => {
    const q = seedResource('aws_sqs_queue_policy', {}, 'https://sqs.eu-west-1.amazonaws.com/222222222222/notify', 'aws', '222222222222')!;
    expect(JSON.parse(q.policy).Statement[0].Resource).toBe('arn:aws:sqs:eu-west-1:222222222222:notify');
    expect(seedResource('aws_iam_role_policy', {}, 'CloudTrailToCWL:delivery', 'aws', '222222222222')).toMatchObject({ role: 'CloudTrailToCWL', name: 'delivery' });
    expect(JSON.parse(seedResource('aws_iam_role_policy', {}, 'r:p', 'aws', '222222222222')!.policy).Statement[0]).not.toHaveProperty('Principal');
    expect(seedResource('aws_lambda_function', {}, 'f', 'aws', '222222222222')).toBeUndefined();
  });
});

describe('sampleAccounts', () => {
  const account = (i: number, extra: Record<string, unknown> = {}): FleetStack => ({
    name: `cloudtrail-account-${String(200000000000 + i)}`,
    dir: '',
    accountId: String(200000000000 + i),
    region: 'us-east-2',
    dependencies: ['cloudtrail-central'],
    json: { resource: { aws_cloudtrail: { t: {} }, ...extra }, provider: { aws: [{}] } },
  });

  test('the last and the first of each other stack shape, in order', () => {
    const fleet = Array.from({ length: 50 }, (_, i) => account(i, i === 20 || i === 30 ? { aws_sns_topic: { t: {} } } : {}));
    expect(sampleAccounts(fleet).map((s) => s.accountId)).toEqual(['200000000020', '200000000049']);
    expect(sampleAccounts(fleet.slice(0, 20)).map((s) => s.accountId)).toEqual(['200000000019']);
    expect(sampleAccounts([])).toEqual([]);
  });
});

describe('Terraform environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test("the caller's TF_ and AWS_ variables never reach Terraform; credentials, when given, are the ambient keys (the bootstrap stacks' administrator)", () => {
    process.env.AWS_PROFILE = 'real-account';
    process.env.AWS_ACCESS_KEY_ID = 'AKIAREALREALREALREAL';
    process.env.TF_CLI_CONFIG_FILE = '/home/me/.terraformrc';
    const work = mkdtempSync(path.join(process.env.CLOUDTRAIL_JEST_TMP || os.tmpdir(), 'tf-env-'));
    const admin = new Terraform({ workDir: work, endpoint: ENDPOINT, credentials: emulatorCredentials('111111111111') });
    const aws = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('AWS_')));
    expect(aws(admin.env)).toEqual({
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: ENDPOINT,
      AWS_ACCESS_KEY_ID: 'AKIA111111111111EMUL',
      AWS_SECRET_ACCESS_KEY: 'emulator-secret-access-key-not-a-secret',
    });
    expect(admin.env.TF_CLI_CONFIG_FILE).toBe(path.join(work, 'terraform.rc'));
    // Without credentials: no keys at all (each stack's override names its own).
    expect(aws(new Terraform({ workDir: work, endpoint: ENDPOINT }).env)).toEqual({ AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: ENDPOINT });
  });
});
