/**
 * The generated fleets `npm run validate` sends through Terraform
 * (scripts/fleet-shapes.ts): they really sit on both sides of each
 * policy-encoding threshold, as the real loader and builders see them, and
 * they cover the shapes they claim.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, configFromObject, configFromText } from '../../config/load';
import { ADVANCED_FIELDS } from '../../config/schema';
import { fleetBucketPolicy, fleetPolicies } from '../../modules/policies/fleet-policies';
import { BUCKET_POLICY_ENCODINGS } from '../../modules/policies/bucket-policy';
import { KEY_POLICY_ENCODINGS } from '../../modules/policies/key-policies';
import { bootstrapRoles } from '../../modules/bootstrap-roles';
import { fleetAccountIds, fleetStacks } from '../../modules/deployer-roles';
import { fleetServiceControlPolicies } from '../../modules/guard/guard-policies';
import { guardedAccounts } from '../../modules/guard/scope';
import { BACKENDS, CENTRAL_ACCOUNT, encodingThresholds, fleet, FleetShape, fleetShapes, LARGE_FLEET, lastSizeAtMost, resolveUnchecked, TEMPLATE_TEXT, writeFleetShapes } from '../../tools/fleet-shapes';
import { FLEET_CHECKS } from '../../modules/fleet-checks';

const LONG = { trailName: `t${'x'.repeat(126)}t`, prefix: `p${'/p'.repeat(99)}` };
const loaded = (raw: unknown) => fleetPolicies(configFromObject(raw, 'generated', FLEET_CHECKS));

describe('lastSizeAtMost (bisection over fleet size)', () => {
  test('finds the last size of a step function, whatever the step', () => {
    for (const step of [1, 2, 3, 37, 64, 65, 1047, 5000]) expect(lastSizeAtMost((n) => (n > step ? 1 : 0), 0)).toBe(step);
    expect(lastSizeAtMost((n) => (n > 10 ? 2 : n > 4 ? 1 : 0), 1)).toBe(10);
  });

  test('refuses a family that is past the encoding at 1 account, or never leaves it', () => {
    expect(() => lastSizeAtMost(() => 1, 0)).toThrow(/already past/);
    expect(() => lastSizeAtMost(() => 0, 0, 1000)).toThrow(/no fleet up to 1000 accounts/);
  });
});

describe.each([
  ['the default shape', {}],
  ['128-character trail names and 200-character prefixes', LONG],
])('bucket policy thresholds, %s', (_, options) => {
  const { bucket } = encodingThresholds(options);

  test('one threshold per switch, in the order of the encodings', () => {
    expect(bucket.map((t) => [t.from, t.to])).toEqual([
      [BUCKET_POLICY_ENCODINGS[0], BUCKET_POLICY_ENCODINGS[1]],
      [BUCKET_POLICY_ENCODINGS[1], BUCKET_POLICY_ENCODINGS[2]],
    ]);
    expect(bucket[0].last).toBeLessThan(bucket[1].last);
  });

  test.each([0, 1])('switch %i: the loader gives N accounts the first encoding and N + 1 the next, and both fit', (i) => {
    const th = bucket[i];
    const before = loaded(fleet(th.last, options)).bucket;
    const after = loaded(fleet(th.last + 1, options)).bucket;
    expect([before.encoding, after.encoding]).toEqual([th.from, th.to]);
    expect(before.fits && after.fits).toBe(true);
  });
});

describe('central key policy thresholds', () => {
  const { key } = encodingThresholds();

  test('per-trail -> per-account -> per-account-org', () => {
    expect(key.map((t) => [t.from, t.to])).toEqual([
      [KEY_POLICY_ENCODINGS[0], KEY_POLICY_ENCODINGS[1]],
      [KEY_POLICY_ENCODINGS[1], KEY_POLICY_ENCODINGS[2]],
    ]);
  });

  test('per-trail to per-account: N and N + 1 accounts, with or without an organization', () => {
    const th = key[0];
    for (const organization of [false, true]) {
      expect(loaded(fleet(th.last, { organization })).centralKey!.encoding).toBe('per-trail');
      expect(loaded(fleet(th.last + 1, { organization })).centralKey!.encoding).toBe('per-account');
    }
  });

  test('per-account to per-account-org: N accounts fit per account; N + 1 need the organization', () => {
    const th = key[1];
    expect(loaded(fleet(th.last, { organization: true })).centralKey!.encoding).toBe('per-account');
    const org = loaded(fleet(th.last + 1, { organization: true })).centralKey!;
    expect([org.encoding, org.fits]).toEqual(['per-account-org', true]);
  });

  test('without an organization, N + 1 accounts on the central key are rejected with the way out', () => {
    const th = key[1];
    let error: unknown;
    try {
      configFromObject(fleet(th.last + 1), 'generated', FLEET_CHECKS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues.find((i) => i.path === 'central.kmsKey');
    expect(issue?.message).toMatch(new RegExp(`central key policy for ${th.last + 1} accounts needs \\d+ bytes.*over the KMS limit of 32768`));
    expect(issue?.message).toMatch(/organization/);
  });

  test(`${LARGE_FLEET} accounts fit without an organization (the project's promise)`, () => {
    expect(key[1].last).toBeGreaterThanOrEqual(LARGE_FLEET);
  });
});

describe('the generated shapes', () => {
  const shapes = fleetShapes();
  const byName = new Map(shapes.map((s) => [s.name, s]));
  let dir: string;
  let files: { file: string; shape: FleetShape }[];
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shapes-'));
    writeFileSync(path.join(dir, 'stale.yaml'), 'left from an earlier run\n');
    files = writeFleetShapes(dir, shapes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('are written as YAML files named after the shape, replacing stale ones', () => {
    expect(readdirSync(dir).sort()).toEqual(shapes.map((s) => `${s.name}.yaml`).sort());
    expect(new Set(shapes.map((s) => s.name)).size).toBe(shapes.length);
  });

  test('each file loads (the same path as CLOUDTRAIL_CONFIG) and gets the encodings the shape claims', () => {
    for (const { file, shape } of files) {
      const policies = fleetPolicies(configFromText(readFileSync(file, 'utf8'), file, FLEET_CHECKS));
      if (shape.expect?.bucket) expect(`${shape.name}: ${policies.bucket.encoding}`).toBe(`${shape.name}: ${shape.expect.bucket}`);
      if (shape.expect?.key) expect(`${shape.name}: ${policies.centralKey?.encoding}`).toBe(`${shape.name}: ${shape.expect.key}`);
      expect(policies.bucket.fits).toBe(true);
    }
  });

  test('cover the last size of every encoding and the first of the next, for both policies', () => {
    for (const e of BUCKET_POLICY_ENCODINGS.slice(0, -1)) expect(byName.has(`bucket-${e}-last`)).toBe(true);
    for (const e of BUCKET_POLICY_ENCODINGS.slice(1)) expect(byName.has(`bucket-${e}-first`)).toBe(true);
    for (const e of KEY_POLICY_ENCODINGS.slice(0, -1)) expect(byName.has(`key-${e}-last`)).toBe(true);
    for (const e of KEY_POLICY_ENCODINGS.slice(1)) expect(byName.has(`key-${e}-first`)).toBe(true);
    const th = encodingThresholds();
    expect(byName.get('bucket-per-account-last')!.raw.accounts).toHaveLength(th.bucket[0].last);
    expect(byName.get('bucket-per-prefix-trail-arns-first')!.raw.accounts).toHaveLength(th.bucket[0].last + 1);
    expect(byName.get('key-per-account-org-first')!.raw.organization).toBeDefined();
  });

  test(`cover 1 account, and ${LARGE_FLEET} accounts with and without an organization (and an organization trail)`, () => {
    expect(byName.get('one-account')!.raw.accounts).toHaveLength(1);
    const plain = byName.get(`fleet-${LARGE_FLEET}`)!.raw;
    const org = byName.get(`fleet-${LARGE_FLEET}-organization`)!.raw;
    expect(plain.accounts).toHaveLength(LARGE_FLEET);
    expect(plain.organization).toBeUndefined();
    expect(new Set(org.accounts.map((a: any) => a.accountId)).size).toBe(LARGE_FLEET);
    expect(org.accounts.some((a: any) => a.organizationTrail)).toBe(true);
  });

  test('cover the guard with bootstrap: HCP Terraform across 300 accounts (the cloudtrail-guard workspace too), and a CI principal with default roles', () => {
    const hcp = configFromObject(byName.get('guard-bootstrap-hcp-terraform-300')!.raw, 'config', FLEET_CHECKS);
    expect(hcp.bootstrap!.deployer.kind).toBe('hcpTerraform');
    expect(hcp.guard!.prevention).toBeDefined();
    expect(fleetAccountIds(hcp)).toHaveLength(300);
    expect(fleetStacks(hcp).map((s) => s.name)).toContain('cloudtrail-guard');
    expect(fleetServiceControlPolicies(hcp).encoding).toBe('by-name');
    const ci = configFromObject(byName.get('guard-bootstrap-ci-principal')!.raw, 'config', FLEET_CHECKS);
    expect(ci.guard!.assumeRoleArn).toBe(`arn:aws:iam::${CENTRAL_ACCOUNT}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`);
    for (const a of guardedAccounts(ci)) expect(a.deployerRoleArns).toEqual([`arn:aws:iam::${a.accountId}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`]);
  });

  test('cover bootstrap: a deployer role split into managed policies, and HCP Terraform roles across 300 accounts', () => {
    const split = configFromObject(byName.get('bootstrap-managed-policies')!.raw, 'config', FLEET_CHECKS);
    const roles = bootstrapRoles(split);
    expect(roles.some((r) => r.policies.inline === undefined && r.policies.managed.length > 1)).toBe(true);
    const hcp = configFromObject(byName.get('bootstrap-hcp-terraform-300')!.raw, 'config', FLEET_CHECKS);
    expect(hcp.bootstrap!.deployer.kind).toBe('hcpTerraform');
    expect(fleetAccountIds(hcp)).toHaveLength(300);
  });

  test('cover distinct prefixes, several trails per account (5 in a region), organization trails, all partitions', () => {
    const distinct = byName.get('distinct-prefixes-max')!.raw.accounts;
    expect(new Set(distinct.map((a: any) => a.prefix)).size).toBe(distinct.length);
    expect(configFromObject(byName.get('distinct-prefixes-max')!.raw, 'config', FLEET_CHECKS).trails).toHaveLength(distinct.length);
    // It is the most that fit: one more account with its own prefix does not.
    const oneMore = structuredClone(byName.get('distinct-prefixes-max')!.raw);
    oneMore.accounts.push({ accountId: '999999999999', prefix: 'one-more' });
    expect(fleetBucketPolicy(resolveUnchecked(oneMore)).fits).toBe(false);
    const multi = configFromObject(byName.get('several-trails-per-account')!.raw, 'config', FLEET_CHECKS);
    const perAccount = new Map<string, number>();
    for (const t of multi.trails) perAccount.set(t.accountId, (perAccount.get(t.accountId) ?? 0) + 1);
    expect(Math.max(...perAccount.values())).toBeGreaterThanOrEqual(5);
    const org = configFromObject(byName.get('organization-trails')!.raw, 'config', FLEET_CHECKS);
    expect(org.trails.filter((t) => t.organizationTrail)).toHaveLength(2);
    expect(new Set(shapes.map((s) => s.raw.partition ?? 'aws'))).toEqual(new Set(['aws', 'aws-us-gov', 'aws-cn']));
  });

  test('cover every backend type', () => {
    expect(new Set(shapes.map((s) => s.raw.backend?.type))).toEqual(new Set(['local', 'cloud', 's3']));
    expect(new Set(BACKENDS.map((b) => b.type))).toEqual(new Set(['local', 'cloud', 's3']));
  });

  test('put template-like free text in S3 prefixes, selector names and values, account names and IAM role paths, and keep it through YAML', () => {
    const file = files.find((f) => f.shape.name === 'template-text')!.file;
    const config = configFromText(readFileSync(file, 'utf8'), file, FLEET_CHECKS);
    const prefixes = config.trails.flatMap((t) => t.dataEvents.s3.buckets.map((b) => b.prefix));
    expect(prefixes).toEqual(expect.arrayContaining([TEMPLATE_TEXT.s3Prefix, TEMPLATE_TEXT.s3PrefixDirective]));
    const advanced = config.trails.flatMap((t) => t.dataEvents.advanced);
    expect(advanced.map((a) => a.name)).toContain(TEMPLATE_TEXT.selectorName);
    expect(JSON.stringify(advanced)).toContain(TEMPLATE_TEXT.selectorValue.replace(/"/g, '\\"'));
    expect(config.central.kmsKey!.decryptPrincipals).toContain(TEMPLATE_TEXT.rolePath);
    expect(config.trails.map((t) => t.name)).toContain(TEMPLATE_TEXT.accountName);
  });

  test('put an advanced selector on every field the schema allows', () => {
    const config = configFromObject(byName.get('every-advanced-field')!.raw, 'config', FLEET_CHECKS);
    const fields = new Set(config.trails.flatMap((t) => t.dataEvents.advanced.flatMap((a) => a.fieldSelectors.map((f) => f.field))));
    expect([...fields].sort()).toEqual([...ADVANCED_FIELDS].sort());
  });
});
