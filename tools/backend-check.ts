/**
 * An offline check of a stack's backend block (`terraform { backend | cloud }`),
 * which `terraform init -backend=false` skips.
 *
 * `terraform init` runs in a scratch folder holding only that block. It checks
 * the block's configuration first (attributes, hostname form, S3 key rules,
 * region, ARNs) and only then reaches out for state storage or credentials.
 * With no network and no credentials (both removed on purpose: HOME, AWS and
 * TF_TOKEN variables are cleared, so no real state is ever touched), a good
 * block fails at that second step. So:
 *   - init succeeds (local backend)                       -> `initialized`
 *   - every error is about network or credentials         -> `accepted`
 *   - any other error (invalid hostname, key, attribute)  -> `rejected`
 *   - no answer within the timeout                        -> `timeout` (a failure: never a guessed pass)
 *
 * The patterns below were measured with Terraform 1.11.4 (outputs captured in
 * __tests__/scripts/backend-check.test.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';

export type BackendOutcome = 'initialized' | 'accepted' | 'rejected' | 'timeout';

export interface BackendVerdict {
  readonly outcome: BackendOutcome;
  /** `Error:` summaries (with their detail lines) that made it `rejected`. */
  readonly errors: readonly string[];
  /** Errors that only say the network or credentials are missing. */
  readonly offline: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Errors that come after the backend configuration was accepted: the S3
 * backend looking for AWS credentials, HCP Terraform's service discovery or
 * token, and the network failures beneath them.
 */
const OFFLINE_ERRORS: readonly RegExp[] = [
  /^No valid credential sources found/,
  /^failed to refresh cached credentials/,
  /^Failed to request discovery document: .*(no such host|dial tcp|i\/o timeout|connection refused|network is unreachable|TLS handshake timeout|context deadline exceeded)/,
  /^Required token could not be found/,
  /^Error refreshing state: .*(no such host|dial tcp|i\/o timeout|connection refused|network is unreachable)/,
];

/** Splits `terraform init -no-color` output into its `Error:` and `Warning:` blocks. */
function blocks(output: string): { kind: 'Error' | 'Warning'; text: string }[] {
  const out: { kind: 'Error' | 'Warning'; text: string }[] = [];
  let current: { kind: 'Error' | 'Warning'; lines: string[] } | undefined;
  const flush = () => {
    if (current) out.push({ kind: current.kind, text: current.lines.join('\n').trim() });
    current = undefined;
  };
  for (const line of output.split('\n')) {
    const m = /^(?:│ )?(Error|Warning): (.*)$/.exec(line);
    if (m) {
      flush();
      current = { kind: m[1] as 'Error' | 'Warning', lines: [m[2]] };
    } else if (current) {
      current.lines.push(line.replace(/^│ ?/, ''));
    }
  }
  flush();
  return out;
}

/** Classifies one `terraform init` run of a backend-only folder. */
export function classifyBackendInit(run: { readonly code: number; readonly output: string; readonly timedOut?: boolean }): BackendVerdict {
  const all = blocks(run.output);
  const warnings = all.filter((b) => b.kind === 'Warning').map((b) => b.text);
  const errorBlocks = all.filter((b) => b.kind === 'Error').map((b) => b.text);
  const offline = errorBlocks.filter((e) => OFFLINE_ERRORS.some((re) => re.test(e)));
  const errors = errorBlocks.filter((e) => !offline.includes(e));
  if (run.timedOut) return { outcome: 'timeout', errors, offline, warnings };
  if (errors.length > 0) return { outcome: 'rejected', errors, offline, warnings };
  if (run.code === 0) return { outcome: 'initialized', errors, offline, warnings };
  if (offline.length > 0) return { outcome: 'accepted', errors, offline, warnings };
  // Failed without saying why in a form we know: not a pass.
  return { outcome: 'rejected', errors: [run.output.trim() || `terraform init exited ${run.code} without output`], offline, warnings };
}

/** The stack's `terraform` block with only its backend (or cloud) block: no providers to install. */
export function backendOnly(stack: Record<string, any>): Record<string, unknown> | undefined {
  const t = stack.terraform ?? {};
  const kept: Record<string, unknown> = {};
  if (t.backend !== undefined) kept.backend = t.backend;
  if (t.cloud !== undefined) kept.cloud = t.cloud;
  return Object.keys(kept).length ? { terraform: kept } : undefined;
}

/**
 * Variables that could lead Terraform to real credentials or state, and the
 * shared plugin cache (a backend-only folder installs no provider); removed for the check.
 */
const SECRET_ENV = /^(AWS_|TF_TOKEN_|TF_CLOUD_|TF_WORKSPACE$|TF_DATA_DIR$|TF_CLI_ARGS|ATLAS_TOKEN$|HOME$|TF_PLUGIN_CACHE_DIR$)/;

/** The environment of a backend check: no credentials anywhere, IMDS off, HOME in the scratch folder. */
export function backendEnv(base: NodeJS.ProcessEnv, scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!SECRET_ENV.test(k)) env[k] = v;
  return {
    ...env,
    HOME: scratch,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-aws-credentials'),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
}

/** Writes the scratch folder for one stack's backend check; returns it (undefined: the stack has no backend block). */
export function writeBackendScratch(stack: Record<string, any>, scratch: string): string | undefined {
  const block = backendOnly(stack);
  if (!block) return undefined;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(path.join(scratch, 'main.tf.json'), `${JSON.stringify(block, null, 2)}\n`);
  return scratch;
}

/** One line for a verdict. */
export function describeVerdict(v: BackendVerdict, seconds: number): string {
  switch (v.outcome) {
    case 'initialized':
      return `backend initialized (${seconds.toFixed(1)} s)`;
    case 'accepted':
      return `backend config accepted; init stopped at network/credentials as expected offline (${seconds.toFixed(1)} s)`;
    case 'timeout':
      return `backend check TIMED OUT after ${seconds.toFixed(0)} s (inconclusive, counted as a failure)`;
    case 'rejected':
      return 'backend block REJECTED by terraform init';
  }
}
