/**
 * Config transitions on the emulator (issue 15; docs/emulator.md,
 * "Transitions"): what a deploy does when the config changes, applied for
 * real with Terraform and the aws provider.
 *
 * A chain is a list of configs applied one after another to one fleet (one
 * work folder, one state per stack, one emulator). The first is deployed from
 * nothing (central first, then the accounts). Each next one is a transition
 * from the one before, checked the way issue 15 asks:
 *
 *  1. synthesize it, create what it says exists already (new `kmsKey: { arn }`
 *     keys, topics, an access-logging target, imported resources);
 *  2. the change gate's static listing, `analyzeChange` on the two syntheses
 *     (the deployed one and the new one), as `deploy` calls it;
 *  3. per stack that changed, central first: `terraform plan`, `terraform
 *     show -json` of it, read into destroys, replacements, forgets and moves
 *     (which must equal the gate's listing for that stack) and into the
 *     deletes and replacements of protected resources the config did not
 *     declare (`undeclaredLosses`, which must be none); then the saved plan is
 *     applied (the central stack before any account stack is planned: a new
 *     alias or policy must exist first, as in a deploy);
 *  4. every stack that changed is planned again: "No changes".
 *
 * A probe is a change planned from the same deployed state and never
 * applied: one Terraform must refuse (`planFails`: a trail's home-region
 * postcondition, prevent_destroy on a replaced key) or one the gate calls
 * unsafe, whose Terraform plan must lose exactly what the gate says (the
 * check can fail).
 *
 * Stacks are planned `jobs` at a time; a stack whose synthesized content did
 * not change (`//` comments aside) is not planned again.
 */
