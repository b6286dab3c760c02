/**
 * The change gate against Terraform itself: for every before/after pair of
 * __tests__/helpers/change-pairs.ts (synthesized from configs, with the
 * removed and moved blocks synth writes, and the controls that take them
 * away), the real aws 5.100.0 provider plans the after stacks on a state
 * holding the before stacks (offline, -refresh=false;
 * __tests__/helpers/terraform-plan.ts), and the destroys, replacements,
 * forgets and moves it plans must be exactly those analyzeChange lists, given
 * the two syntheses only (as the deploy command calls it).
 *
 * That plan leaves out prevent_destroy and the trails' home-region
 * postconditions, to see what Terraform would do; a second plan keeps them
 * and must be refused for exactly the pairs the gate calls unsafe for a home
 * region change or a replaced key.
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
const tf = hasTerraformAndMirror ? test : test.skip;

const pairs = [...changePairs().values()];

/** Every stack of every pair that the change touches (and, in the pair "nothing", every stack: it must plan nothing). */
function stacksToPlan(only?: (pair: string, stack: string) => boolean): (StackPairToPlan & { pair: string })[] {
  const out: (StackPairToPlan & { pair: string })[] = [];
  for (const p of pairs) {
    for (const [stack, current] of p.current) {
      const base = p.base.get(stack);
      if (!base || (p.name !== 'nothing' && contentKey(base) === contentKey(current))) continue;
      if (!only || only(p.name, stack)) out.push({ pair: p.name, label: `${p.name} / ${stack}`, stack, base, current });
    }
  }
  return out;
}

const line = (pair: string, stack: string, a: { action: string; address: string; previousAddress?: string }) =>
  `${pair} / ${stack}: ${a.action} ${a.previousAddress ? `${a.previousAddress} -> ` : ''}${a.address}`;

tf(
  'every destroy, replacement, forget and move analyzeChange lists is what Terraform plans, and nothing else',
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'change-oracle-'));
    try {
      const toPlan = stacksToPlan();
      const planned = terraformChangePlans(dir, toPlan);
      const terraform: string[] = [];
      const ours: string[] = [];
      const plannedActions = new Set<string>();
      toPlan.forEach((t, i) => {
        for (const a of planned[i]) {
          terraform.push(line(t.pair, t.stack, a));
          plannedActions.add(a.action);
        }
      });
      for (const p of pairs) for (const a of analyzeChange(p.base, p.current).actions) ours.push(line(p.name, a.stack, a));
      expect(ours.sort()).toEqual(terraform.sort());
      // The oracle itself: the pairs do plan destroys, replacements, forgets and moves (it would pass vacuously otherwise).
      expect(plannedActions).toEqual(new Set(['destroy', 'replace', 'forget', 'move']));
      // And the controls plan destroys where synth's blocks plan forgets and moves.
      expect(terraform.filter((l) => l.startsWith('central.kmsKey false / '))).toEqual([
        'central.kmsKey false / cloudtrail-central: forget aws_kms_alias.central_key_alias',
        'central.kmsKey false / cloudtrail-central: forget aws_kms_key.central_key',
      ]);
      expect(terraform.filter((l) => l.startsWith('central.kmsKey false, control: no removed blocks / '))).toEqual([
        'central.kmsKey false, control: no removed blocks / cloudtrail-central: destroy aws_kms_alias.central_key_alias',
        'central.kmsKey false, control: no removed blocks / cloudtrail-central: destroy aws_kms_key.central_key',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  600_000,
);

tf(
  'with prevent_destroy and the home-region postcondition, Terraform refuses the plan of each pair the gate calls unsafe for them',
  () => {
    const refused = ['home region changed', 'central key multiRegion changed', 'created key multiRegion changed'];
    for (const name of refused) {
      const p = pairs.find((x) => x.name === name)!;
      expect([name, analyzeChange(p.base, p.current).unsafe.map((f) => f.kind)[0]]).toEqual([name, name.startsWith('home') ? 'home-region' : 'protected-replace']);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'change-oracle-checks-'));
    try {
      const toPlan = stacksToPlan((pair) => refused.includes(pair));
      expect(toPlan.map((t) => t.label).sort()).toEqual([
        'central key multiRegion changed / cloudtrail-central',
        'created key multiRegion changed / cloudtrail-account-333333333333',
        'home region changed / cloudtrail-account-222222222222',
        'home region changed / cloudtrail-central',
      ]);
      let output = '';
      try {
        terraformChangePlans(dir, toPlan, { keepChecks: true });
      } catch (e) {
        output = (e as Error).message;
      }
      expect(output).toContain('Resource postcondition failed');
      expect(output.replace(/\s+/g, ' ')).toContain('Trail my-trail of account 222222222222 is configured with home region us-west-2');
      expect(output.match(/Instance cannot be destroyed/g)).toHaveLength(2);
      expect(output).toMatch(/aws_kms_key\.central_key has\s+lifecycle\.prevent_destroy/);
      expect(output).toMatch(/aws_kms_key\.trail_my-trail_key has\s+lifecycle\.prevent_destroy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  600_000,
);
