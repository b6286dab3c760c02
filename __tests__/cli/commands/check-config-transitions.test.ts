/**
 * check-config --base reports the changes only a comparison with the
 * deployed base can see (modules/change-safety.ts, transitionProblems):
 * the bucket taken back into management without central.adopt; a trail
 * whose home region changed is the gate's own finding, reported once.
 * (The exit status of --base is the gate's.)
 */
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { configOf, rawWith } from '../../helpers/fleet';
import { buildFleet } from '../../../stacks/fleet';
import { writeFileSync } from 'fs';
import { baseChange, baseWarnings, report, runCheckConfig } from '../../../cli/commands/check-config';
import { EXIT } from '../../../cli/command';

describe('check-config --base: changes synth cannot see', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'check-transitions-'));
    const app = new App({ outdir: base });
    buildFleet(app, configOf(rawWith((r) => (r.central.bucketManagement = 'policyOnly'))));
    app.synth();
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  test('bucketManagement back to managed without central.adopt is reported, with the fix', () => {
    const config = configOf(rawWith(() => undefined));
    const warnings = baseWarnings(config, base, 'unused.yaml');
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: stack cloudtrail-central: central\.bucketManagement is managed, but the deployed central stack did not manage the bucket my-bucket .*Add central\.adopt: true/),
    ]);
    expect(report(config, warnings)).toContain('1 warning(s):');
  });

  test('with central.adopt it is not', () => {
    expect(baseWarnings(configOf(rawWith((r) => (r.central.adopt = true))), base, 'unused.yaml')).toEqual([]);
  });

  test('a trail whose home region changed is reported once, by the gate (unsafe, exit 1), with how to move it', () => {
    const raw = rawWith((r) => Object.assign(r.central, { bucketManagement: 'policyOnly' }) && (r.accounts[0].region = 'eu-west-1'));
    const config = configOf(raw);
    // Not a warning of its own: the gate's home-region finding says it, with the steps of docs/changing-safely.md.
    expect(baseWarnings(config, base, 'unused.yaml')).toEqual([]);
    expect(baseChange(config, base, 'unused.yaml').unsafe.map((f) => [f.kind, f.stack, f.address])).toEqual([
      ['home-region', 'cloudtrail-account-222222222222', 'aws_cloudtrail.trail_my-trail'],
      ['delivery-refused', 'cloudtrail-account-222222222222', 'aws_cloudtrail.trail_my-trail'],
    ]);
    const file = path.join(base, '..', `home-region-${path.basename(base)}.json`);
    writeFileSync(file, JSON.stringify(raw));
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: () => undefined, stdoutIsTTY: false, stderrIsTTY: false, env: {}, now: () => new Date(0) };
    expect(runCheckConfig({ configFile: file, base }, io)).toBe(EXIT.problems);
    expect(out.join('')).toMatch(
      /UNSAFE {2}cloudtrail-account-222222222222 aws_cloudtrail\.trail_my-trail: trail my-trail of 222222222222 cannot move its home region from us-east-2 to eu-west-1: .*Keep region: us-east-2 on the entry of my-trail, add an entry with another trailName in eu-west-1 beside it/,
    );
    expect(out.join('')).not.toMatch(/warning: stack cloudtrail-account-222222222222/);
    rmSync(file);
  });

  test('the report says what a decommission does to the trail key', () => {
    const kept = configOf(rawWith((r) => r.accounts.push({ accountId: '333333333333', lifecycle: 'decommission', kmsKey: { create: { alias: 'alias/ct' } } })));
    expect(report(kept, [], () => new Date(Date.UTC(2026, 11, 6)))).toContain(
      '  - accounts[1] 333333333333 trail my-trail: the next deploy destroys it; a KMS key created for it is kept, no longer managed',
    );
    const deleted = configOf(rawWith((r) => r.accounts.push({ accountId: '333333333333', lifecycle: 'decommission', deleteKeys: true, kmsKey: { create: { alias: 'alias/ct' } } })));
    expect(report(deleted, [], () => new Date(Date.UTC(2026, 11, 6)))).toContain(
      '  - accounts[1] 333333333333 trail my-trail: the next deploy destroys it and schedules the deletion of its KMS key (deleteKeys)',
    );
  });
});
