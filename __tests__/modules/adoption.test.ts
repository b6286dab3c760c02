/**
 * Adoption by config: the synthesized `import` blocks, their addresses and
 * their IDs in the forms hashicorp/aws 5.100.0 imports (modules/adoption.ts).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { importExisting, sqsQueueUrl, trailImportIds } from '../../modules/adoption';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Testing, TerraformStack } from 'cdktf';
import { configOf, rawWith, resourcesOf, stackOf, synthFleet, type StackJson } from '../helpers/fleet';
import { importedValues } from '../../tools/validate';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-2:111111111111:key/${KEY_ID}`;

/** `to` address -> import ID, from the stack's `import` blocks. */
function importsOf(stack: StackJson): Map<string, string> {
  const blocks: { to: string; id: string }[] = stack.import ?? [];
  const map = new Map<string, string>();
  for (const b of blocks) {
    expect(map.has(b.to)).toBe(false); // one import per address
    map.set(b.to, b.id);
  }
  return map;
}

/** Every import block names a resource that the stack declares. */
function expectTargetsExist(stack: StackJson) {
  for (const [to] of importsOf(stack)) {
    const [type, name] = to.split('.');
    expect(resourcesOf(stack, type)[name]).toBeDefined();
  }
}

const adoptAll = (r: any) => {
  r.central.adopt = true;
  r.central.retention = { transitionToGlacierAfterDays: 90 };
  r.central.objectLock = { mode: 'GOVERNANCE', days: 30 };
  r.central.accessLogging = { targetBucket: 'my-access-logs' };
  r.central.kmsKey = { existingKeyArn: KEY_ARN, alias: 'alias/existing-logs' };
};

describe('central.adopt: the bucket and every part are imported by the bucket name', () => {
  const central = stackOf(synthFleet(configOf(rawWith(adoptAll))), 'cloudtrail-central');
  const imports = importsOf(central);

  test.each([
    'aws_s3_bucket.log_bucket',
    'aws_s3_bucket_policy.log_bucket_policy',
    'aws_s3_bucket_versioning.log_bucket_versioning',
    'aws_s3_bucket_server_side_encryption_configuration.log_bucket_encryption',
    'aws_s3_bucket_public_access_block.log_bucket_public_access_block',
    'aws_s3_bucket_ownership_controls.log_bucket_ownership_controls',
    'aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle',
    'aws_s3_bucket_object_lock_configuration.log_bucket_object_lock',
    'aws_s3_bucket_logging.log_bucket_access_logging',
  ])('%s <- "my-bucket" (bare name: "bucket,owner" would set expected_bucket_owner, which forces replacement)', (address) => {
    expect(imports.get(address)).toBe('my-bucket');
  });

  test('the existing key is imported by its key id, its alias by the alias name', () => {
    expect(imports.get('aws_kms_key.central_key')).toBe(KEY_ID);
    expect(imports.get('aws_kms_alias.central_key_alias')).toBe('alias/existing-logs');
    expect(resourcesOf(central, 'aws_kms_alias').central_key_alias.name).toBe('alias/existing-logs');
  });

  test('every S3 resource of the stack is imported, and every import names a declared resource', () => {
    const s3 = Object.keys(central.resource).filter((t) => t.startsWith('aws_s3_bucket'));
    expect(s3.length).toBe(9);
    expect(imports.size).toBe(11);
    expectTargetsExist(central);
  });

  test('prevent_destroy stays on the adopted bucket and key, force_destroy stays off', () => {
    const bucket = resourcesOf(central, 'aws_s3_bucket').log_bucket;
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
    expect(bucket.force_destroy).toBe(false);
    expect(bucket.bucket).toBe('my-bucket');
    expect(resourcesOf(central, 'aws_kms_key').central_key.lifecycle.prevent_destroy).toBe(true);
  });

  test('import blocks carry no provider in the central stack (its one default provider)', () => {
    for (const b of central.import) expect(b.provider).toBeUndefined();
  });
});

