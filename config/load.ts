/**
 * Reading a config file: YAML or JSON, schema check, merge of defaults,
 * cross-field rules. Every violation is collected and reported at once.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configFileSchema } from './schema';
import { describe } from './rules';
import { wrongShapeMessage } from './shapes';
import { FleetConfig, resolveConfig } from './model';
import { ConfigIssue, validateResolved } from './validate';

export type { ConfigIssue };

/** The folder with package.json, from the source tree or from dist/. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const DEFAULT_CONFIG_PATH = path.join(projectRoot(), 'config', 'cloudtrail.yaml');
export const CONFIG_ENV = 'CLOUDTRAIL_CONFIG';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`${configErrorHeading(source, issues.length)}\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }

  /**
   * The message with what the command did not do (synth: "nothing was
   * synthesized"); check-config never synthesizes, so it says nothing more.
   */
  report(outcome?: string): string {
    if (!outcome) return this.message;
    const [heading, ...rest] = this.message.split('\n');
    return [`${heading}; ${outcome}`, ...rest].join('\n');
  }
}

function configErrorHeading(source: string, count: number): string {
  return `${source}: ${count} problem${count === 1 ? '' : 's'} in the config`;
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

/**
 * Flattens zod issues into config issues. For a union, the branch whose
 * type matched the input explains the problem best (a mapping with an
 * unknown key gets "did you mean"); if none did, the union's own message
 * (which lists the accepted forms) is used.
 */
function flatten(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
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
    const wrongShape = issue.code === 'invalid_type' || issue.code === 'invalid_union' ? wrongShapeMessage(where, issue.input) : undefined;
    out.push({ path: formatPath(where), message: wrongShape ?? issue.message });
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

/**
 * cdktf marks its tokens in strings as `${TfToken[...]}` (also `#{`, `&{`) and
 * replaces any such text at synth, wherever it comes from: in config text it
 * would silently become another value. No real value needs it.
 */
function tokenMarkerIssues(value: unknown, at: PropertyKey[] = []): ConfigIssue[] {
  const marker = /[$#&]\{TfToken\[/;
  const issue = (text: string, where: PropertyKey[]): ConfigIssue => ({
    path: formatPath(where),
    message: `${JSON.stringify(text)} contains "${marker.exec(text)![0]}", which cdktf reserves for its own tokens (it would be replaced by another value at synth); remove or reword it`,
  });
  if (typeof value === 'string') return marker.test(value) ? [issue(value, at)] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => tokenMarkerIssues(v, [...at, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(marker.test(k) ? [issue(k, [...at, k])] : []),
      // Parsers and the schema drop this key silently (it would set an object's prototype): say so instead.
      ...(k === '__proto__' ? [{ path: formatPath([...at, k]), message: 'the key "__proto__" cannot be used (JavaScript objects cannot keep it as data); rename it' }] : []),
      ...tokenMarkerIssues(v, [...at, k]),
    ]);
  }
  return [];
}

/** Validates an already-parsed config object; throws ConfigError listing every problem. */
export function configFromObject(raw: unknown, source = 'config'): FleetConfig {
  if (raw === null || raw === undefined) {
    throw new ConfigError(source, [{ path: '(top level)', message: 'the config is empty; it needs at least central and accounts (see config/cloudtrail.yaml)' }]);
  }
  const reserved = tokenMarkerIssues(raw);
  if (reserved.length > 0) throw new ConfigError(source, reserved);
  const parsed = configFileSchema.safeParse(raw, { reportInput: true, error: genericMessage });
  if (!parsed.success) throw new ConfigError(source, flatten(parsed.error.issues));
  const config = resolveConfig(parsed.data);
  const issues = validateResolved(parsed.data, config);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return config;
}

/** Parses YAML (a superset of JSON) text, then validates it. */
export function configFromText(text: string, source = 'config'): FleetConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({ path: `(line ${e.linePos?.[0].line ?? '?'})`, message: e.message.split('\n')[0] })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS(); // resolves aliases; a file of aliases to aliases (exponential size) is refused here
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
    throw new ConfigError(source, [
      { path: '(file)', message: `the YAML cannot be read as data: ${message}; write the values out instead of repeating them through anchors and aliases (*name)` },
    ]);
  }
  return configFromObject(raw, source);
}

/** The config file a command reads: the one given, else the one CLOUDTRAIL_CONFIG names, else config/cloudtrail.yaml. */
export function configPath(given?: string): string {
  return given || process.env[CONFIG_ENV] || DEFAULT_CONFIG_PATH;
}

/**
 * Loads the config file given, else the one CLOUDTRAIL_CONFIG names, else
 * config/cloudtrail.yaml. A file that cannot be read is one problem whose
 * advice depends on where its name came from.
 */
export function loadConfig(given?: string): FleetConfig {
  const fromEnv = process.env[CONFIG_ENV];
  const file = configPath(given);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = err.code === 'ENOENT' ? `the config file ${file} does not exist` : `cannot read the config file ${file}: ${err.message}`;
    const fix = given
      ? 'check the path given on the command line'
      : fromEnv
        ? `${CONFIG_ENV} names it: point ${CONFIG_ENV} at a YAML or JSON config file`
        : `restore config/cloudtrail.yaml, or set ${CONFIG_ENV} to a YAML or JSON config file`;
    throw new ConfigError(file, [{ path: '(file)', message: `${what}; ${fix}` }]);
  }
  return configFromText(text, file);
}
