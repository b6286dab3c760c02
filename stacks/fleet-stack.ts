import { TerraformStack } from 'cdktf';

/**
 * Base of this project's stacks. It skips the one part of cdktf's synth this
 * project never needs: before writing any stack, cdktf resolves every element
 * of every stack once more ("preparing"), only to find tokens that reference
 * another stack and wire them through remote state. Every value a policy or
 * trail needs is known from the config, and no stack references another
 * (SPEC §1: no cross-stack tokens), so that pass finds nothing here; at
 * 1,000 accounts it was about a sixth of the synth time (README, "Fleet scale").
 *
 * The synthesized JSON is the same. If a cross-stack token were ever
 * introduced, it would be written as a reference to a resource that is not
 * in the stack: __tests__/stacks/self-contained.test.ts fails on that, and so
 * does `terraform validate` (npm run validate).
 */
export abstract class FleetStack extends TerraformStack {
  prepareStack(): void {
    this.ensureBackendExists();
  }
}
