/**
 * The seam between deploy and the change-safety gate (issue 15, "No deploy
 * loses evidence"): before Terraform runs, deploy hands the gate what is
 * deployed (base) and what would be (current); a change the gate calls
 * unsafe stops the deploy (exit 1) unless `--allow-unsafe`.
 *
 * TODO(merge): the gate is built on branch `gate` as
 * `analyzeChange(baseStacks, currentStacks)` in `cli/lib/change-plan.ts`.
 * When it lands, `projectGate` below calls it and maps its findings to
 * `UnsafeChange`s; until then the build has no gate and deploy says so on
 * every run (it never claims a change was checked).
 */
import type { StackJson } from '../stack-diff';

export interface UnsafeChange {
  readonly stack: string;
  /** One line: what would be lost and how to make the change safely. */
  readonly message: string;
}

export interface GateVerdict {
  /** False when this build has no change-safety gate. */
  readonly available: boolean;
  readonly unsafe: readonly UnsafeChange[];
}

/** Base and current: stack name -> cdk.tf.json content. */
export type ChangeGate = (base: ReadonlyMap<string, StackJson>, current: ReadonlyMap<string, StackJson>) => GateVerdict;

/** The project's gate (see TODO(merge) above). */
export const projectGate: ChangeGate = () => ({ available: false, unsafe: [] });
