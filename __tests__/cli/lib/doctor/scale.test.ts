/**
 * doctor at 1,000 accounts against mocked clients (issue 16, item 5): every
 * account checked (AssumeRole, DescribeRegions, and HeadBucket for the
 * central account), ready, within a bound far above the measured time
 * (docs/commands.md, "doctor": the number measured on the project's machine).
 */
import { configOf } from '../../../helpers/fleet';
import { runDoctor } from '../../../../cli/lib/doctor/run';
import { DoctorWorld } from './doctor-world';

const role = (account: string) => `arn:aws:iam::${account}:role/TerraformDeploy`;

test('1,000 accounts, 16 at a time: all ready, each role assumed once', async () => {
  const accounts = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i + 2));
  const config = configOf({
    central: { accountId: '100000000001', region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: role('100000000001'), kmsKey: false },
    defaults: { trailName: 'org-trail', kmsKey: 'none' },
    accounts: accounts.map((accountId) => ({ accountId, assumeRoleArn: role(accountId) })),
  });
  const world = new DoctorWorld();
  try {
    for (const a of ['100000000001', ...accounts]) world.roles.set(role(a), a);
    world.buckets.set('my-bucket', { owner: '100000000001', region: 'us-east-2' });
    const started = process.hrtime.bigint();
    const report = await runDoctor(config, world.session(), { concurrency: 16, outdir: `${process.env.TMPDIR ?? '/tmp'}/cdktf.out`, env: {}, now: new Date('2026-11-26T12:00:00Z') });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`doctor, 1,001 accounts on mocked clients: ${seconds.toFixed(2)} s\n`);
    expect(report.summary).toEqual({ accounts: 1001, ready: 1001, notReady: 0, unchecked: 0 });
    expect(world.count('AssumeRole')).toBe(1001);
    expect(world.count('DescribeRegions')).toBe(1001);
    expect(world.count('HeadBucket')).toBe(1);
    expect(seconds).toBeLessThan(30);
  } finally {
    world.restore();
  }
});
