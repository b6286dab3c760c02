/**
 * The arbitraries behind the property tests (scripts/config-arbitraries.ts)
 * reach the whole option space, and enough of their draws are accepted that
 * the properties over successful synths are not vacuous. Also the sample
 * `npm run validate` sends through Terraform.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, configFromObject, configFromText } from '../../config/load';
import { configArbitrary, DEFAULT_SEED, freeText, thresholdSizes, WORD_TRAIL_NAMES, writeConfigSample } from '../../tools/config-arbitraries';
import { encodingThresholds, type RawConfig } from '../../tools/fleet-shapes';
import { FLEET_CHECKS } from '../../modules/fleet-checks';

const draws = fc.sample(configArbitrary({ maxAccounts: 400 }), { seed: DEFAULT_SEED, numRuns: 300 });
const entries = (raw: RawConfig): RawConfig[] => raw.accounts.map((a: RawConfig) => ({ ...(raw.defaults ?? {}), ...a }));
const all = draws.flatMap(entries);
const seen = (pick: (e: RawConfig) => unknown) => new Set(all.map(pick).filter((v) => v !== undefined));

describe('the config arbitrary', () => {
  test('is deterministic for a seed', () => {
    expect(fc.sample(configArbitrary({ maxAccounts: 400 }), { seed: DEFAULT_SEED, numRuns: 5 })).toEqual(draws.slice(0, 5));
  });

  test('draws every partition, every backend type, organizations, with and without a central key', () => {
    expect(new Set(draws.map((d) => d.partition ?? 'aws'))).toEqual(new Set(['aws', 'aws-us-gov', 'aws-cn']));
    expect(new Set(draws.map((d) => d.backend?.type ?? 'default'))).toEqual(new Set(['default', 'local', 'cloud', 's3']));
    expect(draws.some((d) => d.organization)).toBe(true);
    expect(new Set(draws.map((d) => JSON.stringify(d.central.kmsKey === undefined || typeof d.central.kmsKey === 'boolean' ? d.central.kmsKey ?? 'default' : 'settings')))).toEqual(
      new Set(['"default"', 'true', 'false', '"settings"']),
    );
    for (const key of ['retention', 'objectLock', 'accessLogging', 'tags', 'assumeRoleArn']) expect(draws.some((d) => d.central[key] !== undefined)).toBe(true);
  });

  test('draws every kmsKey, sns, cloudWatchLogs, data event and Insights variant', () => {
    expect(seen((e) => (typeof e.kmsKey === 'string' ? e.kmsKey : e.kmsKey && Object.keys(e.kmsKey)[0]))).toEqual(new Set(['central', 'none', 'arn', 'create']));
    expect(seen((e) => e.sns && Object.keys(e.sns)[0])).toEqual(new Set(['create', 'topicArn']));
    expect(seen((e) => (e.sns?.create?.sqsQueue === undefined ? undefined : typeof e.sns.create.sqsQueue))).toEqual(new Set(['boolean', 'object']));
    expect(seen((e) => e.cloudWatchLogs && Object.keys(e.cloudWatchLogs).sort().join('+'))).toEqual(new Set(['create', 'create+roleArn', 'logGroupArn']));
    for (const kind of ['s3', 'lambda', 'dynamodb', 'advanced']) expect(all.some((e) => e.dataEvents?.[kind] !== undefined)).toBe(true);
    expect(seen((e) => e.managementEvents?.readWrite)).toEqual(new Set(['All', 'ReadOnly', 'WriteOnly', 'None']));
    // Network activity events: sources as words and with eventNames, raw NetworkActivity selectors, and the rejected forms.
    const network = all.flatMap((e) => e.networkActivityEvents?.eventSources ?? []);
    expect(network.some((n: any) => typeof n === 'string') && network.some((n: any) => typeof n === 'object' && n.eventNames)).toBe(true);
    expect(new Set(network.map((n: any) => (typeof n === 'string' ? n : n.eventSource))).size).toBeGreaterThan(10);
    expect(all.some((e) => e.networkActivityEvents?.vpceAccessDeniedOnly === true || JSON.stringify(e.networkActivityEvents ?? {}).includes('errorCode') || network.includes('kms'))).toBe(true);
    expect(all.some((e) => (e.dataEvents?.advanced ?? []).some((a: RawConfig) => a.fieldSelectors[0].equals[0] === 'NetworkActivity'))).toBe(true);
    expect(all.some((e) => e.managementEvents?.readWrite === 'None' && e.networkActivityEvents?.eventSources?.length && !e.dataEvents)).toBe(true);
    expect(all.some((e) => e.insights?.apiCallRate) && all.some((e) => e.insights?.apiErrorRate)).toBe(true);
    expect(all.some((e) => e.organizationTrail === true)).toBe(true);
    expect(all.some((e) => e.multiRegion === false)).toBe(true);
  });

  test('draws every guard variant: none, detection only (bus or topic), prevention on a root, an OU and a member account, with fewer slots', () => {
    const guards = draws.map((d) => d.guard);
    expect(guards.some((g) => g === undefined)).toBe(true);
    expect(guards.some((g) => g && !g.prevention)).toBe(true);
    expect(guards.some((g) => g?.detection?.deliverTo === 'snsTopic')).toBe(true);
    expect(guards.some((g) => g?.detection === false)).toBe(true);
    const targets = guards.flatMap((g) => g?.prevention?.attachTo ?? []);
    expect(targets).toContain('r-ab12');
    expect(targets).toContain('ou-ab12-cdefgh34');
    expect(targets.some((t: string) => /^\d{12}$/.test(t))).toBe(true);
    expect(guards.some((g) => g?.prevention?.maxPolicies === 1)).toBe(true);
    // Accepted draws with the SCPs on, big fleets among them (by-name at the threshold sizes).
    const accepted = draws.filter((raw) => {
      try {
        return Boolean(configFromObject(JSON.parse(JSON.stringify(raw))).guard?.prevention);
      } catch {
        return false;
      }
    });
    expect(accepted.length).toBeGreaterThan(10);
    expect(accepted.some((raw) => raw.accounts.length > 50)).toBe(true);
  });

  test('draws trail names that are ordinary words, and several trails in one account', () => {
    const names = seen((e) => e.trailName);
    for (const w of ['trail', 'key', 'topic', 'backend', 'provider', 'aws', 'providers', 'trail_arn', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      expect(WORD_TRAIL_NAMES).toContain(w);
      expect(names.has(w)).toBe(true);
    }
    expect(draws.some((d) => new Set(d.accounts.map((a: RawConfig) => a.accountId)).size < d.accounts.length)).toBe(true);
  });

  test('puts ${, %{, quotes and unicode into free-text fields: tags, selector names and values, S3 prefixes, account names', () => {
    const text = JSON.stringify(draws);
    for (const piece of ['${', '%{', '\\"', 'ünïcødé']) expect(text).toContain(piece);
    const templated = (v: unknown) => typeof v === 'string' && /[$%]\{/.test(v);
    expect(all.some((e) => Object.entries(e.tags ?? {}).some(([k, v]) => templated(k) || templated(v)))).toBe(true);
    expect(all.some((e) => (e.dataEvents?.s3?.buckets ?? []).some((b: RawConfig) => templated(b.prefix)))).toBe(true);
    expect(all.some((e) => (e.dataEvents?.advanced ?? []).some((a: RawConfig) => templated(a.name)))).toBe(true);
    expect(all.some((e) => (e.dataEvents?.advanced ?? []).some((a: RawConfig) => a.fieldSelectors.some((f: RawConfig) => Object.values(f).flat().some(templated))))).toBe(true);
    expect(all.some((e) => templated(e.name))).toBe(true);
    expect(fc.sample(freeText(), { seed: 1, numRuns: 50 }).every((t) => t.length > 0)).toBe(true);
  });

  test('draws fleet sizes on both sides of each encoding threshold', () => {
    const t = encodingThresholds();
    const sizes = thresholdSizes(400);
    expect(sizes).toEqual(expect.arrayContaining([t.bucket[0].last, t.bucket[0].last + 1, t.bucket[1].last, t.bucket[1].last + 1, t.key[0].last, t.key[0].last + 1]));
    const drawnSizes = new Set(draws.map((d) => new Set(d.accounts.map((a: RawConfig) => a.accountId)).size));
    expect(sizes.filter((n) => drawnSizes.has(n)).length).toBeGreaterThanOrEqual(4);
    expect([...drawnSizes].filter((n) => n <= 4).length).toBe(4);
  });

  test('most draws are accepted (so the properties over successful synths see many), the rest rejected with a ConfigError', () => {
    let accepted = 0;
    for (const raw of draws) {
      try {
        configFromObject(JSON.parse(JSON.stringify(raw)), 'config', FLEET_CHECKS);
        accepted++;
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
      }
    }
    expect(accepted / draws.length).toBeGreaterThan(0.3);
    expect(accepted).toBeLessThan(draws.length);
  });
});

describe('writeConfigSample (the random configs npm run validate sends through Terraform)', () => {
  test('writes N accepted configs as YAML, the same for the same seed, replacing older samples', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'samples-'));
    try {
      const first = writeConfigSample(dir, 3).map((s) => readFileSync(s.file, 'utf8'));
      const again = writeConfigSample(dir, 2);
      expect(readdirSync(dir).sort()).toEqual(['sample-1.yaml', 'sample-2.yaml']);
      expect(again.map((s) => readFileSync(s.file, 'utf8'))).toEqual(first.slice(0, 2));
      for (const s of again) {
        expect(s.covers).toMatch(/^random config \(seed \d+\): aws(-us-gov|-cn)?, \d+ account/);
        expect(() => configFromText(readFileSync(s.file, 'utf8'), s.file, FLEET_CHECKS)).not.toThrow();
      }
      const other = writeConfigSample(dir, 2, DEFAULT_SEED + 1).map((s) => readFileSync(s.file, 'utf8'));
      expect(other).not.toEqual(first.slice(0, 2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
