/**
 * The editors' JSON Schema (config/cloudtrail.schema.json) run by a real
 * JSON Schema validator (Ajv, draft 2020-12): it accepts every bundled config
 * and every valid edge value, rejects every invalid example of the loader's
 * corpus whose rule JSON Schema can state, and its string patterns agree
 * with the loader's rule functions on generated strings.
 */
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { RULE_KEYWORDS } from '../../config/json-schema-keywords';
import * as rules from '../../config/rules';
import { SCHEMA_PATH } from '../../tools/write-schema';
import { configOf, rawWith, ROOT } from '../helpers/fleet';
import { CORPUS } from './invalid-corpus.cases';

/**
 * Corpus cases JSON Schema cannot reject, by why. docs/config-reference.md,
 * "What the JSON Schema cannot check", lists the same groups. A case here that the schema starts rejecting fails
 * the test, so the list stays true.
 */
const NOT_EXPRESSIBLE: Record<string, readonly string[]> = {
  // JSON Schema compares a value only with constants written in the schema, never with another value of the document.
  'compares two values of the config': [
    'a key in another region than the bucket',
    "a created key reusing the central key's alias in the central account",
    'a log group in another account',
    'a delivery role in another account',
    'an organization trail outside the management account',
    'an account role in another account',
    'the central role in another account',
    'access logs of the log bucket into itself',
    'expiry before the transition to Glacier',
    // The guard: whether an account is the organization's management account.
    'a service control policy attached to the management account',
    'the guard role in another account than the management account',
    'a guarded account without the role that deploys it',
    'a guarded central key without the role that deploys it',
  ],
  // uniqueItems compares whole list entries; it cannot say "no two entries share these keys" or "all entries of an account agree".
  'compares list entries by some of their keys': [
    'the same account listed twice with the same trail name',
    'two trails of an account creating keys with the same alias',
    'two trails of an account creating the same topic in one region',
    'two trails of an account creating the same queue',
    'two trails of an account creating the same log group',
    'two trails of an account with different roles',
    'a network event source listed twice, once with event names',
  ],
  // A rule on every string of the file: JSON Schema would need the pattern repeated on every string field of the schema.
  'a rule on every free-text value': ['free text holding a cdktf token marker'],
  // A schema validator reads the key like any other; only JavaScript objects lose it.
  'a key JavaScript objects cannot hold': ['a tag key named __proto__'],
  // Counts over the merged config, or the size of a policy built from it.
  'counts or sizes computed from the whole config': [
    'more than 500 advanced selector values',
    'network activity events whose eventNames exceed 500 selector values',
    'six multi-region trails in one account',
    'five single-region trails in a region where a multi-region trail also counts',
    'a bucket policy over 20 KB',
    'a central key policy over 32 KB',
    'more than 50 tags once defaults.tags are merged into an account',
    'fifty tags on a trail whose created key also gets the guard tag',
    'a guard bus policy over 10 KB without an organization',
  ],
};

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
// strictRequired/strictTypes would demand that `if` sub-schemas repeat `type` and the properties they require; they are checks
// on schema style, not on meaning. Everything else in strict mode is on (unknown keywords, formats, ignored keywords).
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
const validate = ajv.compile(schema);

function errorsOf(value: unknown) {
  return validate(value) ? [] : (validate.errors ?? []);
}

/** `accounts[0].dataEvents.s3.buckets[0].name (from defaults)` -> `/accounts/0/dataEvents/s3/buckets/0/name` */
function pointer(configPath: string): string {
  const clean = configPath.replace(/ \(.*\)$/, '');
  return clean === '(top level)' ? '' : `/${clean.replace(/\[(\d+)\]/g, '.$1').replace(/\["(.*?)"\]/g, '.$1').split('.').join('/')}`;
}

