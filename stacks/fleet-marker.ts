/**
 * The fleet marker: `cdktf.out/fleet.json`, written beside the stacks by
 * every synth. It says which fleet (partition, central account, bucket) and
 * which config file the stacks come from, so a synth output can never be
 * mistaken for another fleet's: `affected --base <folder>` (and the deploy
 * command) refuse a folder of another fleet.
 *
 * When the synth output held another fleet (a user switching
 * CLOUDTRAIL_CONFIG in one clone), the backend settings Terraform cached in
 * each stack's folder (`.terraform/terraform.tfstate`) are cleared: the next
 * init then starts on this fleet's own state instead of stopping with
 * "Backend configuration changed" and offering `-migrate-state`, which would
 * copy the other fleet's state into this one's.
 *
 * Synth also warns when a fleet's local state is still where releases
 * before per-fleet state kept it (`terraform.<stack>.tfstate` in the project
 * root), with the commands that move it (docs/changing-safely.md,
 * "Local state per fleet").
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { FleetConfig } from '../config/model';
import { legacyLocalStateFile, localStateDir, localStateFile } from '../modules/backend';
import { describeFleet, FleetIdentity, fleetId, fleetIdentity, sameFleet } from '../modules/fleet-identity';

export const FLEET_MARKER = 'fleet.json';

export interface FleetMarker {
  /** Always `cloudtrail-fleet`: what wrote the file. */
  readonly writtenBy: 'cloudtrail-fleet';
  readonly fleet: FleetIdentity;
  /** `aws-111111111111-my-bucket`. */
  readonly id: string;
  /** The config file, relative to the project root when it is inside it. */
  readonly config: string;
  readonly backend: FleetConfig['backend']['type'];
  /** Local backend: the folder of the fleet's state files, relative to the project root. */
  readonly stateDir?: string;
}

/** The marker of a config synthesized into `outdir` (whose parent is the project root Terraform's relative state paths start from). */
export function fleetMarker(config: FleetConfig, configFile: string, outdir: string): FleetMarker {
  const root = path.dirname(path.resolve(outdir));
  const relative = path.relative(root, path.resolve(configFile));
  const identity = fleetIdentity(config);
  return {
    writtenBy: 'cloudtrail-fleet',
    fleet: identity,
    id: fleetId(identity),
    config: relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(configFile) : relative.split(path.sep).join('/'),
    backend: config.backend.type,
    ...(config.backend.type === 'local' ? { stateDir: localStateDir(identity) } : {}),
  };
}

