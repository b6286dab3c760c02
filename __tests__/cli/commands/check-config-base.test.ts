import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { configOf, rawWith } from '../../helpers/fleet';
import { buildFleet } from '../../../stacks/fleet';
import { baseWarnings, parseArgs, report } from '../../../cli/commands/check-config';

const two = () => rawWith((raw) => raw.accounts.push({ accountId: '333333333333' }));

describe('check-config --base', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'check-base-'));
    const app = new App({ outdir: base });
    buildFleet(app, configOf(two()));
    app.synth();
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  test('an account dropped without lifecycle: decommission or retain is a warning in the report', () => {
    const config = configOf(rawWith(() => undefined));
    const warnings = baseWarnings(config, base, 'unused.yaml');
    expect(warnings).toEqual([expect.stringMatching(/^warning: stack cloudtrail-account-333333333333 is in the base but not in the current config/)]);
    expect(report(config, warnings)).toMatch(/1 warning\(s\):\n {2}- accounts: stack cloudtrail-account-333333333333 is in the base .*lifecycle: decommission/);
  });

  test('the same account marked decommission is no warning, and the report says what the next deploy does', () => {
    const config = configOf(rawWith((raw) => raw.accounts.push({ accountId: '333333333333', lifecycle: 'decommission' })));
    expect(baseWarnings(config, base, 'unused.yaml')).toEqual([]);
    expect(report(config)).toMatch(/leaving the fleet \(no policy admits them\):\n {2}- accounts\[1\] 333333333333 trail my-trail: the next deploy destroys it/);
  });

  test('--base is parsed with the other options, and needs a value', () => {
    expect(parseArgs(['fleet.yaml', '--base', 'origin/main'])).toEqual({ configFile: 'fleet.yaml', base: 'origin/main' });
    expect(() => parseArgs(['--base'])).toThrow('--base needs a value (<ref|folder>)');
  });
});
