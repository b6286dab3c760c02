/**
 * The one command surface: every user command is a `CommandSpec` run by
 * `cli/main.ts` (`npx cloudtrail-fleet <command>`). Options are parsed by
 * Node's own `util.parseArgs`; this file adds what every command shares: the
 * `--config`, `--json` and `--help` flags, help text generated from the
 * option table, usage errors that name the valid options, and one table of
 * exit codes (docs/commands.md).
 */
import { parseArgs } from 'util';
import { closest } from '../config/rules';

/** Exit codes of every command, in one table (docs/commands.md, "Exit codes"). */
export const EXIT = {
  /** Success: the config is valid, the fleet healthy or ready, the change safe, the deploy done. */
  ok: 0,
  /** Found problems: an unhealthy trail, an account not ready, an unsafe change, a stack that failed. */
  problems: 1,
  /** The config or the command line is wrong: nothing was checked. */
  configError: 2,
  /** Could not check: no credentials, AWS (or the emulator) unreachable. The fleet may be fine. */
  couldNotCheck: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong command line: reported with the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Nothing could be checked (credentials, network): reported once, exit 3. */
export class CouldNotCheck extends Error {
  override readonly name = 'CouldNotCheck';
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** Placeholder of the value in help text, e.g. `<file>`. */
  readonly value?: string;
  /** The option may be given several times (values collected in order). */
  readonly multiple?: boolean;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** @default false */
  readonly required?: boolean;
}

export interface ParsedArgs {
  /** Option values by name (without the leading `--`); absent options are undefined. */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  /** `--config <file>`; undefined = CLOUDTRAIL_CONFIG, else config/cloudtrail.yaml. */
  readonly config?: string;
  /** `--json`: one JSON document on stdout instead of text. */
  readonly json: boolean;
}

/** Where a command writes and what it may read of its surroundings (tests give their own). */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal (colour, tables for people). */
  readonly stdoutIsTTY: boolean;
  /** stderr is a terminal: progress lines are rewritten in place; otherwise plain lines. */
  readonly stderrIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** The clock; tests pin it. */
  readonly now: () => Date;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for `cloudtrail-fleet --help`. */
  readonly summary: string;
  readonly positionals?: readonly PositionalSpec[];
  /** Options besides the shared --config, --json and --help. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs after the option table in `--help` (examples, exit codes that matter here). */
  readonly details?: string;
  run(args: ParsedArgs, io: CommandIO): Promise<number> | number;
}

/** Options every command takes. */
export const SHARED_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: { type: 'string', value: '<file>', description: 'the config file (default: CLOUDTRAIL_CONFIG, else config/cloudtrail.yaml)' },
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of text' },
  help: { type: 'boolean', description: 'show this help' },
};

export const PROGRAM = 'cloudtrail-fleet';

function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...SHARED_OPTIONS };
}

function positionalUsage(spec: CommandSpec): string[] {
  return (spec.positionals ?? []).map((p) => (p.required ? p.name : `[${p.name}]`));
}

export function usageLine(spec: CommandSpec): string {
  return `usage: ${PROGRAM} ${spec.name} ${[...positionalUsage(spec), '[options]'].join(' ')}`;
}

function optionLabel(name: string, o: OptionSpec): string {
  return `--${name}${o.value ? ` ${o.value}` : ''}`;
}

/** `cloudtrail-fleet <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const rows: [string, string][] = [
    ...(spec.positionals ?? []).map((p): [string, string] => [p.name, p.description]),
    ...Object.entries(allOptions(spec)).map(([name, o]): [string, string] => [optionLabel(name, o), o.description]),
  ];
  const width = Math.max(...rows.map(([l]) => l.length));
  const lines = [`${PROGRAM} ${spec.name}: ${spec.summary}`, '', usageLine(spec), '', ...rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`)];
  if (spec.details) lines.push('', spec.details.trimEnd());
  lines.push('', `exit codes: ${EXIT.ok} success, ${EXIT.problems} found problems, ${EXIT.configError} config or usage error, ${EXIT.couldNotCheck} could not check`);
  return `${lines.join('\n')}\n`;
}

/** The closest name by edit distance, for "did you mean" (the config's own rule: config/rules.ts). */
export { closest };

/** Parses a command's arguments; a wrong command line throws a UsageError that names what is valid. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = allOptions(spec);
  const names = Object.keys(options);
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.entries(options).map(([n, o]) => [n, { type: o.type, multiple: o.multiple ?? false }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(rephrase(e as Error & { code?: string }, options, names));
  }
  const max = spec.positionals?.length ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max);
    throw new UsageError(
      max === 0
        ? `${spec.name} takes no arguments besides options; got ${extra.join(' ')}`
        : `too many arguments: ${extra.join(' ')} (${spec.name} takes ${positionalUsage(spec).join(' ')})`,
    );
  }
  const values = parsed.values as ParsedArgs['values'];
  for (const [name, o] of Object.entries(options)) {
    const v = values[name];
    if (o.type === 'string' && typeof v === 'string' && v.startsWith('--')) throw new UsageError(`--${name} needs a value${o.value ? ` (${o.value})` : ''}; got the option ${v}`);
  }
  return { values, positionals: parsed.positionals, config: values.config as string | undefined, json: values.json === true };
}

function rephrase(e: Error & { code?: string }, options: Record<string, OptionSpec>, names: readonly string[]): string {
  const list = names.map((n) => optionLabel(n, options[n])).join(', ');
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = flag && closest(flag.replace(/^-+/, ''), names);
      return `unknown option ${flag ?? ''}${guess ? ` (did you mean --${guess}?)` : ''}; options: ${list}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = flag?.replace(/^-+/, '').split(/[ =]/)[0];
      const o = name ? options[name] : undefined;
      if (o?.type === 'string') return `--${name} needs a value${o.value ? ` (${o.value})` : ''}`;
      return `--${name} takes no value`;
    }
    default:
      return `${e.message}; options: ${list}`;
  }
}

/** The IO of a real process. */
export function processIO(): CommandIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
  };
}

/** A string option's value (the last one when given several times). */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return Array.isArray(v) ? v[v.length - 1] : typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable string option. */
export function stringOptions(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A positive whole number option, or the default. */
export function countOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} takes a positive whole number, got ${raw}`);
  return n;
}
