/**
 * Reading a config file: YAML or JSON, schema check, merge of defaults,
 * cross-field rules, and the checks the caller passes in (policy sizes and
 * selector limits need the builders of modules/: `FLEET_CHECKS` of
 * modules/fleet-checks.ts).
 *
 * Every problem is reported in one run, whatever step finds it: the schema
 * reports every value of the wrong shape or against a naming rule; the parts
 * of the config that passed it (each account entry, each key of defaults,
 * central, organization, backend) are then checked against each other and
 * sized, so fixing the reported problems does not uncover new ones in parts
 * that were already fine. A part with a problem of its own is left out of
 * the checks that span parts until it is fixed (its wrong value would make
 * their findings wrong), and the report says which (docs/config-errors.md).
 *
 * Problems read from a file name its line and column:
 * `fleet.yaml:41:7: accounts[3].trailName: <rule and fix>`.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import type { z } from 'zod';
import { configFileSchema, DEEP_MERGED_KEYS } from './schema';
import type { ConfigFile } from './schema';
import { describe } from './rules';
import { wrongShapeMessage } from './shapes';
import { FleetConfig, resolveConfig } from './model';
import { ConfigIssue, validateResolved } from './validate';
import { readConfigText } from './source-text';
import type { ConfigText } from './source-text';

export type { ConfigIssue };

/**
 * A check of the resolved config that config/ cannot run itself (it needs
 * modules/); the loader runs the ones its caller passes with every other rule.
 */
export type FleetCheck = (config: FleetConfig) => readonly ConfigIssue[];

/** A problem, with where it is written when the config came from text. */
export interface LocatedIssue extends ConfigIssue {
  /** 1-based line and column of the offending value (or of the key, for an unknown key). */
  readonly line?: number;
  readonly column?: number;
  /** For a syntax error: the line with a caret under the column. */
  readonly excerpt?: string;
}

/** The folder with package.json, from the source tree or from dist/. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const DEFAULT_CONFIG_PATH = path.join(projectRoot(), 'config', 'cloudtrail.yaml');
export const CONFIG_ENV = 'CLOUDTRAIL_CONFIG';

/** Paths that are not config paths: the file as a whole, its syntax. */
const NOT_A_CONFIG_PATH = new Set(['(file)', '(syntax)']);

export class ConfigError extends Error {
  constructor(
    /** The file as shown to the user (as written on the command line or in CLOUDTRAIL_CONFIG). */
    readonly source: string,
    readonly issues: readonly LocatedIssue[],
    /** What could not be checked yet because of these problems (said after them). */
    readonly note?: string,
  ) {
    super('');
    this.name = 'ConfigError';
    this.message = this.report();
  }

  /** `<file>: N problems in the config`, with what the command did not do (synth: "nothing was synthesized"). */
  heading(outcome?: string): string {
    const n = this.issues.length;
    return `${this.source}: ${n} problem${n === 1 ? '' : 's'} in the config${outcome ? `; ${outcome}` : ''}`;
  }

  /** One text per problem: `<file>:<line>:<column>: <config path>: <rule and fix>` (a syntax error adds its line and a caret). */
  problems(): string[] {
    return this.issues.map((i) => {
      const where = i.line !== undefined ? `${this.source}:${i.line}:${i.column}` : this.source;
      const at = NOT_A_CONFIG_PATH.has(i.path) ? '' : `${i.path}: `;
      return `${where}: ${at}${i.message}${i.excerpt ? `\n${i.excerpt}` : ''}`;
    });
  }

  /**
   * The whole message; check-config never synthesizes, so it passes no outcome.
   */
  report(outcome?: string): string {
    return [this.heading(outcome), ...this.problems(), ...(this.note ? [this.note] : [])].join('\n');
  }
}

/** `['accounts', 0, 'tags', 'a.b']` -> `accounts[0].tags["a.b"]` */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(s))) out += out ? `.${String(s)}` : String(s);
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out || '(top level)';
}

