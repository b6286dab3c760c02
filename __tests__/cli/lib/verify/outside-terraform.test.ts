/**
 * Drift Terraform cannot see (issue 17): Insights event categories
 * (GetInsightSelectors `InsightSelectors[].EventCategories`) and event
 * aggregation (GetEventConfiguration `AggregationConfigurations`), set by
 * hand with PutInsightSelectors / PutEventConfiguration. The aws provider
 * 5.100.0 can express neither and the config has no key for them: anything
 * but "Insights on management events" and "no aggregation" is drift, with
 * the note that a Terraform apply may reset it. Also every GetEventConfiguration
 * error the API documents.
 */
import { configOf } from '../../../helpers/fleet';
import { aggregationDrift, AGGREGATION_NOTE, expectedTrail, INSIGHT_CATEGORIES_NOTE, insightsDrift } from '../../../../cli/lib/verify/drift';
import { formatJson, formatTable } from '../../../../cli/lib/verify/report';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { AwsWorld, FakeTrail } from './aws-world';

const NOW = new Date('2026-11-26T12:00:00Z');
const OPTIONS = { maxAgeMs: 24 * 3_600_000, concurrency: 2, now: NOW };

const raw = (insights?: { apiCallRate?: boolean; apiErrorRate?: boolean }) => ({
  central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket' },
  defaults: { trailName: 'my-trail' },
  accounts: [{ accountId: '222222222222', ...(insights ? { insights } : {}) }],
});

describe('pure', () => {
  const withInsights = expectedTrail(configOf(raw({ apiCallRate: true })), configOf(raw({ apiCallRate: true })).trails[0]);
  const without = expectedTrail(configOf(raw()), configOf(raw()).trails[0]);

  test('the config expects Insights on management events only, and no aggregation', () => {
    expect(withInsights.insightCategories).toEqual({ ApiCallRateInsight: ['Management'] });
    expect(without.insightCategories).toEqual({});
    expect(without.eventAggregation).toEqual([]);
  });

  test('EventCategories absent or [Management] matches; Data added is drift with the note', () => {
    expect(insightsDrift(withInsights, [{ InsightType: 'ApiCallRateInsight' }])).toEqual([]);
    expect(insightsDrift(withInsights, [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }])).toEqual([]);
    expect(insightsDrift(withInsights, [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data', 'Management'] }])).toEqual([
      { setting: 'insights event categories', expected: 'ApiCallRateInsight: Management', actual: 'ApiCallRateInsight: Data, Management', note: INSIGHT_CATEGORIES_NOTE },
    ]);
    // Data only: Insights on management events was switched off by hand.
    expect(insightsDrift(withInsights, [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }])).toEqual([
      { setting: 'insights event categories', expected: 'ApiCallRateInsight: Management', actual: 'ApiCallRateInsight: Data', note: INSIGHT_CATEGORIES_NOTE },
    ]);
    // The same type in two entries (one per category) is one set.
    expect(insightsDrift(withInsights, [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }, { InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }])).toEqual([
      expect.objectContaining({ actual: 'ApiCallRateInsight: Data, Management' }),
    ]);
  });

  test('Insights the config does not have: the types, with their categories when not management events', () => {
    expect(insightsDrift(without, [{ InsightType: 'ApiErrorRateInsight' }])).toEqual([{ setting: 'insights', expected: '(none)', actual: 'ApiErrorRateInsight' }]);
    expect(insightsDrift(without, [{ InsightType: 'ApiErrorRateInsight', EventCategories: ['Data'] }])).toEqual([
      { setting: 'insights', expected: '(none)', actual: 'ApiErrorRateInsight (Data)', note: INSIGHT_CATEGORIES_NOTE },
    ]);
    expect(insightsDrift(withInsights, undefined)).toEqual([{ setting: 'insights', expected: 'ApiCallRateInsight', actual: '(none)' }]);
  });

  test('aggregation: none matches none (absent or []); any configuration is drift with the note, in any order', () => {
    expect(aggregationDrift([], undefined)).toEqual([]);
    expect(aggregationDrift([], [])).toEqual([]);
    expect(aggregationDrift([], [{ EventCategory: 'Data', Templates: ['USER_ACTIONS', 'API_ACTIVITY'] }])).toEqual([
      { setting: 'eventAggregation', expected: '(none)', actual: 'Data: API_ACTIVITY, USER_ACTIONS', note: AGGREGATION_NOTE },
    ]);
    expect(aggregationDrift([{ EventCategory: 'Data', Templates: ['API_ACTIVITY', 'USER_ACTIONS'] }], [{ EventCategory: 'Data', Templates: ['USER_ACTIONS', 'API_ACTIVITY'] }])).toEqual([]);
  });
});

