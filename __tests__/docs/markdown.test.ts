/**
 * The doc tests' own reading of Markdown: markers, output blocks, anchors,
 * links, the output comparison and the noise checks, each shown to fail
 * where it must.
 */
import { noise, outputMatches, parseMarkdown, parseMarker, slug } from './markdown';

describe('markers', () => {
  test.each([
    ['run', { kind: 'run', exit: 0 }],
    ['run, exit 2', { kind: 'run', exit: 2 }],
    ['skip (needs AWS credentials)', { kind: 'skip', reason: 'needs AWS credentials' }],
  ])('%s', (text, marker) => {
    expect(parseMarker(text, 1)).toMatchObject(marker);
  });

  test.each(['skip', 'skip ()', 'run exit 2', 'runs', 'skip: no reason in parentheses'])('%j is not a marker', (text) => {
    expect(parseMarker(text, 1).kind).toBe('invalid');
  });
});

describe('parseMarkdown', () => {
  const md = parseMarkdown(
    'x.md',
    [
      '# Title',
      '',
      '<!-- doc-test: run, exit 3 -->',
      '```sh',
      'echo hi',
      '```',
      '',
      '```text',
      'hi',
      '```',
      '',
      '1. A step:',
      '   <!-- doc-test: skip (needs AWS credentials) -->',
      '   ```sh',
      '   aws sts get-caller-identity',
      '   ```',
      '',
      'Some text [a link](other.md#a-heading) and `[not a link](nowhere.md)`.',
      '',
      '```sh',
      'echo unmarked',
      '```',
      'Prose between.',
      '```text',
      'not its output',
      '```',
      '',
      '## The gate: `affected` and check-config --base',
      '## Why prevent_destroy is not enough',
      '## Title',
      '<a id="custom"></a>',
    ].join('\n'),
  );

  test('finds each fence with its language, marker and output', () => {
    expect(md.fences.map((f) => [f.line, f.lang, f.marker?.kind, f.output?.line])).toEqual([
      [4, 'sh', 'run', 8],
      [8, 'text', undefined, undefined],
      [14, 'sh', 'skip', undefined],
      [20, 'sh', undefined, undefined],
      [24, 'text', undefined, undefined],
    ]);
    expect(md.fences[0].marker).toMatchObject({ kind: 'run', exit: 3 });
    expect(md.fences[2].body).toBe('aws sts get-caller-identity');
  });

  test('reads links outside code spans and fences only', () => {
    expect(md.links.map((l) => [l.line, l.target])).toEqual([[18, 'other.md#a-heading']]);
  });

  test("gives headings GitHub's anchors, numbering repeats", () => {
    expect([...md.anchors]).toEqual(['title', 'the-gate-affected-and-check-config---base', 'why-prevent_destroy-is-not-enough', 'title-1', 'custom']);
  });
});

test.each([
  ['npm run validate', 'npm-run-validate'],
  ['Reference: the `bootstrap` key', 'reference-the-bootstrap-key'],
  ['Day two: verify and affected', 'day-two-verify-and-affected'],
  ['In a CI workflow (GitHub Actions)', 'in-a-ci-workflow-github-actions'],
  ["Deleting a trail's key", 'deleting-a-trails-key'],
])('slug(%j) = %j', (heading, anchor) => {
  expect(slug(heading)).toBe(anchor);
});

describe('outputMatches', () => {
  test('line by line, trailing spaces and trailing blank lines ignored', () => {
    expect(outputMatches('a\nb', 'a  \nb\n\n')).toBe(true);
    expect(outputMatches('a\nb', 'a\nb\nc')).toBe(false);
    expect(outputMatches('a\nb\nc', 'a\nb')).toBe(false);
    expect(outputMatches('a\nb', 'a\nB')).toBe(false);
  });

  test('a line "..." stands for any lines, none included', () => {
    expect(outputMatches('...\nlast', 'one\ntwo\nlast')).toBe(true);
    expect(outputMatches('first\n  ...\nlast', 'first\nlast')).toBe(true);
    expect(outputMatches('first\n...\nlast', 'first\nlast\nmore')).toBe(false);
    expect(outputMatches('first\n...', 'second\nfirst')).toBe(false);
  });

  test('"…" inside a line stands for any text of that line only', () => {
    expect(outputMatches('took … s (ok)', 'took 12.5 s (ok)')).toBe(true);
    expect(outputMatches('took … s (ok)', 'took 12.5 s (failed)')).toBe(false);
    expect(outputMatches('a…b', 'a\nb')).toBe(false);
    expect(outputMatches('cost (… of 20480)', 'cost (852 of 20480)')).toBe(true);
  });
});

describe('noise', () => {
  test('quiet output has none', () => {
    expect(noise('cloudtrail-fleet: 1 account, 1 trail, 2 stacks\n  bucket policy: 852 of 20480 bytes (4.2%), encoding per-account\n222222222222  my-trail  us-east-2 (all)  -\n2026-11-26T12:00:00Z us-east-2 7–30\nwarning: accounts[0].logFileValidation: ...')).toEqual([]);
  });

  test.each([
    ['[2026-12-05T00:33:29.367] [ERROR] default - getaddrinfo ENOTFOUND checkpoint-api.hashicorp.com', '[ERROR]'],
    ['\u001b[2K\u001b[1A', 'escape sequence'],
    ['⠋  Synthesizing', 'spinner'],
    ['50/100\rdone', 'carriage return'],
    ['(node:1234) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.', 'runtime warning'],
    ['NodeVersionSupportWarning: The AWS SDK for JavaScript (v3) will require node >=22', 'AWS SDK'],
    ['│ Warning: Deprecated Parameter', 'runtime warning'],
    ['npm warn Unknown env config "foo"', 'npm warning'],
    ['1000 accounts: -0.3 ms per account', 'negative number'],
    ['(-12 bytes)', 'negative number'],
  ])('%j is noise (%s)', (line, what) => {
    expect(noise(line).join('\n')).toContain(what);
  });
});