import { mkdirSync } from 'fs';
import * as path from 'path';
import { KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import type { FleetConfig } from '../../config/model';
import { analyzeChange, type ChangePlan, type Finding } from '../../cli/lib/change-plan';
import { synthStacks } from '../../cli/lib/fleet-synth';
import { contentKey } from '../../cli/lib/stack-diff';
import { type Loss, undeclaredLosses } from '../../modules/change-safety';
import { declarationsFromStacks } from '../../modules/gate-declarations';
import { emulatorCredentials, type Emulator } from './emulator';
import { applyFleet, type FleetStack, inPool, isCentral, keyPolicyFor, pointAtEmulator, prepareWorld, seedImports, synthFleet } from './fleet';
import { type PlanResult, type ShowJson, Terraform, TerraformError } from './terraform';

type Json = Record<string, any>;

/** One config of a chain. */
export interface ChainStep {
  /** What the step is: `keys, deliveries, selectors (phase 1)`. */
  readonly name: string;
  /** The kinds of edit it makes (TRANSITION_KINDS), for the coverage table and its test. */
  readonly covers: readonly string[];
  readonly config: FleetConfig;
  /** The config as written (parsed YAML), when the chain has it: a file `verify` can load. */
  readonly raw?: Record<string, unknown>;
  /** Changes planned from the state this step starts from, never applied. */
  readonly probes?: readonly Probe[];
  /**
   * Resources the step imports that nothing managed before are created first, as existing outside Terraform
   * (an adopted trail; default). false: they exist already (the bucket's parts a config forgot and adopts back).
   */
  readonly seedImports?: boolean;
}

export interface Probe {
  readonly name: string;
  readonly covers: readonly string[];
  readonly config: FleetConfig;
  /**
   * Stack -> text its plan must fail with (Terraform refuses the change). Without it, the probe is a change the
   * gate calls unsafe: its plan is compared with the gate's listing, and its losses with the gate's findings.
   */
  readonly planFails?: Readonly<Record<string, string>>;
  /** With planFails: plan the other stacks that changed too, and check them as an unsafe change's (default: only the refusing ones). */
  readonly planOthers?: boolean;
}

export interface Chain {
  readonly name: string;
  readonly steps: readonly ChainStep[];
}

/** What one stack's transition plan showed. */
export interface StackCheck {
  readonly stack: string;
  /** The gate's listing for this stack: `destroy aws_x.y`, `replace aws_x.y`, `forget aws_x.y`, `move aws_x.a -> aws_x.b`. */
  readonly gate: readonly string[];
  /** The same read from Terraform's plan (`terraform show -json`). */
  readonly emulator: readonly string[];
  /** Deletes and replacements of protected resources the config did not declare (modules/change-safety.ts). */
  readonly losses: readonly string[];
  /** The plan failed (a probe that expects it): Terraform's message. */
  readonly failed?: string;
  /** The plan after the apply: [] = "No changes". */
  readonly replan?: readonly string[];
}

export interface TransitionResult {
  readonly chain: string;
  /** `2. <step name>` or `2. probe: <probe name>` */
  readonly name: string;
  readonly kind: 'deploy' | 'step' | 'probe';
  readonly covers: readonly string[];
  /** Stacks synthesized / planned. */
  readonly stacks: number;
  readonly checks: readonly StackCheck[];
  /** The gate's unsafe findings (`<kind> <stack>[ <address>]`). */
  readonly unsafe: readonly string[];
  /** A probe with planFails: stack -> whether its plan failed with the expected text. */
  readonly refused?: Readonly<Record<string, boolean>>;
  /** An error that stopped the chain. */
  readonly error?: string;
  readonly seconds: number;
}

export interface ChainOptions {
  readonly emulator: Emulator;
  /** The chain's work folder: synthesized stacks (`out/<n>`), state, Terraform's CLI config. */
  readonly workDir: string;
  /** Terraform runs at once (default 2). */
  readonly jobs?: number;
  readonly log?: (line: string) => void;
  /** Called with each result as it is made (a test can report what a failing chain did so far). */
  readonly onResult?: (r: TransitionResult) => void;
}

// ------------------------------------------------------------ reading a plan

/** `terraform show -json` resource changes as the gate lists them: destroy, replace, forget, move. */
export function planListing(show: ShowJson | undefined): string[] {
  const out: string[] = [];
  for (const rc of show?.resource_changes ?? []) {
    const actions = rc.change.actions;
    const previous = rc.previous_address && rc.previous_address !== rc.address ? rc.previous_address : undefined;
    let action: string | undefined;
    if (actions.includes('delete') && actions.includes('create')) action = 'replace';
    else if (actions.length === 1 && actions[0] === 'delete') action = 'destroy';
    else if (actions.includes('forget')) action = 'forget';
    else if (previous) action = 'move';
    if (action) out.push(listingLine(action, rc.address, previous));
  }
  return out.sort();
}

function listingLine(action: string, address: string, previous?: string): string {
  return `${action} ${previous ? `${previous} -> ` : ''}${address}`;
}

/** The gate's listing of one stack, in the same words. */
export function gateListing(plan: ChangePlan, stack: string): string[] {
  return plan.actions
    .filter((a) => a.stack === stack)
    .map((a) => listingLine(a.action, a.address, a.previousAddress))
    .sort();
}

const findingLine = (f: Finding) => `${f.kind} ${f.stack}${f.address ? ` ${f.address}` : ''}`;
const lossLine = (l: Loss) => `protected-${l.action === 'delete' ? 'destroy' : 'replace'} ${l.stack} ${l.address}`;

/** Changes of a re-plan, in words (`update aws_x.y`, `output.trail`). */
function replanLines(plan: PlanResult): string[] {
  return plan.changes.map((c) => `${c.actions.join(',')} ${c.address}`);
}

// ------------------------------------------------------------ the world between two configs

const stacksMap = (stacks: readonly FleetStack[]) => new Map(stacks.map((s) => [s.name, s.json]));

/**
 * Creates what `after` says exists already and `before` did not (prepareWorld
 * plants everything once, at the chain's first deploy): new `kmsKey: { arn }`
 * keys, new existing topics, a new access-logging target; the organization is
 * declared again with every account. A key named by more accounts than before
 * gets a policy that lets them look it up.
 */
export async function prepareTransition(before: FleetConfig, after: FleetConfig, emulator: Emulator, stacks: readonly FleetStack[] = []): Promise<void> {
  const arnUsers = (c: FleetConfig) => {
    const m = new Map<string, Set<string>>();
    for (const t of c.trails) if (t.kmsKey.kind === 'arn') m.set(t.kmsKey.arn, (m.get(t.kmsKey.arn) ?? new Set()).add(t.accountId));
    return m;
  };
  const had = arnUsers(before);
  const topics = new Set(before.trails.flatMap((t) => (t.sns?.kind === 'existing' ? [t.sns.topicArn] : [])));
  const newKeys = new Set([...arnUsers(after).keys()].filter((arn) => !had.has(arn)));
  const trails = after.trails.filter((t) => (t.kmsKey.kind === 'arn' && newKeys.has(t.kmsKey.arn)) || (t.sns?.kind === 'existing' && !topics.has(t.sns.topicArn)));
  const newTarget = after.central.accessLogging && after.central.accessLogging.targetBucket !== before.central.accessLogging?.targetBucket;
  await prepareWorld(
    {
      ...after,
      organization: undefined,
      trails,
      leaving: [],
      central: {
        ...after.central,
        // The log bucket and an adopted central key exist from the first deploy on (or were forgotten, and stay).
        bucketManagement: 'managed',
        adopt: undefined,
        kmsKey: after.central.kmsKey ? { ...after.central.kmsKey, existingKeyArn: undefined } : after.central.kmsKey,
        accessLogging: newTarget ? after.central.accessLogging : undefined,
      },
    },
    emulator,
  );
  // The organization with every account, and the root the stacks attach policies to (as prepareWorld declares it).
  if (after.organization) await prepareWorld({ ...after, trails: [], leaving: [...after.trails, ...after.leaving], central: { ...after.central, bucketManagement: 'managed', adopt: undefined, accessLogging: undefined, kmsKey: undefined } }, emulator, stacks);
  // A key that more accounts name now: its policy lets each of them look it up (as prepareWorld writes it).
  for (const [arn, users] of arnUsers(after)) {
    const old = had.get(arn);
    if (!old || [...users].every((a) => old.has(a))) continue;
    const m = /^arn:([^:]+):kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/.exec(arn);
    if (!m) continue;
    const [, partition, region, owner] = m;
    const kms = new KMSClient({ endpoint: emulator.endpoint, region, credentials: emulatorCredentials(owner), maxAttempts: 1 });
    try {
      const readers = [...new Set([...old, ...users])].filter((a) => a !== owner).sort();
      await kms.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: keyPolicyFor(partition, owner, readers) }));
    } finally {
      kms.destroy();
    }
  }
}

