/**
 * Test helpers for the bootstrap stacks: synthesize them (the same code as
 * `cloudtrail-fleet bootstrap`) and read each role back from the JSON
 * Terraform gets: its trust policy and every permission policy attached to it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FleetConfig } from '../../config/model';
import { synthBootstrap } from '../../cli/lib/bootstrap-synth';
import { readStacks } from '../../cli/lib/fleet-synth';
import type { PolicyDocument, Statement } from '../../modules/policies/document';
import { parsePolicy, StackJson } from './fleet';

export interface SynthedBootstrap {
  readonly stacks: Map<string, StackJson>;
  /** workspaces.json, when written (HCP Terraform). */
  readonly workspaces?: any;
}

export function synthBootstrapStacks(config: FleetConfig): SynthedBootstrap {
  mkdirSync(os.tmpdir(), { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bootstrap-'));
  try {
    const out = path.join(dir, 'out');
    const result = synthBootstrap(config, out);
    return { stacks: readStacks(out), workspaces: result.workspacesFile ? JSON.parse(readFileSync(result.workspacesFile, 'utf8')) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SynthedRole {
  readonly address: string;
  readonly arn: string;
  readonly accountId: string;
  readonly trust: PolicyDocument;
  /** Every permission policy of the role: its inline policies and the managed policies attached to it, as parsed documents. */
  readonly policies: readonly PolicyDocument[];
  /** All their statements in one document (IAM evaluates a role's policies together). */
  readonly permissions: PolicyDocument;
  readonly inline: number;
  readonly managed: number;
}

/** The roles of one bootstrap stack, read from its cdk.tf.json. */
export function rolesOf(stack: StackJson): SynthedRole[] {
  const account: string = ([] as any[]).concat(stack.provider.aws)[0].allowed_account_ids[0];
  const partitionOf = (doc: string) => /"arn:(aws[a-z-]*):/.exec(doc)?.[1] ?? 'aws';
  const roles = stack.resource?.aws_iam_role ?? {};
  const inline = Object.values<any>(stack.resource?.aws_iam_role_policy ?? {});
  const attachments = Object.values<any>(stack.resource?.aws_iam_role_policy_attachment ?? {});
  const managed = Object.values<any>(stack.resource?.aws_iam_policy ?? {});
  return Object.entries<any>(roles).map(([address, body]) => {
    const ref = `\${aws_iam_role.${address}.name}`;
    const partition = partitionOf(body.assume_role_policy);
    const own = inline.filter((p) => p.role === ref).map((p) => parsePolicy(p.policy));
    const attached = attachments
      .filter((a) => a.role === ref)
      .map((a) => {
        const policy = managed.find((m) => `arn:${partition}:iam::${account}:policy${m.path ?? '/'}${m.name}` === a.policy_arn);
        if (!policy) throw new Error(`${address}: attachment of ${a.policy_arn}, which no aws_iam_policy of the stack is`);
        return parsePolicy(policy.policy);
      });
    const policies = [...own, ...attached];
    const statements: Statement[] = policies.flatMap((p) => p.Statement);
    return {
      address,
      arn: `arn:${partition}:iam::${account}:role${body.path ?? '/'}${body.name}`,
      accountId: account,
      trust: parsePolicy(body.assume_role_policy),
      policies,
      permissions: { Version: '2012-10-17', Statement: statements },
      inline: own.length,
      managed: attached.length,
    };
  });
}

/** Every role of every bootstrap stack, by ARN. */
export function allRoles(stacks: Map<string, StackJson>): Map<string, SynthedRole> {
  const out = new Map<string, SynthedRole>();
  for (const stack of stacks.values()) for (const r of rolesOf(stack)) out.set(r.arn, r);
  return out;
}
