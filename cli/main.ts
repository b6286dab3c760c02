/**
 * `npx cloudtrail-fleet <command> [options]`: the one entry of every user
 * command. Each command lives in `cli/commands/<name>.ts` and exports a
 * `command: CommandSpec`; it is loaded only when run (verify alone loads the
 * AWS SDK). Exit codes: one table for all (cli/command.ts, docs/commands.md).
 */
import { ConfigError } from '../config/load';
import { CommandIO, CommandSpec, CouldNotCheck, EXIT, PROGRAM, UsageError, closest, commandHelp, parseCommandArgs, processIO, usageLine } from './command';

/** Command name -> summary and loader, in the order a user meets them. */
export const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => CommandSpec }>> = {
  'check-config': { summary: 'validate a config and show what each trail does, with warnings', load: () => require('./commands/check-config').command },
  policies: { summary: 'print every IAM policy a stack deploys, as AWS receives it', load: () => require('./commands/policies').command },
  affected: { summary: 'the stacks a config change touches, in deploy order', load: () => require('./commands/affected').command },
  doctor: { summary: 'check that every account is ready for a deploy (credentials, regions, bucket, backend)', load: () => require('./commands/doctor').command },
  deploy: { summary: 'synthesize and apply the fleet: central first, then the accounts, with retries and a result per account', load: () => require('./commands/deploy').command },
  verify: { summary: 'check that every deployed trail logs where the config says', load: () => require('./commands/verify').command },
};

export function programHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    `${PROGRAM}: CloudTrail in every account of a fleet, into one central bucket`,
    '',
    `usage: ${PROGRAM} <command> [options]     (${PROGRAM} <command> --help for its options)`,
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `exit codes: ${EXIT.ok} success, ${EXIT.problems} found problems, ${EXIT.configError} config or usage error, ${EXIT.couldNotCheck} could not check`,
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code (never exits the process itself). */
export async function runCli(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(programHelp());
    return name === undefined ? EXIT.configError : EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    io.stderr(`${PROGRAM}: unknown command ${name}${guess ? ` (did you mean ${guess}?)` : ''}; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT.configError;
  }
  const spec = entry.load();
  try {
    const args = parseCommandArgs(spec, rest);
    if (args.values.help) {
      io.stdout(commandHelp(spec));
      return EXIT.ok;
    }
    return await spec.run(args, io);
  } catch (e) {
    return reportFailure(spec, e, io);
  }
}

/** One message per failure kind, and its exit code from the one table. */
export function reportFailure(spec: CommandSpec, e: unknown, io: CommandIO): number {
  if (e instanceof UsageError) {
    io.stderr(`${spec.name}: ${e.message}\n${usageLine(spec)}\n`);
    return EXIT.configError;
  }
  if (e instanceof ConfigError) {
    io.stderr(`${e.message}\n`);
    return EXIT.configError;
  }
  if (e instanceof CouldNotCheck) {
    io.stderr(`${spec.name}: could not check: ${e.message}\n`);
    return EXIT.couldNotCheck;
  }
  io.stderr(`${spec.name}: ${(e as Error).message ?? String(e)}\n`);
  return EXIT.configError;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`${PROGRAM}: internal error: ${(e as Error).stack}\n`);
      process.exitCode = EXIT.couldNotCheck;
    },
  );
}