describe('verify against mocked AWS', () => {
  let world: AwsWorld;
  const trail = (): FakeTrail => ({
    trail: { Name: 'my-trail', S3BucketName: 'my-bucket', IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, HomeRegion: 'us-east-2', LogFileValidationEnabled: true, IsOrganizationTrail: false, KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/k', TrailARN: 'arn:aws:cloudtrail:us-east-2:222222222222:trail/my-trail' },
    status: { IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 5 * 60_000) },
    eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    insightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }],
  });
  beforeEach(() => {
    world = new AwsWorld();
    world.trails.set('my-trail', trail());
    world.objects.set('my-bucket/AWSLogs/222222222222/CloudTrail/us-east-2/2026/11/26/222222222222_CloudTrail_us-east-2_20261126T1150Z_a.json.gz', { lastModified: new Date(NOW.getTime() - 5 * 60_000) });
  });
  afterEach(() => world.restore());
  const run = () => verifyFleet(configOf(raw({ apiCallRate: true })), world.access(), OPTIONS);

  test('as the config says: healthy; GetEventConfiguration asked once', async () => {
    const r = await run();
    expect(r.trails[0]).toMatchObject({ healthy: true, drift: [], problems: [], notes: [] });
    expect(world.calls.filter((c) => c.startsWith('GetEventConfiguration:'))).toEqual(['GetEventConfiguration:my-trail']);
  });

  test('Insights on data events and aggregation turned on by hand: both drift, with their notes in the table', async () => {
    world.trails.get('my-trail')!.insightSelectors = [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management', 'Data'] }];
    world.trails.get('my-trail')!.aggregation = [{ EventCategory: 'Data', Templates: ['API_ACTIVITY', 'RESOURCE_ACCESS'] }];
    const r = await run();
    expect(r.trails[0].drift).toEqual([
      { setting: 'insights event categories', expected: 'ApiCallRateInsight: Management', actual: 'ApiCallRateInsight: Data, Management', note: INSIGHT_CATEGORIES_NOTE },
      { setting: 'eventAggregation', expected: '(none)', actual: 'Data: API_ACTIVITY, RESOURCE_ACCESS', note: AGGREGATION_NOTE },
    ]);
    const table = formatTable(r);
    expect(table).toMatch(/✖ +222222222222 +my-trail +us-east-2 +on +5 min ago +recent +insights,eventAggregation +-/);
    expect(table).toContain(
      '    - drift insights event categories: config ApiCallRateInsight: Management, live ApiCallRateInsight: Data, Management (set outside Terraform (PutInsightSelectors EventCategories), which the aws provider 5.100.0 cannot express: a Terraform apply that puts this trail\'s Insights selectors again resets them to management events)',
    );
    expect(table).toContain("    - drift eventAggregation: config (none), live Data: API_ACTIVITY, RESOURCE_ACCESS (set outside Terraform (PutEventConfiguration)");
    expect(JSON.parse(formatJson(r)).trails[0].drift[1].note).toBe(AGGREGATION_NOTE);
  });

  test('GetEventConfiguration not available there (UnsupportedOperationException): a note, not a problem', async () => {
    world.trails.get('my-trail')!.eventConfigurationError = 'UnsupportedOperationException';
    const r = await run();
    expect(r.trails[0]).toMatchObject({ healthy: true, problems: [] });
    expect(r.trails[0].notes).toEqual(['event aggregation not compared: GetEventConfiguration is not available here (UnsupportedOperationException: UnsupportedOperationException for my-trail)']);
    expect(formatTable(r)).toContain('note: 222222222222 my-trail: event aggregation not compared: GetEventConfiguration is not available here');
  });

  test.each([
    ['AccessDeniedException', 'AccessDeniedException: AccessDeniedException for my-trail (verify needs cloudtrail:GetEventConfiguration)'],
    ['OperationNotPermittedException', 'OperationNotPermittedException: OperationNotPermittedException for my-trail'],
    ['InvalidTrailNameException', 'InvalidTrailNameException: InvalidTrailNameException for my-trail'],
    ['CloudTrailARNInvalidException', 'CloudTrailARNInvalidException: CloudTrailARNInvalidException for my-trail'],
    ['InvalidParameterCombinationException', 'InvalidParameterCombinationException: InvalidParameterCombinationException for my-trail'],
    ['NoManagementAccountSLRExistsException', 'NoManagementAccountSLRExistsException: NoManagementAccountSLRExistsException for my-trail'],
  ])('GetEventConfiguration failing with %s is a problem of the trail', async (name, problem) => {
    world.trails.get('my-trail')!.eventConfigurationError = name;
    const r = await run();
    expect(r.trails[0].problems).toEqual([problem]);
    expect(r.trails[0].healthy).toBe(false);
  });

  test('GetEventConfiguration throttled is retried until it answers', async () => {
    world.throttle.set('GetEventConfiguration:my-trail', 2);
    const r = await run();
    expect(r.trails[0].healthy).toBe(true);
    expect(world.calls.filter((c) => c === 'GetEventConfiguration:my-trail')).toHaveLength(3);
  });

  test('a trail Insights was never enabled on (InsightNotEnabledException) while the config has none: no drift', async () => {
    world.trails.get('my-trail')!.insightSelectors = undefined;
    world.trails.get('my-trail')!.insightTypes = undefined;
    const r = await verifyFleet(configOf(raw()), world.access(), OPTIONS);
    expect(r.trails[0].drift).toEqual([]);
  });
});
