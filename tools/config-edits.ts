/**
 * fast-check arbitraries of config *changes*: a random edit of a config file,
 * over its options, as a user makes them between two deploys (issue 15,
 * "generated pairs"). `configEditArbitrary(raw)` draws one edit of a given
 * config; `transitionPairArbitrary()` draws a small config
 * (tools/config-arbitraries.ts) and an edit of it.
 *
 * An edit is written as a user would write it, so some draws give configs
 * the loader rejects (an Insights flag without the management events it
 * needs, a renamed trail whose new name is taken...): those pairs are
 * skipped by whoever loads them, never "repaired" into something else. Edits
 * the gate calls unsafe are drawn too (a trail or an account removed without
 * a lifecycle step, a home region changed, a key made multi-Region): their
 * check is that the gate says so, and that Terraform's plan loses exactly
 * what the gate lists.
 *
 * Not drawn: edits that need the world to change between the two deploys
 * (an existing central key adopted, a bucket taken back into management with
 * `adopt`: what exists then depends on what was forgotten), and partitions
 * other than `aws` in the pair arbitrary (the emulator's Regions are aws's).
 */
import fc from 'fast-check';
import { configArbitrary } from './config-arbitraries';
import type { RawConfig } from './fleet-shapes';

export interface ConfigEdit {
  /** What the edit does, e.g. `accounts[1].kmsKey -> create`, `central.retention removed`. */
  readonly kind: string;
  readonly raw: RawConfig;
}

const copy = (raw: RawConfig): RawConfig => JSON.parse(JSON.stringify(raw));
const EDIT_KEY_ID = '5e6f7a8b-1111-2222-3333-444455556666';

type Edit = { readonly kind: string; readonly apply: (r: RawConfig) => void };

/** The name of an entry's trail (its own or the defaults'). */
const trailNameOf = (r: RawConfig, a: RawConfig): string | undefined => a.trailName ?? r.defaults?.trailName;
const isLeaving = (a: RawConfig) => a.lifecycle === 'decommission' || a.lifecycle === 'retain';
const regionOf = (r: RawConfig, a: RawConfig): string => a.region ?? r.central.region;
const partitionOf = (r: RawConfig): string => r.partition ?? 'aws';
const centralKey = (r: RawConfig): boolean => r.central.kmsKey !== false;

