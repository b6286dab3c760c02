/**
 * What the app prints around synth. The cdktf CLI shows what an app writes to
 * stdout as is and labels every stderr line `[ERROR]`, so the summary and the
 * warnings go to stdout and only real errors to stderr.
 *
 * A failing app's output is shown twice by the CLI (live, then again under
 * "Command output on stderr/stdout"). Under the CLI a config error is
 * therefore reported as error annotations of a stack that holds nothing
 * (`cloudtrail-config-error`): the CLI prints each annotation once, fails the
 * command, and the fleet's own stacks are not written.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { Annotations, App, TerraformStack } from 'cdktf';
import type { ConfigError } from '../config/load';
import type { FleetConfig } from '../config/model';
import { configWarnings } from '../config/warnings';
import { synthSummary } from './summary';

/** `CLOUDTRAIL_WARNINGS=off` (or `0`, `false`) leaves the warnings out of synth's output. */
export const WARNINGS_ENV = 'CLOUDTRAIL_WARNINGS';

/** The stack that carries a config error's annotations under the cdktf CLI. */
export const CONFIG_ERROR_STACK = 'cloudtrail-config-error';

export function warningsEnabled(env: NodeJS.ProcessEnv): boolean {
  return !['off', '0', 'false', 'no'].includes((env[WARNINGS_ENV] ?? '').trim().toLowerCase());
}

/** The summary, then one line per check-config warning (with its config path), for stdout. */
export function synthReport(config: FleetConfig, env: NodeJS.ProcessEnv, now: () => Date = () => new Date()): string {
  const summary = synthSummary(config, now);
  if (!warningsEnabled(env)) return summary;
  const warnings = configWarnings(config, now);
  if (warnings.length === 0) return summary;
  return (
    summary +
    warnings.map((w) => `warning: ${w.path}: ${w.message}\n`).join('') +
    `(${warnings.length} warning${warnings.length === 1 ? '' : 's'}; ${WARNINGS_ENV}=off hides them, npm run check-config explains the config)\n`
  );
}

/** True when the cdktf CLI runs the app (it sets this variable for every synth). */
export function underCdktfCli(env: NodeJS.ProcessEnv): boolean {
  return env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined && env.CDKTF_OUTDIR !== undefined;
}

/**
 * Hands a config error to the cdktf CLI as error annotations (one per
 * problem, each naming the file, line and column): the CLI prints them once
 * and exits 1.
 */
export function reportConfigErrorToCdktfCli(error: ConfigError): void {
  const app = new App({ context: { '@cdktf/disable_stack_trace_in_metadata': true } });
  const stack = new TerraformStack(app, CONFIG_ERROR_STACK);
  // One annotation each: the heading, every problem (a syntax error with its excerpt), the note on what waits.
  for (const text of [error.heading('nothing was synthesized'), ...error.problems(), ...(error.note ? [error.note] : [])]) Annotations.of(stack).addError(text);
  app.synth();
  moveOutOfStacks(app.outdir, CONFIG_ERROR_STACK);
}

/**
 * A rejected config leaves no stack output: the carrier stack (empty) moves
 * from `stacks/` to `config-error/` and the manifest points there, so the CLI
 * still reads its annotations while `cdktf.out/stacks/` holds nothing.
 */
/** Where a rejected config's carrier stack is kept (outside `stacks/`). */
const CONFIG_ERROR_DIR = 'config-error';

/** After a good synth, the carrier of an earlier rejected config goes. */
export function clearConfigError(outdir: string): void {
  rmSync(path.join(outdir, CONFIG_ERROR_DIR), { recursive: true, force: true });
}

function moveOutOfStacks(outdir: string, stackName: string): void {
  const manifestFile = path.join(outdir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const entry = manifest.stacks[stackName];
  const to = path.join(CONFIG_ERROR_DIR, stackName);
  clearConfigError(outdir);
  mkdirSync(path.join(outdir, CONFIG_ERROR_DIR), { recursive: true });
  renameSync(path.join(outdir, entry.workingDirectory), path.join(outdir, to));
  for (const key of ['stackMetadataPath', 'synthesizedStackPath', 'workingDirectory']) entry[key] = entry[key].replace(`stacks/${stackName}`, to);
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}
