/**
 * Property-based tests: random valid configs across the whole option space
 * (scripts/config-arbitraries.ts) go through the loader and a real synth,
 * and every draw must satisfy what "synth succeeded" promises: Terraform and
 * AWS will accept it.
 *
 * Deterministic by default (a fixed seed); explore more with
 *   FC_SEED=<n> FC_RUNS=<n> npx jest __tests__/property
 * A failure prints the seed, the path to replay it and the shrunk counterexample.
 */
import fc from 'fast-check';
import { App } from 'cdktf';
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, configFromObject } from '../../config/load';
import type { FleetConfig } from '../../config/model';
import { buildFleet } from '../../stacks/fleet';
import { withLeanTokenTraces } from '../../stacks/lean-traces';
import { BAD_CLOUD_HOSTNAMES, BAD_S3_KEY_PREFIXES, configArbitrary, DEFAULT_SEED, FAKE_REGIONS, REAL_REGIONS } from '../../tools/config-arbitraries';
import type { RawConfig } from '../../tools/fleet-shapes';
import { backendProblems, guardProblems, Json, nameProblems, networkProblems, policySizeProblems, providerProblems, tagProblems, templateProblems } from './invariants';
import { FLEET_CHECKS } from '../../modules/fleet-checks';

const SEED = process.env.FC_SEED === undefined ? DEFAULT_SEED : Number(process.env.FC_SEED);
/** Runs per property: FC_RUNS overrides (for all), the numbers here keep the suite well under 2 minutes on 2 cores. */
const runs = (n: number) => (process.env.FC_RUNS === undefined ? n : Number(process.env.FC_RUNS));
const params = (numRuns: number): fc.Parameters<[RawConfig]> => ({ seed: SEED, numRuns: runs(numRuns), verbose: 0 });
/** The main arbitrary: small fleets and fleets at the encoding thresholds up to 400 accounts. */
const configs = configArbitrary({ maxAccounts: 400 });

/** The invariants, each over one successful synth. */
const INVARIANTS = {
  template: (o: Synthesized) => templateProblems(o.stacks),
  providers: (o: Synthesized) => providerProblems(o.stacks, o.config),
  policySizes: (o: Synthesized) => policySizeProblems(o.stacks, o.config),
  tags: (o: Synthesized) => tagProblems(o.stacks, o.raw),
  names: (o: Synthesized) => nameProblems(o.stacks),
  backend: (o: Synthesized) => backendProblems(o.stacks, o.raw),
  network: (o: Synthesized) => networkProblems(o.stacks, o.raw),
  guard: (o: Synthesized) => guardProblems(o.stacks, o.config),
};
type Invariant = keyof typeof INVARIANTS;

interface Synthesized {
  /** The config as written (parsed YAML). */
  readonly raw: RawConfig;
  readonly config: FleetConfig;
  readonly stacks: Map<string, Json>;
}

/**
 * What one draw gave, kept small (the same seed draws the same configs in
 * every property, so each is synthesized once): the problems each invariant
 * found and a digest of every file written.
 */
type Outcome =
  | { readonly kind: 'ok'; readonly problems: Readonly<Record<Invariant, string[]>>; readonly files: readonly string[]; readonly digest: string }
  | { readonly kind: 'rejected'; readonly error: ConfigError }
  | { readonly kind: 'crash'; readonly stage: 'load' | 'synth' | 'check'; readonly error: unknown };

/** What a user's parsed YAML/JSON is: plain data, no undefined values. */
const asParsed = (raw: RawConfig): RawConfig => JSON.parse(JSON.stringify(raw));

function readTree(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) readTree(p, base, out);
    else out.set(path.relative(base, p).split(path.sep).join('/'), readFileSync(p, 'utf8'));
  }
  return out;
}

/** Loader + the app's synth (as main.ts does it) into a temp dir, then every invariant. */
function synthOnce(raw: RawConfig): Outcome {
  let config: FleetConfig;
  const parsed = asParsed(raw);
  try {
    config = configFromObject(asParsed(raw), 'property-config', FLEET_CHECKS);
  } catch (error) {
    return error instanceof ConfigError ? { kind: 'rejected', error } : { kind: 'crash', stage: 'load', error };
  }
  mkdirSync(os.tmpdir(), { recursive: true });
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'property-'));
  let files: Map<string, string>;
  try {
    withLeanTokenTraces(() => {
      const app = new App({ outdir });
      buildFleet(app, config);
      app.synth();
    });
    files = readTree(outdir);
  } catch (error) {
    return { kind: 'crash', stage: 'synth', error };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const stacks = new Map<string, Json>();
  for (const [file, text] of files) {
    const m = /^stacks\/([^/]+)\/cdk\.tf\.json$/.exec(file);
    if (m) stacks.set(m[1], JSON.parse(text));
  }
  try {
    const problems = Object.fromEntries(Object.entries(INVARIANTS).map(([k, check]) => [k, check({ raw: parsed, config, stacks })])) as Record<Invariant, string[]>;
    const hash = createHash('sha256');
    for (const [file, text] of files) hash.update(`${file}\0${text}\0`);
    return { kind: 'ok', problems, files: [...files.keys()], digest: hash.digest('hex') };
  } catch (error) {
    return { kind: 'crash', stage: 'check', error };
  }
}

