/**
 * GetTrailStatus read as a person needs it: each delivery error (S3 log
 * files, digest files, CloudWatch Logs, SNS) says what it stops and what to
 * do, naming the bucket, log group, role, topic and stack from the config;
 * a digest delivery that stalled is seen without --digests. Pure, on the
 * API's own shapes, with a pinned clock.
 */
import { configOf } from '../../../helpers/fleet';
import { expectedTrail } from '../../../../cli/lib/verify/drift';
import { DIGEST_STALE_MS, folderState, statusProblems } from '../../../../cli/lib/verify/health';

const NOW = new Date('2026-11-26T12:00:00Z');
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000);
const DAY = 86_400_000;

const config = configOf({
  central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket' },
  defaults: { trailName: 'my-trail' },
  accounts: [
    {
      accountId: '222222222222',
      sns: { create: { topicName: 'ct-222' } },
      cloudWatchLogs: { create: { logGroupName: 'ct-logs' } },
    },
    { accountId: '333333333333' },
  ],
});
const [withAll, plain] = config.trails;
const targets = (t = withAll) => ({ ...expectedTrail(config, t), stackName: `cloudtrail-account-${t.accountId}` });
const ok = { IsLogging: true, LatestDeliveryTime: ago(5), LatestDigestDeliveryTime: ago(40), StartLoggingTime: ago(100_000) };

describe('delivery errors', () => {
  test.each([
    [
      'LatestDeliveryError AccessDenied',
      { LatestDeliveryError: 'AccessDenied' },
      'log files are not delivered to s3://my-bucket (LatestDeliveryError: AccessDenied): the bucket policy of s3://my-bucket (or the KMS key policy) does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config',
    ],
    [
      'LatestDeliveryError NoSuchBucket',
      { LatestDeliveryError: 'NoSuchBucket' },
      'log files are not delivered to s3://my-bucket (LatestDeliveryError: NoSuchBucket): the bucket s3://my-bucket does not exist: deploy cloudtrail-central, or correct central.bucketName',
    ],
    [
      'LatestDeliveryError from KMS',
      { LatestDeliveryError: 'KMS.DisabledException' },
      "log files are not delivered to s3://my-bucket (LatestDeliveryError: KMS.DisabledException): the trail's KMS key refuses CloudTrail (disabled, pending deletion, or its key policy): check the key named by kmsKey and deploy its stack",
    ],
    [
      'LatestDeliveryError of another kind',
      { LatestDeliveryError: 'InternalError' },
      'log files are not delivered to s3://my-bucket (LatestDeliveryError: InternalError): see the S3 error responses in the Amazon S3 API Reference; CloudTrail keeps this error until its next successful delivery',
    ],
    [
      'LatestDigestDeliveryError AccessDenied',
      { LatestDigestDeliveryError: 'AccessDenied' },
      'digest files are not delivered to s3://my-bucket, so new log files cannot be proven intact (LatestDigestDeliveryError: AccessDenied): the bucket policy of s3://my-bucket does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config',
    ],
    [
      'LatestCloudWatchLogsDeliveryError AccessDeniedException',
      { LatestCloudWatchLogsDeliveryError: 'AccessDeniedException' },
      'events are not delivered to CloudWatch Logs arn:aws:logs:us-east-2:222222222222:log-group:ct-logs:* (LatestCloudWatchLogsDeliveryError: AccessDeniedException): the delivery role arn:aws:iam::222222222222:role/CloudTrailToCWL-my-trail must trust cloudtrail.amazonaws.com and allow logs:CreateLogStream and logs:PutLogEvents on the log group: deploy cloudtrail-account-222222222222',
    ],
    [
      'LatestCloudWatchLogsDeliveryError ResourceNotFoundException',
      { LatestCloudWatchLogsDeliveryError: 'ResourceNotFoundException' },
      'events are not delivered to CloudWatch Logs arn:aws:logs:us-east-2:222222222222:log-group:ct-logs:* (LatestCloudWatchLogsDeliveryError: ResourceNotFoundException): the log group does not exist: deploy cloudtrail-account-222222222222, or correct cloudWatchLogs',
    ],
    [
      'LatestNotificationError AuthorizationError',
      { LatestNotificationError: 'AuthorizationError' },
      "SNS notifications to arn:aws:sns:us-east-2:222222222222:ct-222 fail (LatestNotificationError: AuthorizationError): the topic policy must allow SNS:Publish to cloudtrail.amazonaws.com for this trail (aws:SourceArn), and a KMS-encrypted topic's key must let CloudTrail use it",
    ],
    [
      'LatestNotificationError NotFound',
      { LatestNotificationError: 'NotFound' },
      'SNS notifications to arn:aws:sns:us-east-2:222222222222:ct-222 fail (LatestNotificationError: NotFound): the topic does not exist: deploy cloudtrail-account-222222222222, or correct sns.topicArn',
    ],
  ])('%s', (_label, error, message) => {
    expect(statusProblems({ ...ok, ...error }, withAll, NOW, DAY, targets())).toEqual([message]);
  });

  test('an SNS or CloudWatch Logs error on a trail whose config has neither is still reported, said to be possibly stale', () => {
    expect(statusProblems({ ...ok, LatestNotificationError: 'AuthorizationError', LatestCloudWatchLogsDeliveryError: 'AccessDeniedException' }, plain, NOW, DAY, targets(plain))).toEqual([
      expect.stringMatching(/^events are not delivered to CloudWatch Logs \(LatestCloudWatchLogsDeliveryError: AccessDeniedException\): .* \(the config delivers no CloudWatch Logs: if the live trail no longer does either, this error is left from an earlier setting\)$/),
      expect.stringMatching(/^SNS notifications fail \(LatestNotificationError: AuthorizationError\): .* \(the config sends no notifications: if the live trail no longer does either, this error is left from an earlier setting\)$/),
    ]);
  });

  test('without the config targets (a caller that has only the status), the API field and value are still named', () => {
    expect(statusProblems({ ...ok, LatestDeliveryError: 'AccessDenied' }, { enableLogging: true, logFileValidation: true }, NOW, DAY)).toEqual([
      'log files are not delivered (LatestDeliveryError: AccessDenied): the bucket policy (or the KMS key policy) does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config',
    ]);
  });

  test('a healthy status reports nothing', () => {
    expect(statusProblems(ok, withAll, NOW, DAY, targets())).toEqual([]);
  });
});

