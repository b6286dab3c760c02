import { TerraformElement, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { escapeLiteralText, templateTextProblems } from '../modules/terraform-text';
import { blockProblems } from '../modules/terraform-blocks';

const ESCAPED = Symbol('cloudtrail-fleet.escaped');

/**
 * Base of this project's stacks.
 *
 * 1. Literal text is escaped for Terraform here, for every element of the
 *    stack (resources, providers, data sources, outputs, backend, imports):
 *    see modules/terraform-text.ts. Modules write plain text and never escape.
 *    After resolution the stack is scanned; an unescaped `${`/`%{` that is not
 *    a cdktf reference is a bug of this project and fails the synth loudly.
 *
 * 2. It skips the one part of cdktf's synth this project never needs: before
 *    writing any stack, cdktf resolves every element of every stack once more
 *    ("preparing"), only to find tokens that reference another stack and wire
 *    them through remote state. Every value a policy or trail needs is known
 *    from the config, and no stack references another (no cross-stack
 *    tokens), so that pass finds nothing here; at 1,000 accounts it was about
 *    a sixth of the synth time (docs/fleet-scale.md). The synthesized JSON is
 *    the same. If a cross-stack token were ever introduced, it would be written
 *    as a reference to a resource that is not in the stack:
 *    __tests__/stacks/self-contained.test.ts fails on that, and so does
 *    `terraform validate` (npm run validate).
 */
export abstract class FleetStack extends TerraformStack {
  prepareStack(): void {
    this.ensureBackendExists();
  }

  toTerraform(): any {
    for (const element of elementsOf(this)) escapeOnSynth(element);
    const tf = super.toTerraform();
    const problems = templateTextProblems(tf);
    if (problems.length > 0) {
      throw new Error(
        `internal error in cloudtrail-fleet: stack ${this.node.id} would hand Terraform unescaped template text ` +
          `(it would be evaluated instead of reaching AWS as written):\n` +
          problems.slice(0, 10).map((p) => `  ${p.path}: ${JSON.stringify(p.text)}`).join('\n'),
      );
    }
    const blocks = blockProblems(tf);
    if (blocks.length > 0) throw new Error(`internal error in cloudtrail-fleet: stack ${this.node.id}: ${blocks.join('; ')} (Terraform would refuse the plan)`);
    return tf;
  }
}

function elementsOf(scope: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(scope)) into.push(scope);
  for (const child of scope.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

/** Wraps one element's toTerraform (once) so that its literal text comes out escaped. */
function escapeOnSynth(element: TerraformElement): void {
  const marked = element as TerraformElement & { [ESCAPED]?: true };
  if (marked[ESCAPED]) return;
  const synthesize = element.toTerraform.bind(element);
  element.toTerraform = () => escapeLiteralText(synthesize());
  marked[ESCAPED] = true;
}