test('adopt.except: the listed parts are created, everything else is imported', () => {
  const central = stackOf(
    synthFleet(
      configOf(
        rawWith((r) => {
          adoptAll(r);
          r.central.adopt = { except: ['lifecycle', 'accessLogging'] };
        }),
      ),
    ),
    'cloudtrail-central',
  );
  const imports = importsOf(central);
  expect(imports.has('aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle')).toBe(false);
  expect(imports.has('aws_s3_bucket_logging.log_bucket_access_logging')).toBe(false);
  expect(resourcesOf(central, 'aws_s3_bucket_lifecycle_configuration').log_bucket_lifecycle).toBeDefined();
  expect(imports.get('aws_s3_bucket.log_bucket')).toBe('my-bucket');
  expect(imports.get('aws_s3_bucket_object_lock_configuration.log_bucket_object_lock')).toBe('my-bucket');
});

test('without adopt, no stack has an import block (the default config is unchanged)', () => {
  for (const [, stack] of synthFleet(configOf(rawWith(() => undefined)))) expect(stack.import).toBeUndefined();
});

test('a created central key (no existingKeyArn) is not imported even when the bucket is', () => {
  const central = stackOf(synthFleet(configOf(rawWith((r) => (r.central.adopt = true)))), 'cloudtrail-central');
  const imports = importsOf(central);
  expect(imports.has('aws_kms_key.central_key')).toBe(false);
  expect(imports.has('aws_kms_alias.central_key_alias')).toBe(false);
  expect(imports.get('aws_s3_bucket.log_bucket')).toBe('my-bucket');
});

