/**
 * A config file as text: parsed with positions, so each problem can name the
 * line and column of the value it is about (`fleet.yaml:41:7: ...`), and a
 * syntax error can show its line with a caret under the column.
 *
 * YAML and JSON go through the same parser (the `yaml` package: JSON is YAML
 * 1.2 flow syntax), so a value is found the same way in both. For a `.json`
 * file a syntax error is described by Node's own JSON parser, whose words
 * ("Expected ',' or '}' after property value") fit JSON better than YAML's.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import type { Document } from 'yaml';

/** 1-based line and column of a place in the text. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface SyntaxProblem extends Position {
  readonly message: string;
  /** The line(s) around the error, with a caret under the column. */
  readonly excerpt: string;
}

export interface ConfigText {
  /** Syntax errors; when there are any, `data` is undefined. */
  readonly syntax: readonly SyntaxProblem[];
  /** What the text says, as plain data (aliases resolved). */
  readonly data?: unknown;
  /** Where the value at a config path is written: the nearest place that exists. */
  position(segments: readonly PropertyKey[], on?: 'value' | 'key'): Position;
}

/**
 * The line with the error, with the line before it for context (an unclosed
 * bracket is reported where the parser gave up, often the next line), and a
 * caret under the column.
 */
export function excerpt(text: string, line: number, column: number): string {
  const lines = text.split(/\r?\n/);
  const from = line > 1 && lines[line - 2].trim() !== '' ? line - 1 : line;
  const width = String(line).length;
  const out: string[] = [];
  for (let n = from; n <= line; n++) out.push(`  ${String(n).padStart(width)} | ${(lines[n - 1] ?? '').replace(/\t/g, ' ')}`);
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  return out.join('\n');
}

function positionOf(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** Node's JSON.parse message without its position suffix, and the offset it names (Node 20 and 22 word these the same). */
function jsonSyntax(text: string): { message: string; offset: number } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const end = text.trimEnd().length;
    const at = /\s+in JSON at position (\d+)/.exec(message);
    // Node words the end of the text differently from version to version: one wording here.
    if (/Unexpected end of JSON input/.test(message) || (at && Number(at[1]) >= end)) return { message: 'the JSON ends before it is complete (a missing } or ])', offset: end };
    if (at) return { message: message.slice(0, at.index), offset: Number(at[1]) };
    return undefined;
  }
}

function yamlMessage(text: string, code: string, message: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\s]+)/.exec(text.slice(offset))?.[1] ?? 'this key';
    return `the key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`} is written twice in this mapping; keep one (the file must say each setting once)`;
  }
  return `not valid YAML: ${message}`;
}

/** Parses YAML or JSON text. `name` is the file name (its extension picks the wording of syntax errors). */
export function readConfigText(text: string, name = ''): ConfigText {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const position = (segments: readonly PropertyKey[], on: 'value' | 'key' = 'value') => locate(doc, lines, segments, on);
  if (doc.errors.length > 0) {
    const json = name.toLowerCase().endsWith('.json') ? jsonSyntax(text) : undefined;
    const problems = json
      ? [{ ...positionOf(lines, json.offset), message: `not valid JSON: ${json.message}` }]
      : doc.errors.map((e) => ({ ...positionOf(lines, e.pos[0]), message: yamlMessage(text, e.code, e.message, e.pos[0]) }));
    return { syntax: problems.map((p) => ({ ...p, excerpt: excerpt(text, p.line, p.column) })), position };
  }
  // Aliases are resolved here; a file of aliases to aliases (exponential size) throws, and the loader says so.
  return { syntax: [], data: doc.toJS(), position };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/**
 * Walks the document along a config path. A value that is there is pointed
 * at where it starts; a mapping or list value at its key (the line a reader
 * looks for); an unknown key at the key itself (`on: 'key'`); a value that
 * is missing at the nearest mapping or list entry that holds the path.
 */
function locate(doc: Document, lines: LineCounter, segments: readonly PropertyKey[], on: 'value' | 'key'): Position {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let reached = 0;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) break;
      key = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value ?? undefined;
      if (node === undefined) {
        // `key:` with nothing after it
        reached++;
        break;
      }
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      key = undefined;
      node = node.items[segment];
    } else break;
    reached++;
  }
  const complete = reached === segments.length;
  const start = (n: unknown) => (n && typeof n === 'object' && 'range' in n && Array.isArray((n as Node).range) ? (n as Node).range![0] : undefined);
  let offset: number | undefined;
  if (complete && on === 'key' && key) offset = start(key);
  else if (complete && isScalar(node)) offset = start(node);
  else if (complete && isAlias(node)) offset = start(node);
  else offset = key ? start(key) : start(node);
  return positionOf(lines, offset ?? 0);
}