describe('digest delivery', () => {
  test(`no digest file for more than ${DIGEST_STALE_MS / 3_600_000} h while logging with validation on`, () => {
    expect(statusProblems({ ...ok, LatestDigestDeliveryTime: ago(4 * 60) }, withAll, NOW, DAY, targets())).toEqual([
      'last digest file delivered 4 h ago (LatestDigestDeliveryTime 2026-11-26T08:00:00.000Z): CloudTrail delivers one every hour while log file validation is on; log files since then cannot be proven intact',
    ]);
    expect(statusProblems({ ...ok, LatestDigestDeliveryTime: ago(2 * 60) }, withAll, NOW, DAY, targets())).toEqual([]);
  });

  test('no digest file at all, long after logging started', () => {
    expect(statusProblems({ IsLogging: true, LatestDeliveryTime: ago(5), StartLoggingTime: ago(5 * 60) }, withAll, NOW, DAY, targets())).toEqual([
      'no digest file delivered since logging started 5 h ago (no LatestDigestDeliveryTime) although log file validation is on',
    ]);
    // A trail that started logging an hour ago has not had its first digest yet; a status without times says nothing.
    expect(statusProblems({ IsLogging: true, LatestDeliveryTime: ago(5), StartLoggingTime: ago(60) }, withAll, NOW, DAY, targets())).toEqual([]);
    expect(statusProblems({ IsLogging: true, LatestDeliveryTime: ago(5) }, withAll, NOW, DAY, targets())).toEqual([]);
  });

  test('not a problem with validation off, logging stopped on purpose, or restarted lately; a delivery error is said once', () => {
    const stale = { ...ok, LatestDigestDeliveryTime: ago(10 * 60) };
    expect(statusProblems(stale, { ...withAll, logFileValidation: false }, NOW, DAY, targets())).toEqual([]);
    expect(statusProblems({ ...stale, IsLogging: false }, { ...withAll, enableLogging: false }, NOW, DAY, targets())).toEqual([]);
    expect(statusProblems({ ...stale, StartLoggingTime: ago(30) }, withAll, NOW, DAY, targets())).toEqual([]);
    expect(statusProblems({ ...stale, LatestDigestDeliveryError: 'AccessDenied' }, withAll, NOW, DAY, targets())).toEqual([expect.stringMatching(/^digest files are not delivered/)]);
  });
});

test('folder state: unlisted, empty, old, recent', () => {
  expect(folderState(false, undefined, NOW, DAY)).toBe('unlisted');
  expect(folderState(true, undefined, NOW, DAY)).toBe('empty');
  expect(folderState(true, ago(25 * 60), NOW, DAY)).toBe('old');
  expect(folderState(true, ago(5), NOW, DAY)).toBe('recent');
});
