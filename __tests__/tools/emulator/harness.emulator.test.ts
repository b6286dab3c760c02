/**
 * The emulator harness end to end with the real provider: the default config
 * applied (central first, then the account, which an injected CreateTrail
 * error fails once) and re-planned with "No changes"; allowed_account_ids
 * really checked; a plan's `terraform show -json` read back as delete/replace.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { loadConfig, projectRoot } from '../../../config/load';
import { Emulator, startEmulator } from '../../../tools/emulator/emulator';
import { applyFleet, FleetStack, isCentral, planFleet, pointAtEmulator, prepareWorld, synthFleet } from '../../../tools/emulator/fleet';
import { destructiveChanges, Terraform, TerraformError, writeEmulatorOverride } from '../../../tools/emulator/terraform';
import { describeWithEmulator, workDir } from './emulator-env';

const ROOT = projectRoot(__dirname);

describeWithEmulator('the emulator harness with the default config', { terraform: true }, () => {
  let emulator: Emulator;
  let terraform: Terraform;
  let work: string;
  let stacks: FleetStack[];

  beforeAll(async () => {
    emulator = await startEmulator();
    work = workDir('harness');
    terraform = new Terraform({ workDir: path.join(work, 'terraform'), endpoint: emulator.endpoint });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('applies the central stack first, then the account stack (an injected CreateTrail error fails it once), and re-plans with "No changes"', async () => {
    const config = loadConfig(path.join(ROOT, 'config', 'cloudtrail.yaml'));
    stacks = synthFleet(config, path.join(work, 'out'));
    expect(stacks.map((s) => s.name)).toEqual(['cloudtrail-central', 'cloudtrail-account-222222222222']);
    await prepareWorld(config, emulator, stacks);
    pointAtEmulator(stacks, emulator.endpoint, work);
    const [central, account] = stacks;
    await applyFleet([central], { emulator, terraform, workDir: work });

    // CloudTrail refuses the trail once (as it does while a bucket policy is not in place yet): Terraform fails with AWS's error.
    await emulator.injectFault({ service: 'cloudtrail', action: 'CreateTrail', code: 'InsufficientS3BucketPolicyException', message: 'Incorrect S3 bucket policy is detected for bucket: my-bucket', accountId: '222222222222', trailName: 'my-trail', count: 1 });
    const err = await terraform.apply(account.dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformError);
    expect((err as TerraformError).message).toMatch(/InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected for bucket: my-bucket/);
    expect(await emulator.faults()).toEqual([]);
    await terraform.apply(account.dir);

    const calls = await emulator.calls();
    const bucketPolicy = calls.findIndex((c) => c.action === 'PutBucketPolicy' && c.status === 200);
    const createTrail = calls.findIndex((c) => c.action === 'CreateTrail' && c.status === 200);
    expect(bucketPolicy).toBeGreaterThanOrEqual(0);
    expect(createTrail).toBeGreaterThan(bucketPolicy);
    expect(calls.filter((c) => c.action === 'CreateTrail').map((c) => c.fault ?? c.status)).toEqual(['InsufficientS3BucketPolicyException', 200]);
    // Each stack ran with its own account's credentials.
    expect(calls[bucketPolicy].accountId).toBe('111111111111');
    expect(calls[createTrail]).toMatchObject({ accountId: '222222222222', region: 'us-east-2', trailName: 'my-trail' });
    // The account stack looked the central key up across accounts by its alias ARN.
    expect(calls.some((c) => c.action === 'DescribeKey' && c.accountId === '222222222222' && c.status === 200)).toBe(true);

    const plans = await planFleet(stacks, { terraform });
    for (const [name, plan] of plans) expect({ name, noChanges: plan.noChanges, changes: plan.changes }).toEqual({ name, noChanges: true, changes: [] });
  });

  test("allowed_account_ids is really checked: another account's credentials fail the plan", async () => {
    const account = stacks.find((s) => !isCentral(s))!;
    const original = readFileSync(path.join(account.dir, 'emulator_override.tf.json'), 'utf8');
    try {
      writeEmulatorOverride(account.dir, { endpoint: emulator.endpoint, stateFile: path.join(work, 'state', `${account.name}.tfstate`), credentialsAccountId: '999999999999' });
      const err = await terraform.plan(account.dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TerraformError);
      expect((err as TerraformError).message).toContain('AWS account ID not allowed: 999999999999');
    } finally {
      writeFileSync(path.join(account.dir, 'emulator_override.tf.json'), original);
    }
  });

  test('a renamed trail plans a delete that destructiveChanges reports (terraform show -json)', async () => {
    const renamed = loadConfig(path.join(ROOT, 'config', 'cloudtrail.yaml'));
    const config = { ...renamed, trails: renamed.trails.map((t) => ({ ...t, trailName: 'renamed-trail' })) };
    const after = synthFleet(config, path.join(work, 'out'));
    pointAtEmulator(after, emulator.endpoint, work);
    for (const s of after) terraform.forgetInit(s.dir);
    const plan = await terraform.plan(after.find((s) => !isCentral(s))!.dir);
    expect(plan.noChanges).toBe(false);
    expect(destructiveChanges(plan.changes)).toEqual([{ address: 'aws_cloudtrail.trail_my-trail', actions: ['delete'] }]);
    expect(plan.changes).toContainEqual({ address: 'aws_cloudtrail.trail_renamed-trail', actions: ['create'] });
  });
});
