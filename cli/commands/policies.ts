/**
 * `cloudtrail-fleet policies <stack>` (npm run policies -- <stack>): prints every IAM policy one stack deploys,
 * decoded and pretty-printed, computed from the config (CLOUDTRAIL_CONFIG or
 * config/cloudtrail.yaml, or --config <file>) without a synth.
 *
 *   npm run policies -- cloudtrail-central
 *   npm run policies -- cloudtrail-account-222222222222     (or just 222222222222)
 *   npm run policies -- cloudtrail-central --json           (one JSON document: [{ address, title, document, ... }])
 */
import { ConfigError, loadConfig } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { CommandSpec, EXIT, ParsedArgs, parseCommandArgs, usageLine } from '../command';
import { stackNameForAccount } from '../../modules/arns';
import { StackPolicy, stackNames, stackPolicies } from '../../modules/stack-policies';

export interface PoliciesArgs {
  stack?: string;
  config?: string;
  json: boolean;
}

export const command: CommandSpec = {
  name: 'policies',
  summary: 'print every IAM policy one stack deploys, decoded, as AWS receives it',
  positionals: [{ name: '<stack>', description: 'a stack name, or an account id for its account stack', required: true }],
  options: {},
  details: 'Reads only the config: no synth, no AWS access.\nExample: cloudtrail-fleet policies cloudtrail-central',
  run: (args, io) => runPolicies(toPoliciesArgs(args), io.stdout, io.stderr),
};

function toPoliciesArgs(args: ParsedArgs): PoliciesArgs {
  const [stack] = args.positionals;
  return { stack: stack && /^\d{12}$/.test(stack) ? stackNameForAccount(stack) : stack, config: args.config, json: args.json };
}

export function parseArgs(argv: readonly string[]): PoliciesArgs {
  return toPoliciesArgs(parseCommandArgs(command, argv));
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
    err(`${(e as Error).message}\n${usageLine(command)}\n`);
    return EXIT.configError;
  }
  try {
    return runPolicies(args, out, err);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`${e.message}\n`);
    return EXIT.configError;
  }
}

function runPolicies(args: PoliciesArgs, out: (s: string) => void, err: (s: string) => void): number {
  const config = loadConfig(args.config, FLEET_CHECKS);
  const names = stackNames(config);
  if (!args.stack) {
    err(`${usageLine(command)}\nstacks of this config: ${names.join(', ')}\n`);
    return EXIT.configError;
  }
  const policies = stackPolicies(config, args.stack);
  if (!policies) {
    err(`no stack ${args.stack} in this config; its stacks: ${names.join(', ')}\n`);
    return EXIT.configError;
  }
  out(args.json ? `${JSON.stringify(policies, null, 2)}\n` : renderPolicies(args.stack, policies));
  return EXIT.ok;
}
