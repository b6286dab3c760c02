/**
 * deploy's change-safety gate (issue 15, "No deploy loses evidence";
 * docs/changing-safely.md): before Terraform runs, the stacks last deployed
 * (the deploy records, or `--base`) are compared with the synthesis about to
 * be applied by the same analysis as `affected --base` and `check-config
 * --base` (cli/lib/change-plan.ts, `analyzeChange`), from the two syntheses
 * alone: what the config declares travels in the synthesized stacks. A
 * change with unsafe findings stops the deploy (exit 1) unless
 * `--allow-unsafe`.
 *
 * A base of another fleet (the records or `--base` name another central
 * account, bucket or partition) is a change of fleet, and unsafe
 * (`fleet-changed`), as for a git ref of another fleet in `affected`.
 */
import { CENTRAL_STACK } from '../../../modules/arns';
import { sameFleet } from '../../../modules/fleet-identity';
import { analyzeChange, ChangePlan, fleetChangeFindings, fleetIdentityOfStacks } from '../change-plan';
import type { StackJson } from '../stack-diff';

/** Base and current: stack name -> cdk.tf.json content. What the deploy would make Terraform destroy, replace, forget or move. */
export type ChangeGate = (base: ReadonlyMap<string, StackJson>, current: ReadonlyMap<string, StackJson>) => ChangePlan;

/** The project's gate. */
export const projectGate: ChangeGate = (base, current) => {
  const from = fleetIdentityOfStacks(base);
  const to = fleetIdentityOfStacks(current);
  if (from && to && !sameFleet(from, to)) {
    const local = !!(current.get(CENTRAL_STACK) as Record<string, any> | undefined)?.terraform?.backend?.local;
    const findings = fleetChangeFindings(from, to, base, local);
    const rest = local ? { actions: [], findings: [] } : analyzeChange(base, current);
    const all = [...findings, ...rest.findings];
    return { actions: rest.actions, findings: all, unsafe: all.filter((f) => f.unsafe) };
  }
  return analyzeChange(base, current);
};
