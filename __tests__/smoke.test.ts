import { configOf, defaultRaw, onlyResource, parsePolicy, stackOf, synthFleet } from './helpers/fleet';

test('the default config synthesizes a central stack and one account stack', () => {
  const stacks = synthFleet(configOf(defaultRaw()));
  expect([...stacks.keys()]).toEqual(['cloudtrail-account-222222222222', 'cloudtrail-central']);
  const policy = parsePolicy(onlyResource(stackOf(stacks, 'cloudtrail-central'), 'aws_s3_bucket_policy').policy);
  expect(policy.Statement.length).toBe(3);
});
