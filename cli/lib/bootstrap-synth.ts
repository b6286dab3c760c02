/**
 * `cloudtrail-fleet bootstrap`'s work: synthesize the bootstrap stacks into
 * their own folder (not the main app's cdktf.out), and for HCP Terraform the
 * workspace list with each workspace's variables (docs/bootstrap.md).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { FleetConfig } from '../../config/model';
import { buildBootstrap } from '../../stacks/bootstrap';
import { withLeanTokenTraces } from '../../stacks/lean-traces';
import { accountStackRegion } from '../../modules/account-providers';
import { adminRoleArn } from '../../modules/bootstrap-names';
import { fleetIndex, fleetStacks, workspaceOf } from '../../modules/deployer-roles';
import type { BootstrapRole } from '../../modules/bootstrap-roles';
import { UsageError } from '../command';

export const DEFAULT_BOOTSTRAP_OUTDIR = 'cdktf.out.bootstrap';
export const WORKSPACES_FILE = 'workspaces.json';

/** One HCP Terraform variable, with the attributes of `tfe_variable` and of the HCP API's `vars` (key, value, category, ...). */
export interface WorkspaceVariable {
  readonly key: string;
  readonly value: string;
  readonly category: 'env';
  readonly sensitive: false;
  readonly hcl: false;
  readonly description: string;
}

export interface WorkspaceEntry {
  /** `<workspacePrefix><stack>`: what `tfe_workspace.name` and the backend's `cloud` block say. */
  readonly name: string;
  readonly project: string;
  readonly stack: string;
  readonly accountId: string;
  /** Where the stack's Terraform lives after `cdktf synth` (for VCS-driven workspaces' working directory). */
  readonly workingDirectory: string;
  readonly variables: readonly WorkspaceVariable[];
}

export interface WorkspaceList {
  readonly hostname: string;
  readonly organization: string;
  readonly project: string;
  readonly workspaces: readonly WorkspaceEntry[];
}

/**
 * The workspaces of an HCP Terraform fleet: one per stack, each with dynamic
 * provider credentials (its own plan and apply roles) and its region. HCP
 * Terraform reads these as environment variables (docs: "Dynamic Credentials
 * with the AWS Provider", required and optional environment variables). No
 * static key: the runs get short-lived credentials for each plan and apply.
 */
export function workspaceList(config: FleetConfig, roles: readonly BootstrapRole[]): WorkspaceList | undefined {
  const d = config.bootstrap?.deployer;
  if (d?.kind !== 'hcpTerraform') return undefined;
  const env = (key: string, value: string, description: string): WorkspaceVariable => ({ key, value, category: 'env', sensitive: false, hcl: false, description });
  const roleArns = new Map(roles.flatMap((r) => r.stacks.map((stack): [string, string] => [`${stack}|${r.kind}`, r.arn])));
  const { active, leaving } = fleetIndex(config);
  const workspaces = fleetStacks(config).map((s): WorkspaceEntry => {
    const role = (kind: 'plan' | 'apply') => roleArns.get(`${s.name}|${kind}`)!;
    // The central and guard stacks' provider region is central.region (stacks/central-stack.ts, stacks/guard-stack.ts).
    const region = s.kind === 'account' ? accountStackRegion([...(active.get(s.accountId) ?? []), ...(leaving.get(s.accountId) ?? [])]) : config.central.region;
    return {
      name: workspaceOf(config, s.name),
      project: d.project,
      stack: s.name,
      accountId: s.accountId,
      workingDirectory: `cdktf.out/stacks/${s.name}`,
      variables: [
        env('TFC_AWS_PROVIDER_AUTH', 'true', 'cloudtrail-fleet: HCP Terraform dynamic credentials for the AWS provider'),
        env('TFC_AWS_PLAN_ROLE_ARN', role('plan'), `cloudtrail-fleet: the read-only role plans of ${s.name} run as`),
        env('TFC_AWS_APPLY_ROLE_ARN', role('apply'), `cloudtrail-fleet: the role applies of ${s.name} run as`),
        env('AWS_REGION', region, `cloudtrail-fleet: the default region of ${s.name}`),
      ],
    };
  });
  return { hostname: d.hostname, organization: d.organization, project: d.project, workspaces };
}

export interface BootstrapStackReport {
  readonly name: string;
  readonly accountId: string;
  /** The stack's folder, as given (relative to where the command ran, unless --out was absolute). */
  readonly dir: string;
  /** The role its provider assumes with the administrator credentials; null = the credentials are used directly. */
  readonly assumes: string | null;
  readonly roles: readonly {
    readonly arn: string;
    readonly kind: BootstrapRole['kind'];
    readonly stacks: readonly string[];
    readonly workspace?: string;
    /** Characters of its permissions; how they are stored (one inline policy, or managed policies). */
    readonly policyChars: number;
    readonly policies: { readonly inline: boolean; readonly managed: number };
  }[];
}

export interface BootstrapSynth {
  readonly outdir: string;
  readonly stacks: readonly BootstrapStackReport[];
  readonly workspacesFile?: string;
  readonly workspaces?: WorkspaceList;
}

/**
 * Makes `outdir` ready: a new or empty folder, or one an earlier run wrote
 * (it has a manifest.json). Stale stack folders are removed first (a direct
 * app.synth() leaves the stacks of an earlier, larger config behind).
 */
function prepareOutdir(outdir: string): void {
  if (existsSync(outdir)) {
    const entries = readdirSync(outdir);
    if (entries.length > 0 && !entries.includes('manifest.json')) {
      throw new UsageError(`--out ${outdir} exists and is not a folder cloudtrail-fleet bootstrap wrote (no manifest.json); give a new or empty folder`);
    }
    for (const entry of ['stacks', 'manifest.json', WORKSPACES_FILE]) rmSync(path.join(outdir, entry), { recursive: true, force: true });
  }
  mkdirSync(outdir, { recursive: true });
}

export function synthBootstrap(config: FleetConfig, outdir: string): BootstrapSynth {
  prepareOutdir(outdir);
  const stacks = withLeanTokenTraces(() => {
    const app = new App({ outdir, context: { '@cdktf/disable_stack_trace_in_metadata': true } });
    const built = buildBootstrap(app, config);
    app.synth();
    return built;
  });
  const roles = stacks.flatMap((s) => s.roles);
  const reports = stacks.map(
    (s): BootstrapStackReport => ({
      name: s.node.id,
      accountId: s.accountId,
      dir: path.join(outdir, 'stacks', s.node.id),
      assumes: adminRoleArn(config, s.accountId) ?? null,
      roles: s.roles.map((r) => ({
        arn: r.arn,
        kind: r.kind,
        stacks: r.stacks,
        ...(r.workspace ? { workspace: r.workspace } : {}),
        policyChars: r.policies.chars,
        policies: { inline: r.policies.inline !== undefined, managed: r.policies.managed.length },
      })),
    }),
  );
  const workspaces = workspaceList(config, roles);
  let workspacesFile: string | undefined;
  if (workspaces) {
    workspacesFile = path.join(outdir, WORKSPACES_FILE);
    writeFileSync(workspacesFile, `${JSON.stringify(workspaces, null, 2)}\n`);
  }
  return { outdir, stacks: reports, ...(workspacesFile ? { workspacesFile, workspaces } : {}) };
}
