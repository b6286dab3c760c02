/**
 * tools/emulator/launcher.py through the AWS SDK v3, as the provider and
 * `verify` call it: each of the project's moto patches (patches.py), the
 * credentials scheme, the control endpoint, and that the emulator binds
 * 127.0.0.1 only and never outlives its parent.
 */
import { spawnSync } from 'child_process';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventConfigurationCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  PutEventConfigurationCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createHash, createPublicKey } from 'crypto';
import { Emulator, emulatorCredentials, launcherPath, startEmulator } from '../../../tools/emulator/emulator';
import { describeWithEmulator } from './emulator-env';

const CENTRAL = '111111111111';
const WORKLOAD = '222222222222';
const OTHER = '333333333333';
const HOME = 'us-east-2';
const AWAY = 'eu-west-1';

let emulator: Emulator;

function creds(account: string) {
  return emulatorCredentials(account);
}
const ct = (account: string, region = HOME) => new CloudTrailClient({ endpoint: emulator.endpoint, region, credentials: creds(account), maxAttempts: 1 });
const kms = (account: string, region = HOME) => new KMSClient({ endpoint: emulator.endpoint, region, credentials: creds(account), maxAttempts: 1 });
const s3 = (account: string, region = HOME) => new S3Client({ endpoint: emulator.endpoint, region, credentials: creds(account), forcePathStyle: true, maxAttempts: 1 });

/** The error name (AWS error code) a call fails with, or 'no error'. */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return (e as Error).name;
  }
}

async function bucket(name: string, account = CENTRAL, region = HOME): Promise<void> {
  await s3(account, region).send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: region as any } }));
}

async function trail(account: string, name: string, bucketName: string, options: { region?: string; multiRegion?: boolean; kmsKeyId?: string } = {}) {
  return ct(account, options.region).send(
    new CreateTrailCommand({ Name: name, S3BucketName: bucketName, IsMultiRegionTrail: options.multiRegion ?? false, KmsKeyId: options.kmsKeyId }),
  );
}

const arnOf = (account: string, name: string, region = HOME) => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