describe('the JSON Schema accepts every valid config', () => {
  const files = ['config/cloudtrail.yaml', ...readdirSync(path.join(ROOT, 'config', 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `config/examples/${f}`)];
  test.each(files)('%s', (file) => {
    expect(errorsOf(parse(readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
  });

  const acct = (r: any) => r.accounts[0];
  const VALID: [string, (r: any) => void][] = [
    ['a trail name with ".", "_" and "-"', (r) => (acct(r).trailName = 'org.audit_v2-x')],
    ['a nested prefix with every allowed character', (r) => (acct(r).prefix = "logs/team(a)!_x.y'z-1")],
    ['a bucket name with dots', (r) => (r.central.bucketName = 'logs.example-1')],
    ['a multi-Region key ARN', (r) => (acct(r).kmsKey = { arn: 'arn:aws:kms:us-east-2:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab' })],
    ['a key alias ARN with a path', (r) => (acct(r).kmsKey = { arn: 'arn:aws:kms:us-east-2:222222222222:alias/team/ct' })],
    ['a Lambda ARN with $LATEST', (r) => (acct(r).dataEvents = { lambda: { functions: [{ arn: 'arn:aws:lambda:us-east-2:222222222222:function:f:$LATEST' }] } })],
    ['a log group ARN ending in :*', (r) => (acct(r).cloudWatchLogs = { logGroupArn: 'arn:aws:logs:us-east-2:222222222222:log-group:/aws/ct#1:*' })],
    ['a role ARN with a path', (r) => (acct(r).assumeRoleArn = 'arn:aws:iam::222222222222:role/ops/deploy/TerraformDeploy')],
    ['tags in another script', (r) => (r.central.tags = { 'équipe': 'sécurité', 'cost:center': 'a b/c=d+e@f' })],
    ['a GovCloud fleet', (r) => {
      r.partition = 'aws-us-gov';
      r.central.region = 'us-gov-west-1';
      acct(r).assumeRoleArn = 'arn:aws-us-gov:iam::222222222222:role/TerraformDeploy';
    }],
    ['a China fleet', (r) => {
      r.partition = 'aws-cn';
      r.central.region = 'cn-north-1';
    }],
    ['a trail name only in the account', (r) => {
      delete r.defaults;
      acct(r).trailName = 'only-here';
    }],
    ['kmsKey none without a central key', (r) => {
      r.central.kmsKey = false;
      acct(r).kmsKey = 'none';
    }],
    ['global events off on a single-region trail', (r) => {
      acct(r).multiRegion = false;
      acct(r).includeGlobalServiceEvents = false;
    }],
    ['management events None with data events', (r) => {
      acct(r).managementEvents = { readWrite: 'None' };
      acct(r).dataEvents = { s3: { allBuckets: 'WriteOnly' } };
    }],
    ['network activity events of two sources, one with eventNames', (r) => (acct(r).networkActivityEvents = { eventSources: ['kms.amazonaws.com', { eventSource: 'secretsmanager.amazonaws.com', eventNames: ['GetSecretValue'] }] })],
    ['management events None with only network activity events', (r) => {
      acct(r).managementEvents = { readWrite: 'None' };
      acct(r).networkActivityEvents = { eventSources: ['ec2.amazonaws.com'] };
    }],
    ['a raw network activity selector', (r) => (acct(r).dataEvents = { advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['NetworkActivity'] }, { field: 'eventSource', equals: ['s3.amazonaws.com'] }, { field: 'eventName', notEquals: ['ListBuckets'] }] }] })],
    ['an advanced selector with eventName', (r) => (acct(r).dataEvents = { advanced: [{ name: 'x', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'eventName', notEquals: ['GetObject'] }] }] })],
    ['an S3 backend in GovCloud for an aws fleet', (r) => (r.backend = { type: 's3', bucket: 'state', region: 'us-gov-west-1', assumeRoleArn: 'arn:aws-us-gov:iam::111111111111:role/State' })],
    ['an SQS queue named after a topic of 80 characters', (r) => (acct(r).sns = { create: { topicName: 't'.repeat(80), sqsQueue: true } })],
    ['the guard on a root, an OU and an account, with exempt patterns and a topic', (r) => {
      r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
      acct(r).assumeRoleArn = 'arn:aws:iam::222222222222:role/ops/TerraformDeploy';
      r.guard = {
        prevention: { attachTo: ['r-ab12', 'ou-ab12-cdefgh34', '222222222222'], exemptPrincipals: ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::222222222222:user/ops/*'], maxPolicies: 2 },
        detection: { deliverTo: 'snsTopic' },
      };
    }],
    ['detection only, without an organization', (r) => (r.guard = { prevention: false, detection: true })],
  ];
  test.each(VALID)('%s (the loader accepts it too)', (_name, change) => {
    const raw = rawWith(change);
    expect(() => configOf(raw)).not.toThrow();
    expect(errorsOf(raw)).toEqual([]);
  });
});

describe('the JSON Schema rejects every invalid example of the corpus that JSON Schema can express', () => {
  const unexpressible = new Set(Object.values(NOT_EXPRESSIBLE).flat());

  test('the list of exceptions names real corpus cases', () => {
    const names = new Set(CORPUS.map((c) => c.name));
    for (const name of unexpressible) expect(names).toContain(name);
  });

  test.each(CORPUS.filter((c) => !unexpressible.has(c.name)).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const errors = errorsOf(rawWith(c.change));
    expect(errors.length).toBeGreaterThan(0);
    // The schema points at the same place as the loader (or at a key above it, for rules between keys).
    const where = pointer(c.path);
    expect(errors.some((e) => where.startsWith(e.instancePath) || e.instancePath.startsWith(where))).toBe(true);
  });

  test.each([...unexpressible].map((name) => [name] as const))('%s: accepted by the schema (the loader rejects it; see NOT_EXPRESSIBLE)', (name) => {
    expect(errorsOf(rawWith(CORPUS.find((c) => c.name === name)!.change))).toEqual([]);
  });

  test(`${CORPUS.length - unexpressible.size} of ${CORPUS.length} corpus cases are rejected by the schema`, () => {
    expect(CORPUS.length - unexpressible.size).toBeGreaterThanOrEqual(100);
  });

  test('the docs state these counts', () => {
    const doc = (file: string) => readFileSync(path.join(ROOT, 'docs', file), 'utf8').replace(/\s+/g, ' ');
    const rejected = CORPUS.length - unexpressible.size;
    expect(doc('config-reference.md')).toContain(`rejects ${rejected} of the ${CORPUS.length} invalid configs`);
    expect(doc('config-reference.md')).toContain(`The other ${unexpressible.size} break rules`);
    expect(doc('testing.md')).toContain(`holds ${CORPUS.length} invalid configs`);
  });
});

describe('each string pattern agrees with its rule function', () => {
  // Strings from the characters that matter to each rule, so both sides are hit often.
  const texts = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength });
  const CHECKS: [string, (v: string) => rules.Problem, fc.Arbitrary<string>][] = [
    ['trail names', rules.trailNameProblem, texts('aZ09._- /', 12)],
    ['prefixes', rules.prefixProblem, fc.oneof(texts("ab/.-_!'()*$ ", 10), fc.constantFrom('AWSLogs', 'a/AWSLogs', 'AWSLogs/b', 'xAWSLogs', 'AWSLogsx/y'))],
    ['bucket names', rules.bucketNameProblem, fc.oneof(texts('ab09.-A_', 10), fc.constantFrom('xn--ab', 'sthree-a', 'amzn-s3-demo-x', 'abc-s3alias', 'a--ol-s3', 'ab.mrap', 'a--x-s3', 'a--table-s3', '192.168.1.1', '1.2.3'))],
    ['KMS aliases', rules.kmsAliasProblem, fc.oneof(texts('alias/ws_-.A', 12), fc.constantFrom('alias/aws/x', 'alias/AWSx', 'alias/awx', 'alias/'))],
    ['SNS topic names', rules.snsTopicNameProblem, texts('aZ0_-.', 8)],
    ['SQS queue names', rules.sqsQueueNameProblem, texts('aZ0_-.', 8)],
    ['log group names', rules.logGroupNameProblem, texts('a/._-#: ', 8)],
    ['tag keys', rules.tagKeyProblem, fc.oneof(texts('aAws: é_.=+-@*', 8), fc.constantFrom('aws:x', 'AWS:x', 'awsx'))],
    ['tag values', rules.tagValueProblem, texts('a é_.:/=+-@*\n', 8)],
    ['SCP targets', rules.scpTargetProblem, fc.oneof(texts('rou-0a9Z', 14), fc.constantFrom('r-ab12', 'r-abc', 'ou-ab12-cdefgh34', 'ou-ab12-cdefgh3', '222222222222', '2222222222222'))],
    [
      'exempt principal patterns',
      rules.exemptPrincipalProblem,
      fc
        .tuple(fc.constantFrom('arn:aws:iam::', 'arn:aws-cn:iam::', 'arn:aws:sts::', 'arn:x:iam::'), fc.constantFrom('*', '222222222222', '2222'), fc.constantFrom(':role/', ':user/', ':root', ':group/'), texts('a*?/$é-', 5))
        .map(([a, b, c, d]) => `${a}${b}${c}${c === ':root' ? '' : d}`),
    ],
  ];

  test.each(CHECKS)('%s', (_name, rule, strings) => {
    const keywords = RULE_KEYWORDS.get(rule)!;
    const check = ajv.compile({ type: 'string', ...keywords });
    fc.assert(
      fc.property(strings, (value) => {
        expect({ value, schema: check(value) }).toEqual({ value, schema: rule(value) === undefined });
      }),
      { numRuns: 2000 },
    );
  });

  test('every rule with keywords compiles, and an ARN rule accepts its own example and rejects a neighbour', () => {
    const arnRules: [(v: string) => rules.Problem, string][] = [
      [rules.kmsKeyArnProblem, 'arn:aws:kms:us-east-2:111111111111:alias/aws/x'],
      [rules.snsTopicArnProblem, 'arn:aws:sns:us-east-2:222222222222:t.fifo'],
      [rules.lambdaFunctionArnProblem, 'arn:aws:lambda:us-east-2:222222222222:function/f'],
      [rules.dynamodbTableArnProblem, 'arn:aws:dynamodb:us-east-2:222222222222:orders'],
      [rules.iamRoleArnProblem, 'arn:aws:iam::222222222222:user/x'],
      [rules.iamPrincipalArnProblem, 'arn:aws:iam::111111111111:group/x'],
      [rules.logGroupArnProblem, 'arn:aws:logs:us-east-2:22222222222:log-group:x'],
    ];
    for (const [rule, bad] of arnRules) {
      const keywords = RULE_KEYWORDS.get(rule)! as { examples: string[] };
      const check = ajv.compile({ type: 'string', ...keywords });
      for (const example of keywords.examples) {
        expect([example, rule(example), check(example)]).toEqual([example, undefined, true]);
      }
      expect([bad, rule(bad) !== undefined, check(bad)]).toEqual([bad, true, false]);
    }
  });
});
