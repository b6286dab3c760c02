/**
 * "Could not check" as a pure function: every failure that means nothing
 * can be checked (no credentials, credentials refused, no answer) is told
 * apart from a finding about one trail (AccessDenied on a role, a missing
 * trail), with the error shapes the SDK and Node really throw.
 */
import { classifyAwsFailure, couldNotCheckReason } from '../../../cli/lib/aws-failure';

/** Node's error for a refused connection, as the SDK rethrows it (seen with @aws-sdk 3.11xx against a closed port). */
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5055'), { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 5055, $metadata: { attempts: 3 } });
/** An AWS error as the SDK builds it: the code in `name`. */
const aws = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

describe('classifyAwsFailure', () => {
  test.each([
    ['CredentialsProviderError', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false }), 'no-credentials'],
    ['TokenProviderError (an expired SSO session)', Object.assign(new Error('The SSO session associated with this profile has expired'), { name: 'TokenProviderError' }), 'no-credentials'],
    ['ExpiredToken (STS)', aws('ExpiredToken', 'The security token included in the request is expired'), 'credentials-rejected'],
    ['ExpiredTokenException (CloudTrail)', aws('ExpiredTokenException', 'The security token included in the request is expired'), 'credentials-rejected'],
    ['InvalidClientTokenId (STS)', aws('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'credentials-rejected'],
    ['UnrecognizedClientException (CloudTrail)', aws('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'credentials-rejected'],
    ['SignatureDoesNotMatch', aws('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', 403), 'credentials-rejected'],
    ['InvalidAccessKeyId (S3, code in Code)', Object.assign(new Error('The AWS Access Key Id you provided does not exist in our records.'), { name: 'InvalidAccessKeyId', Code: 'InvalidAccessKeyId' }), 'credentials-rejected'],
    ['ECONNREFUSED', refused(), 'unreachable'],
    ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND cloudtrail.us-east-2.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'cloudtrail.us-east-2.amazonaws.com' }), 'unreachable'],
    ['EAI_AGAIN', Object.assign(new Error('getaddrinfo EAI_AGAIN sts.us-east-2.amazonaws.com'), { code: 'EAI_AGAIN' }), 'unreachable'],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' }), 'unreachable'],
    ['TimeoutError (the SDK connection timeout)', Object.assign(new Error('Socket timed out without establishing a connection within 5000 ms'), { name: 'TimeoutError' }), 'unreachable'],
    ['a network error as the cause', Object.assign(new Error('fetch failed'), { cause: refused() }), 'unreachable'],
    ['a network error wrapped into its message (crossed a realm)', new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:5055'), 'unreachable'],
    ['AccessDenied on AssumeRole', aws('AccessDenied', 'User: arn:aws:iam::999999999999:user/ci is not authorized to perform: sts:AssumeRole', 403), 'access-denied'],
    ['AccessDeniedException (CloudTrail)', aws('AccessDeniedException', 'not authorized to perform: cloudtrail:GetEventConfiguration'), 'access-denied'],
    ['ThrottlingException', aws('ThrottlingException', 'Rate exceeded'), 'throttled'],
    ['HTTP 429', Object.assign(new Error('Too Many Requests'), { name: 'Unknown', $metadata: { httpStatusCode: 429 } }), 'throttled'],
    ['TrailNotFoundException', aws('TrailNotFoundException', 'Unknown trail'), 'other'],
    ['a thrown string', 'boom', 'other'],
    ['undefined', undefined, 'other'],
  ])('%s', (_label, error, kind) => {
    expect(classifyAwsFailure(error).kind).toBe(kind);
  });

  test('keeps the code and where a request went', () => {
    expect(classifyAwsFailure(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:5055'))).toMatchObject({ kind: 'unreachable', code: 'ECONNREFUSED', target: '127.0.0.1:5055' });
    expect(classifyAwsFailure(refused())).toEqual({ kind: 'unreachable', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5055', target: '127.0.0.1:5055' });
    expect(classifyAwsFailure(aws('ExpiredToken', 'expired'))).toEqual({ kind: 'credentials-rejected', code: 'ExpiredToken', message: 'expired' });
  });
});

describe('couldNotCheckReason', () => {
  test('no credentials: says so and how to give them', () => {
    const reason = couldNotCheckReason(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    expect(reason).toBe(
      'no AWS credentials found (Could not load credentials from any providers): give verify the credentials you would give the AWS CLI, ' +
        'e.g. AWS_PROFILE=<profile> (after `aws sso login --profile <profile>` for an SSO profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), ' +
        'or an instance or container role; against the emulator, set AWS_ENDPOINT_URL and any dummy keys',
    );
  });

  test('refused credentials', () => {
    expect(couldNotCheckReason(aws('ExpiredToken', 'The security token included in the request is expired'))).toBe(
      'AWS refused the credentials (ExpiredToken: The security token included in the request is expired): refresh them (`aws sso login`, new keys, or a new session) and run verify again',
    );
  });

  test('an emulator that does not answer is named by its AWS_ENDPOINT_URL; AWS by the code and host', () => {
    expect(couldNotCheckReason(refused(), { endpoint: 'http://127.0.0.1:5055' })).toBe(
      'the endpoint http://127.0.0.1:5055 (AWS_ENDPOINT_URL) did not answer (ECONNREFUSED 127.0.0.1:5055): start the emulator, or unset AWS_ENDPOINT_URL to check AWS itself',
    );
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-east-2.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'sts.us-east-2.amazonaws.com' });
    expect(couldNotCheckReason(dns)).toBe(
      'AWS did not answer (ENOTFOUND sts.us-east-2.amazonaws.com: getaddrinfo ENOTFOUND sts.us-east-2.amazonaws.com): check the network, the proxy settings (HTTPS_PROXY) and the regions in the config',
    );
  });

  test('a finding about one trail or role is not a reason', () => {
    for (const e of [aws('AccessDenied', 'denied', 403), aws('TrailNotFoundException', 'Unknown trail'), aws('ThrottlingException', 'Rate exceeded'), new Error('anything')]) {
      expect(couldNotCheckReason(e)).toBeUndefined();
    }
  });

  test('the kinds that stop a run can be narrowed (refused credentials mid-run are a region not enabled)', () => {
    const rejected = aws('UnrecognizedClientException', 'The security token included in the request is invalid.');
    expect(couldNotCheckReason(rejected, { fatal: ['no-credentials', 'unreachable'] })).toBeUndefined();
    expect(couldNotCheckReason(refused(), { fatal: ['no-credentials', 'unreachable'] })).toMatch(/^AWS did not answer \(ECONNREFUSED 127\.0\.0\.1:5055/);
  });
});

describe('AwsAccess: the caller\'s credentials are checked once, when the SDK first needs them', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { mockClient } = require('aws-sdk-client-mock');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GetCallerIdentityCommand, STSClient } = require('@aws-sdk/client-sts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AwsAccess } = require('../../../cli/lib/verify/aws');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CouldNotCheck } = require('../../../cli/command');
  const sts = mockClient(STSClient);
  afterAll(() => sts.restore());
  beforeEach(() => sts.reset());

  test('GetCallerIdentity once; the identity is kept for messages', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ UserId: 'AIDAEXAMPLE', Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/ci' });
    let resolved = 0;
    const access = new AwsAccess({}, async () => (resolved++, { accessKeyId: 'AKIAX', secretAccessKey: 'x' }), { endpoint: 'http://127.0.0.1:9' });
    access.useRegion('us-east-2');
    expect(await access.ambient()).toEqual({ accessKeyId: 'AKIAX', secretAccessKey: 'x' });
    await access.ambient();
    expect(access.caller).toBe('arn:aws:iam::999999999999:user/ci');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    // The region of the central account, so the right partition (us-east-1 would refuse aws-cn credentials).
    expect(await sts.commandCalls(GetCallerIdentityCommand)[0].thisValue.config.region()).toBe('us-east-2');
    expect(resolved).toBe(3); // once for the check, then each time the SDK asks (it refreshes expiring credentials itself)
  });

  test('no credentials: every later call fails at once with the same reason, the chain is not asked again', async () => {
    let asked = 0;
    const access = new AwsAccess({}, async () => {
      asked++;
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });
    const first = await access.ambient().catch((e: unknown) => e);
    const second = await access.ambient().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(CouldNotCheck);
    expect(second).toBe(first);
    expect(asked).toBe(1);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  test('an emulator endpoint: every client goes there, S3 path-style', async () => {
    const access = new AwsAccess({}, async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }), { endpoint: 'http://127.0.0.1:5055' });
    const s3 = await access.s3Client(undefined, 'us-east-2');
    const ct = await access.cloudTrailClient(undefined, 'eu-west-1');
    expect(s3.config.forcePathStyle).toBe(true);
    for (const client of [s3, ct]) {
      const endpoint = await client.config.endpoint();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:5055');
    }
    const plain = new AwsAccess({}, async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), { endpoint: undefined });
    expect((await plain.s3Client(undefined, 'us-east-2')).config.forcePathStyle).toBe(false);
  });
});