describe('adopt on a trail: the trail by its ARN, and what the config creates for it', () => {
  const stacks = synthFleet(
    configOf(
      rawWith((r) => {
        r.defaults.adopt = true;
        r.accounts = [
          {
            accountId: '222222222222',
            region: 'eu-west-1',
            sns: { create: { topicName: 'ct-notify', sqsQueue: true } },
            cloudWatchLogs: { create: { logGroupName: 'ct-logs' } },
          },
          { accountId: '333333333333', trailName: 'audit.v2', kmsKey: { create: { alias: 'alias/ct-333' } } },
          { accountId: '444444444444', adopt: false },
          {
            accountId: '555555555555',
            cloudWatchLogs: { logGroupArn: 'arn:aws:logs:us-east-2:555555555555:log-group:existing', roleArn: 'arn:aws:iam::555555555555:role/Existing' },
          },
        ];
      }),
    ),
  );
  const a222 = stackOf(stacks, 'cloudtrail-account-222222222222');
  const imports = importsOf(a222);

  test.each([
    ['aws_cloudtrail.trail_my-trail', 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/my-trail'],
    ['aws_sns_topic.trail_my-trail_topic', 'arn:aws:sns:eu-west-1:222222222222:ct-notify'],
    ['aws_sns_topic_policy.trail_my-trail_topic_policy', 'arn:aws:sns:eu-west-1:222222222222:ct-notify'],
    ['aws_sqs_queue.trail_my-trail_queue', 'https://sqs.eu-west-1.amazonaws.com/222222222222/ct-notify'],
    ['aws_sqs_queue_policy.trail_my-trail_queue_policy', 'https://sqs.eu-west-1.amazonaws.com/222222222222/ct-notify'],
    ['aws_cloudwatch_log_group.trail_my-trail_log_group', 'ct-logs'],
    ['aws_iam_role.trail_my-trail_cwl_role', 'CloudTrailToCWL-my-trail'],
    ['aws_iam_role_policy.trail_my-trail_cwl_role_policy', 'CloudTrailToCWL-my-trail:cloudtrail-delivery'],
  ])('%s <- %s', (address, id) => {
    expect(imports.get(address)).toBe(id);
  });

  test('the SNS subscription is not imported (its ARN is not derivable), so exactly 8 imports', () => {
    expect(imports.has('aws_sns_topic_subscription.trail_my-trail_queue_subscription')).toBe(false);
    expect(resourcesOf(a222, 'aws_sns_topic_subscription')['trail_my-trail_queue_subscription']).toBeDefined();
    expect(imports.size).toBe(8);
    expectTargetsExist(a222);
  });

  test('each import ID names the resource the config declares (no replacement of what is imported)', () => {
    for (const block of a222.import) {
      const [type, name] = block.to.split('.');
      const body = resourcesOf(a222, type)[name];
      for (const [attr, value] of Object.entries(importedValues(type, block.id))) {
        if (attr === 'id' || typeof body[attr] !== 'string' || body[attr].includes('${')) continue;
        expect(`${block.to}.${attr}=${body[attr]}`).toBe(`${block.to}.${attr}=${value}`);
      }
    }
    expect(resourcesOf(a222, 'aws_iam_role_policy')['trail_my-trail_cwl_role_policy'].name).toBe('cloudtrail-delivery');
  });

  test('a key created by kmsKey.create is not imported (its key id is not in the config); the trail is', () => {
    const a333 = importsOf(stackOf(stacks, 'cloudtrail-account-333333333333'));
    expect([...a333.keys()]).toEqual(['aws_cloudtrail.trail_audit--v2']);
    expect(a333.get('aws_cloudtrail.trail_audit--v2')).toBe('arn:aws:cloudtrail:us-east-2:333333333333:trail/audit.v2');
  });

  test('adopt: false in an account overrides adopt: true in defaults', () => {
    expect(stackOf(stacks, 'cloudtrail-account-444444444444').import).toBeUndefined();
  });

  test('an existing log group and role named by ARN are referenced, not imported', () => {
    expect([...importsOf(stackOf(stacks, 'cloudtrail-account-555555555555')).keys()]).toEqual(['aws_cloudtrail.trail_my-trail']);
  });

  test('the central stack imports nothing when only trails are adopted', () => {
    expect(stackOf(stacks, 'cloudtrail-central').import).toBeUndefined();
  });
});

test("a trail outside the stack's default region is imported through that region's provider", () => {
  const stacks = synthFleet(
    configOf(
      rawWith((r) => {
        r.accounts = [
          { accountId: '222222222222', adopt: true },
          { accountId: '222222222222', trailName: 'eu-trail', region: 'eu-west-1', multiRegion: false, includeGlobalServiceEvents: false, adopt: true },
        ];
      }),
    ),
  );
  const stack = stackOf(stacks, 'cloudtrail-account-222222222222');
  // The stack's default region is the first of its regions (eu-west-1): my-trail (us-east-2) uses an aliased provider.
  const blocks = stack.import as { to: string; id: string; provider?: string }[];
  const us = blocks.find((b) => b.to === 'aws_cloudtrail.trail_my-trail')!;
  expect(us.id).toBe('arn:aws:cloudtrail:us-east-2:222222222222:trail/my-trail');
  expect(us.provider).toMatch(/^aws\./);
  expect(us.provider).toBe(resourcesOf(stack, 'aws_cloudtrail')['trail_my-trail'].provider);
  const eu = blocks.find((b) => b.to === 'aws_cloudtrail.trail_eu-trail')!;
  expect(eu.id).toBe('arn:aws:cloudtrail:eu-west-1:222222222222:trail/eu-trail');
  expect(eu.provider).toBeUndefined();
  expect(resourcesOf(stack, 'aws_cloudtrail')['trail_eu-trail'].provider).toBeUndefined();
});

test('SQS queue URLs per partition', () => {
  expect(sqsQueueUrl('aws', 'us-east-2', '111111111111', 'q')).toBe('https://sqs.us-east-2.amazonaws.com/111111111111/q');
  expect(sqsQueueUrl('aws-cn', 'cn-north-1', '111111111111', 'q')).toBe('https://sqs.cn-north-1.amazonaws.com.cn/111111111111/q');
  expect(sqsQueueUrl('aws-us-gov', 'us-gov-west-1', '111111111111', 'q')).toBe('https://sqs.us-gov-west-1.amazonaws.com/111111111111/q');
});

test('trailImportIds: only the trail when nothing else is created', () => {
  const config = configOf(rawWith(() => undefined));
  expect([...trailImportIds('aws', config.trails[0], 'unused')]).toEqual([['trail', 'arn:aws:cloudtrail:us-east-2:222222222222:trail/my-trail']]);
});

test('importExisting writes the import block without cdktf\'s synth-time "terraform version" check', () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, 's');
  const bucket = new S3Bucket(stack, 'b', { bucket: 'x-bucket' });
  importExisting(bucket, 'x-bucket');
  // cdktf's importFrom registers a check that runs `terraform version` at synth (it fails without Terraform on PATH).
  const checks = (r: S3Bucket) =>
    ((r.node as unknown as { _validations: { constructor: { name: string } }[] })._validations ?? []).map((v) => v.constructor.name);
  expect(checks(bucket)).toEqual([]);
  const plain = new S3Bucket(stack, 'plain', { bucket: 'y-bucket' });
  plain.importFrom('y-bucket');
  expect(checks(plain)).toEqual(['ValidateTerraformVersion']); // what importExisting takes off
  const synthesized = JSON.parse(Testing.synth(stack));
  expect(synthesized.import).toContainEqual({ to: 'aws_s3_bucket.b', id: 'x-bucket' });
});