/** The stack with only the import blocks of resources `before` did not manage (those must be created first). */
function newImports(stack: FleetStack, before: Json | undefined): FleetStack {
  const managed = (to: string) => {
    const [type, name] = String(to).split('.');
    return before?.resource?.[type]?.[name] !== undefined;
  };
  return { ...stack, json: { ...stack.json, import: ([] as Json[]).concat(stack.json.import ?? []).filter((i) => !managed(i.to)) } };
}

// ------------------------------------------------------------ one transition

interface Applied {
  readonly config: FleetConfig;
  readonly stacks: readonly FleetStack[];
}

function changedStacks(before: ReadonlyMap<string, Json>, stacks: readonly FleetStack[]): FleetStack[] {
  return stacks.filter((s) => {
    const b = before.get(s.name);
    return !b || contentKey(b) !== contentKey(s.json);
  });
}

async function planStack(terraform: Terraform, stack: FleetStack, plan: ChangePlan, beforeJson: Json | undefined, declarations: ReturnType<typeof declarationsFromStacks>) {
  const result = await terraform.plan(stack.dir);
  const changes = (result.showJson?.resource_changes ?? []) as Parameters<typeof undeclaredLosses>[1];
  const check: StackCheck = {
    stack: stack.name,
    gate: gateListing(plan, stack.name),
    emulator: planListing(result.showJson),
    losses: undeclaredLosses(stack.name, changes, declarations, beforeJson).map(lossLine).sort(),
  };
  return { result, check };
}

/**
 * Runs a chain: deploys its first config from nothing, then each next one as
 * a transition (and its probes first). Returns a result per deploy, step and
 * probe; an error stops the chain and is the last result's `error`.
 */
