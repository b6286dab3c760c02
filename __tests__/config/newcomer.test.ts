/**
 * Issue 18: a newcomer's six-account fleet with an organization trail and
 * six typical mistakes, one of each kind (shape, naming rule, between keys,
 * the policy step). One run must report all six, each at its file:line:column
 * with the config path, the rule and the fix; fixing any of them must never
 * uncover a problem that was not reported.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, configFromText } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { ROOT } from '../helpers/fleet';

const FIXTURE = '__tests__/config/fixtures/newcomer-six-mistakes.yaml';
const TEXT = readFileSync(path.join(ROOT, FIXTURE), 'utf8');

/** Each mistake, the fix a reader of the report makes, and the line the report gives. */
const MISTAKES = [
  {
    kind: 'the policy step: a Sid the computed bucket policy already uses',
    line: `${FIXTURE}:16:14: central.bucketPolicy.extraStatements[0].Sid: Sid "DenyInsecureTransport" is already a statement of the computed policy; rename yours (Sids must be unique in a policy), or drop it if the computed statement says the same (cloudtrail-fleet policies cloudtrail-central prints it)`,
    fix: (t: string) => t.replace('- Sid: DenyInsecureTransport', '- Sid: BaselineDenyInsecureTransport'),
  },
  {
    kind: 'shape: an account id YAML reads as a number',
    line: `${FIXTURE}:31:16: accounts[1].accountId: account ids must be quoted strings of 12 digits; YAML read 12345678901 as a number (leading zeros would be lost). Write it in quotes, e.g. "012345678901"`,
    fix: (t: string) => t.replace('accountId: 012345678901 ', 'accountId: "012345678901"'),
  },
  {
    kind: "shape: a typo'd key",
    line:
      `${FIXTURE}:35:5: accounts[2]: unknown key "logFileValidaton" (did you mean "logFileValidation"?); valid keys here: accountId, name, region, assumeRoleArn, lifecycle, ` +
      'renamedFrom, deleteKeys, trailName, prefix, multiRegion, includeGlobalServiceEvents, organizationTrail, logFileValidation, enableLogging, kmsKey, sns, cloudWatchLogs, tags, managementEvents, dataEvents, insights, adopt',
    fix: (t: string) => t.replace('logFileValidaton:', 'logFileValidation:'),
  },
  {
    kind: 'a naming rule: a prefix with the AWSLogs folder',
    line: `${FIXTURE}:38:13: accounts[3].prefix: "AWSLogs/prod" contains the folder AWSLogs, which CloudTrail reserves for its own layout (InvalidS3PrefixException)`,
    fix: (t: string) => t.replace('prefix: AWSLogs/prod', 'prefix: prod'),
  },
  {
    kind: 'between keys: an organization trail outside the management account',
    line: `${FIXTURE}:41:24: accounts[4].organizationTrail: only the management account (111111111111) can create an organization trail; 444444444444 is not it (set organizationTrail: false here)`,
    fix: (t: string) => t.replace('organizationTrail: true       # mistake 4', 'organizationTrail: false      # mistake 4'),
  },
  {
    kind: "between keys: a KMS key in another region than the bucket",
    line: `${FIXTURE}:45:20: accounts[5].kmsKey.arn: the key is in us-east-1, but a trail's KMS key must be in the bucket's region (eu-west-1) (KmsKeyNotFoundException)`,
    fix: (t: string) => t.replace('arn:aws:kms:us-east-1:', 'arn:aws:kms:eu-west-1:'),
  },
] as const;

const NOTE = '(not yet checked against the rest of the config, until their own problems are fixed: accounts[1], accounts[2] and accounts[3])';

function problemsOf(text: string): string[] {
  try {
    configFromText(text, FIXTURE, FLEET_CHECKS);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems();
  }
}

test('the fixture holds six mistakes, each fixed by one edit', () => {
  expect(MISTAKES).toHaveLength(6);
  for (const m of MISTAKES) expect(m.fix(TEXT)).not.toBe(TEXT);
});

test('one run reports all six, in file order, each at its line and column with path, rule and fix', () => {
  let error: unknown;
  try {
    configFromText(TEXT, FIXTURE, FLEET_CHECKS);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message).toBe([`${FIXTURE}: 6 problems in the config`, ...MISTAKES.map((m) => m.line), NOTE].join('\n'));
});

test('fixing any of the six never uncovers a problem that was not reported (all 64 ways of fixing some)', () => {
  for (let mask = 0; mask < 1 << MISTAKES.length; mask++) {
    const fixed = MISTAKES.filter((_, i) => mask & (1 << i));
    const text = fixed.reduce((t, m) => m.fix(t), TEXT);
    const left = MISTAKES.filter((_, i) => !(mask & (1 << i))).map((m) => m.line);
    expect({ mask, problems: problemsOf(text) }).toEqual({ mask, problems: left });
  }
});

describe('the commands a newcomer runs (compiled, as npx cloudtrail-fleet and cdktf run them)', () => {
  let work: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'app.js'), '--build-only'], { cwd: ROOT, stdio: 'pipe' });
    work = mkdtempSync(path.join(os.tmpdir(), 'newcomer-'));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // The user's folder is the project folder here (npm sets INIT_CWD to it when the tests run under npm from elsewhere).
  const env = { ...process.env, INIT_CWD: ROOT };

  test('check-config prints exactly the six problems and the note on stderr, nothing on stdout, exit 2', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'check-config', FIXTURE], { cwd: ROOT, encoding: 'utf8', env });
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe([`${FIXTURE}: 6 problems in the config`, ...MISTAKES.map((m) => m.line), NOTE, ''].join('\n'));
    expect(run.status).toBe(2);
  });

  test('synth (CLOUDTRAIL_CONFIG) prints the same six and writes nothing', () => {
    const outdir = path.join(work, 'out');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'main.js')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...env, CLOUDTRAIL_CONFIG: FIXTURE, CDKTF_OUTDIR: outdir },
    });
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe([`${FIXTURE}: 6 problems in the config; nothing was synthesized`, ...MISTAKES.map((m) => m.line), NOTE, ''].join('\n'));
    expect(run.status).toBe(1);
    expect(existsSync(path.join(outdir, 'stacks'))).toBe(false);
  });
});
