import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { chooseConfigFile, CONFIG_ENV, ConfigError, configFromObject, configFromText, DEFAULT_CONFIG_PATH, formatPath, loadConfig, projectRoot } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { TRAIL_DEFAULTS } from '../../config/schema';
import { configOf, defaultRaw, issuesOf, rawWith, ROOT } from '../helpers/fleet';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'load-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The ConfigError a call throws (fails the test if it does not throw one). */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const trailOf = (raw: unknown, index = 0) => configOf(raw).trails.find((t) => t.index === index)!;

describe('reading config files', () => {
  test('a YAML file is read and resolved', () => {
    const file = writeTemp(
      'fleet.yaml',
      [
        'central:',
        '  accountId: "111111111111"',
        '  region: eu-west-1',
        '  bucketName: acme-trail-logs',
        'accounts:',
        '  - accountId: "012345678901"',
        '    trailName: audit',
        '    prefix: team-a',
        '',
      ].join('\n'),
    );
    const config = loadConfig(file);
    expect(config.central).toMatchObject({ accountId: '111111111111', region: 'eu-west-1', bucketName: 'acme-trail-logs' });
    expect(config.trails).toHaveLength(1);
    expect(config.trails[0]).toMatchObject({ accountId: '012345678901', trailName: 'audit', prefix: 'team-a', region: 'eu-west-1' });
  });

  test('a JSON file is read the same way', () => {
    const raw = rawWith((r) => (r.accounts[0].prefix = 'from-json'));
    const file = writeTemp('fleet.json', JSON.stringify(raw, null, 2));
    const config = loadConfig(file);
    expect(config.trails[0]).toMatchObject({ accountId: '222222222222', trailName: 'my-trail', prefix: 'from-json' });
    expect(config).toEqual(configOf(raw));
  });

  test('CLOUDTRAIL_CONFIG selects the file when no path is given', () => {
    const file = writeTemp('env.yaml', stringify(rawWith((r) => (r.central.bucketName = 'bucket-from-env'))));
    const before = process.env[CONFIG_ENV];
    process.env[CONFIG_ENV] = file;
    try {
      expect(CONFIG_ENV).toBe('CLOUDTRAIL_CONFIG');
      expect(loadConfig().central.bucketName).toBe('bucket-from-env');
    } finally {
      if (before === undefined) delete process.env[CONFIG_ENV];
      else process.env[CONFIG_ENV] = before;
    }
  });

  test('without CLOUDTRAIL_CONFIG, config/cloudtrail.yaml (the guide example) is used', () => {
    const before = process.env[CONFIG_ENV];
    delete process.env[CONFIG_ENV];
    try {
      expect(DEFAULT_CONFIG_PATH).toBe(path.join(ROOT, 'config', 'cloudtrail.yaml'));
      const config = loadConfig();
      expect(config.central).toMatchObject({ accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket' });
      expect(config.trails.map((t) => [t.accountId, t.trailName, t.multiRegion])).toEqual([['222222222222', 'my-trail', true]]);
    } finally {
      if (before !== undefined) process.env[CONFIG_ENV] = before;
    }
  });

  test('projectRoot finds the folder with package.json from anywhere below it', () => {
    expect(projectRoot(path.join(ROOT, 'config'))).toBe(ROOT);
    expect(projectRoot(path.join(ROOT, 'modules', 'policies'))).toBe(ROOT);
  });

  test('a missing file given as an argument says the file is missing and to check the path (not to set CLOUDTRAIL_CONFIG)', () => {
    const missing = path.join(dir, 'nope.yaml');
    const e = configErrorOf(() => loadConfig(missing));
    expect(e.source).toBe(missing);
    expect(e.issues).toEqual([{ path: '(file)', message: `the config file ${missing} does not exist; check the path given on the command line` }]);
  });

  test('a missing file named by CLOUDTRAIL_CONFIG says so and to point CLOUDTRAIL_CONFIG at a config', () => {
    const missing = path.join(dir, 'from-env.yaml');
    const before = process.env[CONFIG_ENV];
    process.env[CONFIG_ENV] = missing;
    try {
      expect(configErrorOf(() => loadConfig()).issues).toEqual([
        { path: '(file)', message: `the config file ${missing} does not exist; CLOUDTRAIL_CONFIG names it: point CLOUDTRAIL_CONFIG at a YAML or JSON config file` },
      ]);
    } finally {
      if (before === undefined) delete process.env[CONFIG_ENV];
      else process.env[CONFIG_ENV] = before;
    }
  });

  test('a YAML syntax error shows its line and the one before, with a caret under the column', () => {
    const file = writeTemp('broken.yaml', 'central:\n  accountId: "111111111111"\n  region: [us-east-2\naccounts: []\n');
    const e = configErrorOf(() => loadConfig(file));
    expect(e.report()).toBe(
      [
        `${file}: 1 problem in the config`,
        `${file}:4:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
        '  3 |   region: [us-east-2',
        '  4 | accounts: []',
        '    | ^',
      ].join('\n'),
    );
    expect(e.issues).toEqual([expect.objectContaining({ path: '(syntax)', line: 4, column: 1 })]);
  });

  test('a JSON syntax error is described as JSON, at its line and column, with a caret', () => {
    const file = writeTemp('broken.json', '{\n  "central": {\n    "accountId": "111111111111"\n    "region": "us-east-2"\n  }\n}\n');
    expect(configErrorOf(() => loadConfig(file)).report()).toBe(
      [
        `${file}: 1 problem in the config`,
        `${file}:4:5: not valid JSON: Expected ',' or '}' after property value`,
        '  3 |     "accountId": "111111111111"',
        '  4 |     "region": "us-east-2"',
        '    |     ^',
      ].join('\n'),
    );
  });

  test('a JSON file that ends too early says so, at its end', () => {
    const file = writeTemp('short.json', '{\n  "central": {\n    "accountId": "111111111111"\n');
    expect(configErrorOf(() => loadConfig(file)).report()).toBe(
      [
        `${file}: 1 problem in the config`,
        `${file}:3:32: not valid JSON: the JSON ends before it is complete (a missing } or ])`,
        '  2 |   "central": {',
        '  3 |     "accountId": "111111111111"',
        '    |                                ^',
      ].join('\n'),
    );
  });

  test('several YAML syntax errors are all reported, each with its excerpt', () => {
    const e = configErrorOf(() => configFromText('central:\n  region: us-east-2\n  region: eu-west-1\naccounts:\n  - a: b: c\n', 'two.yaml'));
    expect(e.issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [3, 3, 'the key "region" is written twice in this mapping; keep one (the file must say each setting once)'],
      [5, 8, 'not valid YAML: Nested mappings are not allowed in compact mappings'],
    ]);
    expect(e.report().split('\n').slice(-3)).toEqual(['  4 | accounts:', '  5 |   - a: b: c', '    |        ^']);
  });

  test('an empty file says what a config needs', () => {
    const file = writeTemp('empty.yaml', '# nothing yet\n');
    expect(configErrorOf(() => loadConfig(file)).report()).toBe(
      `${file}: 1 problem in the config\n${file}:1:1: (top level): the config is empty; it needs at least central and accounts (see config/cloudtrail.yaml)`,
    );
  });

  test('a file that is a list instead of a mapping is rejected at the top level', () => {
    expect(configErrorOf(() => configFromText('- central\n- accounts\n')).issues).toEqual([{ path: '(top level)', message: 'must be a mapping, got a list', line: 1, column: 1 }]);
  });

  test('a file of aliases to aliases (exponential size) is a config problem, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    levels.push(`g: [${Array(9).fill('*f').join(', ')}]`);
    const e = configErrorOf(() => configFromText(levels.join('\n') + '\n'));
    expect(e.issues).toEqual([{ path: '(file)', message: expect.stringMatching(/^the YAML cannot be read as data: Excessive alias count.*write the values out/) }]);
  });

  test('a key written twice in YAML is an error, not a silent override', () => {
    const e = configErrorOf(() => configFromText('central:\n  region: us-east-2\n  region: eu-west-1\n', 'twice.yaml'));
    expect(e.report()).toBe(
      [
        'twice.yaml: 1 problem in the config',
        'twice.yaml:3:3: the key "region" is written twice in this mapping; keep one (the file must say each setting once)',
        '  2 |   region: us-east-2',
        '  3 |   region: eu-west-1',
        '    |   ^',
      ].join('\n'),
    );
  });

  test('the error message lists every problem after its source; synth adds that nothing was synthesized', () => {
    const e = configErrorOf(() =>
      configFromObject(
        rawWith((r) => {
          r.accounts[0].trailName = 'a';
          r.central.bucketName = 'Bad_Bucket';
        }),
        'my.yaml',
      ),
    );
    expect(e.name).toBe('ConfigError');
    expect(e.message.split('\n')[0]).toBe('my.yaml: 2 problems in the config');
    expect(e.report('nothing was synthesized').split('\n')).toEqual([
      'my.yaml: 2 problems in the config; nothing was synthesized',
      'my.yaml: central.bucketName: bucket names may contain only lowercase letters, digits, "." and "-"; "Bad_Bucket" contains "B"',
      'my.yaml: accounts[0].trailName: trail names are 3 to 128 characters long; "a" has 1',
      '(the rules between settings and the policy sizes are checked once central has no problems: fix these and run again)',
    ]);
  });

  test('one problem is reported as "1 problem"', () => {
    const e = configErrorOf(() => configFromObject(rawWith((r) => (r.accounts[0].trailName = 'a')), 'x.yaml'));
    expect(e.message).toMatch(/^x\.yaml: 1 problem in the config\n/);
  });
});

describe('account ids written as YAML numbers', () => {
  test('an unquoted account id is rejected with the quoted form to write', () => {
    const text = stringify(defaultRaw()).replace('accountId: "222222222222"', 'accountId: 222222222222');
    expect(text).toContain('accountId: 222222222222\n');
    const e = configErrorOf(() => configFromText(text));
    expect(e.issues).toEqual([
      {
        path: 'accounts[0].accountId',
        message: 'account ids must be quoted strings of 12 digits; YAML read 222222222222 as a number (leading zeros would be lost). Write it in quotes, e.g. "222222222222"',
        line: text.split('\n').indexOf('  - accountId: 222222222222') + 1,
        column: 16,
      },
    ]);
  });

  test('an unquoted account id with a leading zero: the message shows the digits YAML dropped', () => {
    const text = stringify(defaultRaw()).replace('accountId: "111111111111"', 'accountId: 012345678901');
    const e = configErrorOf(() => configFromText(text));
    expect(text.split('\n')[1]).toBe('  accountId: 012345678901');
    expect(e.issues).toEqual([{ path: 'central.accountId', message: expect.stringMatching(/YAML read \d+ as a number .* e\.g\. "012345678901"$/), line: 2, column: 14 }]);
  });

  test('the organization management account id gets the same message', () => {
    const issues = issuesOf(rawWith((r) => (r.organization = { id: 'o-exampleorgid', managementAccountId: 111111111111 })));
    expect(issues).toEqual([{ path: 'organization.managementAccountId', message: expect.stringMatching(/quoted strings of 12 digits; YAML read 111111111111 as a number/) }]);
  });
});

describe('every violation at once', () => {
  test('schema problems in different places are all reported, in file order', () => {
    const issues = issuesOf(
      rawWith((r) => {
        r.central.region = 'us-east';
        r.defaults.prefix = '/bad';
        r.accounts[0].multiRegion = 'yes';
        r.accounts.push({ accountId: '33333333333', trailName: 'x' });
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(['central.region', 'defaults.prefix', 'accounts[0].multiRegion', 'accounts[1].accountId', 'accounts[1].trailName']);
  });

  test('cross-field problems of several accounts are all reported', () => {
    const issues = issuesOf(
      rawWith((r) => {
        r.accounts[0].includeGlobalServiceEvents = false;
        r.accounts.push({ accountId: '333333333333', organizationTrail: true });
        r.accounts.push({ accountId: '444444444444', managementEvents: { readWrite: 'ReadOnly' }, insights: { apiCallRate: true } });
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['accounts[0].includeGlobalServiceEvents', 'accounts[1].organizationTrail', 'accounts[2].insights.apiCallRate']);
  });

  test('paths name list positions and nested keys', () => {
    const issues = issuesOf(rawWith((r) => (r.accounts[0].dataEvents = { lambda: { functions: [{ arn: 'arn:aws:lambda:us-east-2:222222222222:function:ok' }, { arn: 'bad' }] } })));
    expect(issues).toEqual([{ path: 'accounts[0].dataEvents.lambda.functions[1].arn', message: expect.stringMatching(/"bad" is not an ARN/) }]);
  });

  test('formatPath writes list indexes in brackets and quotes keys that are not identifiers', () => {
    expect(formatPath(['accounts', 0, 'tags', 'a.b'])).toBe('accounts[0].tags["a.b"]');
    expect(formatPath(['central', 'kmsKey', 'decryptPrincipals', 2])).toBe('central.kmsKey.decryptPrincipals[2]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('unknown keys', () => {
  test('a typo in an account names the key and suggests the right one', () => {
    expect(issuesOf(rawWith((r) => (r.accounts[0].regoin = 'us-east-1')))).toEqual([
      { path: 'accounts[0]', message: expect.stringMatching(/^unknown key "regoin" \(did you mean "region"\?\); valid keys here: accountId, name, region,/) },
    ]);
  });

  test('a wrong case is caught and suggested', () => {
    expect(issuesOf(rawWith((r) => (r.central.bucketname = 'x')))).toEqual([
      { path: 'central', message: expect.stringMatching(/^unknown key "bucketname" \(did you mean "bucketName"\?\)/) },
    ]);
  });

  test('typos are caught at every level: top, defaults and nested settings', () => {
    expect(issuesOf(rawWith((r) => (r.acounts = [])))).toEqual([{ path: '(top level)', message: expect.stringMatching(/unknown key "acounts" \(did you mean "accounts"\?\)/) }]);
    expect(issuesOf(rawWith((r) => (r.defaults.multiregion = true)))).toEqual([{ path: 'defaults', message: expect.stringMatching(/did you mean "multiRegion"/) }]);
    expect(issuesOf(rawWith((r) => (r.accounts[0].managementEvents = { readwrite: 'All' })))).toEqual([
      { path: 'accounts[0].managementEvents', message: expect.stringMatching(/did you mean "readWrite"\?\); valid keys here: readWrite, excludeKmsEvents, excludeRdsDataApiEvents$/) },
    ]);
  });

  test('a typo in the mapping form of a value that may also be a word (kmsKey, a network event source) is named, not answered with the list of forms', () => {
    expect(issuesOf(rawWith((r) => (r.accounts[0].kmsKey = { arm: 'arn:aws:kms:us-east-2:222222222222:alias/x' })))).toEqual([
      { path: 'accounts[0].kmsKey', message: 'unknown key "arm" (did you mean "arn"?); valid keys here: arn, create' },
      { path: 'accounts[0].kmsKey', message: 'kmsKey takes exactly one of arn or create; none is set' },
    ]);
    expect(issuesOf(rawWith((r) => (r.accounts[0].networkActivityEvents = { eventSources: [{ eventsource: 'kms.amazonaws.com' }] })))).toEqual([
      { path: 'accounts[0].networkActivityEvents.eventSources[0].eventSource', message: 'required: add this key (a string)' },
      { path: 'accounts[0].networkActivityEvents.eventSources[0]', message: 'unknown key "eventsource" (did you mean "eventSource"?); valid keys here: eventSource, eventNames' },
    ]);
  });

  test('a key far from every valid key gets the list of valid keys but no guess', () => {
    const [issue] = issuesOf(rawWith((r) => (r.accounts[0].colour = 'blue')));
    expect(issue.path).toBe('accounts[0]');
    expect(issue.message).toMatch(/^unknown key "colour"; valid keys here: /);
    expect(issue.message).not.toMatch(/did you mean/);
  });
});

describe('defaults merged into accounts', () => {
  test('an account inherits every setting it does not set', () => {
    const t = trailOf(
      rawWith((r) => {
        Object.assign(r.defaults, { prefix: 'shared', logFileValidation: false, enableLogging: false });
      }),
    );
    expect(t).toMatchObject({ trailName: 'my-trail', prefix: 'shared', logFileValidation: false, enableLogging: false });
  });

  test('a plain setting of the account replaces the default', () => {
    const t = trailOf(rawWith((r) => Object.assign(r.defaults, { prefix: 'shared' }) && Object.assign(r.accounts[0], { prefix: 'own', trailName: 'own-trail' })));
    expect(t).toMatchObject({ prefix: 'own', trailName: 'own-trail' });
  });

  test('tags are merged key by key; the account wins on a shared key', () => {
    const t = trailOf(
      rawWith((r) => {
        r.defaults.tags = { owner: 'security', env: 'all' };
        r.accounts[0].tags = { env: 'prod', team: 'a' };
      }),
    );
    expect(t.tags).toEqual({ owner: 'security', env: 'prod', team: 'a' });
  });

  test('managementEvents and insights are merged key by key', () => {
    const t = trailOf(
      rawWith((r) => {
        r.defaults.managementEvents = { readWrite: 'WriteOnly', excludeKmsEvents: true };
        r.defaults.insights = { apiCallRate: true };
        r.accounts[0].managementEvents = { excludeRdsDataApiEvents: true };
        r.accounts[0].insights = { apiErrorRate: true };
      }),
    );
    expect(t.managementEvents).toEqual({ readWrite: 'WriteOnly', excludeKmsEvents: true, excludeRdsDataApiEvents: true });
    expect(t.insights).toEqual({ apiCallRate: true, apiErrorRate: true });
  });

  test('dataEvents are merged key by key down to each resource kind; lists are replaced, not concatenated', () => {
    const t = trailOf(
      rawWith((r) => {
        r.defaults.dataEvents = { s3: { allBuckets: 'ReadOnly', buckets: [{ name: 'default-bucket' }] }, lambda: { allFunctions: 'All' } };
        r.accounts[0].dataEvents = { s3: { buckets: [{ name: 'own-bucket', readWrite: 'WriteOnly' }] }, dynamodb: { allTables: 'WriteOnly' } };
      }),
    );
    expect(t.dataEvents.s3).toEqual({ allBuckets: 'ReadOnly', buckets: [{ name: 'own-bucket', prefix: '', readWrite: 'WriteOnly' }] });
    expect(t.dataEvents.lambda).toEqual({ allFunctions: 'All', functions: [] });
    expect(t.dataEvents.dynamodb).toEqual({ allTables: 'WriteOnly', tables: [] });
  });

  test('kmsKey is replaced whole: an { arn } in the account does not blend with a { create } in defaults', () => {
    const arn = 'arn:aws:kms:us-east-2:222222222222:alias/own-key';
    const t = trailOf(
      rawWith((r) => {
        r.defaults.kmsKey = { create: { alias: 'alias/default-key' } };
        r.accounts[0].kmsKey = { arn };
      }),
    );
    expect(t.kmsKey).toEqual({ kind: 'arn', arn });
  });

  test('sns is replaced whole: an existing topic in the account drops the created topic of defaults', () => {
    const topicArn = 'arn:aws:sns:us-east-2:111111111111:security-notifications';
    const t = trailOf(
      rawWith((r) => {
        r.defaults.sns = { create: { topicName: 'default-topic', sqsQueue: true } };
        r.accounts[0].sns = { topicArn };
      }),
    );
    expect(t.sns).toEqual({ kind: 'existing', topicArn });
  });

  test('cloudWatchLogs is replaced whole: the account does not inherit the roleArn of defaults', () => {
    const t = trailOf(
      rawWith((r) => {
        r.defaults.cloudWatchLogs = { create: { logGroupName: 'default-group' }, roleArn: 'arn:aws:iam::222222222222:role/Default' };
        r.accounts[0].cloudWatchLogs = { logGroupArn: 'arn:aws:logs:us-east-2:222222222222:log-group:own' };
      }),
    );
    expect(t.cloudWatchLogs).toEqual({ logGroup: { kind: 'existing', arn: 'arn:aws:logs:us-east-2:222222222222:log-group:own' }, roleArn: undefined });
  });

  test('a problem in an inherited setting is marked "(from defaults)"', () => {
    const issues = issuesOf(
      rawWith((r) => {
        r.defaults.kmsKey = { arn: 'arn:aws:kms:eu-west-1:222222222222:alias/x' };
      }),
    );
    expect(issues).toEqual([
      {
        path: 'accounts[0].kmsKey.arn (from defaults)',
        message: "the key is in eu-west-1, but a trail's KMS key must be in the bucket's region (us-east-2) (KmsKeyNotFoundException)",
      },
    ]);
  });

  test('the mark is left off when the account sets the key itself', () => {
    const issues = issuesOf(
      rawWith((r) => {
        r.defaults.insights = { apiCallRate: true };
        r.accounts[0].insights = { apiErrorRate: false };
        r.accounts[0].managementEvents = { readWrite: 'ReadOnly' };
      }),
    );
    expect(issues).toEqual([{ path: 'accounts[0].insights.apiCallRate', message: expect.stringMatching(/API call rate Insights need Write management events/) }]);
  });

  test('an inherited duplicate trail name is marked as coming from defaults', () => {
    expect(issuesOf(rawWith((r) => r.accounts.push({ accountId: '222222222222' })))).toEqual([
      { path: 'accounts[1].trailName (from defaults)', message: 'trail name "my-trail" is already used by accounts[0] (account 222222222222); choose another' },
    ]);
  });

  test('a schema problem under defaults is reported once, at its place in defaults', () => {
    const issues = issuesOf(
      rawWith((r) => {
        r.defaults.trailName = 'a';
        r.accounts.push({ accountId: '333333333333' });
      }),
    );
    expect(issues).toEqual([{ path: 'defaults.trailName', message: 'trail names are 3 to 128 characters long; "a" has 1' }]);
  });
});

describe('built-in defaults', () => {
  const minimal = () => ({
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket' },
    accounts: [{ accountId: '222222222222', trailName: 'my-trail' }],
  });

  test('a minimal config gets the settings of the AWS guide', () => {
    const config = configOf(minimal());
    expect(config.partition).toBe('aws');
    expect(config.backend).toEqual({ type: 'local' });
    expect(config.organization).toBeUndefined();
    const [t] = config.trails;
    expect(t).toMatchObject({
      region: 'us-east-2',
      multiRegion: TRAIL_DEFAULTS.multiRegion,
      includeGlobalServiceEvents: true,
      organizationTrail: false,
      logFileValidation: true,
      enableLogging: true,
      kmsKey: { kind: 'central' },
      tags: {},
      managementEvents: { readWrite: 'All', excludeKmsEvents: false, excludeRdsDataApiEvents: false },
      insights: { apiCallRate: false, apiErrorRate: false },
    });
    expect(t.multiRegion).toBe(true);
    expect(t.prefix).toBeUndefined();
    expect(t.sns).toBeUndefined();
    expect(t.cloudWatchLogs).toBeUndefined();
    expect(t.dataEvents).toEqual({ s3: { allBuckets: undefined, buckets: [] }, lambda: { allFunctions: undefined, functions: [] }, dynamodb: { allTables: undefined, tables: [] }, advanced: [] });
  });

  test('the central key is created by default with alias/cloudtrail-logs and a 30-day deletion window', () => {
    expect(configOf(minimal()).central.kmsKey).toEqual({ alias: 'alias/cloudtrail-logs', multiRegion: false, deletionWindowInDays: 30, decryptPrincipals: [], aliasGiven: false, existingKeyArn: undefined, extraStatements: [] });
    const raw: any = minimal();
    raw.central.kmsKey = true;
    expect(configOf(raw).central.kmsKey?.alias).toBe('alias/cloudtrail-logs');
  });

  test('central.kmsKey false means no central key, and trails default to kmsKey none (SSE-S3)', () => {
    const raw: any = minimal();
    raw.central.kmsKey = false;
    const config = configOf(raw);
    expect(config.central.kmsKey).toBeUndefined();
    expect(config.trails[0].kmsKey).toEqual({ kind: 'none' });
  });

  test('decryptPrincipals are sorted so the key policy does not depend on their order', () => {
    const raw: any = minimal();
    raw.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/Z', 'arn:aws:iam::111111111111:role/A'] };
    expect(configOf(raw).central.kmsKey?.decryptPrincipals).toEqual(['arn:aws:iam::111111111111:role/A', 'arn:aws:iam::111111111111:role/Z']);
  });

  test('an account region defaults to central.region and can be set per account', () => {
    const raw: any = minimal();
    raw.accounts.push({ accountId: '333333333333', trailName: 'eu-trail', region: 'eu-west-1' });
    expect(configOf(raw).trails.map((t) => t.region)).toEqual(['us-east-2', 'eu-west-1']);
  });

  test('a created log group keeps events 365 days unless set; sqsQueue: true names the queue like the topic', () => {
    const raw: any = minimal();
    raw.accounts[0].cloudWatchLogs = { create: { logGroupName: 'g' } };
    raw.accounts[0].sns = { create: { topicName: 'ct-notify', sqsQueue: true } };
    const [t] = configOf(raw).trails;
    expect(t.cloudWatchLogs?.logGroup).toEqual({ kind: 'create', name: 'g', retentionInDays: 365 });
    expect(t.sns).toEqual({ kind: 'create', topicName: 'ct-notify', sqsQueueName: 'ct-notify' });
  });

  test('{ arn } naming the central key alias ARN is treated as the central key', () => {
    const raw: any = minimal();
    raw.accounts[0].kmsKey = { arn: 'arn:aws:kms:us-east-2:111111111111:alias/cloudtrail-logs' };
    expect(configOf(raw).trails[0].kmsKey).toEqual({ kind: 'central' });
  });

  test('trails are ordered by account id and trail name, whatever the list order; index keeps the list position for messages', () => {
    const raw: any = minimal();
    raw.accounts = [
      { accountId: '333333333333', trailName: 'b-trail' },
      { accountId: '222222222222', trailName: 'z-trail' },
      { accountId: '333333333333', trailName: 'a-trail' },
    ];
    expect(configOf(raw).trails.map((t) => [t.accountId, t.trailName, t.index])).toEqual([
      ['222222222222', 'z-trail', 1],
      ['333333333333', 'a-trail', 2],
      ['333333333333', 'b-trail', 0],
    ]);
  });
});

describe('every problem at once, whatever step finds it', () => {
  const lambdaArns = (n: number) => Array.from({ length: n }, (_, i) => ({ arn: `arn:aws:lambda:us-east-2:222222222222:function:f${i}` }));

  test('a naming problem in one account hides neither a problem between keys in another, nor the selector limits, nor the policy step', () => {
    const e = configErrorOf(() =>
      configOf(
        rawWith((r) => {
          r.accounts[0].trailName = 'ab';
          r.accounts.push({ accountId: '333333333333', organizationTrail: true });
          r.accounts.push({ accountId: '444444444444', dataEvents: { lambda: { functions: lambdaArns(501) } } });
          r.central.bucketPolicy = {
            extraStatements: [{ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::my-bucket/*' }],
          };
        }),
      ),
    );
    expect(e.issues.map((i) => i.path)).toEqual([
      'accounts[0].trailName',
      'accounts[1].organizationTrail',
      'accounts[2].dataEvents',
      'central.bucketPolicy.extraStatements[0].Sid',
    ]);
    expect(e.note).toBe('(not yet checked against the rest of the config, until their own problems are fixed: accounts[0])');
    expect(e.message.split('\n').slice(-1)).toEqual([e.note]);
  });

  test('the policy sizes are checked with the other rules, over the accounts that have no problem of their own', () => {
    const accounts = Array.from({ length: 1500 }, (_, i) => ({ accountId: String(100000000000 + i), prefix: `p${i}` }));
    const e = configErrorOf(() =>
      configOf(
        rawWith((r) => {
          r.central.kmsKey = false;
          r.accounts = accounts;
          r.accounts[7].trailName = 'ab';
        }),
      ),
    );
    expect(e.issues).toEqual([
      { path: 'accounts[7].trailName', message: 'trail names are 3 to 128 characters long; "ab" has 2' },
      { path: 'accounts', message: expect.stringMatching(/^the bucket policy for 1499 accounts and 1499 trails needs \d+ bytes even in its most compact form, over the S3 limit of 20480; /) },
    ]);
  });

  test('a wrong value never stands in for the right one: a region typo does not make a trail a duplicate of one in the central region', () => {
    // Were the typo replaced by the default region, the two topics would clash; the entry is left out instead.
    const e = configErrorOf(() =>
      configOf(
        rawWith((r) => {
          r.accounts[0].region = 'eu-wst-1';
          r.accounts[0].sns = { create: { topicName: 'ct-notify' } };
          r.accounts.push({ accountId: '222222222222', trailName: 'second', sns: { create: { topicName: 'ct-notify' } } });
        }),
      ),
    );
    expect(e.issues).toEqual([{ path: 'accounts[0].region', message: '"eu-wst-1" is not an AWS region (did you mean "eu-west-1"?)' }]);
  });

  test('a problem in a key of defaults leaves out only the accounts that inherit it', () => {
    const e = configErrorOf(() =>
      configOf(
        rawWith((r) => {
          r.defaults.prefix = 'AWSLogs/all';
          r.accounts.push({ accountId: '333333333333', prefix: 'own', organizationTrail: true });
        }),
      ),
    );
    expect(e.issues).toEqual([
      { path: 'defaults.prefix', message: expect.stringMatching(/contains the folder AWSLogs/) },
      { path: 'accounts[1].organizationTrail', message: expect.stringMatching(/^organization trails need the top-level organization/) },
    ]);
    expect(e.note).toBe('(not yet checked against the rest of the config, until their own problems are fixed: the accounts that inherit defaults.prefix)');
  });

  test('a problem in central: the rules between settings wait for it, and the message says so', () => {
    const e = configErrorOf(() =>
      configOf(
        rawWith((r) => {
          r.central.region = 'eu-wst-1';
          r.accounts[0].prefix = 'team-a/';
        }),
      ),
    );
    expect(e.issues.map((i) => i.path)).toEqual(['central.region', 'accounts[0].prefix']);
    expect(e.note).toBe('(the rules between settings and the policy sizes are checked once central has no problems: fix these and run again)');
  });

  test('a valid config carries no note', () => {
    expect(() => configOf(defaultRaw())).not.toThrow();
  });
});

describe('where each problem is written (file:line:column)', () => {
  const located = (text: string, source = 'fleet.yaml') => configErrorOf(() => configFromText(text, source, FLEET_CHECKS));
  const where = (e: ConfigError) => e.issues.map((i) => `${i.line}:${i.column} ${i.path}`);

  const YAML = [
    'central:', //                                        1
    '  accountId: "111111111111"', //                     2
    '  region: us-east-2', //                             3
    '  bucketName: &name Bad_Bucket', //                  4
    '  accessLogging:', //                                5
    '    targetBucket: *name', //                         6
    'defaults:', //                                       7
    '  trailName: my-trail', //                           8
    '  kmsKey: { arn: "arn:aws:kms:eu-west-1:222222222222:alias/x" }', // 9
    'accounts:', //                                       10
    '  - accountId: "222222222222"', //                   11
    '    regoin: us-east-1', //                           12
    '  - name: no-id', //                                 13
    '  - accountId: "333333333333"', //                   14
    '    dataEvents:', //                                 15
    '      s3:', //                                       16
    '        buckets: logs', //                           17
    '',
  ].join('\n');

  test('YAML: a value where it starts, an alias where it is used, an unknown key at the key, a missing key at its entry, a mapping of the wrong kind at the value', () => {
    expect(where(located(YAML))).toEqual([
      '4:21 central.bucketName',
      '6:19 central.accessLogging.targetBucket',
      '12:5 accounts[0]',
      '13:5 accounts[1].accountId',
      '17:18 accounts[2].dataEvents.s3.buckets',
    ]);
  });

  test('a setting an account inherits from defaults is pointed at in defaults, where it is written', () => {
    const valid = YAML.replace('Bad_Bucket', 'good-bucket').replace('targetBucket: *name', 'targetBucket: access-logs');
    const e = located(valid.replace('    regoin: us-east-1\n', '').replace('  - name: no-id\n', '').replace('        buckets: logs', '        allBuckets: All'));
    expect(where(e)).toEqual(['9:18 accounts[0].kmsKey.arn (from defaults)', '9:18 accounts[1].kmsKey.arn (from defaults)']);
    expect(e.problems()[0]).toBe(
      "fleet.yaml:9:18: accounts[0].kmsKey.arn (from defaults): the key is in eu-west-1, but a trail's KMS key must be in the bucket's region (us-east-2) (KmsKeyNotFoundException)",
    );
  });

  test('several unknown keys in one mapping are one problem each, at each key', () => {
    const e = located('central:\n  accountId: "111111111111"\n  region: us-east-2\n  bucketName: my-bucket\n  bucketname: x\n  regoin: y\naccounts:\n  - accountId: "222222222222"\n    trailName: t-1\n');
    expect(e.problems().map((p) => p.replace(/; valid keys here: .*/, ''))).toEqual([
      'fleet.yaml:5:3: central: unknown key "bucketname" (did you mean "bucketName"?)',
      'fleet.yaml:6:3: central: unknown key "regoin" (did you mean "region"?)',
    ]);
  });

  test('JSON: the same places, in a pretty-printed file', () => {
    const raw = rawWith((r) => {
      r.backend = { type: 's3', bucket: 'Bad_Bucket', region: 'us-east-1' };
      r.accounts[0].tags = { cost: 42 };
      r.accounts.push({ accountId: '333333333333', organizationTrail: true });
    });
    const text = JSON.stringify(raw, null, 2);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const e = located(text, 'fleet.json');
    expect(where(e)).toEqual([
      `${lineOf('"cost"')}:17 accounts[0].tags.cost`,
      `${lineOf('"organizationTrail"')}:28 accounts[1].organizationTrail`,
      `${lineOf('"Bad_Bucket"')}:15 backend.bucket`,
    ]);
    expect(text.split('\n')[lineOf('"cost"') - 1]).toBe('        "cost": 42');
  });

  test('problems are listed in file order, whichever step found them', () => {
    const text = stringify(
      rawWith((r) => {
        r.accounts[0].includeGlobalServiceEvents = false; // between keys, line of accounts[0]
        r.accounts.push({ accountId: '333333333333', trailName: 'ab' }); // naming rule, later line
        r.central.kmsKey = { decryptPrincipals: ['arn:aws-cn:iam::111111111111:role/R'] }; // between keys, earliest line
      }),
    );
    expect(located(text).issues.map((i) => i.path)).toEqual(['central.kmsKey.decryptPrincipals[0]', 'accounts[0].includeGlobalServiceEvents', 'accounts[1].trailName']);
  });
});

describe('which config file a command reads', () => {
  const root = projectRoot();

  test('npm runs scripts in the project folder: a relative name is read from the folder the user ran npm in (INIT_CWD)', () => {
    const c = chooseConfigFile(undefined, { CLOUDTRAIL_CONFIG: 'fleet.yaml', INIT_CWD: '/home/me/fleets' }, root);
    expect(c).toEqual({ file: '/home/me/fleets/fleet.yaml', shown: 'fleet.yaml', origin: 'env', written: 'fleet.yaml', folder: '/home/me/fleets' });
    expect(chooseConfigFile('../other/f.json', { INIT_CWD: '/home/me/fleets' }, root)).toMatchObject({ file: '/home/me/other/f.json', shown: '../other/f.json', origin: 'given' });
  });

  test('npx and node run where the user is: a relative name is read from the current folder, whatever INIT_CWD an outer npm left', () => {
    expect(chooseConfigFile(undefined, { CLOUDTRAIL_CONFIG: './fleet.yaml', INIT_CWD: '/elsewhere' }, '/home/me/fleets')).toMatchObject({
      file: '/home/me/fleets/fleet.yaml',
      shown: 'fleet.yaml',
      folder: '/home/me/fleets',
    });
  });

  test('the default config is shown relative to the user folder when it is below it', () => {
    expect(chooseConfigFile(undefined, {}, root)).toMatchObject({ file: DEFAULT_CONFIG_PATH, shown: path.join('config', 'cloudtrail.yaml'), origin: 'default' });
    expect(chooseConfigFile(undefined, {}, path.join(root, '..', 'elsewhere'))).toMatchObject({ shown: DEFAULT_CONFIG_PATH });
  });

  test('a relative CLOUDTRAIL_CONFIG is read from the user folder; a missing one says exactly where it was looked for', () => {
    const saved = { env: process.env[CONFIG_ENV], init: process.env.INIT_CWD };
    const cwd = process.cwd();
    try {
      process.chdir(ROOT); // as npm runs scripts
      process.env.INIT_CWD = dir;
      process.env[CONFIG_ENV] = 'relative.yaml';
      writeTemp('relative.yaml', stringify(rawWith((r) => (r.central.bucketName = 'bucket-relative'))));
      expect(loadConfig().central.bucketName).toBe('bucket-relative');
      process.env[CONFIG_ENV] = 'missing.yaml';
      expect(configErrorOf(() => loadConfig()).report()).toBe(
        `missing.yaml: 1 problem in the config\nmissing.yaml: the config file missing.yaml does not exist in ${dir} (the folder the command was run in); CLOUDTRAIL_CONFIG names it: point CLOUDTRAIL_CONFIG at a YAML or JSON config file`,
      );
    } finally {
      process.chdir(cwd);
      for (const [k, v] of [[CONFIG_ENV, saved.env], ['INIT_CWD', saved.init]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
