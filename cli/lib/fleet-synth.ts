/**
 * Synthesizing a fleet in process, and reading the stacks of a synthesis
 * back: what `affected` and `check-config --base` compare.
 */
import { execFileSync } from 'child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { configFromText } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { FleetConfig } from '../../config/model';
import { buildFleet } from '../../stacks/fleet';
import { withLeanTokenTraces } from '../../stacks/lean-traces';
import type { StackJson } from './stack-diff';

/** Stack name -> cdk.tf.json of a synthesis folder (`cdktf.out`, or its `stacks/` folder). */
export function readStacks(dir: string): Map<string, StackJson> {
  const stacksDir = existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  const stacks = new Map<string, StackJson>();
  for (const name of readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, name, 'cdk.tf.json');
    if (existsSync(file)) stacks.set(name, JSON.parse(readFileSync(file, 'utf8')));
  }
  if (stacks.size === 0) throw new Error(`${dir} holds no synthesized stacks (expected <dir>/stacks/<stack>/cdk.tf.json, as cdktf synth writes)`);
  return stacks;
}

/**
 * Where a throwaway synthesis goes: memory-backed /dev/shm when there is one
 * (at 1,000 stacks, creating and removing the files on disk cost more than
 * the synthesis), else the temp folder.
 */
function scratchRoot(): string {
  const shm = '/dev/shm';
  try {
    accessSync(shm, constants.W_OK);
    return shm;
  } catch {
    mkdirSync(os.tmpdir(), { recursive: true });
    return os.tmpdir();
  }
}

/** Synthesizes every stack of a config (the same code as `cdktf synth`) and returns them by name. */
export function synthStacks(config: FleetConfig): Map<string, StackJson> {
  const outdir = mkdtempSync(path.join(scratchRoot(), 'cloudtrail-affected-'));
  try {
    withLeanTokenTraces(() => {
      const app = new App({ outdir });
      buildFleet(app, config);
      app.synth();
    });
    return readStacks(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface Base {
  /** What the base is, for messages. */
  readonly label: string;
  readonly stacks: Map<string, StackJson>;
}

/**
 * The base to compare with: a folder of a previous synthesis, or a git ref
 * whose copy of the config file is synthesized with the current code (so a
 * change of code alone lists nothing; `--base <dir>` catches those).
 * A config file that does not exist at the ref gives an empty base.
 */
export function loadBase(base: string, configFile: string): Base {
  if (existsSync(base) && statSync(base).isDirectory()) return { label: base, stacks: readStacks(base) };
  // git runs in the config file's folder: the config may live in another repository than this project.
  const file = path.resolve(configFile);
  const cwd = path.dirname(file);
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  try {
    git('rev-parse', '--verify', '--quiet', `${base}^{commit}`);
  } catch {
    throw new Error(`--base ${base}: neither a folder nor a git commit or ref of the repository holding ${file}; give a ref (origin/main, HEAD~1) or a folder of a previous cdktf synth`);
  }
  // `<ref>:./<name>` is resolved against git's working folder (the config's folder).
  const relative = `${git('rev-parse', '--show-prefix').trim()}${path.basename(file)}`;
  let text: string;
  try {
    text = git('show', `${base}:./${path.basename(file)}`);
  } catch {
    return { label: `${base}:${relative} (absent)`, stacks: new Map() };
  }
  return { label: `${base}:${relative}`, stacks: synthStacks(configFromText(text, `${base}:${relative}`, FLEET_CHECKS)) };
}