const cache = new Map<string, Outcome>();
function synthesize(raw: RawConfig): Outcome {
  const key = JSON.stringify(raw);
  let outcome = cache.get(key);
  if (!outcome) {
    outcome = synthOnce(raw);
    cache.set(key, outcome);
  }
  return outcome;
}
afterAll(() => cache.clear());

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A property over the successful synths: fails listing what the invariant found. */
function holdsForEverySynth(invariant: Invariant) {
  return fc.property(configs, (raw) => {
    const o = synthesize(raw);
    if (o.kind !== 'ok') return; // rejections and crashes are the first property's business
    const problems = o.problems[invariant];
    if (problems.length) throw new Error(`${problems.length} problem(s):\n  ${problems.slice(0, 8).join('\n  ')}`);
  });
}

describe('every random config', () => {
  test('synth succeeds, or the loader rejects the config with a ConfigError naming path and rule (never a crash or a stack trace)', () => {
    fc.assert(
      fc.property(configs, (raw) => {
        const o = synthesize(raw);
        if (o.kind === 'crash') throw new Error(`${o.stage} crashed (not a ConfigError): ${describeError(o.error)}`);
        if (o.kind === 'rejected') {
          const { message, issues } = o.error;
          expect(message).not.toMatch(/^\s+at /m);
          expect(issues.length).toBeGreaterThan(0);
          for (const i of issues) {
            expect(i.path.length).toBeGreaterThan(0);
            expect(i.message.length).toBeGreaterThan(10);
            expect(message).toContain(`${i.path}: ${i.message}`);
          }
        }
      }),
      params(200),
    );
  });

  test('no string or key of any stack holds template text Terraform would interpret ($${ and %%{ are escapes; a bare ${ only as a cdktf reference)', () => {
    fc.assert(holdsForEverySynth('template'), params(200));
  });

  test("every provider block is pinned to its stack's account (allowed_account_ids)", () => {
    fc.assert(holdsForEverySynth('providers'), params(200));
  });

  test('the bucket and central key policies, as AWS receives them, fit their limits and equal bucket_policy_bytes and the synth summary', () => {
    fc.assert(holdsForEverySynth('policySizes'), params(200));
  });

  test('every tag written in the config reaches the trail (own tags or default_tags) or the central stack, none dropped', () => {
    fc.assert(holdsForEverySynth('tags'), params(200));
  });

  test("created resources' names obey AWS naming rules as AWS receives them (e.g. an SQS queue name is at most 80 characters)", () => {
    fc.assert(holdsForEverySynth('names'), params(200));
  });

  test('backend blocks obey the rules Terraform checks at init (hostname without scheme or path; S3 key without leading "/" or "//")', () => {
    fc.assert(holdsForEverySynth('backend'), params(200));
  });

  test('each trail logs the network activity events its config lists, and no other source (the selector evaluator over the synthesized trail)', () => {
    fc.assert(holdsForEverySynth('network'), params(200));
  });

  test("the guard's service control policies and event patterns, as AWS receives them, fit their limits; its stack and rules exist exactly when configured", () => {
    fc.assert(holdsForEverySynth('guard'), params(200));
  });

  test('reordering the accounts list changes no byte of the output', () => {
    const withOrder = configs.chain((raw) => fc.tuple(fc.constant(raw), fc.shuffledSubarray(raw.accounts as RawConfig[], { minLength: raw.accounts.length, maxLength: raw.accounts.length })));
    fc.assert(
      fc.property(withOrder, ([raw, shuffled]) => {
        const a = synthesize(raw);
        if (a.kind !== 'ok') return;
        const b = synthOnce({ ...raw, accounts: shuffled });
        if (b.kind !== 'ok') throw new Error(`the reordered config did not synthesize: ${b.kind === 'crash' ? describeError(b.error) : b.error.message}`);
        expect(b.files).toEqual(a.files);
        if (b.digest !== a.digest) throw new Error('the output differs after reordering the accounts');
      }),
      { seed: SEED, numRuns: runs(60), verbose: 0 },
    );
  });
});

