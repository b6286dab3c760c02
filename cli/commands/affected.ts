/**
 * `cloudtrail-fleet affected --base <git ref | folder of a previous synth>`
 * (npm run -s affected -- --base ...)
 *
 * Prints on stdout, one per line and nothing else, the stacks whose Terraform
 * content changed or appeared between the base and the current config
 * (CLOUDTRAIL_CONFIG as usual), in deploy order (cloudtrail-central first):
 *
 *   cdktf deploy $(npm run -s affected -- --base origin/main)
 *
 * Stacks that disappeared are reported on stderr, with a warning when the
 * base still managed resources in them (docs/day-two.md, "Leaving the fleet").
 * Exit 0 (also when nothing is affected), 2 on a usage or config error.
 */
import { configPath, loadConfig } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { CommandSpec, EXIT, ParsedArgs, UsageError, parseCommandArgs, stringOption } from '../command';
import { loadBase, synthStacks } from '../lib/fleet-synth';
import { disappearedMessages, stackChanges } from '../lib/stack-diff';

export const command: CommandSpec = {
  name: 'affected',
  summary: 'the stacks a config change touches, one per line, in deploy order',
  options: {
    base: { type: 'string', value: '<ref|folder>', description: 'what to compare with: a git ref (the config file at that ref) or the folder of a previous cdktf synth (required)' },
  },
  details: 'stdout holds only stack names (cloudtrail-central first); notes go to stderr.\nExample: npx cdktf deploy $(npx cloudtrail-fleet affected --base origin/main)',
  run: (args, io) => {
    const out = affected(args, args.config);
    io.stderr(out.stderr);
    io.stdout(args.json ? `${JSON.stringify(out.json, null, 2)}\n` : out.stdout);
    return EXIT.ok;
  },
};

export function parseAffectedArgs(argv: readonly string[]): { base: string } {
  return { base: requireBase(parseCommandArgs(command, argv)) };
}

function requireBase(args: ParsedArgs): string {
  const base = stringOption(args, 'base');
  if (!base) throw new UsageError('--base is required: a git ref (origin/main, HEAD~1) or the folder of a previous cdktf synth');
  return base;
}

/** `configFile`: the --config given; undefined = CLOUDTRAIL_CONFIG, else config/cloudtrail.yaml (as loadConfig chooses, and says). */
export function affected(argv: readonly string[] | ParsedArgs, configFile?: string): { stdout: string; stderr: string; json: unknown } {
  const base = Array.isArray(argv) ? parseAffectedArgs(argv).base : requireBase(argv as ParsedArgs);
  const current = synthStacks(loadConfig(configFile, FLEET_CHECKS));
  const before = loadBase(base, configPath(configFile));
  const changes = stackChanges(before.stacks, current);
  const stderr = disappearedMessages(changes.disappeared);
  return {
    stdout: changes.affected.map((s) => `${s}\n`).join(''),
    stderr: stderr.map((l) => `${l}\n`).join(''),
    json: { base: before.label, affected: changes.affected, disappeared: changes.disappeared },
  };
}
