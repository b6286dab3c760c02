/**
 * Reads the project's Markdown the way the doc tests need it: fenced blocks
 * with the doc-test marker before them and the ```text block after them,
 * headings as the anchors GitHub gives them, and relative links. The marker
 * convention is documented in docs/testing.md ("Doc tests").
 */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';

/**
 * Files written on branches that are not merged yet, and the feature each
 * belongs to: a link to one of them is accepted while it does not exist (its
 * anchors cannot be checked until then). Once a file exists this list must
 * lose it, so that links into it are checked like any other.
 */
export const PENDING_FILES: Readonly<Record<string, string>> = {
};

/** Fence languages that hold commands a reader types: each needs a doc-test marker. */
export const COMMAND_LANGUAGES: ReadonlySet<string> = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

export type Marker =
  | { readonly kind: 'run'; readonly exit: number; readonly line: number }
  | { readonly kind: 'skip'; readonly reason: string; readonly line: number }
  | { readonly kind: 'invalid'; readonly text: string; readonly line: number };

export interface Fence {
  /** Repository-relative path of the Markdown file. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** First word of the info string ('' when there is none). */
  readonly lang: string;
  /** The lines between the fences, with the fence's own indentation removed. */
  readonly body: string;
  /** The `<!-- doc-test: ... -->` comment on the last non-blank line before the fence. */
  readonly marker?: Marker;
  /** A ```text fence that follows this one (only blank lines between): the output the docs say it prints. */
  output?: Fence;
}

export interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

export interface MarkdownFile {
  readonly file: string;
  readonly fences: readonly Fence[];
  readonly links: readonly Link[];
  /** Anchors of the file's headings (GitHub's rules) and of explicit `<a id|name="...">` tags. */
  readonly anchors: ReadonlySet<string>;
  readonly headings: readonly string[];
}

const MARKER = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;
const FENCE_OPEN = /^( *)(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;

/** `run`, `run, exit 2`, `skip (needs AWS credentials)`; anything else is invalid. */
export function parseMarker(text: string, line: number): Marker {
  const run = /^run(?:,\s*exit\s+(\d+))?$/.exec(text);
  if (run) return { kind: 'run', exit: run[1] === undefined ? 0 : Number(run[1]), line };
  const skip = /^skip\s*\((.+)\)$/.exec(text);
  if (skip && skip[1].trim()) return { kind: 'skip', reason: skip[1].trim(), line };
  return { kind: 'invalid', text, line };
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links keep their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, ''); // code spans and emphasis keep their text
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Inline code spans blanked out (same length), so that their text is never read as a link. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(.+?)\1/g, (m) => ' '.repeat(m.length));
}

export function parseMarkdown(file: string, text: string): MarkdownFile {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  const links: Link[] = [];
  const headings: string[] = [];
  const anchors = new Set<string>();
  const slugCount = new Map<string, number>();
  let lastNonBlank: { text: string; line: number } | undefined;
  let previousFence: { fence: Fence; endLine: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const open = FENCE_OPEN.exec(raw);
    if (open) {
      const [, indent, fenceChars, lang] = open;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const close = lines[j].trim();
        if (close.startsWith(fenceChars) && /^[`~]+$/.test(close) && close[0] === fenceChars[0]) break;
        body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      }
      const markerMatch = lastNonBlank && MARKER.exec(lastNonBlank.text.trim());
      const fence: Fence = {
        file,
        line: i + 1,
        lang: lang.toLowerCase(),
        body: body.join('\n'),
        marker: markerMatch && lastNonBlank ? parseMarker(markerMatch[1], lastNonBlank.line) : undefined,
      };
      // Output: a text fence whose only predecessor since the command fence is blank lines.
      if (fence.lang === 'text' && previousFence && COMMAND_LANGUAGES.has(previousFence.fence.lang) && lastNonBlank?.line === previousFence.endLine) {
        previousFence.fence.output = fence;
      }
      fences.push(fence);
      previousFence = { fence, endLine: j + 1 };
      lastNonBlank = { text: lines[j] ?? '', line: j + 1 };
      i = j;
      continue;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      headings.push(heading[1]);
      const base = slug(heading[1]);
      const n = slugCount.get(base) ?? 0;
      slugCount.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of raw.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
    const plain = withoutCodeSpans(raw);
    for (const m of plain.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line: i + 1, target: m[1] });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(plain);
    if (definition) links.push({ file, line: i + 1, target: definition[1] });
    if (raw.trim()) lastNonBlank = { text: raw, line: i + 1 };
  }
  return { file, fences, links, anchors, headings };
}

/** README.md and every docs/*.md, as repository-relative paths. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function readMarkdown(root: string, file: string): MarkdownFile {
  return parseMarkdown(file, readFileSync(path.join(root, file), 'utf8'));
}

/**
 * Does `actual` hold nothing but what `expected` (a ```text block) says?
 * Line by line, trailing spaces ignored and trailing blank lines dropped; a
 * line that is only `...` stands for any number of lines (none included);
 * `…` inside a line stands for any text within that line (a timing, a path).
 */
export function outputMatches(expected: string, actual: string): boolean {
  const lines = (s: string) => {
    const l = s.split('\n').map((x) => x.replace(/\s+$/, ''));
    while (l.length && l[l.length - 1] === '') l.pop();
    return l;
  };
  const want = lines(expected);
  const got = lines(actual);
  const patterns = want.map((w) => (w.trim() === '...' ? 'any' : w.includes('…') ? new RegExp(`^${w.split('…').map(escapeRegExp).join('.*')}$`) : w));
  // Memoised match of patterns[i..] against got[j..].
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === patterns.length) result = j === got.length;
    else {
      const p = patterns[i];
      if (p === 'any') result = match(i + 1, j) || (j < got.length && match(i, j + 1));
      else if (j === got.length) result = false;
      else if (p instanceof RegExp) result = p.test(got[j]) && match(i + 1, j + 1);
      else result = p === got[j] && match(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What success must not print (issue 18, "quiet success"): each finding is a
 * short description of the noise and the line that holds it.
 */
export function noise(output: string): string[] {
  const found: string[] = [];
  const checks: [string, RegExp][] = [
    ['an [ERROR] label', /\[ERROR\]/],
    ['an escape sequence (colour, cursor movement)', /\u001b/],
    ['a carriage return (a line rewritten in place)', /\r/],
    ['a spinner frame', /[\u2801-\u28ff]/],
    ['a Node.js runtime warning', /\(node:\d+\)|\b\w*Warning:|--trace-warnings/],
    ["the AWS SDK's Node version warning", /AWS SDK for JavaScript|NodeVersionSupport|will require node/i],
    ['a deprecation notice', /deprecat/i],
    ["an npm warning", /^npm (warn|WARN|ERR)/m],
    ['a negative number', /(?<![\w.\-/:])-\d+(\.\d+)?(?![\w-])/],
  ];
  for (const line of output.split('\n')) {
    for (const [what, re] of checks) if (re.test(line)) found.push(`${what}: ${JSON.stringify(line)}`);
  }
  return found;
}
