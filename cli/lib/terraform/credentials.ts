/**
 * Where Terraform finds an API token for HCP Terraform / Terraform
 * Enterprise, in the order Terraform itself looks (Terraform CLI docs,
 * "CLI Configuration File": "Environment Variable Credentials" and
 * "Credentials"; `terraform login` writes the credentials file):
 *
 *   1. `TF_TOKEN_<host>`: the host name with `.` written as `_` and `-` as
 *      `__` (TF_TOKEN_app_terraform_io), or spelled as is;
 *   2. a `credentials "<host>" { token = "..." }` block in the CLI config
 *      file (TF_CLI_CONFIG_FILE, else ~/.terraformrc);
 *   3. `~/.terraform.d/credentials.tfrc.json` (`terraform login`).
 *
 * A `credentials_helper` in the CLI config can also supply tokens; it is a
 * program we do not run, so it is reported as "maybe".
 */
import { existsSync, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

export const DEFAULT_TFC_HOST = 'app.terraform.io';

export interface TokenSource {
  /** Where the token was found, for messages (never the token itself). */
  readonly source: string;
  readonly token: string;
}

export type TokenLookup =
  | { readonly found: true; readonly source: string; readonly token: string }
  | { readonly found: false; readonly helper?: string; readonly looked: readonly string[] };

/** The environment variable names Terraform accepts for a host, the shell-friendly one first. */
export function tokenEnvNames(host: string): string[] {
  const h = host.toLowerCase();
  return [...new Set([`TF_TOKEN_${h.replace(/-/g, '__').replace(/\./g, '_')}`, `TF_TOKEN_${h.replace(/\./g, '_')}`, `TF_TOKEN_${h}`])];
}

/** The host a TF_TOKEN_ variable is for (Terraform's decoding: `__` is `-`, then `_` is `.`). */
export function hostOfTokenEnv(name: string): string | undefined {
  if (!name.startsWith('TF_TOKEN_')) return undefined;
  return name.slice('TF_TOKEN_'.length).replace(/__/g, '-').replace(/_/g, '.').toLowerCase();
}

/** `credentials "host" { token = "..." }` blocks and a `credentials_helper` of an HCL CLI config (the simple forms Terraform documents). */
export function credentialsFromCliConfig(text: string): { tokens: Map<string, string>; helper?: string } {
  const tokens = new Map<string, string>();
  const block = /credentials\s+"([^"]+)"\s*\{([^}]*)\}/g;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    const token = /token\s*=\s*"([^"]*)"/.exec(m[2])?.[1];
    if (token) tokens.set(m[1].toLowerCase(), token);
  }
  const helper = /credentials_helper\s+"([^"]+)"/.exec(text)?.[1];
  return { tokens, helper };
}

/** The CLI config file Terraform reads: TF_CLI_CONFIG_FILE, else ~/.terraformrc. */
export function cliConfigFile(env: NodeJS.ProcessEnv, home = env.HOME ?? os.homedir()): string {
  return env.TF_CLI_CONFIG_FILE || path.join(home, '.terraformrc');
}

/** Finds the token Terraform would use for `host`. */
export function findTerraformToken(host: string, env: NodeJS.ProcessEnv, home = env.HOME ?? os.homedir()): TokenLookup {
  const wanted = host.toLowerCase();
  const looked: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value && hostOfTokenEnv(name) === wanted) return { found: true, source: `the environment variable ${name}`, token: value };
  }
  looked.push(tokenEnvNames(host)[0]);
  let helper: string | undefined;
  const rc = cliConfigFile(env, home);
  looked.push(rc);
  if (existsSync(rc)) {
    const parsed = credentialsFromCliConfig(readFileSync(rc, 'utf8'));
    const token = parsed.tokens.get(wanted);
    if (token) return { found: true, source: `the CLI config ${rc}`, token };
    helper = parsed.helper;
  }
  const credentialsFile = path.join(home, '.terraform.d', 'credentials.tfrc.json');
  looked.push(credentialsFile);
  if (existsSync(credentialsFile)) {
    try {
      const json = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { credentials?: Record<string, { token?: string }> };
      for (const [h, c] of Object.entries(json.credentials ?? {})) {
        if (h.toLowerCase() === wanted && c?.token) return { found: true, source: credentialsFile, token: c.token };
      }
    } catch {
      // unreadable: as if absent (Terraform would say so itself)
    }
  }
  return { found: false, helper, looked };
}

/** What to do when there is no token (one sentence, for doctor and deploy). */
export function missingTokenMessage(host: string, lookup: Extract<TokenLookup, { found: false }>): string {
  const helper = lookup.helper ? `; the CLI config names the credentials helper "${lookup.helper}", which may supply one (not run here)` : '';
  return `no API token for ${host}: run terraform login${host === DEFAULT_TFC_HOST ? '' : ` ${host}`}, or set ${tokenEnvNames(host)[0]} (looked in ${lookup.looked.join(', ')})${helper}`;
}
