/**
 * The Terraform that deploy runs: found on PATH, its version asked once,
 * the CLI config and plugin cache chosen, and an environment fit for
 * automation.
 *
 * CLI config: a user's own (TF_CLI_CONFIG_FILE naming a file that exists,
 * or ~/.terraformrc) is used as it is: it may hold credentials, a mirror or
 * a network mirror of their own. Without one, deploy writes
 * `<home>/terraform.rc` with the writer validate uses
 * (cli/lib/terraform/cli-config.ts): the offline mirror when there is one,
 * else the registry.
 *
 * Plugin cache: with the (unpacked) mirror every stack links the provider
 * straight from the mirror, so no cache is set (measured with 1.11.4: 16
 * parallel inits sharing a cache race on it, "failed to create directory
 * ...: file exists", even with the cache full). Otherwise one shared cache,
 * TF_PLUGIN_CACHE_DIR=<home>/plugin-cache (or the user's own), filled by
 * the first init alone (run.ts).
 */
import { existsSync, mkdirSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CouldNotCheck } from '../../command';
import { cliConfigFile } from '../terraform/credentials';
import { writeCliConfig } from '../terraform/cli-config';
import { onPath, runCommand } from '../terraform/process';
import type { TerraformSetup } from './run';

export interface SetupResult {
  readonly setup: TerraformSetup;
  /** What was chosen and why, one line each (printed once). */
  readonly notes: readonly string[];
}

/** Variables that would make every stack share one working folder or workspace: never passed on. */
const SHARED_STATE_ENV = ['TF_DATA_DIR', 'TF_WORKSPACE'];

export async function terraformSetup(env: NodeJS.ProcessEnv, home: string): Promise<SetupResult> {
  const bin = onPath(env.CLOUDTRAIL_TERRAFORM || 'terraform', env);
  if (!bin) throw new CouldNotCheck(`terraform not found on PATH${env.CLOUDTRAIL_TERRAFORM ? ` (CLOUDTRAIL_TERRAFORM=${env.CLOUDTRAIL_TERRAFORM})` : ''}: install Terraform >= 1.7 and run again (docs/deploying.md)`);
  const notes: string[] = [];
  const out: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  for (const k of SHARED_STATE_ENV) {
    if (out[k] !== undefined) {
      notes.push(`${k} is set; ignored (each stack has its own folder and workspace)`);
      delete out[k];
    }
  }

  let cliConfigText = '';
  let mirror = false;
  const userRc = cliConfigFile(env, env.HOME ?? os.homedir());
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) {
    notes.push(`TF_CLI_CONFIG_FILE names ${env.TF_CLI_CONFIG_FILE}, which does not exist; running without it`);
    delete out.TF_CLI_CONFIG_FILE;
  }
  if (out.TF_CLI_CONFIG_FILE || (!env.TF_CLI_CONFIG_FILE && existsSync(userRc))) {
    const file = path.resolve(out.TF_CLI_CONFIG_FILE ?? userRc);
    out.TF_CLI_CONFIG_FILE = file;
    cliConfigText = `user:${file}`;
    notes.push(`Terraform CLI config: yours (${file})`);
  } else {
    const written = writeCliConfig(path.join(home, 'terraform.rc'), env, 'cloudtrail-fleet deploy');
    out.TF_CLI_CONFIG_FILE = written.file;
    cliConfigText = written.text;
    mirror = written.mirror;
    notes.push(`Terraform CLI config: ${written.file}; ${written.note}`);
  }

  let pluginCache = false;
  if (out.TF_PLUGIN_CACHE_DIR) {
    pluginCache = true;
    notes.push(`plugin cache: ${out.TF_PLUGIN_CACHE_DIR} (TF_PLUGIN_CACHE_DIR)`);
  } else if (!mirror) {
    const cache = path.join(home, 'plugin-cache');
    mkdirSync(cache, { recursive: true });
    out.TF_PLUGIN_CACHE_DIR = cache;
    pluginCache = true;
    notes.push(`plugin cache: ${cache} (shared by every stack; the provider is downloaded once)`);
  }

  const v = await runCommand(bin, ['version', '-json'], { cwd: home, env: out });
  let version: string | undefined;
  try {
    version = (JSON.parse(v.output.slice(v.output.indexOf('{'))) as { terraform_version?: string }).terraform_version;
  } catch {
    version = undefined;
  }
  if (v.code !== 0 || !version) throw new CouldNotCheck(`${bin} version -json failed (exit ${v.code}): ${v.output.trim().split('\n')[0] ?? ''}`);
  notes.unshift(`terraform ${version} (${bin})`);
  return { setup: { bin, env: out, version, cliConfigText, pluginCache }, notes };
}