/** Edits of one account entry (index i). */
function entryEdits(r: RawConfig, i: number): fc.Arbitrary<Edit>[] {
  const a = r.accounts[i];
  const at = `accounts[${i}]`;
  const name = trailNameOf(r, a) ?? `trail-${i}`;
  const tag = (s: string) => s.replace(/[^a-z0-9-]/gi, '').slice(0, 20).toLowerCase() || 'x';
  const out: fc.Arbitrary<Edit>[] = [];
  if (isLeaving(a)) {
    // A leaving entry: removed once deployed (safe), or back to active.
    out.push(fc.constant({ kind: `${at} (${a.lifecycle}) removed`, apply: (x: RawConfig) => x.accounts.splice(i, 1) }));
    return out;
  }
  const kmsVariants: { kind: string; value: unknown }[] = [
    ...(centralKey(r) ? [{ kind: 'central', value: 'central' }] : []),
    { kind: 'none', value: 'none' },
    { kind: 'create', value: { create: { alias: `alias/edit-${tag(name)}-${i}` } } },
    { kind: 'arn', value: { arn: `arn:${partitionOf(r)}:kms:${r.central.region}:${a.accountId}:key/${EDIT_KEY_ID}` } },
  ];
  out.push(
    fc.constantFrom(...kmsVariants).map((v) => ({ kind: `${at}.kmsKey -> ${v.kind}`, apply: (x: RawConfig) => void (x.accounts[i].kmsKey = copy({ v: v.value }).v) })),
    fc.constantFrom('team-edit', undefined).map((p) => ({
      kind: `${at}.prefix ${p ? 'set' : 'removed'}`,
      apply: (x: RawConfig) => {
        if (p) x.accounts[i].prefix = p;
        else delete x.accounts[i].prefix;
      },
    })),
    fc.boolean().map((on) => ({
      kind: `${at}.sns ${on ? 'on (topic and queue)' : 'off'}`,
      apply: (x: RawConfig) => {
        if (on) x.accounts[i].sns = { create: { topicName: `edit-${tag(name)}-${i}`, sqsQueue: true } };
        else x.accounts[i].sns = undefined;
      },
    })),
    fc.boolean().map((on) => ({
      kind: `${at}.cloudWatchLogs ${on ? 'on' : 'off'}`,
      apply: (x: RawConfig) => {
        if (on) x.accounts[i].cloudWatchLogs = { create: { logGroupName: `edit-${tag(name)}-${i}` } };
        else x.accounts[i].cloudWatchLogs = undefined;
      },
    })),
    fc.constantFrom('All', 'ReadOnly', 'WriteOnly').map((rw) => ({
      kind: `${at}.managementEvents.readWrite -> ${rw}`,
      apply: (x: RawConfig) => void (x.accounts[i].managementEvents = { ...x.accounts[i].managementEvents, readWrite: rw }),
    })),
    fc.boolean().map((on) => ({
      kind: `${at}.dataEvents ${on ? 'S3 bucket added' : 'removed'}`,
      apply: (x: RawConfig) => {
        if (on) x.accounts[i].dataEvents = { ...x.accounts[i].dataEvents, s3: { buckets: [{ name: 'edit-data', readWrite: 'WriteOnly' }] } };
        else x.accounts[i].dataEvents = undefined;
      },
    })),
    fc.boolean().map((on) => ({
      kind: `${at}.insights ${on ? 'on' : 'off'}`,
      apply: (x: RawConfig) => void (x.accounts[i].insights = on ? { apiErrorRate: true } : { apiCallRate: false, apiErrorRate: false }),
    })),
    fc.boolean().map((on) => ({
      kind: `${at}.networkActivityEvents ${on ? 'on' : 'off'}`,
      apply: (x: RawConfig) => void (x.accounts[i].networkActivityEvents = { eventSources: on ? ['kms.amazonaws.com'] : [] }),
    })),
    fc.boolean().map((on) => ({ kind: `${at}.enableLogging -> ${on}`, apply: (x: RawConfig) => void (x.accounts[i].enableLogging = on) })),
    fc.constantFrom('decommission', 'retain').chain((lifecycle) =>
      fc.boolean().map((deleteKeys) => ({
        kind: `${at}.lifecycle -> ${lifecycle}${lifecycle === 'decommission' && deleteKeys ? ' with deleteKeys' : ''}`,
        apply: (x: RawConfig) => {
          x.accounts[i].lifecycle = lifecycle;
          if (lifecycle === 'decommission' && deleteKeys) x.accounts[i].deleteKeys = true;
        },
      })),
    ),
    fc.boolean().map((declared) => ({
      kind: `${at}.trailName renamed${declared ? ' with renamedFrom' : ' without renamedFrom (unsafe)'}`,
      apply: (x: RawConfig) => {
        x.accounts[i].trailName = `${name.slice(0, 100)}-renamed`;
        if (declared) x.accounts[i].renamedFrom = name;
      },
    })),
    fc.constant({ kind: `${at} removed without lifecycle (unsafe)`, apply: (x: RawConfig) => void x.accounts.splice(i, 1) }),
    fc.constantFrom('us-west-2', 'eu-west-1').map((region) => ({
      kind: `${at}.region -> ${region === regionOf(r, a) ? 'us-east-1' : region} (home region: refused)`,
      apply: (x: RawConfig) => void (x.accounts[i].region = region === regionOf(r, a) ? 'us-east-1' : region),
    })),
  );
  if (a.kmsKey?.create) {
    out.push(
      fc.constant({ kind: `${at}.kmsKey.create.alias renamed`, apply: (x: RawConfig) => void (x.accounts[i].kmsKey = { create: { ...a.kmsKey.create, alias: `${a.kmsKey.create.alias}-v2` } }) }),
      fc.constant({
        kind: `${at}.kmsKey.create.multiRegion flipped (refused)`,
        apply: (x: RawConfig) => void (x.accounts[i].kmsKey = { create: { ...a.kmsKey.create, multiRegion: !a.kmsKey.create.multiRegion } }),
      }),
    );
  }
  if (a.adopt !== undefined) out.push(fc.constant({ kind: `${at}.adopt removed`, apply: (x: RawConfig) => void delete x.accounts[i].adopt }));
  return out;
}

