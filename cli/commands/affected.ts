/**
 * `cloudtrail-fleet affected --base <git ref | folder of a previous synth>`
 * (npm run -s affected -- --base ...)
 *
 * Prints on stdout, one per line and nothing else, the stacks whose Terraform
 * content changed or appeared between the base and the current config
 * (CLOUDTRAIL_CONFIG as usual), in deploy order (stack-diff.ts deployOrder):
 *
 *   stacks=$(npm run -s affected -- --base origin/main) && npx cdktf deploy $stacks
 *
 * It is also the change gate (cli/lib/change-plan.ts, docs/changing-safely.md):
 * on stderr it lists every destroy, replacement, forget and move the change
 * makes Terraform plan, and what each costs; it exits 1 when the change would
 * destroy or replace a protected resource the config does not declare, drop
 * an account without a lifecycle step, or leave a running trail refused by
 * the central policies (stdout still lists the stacks). `--allow-unsafe`
 * exits 0 anyway. Exit 2 on a usage or config error, or a base folder of
 * another fleet.
 */
import { configPath, loadConfig } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { CommandSpec, ParsedArgs, UsageError, parseCommandArgs, stringOption } from '../command';
import { changePlanJson, formatChangePlan, gateExitCode } from '../lib/change-plan';
import { gateChange } from '../lib/change-gate';
import { disappearedMessages } from '../lib/stack-diff';

export const command: CommandSpec = {
  name: 'affected',
  summary: 'the stacks a config change touches, one per line, in deploy order',
  options: {
    base: { type: 'string', value: '<ref|folder>', description: 'what to compare with: a git ref (the config file at that ref) or the folder of a previous cdktf synth (required)' },
    'allow-unsafe': { type: 'boolean', description: 'exit 0 even when the change is unsafe (the listing stays)' },
  },
  details: [
    'stdout holds only stack names, in deploy order (a leaving account, then cloudtrail-central, then the rest); what the change destroys, replaces or forgets, and why it is unsafe, goes to stderr.',
    'Exit 1 when the change is unsafe: a protected resource destroyed or replaced without the config declaring it, an account dropped without',
    'a lifecycle step, a running trail the central policies stop admitting (docs/changing-safely.md). --allow-unsafe exits 0 anyway.',
    'Example: stacks=$(npx cloudtrail-fleet affected --base origin/main) && npx cdktf deploy $stacks',
  ].join('\n'),
  run: (args, io) => {
    const out = affected(args, args.config);
    io.stderr(out.stderr);
    io.stdout(args.json ? `${JSON.stringify(out.json, null, 2)}\n` : out.stdout);
    return out.exitCode;
  },
};

export function parseAffectedArgs(argv: readonly string[]): { base: string; allowUnsafe: boolean } {
  const args = parseCommandArgs(command, argv);
  return { base: requireBase(args), allowUnsafe: args.values['allow-unsafe'] === true };
}

function requireBase(args: ParsedArgs): string {
  const base = stringOption(args, 'base');
  if (!base) throw new UsageError('--base is required: a git ref (origin/main, HEAD~1) or the folder of a previous cdktf synth');
  return base;
}

/** `configFile`: the --config given; undefined = CLOUDTRAIL_CONFIG, else config/cloudtrail.yaml (as loadConfig chooses, and says). */
export function affected(argv: readonly string[] | ParsedArgs, configFile?: string): { stdout: string; stderr: string; json: unknown; exitCode: number } {
  const { base, allowUnsafe } = Array.isArray(argv)
    ? parseAffectedArgs(argv)
    : { base: requireBase(argv as ParsedArgs), allowUnsafe: (argv as ParsedArgs).values['allow-unsafe'] === true };
  const gate = gateChange(base, configPath(configFile), loadConfig(configFile, FLEET_CHECKS));
  const { changes, plan } = gate;
  // Stacks that disappeared with nothing left in them are a note; the others are the gate's (account-dropped).
  const notes = disappearedMessages(changes.disappeared.filter((d) => !d.withoutLifecycle));
  const stderr = [...notes.map((l) => `${l}
`), plan.actions.length || plan.findings.length ? formatChangePlan(plan, allowUnsafe) : ''].join('');
  return {
    stdout: changes.affected.map((s) => `${s}\n`).join(''),
    stderr,
    json: { base: gate.base.label, affected: changes.affected, disappeared: changes.disappeared, change: changePlanJson(plan, allowUnsafe) },
    exitCode: gateExitCode(plan, allowUnsafe),
  };
}
