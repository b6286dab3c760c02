/** verify at fleet scale against mocked clients: 1,000 trails in seconds, never more than `concurrency` trails at once. */
import { configFromText } from '../../../../config/load';
import { fleetYaml } from '../../../../tools/bench';
import { verifyFleet } from '../../../../cli/lib/verify/run';
import { progressReporter } from '../../../../cli/commands/verify';
import { AwsWorld } from './aws-world';
import { FLEET_CHECKS } from '../../../../modules/fleet-checks';

test('1,000 trails with 5 ms per call finish in seconds with bounded concurrency', async () => {
  const config = configFromText(fleetYaml(1000), 'bench', FLEET_CHECKS);
  const world = new AwsWorld();
  try {
    const now = new Date('2026-11-26T12:00:00Z');
    world.latencyMs = 5;
    world.trails.set('my-trail', {
      trail: { Name: 'my-trail', S3BucketName: 'my-bucket', IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, HomeRegion: 'us-east-2', LogFileValidationEnabled: true, IsOrganizationTrail: false, KmsKeyId: 'arn:aws:kms:us-east-2:111111111111:key/k' },
      status: { IsLogging: true, LatestDeliveryTime: now },
      eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    });
    const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
    for (const t of config.trails) world.objects.set(`my-bucket/AWSLogs/${t.accountId}/CloudTrail/us-east-2/${day}/x.json.gz`, { lastModified: now });
    const progress: number[] = [];
    const started = Date.now();
    const report = await verifyFleet(config, world.access(), { maxAgeMs: 3_600_000, concurrency: 16, now, onProgress: (done) => progress.push(done) });
    const seconds = (Date.now() - started) / 1000;
    expect(report.trails).toHaveLength(1000);
    expect(report.healthy).toBe(true);
    expect(progress).toHaveLength(1000);
    // 16 trails at once, each with at most 4 CloudTrail calls in flight (status, selectors, insights, event configuration).
    expect(world.maxInFlight).toBeLessThanOrEqual(16 * 4);
    expect(world.maxInFlight).toBeGreaterThan(16);
    expect(seconds).toBeLessThan(15);
  } finally {
    world.restore();
  }
});

describe('progress line', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, s: [(t: string) => void out.push(t), isTTY] as const };
  };

  test('is silent for short runs', () => {
    const { out, s } = stream(false);
    const p = progressReporter(...s);
    for (let i = 1; i <= 10; i++) p(i, 10);
    expect(out).toEqual([]);
  });

  test('writes a line every 10% when stderr is not a terminal, and rewrites one line on a terminal', () => {
    const plain = stream(false);
    const p = progressReporter(...plain.s);
    for (let i = 1; i <= 100; i++) p(i, 100);
    expect(plain.out).toEqual([1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((n) => `verify: ${n}/100 trails checked\n`));
    const tty = stream(true);
    const q = progressReporter(...tty.s);
    q(1, 20);
    q(20, 20);
    expect(tty.out).toEqual(['\rverify: 1/20 trails checked', '\rverify: 20/20 trails checked\n']);
  });
});
