/**
 * The README stays a guide a newcomer finishes in one sitting, and the
 * reference stays complete: every key the config's JSON Schema knows is in
 * docs/config-reference.md (docs/testing.md, "Doc tests").
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { ROOT } from '../helpers/fleet';
import { readMarkdown } from './markdown';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the README is at most 350 lines', () => {
  expect(README.trimEnd().split('\n').length).toBeLessThanOrEqual(350);
});

test('the README starts with the two quick-start commands: synth on the default config, then the tests', () => {
  const commands = readMarkdown(ROOT, 'README.md').fences.filter((f) => f.lang === 'sh');
  expect(commands.slice(0, 2).map((f) => f.body.trim())).toEqual(['npm run setup && npm run synth', 'npm run setup && npm test']);
  // Before them: the title, what it is and for whom, and the heading of the quick start; nothing else.
  expect(README.slice(0, README.indexOf('```sh')).match(/^#+ .*$/gm)).toEqual(['# cloudtrail-fleet', '## Quick start']);
});

test('the README says how long each quick-start command takes', () => {
  const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1));
  expect(quickStart).toMatch(/npm run setup && npm run synth[\s\S]*about [^.]*minutes the\s+first time[\s\S]*\d+ s after that/);
  expect(quickStart).toMatch(/npm run setup && npm test[\s\S]*about \d+ minutes on a 2-core machine/);
});

/** Property names of a JSON Schema, at any depth. */
function schemaKeys(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => schemaKeys(n, into));
  else if (node && typeof node === 'object') {
    const properties = (node as { properties?: unknown }).properties;
    if (properties && typeof properties === 'object' && !Array.isArray(properties)) Object.keys(properties).forEach((k) => into.add(k));
    Object.values(node).forEach((v) => schemaKeys(v, into));
  }
  return into;
}

/** Words written as code (code spans and fenced blocks) in a Markdown file. */
function codeWords(file: string): Set<string> {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const code = [...text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n') + [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).join('\n');
  return new Set(code.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []);
}

test('every key of the config (config/cloudtrail.schema.json) is in docs/config-reference.md', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'config', 'cloudtrail.schema.json'), 'utf8'));
  // Upper-case keys are IAM policy grammar (Sid, Effect, Principal, ...) inside extraStatements: AWS documents them.
  const keys = [...schemaKeys(schema)].filter((k) => /^[a-z$]/.test(k));
  expect(keys.length).toBeGreaterThan(80);
  const documented = codeWords('docs/config-reference.md');
  expect(keys.filter((k) => !documented.has(k)).sort()).toEqual([]);
});
