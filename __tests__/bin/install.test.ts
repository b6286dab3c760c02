/**
 * `npm run setup` (scripts/install.js) runs `npm ci` only when node_modules
 * does not hold exactly what package-lock.json pins. Checked with --check on
 * a copy of the script next to made-up lockfiles.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from '../helpers/fleet';

const LOCK = {
  packages: {
    '': { name: 'x', dependencies: { a: '1.0.0' } },
    'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' },
    'node_modules/b': { version: '2.0.0', integrity: 'sha512-b', dev: true },
    'node_modules/c-darwin-arm64': { version: '3.0.0', integrity: 'sha512-c', optional: true },
  },
};
const INSTALLED = { packages: { 'node_modules/a': LOCK.packages['node_modules/a'], 'node_modules/b': LOCK.packages['node_modules/b'] } };

function check(installed: unknown | undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'install-'));
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(path.join(ROOT, 'bin', 'install.js'), path.join(dir, 'bin', 'install.js'));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(LOCK));
  if (installed !== undefined) {
    mkdirSync(path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), JSON.stringify(installed));
  }
  const run = spawnSync(process.execPath, [path.join(dir, 'bin', 'install.js'), '--check'], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout.trim() };
}

test('up to date: every locked package installed with its version and integrity (other platforms\' optional ones may be absent)', () => {
  expect(check(INSTALLED)).toEqual({ status: 0, out: 'node_modules matches package-lock.json' });
});

test('a fresh clone (no node_modules) needs npm ci', () => {
  expect(check(undefined)).toEqual({ status: 1, out: 'npm ci needed: node_modules is missing' });
});

test('another version installed needs npm ci', () => {
  const installed = { packages: { ...INSTALLED.packages, 'node_modules/a': { version: '0.9.0', integrity: 'sha512-old' } } };
  expect(check(installed)).toEqual({ status: 1, out: 'npm ci needed: node_modules/a is 0.9.0, the lockfile pins 1.0.0' });
});

test('a locked package that is missing needs npm ci', () => {
  expect(check({ packages: { 'node_modules/a': LOCK.packages['node_modules/a'] } })).toEqual({ status: 1, out: 'npm ci needed: node_modules/b is not installed' });
});

test('a package installed that the lockfile no longer has needs npm ci', () => {
  const installed = { packages: { ...INSTALLED.packages, 'node_modules/gone': { version: '1.0.0', integrity: 'sha512-g' } } };
  expect(check(installed)).toEqual({ status: 1, out: 'npm ci needed: node_modules/gone is installed but not in the lockfile' });
});

test("this repository's node_modules matches its lockfile after npm ci (the test run itself proves it)", () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'install.js'), '--check'], { encoding: 'utf8' });
  expect(run.stdout).toBe('node_modules matches package-lock.json\n');
});
