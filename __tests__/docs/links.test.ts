/**
 * The README and docs/ hold together: no relative link or anchor is dead,
 * every topic file is linked from the README, every fenced block says its
 * language, and every command block says whether the doc tests run it
 * (docs/testing.md, "Doc tests").
 */
import { existsSync, statSync } from 'fs';
import * as path from 'path';
import { ROOT } from '../helpers/fleet';
import { COMMAND_LANGUAGES, documentationFiles, MarkdownFile, PENDING_FILES, readMarkdown } from './markdown';

const FILES = documentationFiles(ROOT);
const PARSED = new Map<string, MarkdownFile>(FILES.map((f) => [f, readMarkdown(ROOT, f)]));

function parsed(file: string): MarkdownFile {
  const known = PARSED.get(file);
  if (known) return known;
  const md = readMarkdown(ROOT, file);
  PARSED.set(file, md);
  return md;
}

/** What is wrong with one relative link, or undefined when it resolves. */
function deadLink(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:, ...
  const [filePart, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = filePart === '' ? from : path.posix.normalize(path.posix.join(path.posix.dirname(from), decodeURI(filePart)));
  if (file.startsWith('../') || path.isAbsolute(file)) return `${target} leaves the repository`;
  if (!existsSync(path.join(ROOT, file))) {
    return PENDING_FILES[file] ? undefined : `${target}: ${file} does not exist`;
  }
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(path.join(ROOT, file)).isDirectory()) return `${target}: an anchor into a file that is not Markdown`;
  const anchors = parsed(file).anchors;
  return anchors.has(anchor) ? undefined : `${target}: ${file} has no heading with the anchor #${anchor}`;
}

describe('links', () => {
  test('files still pending do not exist yet (when one exists, remove it from PENDING_FILES so links into it are checked)', () => {
    expect(Object.keys(PENDING_FILES).filter((file) => existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  test.each(FILES)('every relative link and anchor in %s resolves', (file) => {
    const dead = parsed(file).links.flatMap((l) => {
      const why = deadLink(file, l.target);
      return why ? [`${file}:${l.line}: ${why}`] : [];
    });
    expect(dead).toEqual([]);
  });

  test('every docs/ file is linked from the README', () => {
    const linked = new Set(parsed('README.md').links.map((l) => path.posix.normalize(l.target.split('#')[0])));
    const docs = [...FILES.filter((f) => f.startsWith('docs/')), ...Object.keys(PENDING_FILES).filter((f) => f.startsWith('docs/'))];
    expect(docs.filter((f) => !linked.has(f))).toEqual([]);
  });

  // The checker itself: a dead file, a dead anchor and a link out of the repository are each caught.
  test.each([
    ['docs/nowhere.md', 'docs/nowhere.md does not exist'],
    ['docs/commands.md#no-such-heading', 'has no heading with the anchor #no-such-heading'],
    ['#not-a-heading-of-the-readme', 'has no heading with the anchor'],
    ['../../etc/passwd', 'leaves the repository'],
  ])('a link to %s is reported', (target, message) => {
    expect(deadLink('README.md', target)).toContain(message);
  });

  test('a link to a pending doc is accepted while it does not exist, and a link to a real heading always', () => {
    expect(deadLink('README.md', 'docs/bootstrap.md#choose-who-deploys')).toBeUndefined();
    expect(deadLink('docs/day-two.md', 'commands.md#exit-codes')).toBeUndefined();
  });
});

describe('fenced blocks', () => {
  test.each(FILES)('every fenced block in %s names its language (```sh, ```text, ```yaml, ...)', (file) => {
    const bare = parsed(file).fences.filter((f) => f.lang === '').map((f) => `${file}:${f.line}`);
    expect(bare).toEqual([]);
  });

  test.each(FILES)('every command block in %s is marked <!-- doc-test: run --> or <!-- doc-test: skip (why) -->', (file) => {
    const problems = parsed(file).fences.flatMap((f) => {
      const where = `${file}:${f.line}`;
      if (!COMMAND_LANGUAGES.has(f.lang)) return f.marker ? [`${where}: a doc-test marker before a \`\`\`${f.lang} block, which holds no commands`] : [];
      if (!f.marker) return [`${where}: command block without a doc-test marker (<!-- doc-test: run --> or <!-- doc-test: skip (why not) -->)`];
      if (f.marker.kind === 'invalid') return [`${file}:${f.marker.line}: unknown doc-test marker "${f.marker.text}"`];
      return [];
    });
    expect(problems).toEqual([]);
  });
});