export function writeFleetMarker(outdir: string, marker: FleetMarker): void {
  writeFileSync(path.join(outdir, FLEET_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

/**
 * The marker of a synth folder (`cdktf.out`, or its `stacks/` folder);
 * undefined when there is none (a synth of a release before markers).
 * A marker that is not one of ours is an error.
 */
export function readFleetMarker(dir: string): FleetMarker | undefined {
  let file = path.join(dir, FLEET_MARKER);
  if (!existsSync(file) && path.basename(path.resolve(dir)) === 'stacks') file = path.join(path.dirname(path.resolve(dir)), FLEET_MARKER);
  if (!existsSync(file)) return undefined;
  let marker: Partial<FleetMarker>;
  try {
    marker = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a fleet marker (${(e as Error).message}); synthesize again (npx cdktf synth)`);
  }
  const f = marker?.fleet;
  if (marker?.writtenBy !== 'cloudtrail-fleet' || !f || typeof f.partition !== 'string' || typeof f.centralAccountId !== 'string' || typeof f.bucketName !== 'string') {
    throw new Error(`${file}: not a fleet marker written by cloudtrail-fleet (expected writtenBy and fleet { partition, centralAccountId, bucketName }); synthesize again (npx cdktf synth)`);
  }
  return marker as FleetMarker;
}

/**
 * Before a synth output is rewritten for `config`: when it held another
 * fleet, removes the backend settings Terraform cached in each stack folder
 * (providers stay installed) and says so; returns the note lines.
 */
export function clearOtherFleetBackends(config: FleetConfig, outdir: string): string[] {
  let previous: FleetMarker | undefined;
  try {
    previous = readFleetMarker(outdir);
  } catch {
    previous = undefined;
  }
  const identity = fleetIdentity(config);
  if (!previous || sameFleet(previous.fleet, identity)) return [];
  const stacksDir = path.join(outdir, 'stacks');
  const cleared = existsSync(stacksDir)
    ? readdirSync(stacksDir).filter((stack) => {
        const cache = path.join(stacksDir, stack, '.terraform', 'terraform.tfstate');
        if (!existsSync(cache)) return false;
        rmSync(cache);
        return true;
      })
    : [];
  if (cleared.length === 0) return [];
  return [
    `note: ${path.basename(outdir)} held fleet ${describeFleet(previous.fleet)} (config ${previous.config}); ` +
      `the backend settings Terraform kept for it in ${cleared.length} stack folder(s) were cleared, so ${fleetId(identity)} starts on its own state ` +
      `(never pass --migrate-state when switching fleets: it would copy the other fleet's state)`,
  ];
}

/**
 * Stacks whose local state is still at the shared path of earlier releases
 * while this fleet's own file does not exist yet; the commands that move it
 * (run from the project root). A state file that names another bucket is
 * another fleet's: it is reported, not moved.
 */
export function legacyStateWarnings(config: FleetConfig, stackNames: readonly string[], outdir: string): string[] {
  if (config.backend.type !== 'local') return [];
  const root = path.dirname(path.resolve(outdir));
  const identity = fleetIdentity(config);
  const mine: string[] = [];
  const others: string[] = [];
  for (const stack of stackNames) {
    const legacy = path.join(root, legacyLocalStateFile(stack));
    if (!existsSync(legacy) || existsSync(path.join(root, localStateFile(identity, stack)))) continue;
    const bucket = stateBucket(legacy);
    if (bucket === undefined || bucket === identity.bucketName) mine.push(stack);
    else others.push(`${legacyLocalStateFile(stack)} (it manages trails or a bucket of ${bucket}: another fleet's state)`);
  }
  const out: string[] = [];
  if (mine.length > 0) {
    const files = mine.flatMap((s) => [legacyLocalStateFile(s), ...(existsSync(path.join(root, `${legacyLocalStateFile(s)}.backup`)) ? [`${legacyLocalStateFile(s)}.backup`] : [])]);
    out.push(
      `warning: the local state of ${mine.length} stack(s) of fleet ${fleetId(identity)} is still in the project root, where every config shared it ` +
        `(${mine.join(', ')}); this fleet's state now lives in ${localStateDir(identity)}/. Until it is moved, a plan starts from an empty state. ` +
        `Move it (from the project root): mkdir -p ${localStateDir(identity)} && mv ${files.join(' ')} ${localStateDir(identity)}/ ` +
        `-- then run the next plan or deploy with --migrate-state (npx cdktf plan <stack> --migrate-state), since Terraform remembers the old path ` +
        `(docs/changing-safely.md, "Local state per fleet")`,
    );
  }
  for (const o of others) out.push(`warning: ${o} is in the project root and is not this fleet's (${fleetId(identity)}): leave it for that fleet's config`);
  return out;
}

/** The log bucket a state file's resources name (the central bucket, or the bucket a trail delivers to). */
function stateBucket(file: string): string | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8'));
    for (const r of state.resources ?? []) {
      for (const i of r.instances ?? []) {
        const a = i.attributes ?? {};
        if (r.type === 'aws_s3_bucket' && typeof a.bucket === 'string') return a.bucket;
        if (r.type === 'aws_s3_bucket_policy' && typeof a.bucket === 'string') return a.bucket;
        if (r.type === 'aws_cloudtrail' && typeof a.s3_bucket_name === 'string') return a.s3_bucket_name;
      }
    }
  } catch {
    // unreadable: let the user decide
  }
  return undefined;
}