test('synth works with no terraform binary on PATH (an adopted fleet)', () => {
  const root = path.resolve(__dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'bin', 'app.js'), '--build-only'], { cwd: root });
  const out = execFileSync(process.execPath, [path.join(root, 'dist', 'main.js')], {
    cwd: root,
    env: {
      PATH: '/nonexistent',
      CDKTF_OUTDIR: path.join(require('os').tmpdir(), `adopt-synth-${process.pid}`),
      CLOUDTRAIL_CONFIG: path.join(root, 'config', 'examples', 'adopt-everything.yaml'),
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(out).toBeDefined();
});

test('adopt adds import blocks and nothing else: without the flag after the apply, the same resources remain (no changes)', () => {
  const adopt = (r: any) => {
    adoptAll(r);
    r.defaults.adopt = true;
    r.accounts[0].sns = { create: { topicName: 'ct-notify', sqsQueue: true } };
  };
  const withFlag = synthFleet(configOf(rawWith(adopt)));
  const withoutFlag = synthFleet(
    configOf(
      rawWith((r) => {
        adopt(r);
        delete r.central.adopt;
        delete r.defaults.adopt;
        delete r.central.kmsKey.existingKeyArn; // the key's adopt flag
      }),
    ),
  );
  expect([...withFlag.keys()]).toEqual([...withoutFlag.keys()]);
  for (const [name, stack] of withFlag) {
    expect(stack.import?.length ?? 0).toBeGreaterThan(0);
    const { import: _imports, ...rest } = JSON.parse(JSON.stringify(stack));
    delete rest['//'].metadata.imports; // cdktf's own notes in the "//" comment key, which Terraform ignores
    expect(rest).toEqual(withoutFlag.get(name));
  }
});

describe('adopt: { except } on a trail: parts the existing trail does not have yet are created, not imported', () => {
  const stacks = synthFleet(
    configOf(
      rawWith((r) => {
        r.accounts = [
          {
            accountId: '222222222222',
            adopt: { except: ['logGroup', 'deliveryRole'] },
            sns: { create: { topicName: 'ct-notify' } },
            cloudWatchLogs: { create: { logGroupName: 'ct-logs' } },
          },
        ];
      }),
    ),
  );
  const stack = stackOf(stacks, 'cloudtrail-account-222222222222');

  test('the trail and its topic are imported; the new log group and role are only declared', () => {
    expect([...importsOf(stack).keys()].sort()).toEqual([
      'aws_cloudtrail.trail_my-trail',
      'aws_sns_topic.trail_my-trail_topic',
      'aws_sns_topic_policy.trail_my-trail_topic_policy',
    ]);
    expect(resourcesOf(stack, 'aws_cloudwatch_log_group')['trail_my-trail_log_group']).toBeDefined();
    expect(resourcesOf(stack, 'aws_iam_role')['trail_my-trail_cwl_role']).toBeDefined();
  });
});
