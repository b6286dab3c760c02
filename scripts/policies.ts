/**
 * `npm run policies -- <stack>`: prints every IAM policy one stack deploys,
 * decoded and pretty-printed, computed from the config (CLOUDTRAIL_CONFIG or
 * config/cloudtrail.yaml, or --config <file>) without a synth.
 *
 *   npm run policies -- cloudtrail-central
 *   npm run policies -- cloudtrail-account-222222222222     (or just 222222222222)
 *   npm run policies -- cloudtrail-central --json           (one JSON document: [{ address, title, document, ... }])
 */
import { ConfigError, loadConfig } from '../config/load';
import { stackNameForAccount } from '../modules/arns';
import { StackPolicy, stackNames, stackPolicies } from '../modules/policies/stack-policies';

export const USAGE = 'usage: npm run policies -- <stack name or account id> [--config <file>] [--json]';

export interface PoliciesArgs {
  stack?: string;
  config?: string;
  json: boolean;
}

export function parseArgs(argv: readonly string[]): PoliciesArgs {
  const args: PoliciesArgs = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--config') args.config = argv[++i];
    else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (args.stack === undefined) args.stack = /^\d{12}$/.test(a) ? stackNameForAccount(a) : a;
    else throw new Error(`one stack at a time; got ${args.stack} and ${a}\n${USAGE}`);
  }
  return args;
}

function heading(p: StackPolicy): string {
  const size = p.limitBytes ? `${p.bytes} of ${p.limitBytes} bytes` : `${p.bytes} bytes`;
  return `# ${p.address} (${p.attribute}): ${p.title}; ${size}${p.encoding ? `, encoding ${p.encoding}` : ''}`;
}

/** The text `npm run policies` prints for one stack. */
export function renderPolicies(stack: string, policies: readonly StackPolicy[]): string {
  if (policies.length === 0) return `${stack}: no IAM policies (its trails use existing keys, topics and roles, or are leaving the fleet)\n`;
  const blocks = policies.map((p) => `${heading(p)}\n${JSON.stringify(p.document, null, 2)}\n`);
  return `${stack}: ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}, as AWS receives them\n\n${blocks.join('\n')}`;
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  let args: PoliciesArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(args.config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`${e.message}\n`);
    return 1;
  }
  const names = stackNames(config);
  if (!args.stack) {
    err(`${USAGE}\nstacks of this config: ${names.join(', ')}\n`);
    return 2;
  }
  const policies = stackPolicies(config, args.stack);
  if (!policies) {
    err(`no stack ${args.stack} in this config; its stacks: ${names.join(', ')}\n`);
    return 1;
  }
  out(args.json ? `${JSON.stringify(policies, null, 2)}\n` : renderPolicies(args.stack, policies));
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
