/**
 * Test helpers: build configs from the default config plus changes, synthesize
 * the real stacks (the same code path as `cdktf synth`), and read them back.
 */
import { unescapeTemplateText } from '../../modules/terraform-text';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { parse } from 'yaml';
import { ConfigError, configFromObject, projectRoot } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { FleetConfig } from '../../config/model';
import { buildFleet } from '../../stacks/fleet';
import { synthStacks } from '../../cli/lib/fleet-synth';
import type { PolicyDocument, Statement } from '../../modules/policies/document';

export const ROOT = projectRoot(__dirname);

/** The default config (config/cloudtrail.yaml) as a fresh plain object. */
export function defaultRaw(): any {
  return parse(readFileSync(path.join(ROOT, 'config', 'cloudtrail.yaml'), 'utf8'));
}

/** The default config with `change` applied to a fresh copy. */
export function rawWith(change: (raw: any) => void): any {
  const raw = defaultRaw();
  change(raw);
  return raw;
}

/** The config as every command loads it: with the checks that need the builders (modules/fleet-checks.ts). */
export function configOf(raw: unknown): FleetConfig {
  return configFromObject(raw, 'test-config', FLEET_CHECKS);
}

/** The issues a config is rejected with (fails the test if it is accepted). */
export function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    configFromObject(raw, 'test-config', FLEET_CHECKS);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

export type StackJson = Record<string, any>;

/** Synthesizes every stack of a config (scripts/lib/fleet-synth.ts, as affected does) and returns stack name -> cdk.tf.json. */
export function synthFleet(config: FleetConfig): Map<string, StackJson> {
  return synthStacks(config);
}

export function stackOf(stacks: Map<string, StackJson>, name: string): StackJson {
  const s = stacks.get(name);
  if (!s) throw new Error(`no stack ${name}; stacks: ${[...stacks.keys()].join(', ')}`);
  return s;
}

/** The resources of one type in a stack, by Terraform name. */
export function resourcesOf(stack: StackJson, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

/** The only resource of a type (fails if there is not exactly one). */
export function onlyResource(stack: StackJson, type: string): any {
  const all = Object.values(resourcesOf(stack, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** A policy as AWS receives it: Terraform first turns the escapes `$${` / `%%{` back into `${` / `%{`. */
export function parsePolicy(json: string): PolicyDocument {
  const doc = JSON.parse(unescapeTemplateText(json));
  expect(doc.Version).toBe('2012-10-17');
  return doc;
}

export function statementBySid(doc: PolicyDocument, sid: string): Statement {
  const s = doc.Statement.find((st) => st.Sid === sid);
  if (!s) throw new Error(`no statement ${sid}; have ${doc.Statement.map((st) => st.Sid).join(', ')}`);
  return s;
}

/** A value that may be a string or a list, as a list. */
export function list(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

// ---------------------------------------------------------------- added for the stack and change-safety tests

function walkFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p, base));
    else out.push(path.relative(base, p));
  }
  return out.sort();
}

/** Every file a synth writes (manifest.json, each stack's cdk.tf.json, ...), relative path -> exact text. */
export function synthFleetFiles(config: FleetConfig): Map<string, string> {
  // Another Jest run's global teardown may have removed the shared temp folder.
  mkdirSync(os.tmpdir(), { recursive: true });
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'fleet-files-'));
  try {
    const app = new App({ outdir, skipValidation: false });
    buildFleet(app, config);
    app.synth();
    return new Map(walkFiles(outdir).map((f) => [f.split(path.sep).join('/'), readFileSync(path.join(outdir, f), 'utf8')]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The synthesized manifest.json of a config (stack names, dependencies). */
export function synthManifest(config: FleetConfig): any {
  return JSON.parse(synthFleetFiles(config).get('manifest.json')!);
}

/** Terraform addresses in a stack: `type.name` for resources, `data.type.name` for data sources. */
export function addressesOf(stack: StackJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries<Record<string, unknown>>(stack.resource ?? {})) {
    for (const name of Object.keys(byName)) out.push(`${type}.${name}`);
  }
  for (const [type, byName] of Object.entries<Record<string, unknown>>(stack.data ?? {})) {
    for (const name of Object.keys(byName)) out.push(`data.${type}.${name}`);
  }
  return out.sort();
}

/** The provider blocks of a stack (cdktf writes `provider.aws` as a list). */
export function awsProvidersOf(stack: StackJson): any[] {
  const p = stack.provider?.aws;
  return p === undefined ? [] : Array.isArray(p) ? p : [p];
}
