import { configOf, onlyResource, rawWith, stackOf, synthFleet } from '../../../helpers/fleet';
import { expectedTrail, insightDrift, selectorDrift, trailDrift } from '../../../../cli/lib/verify/drift';
import { cloudTrailFolder, dateFolders, statusProblems } from '../../../../cli/lib/verify/health';

describe('expected trail and drift (pure)', () => {
  test('advanced selectors match the API answer in any order, and a removed value is drift', () => {
    const config = configOf(
      rawWith((raw) => {
        raw.accounts[0].dataEvents = { advanced: [{ name: 'Deletes', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', equals: ['DeleteObject', 'DeleteObjects'] }] }] };
        raw.accounts[0].managementEvents = { readWrite: 'WriteOnly', excludeKmsEvents: true };
      }),
    );
    const expected = expectedTrail(config, config.trails[0]);
    expect(expected.selectors.kind).toBe('advanced');
    // As GetEventSelectors returns them: API field names, selectors and values in another order.
    const live = [
      {
        Name: 'Deletes',
        FieldSelectors: [
          { Field: 'eventName', Equals: ['DeleteObjects', 'DeleteObject'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'eventCategory', Equals: ['Data'] },
        ],
      },
      {
        Name: 'Management events (WriteOnly), excluding kms.amazonaws.com',
        FieldSelectors: [
          { Field: 'readOnly', Equals: ['false'] },
          { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
          { Field: 'eventCategory', Equals: ['Management'] },
        ],
      },
    ];
    expect(selectorDrift(expected.selectors, undefined, live)).toEqual([]);
    live[0].FieldSelectors[0].Equals = ['DeleteObject'];
    const drift = selectorDrift(expected.selectors, undefined, live);
    expect(drift).toHaveLength(1);
    expect(drift[0].expected).toContain('DeleteObjects');
    // Basic selectors where advanced are expected: the kind is the drift.
    expect(selectorDrift(expected.selectors, [{ ReadWriteType: 'All', IncludeManagementEvents: true }], undefined)).toEqual([
      { setting: 'managementEvents/dataEvents/networkActivityEvents (event selectors)', expected: 'advanced selectors', actual: 'basic selectors' },
    ]);
  });

  test('network activity selectors: what the stack writes, as GetEventSelectors returns it, is no drift; a source removed or a filter added by hand is', () => {
    const config = configOf(
      rawWith((raw) => {
        raw.accounts[0].managementEvents = { readWrite: 'WriteOnly' };
        raw.accounts[0].networkActivityEvents = { eventSources: ['kms.amazonaws.com', { eventSource: 'secretsmanager.amazonaws.com', eventNames: ['GetSecretValue', 'ListSecrets'] }] };
      }),
    );
    const expected = expectedTrail(config, config.trails[0]);
    // The live answer built from the synthesized trail (what Terraform puts), in API names, selectors and values reversed.
    const trail = onlyResource(stackOf(synthFleet(config), 'cloudtrail-account-222222222222'), 'aws_cloudtrail');
    const api: Record<string, string> = { equals: 'Equals', not_equals: 'NotEquals', starts_with: 'StartsWith', not_starts_with: 'NotStartsWith', ends_with: 'EndsWith', not_ends_with: 'NotEndsWith' };
    const live = [...trail.advanced_event_selector].reverse().map((s: any) => ({
      Name: s.name,
      FieldSelectors: [...s.field_selector].reverse().map((f: any) => ({
        Field: f.field,
        ...Object.fromEntries(Object.entries(api).filter(([k]) => f[k]).map(([k, v]) => [v, [...f[k]].reverse()])),
      })),
    }));
    expect(live).toHaveLength(3);
    expect(selectorDrift(expected.selectors, undefined, live)).toEqual([]);

    const withoutKms = live.filter((s: any) => !s.FieldSelectors.some((f: any) => f.Field === 'eventSource' && f.Equals?.[0] === 'kms.amazonaws.com'));
    expect(selectorDrift(expected.selectors, undefined, withoutKms)).toEqual([
      {
        setting: 'managementEvents/dataEvents/networkActivityEvents (event selectors)',
        expected: JSON.stringify({ fields: [JSON.stringify({ field: 'eventCategory', equals: ['NetworkActivity'] }), JSON.stringify({ field: 'eventSource', equals: ['kms.amazonaws.com'] })] }),
        actual: '(missing)',
      },
    ]);
    // Someone narrowed KMS to denied calls outside Terraform (a field the pinned provider cannot even express).
    const narrowed = live.map((s: any) =>
      s.FieldSelectors.some((f: any) => f.Equals?.[0] === 'kms.amazonaws.com') ? { ...s, FieldSelectors: [...s.FieldSelectors, { Field: 'errorCode', Equals: ['VpceAccessDenied'] }] } : s,
    );
    const drift = selectorDrift(expected.selectors, undefined, narrowed);
    expect(drift).toHaveLength(1);
    expect(drift[0].actual).toContain('VpceAccessDenied');
  });

  test('CloudWatch Logs, SNS and key expectations come from the config', () => {
    const config = configOf(
      rawWith((raw) => {
        raw.accounts[0].cloudWatchLogs = { create: { logGroupName: 'ct-logs' } };
        raw.accounts[0].sns = { topicArn: 'arn:aws:sns:us-east-2:222222222222:shared' };
        raw.accounts[0].kmsKey = { arn: 'arn:aws:kms:us-east-2:111111111111:key/11111111-2222-3333-4444-555555555555' };
      }),
    );
    const e = expectedTrail(config, config.trails[0]);
    const live = {
      Name: 'my-trail',
      S3BucketName: 'my-bucket',
      HomeRegion: 'us-east-2',
      CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-2:222222222222:log-group:ct-logs:*',
      CloudWatchLogsRoleArn: 'arn:aws:iam::222222222222:role/CloudTrailToCWL-my-trail',
      SnsTopicARN: 'arn:aws:sns:us-east-2:222222222222:shared',
      KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/11111111-2222-3333-4444-555555555555',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      LogFileValidationEnabled: true,
      IsOrganizationTrail: false,
    };
    expect(trailDrift(e, live)).toEqual([]);
    expect(trailDrift(e, { ...live, CloudWatchLogsLogGroupArn: undefined, S3KeyPrefix: 'x', LogFileValidationEnabled: false }).map((d) => d.setting)).toEqual([
      'prefix',
      'logFileValidation',
      'cloudWatchLogs (log group)',
    ]);
  });

  test('insights compare as sets', () => {
    expect(insightDrift(['ApiErrorRateInsight', 'ApiCallRateInsight'], ['ApiCallRateInsight', 'ApiErrorRateInsight'])).toEqual([]);
    expect(insightDrift([], ['ApiErrorRateInsight'])).toEqual([{ setting: 'insights', expected: '(none)', actual: 'ApiErrorRateInsight' }]);
  });

  test('folders: prefix, organization trails', () => {
    const org = configOf(
      rawWith((raw) => {
        raw.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
        raw.accounts = [{ accountId: '111111111111', organizationTrail: true, prefix: 'org' }];
      }),
    );
    expect(cloudTrailFolder(org, org.trails[0])).toBe('org/AWSLogs/o-exampleorgid/111111111111/CloudTrail/');
    const plain = configOf(rawWith(() => undefined));
    expect(cloudTrailFolder(plain, plain.trails[0])).toBe('AWSLogs/222222222222/CloudTrail/');
  });

  test('date folders cover the age window, newest first', () => {
    expect(dateFolders(new Date('2026-03-01T01:00:00Z'), 24 * 3_600_000)).toEqual(['2026/03/01/', '2026/02/28/']);
  });

  test('a digest delivery error counts only with log file validation on', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const status = { IsLogging: true, LatestDeliveryTime: now, LatestDigestDeliveryError: 'AccessDenied' };
    expect(statusProblems(status, { enableLogging: true, logFileValidation: false }, now, 3_600_000)).toEqual([]);
    expect(statusProblems(status, { enableLogging: true, logFileValidation: true }, now, 3_600_000)).toEqual([
      'digest files are not delivered, so new log files cannot be proven intact (LatestDigestDeliveryError: AccessDenied): the bucket policy does not admit this trail: deploy cloudtrail-central, whose policies admit every trail of the config',
    ]);
  });
});