export async function runChain(chain: Chain, options: ChainOptions): Promise<TransitionResult[]> {
  const { emulator } = options;
  const log = options.log ?? (() => undefined);
  const jobs = options.jobs ?? 2;
  const terraform = new Terraform({ workDir: path.join(options.workDir, 'terraform'), endpoint: emulator.endpoint });
  const results: TransitionResult[] = [];
  const push = (r: TransitionResult) => {
    results.push(r);
    options.onResult?.(r);
    log(`${chain.name} ${r.name}: ${r.checks.length} stack(s) planned, ${r.seconds.toFixed(0)} s${r.error ? ` -- ERROR ${r.error.split('\n')[0]}` : ''}`);
  };
  const synth = (config: FleetConfig, label: string) => {
    const stacks = synthFleet(config, path.join(options.workDir, 'out', label));
    pointAtEmulator(stacks, emulator.endpoint, options.workDir);
    return stacks;
  };

  // The first config, from nothing.
  const [first, ...rest] = chain.steps;
  let started = Date.now();
  let applied: Applied;
  try {
    mkdirSync(options.workDir, { recursive: true });
    const stacks = synth(first.config, '0');
    await prepareWorld(first.config, emulator, stacks);
    await applyFleet(stacks, { emulator, terraform, workDir: options.workDir, jobs, log });
    applied = { config: first.config, stacks };
    push({ chain: chain.name, name: `0. ${first.name}`, kind: 'deploy', covers: first.covers, stacks: stacks.length, checks: [], unsafe: [], seconds: (Date.now() - started) / 1000 });
  } catch (e) {
    push({ chain: chain.name, name: `0. ${first.name}`, kind: 'deploy', covers: first.covers, stacks: 0, checks: [], unsafe: [], error: errorText(e), seconds: (Date.now() - started) / 1000 });
    return results;
  }

  for (const [i, step] of rest.entries()) {
    const n = i + 1;
    const beforeMap = stacksMap(applied.stacks);

    // Probes: planned from the deployed state, never applied.
    for (const [k, probe] of (step.probes ?? []).entries()) {
      started = Date.now();
      const name = `${n}. probe: ${probe.name}`;
      try {
        const stacks = synth(probe.config, `${n}-probe-${k + 1}`);
        await prepareTransition(applied.config, probe.config, emulator, stacks);
        const plan = analyzeChange(beforeMap, stacksMap(stacks));
        const declarations = declarationsFromStacks(stacksMap(stacks));
        // A change Terraform must refuse: only the stacks that must refuse it are planned.
        const changed = probe.planFails && !probe.planOthers ? stacks.filter((s) => probe.planFails![s.name] !== undefined) : changedStacks(beforeMap, stacks);
        const checks: StackCheck[] = [];
        const refused: Record<string, boolean> = {};
        await inPool(changed, jobs, async (s) => {
          const expected = probe.planFails?.[s.name];
          try {
            const { check } = await planStack(terraform, s, plan, beforeMap.get(s.name), declarations);
            checks.push(check);
            if (expected !== undefined) refused[s.name] = false;
          } catch (e) {
            if (!(e instanceof TerraformError)) throw e;
            const text = e.message.replace(/\s+/g, ' ');
            checks.push({ stack: s.name, gate: gateListing(plan, s.name), emulator: [], losses: [], failed: text });
            if (expected === undefined) throw e;
            refused[s.name] = text.includes(expected.replace(/\s+/g, ' '));
          }
        });
        for (const s of Object.keys(probe.planFails ?? {})) refused[s] ??= false;
        checks.sort((a, b) => a.stack.localeCompare(b.stack));
        push({ chain: chain.name, name, kind: 'probe', covers: probe.covers, stacks: changed.length, checks, unsafe: plan.unsafe.map(findingLine), refused, seconds: (Date.now() - started) / 1000 });
      } catch (e) {
        push({ chain: chain.name, name, kind: 'probe', covers: probe.covers, stacks: 0, checks: [], unsafe: [], error: errorText(e), seconds: (Date.now() - started) / 1000 });
        return results;
      }
    }

    // The step itself: plan, check, apply (central first), then plan again.
    started = Date.now();
    const name = `${n}. ${step.name}`;
    const checks: StackCheck[] = [];
    let plan: ChangePlan | undefined;
    try {
      const stacks = synth(step.config, String(n));
      await prepareTransition(applied.config, step.config, emulator, stacks);
      const afterMap = stacksMap(stacks);
      plan = analyzeChange(beforeMap, afterMap);
      const declarations = declarationsFromStacks(afterMap);
      const changed = changedStacks(beforeMap, stacks);
      const one = async (s: FleetStack) => {
        // Resources the new config imports and nothing managed before: they exist outside Terraform (an adopted trail).
        if (step.seedImports !== false) await seedImports(newImports(s, beforeMap.get(s.name)), { terraform, endpoint: emulator.endpoint, workDir: options.workDir });
        const { result, check } = await planStack(terraform, s, plan!, beforeMap.get(s.name), declarations);
        checks.push(check);
        if (!result.noChanges) await terraform.applyPlan(s.dir, result.planFile);
      };
      for (const s of changed.filter(isCentral)) await one(s);
      await inPool(
        changed.filter((s) => !isCentral(s)),
        jobs,
        one,
      );
      await inPool(changed, jobs, async (s) => {
        const again = await terraform.plan(s.dir);
        const check = checks.find((c) => c.stack === s.name)!;
        checks.splice(checks.indexOf(check), 1, { ...check, replan: replanLines(again) });
      });
      checks.sort((a, b) => a.stack.localeCompare(b.stack));
      applied = { config: step.config, stacks };
      push({ chain: chain.name, name, kind: 'step', covers: step.covers, stacks: changed.length, checks, unsafe: plan.unsafe.map(findingLine), seconds: (Date.now() - started) / 1000 });
    } catch (e) {
      checks.sort((a, b) => a.stack.localeCompare(b.stack));
      push({ chain: chain.name, name, kind: 'step', covers: step.covers, stacks: checks.length, checks, unsafe: plan?.unsafe.map(findingLine) ?? [], error: errorText(e), seconds: (Date.now() - started) / 1000 });
      return results;
    }
  }
  return results;
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

// ------------------------------------------------------------ what a result must say

/**
 * What is wrong with a result, in words ([] = it is what issue 15 asks):
 * - a deploy or step: no error; the gate calls it safe; per stack, Terraform's
 *   destroys/replacements/forgets/moves are the gate's listing, nothing
 *   protected is lost undeclared, and the re-plan says "No changes";
 * - a probe with planFails: each named stack's plan failed with its text,
 *   and the gate calls the change unsafe;
 * - another probe: the gate calls it unsafe, Terraform's listing is the
 *   gate's, and the protected resources Terraform would lose are exactly
 *   the gate's protected-destroy/replace findings.
 */
export function resultProblems(r: TransitionResult, probe?: Probe): string[] {
  const out: string[] = [];
  if (r.error) return [`stopped: ${r.error}`];
  const refusing = new Set(Object.keys(probe?.planFails ?? {}));
  if (r.kind === 'probe' && probe?.planFails) {
    for (const [stack, refused] of Object.entries(r.refused ?? {})) if (!refused) out.push(`${stack}: the plan did not fail with "${probe.planFails[stack]}": ${r.checks.find((c) => c.stack === stack)?.failed ?? 'it succeeded'}`);
    if (r.unsafe.length === 0) out.push('the gate calls the change safe, but Terraform refuses it');
    if (!probe.planOthers) return out;
  }
  for (const c of r.checks) {
    if (refusing.has(c.stack)) continue;
    if (c.failed) {
      out.push(`${c.stack}: the plan failed: ${c.failed.slice(0, 600)}`);
      continue;
    }
    const gateOnly = c.gate.filter((l) => !c.emulator.includes(l));
    const tfOnly = c.emulator.filter((l) => !c.gate.includes(l));
    if (gateOnly.length || tfOnly.length) out.push(`${c.stack}: the gate lists ${JSON.stringify(gateOnly)} that Terraform does not plan, Terraform plans ${JSON.stringify(tfOnly)} that the gate does not list`);
    if (r.kind !== 'probe' && c.losses.length) out.push(`${c.stack}: undeclared losses of protected resources: ${c.losses.join('; ')}`);
    if (r.kind === 'step' && (c.replan === undefined || c.replan.length)) out.push(`${c.stack}: the plan after the apply is not "No changes": ${JSON.stringify(c.replan)}`);
  }
  if (r.kind === 'probe') {
    const losses = r.checks.filter((c) => !refusing.has(c.stack)).flatMap((c) => c.losses).sort();
    // What the gate finds on a stack whose plan Terraform refuses is not compared (nothing was planned there).
    const protectedFindings = r.unsafe.filter((u) => /^protected-(destroy|replace) /.test(u) && !refusing.has(u.split(' ')[1])).sort();
    if (JSON.stringify(losses) !== JSON.stringify(protectedFindings)) out.push(`Terraform's undeclared losses ${JSON.stringify(losses)} are not the gate's protected findings ${JSON.stringify(protectedFindings)}`);
    if (r.unsafe.length === 0) out.push('the gate calls the change safe');
  } else if (r.unsafe.length) {
    out.push(`the gate calls the change unsafe: ${r.unsafe.join('; ')}`);
  }
  return out;
}

/** The coverage table of the transition results. */
export function transitionReport(results: readonly TransitionResult[], seconds: number): string {
  const lines = ['', 'emulator transitions: applied before, planned after (gate listing = Terraform plan, no undeclared loss), applied, planned again:'];
  for (const r of results) {
    const status = r.error ? 'ERROR' : r.kind === 'probe' ? (r.refused && Object.keys(r.refused).length ? `refused by Terraform (${Object.keys(r.refused).join(', ')})` : `unsafe (${r.unsafe.length} finding(s))`) : r.kind === 'deploy' ? 'deployed' : 'No changes after';
    lines.push(`  ${r.chain} ${r.name}: ${r.stacks} stack(s), ${status}; ${r.seconds.toFixed(0)} s${r.covers.length ? `  -- ${r.covers.join(', ')}` : ''}`);
  }
  const kinds = new Set(results.flatMap((r) => r.covers));
  lines.push(`  ${results.filter((r) => r.kind === 'step').length} transitions and ${results.filter((r) => r.kind === 'probe').length} probes over ${kinds.size} kinds of edit; ${seconds.toFixed(0)} s`);
  return lines.join('\n');
}

// ------------------------------------------------------------ generated pairs

/** Resources with prevent_destroy (the log bucket, the central key, created trail keys): Terraform refuses a plan that replaces one. */
const PREVENT_DESTROY_TYPES = new Set(['aws_s3_bucket', 'aws_kms_key']);

/**
 * What Terraform must refuse in a change the gate calls unsafe, by stack: a
 * trail's home region (the postcondition) and a replaced resource with
 * prevent_destroy.
 */
export function expectedRefusals(plan: ChangePlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of plan.unsafe) {
    if (f.kind === 'home-region') out[f.stack] = 'Resource postcondition failed';
    else if (f.kind === 'protected-replace' && f.address && PREVENT_DESTROY_TYPES.has(f.address.split('.')[0])) out[f.stack] ??= 'Instance cannot be destroyed';
  }
  return out;
}

/**
 * A before/after pair as a chain of two: `before` deployed; `after` applied
 * as a step when the gate calls the change safe, else planned as a probe:
 * Terraform must refuse it where the gate says it will (expectedRefusals),
 * and every other changed stack must plan what the gate lists and lose
 * exactly the protected resources the gate finds.
 */
export function pairChain(name: string, before: FleetConfig, after: FleetConfig, covers: readonly string[]): Chain {
  const plan = analyzeChange(synthStacks(before), synthStacks(after));
  const last: ChainStep = plan.unsafe.length
    ? { name: 'the edit, planned (unsafe)', covers: [], config: before, probes: [{ name: 'the edit', covers, config: after, planFails: expectedRefusals(plan), planOthers: true }] }
    : { name: 'the edit', covers, config: after };
  // An unsafe edit is a probe of a step that changes nothing (its plans are skipped: no stack changed).
  return { name, steps: [{ name: 'before', covers: [], config: before }, last] };
}
