/**
 * The Terraform CLI config the project's commands (deploy) and tools
 * (validate) run Terraform with: providers from a local filesystem mirror
 * when there is one (offline machines: /opt/tf-plugins, or
 * CLOUDTRAIL_TF_PLUGIN_DIR), else from the registry as usual.
 *
 * With an unpacked mirror `terraform init` links each stack's provider
 * straight into the mirror (0.4 s, nothing copied): the mirror is the
 * shared copy of the provider. Without one, the shared plugin cache
 * (TF_PLUGIN_CACHE_DIR) keeps Terraform from downloading the provider once
 * per stack.
 */
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';

export const PLUGIN_DIR_ENV = 'CLOUDTRAIL_TF_PLUGIN_DIR';
export const DEFAULT_PLUGIN_DIR = '/opt/tf-plugins';

export interface CliConfig {
  /** The CLI config file written. */
  readonly file: string;
  /** Where providers come from, for the log. */
  readonly note: string;
  /** Providers come from a local mirror (no plugin cache needed). */
  readonly mirror: boolean;
  /** The file's text (part of what an initialised stack folder was initialised with). */
  readonly text: string;
}

/** The mirror folder: CLOUDTRAIL_TF_PLUGIN_DIR, else /opt/tf-plugins; undefined when it does not exist. */
export function mirrorDir(env: NodeJS.ProcessEnv): { dir: string; fromEnv: boolean; exists: boolean } {
  const fromEnv = env[PLUGIN_DIR_ENV];
  const dir = path.resolve(fromEnv || DEFAULT_PLUGIN_DIR);
  return { dir, fromEnv: !!fromEnv, exists: existsSync(dir) };
}

/** The CLI config text: a filesystem mirror for hashicorp/* when the mirror exists, else direct installation. */
export function cliConfigText(env: NodeJS.ProcessEnv, writer: string): { text: string; note: string; mirror: boolean } {
  const m = mirrorDir(env);
  if (m.exists) {
    const body = [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(m.dir)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
    ].join('\n');
    return { text: `# Written by ${writer}.\n${body}\n`, note: `providers from the mirror ${m.dir}${m.fromEnv ? ` (${PLUGIN_DIR_ENV})` : ''}`, mirror: true };
  }
  return {
    text: `# Written by ${writer}.\nprovider_installation {\n  direct {}\n}\n`,
    note: `no provider mirror at ${m.dir} (set ${PLUGIN_DIR_ENV}); providers come from the registry`,
    mirror: false,
  };
}

/** Writes the CLI config to `file` (its folder is created). */
export function writeCliConfig(file: string, env: NodeJS.ProcessEnv, writer: string): CliConfig {
  const { text, note, mirror } = cliConfigText(env, writer);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { file, note, mirror, text };
}
