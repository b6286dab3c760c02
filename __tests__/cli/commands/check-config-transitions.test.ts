/**
 * check-config --base reports the changes only a comparison with the
 * deployed base can see (modules/change-safety.ts, transitionProblems):
 * the bucket taken back into management without central.adopt, and a trail
 * whose home region changed. (The exit status of --base is the gate's.)
 */
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { configOf, rawWith } from '../../helpers/fleet';
import { buildFleet } from '../../../stacks/fleet';
import { baseWarnings, report } from '../../../cli/commands/check-config';

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

  test('a trail whose home region changed is reported, with how to move it', () => {
    const config = configOf(rawWith((r) => Object.assign(r.central, { bucketManagement: 'policyOnly' }) && (r.accounts[0].region = 'eu-west-1')));
    expect(baseWarnings(config, base, 'unused.yaml')).toEqual([
      expect.stringMatching(/^warning: stack cloudtrail-account-222222222222: trail my-trail of account 222222222222 moves its home region from us-east-2 to eu-west-1: CloudTrail cannot move a trail/),
    ]);
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
