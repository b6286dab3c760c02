/**
 * Every stack is self-contained: each Terraform reference in it names a
 * resource, data source, provider or variable of the same stack. That is
 * what keeps every workspace independently plannable, and it is
 * what stacks/fleet-stack.ts relies on when it skips cdktf's cross-stack
 * "preparing" pass: a cross-stack token would show up here as a reference to
 * something the stack does not have.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { App, TerraformOutput } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { buildFleet } from '../../stacks/fleet';
import { configOf, defaultRaw, ROOT, StackJson, synthFleet } from '../helpers/fleet';

/** `type.name` of every resource and `data.type.name` of every data source in a stack. */
function declared(stack: StackJson): Set<string> {
  const out = new Set<string>();
  for (const [type, byName] of Object.entries<Record<string, unknown>>(stack.resource ?? {})) for (const n of Object.keys(byName)) out.add(`${type}.${n}`);
  for (const [type, byName] of Object.entries<Record<string, unknown>>(stack.data ?? {})) for (const n of Object.keys(byName)) out.add(`data.${type}.${n}`);
  return out;
}

/** Every resource or data source address (`aws_x.name`, `data.aws_x.name`) used in a `${...}` expression. */
function referenced(stack: StackJson): string[] {
  const refs: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$\{([^}]*)\}/g)) {
        // Addresses anywhere in the expression (also inside function calls), not attribute paths after a dot.
        for (const r of m[1].matchAll(/(?<![\w.-])((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g)) refs.push(r[1]);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  // Provider aliases in `provider = "aws.us-east-1"` are not interpolations and need no check here.
  visit({ resource: stack.resource, data: stack.data, output: stack.output, locals: stack.locals });
  return refs;
}

const examples = readdirSync(path.join(ROOT, 'config', 'examples')).filter((f) => f.endsWith('.yaml'));

describe.each([['cloudtrail.yaml (default)', () => defaultRaw()], ...examples.map((f) => [f, () => parse(readFileSync(path.join(ROOT, 'config', 'examples', f), 'utf8'))])] as [
  string,
  () => unknown,
][])('%s', (_name, raw) => {
  const stacks = synthFleet(configOf(raw()));

  test.each([...stacks.keys()])('%s references only what it declares', (name) => {
    const stack = stacks.get(name)!;
    const mine = declared(stack);
    const refs = referenced(stack);
    expect(refs.filter((r) => !mine.has(r))).toEqual([]);
    // No cross-stack plumbing either.
    expect(Object.keys(stack.data?.terraform_remote_state ?? {})).toEqual([]);
    expect(Object.keys(stack.output ?? {}).filter((o) => o.startsWith('cross-stack-output'))).toEqual([]);
  });
});

test('a real cross-stack token is caught by this check', () => {
  // An account stack output holding the central bucket's ARN token: with cdktf's preparing pass skipped
  // (stacks/fleet-stack.ts) it is written as a reference to a resource the account stack does not have.
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cross-stack-'));
  try {
    const app = new App({ outdir });
    const { central, accounts } = buildFleet(app, configOf(defaultRaw()));
    const bucket = central.node.findAll().find((c): c is S3Bucket => c instanceof S3Bucket)!;
    new TerraformOutput(accounts[0], 'leak', { value: bucket.arn });
    app.synth();
    const stack = JSON.parse(readFileSync(path.join(outdir, 'stacks', accounts[0].node.id, 'cdk.tf.json'), 'utf8'));
    const mine = declared(stack);
    expect(referenced(stack).filter((r) => !mine.has(r))).toEqual(['aws_s3_bucket.log_bucket']);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