const FROM_DEFAULTS = ' (from defaults)';

/**
 * The segments of a path as the rules write it (formatPath's form), pointing
 * where the value is written: a setting an account inherits is written in
 * defaults. Undefined for a path that is not a config path.
 */
export function pathSegments(configPath: string): PropertyKey[] | undefined {
  let rest = configPath;
  const inherited = rest.endsWith(FROM_DEFAULTS);
  if (inherited) rest = rest.slice(0, -FROM_DEFAULTS.length);
  if (rest === '(top level)') return [];
  const segments: PropertyKey[] = [];
  const token = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  while (rest) {
    const m = token.exec(rest);
    if (!m || (segments.length === 0 && m[0].startsWith('.'))) return undefined;
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string)));
    rest = rest.slice(m[0].length);
  }
  return inherited && segments[0] === 'accounts' && typeof segments[1] === 'number' ? ['defaults', ...segments.slice(2)] : segments;
}

/** A problem while checking, with the segments of its path (to find it in the text). */
interface Found extends ConfigIssue {
  readonly segments?: readonly PropertyKey[];
  /** Point at the key rather than its value (an unknown key). */
  readonly onKey?: boolean;
}

const UNKNOWN_KEY_MESSAGE = /; (?=unknown (?:key|statement element) ")/;

/**
 * Flattens zod issues into config issues. For a union, the branch whose
 * type matched the input explains the problem best (a mapping with an
 * unknown key gets "did you mean"); if none did, the union's own message
 * (which lists the accepted forms) is used. Several unknown keys of one
 * mapping are one problem each, at each key.
 */
function flatten(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): Found[] {
  const out: Found[] = [];
  for (const issue of issues) {
    const where = [...base, ...issue.path];
    const branches = issue.code === 'invalid_union' ? ((issue as { errors?: z.core.$ZodIssue[][] }).errors ?? []) : [];
    if (branches.length > 0) {
      // A branch matched the input's type when its issues are inside the value, or are rules or unknown keys of the value itself.
      const matched = branches.filter((branch) => branch.every((i) => i.path.length > 0 || i.code === 'custom' || i.code === 'unrecognized_keys'));
      if (matched.length > 0) {
        out.push(...flatten(matched[0], where));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split(UNKNOWN_KEY_MESSAGE);
      const each = messages.length === issue.keys.length ? messages : [issue.message];
      each.forEach((message, i) => out.push({ path: formatPath(where), message, segments: [...where, issue.keys[i]], onKey: true }));
      continue;
    }
    const wrongShape = issue.code === 'invalid_type' || issue.code === 'invalid_union' ? wrongShapeMessage(where, issue.input) : undefined;
    out.push({ path: formatPath(where), message: wrongShape ?? issue.message, segments: where });
  }
  return out;
}

/** What a value of zod's `expected` type is called in messages. */
const NOUNS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/**
 * Wording for zod's generic issues (the schema's own messages win over it),
 * so that every message says what to write instead.
 */
function genericMessage(issue: { code?: string; input?: unknown; [k: string]: unknown }): string | undefined {
  const noun = (t: unknown) => NOUNS[String(t)] ?? String(t);
  const size = (origin: unknown, n: unknown) =>
    origin === 'string' ? `${n} character${n === 1 ? '' : 's'}` : origin === 'array' ? `${n} entr${n === 1 ? 'y' : 'ies'}` : String(n);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required: add this key (${noun(issue.expected)})`
        : `must be ${noun(issue.expected)}, got ${describe(issue.input)}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${size(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${size(issue.origin, issue.maximum)}`;
    default:
      return undefined;
  }
}

const PARSE_OPTIONS = { reportInput: true, error: genericMessage } as const;

/**
 * cdktf marks its tokens in strings as `${TfToken[...]}` (also `#{`, `&{`) and
 * replaces any such text at synth, wherever it comes from: in config text it
 * would silently become another value. No real value needs it.
 */
function tokenMarkerIssues(value: unknown, at: PropertyKey[] = []): Found[] {
  const marker = /[$#&]\{TfToken\[/;
  const issue = (text: string, where: PropertyKey[], onKey = false): Found => ({
    path: formatPath(where),
    message: `${JSON.stringify(text)} contains "${marker.exec(text)![0]}", which cdktf reserves for its own tokens (it would be replaced by another value at synth); remove or reword it`,
    segments: where,
    onKey,
  });
  if (typeof value === 'string') return marker.test(value) ? [issue(value, at)] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => tokenMarkerIssues(v, [...at, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(marker.test(k) ? [issue(k, [...at, k], true)] : []),
      // Parsers and the schema drop this key silently (it would set an object's prototype): say so instead.
      ...(k === '__proto__'
        ? [{ path: formatPath([...at, k]), message: 'the key "__proto__" cannot be used (JavaScript objects cannot keep it as data); rename it', segments: [...at, k], onKey: true }]
        : []),
      ...tokenMarkerIssues(v, [...at, k]),
    ]);
  }
  return [];
}

// ------------------------------------------------------------ checking the parts that parsed

/** The part of the config a problem is in, and what that means for the checks between parts. */
type Part =
  /** The checks between parts all read it: they wait until it is valid. */
  | { readonly kind: 'needed'; readonly name: string }
  | { readonly kind: 'account'; readonly index: number }
  | { readonly kind: 'default'; readonly key: string }
  /** Read by no check between parts (backend, $schema, an unknown top-level key): left out. */
  | { readonly kind: 'own'; readonly key: string };

function partOf(segments: readonly PropertyKey[]): Part {
  const [head, second] = segments;
  if (head === undefined) return { kind: 'needed', name: 'the top level' };
  if (head === 'accounts') return typeof second === 'number' ? { kind: 'account', index: second } : { kind: 'needed', name: 'accounts' };
  if (head === 'defaults') return second === undefined ? { kind: 'needed', name: 'defaults' } : { kind: 'default', key: String(second) };
  if (head === 'central' || head === 'partition' || head === 'organization') return { kind: 'needed', name: String(head) };
  return { kind: 'own', key: String(head) };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a, b and c`, at most `max` named. */
function listed(names: readonly string[], max = 5): string {
  const shown = names.length > max ? [...names.slice(0, max), `${names.length - max} more`] : names;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown[0];
}

/**
 * The config without its parts that have problems, ready for the checks
 * between parts: account entries with a problem, and accounts that inherit a
 * defaults key with a problem, are left out; `accounts` keeps the others at
 * their own positions (a sparse list, so messages keep naming `accounts[i]`
 * as written: resolveConfig and validateResolved read it with forEach).
 */
function partsThatParsed(raw: unknown, found: readonly Found[]): { file?: ConfigFile; note?: string } {
  const parts = found.map((f) => partOf(f.segments ?? []));
  const needed = parts.find((p): p is Extract<Part, { kind: 'needed' }> => p.kind === 'needed');
  const waitFor = (name: string) => ({ note: `(the rules between settings and the policy sizes are checked once ${name} has no problems: fix these and run again)` });
  if (needed || !isMapping(raw)) return waitFor(needed?.name ?? 'the top level');

  const rest: Record<string, unknown> = { ...raw };
  for (const p of parts) if (p.kind === 'own') delete rest[p.key];
  const badDefaults = [...new Set(parts.flatMap((p) => (p.kind === 'default' ? [p.key] : [])))];
  if (badDefaults.length > 0 && isMapping(raw.defaults)) rest.defaults = Object.fromEntries(Object.entries(raw.defaults).filter(([k]) => !badDefaults.includes(k)));
  const accounts = Array.isArray(raw.accounts) ? raw.accounts : [];
  const badAccounts = new Set(parts.flatMap((p) => (p.kind === 'account' ? [p.index] : [])));
  const inherits = (account: unknown, key: string) => !(isMapping(account) && Object.hasOwn(account, key)) || (DEEP_MERGED_KEYS as readonly string[]).includes(key);
  const kept = accounts.flatMap((a, i) => (badAccounts.has(i) || badDefaults.some((k) => inherits(a, k)) ? [] : [i]));
  const leftOut = [
    ...[...badAccounts].sort((a, b) => a - b).map((i) => `accounts[${i}]`),
    ...(badDefaults.length ? [`the accounts that inherit ${listed(badDefaults.map((k) => `defaults.${k}`))}`] : []),
  ];
  const note = leftOut.length ? `(not yet checked against the rest of the config, until their own problems are fixed: ${listed(leftOut)})` : undefined;
  if (kept.length === 0) return { note };

  const parsed = configFileSchema.safeParse({ ...rest, accounts: kept.map((i) => accounts[i]) }, PARSE_OPTIONS);
  if (!parsed.success) return waitFor('the rest of the config'); // not expected: each part passed on its own
  const sparse: ConfigFile['accounts'] = [];
  sparse.length = accounts.length;
  kept.forEach((i, k) => (sparse[i] = parsed.data.accounts[k]));
  return { file: { ...parsed.data, accounts: sparse }, note };
}

function withSegments(issues: readonly ConfigIssue[]): Found[] {
  return issues.map((i) => ({ path: i.path, message: i.message, segments: pathSegments(i.path) }));
}

/** Every rule on a schema-valid (part of the) config: between keys, then the caller's checks. */
function crossChecks(file: ConfigFile, config: FleetConfig, checks: readonly FleetCheck[]): Found[] {
  return withSegments([...validateResolved(file, config), ...checks.flatMap((check) => check(config))]);
}

/** Every problem of a parsed config, and the resolved config when there is none. */
function check(raw: unknown, checks: readonly FleetCheck[]): { found: Found[]; config?: FleetConfig; note?: string } {
  if (raw === null || raw === undefined) {
    return { found: [{ path: '(top level)', message: 'the config is empty; it needs at least central and accounts (see config/cloudtrail.yaml)', segments: [] }] };
  }
  const found = tokenMarkerIssues(raw);
  const parsed = configFileSchema.safeParse(raw, PARSE_OPTIONS);
  if (!parsed.success) found.push(...flatten(parsed.error.issues));
  if (parsed.success && found.length === 0) {
    const config = resolveConfig(parsed.data);
    const cross = crossChecks(parsed.data, config, checks);
    return cross.length > 0 ? { found: cross } : { found, config };
  }
  const partial = partsThatParsed(raw, found);
  if (partial.file) found.push(...crossChecks(partial.file, resolveConfig(partial.file), checks));
  return { found, note: partial.note };
}

const plain = (f: Found): ConfigIssue => ({ path: f.path, message: f.message });

/**
 * Validates an already-parsed config object; throws a ConfigError listing
 * every problem. `checks` are the checks that need modules/ (pass
 * FLEET_CHECKS of modules/fleet-checks.ts wherever the config is synthesized
 * or reported).
 */
export function configFromObject(raw: unknown, source = 'config', checks: readonly FleetCheck[] = []): FleetConfig {
  const { found, config, note } = check(raw, checks);
  if (!config) throw new ConfigError(source, found.map(plain), note);
  return config;
}

/**
 * Parses YAML (or JSON) text, then validates it like configFromObject; each
 * problem names its line and column, in file order. `source` is the file
 * name shown (its `.json` ending picks the wording of syntax errors).
 */
export function configFromText(text: string, source = 'config', checks: readonly FleetCheck[] = []): FleetConfig {
  let parsed: ConfigText;
  try {
    parsed = readConfigText(text, source);
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
    throw new ConfigError(source, [
      { path: '(file)', message: `the YAML cannot be read as data: ${message}; write the values out instead of repeating them through anchors and aliases (*name)` },
    ]);
  }
  if (parsed.syntax.length > 0) {
    throw new ConfigError(
      source,
      parsed.syntax.map((s) => ({ path: '(syntax)', message: s.message, line: s.line, column: s.column, excerpt: s.excerpt })),
    );
  }
  const { found, config, note } = check(parsed.data, checks);
  if (config) return config;
  const located = found.map((f): LocatedIssue => (f.segments ? { ...plain(f), ...parsed.position(f.segments, f.onKey ? 'key' : 'value') } : plain(f)));
  // In file order (a stable sort: problems at one place keep the order the rules found them in).
  const order = (i: LocatedIssue) => (i.line === undefined ? Number.MAX_SAFE_INTEGER : i.line * 1e6 + i.column!);
  throw new ConfigError(source, [...located].sort((a, b) => order(a) - order(b)), note);
}

// ------------------------------------------------------------ which file

/** Which config file a command reads, and how to talk about it. */
export interface ConfigFileChoice {
  /** Absolute path. */
  readonly file: string;
  /** As messages show it: as written; config/cloudtrail.yaml relative to the user's folder when it is below it. */
  readonly shown: string;
  /** Where its name came from. */
  readonly origin: 'given' | 'env' | 'default';
  /** The name as written (--config, the argument, or CLOUDTRAIL_CONFIG). */
  readonly written?: string;
  /** The folder a relative name is read from. */
  readonly folder: string;
}

/**
 * The folder the user ran the command in. npm runs scripts in the project
 * folder and names the user's folder in INIT_CWD (`npm run check-config --
 * fleet.yaml` from anywhere in the project); npx and node run where the user is.
 */
export function userFolder(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const init = env.INIT_CWD;
  return init && path.isAbsolute(init) && path.resolve(cwd) === projectRoot() ? init : cwd;
}

/** The file given, else the one CLOUDTRAIL_CONFIG names, else config/cloudtrail.yaml; a relative name is read from the user's folder. */
export function chooseConfigFile(given?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigFileChoice {
  const folder = userFolder(env, cwd);
  const origin = given ? 'given' : env[CONFIG_ENV] ? 'env' : 'default';
  const written = given || env[CONFIG_ENV] || undefined;
  const file = written ? path.resolve(folder, written) : DEFAULT_CONFIG_PATH;
  const relative = path.relative(folder, file);
  const shown = written ? path.normalize(written) : relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  return { file, shown, origin, written, folder };
}

/** The config file a command reads (absolute): the one given, else the one CLOUDTRAIL_CONFIG names, else config/cloudtrail.yaml. */
export function configPath(given?: string): string {
  return chooseConfigFile(given).file;
}

/**
 * Loads the config file given, else the one CLOUDTRAIL_CONFIG names, else
 * config/cloudtrail.yaml. A file that cannot be read is one problem whose
 * advice depends on where its name came from. `checks`: see configFromObject.
 */
export function loadConfig(given?: string, checks: readonly FleetCheck[] = []): FleetConfig {
  const choice = chooseConfigFile(given);
  let text: string;
  try {
    text = readFileSync(choice.file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const where = choice.written && !path.isAbsolute(choice.written) ? ` in ${choice.folder} (the folder the command was run in)` : '';
    const what =
      err.code === 'ENOENT' ? `the config file ${choice.written ?? choice.file} does not exist${where}` : `cannot read the config file ${choice.file}: ${err.message}`;
    const fix =
      choice.origin === 'given'
        ? 'check the path given on the command line'
        : choice.origin === 'env'
          ? `${CONFIG_ENV} names it: point ${CONFIG_ENV} at a YAML or JSON config file`
          : `restore config/cloudtrail.yaml, or set ${CONFIG_ENV} to a YAML or JSON config file`;
    throw new ConfigError(choice.shown, [{ path: '(file)', message: `${what}; ${fix}` }]);
  }
  return configFromText(text, choice.shown, checks);
}
