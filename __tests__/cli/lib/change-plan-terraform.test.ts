/**
 * The change gate against Terraform itself: for every before/after pair of
 * __tests__/helpers/change-pairs.ts, the real aws 5.100.0 provider plans the
 * after stacks on a state holding the before stacks (offline, -refresh=false;
 * __tests__/helpers/terraform-plan.ts), and the destroys, replacements,
 * forgets and moves it plans must be exactly those analyzeChange lists.
 *
 * Needs terraform and the provider mirror; skipped (and says so) without them.
 */
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeChange } from '../../../cli/lib/change-plan';
import { contentKey } from '../../../cli/lib/stack-diff';
import { changePairs } from '../../helpers/change-pairs';
import { hasTerraformAndMirror, PLUGIN_DIR, StackPairToPlan, terraformChangePlans } from '../../helpers/terraform-plan';

if (!hasTerraformAndMirror) console.warn(`SKIPPED: the change gate's Terraform oracle needs terraform on PATH and a provider mirror at ${PLUGIN_DIR}`);

(hasTerraformAndMirror ? test : test.skip)(
  'every destroy, replacement, forget and move analyzeChange lists is what Terraform plans, and nothing else',
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'change-oracle-'));
    try {
      const pairs = [...changePairs().values()];
      const toPlan: (StackPairToPlan & { pair: string })[] = [];
      for (const p of pairs) {
        for (const [stack, current] of p.current) {
          const base = p.base.get(stack);
          // A stack that is the same on both sides plans nothing (each one is planned once, in the pair "nothing", to prove it).
          if (base && (p.name === 'nothing' || contentKey(base) !== contentKey(current))) toPlan.push({ pair: p.name, label: `${p.name} / ${stack}`, stack, base, current });
        }
      }
      const planned = terraformChangePlans(dir, toPlan);
      const terraform: string[] = [];
      const ours: string[] = [];
      toPlan.forEach((t, i) => {
        for (const a of planned[i]) terraform.push(`${t.label}: ${a.action} ${a.previousAddress ? `${a.previousAddress} -> ` : ''}${a.address}`);
      });
      for (const p of pairs) {
        for (const a of analyzeChange(p.base, p.current, p.declarations).actions) {
          ours.push(`${p.name} / ${a.stack}: ${a.action} ${a.previousAddress ? `${a.previousAddress} -> ` : ''}${a.address}`);
        }
      }
      expect(ours.sort()).toEqual(terraform.sort());
      // The oracle itself: the pairs do plan destroys, replacements, forgets and moves (it would pass vacuously otherwise).
      expect(new Set(terraform.map((l) => l.split(': ')[1].split(' ')[0]))).toEqual(new Set(['destroy', 'replace', 'forget', 'move']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  300_000,
);
