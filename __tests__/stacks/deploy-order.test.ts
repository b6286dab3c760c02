/**
 * Deploy order and independence: every account stack depends on
 * cloudtrail-central (so `cdktf deploy '*'` puts the bucket policy in place
 * before any trail), and yet plans on its own: no remote state, no
 * cross-stack reference, only the central key lookup as a data source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { buildFleet } from '../../stacks/fleet';
import { configOf, defaultRaw, ROOT, StackJson } from '../helpers/fleet';
import { parse } from 'yaml';

interface Manifest {
  stacks: Record<string, { name: string; dependencies: string[]; synthesizedStackPath: string; workingDirectory: string }>;
}

/** Synthesizes a config with a real App and returns the manifest and every stack's JSON. */
function synthWithManifest(raw: unknown): { manifest: Manifest; stacks: Map<string, StackJson> } {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'deploy-order-'));
  try {
    const app = new App({ outdir });
    buildFleet(app, configOf(raw));
    app.synth();
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
    const stacks = new Map<string, StackJson>();
    for (const s of Object.values(manifest.stacks)) stacks.set(s.name, JSON.parse(readFileSync(path.join(outdir, s.synthesizedStackPath), 'utf8')));
    return { manifest, stacks };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const configs: [string, unknown][] = [
  ['config/cloudtrail.yaml', defaultRaw()],
  ['config/examples/every-option.yaml', parse(readFileSync(path.join(ROOT, 'config', 'examples', 'every-option.yaml'), 'utf8'))],
];

describe.each(configs)('%s', (_name, raw) => {
  const { manifest, stacks } = synthWithManifest(raw);
  const accountStacks = [...stacks.keys()].filter((n) => n.startsWith('cloudtrail-account-'));

  test('the central stack depends on nothing; every account stack depends on exactly cloudtrail-central', () => {
    expect(manifest.stacks['cloudtrail-central'].dependencies).toEqual([]);
    expect(accountStacks.length).toBeGreaterThan(0);
    for (const name of accountStacks) {
      expect({ name, dependencies: manifest.stacks[name].dependencies }).toEqual({ name, dependencies: ['cloudtrail-central'] });
    }
    // Each stack runs in its own working directory (one state each).
    expect(new Set(Object.values(manifest.stacks).map((s) => s.workingDirectory)).size).toBe(stacks.size);
  });

  test('no stack reads remote state or refers to another stack', () => {
    for (const [name, stack] of stacks) {
      const text = JSON.stringify(stack);
      expect({ name, remoteState: text.includes('terraform_remote_state') }).toEqual({ name, remoteState: false });
      expect(text).not.toContain('${data.terraform_remote_state');
      expect(stack.data?.terraform_remote_state).toBeUndefined();
      // cdktf turns a cross-stack token into a remote-state lookup plus an output in the producer.
      expect(Object.keys(stack.output ?? {}).filter((o) => o.startsWith('cross-stack-output'))).toEqual([]);
      // Every reference points at something declared in this very stack.
      for (const ref of text.match(/\$\{(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+/g) ?? []) {
        const [, isData, type, id] = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)/.exec(ref)!;
        const block = isData ? stack.data : stack.resource;
        expect({ name, ref, declared: Boolean(block?.[type]?.[id]) }).toEqual({ name, ref, declared: true });
      }
    }
  });

  test("an account stack's only data source is aws_kms_key (the key lookup by alias ARN)", () => {
    for (const name of accountStacks) {
      const types = Object.keys(stacks.get(name)!.data ?? {});
      expect({ name, types: types.filter((t) => t !== 'aws_kms_key') }).toEqual({ name, types: [] });
    }
  });

  test('the central stack has no data source at all (its policies are literal JSON)', () => {
    expect(stacks.get('cloudtrail-central')!.data).toBeUndefined();
  });
});

test('the checks above do catch a cross-stack reference (cdktf turns it into terraform_remote_state)', () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cross-stack-'));
  try {
    const app = new App({ outdir });
    const a = new TerraformStack(app, 'producer');
    new AwsProvider(a, 'aws', { region: 'us-east-2' });
    const bucket = new S3Bucket(a, 'bucket', { bucket: 'b' });
    const b = new TerraformStack(app, 'consumer');
    new AwsProvider(b, 'aws', { region: 'us-east-2' });
    new TerraformOutput(b, 'arn', { value: bucket.arn });
    app.synth();
    const consumer = readFileSync(path.join(outdir, 'stacks', 'consumer', 'cdk.tf.json'), 'utf8');
    expect(consumer).toContain('${data.terraform_remote_state');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