/** Edits of the central stack's settings and of the fleet. */
function fleetEdits(r: RawConfig): fc.Arbitrary<Edit>[] {
  const c = r.central;
  const managed = (c.bucketManagement ?? 'managed') === 'managed';
  const out: fc.Arbitrary<Edit>[] = [
    fc.constantFrom('111122223333', '444455556666').map((id) => ({
      kind: 'account added',
      apply: (x: RawConfig) => void x.accounts.push({ accountId: id, trailName: 'added-trail' }),
    })),
    fc.constant({ kind: 'account added, its trail adopted', apply: (x: RawConfig) => void x.accounts.push({ accountId: '777788889999', trailName: 'adopted-trail', adopt: true }) }),
  ];
  if (managed) {
    out.push(
      fc.boolean().map((on) => ({
        kind: `central.retention ${on ? 'set' : 'removed'}`,
        apply: (x: RawConfig) => {
          if (on) x.central.retention = { expireAfterDays: 730 };
          else delete x.central.retention;
        },
      })),
      fc.boolean().map((on) => ({
        kind: `central.accessLogging ${on ? 'on' : 'off'}`,
        apply: (x: RawConfig) => {
          if (on) x.central.accessLogging = { targetBucket: `${c.bucketName}-edit-logs` };
          else delete x.central.accessLogging;
        },
      })),
      fc.constantFrom('policyOnly', 'none').map((mode) => ({
        kind: `central.bucketManagement -> ${mode}`,
        apply: (x: RawConfig) => {
          x.central.bucketManagement = mode;
          for (const k of ['retention', 'objectLock', 'accessLogging', ...(mode === 'none' ? ['adopt'] : [])]) delete x.central[k];
        },
      })),
    );
    if (c.objectLock) {
      out.push(
        fc.constant({ kind: 'central.objectLock removed', apply: (x: RawConfig) => void delete x.central.objectLock }),
        fc.constant({ kind: 'central.objectLock mode and days changed', apply: (x: RawConfig) => void (x.central.objectLock = { mode: 'GOVERNANCE', days: 3 }) }),
      );
    }
  }
  if (centralKey(r)) {
    out.push(
      fc.constant({
        kind: 'central.kmsKey false',
        apply: (x: RawConfig) => {
          x.central.kmsKey = false;
          // Trails on the central key (by name or by default) are told what to use instead, as the loader asks.
          for (const a of x.accounts) if ((a.kmsKey ?? x.defaults?.kmsKey ?? 'central') === 'central') a.kmsKey = 'none';
          if (x.defaults?.kmsKey === 'central') delete x.defaults.kmsKey;
        },
      }),
    );
    if (!(typeof c.kmsKey === 'object' && c.kmsKey.existingKeyArn)) {
      const key = typeof c.kmsKey === 'object' ? c.kmsKey : {};
      out.push(
        fc.constant({ kind: 'central.kmsKey.alias renamed', apply: (x: RawConfig) => void (x.central.kmsKey = { ...key, alias: `${key.alias ?? 'alias/cloudtrail-logs'}-v2` }) }),
        fc.constant({ kind: 'central.kmsKey.multiRegion flipped (refused)', apply: (x: RawConfig) => void (x.central.kmsKey = { ...key, multiRegion: !key.multiRegion }) }),
      );
    }
  }
  if (!r.organization) {
    out.push(fc.constant({ kind: 'organization on', apply: (x: RawConfig) => void (x.organization = { id: 'o-editedorg01', managementAccountId: c.accountId }) }));
  }
  if (!r.guard) out.push(fc.constant({ kind: 'guard on (detection)', apply: (x: RawConfig) => void (x.guard = {}) }));
  else if (!r.guard.prevention) out.push(fc.constant({ kind: 'guard removed', apply: (x: RawConfig) => void delete x.guard }));
  else out.push(fc.constant({ kind: 'guard.prevention false', apply: (x: RawConfig) => void (x.guard = { ...x.guard, prevention: false }) }));
  return out;
}

/** One random edit of a config (as parsed YAML); the config itself is not changed. */
export function configEditArbitrary(raw: RawConfig): fc.Arbitrary<ConfigEdit> {
  const edits = [...raw.accounts.flatMap((_: unknown, i: number) => entryEdits(raw, i)), ...fleetEdits(raw)];
  const unchanged = JSON.stringify(raw);
  return (fc.oneof(...edits) as fc.Arbitrary<Edit>)
    .map((e) => {
      const out = copy(raw);
      e.apply(out);
      return { kind: e.kind, raw: JSON.parse(JSON.stringify(out)) as RawConfig };
    })
    // An edit that changes nothing (Insights off on a trail without Insights...) is no transition.
    .filter((e) => JSON.stringify(e.raw) !== unchanged);
}

export interface TransitionPair {
  readonly before: RawConfig;
  readonly edit: string;
  readonly after: RawConfig;
}

export interface PairArbitraryOptions {
  /** At most this many account stacks (distinct account ids) in the drawn config. @default 2 */
  readonly maxAccounts?: number;
}

/**
 * A small random config of the `aws` partition (at most `maxAccounts` account
 * stacks, every option of tools/config-arbitraries.ts otherwise) and a random
 * edit of it.
 */
export function transitionPairArbitrary(options: PairArbitraryOptions = {}): fc.Arbitrary<TransitionPair> {
  const max = options.maxAccounts ?? 2;
  return configArbitrary({ maxAccounts: 4 })
    .filter((raw) => partitionOf(raw) === 'aws' && new Set(raw.accounts.map((a: RawConfig) => a.accountId)).size <= max)
    .chain((before) => configEditArbitrary(before).map((e) => ({ before, edit: e.kind, after: e.raw })));
}
