/**
 * The change gate of `affected --base`, `check-config --base` and the deploy
 * command: the base (a previous synth folder, or the config at a git ref),
 * the current synthesis, which stacks changed, and what the change would
 * make Terraform destroy, replace or forget (cli/lib/change-plan.ts).
 *
 * A base folder of another fleet (another central account, bucket or
 * partition) is refused: its stacks are not this fleet's deployed state. A
 * git ref whose config described another fleet is a change of fleet, and
 * unsafe (cli/lib/change-plan.ts, fleetChangeFindings).
 */
import type { FleetConfig } from '../../config/model';
import { describeFleet, fleetIdentity, sameFleet, type FleetIdentity } from '../../modules/fleet-identity';
import { UsageError } from '../command';
import { analyzeChange, ChangePlan, declarationsOf, fleetChangeFindings, fleetIdentityOfStacks } from './change-plan';
import { Base, loadBase, synthStacks } from './fleet-synth';
import { stackChanges, StackChanges, StackJson } from './stack-diff';

export interface GateResult {
  readonly base: Base;
  readonly current: Map<string, StackJson>;
  readonly changes: StackChanges;
  readonly plan: ChangePlan;
}

/** The fleet a base belongs to: its marker, its config at the ref, or its central stack; undefined for an empty base. */
export function baseIdentity(base: Base): FleetIdentity | undefined {
  if (base.marker) return base.marker.fleet;
  if (base.config) return fleetIdentity(base.config);
  return fleetIdentityOfStacks(base.stacks);
}

/**
 * A base folder of another fleet is refused (a usage error, exit 2): its
 * stacks are not this fleet's deployed state. Returns the base's fleet when
 * it differs and the base is a git ref (a change of fleet, for the gate to
 * report), else undefined.
 */
export function checkBaseFleet(base: Base, baseArg: string, configFile: string, config: FleetConfig): FleetIdentity | undefined {
  const identity = fleetIdentity(config);
  const from = baseIdentity(base);
  if (!from || sameFleet(from, identity)) return undefined;
  if (base.kind === 'folder') {
    const what = base.marker ? `a synth of fleet ${describeFleet(from)} (config ${base.marker.config})` : `a synth of fleet ${describeFleet(from)}`;
    throw new UsageError(
      `--base ${baseArg} is ${what}, not of this config's fleet ${describeFleet(identity)} (${configFile}): ` +
        `comparing them would plan one fleet against the other's resources. Pass a synth folder of this fleet, or the config of that one (--config <file>)`,
    );
  }
  return from;
}

export function gateChange(baseArg: string, configFile: string, config: FleetConfig, current: Map<string, StackJson> = synthStacks(config)): GateResult {
  const base = loadBase(baseArg, configFile);
  const changes = stackChanges(base.stacks, current);
  const from = checkBaseFleet(base, baseArg, configFile, config);
  if (from) {
    const findings = fleetChangeFindings(from, fleetIdentity(config), base.stacks, config.backend.type === 'local');
    const rest = config.backend.type === 'local' ? { actions: [], findings: [], unsafe: [] } : analyzeChange(base.stacks, current, declarationsOf(config));
    const all = [...findings, ...rest.findings];
    return { base, current, changes, plan: { actions: rest.actions, findings: all, unsafe: all.filter((f) => f.unsafe) } };
  }
  return { base, current, changes, plan: analyzeChange(base.stacks, current, declarationsOf(config)) };
}