describe('values that Terraform or AWS would reject are rejected by the loader', () => {
  const regionsOf = (raw: RawConfig): string[] => [raw.central.region, ...raw.accounts.map((a: RawConfig) => a.region), raw.backend?.region].filter((r): r is string => typeof r === 'string');
  const fake = new Set(Object.values(FAKE_REGIONS).flat());

  test('a config naming a region that does not exist is rejected', () => {
    fc.assert(
      fc.property(configs, (raw) => {
        if (!regionsOf(raw).some((r) => fake.has(r))) return;
        const o = synthesize(raw);
        if (o.kind !== 'rejected') throw new Error(`accepted a config with the non-existent region(s) ${regionsOf(raw).filter((r) => fake.has(r)).join(', ')}`);
      }),
      params(200),
    );
  });

  test('a cloud backend hostname written as a URL, or an S3 state key prefix with a leading "/" or "//", is rejected', () => {
    fc.assert(
      fc.property(configs, (raw) => {
        const b = raw.backend;
        const bad = (b?.type === 'cloud' && (BAD_CLOUD_HOSTNAMES as readonly string[]).includes(b.hostname)) || (b?.type === 's3' && (BAD_S3_KEY_PREFIXES as readonly string[]).includes(b.keyPrefix));
        if (!bad) return;
        const o = synthesize(raw);
        if (o.kind !== 'rejected') throw new Error(`accepted the backend ${JSON.stringify(b)}, which terraform init rejects`);
      }),
      params(200),
    );
  });

  test('network activity events named by a short name or filtered by errorCode (needs aws provider 6.2) are rejected', () => {
    fc.assert(
      fc.property(configs, (raw) => {
        const entries = [raw.defaults, ...raw.accounts].map((e: RawConfig | undefined) => e?.networkActivityEvents).filter(Boolean);
        const bad = entries.some((n: RawConfig) => n.vpceAccessDeniedOnly !== undefined || (n.eventSources ?? []).some((e: RawConfig | string) => e === 'kms' || (typeof e === 'object' && e.errorCode !== undefined)));
        if (!bad) return;
        const o = synthesize(raw);
        if (o.kind !== 'rejected') throw new Error(`accepted the network activity events ${JSON.stringify(entries)}, which CloudTrail or the pinned provider refuses`);
      }),
      params(200),
    );
  });

  test('the fake regions used above are not real regions (the oracle itself)', () => {
    for (const [partition, names] of Object.entries(FAKE_REGIONS)) for (const r of names) expect(REAL_REGIONS[partition as keyof typeof REAL_REGIONS]).not.toContain(r);
  });
});

describe('counterexamples found by these properties, kept as fixed cases', () => {
  const base = (accounts: RawConfig[]): RawConfig => ({
    central: { accountId: '111111111111', region: 'us-east-2', bucketName: 'my-bucket', tags: { owner: 'security' } },
    defaults: { trailName: 'my-trail' },
    accounts,
  });

  // Found 2026-11-26: zod's record (and the YAML loader) assign keys to a plain object, so a
  // tag key "__proto__" (a valid AWS tag key) was silently dropped instead of tagged or rejected.
  test.each([
    ['an account', (raw: RawConfig) => (raw.accounts[0].tags = JSON.parse('{"__proto__":"x","owner":"a"}'))],
    ['central', (raw: RawConfig) => (raw.central.tags = JSON.parse('{"__proto__":"central"}'))],
  ])('a tag key "__proto__" in %s is kept, or rejected with a ConfigError, never silently dropped', (_, change) => {
    const raw = base([{ accountId: '222222222222' }]);
    change(raw);
    const o = synthOnce(raw);
    if (o.kind === 'rejected') {
      expect(o.error.message).toMatch(/__proto__/);
      return;
    }
    expect(o.kind).toBe('ok');
    if (o.kind === 'ok') expect(o.problems.tags).toEqual([]);
  });

  test.each(['trail', 'key', 'topic', 'backend', 'provider', 'aws', 'providers', 'trail_arn', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
    'a trail named %s next to another trail in the account synthesizes, carrying its tags (toString too)',
    (trailName) => {
      const o = synthOnce(base([{ accountId: '222222222222', trailName, tags: { toString: 'a', owner: 'b' } }, { accountId: '222222222222', trailName: 'other', tags: { owner: 'b' } }]));
      if (o.kind !== 'ok') throw new Error(o.kind === 'crash' ? `${o.stage} crashed: ${describeError(o.error)}` : o.error.message);
      expect(Object.values(o.problems).flat()).toEqual([]);
    },
  );
});
