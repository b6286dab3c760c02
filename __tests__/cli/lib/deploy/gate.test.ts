/**
 * deploy's gate (cli/lib/deploy/gate.ts): the same analysis as `affected
 * --base` on two syntheses alone, and a base of another fleet (records kept
 * in one folder for two fleets, `--records`, a shared S3 key prefix) is a
 * change of fleet, unsafe.
 */
import { analyzeChange } from '../../../../cli/lib/change-plan';
import { projectGate } from '../../../../cli/lib/deploy/gate';
import { synthStacks } from '../../../../cli/lib/fleet-synth';
import { changePairs } from '../../../helpers/change-pairs';
import { configOf, rawWith } from '../../../helpers/fleet';

test('on the syntheses of one fleet it is analyzeChange, for every pair', () => {
  for (const p of changePairs().values()) expect([p.name, projectGate(p.base, p.current)]).toEqual([p.name, analyzeChange(p.base, p.current)]);
});

test('records of another fleet: a change of fleet, unsafe; with the local backend nothing else is compared (the new fleet has a state of its own)', () => {
  const base = synthStacks(configOf(rawWith(() => undefined)));
  const other = synthStacks(configOf(rawWith((r) => (r.central.bucketName = 'other-bucket'))));
  const plan = projectGate(base, other);
  expect(plan.actions).toEqual([]);
  expect(plan.unsafe.map((f) => f.kind)).toEqual(['fleet-changed']);
  expect(plan.unsafe[0].message).toMatch(
    /^the change makes this config another fleet: aws-111111111111-my-bucket \(central account 111111111111, bucket my-bucket\) -> aws-111111111111-other-bucket .*Its local state is another folder \(state\/aws-111111111111-other-bucket\/, empty\)/,
  );
});

test('with a shared backend (s3) the same state is planned: the change of fleet, and what the analysis finds', () => {
  const s3 = (r: any) => (r.backend = { type: 's3', bucket: 'state-bucket', region: 'us-east-1' });
  const base = synthStacks(configOf(rawWith((r) => (s3(r), r.accounts.push({ accountId: '333333333333' })))));
  const other = synthStacks(configOf(rawWith((r) => (s3(r), (r.central.bucketName = 'other-bucket')))));
  const unsafe = projectGate(base, other).unsafe.map((f) => `${f.kind} ${f.stack}${f.address ? ` ${f.address}` : ''}`);
  expect(unsafe[0]).toBe('fleet-changed cloudtrail-central');
  // The same state, another bucket name: the bucket and its parts would be replaced.
  expect(unsafe).toContain('protected-replace cloudtrail-central aws_s3_bucket.log_bucket');
  expect(unsafe).toContain('protected-replace cloudtrail-central aws_s3_bucket_versioning.log_bucket_versioning');
  expect(unsafe.slice(-2)).toEqual(['account-dropped cloudtrail-account-333333333333', 'delivery-refused cloudtrail-account-333333333333 aws_cloudtrail.trail_my-trail']);
});
