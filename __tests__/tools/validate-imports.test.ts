/**
 * npm run validate plans adopted stacks offline: `terraform test` cannot
 * import from a mocked provider, so every imported resource gets an
 * override_resource inside the mock_provider block of its own provider, and
 * an assert that its planned identity is the one its import ID names.
 */
import { importAsserts, importedValues, planTest } from '../../tools/validate';
import { configOf, rawWith, stackOf, synthFleet } from '../helpers/fleet';

const stacks = synthFleet(
  configOf(
    rawWith((r) => {
      r.central.adopt = true;
      r.accounts = [
        { accountId: '222222222222', adopt: true, sns: { create: { topicName: 'ct-notify', sqsQueue: true } } },
        { accountId: '222222222222', trailName: 'eu-trail', region: 'eu-west-1', multiRegion: false, includeGlobalServiceEvents: false, adopt: true },
      ];
    }),
  ),
);

/** The mock_provider blocks of a test file, by alias ('' = default). */
function mockBlocks(hcl: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of hcl.split(/^mock_provider "aws" \{$/m).slice(1)) {
    const body = block.slice(0, block.indexOf('\n}\n'));
    out.set(/^\s*alias = "([^"]+)"/m.exec(body)?.[1] ?? '', body);
  }
  return out;
}

test('every imported resource of the central stack has one override_resource with its import values', () => {
  const central = stackOf(stacks, 'cloudtrail-central');
  const hcl = planTest(central, { accountIds: ['222222222222'], bucketName: 'my-bucket' });
  const blocks = mockBlocks(hcl);
  for (const imp of central.import) {
    const [type] = imp.to.split('.');
    const body = blocks.get('')!;
    expect(body).toContain(`    target = ${imp.to}\n`);
    for (const [k, v] of Object.entries(importedValues(type, imp.id)))
      expect(body).toMatch(new RegExp(`target = ${imp.to.replace(/\./g, '\\.')}\\n    values = \\{[^}]*${k} = "${v}"`));
  }
  expect(hcl.match(/override_resource \{/g)).toHaveLength(central.import.length);
});

test("an account stack's imports sit in the mock_provider of their resource's provider", () => {
  const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
  const blocks = mockBlocks(planTest(stack, { accountIds: ['222222222222'], bucketName: 'my-bucket' }));
  // The default region is eu-west-1 (first of the account's regions): my-trail and its topic/queue use the us-east-2 alias.
  const alias = String(stack.resource.aws_cloudtrail['trail_my-trail'].provider).replace(/^aws\./, '');
  expect(blocks.get(alias)).toContain('target = aws_cloudtrail.trail_my-trail\n');
  expect(blocks.get(alias)).toContain('target = aws_sqs_queue.trail_my-trail_queue\n');
  expect(blocks.get('')).toContain('target = aws_cloudtrail.trail_eu-trail\n');
  expect(blocks.get('')).not.toContain('trail_my-trail');
});

test('importAsserts: the literal name or bucket of each imported resource equals what its ID names', () => {
  const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
  const asserts = importAsserts(stack).map((a) => a.condition);
  expect(asserts).toEqual(
    expect.arrayContaining([
      'aws_cloudtrail.trail_my-trail.name == "my-trail"',
      'aws_cloudtrail.trail_eu-trail.name == "eu-trail"',
      'aws_sns_topic.trail_my-trail_topic.name == "ct-notify"',
      'aws_sqs_queue.trail_my-trail_queue.name == "ct-notify"',
    ]),
  );
  // A resource whose config disagrees with its import ID is caught.
  const broken = JSON.parse(JSON.stringify(stack));
  broken.resource.aws_cloudtrail['trail_my-trail'].name = 'renamed';
  expect(importAsserts(broken).map((a) => a.condition)).toContain('aws_cloudtrail.trail_my-trail.name == "my-trail"');
  expect(importAsserts(stackOf(stacks, 'cloudtrail-central')).map((a) => a.condition)).toContain('aws_s3_bucket.log_bucket.bucket == "my-bucket"');
});

test('a stack without imports gets no override_resource', () => {
  const plain = stackOf(synthFleet(configOf(rawWith(() => undefined))), 'cloudtrail-central');
  expect(planTest(plain, { accountIds: ['222222222222'] })).not.toContain('override_resource');
});
