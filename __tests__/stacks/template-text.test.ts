/**
 * Issue #9: every literal string reaches AWS as written, whatever it holds,
 * and Terraform never sees unescaped template text.
 */
import { Lazy, TerraformOutput, Testing } from 'cdktf';
import { FleetStack } from '../../stacks/fleet-stack';
import { templateTextProblems, unescapeTemplateText } from '../../modules/terraform-text';
import { awsProvidersOf, configOf, onlyResource, rawWith, resourcesOf, stackOf, synthFleet } from '../helpers/fleet';

const accounts = (n: number) => Array.from({ length: n }, (_, i) => ({ accountId: String(300000000000 + i) }));

function assertNoTemplateText(stacks: Map<string, any>) {
  for (const [name, json] of stacks) expect({ name, problems: templateTextProblems(json) }).toEqual({ name, problems: [] });
}

describe('policy variables in compact policies', () => {
  const config = configOf(rawWith((r) => (r.accounts = accounts(120))));
  const stacks = synthFleet(config);
  const central = stackOf(stacks, 'cloudtrail-central');

  test('the bucket policy holds ${aws:SourceAccount}, written $${aws:SourceAccount} for Terraform', () => {
    const json: string = onlyResource(central, 'aws_s3_bucket_policy').policy;
    expect(json).toContain('AWSLogs/$${aws:SourceAccount}/*');
    expect(unescapeTemplateText(json)).toContain('AWSLogs/${aws:SourceAccount}/*');
    expect(json.replace(/\$\$\{/g, '')).not.toContain('${');
  });

  test('bucket_policy_bytes counts what AWS receives (one "$" per variable), not the escaped JSON', () => {
    const json: string = onlyResource(central, 'aws_s3_bucket_policy').policy;
    const received = Buffer.byteLength(unescapeTemplateText(json), 'utf8');
    expect(central.output.bucket_policy_bytes.value).toBe(received);
    expect(Buffer.byteLength(json, 'utf8')).toBeGreaterThan(received);
  });

  test('no stack holds unescaped template text', () => assertNoTemplateText(stacks));
});

describe('free text from the config reaches AWS unchanged', () => {
  const config = configOf(
    rawWith((r) => {
      r.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/${team}/%{x}/Reader'] };
      r.accounts[0].dataEvents = {
        s3: { buckets: [{ name: 'home-data', prefix: 'home/${aws:username}/', readWrite: 'All' }] },
      };
      r.accounts.push({
        accountId: '333333333333',
        dataEvents: {
          advanced: [
            {
              name: 'odd ${name} %{x} "quoted" ünïcödé',
              fieldSelectors: [
                { field: 'eventCategory', equals: ['Data'] },
                { field: 'resources.type', equals: ['AWS::S3::Object'] },
                { field: 'resources.ARN', startsWith: ['arn:aws:s3:::b/a%{if false}b%{endif}c/'] },
              ],
            },
          ],
        },
      });
    }),
  );
  const stacks = synthFleet(config);

  test('an S3 data-event prefix with ${aws:username}', () => {
    const trail = onlyResource(stackOf(stacks, 'cloudtrail-account-222222222222'), 'aws_cloudtrail');
    const values = JSON.stringify(trail.event_selector ?? trail.advanced_event_selector);
    expect(values).toContain('arn:aws:s3:::home-data/home/$${aws:username}/');
  });

  test('advanced selector names and values with %{ and ${', () => {
    const trail = onlyResource(stackOf(stacks, 'cloudtrail-account-333333333333'), 'aws_cloudtrail');
    const selector = trail.advanced_event_selector.find((s: any) => s.name?.includes('odd'));
    expect(unescapeTemplateText(selector.name)).toBe('odd ${name} %{x} "quoted" ünïcödé');
    const arnSelector = selector.field_selector.find((f: any) => f.field === 'resources.ARN');
    expect(arnSelector.starts_with).toEqual(['arn:aws:s3:::b/a%%{if false}b%%{endif}c/']);
  });

  test('an IAM path in a reader ARN', () => {
    const key = onlyResource(stackOf(stacks, 'cloudtrail-central'), 'aws_kms_key');
    expect(JSON.parse(unescapeTemplateText(key.policy)).Statement.some((s: any) => JSON.stringify(s).includes('role/${team}/%{x}/Reader'))).toBe(true);
  });

  test('no stack holds unescaped template text', () => assertNoTemplateText(stacks));
});

describe('trail names that are ordinary words or construct ids', () => {
  const names = ['trail', 'aws', 'backend', 'providers', 'trail_arn', 'key-lookups', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'key_222222222222_cloudtrail-logs'];
  test.each(names)('a trail named %s synthesizes, with its trail resource and outputs', (trailName) => {
    const stacks = synthFleet(configOf(rawWith((r) => (r.accounts[0].trailName = trailName))));
    const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
    const trail = onlyResource(stack, 'aws_cloudtrail');
    expect(trail.name).toBe(trailName);
    expect(stack.output.trail_arn.value).toMatch(/^\$\{aws_cloudtrail\.trail_.+\.arn\}$/);
    expect(awsProvidersOf(stack).every((p) => JSON.stringify(p.allowed_account_ids) === '["222222222222"]')).toBe(true);
  });

  test('two trails in one account named trail and aws', () => {
    const stacks = synthFleet(configOf(rawWith((r) => (r.accounts = [{ accountId: '222222222222', trailName: 'trail' }, { accountId: '222222222222', trailName: 'aws' }]))));
    expect(Object.keys(resourcesOf(stackOf(stacks, 'cloudtrail-account-222222222222'), 'aws_cloudtrail')).sort()).toEqual(['trail_aws', 'trail_trail']);
  });
});

test('a tag key named like an Object method (toString) on one of two trails is kept on that trail', () => {
  const stacks = synthFleet(
    configOf(
      rawWith((r) => {
        r.accounts = [
          { accountId: '222222222222', trailName: 'aaa', tags: { toString: 'yes', team: 'x' } },
          { accountId: '222222222222', trailName: 'bbb', tags: { team: 'x' } },
        ];
      }),
    ),
  );
  const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
  expect(awsProvidersOf(stack)[0].default_tags[0].tags).toEqual({ team: 'x' });
  expect(resourcesOf(stack, 'aws_cloudtrail').trail_aaa.tags).toEqual({ toString: 'yes' });
  expect(resourcesOf(stack, 'aws_cloudtrail').trail_bbb.tags).toBeUndefined();
});

test('text that escapes the boundary (a token resolving to template text) fails synth loudly', () => {
  class Probe extends FleetStack {}
  const stack = new Probe(Testing.app(), 'probe');
  new TerraformOutput(stack, 'x', { value: Lazy.stringValue({ produce: () => 'arn:aws:s3:::b/${aws:SourceAccount}/*' }) });
  expect(() => stack.toTerraform()).toThrow(/internal error in cloudtrail-fleet: stack probe would hand Terraform unescaped template text[\s\S]*output\.x\.value: "\$\{aws:SourceAccount\}\/\*"/);
});
