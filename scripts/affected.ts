/**
 * `npm run -s affected -- --base <git ref | folder of a previous synth>`
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
import { configPath, ConfigError, loadConfig } from '../config/load';
import { loadBase, synthStacks } from './lib/fleet-synth';
import { disappearedMessages, stackChanges } from './lib/stack-diff';

const USAGE = 'usage: npm run -s affected -- --base <git ref | folder of a previous cdktf synth>';

export function parseAffectedArgs(argv: readonly string[]): { base: string } {
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base' && argv[i + 1] !== undefined) base = argv[++i];
    else if (a.startsWith('--base=')) base = a.slice('--base='.length);
    else throw new Error(`unknown argument ${a}; ${USAGE}`);
  }
  if (!base) throw new Error(`--base is required; ${USAGE}`);
  return { base };
}

export function affected(argv: readonly string[], configFile = configPath()): { stdout: string; stderr: string } {
  const { base } = parseAffectedArgs(argv);
  const current = synthStacks(loadConfig(configFile));
  const before = loadBase(base, configFile);
  const changes = stackChanges(before.stacks, current);
  const stderr = disappearedMessages(changes.disappeared);
  return { stdout: changes.affected.map((s) => `${s}\n`).join(''), stderr: stderr.map((l) => `${l}\n`).join('') };
}

if (require.main === module) {
  try {
    const out = affected(process.argv.slice(2));
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
  } catch (e) {
    process.stderr.write(`affected: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    process.exit(2);
  }
}