describeWithEmulator('the emulator launcher (moto with the project patches)', { terraform: false }, () => {
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.reset();
    await bucket('logs');
  });

  describe('the launcher itself', () => {
    test('refuses any host but 127.0.0.1', () => {
      for (const host of ['0.0.0.0', 'localhost', '::1', '10.0.0.1']) {
        const r = spawnSync('python3', [launcherPath(), '--host', host], { encoding: 'utf8' });
        expect({ host, status: r.status, stderr: r.stderr.trim() }).toEqual({ host, status: 2, stderr: `launcher.py: refusing --host ${host}: the emulator only ever listens on 127.0.0.1` });
      }
    });

    test('listens on 127.0.0.1 at a free port and reports every patch with the AWS page it follows', async () => {
      expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.port).toBeGreaterThan(0);
      const health = await emulator.health();
      expect(health.moto).toBe('5.2.1');
      expect(health.patches.map((p) => p.name)).toEqual([
        'cloudtrail-trail-lookup',
        'cloudtrail-describe-trails-name-list',
        'cloudtrail-create-update',
        'cloudtrail-home-region',
        'cloudtrail-event-selectors',
        'cloudtrail-insight-selectors',
        'cloudtrail-event-configuration',
        'cloudtrail-list-public-keys',
        'kms-create-key-defaults',
        'kms-describe-key-cross-account',
        's3-bucket-policy-evaluation',
        's3-bucket-policy-size',
      ]);
      for (const p of health.patches) expect(p.source).toMatch(/https:\/\/docs\.aws\.amazon\.com\//);
    });

    test('AKIA<account>EMUL is a key of that account; AssumeRole credentials belong to the role account', async () => {
      const sts = new STSClient({ endpoint: emulator.endpoint, region: HOME, credentials: creds(WORKLOAD), maxAttempts: 1 });
      expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: WORKLOAD, Arn: `arn:aws:iam::${WORKLOAD}:user/emulator-deployer` });
      const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${OTHER}:role/TerraformDeploy`, RoleSessionName: 's' }));
      const c = assumed.Credentials!;
      const asRole = new STSClient({ endpoint: emulator.endpoint, region: HOME, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken }, maxAttempts: 1 });
      expect((await asRole.send(new GetCallerIdentityCommand({}))).Account).toBe(OTHER);
    });

    test('an SDK retry of an answered call gets the same answer (its first answer was lost in transit); a new call or a retry after an error gets a new one', async () => {
      // Raw IAM CreateRole requests with the SDK retry headers: attempt 2 of the same invocation is what an SDK sends when the connection dropped after the emulator answered.
      const createRole = async (invocation: string, attempt: number) => {
        const r = await fetch(`${emulator.endpoint}/`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `AWS4-HMAC-SHA256 Credential=${creds(WORKLOAD).accessKeyId}/20261205/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
            'amz-sdk-invocation-id': invocation,
            'amz-sdk-request': `attempt=${attempt}; max=3`,
          },
          body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'retried', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }).toString(),
        });
        return { status: r.status, body: await r.text() };
      };
      const first = await createRole('inv-1', 1);
      expect(first.status).toBe(200);
      expect(await createRole('inv-1', 2)).toEqual(first);
      const again = await createRole('inv-2', 1);
      expect(again.status).toBe(409);
      expect(again.body).toContain('EntityAlreadyExists');
      // A retry after an error is answered anew (here the same error: the role exists).
      expect((await createRole('inv-2', 2)).status).toBe(409);
      const calls = (await emulator.calls()).filter((c) => c.action === 'CreateRole');
      expect(calls.map((c) => [c.status, c.replayed ?? false])).toEqual([
        [200, false],
        [200, true],
        [409, false],
        [409, false],
      ]);
    });

    test('stop() ends the process', async () => {
      const other = await startEmulator();
      const pid = other.pid;
      expect(() => process.kill(pid, 0)).not.toThrow();
      await other.stop();
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    });
  });

  describe('control endpoint', () => {
    test('a fault answers the given error for the next N matching calls only (account and trail filters)', async () => {
      await emulator.injectFault({ service: 'cloudtrail', action: 'CreateTrail', code: 'InsufficientS3BucketPolicyException', message: 'Incorrect S3 bucket policy is detected for bucket: logs', count: 2, accountId: WORKLOAD, trailName: 'trail-1' });
      expect(await errorOf(trail(OTHER, 'trail-1', 'logs'))).toBe('no error');
      expect(await errorOf(trail(WORKLOAD, 'trail-2', 'logs'))).toBe('no error');
      const e = await trail(WORKLOAD, 'trail-1', 'logs').catch((x: Error) => x);
      expect(e).toMatchObject({ name: 'InsufficientS3BucketPolicyException', message: 'Incorrect S3 bucket policy is detected for bucket: logs' });
      expect(await emulator.faults()).toMatchObject([{ remaining: 1 }]);
      expect(await errorOf(trail(WORKLOAD, 'trail-1', 'logs'))).toBe('InsufficientS3BucketPolicyException');
      expect(await emulator.faults()).toEqual([]);
      expect(await errorOf(trail(WORKLOAD, 'trail-1', 'logs'))).toBe('no error');
      const calls = (await emulator.calls()).filter((c) => c.action === 'CreateTrail');
      expect(calls.map((c) => [c.accountId, c.trailName, c.status, c.fault])).toEqual([
        [OTHER, 'trail-1', 200, undefined],
        [WORKLOAD, 'trail-2', 200, undefined],
        [WORKLOAD, 'trail-1', 400, 'InsufficientS3BucketPolicyException'],
        [WORKLOAD, 'trail-1', 400, 'InsufficientS3BucketPolicyException'],
        [WORKLOAD, 'trail-1', 200, undefined],
      ]);
    });

    test('faults answer in each protocol: S3 (REST XML) and STS (query)', async () => {
      await emulator.injectFault({ service: 's3', action: 'PutBucketPolicy', code: 'AccessDenied', status: 403 });
      expect(await errorOf(s3(CENTRAL).send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: '{"Version":"2012-10-17","Statement":[]}' })))).toBe('AccessDenied');
      await emulator.injectFault({ service: 'sts', action: 'GetCallerIdentity', code: 'ExpiredToken', status: 403 });
      const sts = new STSClient({ endpoint: emulator.endpoint, region: HOME, credentials: creds(CENTRAL), maxAttempts: 1 });
      expect(await errorOf(sts.send(new GetCallerIdentityCommand({})))).toBe('ExpiredToken');
    });

    test('a planted log file sits where CloudTrail delivers, named as CloudTrail names it', async () => {
      await trail(WORKLOAD, 'my-trail', 'logs', { multiRegion: true });
      await ct(WORKLOAD).send(new UpdateTrailCommand({ Name: 'my-trail', S3KeyPrefix: 'team-a' }));
      const planted = await emulator.plantLogFile({ trailArn: arnOf(WORKLOAD, 'my-trail'), time: new Date('2026-11-26T12:34:00Z') });
      expect(planted.bucket).toBe('logs');
      expect(planted.key).toMatch(/^team-a\/AWSLogs\/222222222222\/CloudTrail\/us-east-2\/2026\/11\/26\/222222222222_CloudTrail_us-east-2_20261126T1234Z_[0-9A-F]{16}\.json\.gz$/);
      const listed = await s3(CENTRAL).send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: 'team-a/AWSLogs/222222222222/CloudTrail/' }));
      expect(listed.Contents?.map((o) => [o.Key, o.LastModified?.toISOString()])).toEqual([[planted.key, '2026-11-26T12:34:00.000Z']]);
    });

    test("a declared organization exists in the emulator's Organizations: its id, root id and accounts, SCPs enabled", async () => {
      // Organizations speaks JSON 1.1; moto reads the account and Region from the credential scope (no SDK client needed).
      const organizations = async (account: string, action: string, body: object = {}) => {
        const res = await fetch(`${emulator.endpoint}/`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `AWSOrganizationsV20161128.${action}`,
            authorization: `AWS4-HMAC-SHA256 Credential=${creds(account).accessKeyId}/20261205/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0`,
          },
          body: JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as any };
      };
      await emulator.declareOrganization({ id: 'o-exampleorgid', managementAccountId: CENTRAL, accountIds: [WORKLOAD, OTHER], rootId: 'r-ab12' });
      expect((await organizations(CENTRAL, 'DescribeOrganization')).json.Organization).toMatchObject({ Id: 'o-exampleorgid', MasterAccountId: CENTRAL });
      const roots = (await organizations(CENTRAL, 'ListRoots')).json.Roots;
      expect(roots).toEqual([expect.objectContaining({ Id: 'r-ab12', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] })]);
      const accounts = (await organizations(CENTRAL, 'ListAccounts')).json.Accounts.map((a: any) => a.Id).sort();
      expect(accounts).toEqual([CENTRAL, WORKLOAD, OTHER].sort());
      const created = await organizations(CENTRAL, 'CreatePolicy', { Name: 'guard', Description: 'd', Type: 'SERVICE_CONTROL_POLICY', Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudtrail:StopLogging","Resource":"*"}]}' });
      expect(created.status).toBe(200);
      expect((await organizations(CENTRAL, 'AttachPolicy', { PolicyId: created.json.Policy.PolicySummary.Id, TargetId: 'r-ab12' })).status).toBe(200);
      await expect(emulator.declareOrganization({ id: 'o-exampleorgid', managementAccountId: CENTRAL, accountIds: [], rootId: 'root' })).rejects.toThrow(/rootId must be a root id/);
    });

    test('unknown routes and bad input answer clear errors', async () => {
      await expect(emulator.injectFault({ service: 'cloudtrail', action: 'CreateTrail', code: 'X', count: 0 })).rejects.toThrow('count must be 1 or more');
      await expect(emulator.declareOrganization({ id: 'org', managementAccountId: CENTRAL, accountIds: [] })).rejects.toThrow(/id must be an organization id/);
      await expect(emulator.plantLogFile({ trailArn: arnOf(WORKLOAD, 'absent') })).rejects.toThrow(`no trail ${arnOf(WORKLOAD, 'absent')} in the emulator`);
      const res = await fetch(`${emulator.endpoint}/_cloudtrail_fleet/nothing`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'no control endpoint GET /_cloudtrail_fleet/nothing' });
    });
  });

  describe('patch cloudtrail-trail-lookup', () => {
    test('a multi-Region trail is found by ARN from another Region (its shadow), not by name', async () => {
      await trail(WORKLOAD, 'multi', 'logs', { multiRegion: true });
      expect((await ct(WORKLOAD, AWAY).send(new GetTrailCommand({ Name: arnOf(WORKLOAD, 'multi') }))).Trail?.HomeRegion).toBe(HOME);
      expect(await errorOf(ct(WORKLOAD, AWAY).send(new GetTrailCommand({ Name: 'multi' })))).toBe('TrailNotFoundException');
      expect(await errorOf(ct(WORKLOAD, AWAY).send(new GetTrailStatusCommand({ Name: arnOf(WORKLOAD, 'multi') })))).toBe('no error');
    });

    test('a single-Region trail is not seen from another Region, even by ARN', async () => {
      await trail(WORKLOAD, 'single', 'logs');
      expect(await errorOf(ct(WORKLOAD, AWAY).send(new GetTrailCommand({ Name: arnOf(WORKLOAD, 'single') })))).toBe('TrailNotFoundException');
      expect(await errorOf(ct(WORKLOAD, AWAY).send(new GetTrailStatusCommand({ Name: arnOf(WORKLOAD, 'single') })))).toBe('TrailNotFoundException');
    });

    test('StartLogging / StopLogging by ARN (moto failed with HTTP 500); unknown trails answer TrailNotFoundException', async () => {
      await trail(WORKLOAD, 'mine', 'logs');
      await ct(WORKLOAD).send(new StartLoggingCommand({ Name: arnOf(WORKLOAD, 'mine') }));
      expect((await ct(WORKLOAD).send(new GetTrailStatusCommand({ Name: arnOf(WORKLOAD, 'mine') }))).IsLogging).toBe(true);
      await ct(WORKLOAD).send(new StopLoggingCommand({ Name: arnOf(WORKLOAD, 'mine') }));
      expect((await ct(WORKLOAD).send(new GetTrailStatusCommand({ Name: 'mine' }))).IsLogging).toBe(false);
      expect(await errorOf(ct(WORKLOAD).send(new StartLoggingCommand({ Name: 'absent' })))).toBe('TrailNotFoundException');
      // Another account's trail ARN is not this account's trail.
      expect(await errorOf(ct(OTHER).send(new GetTrailCommand({ Name: arnOf(WORKLOAD, 'mine') })))).toBe('TrailNotFoundException');
    });
  });

  describe('patch cloudtrail-describe-trails-name-list', () => {
    test('trailNameList selects by name (this Region) and by ARN; unknown entries are left out', async () => {
      await trail(WORKLOAD, 'one', 'logs');
      await trail(WORKLOAD, 'two', 'logs');
      await trail(WORKLOAD, 'away', 'logs', { region: AWAY, multiRegion: true });
      const names = async (list?: string[], region = HOME, includeShadowTrails?: boolean) =>
        ((await ct(WORKLOAD, region).send(new DescribeTrailsCommand({ trailNameList: list, includeShadowTrails }))).trailList ?? []).map((t) => t.Name).sort();
      expect(await names(['one'])).toEqual(['one']);
      expect(await names([arnOf(WORKLOAD, 'two')])).toEqual(['two']);
      expect(await names(['one', arnOf(WORKLOAD, 'two'), 'absent'])).toEqual(['one', 'two']);
      // A name matches trails of the calling Region only; another Region's trail needs its ARN.
      expect(await names(['away'])).toEqual([]);
      expect(await names([arnOf(WORKLOAD, 'away', AWAY)])).toEqual(['away']);
      expect(await names()).toEqual(['away', 'one', 'two']);
      expect(await names(undefined, HOME, false)).toEqual(['one', 'two']);
      expect(await names(undefined, AWAY)).toEqual(['away']);
      // By ARN, a single-Region trail of another Region is returned too (the provider reads a trail by its ARN,
      // so a trail whose home region changed in the config is still found, and the postcondition refuses the plan).
      await trail(WORKLOAD, 'single-away', 'logs', { region: AWAY });
      expect(await names([arnOf(WORKLOAD, 'single-away', AWAY)])).toEqual(['single-away']);
      expect(await names(['single-away'])).toEqual([]);
      // Another account's trail is not returned by ARN.
      expect(await names([arnOf(OTHER, 'single-away', AWAY)])).toEqual([]);
    });

    test('HasCustomEventSelectors and HasInsightSelectors follow the trail (moto: always false)', async () => {
      await trail(WORKLOAD, 'one', 'logs');
      const flags = async () => {
        const [t] = (await ct(WORKLOAD).send(new DescribeTrailsCommand({ trailNameList: ['one'] }))).trailList!;
        return [t.HasCustomEventSelectors, t.HasInsightSelectors];
      };
      expect(await flags()).toEqual([false, false]);
      await ct(WORKLOAD).send(new PutEventSelectorsCommand({ TrailName: 'one', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] }));
      await ct(WORKLOAD).send(new PutInsightSelectorsCommand({ TrailName: 'one', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }));
      expect(await flags()).toEqual([true, true]);
      expect((await ct(WORKLOAD).send(new GetTrailCommand({ Name: 'one' }))).Trail).toMatchObject({ HasCustomEventSelectors: true, HasInsightSelectors: true });
    });
  });

  describe('patch cloudtrail-create-update', () => {
    test('a name already used in the Region is refused (moto replaced the trail)', async () => {
      await trail(WORKLOAD, 'dup', 'logs');
      expect(await errorOf(trail(WORKLOAD, 'dup', 'logs'))).toBe('TrailAlreadyExistsException');
      // A multi-Region trail's name is taken in every Region.
      await trail(WORKLOAD, 'everywhere', 'logs', { multiRegion: true });
      expect(await errorOf(trail(WORKLOAD, 'everywhere', 'logs', { region: AWAY }))).toBe('TrailAlreadyExistsException');
      expect(await errorOf(trail(OTHER, 'dup', 'logs'))).toBe('no error');
    });

    test('KmsKeyId: any form is stored as the key ARN; a missing key or one outside the bucket Region is refused', async () => {
      const key = (await kms(WORKLOAD).send(new CreateKeyCommand({}))).KeyMetadata!;
      await kms(WORKLOAD).send(new CreateAliasCommand({ AliasName: 'alias/ct', TargetKeyId: key.KeyId }));
      const created = await trail(WORKLOAD, 'enc', 'logs', { kmsKeyId: `arn:aws:kms:${HOME}:${WORKLOAD}:alias/ct` });
      expect(created.KmsKeyId).toBe(key.Arn);
      expect((await ct(WORKLOAD).send(new GetTrailCommand({ Name: 'enc' }))).Trail?.KmsKeyId).toBe(key.Arn);
      expect(await errorOf(trail(WORKLOAD, 'missing', 'logs', { kmsKeyId: `arn:aws:kms:${HOME}:${WORKLOAD}:alias/absent` }))).toBe('KmsKeyNotFoundException');
      const away = (await kms(WORKLOAD, AWAY).send(new CreateKeyCommand({}))).KeyMetadata!;
      expect(await errorOf(trail(WORKLOAD, 'away-key', 'logs', { kmsKeyId: away.Arn }))).toBe('KmsKeyNotFoundException');
      // An empty string removes the key (SSE-S3 again).
      await ct(WORKLOAD).send(new UpdateTrailCommand({ Name: 'enc', KmsKeyId: '', S3KeyPrefix: 'p' }));
      expect((await ct(WORKLOAD).send(new GetTrailCommand({ Name: 'enc' }))).Trail).toMatchObject({ S3KeyPrefix: 'p' });
      expect((await ct(WORKLOAD).send(new GetTrailCommand({ Name: 'enc' }))).Trail?.KmsKeyId).toBeUndefined();
      await ct(WORKLOAD).send(new UpdateTrailCommand({ Name: 'enc', S3KeyPrefix: '' }));
      expect((await ct(WORKLOAD).send(new GetTrailCommand({ Name: 'enc' }))).Trail?.S3KeyPrefix).toBeUndefined();
    });

    test("an SNS topic of another account is taken by ARN (moto built a broken ARN from it); a missing topic is refused", async () => {
      const { arn } = await emulator.plantSnsTopic({ accountId: CENTRAL, region: HOME, name: 'security-notifications' });
      const created = await ct(WORKLOAD).send(new CreateTrailCommand({ Name: 'notify', S3BucketName: 'logs', SnsTopicName: arn }));
      expect(created.SnsTopicARN).toBe(arn);
      expect(await errorOf(ct(WORKLOAD).send(new CreateTrailCommand({ Name: 'nope', S3BucketName: 'logs', SnsTopicName: 'absent-topic' })))).toBe('InsufficientSnsTopicPolicyException');
    });

    test("an organization trail only from the organization's management account", async () => {
      const orgTrail = (account: string) => ct(account).send(new CreateTrailCommand({ Name: 'org', S3BucketName: 'logs', IsOrganizationTrail: true, IsMultiRegionTrail: true }));
      expect(await errorOf(orgTrail(CENTRAL))).toBe('NotOrganizationMasterAccountException');
      await emulator.declareOrganization({ id: 'o-exampleorgid', managementAccountId: CENTRAL, accountIds: [WORKLOAD] });
      expect(await errorOf(orgTrail(WORKLOAD))).toBe('NotOrganizationMasterAccountException');
      expect((await orgTrail(CENTRAL)).IsOrganizationTrail).toBe(true);
    });
  });

  describe('patch cloudtrail-home-region', () => {
    test('DeleteTrail by ARN deletes (moto: a no-op); an unknown trail answers TrailNotFoundException', async () => {
      await trail(WORKLOAD, 'gone', 'logs');
      await ct(WORKLOAD).send(new DeleteTrailCommand({ Name: arnOf(WORKLOAD, 'gone') }));
      expect((await ct(WORKLOAD).send(new DescribeTrailsCommand({}))).trailList).toEqual([]);
      expect(await errorOf(ct(WORKLOAD).send(new DeleteTrailCommand({ Name: arnOf(WORKLOAD, 'gone') })))).toBe('TrailNotFoundException');
      expect(await errorOf(ct(WORKLOAD).send(new DeleteTrailCommand({ Name: 'gone' })))).toBe('TrailNotFoundException');
    });

    test('every change from another Region than the home Region answers InvalidHomeRegionException', async () => {
      await trail(WORKLOAD, 'homed', 'logs', { multiRegion: true });
      const away = ct(WORKLOAD, AWAY);
      const arn = arnOf(WORKLOAD, 'homed');
      const changes = {
        UpdateTrail: away.send(new UpdateTrailCommand({ Name: arn, EnableLogFileValidation: true })),
        DeleteTrail: away.send(new DeleteTrailCommand({ Name: arn })),
        DeleteTrailByName: away.send(new DeleteTrailCommand({ Name: 'homed' })),
        StartLogging: away.send(new StartLoggingCommand({ Name: arn })),
        StopLogging: away.send(new StopLoggingCommand({ Name: arn })),
        PutEventSelectors: away.send(new PutEventSelectorsCommand({ TrailName: arn, EventSelectors: [{ ReadWriteType: 'All' }] })),
        PutInsightSelectors: away.send(new PutInsightSelectorsCommand({ TrailName: arn, InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] })),
      };
      for (const [action, call] of Object.entries(changes)) expect([action, await errorOf(call)]).toEqual([action, 'InvalidHomeRegionException']);
      // Nothing changed; from the home Region the same calls work.
      expect((await ct(WORKLOAD).send(new GetTrailCommand({ Name: 'homed' }))).Trail).toMatchObject({ LogFileValidationEnabled: false, HasCustomEventSelectors: false, HasInsightSelectors: false });
      await ct(WORKLOAD).send(new UpdateTrailCommand({ Name: arn, EnableLogFileValidation: true }));
      await ct(WORKLOAD).send(new DeleteTrailCommand({ Name: arn }));
    });
  });

  describe('patch cloudtrail-event-selectors', () => {
    test('a trail without selectors answers the default selector (moto: none)', async () => {
      await trail(WORKLOAD, 'fresh', 'logs');
      const out = await ct(WORKLOAD).send(new GetEventSelectorsCommand({ TrailName: 'fresh' }));
      expect(out.EventSelectors).toEqual([{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]);
      expect(out.AdvancedEventSelectors).toBeUndefined();
    });

    test('PutEventSelectors replaces: basic after advanced and advanced after basic (moto kept old advanced selectors)', async () => {
      await trail(WORKLOAD, 'sel', 'logs');
      const advanced = [{ Name: 'writes', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }];
      await ct(WORKLOAD).send(new PutEventSelectorsCommand({ TrailName: 'sel', AdvancedEventSelectors: advanced }));
      let out = await ct(WORKLOAD).send(new GetEventSelectorsCommand({ TrailName: 'sel' }));
      expect([out.EventSelectors, out.AdvancedEventSelectors]).toEqual([undefined, advanced]);
      await ct(WORKLOAD).send(new PutEventSelectorsCommand({ TrailName: 'sel', EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }));
      out = await ct(WORKLOAD).send(new GetEventSelectorsCommand({ TrailName: 'sel' }));
      expect([out.EventSelectors, out.AdvancedEventSelectors]).toEqual([[{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }], undefined]);
      await ct(WORKLOAD).send(new PutEventSelectorsCommand({ TrailName: 'sel', AdvancedEventSelectors: advanced }));
      out = await ct(WORKLOAD).send(new GetEventSelectorsCommand({ TrailName: 'sel' }));
      expect([out.EventSelectors, out.AdvancedEventSelectors]).toEqual([undefined, advanced]);
    });

    test('both kinds at once, or more than 5 basic selectors, are refused', async () => {
      await trail(WORKLOAD, 'sel', 'logs');
      expect(
        await errorOf(ct(WORKLOAD).send(new PutEventSelectorsCommand({ TrailName: 'sel', EventSelectors: [{ ReadWriteType: 'All' }], AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }))),
      ).toBe('InvalidParameterCombinationException');
      expect(await errorOf(ct(WORKLOAD).send(new PutEventSelectorsCommand({ TrailName: 'sel', EventSelectors: Array.from({ length: 6 }, () => ({ ReadWriteType: 'All' as const })) })))).toBe(
        'InvalidEventSelectorsException',
      );
    });
  });

  describe('patch cloudtrail-insight-selectors', () => {
    test('PutInsightSelectors replaces (moto appended); an empty list turns Insights off; no Insights answers InsightNotEnabledException', async () => {
      await trail(WORKLOAD, 'ins', 'logs');
      expect(await errorOf(ct(WORKLOAD).send(new GetInsightSelectorsCommand({ TrailName: 'ins' })))).toBe('InsightNotEnabledException');
      await ct(WORKLOAD).send(new PutInsightSelectorsCommand({ TrailName: 'ins', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }] }));
      await ct(WORKLOAD).send(new PutInsightSelectorsCommand({ TrailName: 'ins', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
      expect((await ct(WORKLOAD).send(new GetInsightSelectorsCommand({ TrailName: 'ins' }))).InsightSelectors).toEqual([{ InsightType: 'ApiErrorRateInsight' }]);
      await ct(WORKLOAD).send(new PutInsightSelectorsCommand({ TrailName: 'ins', InsightSelectors: [] }));
      expect(await errorOf(ct(WORKLOAD).send(new GetInsightSelectorsCommand({ TrailName: 'ins' })))).toBe('InsightNotEnabledException');
      expect(await errorOf(ct(WORKLOAD).send(new PutInsightSelectorsCommand({ TrailName: 'ins', InsightSelectors: [{ InsightType: 'Nope' as any }] })))).toBe('InvalidInsightSelectorsException');
    });
  });

  describe('patch cloudtrail-event-configuration', () => {
    test('GetEventConfiguration answers the trail ARN and no aggregation until PutEventConfiguration sets it (moto: HTTP 500)', async () => {
      await trail(WORKLOAD, 'agg', 'logs', { multiRegion: true });
      expect(await ct(WORKLOAD).send(new GetEventConfigurationCommand({ TrailName: 'agg' }))).toMatchObject({ TrailARN: arnOf(WORKLOAD, 'agg') });
      expect((await ct(WORKLOAD).send(new GetEventConfigurationCommand({ TrailName: 'agg' }))).AggregationConfigurations).toBeUndefined();
      // By ARN from another Region too (the multi-Region trail's shadow), as the other reads.
      expect((await ct(WORKLOAD, AWAY).send(new GetEventConfigurationCommand({ TrailName: arnOf(WORKLOAD, 'agg') }))).TrailARN).toBe(arnOf(WORKLOAD, 'agg'));
      const aggregation = [{ EventCategory: 'Data' as const, Templates: ['API_ACTIVITY' as const, 'USER_ACTIONS' as const] }];
      const put = await ct(WORKLOAD).send(new PutEventConfigurationCommand({ TrailName: 'agg', AggregationConfigurations: aggregation }));
      expect(put).toMatchObject({ TrailARN: arnOf(WORKLOAD, 'agg'), AggregationConfigurations: aggregation });
      expect((await ct(WORKLOAD).send(new GetEventConfigurationCommand({ TrailName: 'agg' }))).AggregationConfigurations).toEqual(aggregation);
      await ct(WORKLOAD).send(new PutEventConfigurationCommand({ TrailName: 'agg', AggregationConfigurations: [] }));
      expect((await ct(WORKLOAD).send(new GetEventConfigurationCommand({ TrailName: 'agg' }))).AggregationConfigurations).toBeUndefined();
    });

    test('what AWS refuses is refused: other Regions, bad aggregation, data store settings, unknown trails and data stores', async () => {
      await trail(WORKLOAD, 'agg', 'logs', { multiRegion: true });
      const put = (input: any, region = HOME) => errorOf(ct(WORKLOAD, region).send(new PutEventConfigurationCommand(input)));
      expect(await put({ TrailName: arnOf(WORKLOAD, 'agg'), AggregationConfigurations: [] }, AWAY)).toBe('InvalidHomeRegionException');
      expect(await put({ TrailName: 'agg', AggregationConfigurations: [{ EventCategory: 'Management', Templates: ['API_ACTIVITY'] }] })).toBe('InvalidParameterException');
      expect(await put({ TrailName: 'agg', AggregationConfigurations: [{ EventCategory: 'Data', Templates: [] }] })).toBe('InvalidParameterException');
      expect(await put({ TrailName: 'agg', AggregationConfigurations: [{ EventCategory: 'Data', Templates: ['EVERYTHING'] }] })).toBe('InvalidParameterException');
      const two = { EventCategory: 'Data', Templates: ['API_ACTIVITY'] };
      expect(await put({ TrailName: 'agg', AggregationConfigurations: [two, two] })).toBe('InvalidParameterException');
      expect(await put({ TrailName: 'agg', MaxEventSize: 'Large' })).toBe('InvalidParameterCombinationException');
      expect(await put({ TrailName: 'absent', AggregationConfigurations: [] })).toBe('TrailNotFoundException');
      expect(await errorOf(ct(WORKLOAD).send(new GetEventConfigurationCommand({ TrailName: 'absent' })))).toBe('TrailNotFoundException');
      expect(await errorOf(ct(WORKLOAD).send(new GetEventConfigurationCommand({ EventDataStore: 'eds-1' })))).toBe('EventDataStoreNotFoundException');
      expect(await errorOf(ct(WORKLOAD).send(new GetEventConfigurationCommand({ TrailName: 'agg', EventDataStore: 'eds-1' })))).toBe('InvalidParameterCombinationException');
      expect(await errorOf(ct(WORKLOAD).send(new GetEventConfigurationCommand({})))).toBe('InvalidParameterCombinationException');
    });
  });

  describe('patch cloudtrail-list-public-keys', () => {
    test("ListPublicKeys answers one key per Region (DER PKCS#1, fingerprint, validity) for the time range (moto: HTTP 500)", async () => {
      const keysOf = async (region: string, input: { StartTime?: Date; EndTime?: Date } = {}) => (await ct(WORKLOAD, region).send(new ListPublicKeysCommand(input))).PublicKeyList ?? [];
      const [home] = await keysOf(HOME);
      expect(home.Value).toBeInstanceOf(Uint8Array);
      const der = Buffer.from(home.Value!);
      // A real RSA public key in PKCS#1 DER, as verify reads it (cli/lib/verify/digest-chain.ts).
      expect(createPublicKey({ key: der, format: 'der', type: 'pkcs1' }).asymmetricKeyType).toBe('rsa');
      expect(home.Fingerprint).toBe(createHash('md5').update(der).digest('hex'));
      // Valid now (the call named no range: the current key), for a year.
      const [start, end] = [home.ValidityStartTime!.getTime(), home.ValidityEndTime!.getTime()];
      expect(end - start).toBeGreaterThan(365 * 86_400_000);
      // The same key on every call, for any account of the Region and any range within its validity; another Region has its own.
      const again = (await ct(OTHER).send(new ListPublicKeysCommand({ StartTime: new Date(start + 1000), EndTime: new Date(start + 2000) }))).PublicKeyList ?? [];
      expect(again.map((k) => k.Fingerprint)).toEqual([home.Fingerprint]);
      const [away] = await keysOf(AWAY);
      expect(away.Fingerprint).not.toBe(home.Fingerprint);
      // A range the key was not valid in answers no key; a range that ends before it starts is refused.
      expect(await keysOf(HOME, { StartTime: new Date('2001-01-01T00:00:00Z'), EndTime: new Date('2001-01-02T00:00:00Z') })).toEqual([]);
      expect(await errorOf(ct(WORKLOAD).send(new ListPublicKeysCommand({ StartTime: new Date('2001-01-02T00:00:00Z'), EndTime: new Date('2001-01-01T00:00:00Z') })))).toBe('InvalidTimeRangeException');
    });
  });

  describe('patch kms-create-key-defaults', () => {
    test('a key made without KeyUsage is ENCRYPT_DECRYPT (moto: none); a policy over 32,768 characters is refused', async () => {
      expect((await kms(CENTRAL).send(new CreateKeyCommand({}))).KeyMetadata?.KeyUsage).toBe('ENCRYPT_DECRYPT');
      const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(32800), Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CENTRAL}:root` }, Action: 'kms:*', Resource: '*' }] });
      expect(await errorOf(kms(CENTRAL).send(new CreateKeyCommand({ Policy: big })))).toBe('ValidationException');
      const key = (await kms(CENTRAL).send(new CreateKeyCommand({}))).KeyMetadata!;
      expect(await errorOf(kms(CENTRAL).send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: big })))).toBe('ValidationException');
    });
  });

  describe('patch kms-describe-key-cross-account', () => {
    const policy = (...statements: object[]) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CENTRAL}:root` }, Action: 'kms:*', Resource: '*' }, ...statements] });
    async function centralKey(keyPolicy: string) {
      const key = (await kms(CENTRAL).send(new CreateKeyCommand({ Policy: keyPolicy }))).KeyMetadata!;
      await kms(CENTRAL).send(new CreateAliasCommand({ AliasName: 'alias/cloudtrail-logs', TargetKeyId: key.KeyId }));
      return { keyArn: key.Arn!, aliasArn: `arn:aws:kms:${HOME}:${CENTRAL}:alias/cloudtrail-logs` };
    }
    const describe_ = (account: string, keyId: string, region = HOME) => kms(account, region).send(new DescribeKeyCommand({ KeyId: keyId }));

    test('by alias ARN or key ARN when the key policy names the account (moto: NotFoundException); other accounts are denied', async () => {
      const { keyArn, aliasArn } = await centralKey(policy({ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${WORKLOAD}:root`] }, Action: 'kms:DescribeKey', Resource: '*' }));
      expect((await describe_(WORKLOAD, aliasArn)).KeyMetadata).toMatchObject({ Arn: keyArn, AWSAccountId: CENTRAL, KeyUsage: 'ENCRYPT_DECRYPT' });
      expect((await describe_(WORKLOAD, keyArn)).KeyMetadata?.Arn).toBe(keyArn);
      const denied = await describe_(OTHER, aliasArn).catch((e: Error) => e);
      expect(denied).toMatchObject({ name: 'AccessDeniedException' });
      expect((denied as Error).message).toBe(`User: arn:aws:iam::${OTHER}:user/emulator-deployer is not authorized to perform: kms:DescribeKey on resource: ${keyArn} because no resource-based policy allows the kms:DescribeKey action`);
      // Another Region than the key's, an unknown alias: not found.
      expect(await errorOf(describe_(WORKLOAD, aliasArn, AWAY))).toBe('NotFoundException');
      expect(await errorOf(describe_(WORKLOAD, `arn:aws:kms:${HOME}:${CENTRAL}:alias/absent`))).toBe('NotFoundException');
    });

    test('Principal "*" with aws:PrincipalAccount (the per-account key policy encoding)', async () => {
      const { aliasArn } = await centralKey(policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:DescribeKey', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': [WORKLOAD] } } }));
      expect(await errorOf(describe_(WORKLOAD, aliasArn))).toBe('no error');
      expect(await errorOf(describe_(OTHER, aliasArn))).toBe('AccessDeniedException');
    });

    test('aws:PrincipalOrgID (the per-account-org encoding) holds for accounts of a declared organization only', async () => {
      const { aliasArn } = await centralKey(policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:DescribeKey', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } } }));
      expect(await errorOf(describe_(WORKLOAD, aliasArn))).toBe('AccessDeniedException');
      await emulator.declareOrganization({ id: 'o-exampleorgid', managementAccountId: CENTRAL, accountIds: [WORKLOAD] });
      expect(await errorOf(describe_(WORKLOAD, aliasArn))).toBe('no error');
      expect(await errorOf(describe_(OTHER, aliasArn))).toBe('AccessDeniedException');
    });

    test('an explicit Deny wins; a condition the emulator does not model never lets a request through', async () => {
      const allowAll = { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${WORKLOAD}:root`, `arn:aws:iam::${OTHER}:root`] }, Action: 'kms:Describe*', Resource: '*' };
      const { aliasArn } = await centralKey(
        policy(allowAll, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'kms:*', Resource: '*' }, {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } },
        }),
      );
      expect(await errorOf(describe_(WORKLOAD, aliasArn))).toBe('no error');
      expect(await errorOf(describe_(OTHER, aliasArn))).toBe('AccessDeniedException');
      // Only the unmodelled Allow would admit 444444444444: it does not.
      expect(await errorOf(describe_('444444444444', aliasArn))).toBe('AccessDeniedException');
    });
  });

  describe('patch s3-bucket-policy-evaluation', () => {
    const bucketPolicy = (...statements: object[]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::logs/AWSLogs/${WORKLOAD}/*`,
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arnOf(WORKLOAD, 'my-trail') } },
          },
          ...statements,
        ],
      });
    const put = (account: string, key: string, acl?: 'bucket-owner-full-control') => s3(account).send(new PutObjectCommand({ Bucket: 'logs', Key: key, Body: 'x', ACL: acl }));

    test("the bucket owner reads and writes under a Deny on aws:SecureTransport false (moto denied every request)", async () => {
      await s3(CENTRAL).send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: bucketPolicy() }));
      await put(CENTRAL, `AWSLogs/${WORKLOAD}/file.json.gz`);
      expect(await (await s3(CENTRAL).send(new GetObjectCommand({ Bucket: 'logs', Key: `AWSLogs/${WORKLOAD}/file.json.gz` }))).Body?.transformToString()).toBe('x');
    });

    test('another account needs an Allow whose conditions hold; the CloudTrail statement does not admit a direct call', async () => {
      await s3(CENTRAL).send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: bucketPolicy() }));
      expect(await errorOf(put(WORKLOAD, `AWSLogs/${WORKLOAD}/a`, 'bucket-owner-full-control'))).toBe('AccessDenied');
      await s3(CENTRAL).send(
        new PutBucketPolicyCommand({
          Bucket: 'logs',
          Policy: bucketPolicy({
            Sid: 'WorkloadWrites',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${WORKLOAD}:root` },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::logs/AWSLogs/${WORKLOAD}/*`,
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
          }),
        }),
      );
      expect(await errorOf(put(WORKLOAD, `AWSLogs/${WORKLOAD}/a`, 'bucket-owner-full-control'))).toBe('no error');
      expect(await errorOf(put(WORKLOAD, `AWSLogs/${WORKLOAD}/b`))).toBe('AccessDenied');
      expect(await errorOf(put(WORKLOAD, `AWSLogs/${OTHER}/c`, 'bucket-owner-full-control'))).toBe('AccessDenied');
    });

    test("an explicit Deny stops even the bucket owner", async () => {
      await s3(CENTRAL).send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: bucketPolicy({ Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::logs/locked/*' }) }));
      expect(await errorOf(put(CENTRAL, 'locked/x'))).toBe('AccessDenied');
      expect(await errorOf(put(CENTRAL, 'open/x'))).toBe('no error');
    });
  });

  describe('patch s3-bucket-policy-size', () => {
    test('a bucket policy over 20,480 bytes is refused (moto: any size); 20,480 bytes are accepted', async () => {
      const sized = (bytes: number) => {
        const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CENTRAL}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs/*' }] });
        return base.replace('"Sid":""', `"Sid":"${'a'.repeat(bytes - base.length)}"`);
      };
      expect(sized(20480)).toHaveLength(20480);
      expect(await errorOf(s3(CENTRAL).send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: sized(20480) })))).toBe('no error');
      expect(await errorOf(s3(CENTRAL).send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: sized(20481) })))).toBe('MalformedPolicy');
    });
  });
});
