/**
 * deploy's synthesis: the same code as `cdktf synth` (buildFleet), run in
 * process into the normal output folder (cdktf.out), so Terraform runs in
 * the folders a user knows and `.terraform/` of earlier runs is kept (init
 * is skipped when nothing it depends on changed). Stack folders of stacks no
 * longer in the config are removed, as the cdktf CLI does.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { FleetConfig } from '../../../config/model';
import { buildFleet } from '../../../stacks/fleet';
import { withLeanTokenTraces } from '../../../stacks/lean-traces';
import { clearConfigError } from '../../../stacks/synth-output';
import { deployOrder, leavingIn, StackJson } from '../stack-diff';
import { stackContentHash } from './records';

export interface SynthesizedStack {
  readonly name: string;
  /** The stack's folder (Terraform runs here). */
  readonly dir: string;
  readonly json: StackJson;
  /** Content hash (records.ts). */
  readonly content: string;
}

/** Other Terraform files beside cdk.tf.json (override files): Terraform reads them too. */
function extraTerraformFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) {
    if (f === 'cdk.tf.json' || !/\.tf(\.json)?$/.test(f)) continue;
    out.set(f, readFileSync(path.join(dir, f), 'utf8'));
  }
  return out;
}

/** The stacks of an output folder, in deploy order (central first). */
export function readOutdir(outdir: string): SynthesizedStack[] {
  const stacksDir = path.join(outdir, 'stacks');
  if (!existsSync(stacksDir)) throw new Error(`${outdir} holds no synthesized stacks (no ${stacksDir}); run without --no-synth, or cloudtrail-fleet deploy synthesizes it`);
  const names = readdirSync(stacksDir).filter((n) => existsSync(path.join(stacksDir, n, 'cdk.tf.json')));
  const jsons = new Map(names.map((name) => [name, JSON.parse(readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as StackJson]));
  return deployOrder(names, leavingIn(jsons)).map((name) => {
    const dir = path.join(stacksDir, name);
    const json = jsons.get(name)!;
    return { name, dir, json, content: stackContentHash(json, extraTerraformFiles(dir)) };
  });
}

/** Synthesizes the fleet into `outdir`; returns its stacks in deploy order and the time taken. */
export function synthInto(config: FleetConfig, outdir: string): { stacks: SynthesizedStack[]; seconds: number } {
  const started = process.hrtime.bigint();
  const names = new Set<string>();
  withLeanTokenTraces(() => {
    const app = new App({ outdir });
    const { central, accounts } = buildFleet(app, config);
    for (const s of [central, ...accounts]) names.add(s.node.id);
    app.synth();
  });
  clearConfigError(outdir);
  // A direct app.synth() leaves the folders of stacks that left the config: remove them (their state is not in there).
  for (const n of readdirSync(path.join(outdir, 'stacks'))) if (!names.has(n)) rmSync(path.join(outdir, 'stacks', n), { recursive: true, force: true });
  const stacks = readOutdir(outdir);
  return { stacks, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
