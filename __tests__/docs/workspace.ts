/**
 * A throwaway copy of the project that looks like a fresh clone after
 * `npm run setup`: the tracked files and the untracked ones git does not
 * ignore (so uncommitted edits are what runs), a git repository of its own
 * with `origin/main` at its first commit, `node_modules` linked to the
 * project's, and `dist/` copied from a build of these same sources. Commands
 * run there with the environment of a user's shell that has no AWS
 * credentials and is not a terminal (docs/testing.md, "Doc tests").
 */
import { execFileSync, spawn } from 'child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Builds dist/ in the project when a source is newer than the last build (what `npm run setup` leaves behind). */
export function buildProject(root: string): void {
  execFileSync(process.execPath, [path.join(root, 'bin', 'app.js'), '--build-only'], { cwd: root, stdio: 'pipe' });
}

/** The npx a reader's shell would find (the one next to the node running the tests, else on PATH). */
export function realNpx(): string {
  const dirs = [path.dirname(process.execPath), ...(process.env.PATH ?? '').split(path.delimiter)];
  const found = dirs.map((d) => path.join(d, 'npx')).find((f) => existsSync(f));
  if (!found) throw new Error('npx not found next to node or on PATH');
  return found;
}

/**
 * `npx cloudtrail-fleet …` goes straight to the project's bin, the file npx
 * resolves it to (package.json "bin"), run by the node first on PATH as its
 * `#!/usr/bin/env node` line would be: npm's own start-up (loading the
 * package tree) costs about a second of CPU per command, which the doc tests
 * would pay some twenty times. Any other npx command goes to the real npx,
 * and one test runs `npx cloudtrail-fleet` through the real npx.
 */
function writeNpxShim(dir: string, workspace: string): void {
  mkdirSync(dir, { recursive: true });
  const shim = path.join(dir, 'npx');
  writeFileSync(
    shim,
    [
      '#!/usr/bin/env bash',
      '# doc tests: npx cloudtrail-fleet runs the bin npx resolves it to, without npm start-up (__tests__/docs/workspace.ts).',
      `if [ "$1" = cloudtrail-fleet ]; then shift; exec node ${JSON.stringify(path.join(workspace, 'bin', 'cloudtrail-fleet.js'))} "$@"; fi`,
      `exec ${JSON.stringify(realNpx())} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(shim, 0o755);
}

/** A new workspace (`<tmp>/doc-test-*\/repo`, so `..` is still a scratch folder); returns the repo folder. */
export function createWorkspace(root: string): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'doc-test-'));
  const dir = path.join(base, 'repo');
  mkdirSync(dir);
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((f) => f && f !== 'node_modules' && existsSync(path.join(root, f)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(dir, f));
  }
  // After the sources, so that the build stamp is newer than every source: bin/app.js does not rebuild.
  cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=doc-test', '-c', 'user.email=doc-test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe', env: cleanGitEnv() });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'doc-test workspace');
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  writeNpxShim(path.join(base, 'shim'), dir);
  return dir;
}

function cleanGitEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
}

/**
 * The environment of a reader's shell: the node running the tests first on
 * PATH (so the Node 22 run runs the commands on Node 22 too; only the npx
 * shim above is before it), no AWS
 * credentials anywhere (and no instance metadata probe), not a terminal but
 * a TERM that would allow colour, and nothing the project's wrappers set for
 * themselves (CI, CHECKPOINT_DISABLE, the SDK warning switch, npm_*), so the
 * test proves that they do.
 */
export function readerEnv(workspace: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: [path.join(path.dirname(workspace), 'shim'), path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    HOME: process.env.HOME ?? os.homedir(),
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: path.join(path.dirname(workspace), 'tmp'),
    AWS_CONFIG_FILE: path.join(path.dirname(workspace), 'no-aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(path.dirname(workspace), 'no-aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // npm's weekly "new version available" notice depends on the registry and the date, not on the project.
    npm_config_update_notifier: 'false',
  };
  mkdirSync(env.TMPDIR!, { recursive: true });
  // Kept as the machine has them: a TF_CLI_CONFIG_FILE naming a missing file is what these machines set,
  // and the clock-ahead run's faketime must reach the commands too.
  for (const k of ['TF_CLI_CONFIG_FILE', 'LD_PRELOAD', 'FAKETIME', 'FAKETIME_DONT_FAKE_MONOTONIC', 'DONT_FAKE_MONOTONIC']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return env;
}

export interface BlockRun {
  readonly exitCode: number | null;
  /** stdout and stderr as the reader sees them, interleaved in order. */
  readonly output: string;
  readonly seconds: number;
}

/** Runs a block's text as a bash script in the workspace (stderr into stdout, stop at the first failing command). */
export function runBlock(workspace: string, body: string, timeoutMs = 90_000): Promise<BlockRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `exec 2>&1\nset -e -o pipefail\n${body}\n`], { cwd: workspace, env: readerEnv(workspace), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    // The block's whole process group (npx, node, cdktf, ...), not only bash.
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}
