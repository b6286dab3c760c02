/**
 * The shared "could not check" discipline: which errors mean nothing could
 * be checked (no credentials, rejected caller credentials, no network), the
 * preflight that says so once and fast, and the guard that stops a long run
 * when AWS goes away.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CouldNotCheck } from '../../../cli/command';
import { AccessGuard, AwsSession, couldNotCheckKind, isNetworkError } from '../../../cli/lib/aws-access';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());
afterAll(() => sts.restore());

const session = (now = () => 0) => new AwsSession({ sessionName: 'test', stsRegion: 'us-east-1', ambient: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 's' }), now });
const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('classification', () => {
  test('no credentials, rejected credentials (caller only), unreachable', () => {
    expect(couldNotCheckKind(named('CredentialsProviderError'), { ambient: false })).toBe('no-credentials');
    expect(couldNotCheckKind(named('ExpiredToken'), { ambient: true })).toBe('credentials-rejected');
    // An assumed role's session rejected in a region its account has not enabled is about that account.
    expect(couldNotCheckKind(named('InvalidClientTokenId'), { ambient: false })).toBeUndefined();
    expect(couldNotCheckKind(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { ambient: false })).toBe('unreachable');
    expect(couldNotCheckKind(named('TimeoutError'), { ambient: false })).toBe('unreachable');
    expect(couldNotCheckKind(named('AccessDenied', { $metadata: { httpStatusCode: 403 } }), { ambient: true })).toBeUndefined();
  });

  test('a fetch failure carries its network cause', () => {
    expect(isNetworkError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }))).toBe(true);
    expect(isNetworkError(named('NoSuchBucket', { $metadata: { httpStatusCode: 404 } }))).toBe(false);
  });
});

describe('preflight', () => {
  test('who the caller is, asked once', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/ci' });
    const s = session();
    expect(await s.preflight({})).toEqual({ account: '999999999999', arn: 'arn:aws:iam::999999999999:user/ci' });
    await s.preflight({});
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  test('no credentials: CouldNotCheck with what to do, nothing blamed', async () => {
    sts.on(GetCallerIdentityCommand).rejects(named('CredentialsProviderError'));
    await expect(session().preflight({ AWS_PROFILE: 'ops' })).rejects.toThrow(
      new CouldNotCheck(
        'no AWS credentials found for AWS_PROFILE=ops (CredentialsProviderError): give doctor the credentials you would give the AWS CLI, e.g. AWS_PROFILE=<profile> (after `aws sso login --profile <profile>` for an SSO profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or an instance or container role; against the emulator, set AWS_ENDPOINT_URL and any dummy keys. Nothing was checked; no account was blamed',
      ),
    );
  });
});

describe('assumed roles', () => {
  test('assumed once, again when less than 5 minutes are left; the account comes from the assumed-role ARN', async () => {
    let clock = 0;
    const expiration = new Date(3_600_000);
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration }, AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/R/test', AssumedRoleId: 'x' } });
    const s = session(() => clock);
    expect((await s.assume('arn:aws:iam::222222222222:role/R')).account).toBe('222222222222');
    clock = 3_600_000 - 6 * 60_000;
    await s.assume('arn:aws:iam::222222222222:role/R');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    clock = 3_600_000 - 4 * 60_000;
    await s.assume('arn:aws:iam::222222222222:role/R');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toEqual({ RoleArn: 'arn:aws:iam::222222222222:role/R', RoleSessionName: 'test' });
  });

  test('a denied role is not cached: the next call asks again', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(named('AccessDenied')).resolves({ Credentials: { AccessKeyId: 'A', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(3_600_000) }, AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/R/test', AssumedRoleId: 'x' } });
    const s = session();
    await expect(s.assume('arn:aws:iam::222222222222:role/R')).rejects.toThrow('AccessDenied');
    await expect(s.assume('arn:aws:iam::222222222222:role/R')).resolves.toMatchObject({ account: '222222222222' });
  });
});

describe('AccessGuard', () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

  test('a network failure that STS confirms trips the guard: later calls fail at once with the same CouldNotCheck', async () => {
    const probe = jest.fn(async () => {
      throw refused();
    });
    const guard = new AccessGuard(probe, {});
    await expect(guard.call(async () => Promise.reject(refused()))).rejects.toBeInstanceOf(CouldNotCheck);
    const later = jest.fn(async () => 1);
    await expect(guard.call(later)).rejects.toBe(guard.failure);
    expect(later).not.toHaveBeenCalled();
    expect(probe).toHaveBeenCalledTimes(1);
  });

  test('STS still answers: the failure belongs to that call (a regional endpoint), the run goes on', async () => {
    const guard = new AccessGuard(async () => ({ account: '1' }), {});
    const e = refused();
    await expect(guard.call(async () => Promise.reject(e))).rejects.toBe(e);
    expect(guard.failure).toBeUndefined();
    await expect(guard.call(async () => 2)).resolves.toBe(2);
  });

  test('findings pass through untouched', async () => {
    const probe = jest.fn();
    const guard = new AccessGuard(probe, {});
    const denied = named('AccessDenied');
    await expect(guard.call(async () => Promise.reject(denied))).rejects.toBe(denied);
    expect(probe).not.toHaveBeenCalled();
  });
});
