import { spawnSync } from 'child_process';
import * as path from 'path';
import { writeFileSync, mkdtempSync } from 'fs';
import * as os from 'os';
import { report, reportJson } from '../../../cli/commands/check-config';
import { guardFleet } from '../../helpers/guard-fleet';
import { configOf, defaultRaw, rawWith, ROOT } from '../../helpers/fleet';

describe('npm run check-config', () => {
  test('prints one row per trail with what it logs and where it delivers', () => {
    const out = report(
      configOf(
        rawWith((r) => {
          r.accounts[0].prefix = 'team-a';
          r.accounts[0].dataEvents = { s3: { allBuckets: 'ReadOnly' } };
        }),
      ),
    );
    const row = out.split('\n').find((l) => l.startsWith('222222222222'))!;
    expect(row).toContain('my-trail');
    expect(row).toContain('s3://my-bucket/team-a/AWSLogs/222222222222/');
    expect(row).toContain('SSE-KMS central key');
    expect(row).toContain('management All; S3 all buckets ReadOnly');
    expect(out).toMatch(/bucket policy: \d+ bytes of 20480 \(per-account\)/);
    expect(out).toContain('no warnings');
  });

  test('network activity events: in the EVENTS column (source, operations) with advanced selectors, and the cost note under the table', () => {
    const config = configOf(
      rawWith((r) => (r.accounts[0].networkActivityEvents = { eventSources: ['kms.amazonaws.com', { eventSource: 'secretsmanager.amazonaws.com', eventNames: ['GetSecretValue'] }] })),
    );
    const out = report(config);
    const row = out.split('\n').find((l) => l.startsWith('222222222222'))!;
    expect(row).toMatch(/ advanced +management All; network activity kms, secretsmanager \(GetSecretValue\) /);
    expect(out).toContain(
      '1 warning(s):\n  - accounts[0].networkActivityEvents: trail my-trail of 222222222222 logs network activity events of kms.amazonaws.com, secretsmanager.amazonaws.com: ' +
        'they are charged like data events, per event delivered (AWS CloudTrail pricing), and every call through a VPC endpoint of those services counts; list eventNames to log only the operations you need',
    );
    const json = reportJson(config) as any;
    expect(json.trails[0]).toMatchObject({ selectors: 'advanced', events: 'management All; network activity kms, secretsmanager (GetSecretValue)' });
    expect(json.warnings.map((w: any) => w.path)).toEqual(['accounts[0].networkActivityEvents']);
  });

  test('says what the guard does, that the management account is out of reach of SCPs, and its policy sizes (text and --json)', () => {
    const config = configOf(guardFleet(3, { deliveries: true }));
    const out = report(config);
    expect(out).toMatch(/\nguard: 1 service control policy \(per-account; \d+ of 5120 characters\) on r-ab12, stack cloudtrail-guard\n/);
    expect(out).toContain('guard: SCPs do not apply to the management account 111111111111: trail org-trail there is guarded by detection only');
    expect(out).toMatch(/guard: detection: \d+ EventBridge rules in 4 accounts -> event bus cloudtrail-fleet-guard/);
    expect(out).toContain('  - accounts[0]: service control policies do not apply to the management account 111111111111');
    const json = reportJson(config) as any;
    expect(json.guard.prevention).toEqual({
      encoding: 'per-account',
      policies: [{ characters: expect.any(Number), accounts: 3 }],
      limitCharacters: 5120,
      attachTo: ['r-ab12'],
      notCovered: { managementAccountId: '111111111111', trails: ['org-trail'] },
    });
    expect(json.guard.detection).toEqual({ deliverTo: 'eventBus', rules: expect.any(Number), busPolicy: { bytes: expect.any(Number), limit: 10240, encoding: 'accounts' } });
    expect((reportJson(configOf(defaultRaw())) as any).guard).toBeNull();
  });

  test('lists warnings under the table', () => {
    const out = report(configOf(rawWith((r) => (r.accounts[0].enableLogging = false))));
    expect(out).toMatch(/1 warning\(s\):\n  - accounts\[0\]\.enableLogging: trail my-trail is created with logging stopped/);
  });

  test('an invalid config exits 1 with every problem and its path', () => {
    // Uses the compiled script, as `npm run check-config` does.
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'check-'));
    const file = path.join(dir, 'bad.json');
    const raw = defaultRaw();
    raw.accounts[0].trailName = 'a';
    raw.accounts[0].regoin = 'us-east-1';
    writeFileSync(file, JSON.stringify(raw));
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'check-config', file], { encoding: 'utf8' });
    expect(run.status).toBe(2); // the one exit-code table: 2 = config error
    expect(run.stderr).toContain('accounts[0]: unknown key "regoin" (did you mean "region"?)');
    expect(run.stdout).toBe('');
  });

  test('a missing file given as the argument: says the file does not exist, never "synthesized" nor CLOUDTRAIL_CONFIG', () => {
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
    const missing = path.join(mkdtempSync(path.join(os.tmpdir(), 'check-')), 'nope.yaml');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'check-config', missing], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${missing}: 1 problem in the config\n${missing}: the config file ${missing} does not exist; check the path given on the command line\n`);
    expect(run.stderr).not.toMatch(/synthesized|CLOUDTRAIL_CONFIG/);
  });

  test('a missing file named by CLOUDTRAIL_CONFIG: the advice names CLOUDTRAIL_CONFIG, not the command line', () => {
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT });
    const missing = path.join(mkdtempSync(path.join(os.tmpdir(), 'check-')), 'nope.yaml');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'check-config'], { encoding: 'utf8', env: { ...process.env, CLOUDTRAIL_CONFIG: missing } });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `${missing}: 1 problem in the config\n${missing}: the config file ${missing} does not exist; CLOUDTRAIL_CONFIG names it: point CLOUDTRAIL_CONFIG at a YAML or JSON config file\n`,
    );
  });
});
