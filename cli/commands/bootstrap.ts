/**
 * `cloudtrail-fleet bootstrap [--out <dir>]`: synthesizes one bootstrap stack
 * per account the fleet deploys into (cdktf.out.bootstrap/stacks/
 * cloudtrail-bootstrap-<account>/cdk.tf.json), and for HCP Terraform the
 * workspace list (cdktf.out.bootstrap/workspaces.json), then prints how to
 * apply them: once, with administrator credentials (docs/bootstrap.md).
 *
 * It does not run Terraform: the first apply is an administrator's act, with
 * credentials that the fleet's own deploys never get; the printed commands
 * are the whole procedure.
 *
 * Exit 0 when the stacks are written; 2 on a usage or config error (a config
 * without `bootstrap` is one).
 */
import * as path from 'path';
import { ConfigError, configPath, loadConfig } from '../../config/load';
import type { FleetConfig } from '../../config/model';
import { CommandSpec, EXIT, stringOption } from '../command';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import { BootstrapSynth, DEFAULT_BOOTSTRAP_OUTDIR, synthBootstrap } from '../lib/bootstrap-synth';

export const command: CommandSpec = {
  name: 'bootstrap',
  summary: 'create what each account needs before the first deploy: the deployer roles (applied once, with admin credentials)',
  options: {
    out: { type: 'string', value: '<dir>', description: `where the bootstrap stacks go (default ${DEFAULT_BOOTSTRAP_OUTDIR}); not the main app's cdktf.out` },
  },
  details: [
    'Reads the config (its bootstrap section) and writes Terraform; it runs no Terraform and needs no credentials.',
    `Then apply each stack once with administrator credentials:  terraform -chdir=${DEFAULT_BOOTSTRAP_OUTDIR}/stacks/<stack> init && terraform -chdir=... apply`,
    'Guide: docs/bootstrap.md',
  ].join('\n'),
  run: (args, io) => {
    const file = configPath(args.config);
    const config = loadConfig(args.config, FLEET_CHECKS);
    if (!config.bootstrap) {
      throw new ConfigError(file, [
        {
          path: 'bootstrap',
          message:
            'cloudtrail-fleet bootstrap needs the bootstrap section: add bootstrap: { deployer: { principalArn: <the CI role or user ARN> } } or bootstrap: { deployer: { hcpTerraform: true } } (docs/bootstrap.md)',
        },
      ]);
    }
    const out = stringOption(args, 'out') ?? DEFAULT_BOOTSTRAP_OUTDIR;
    const result = synthBootstrap(config, out);
    io.stdout(args.json ? `${JSON.stringify(bootstrapJson(config, result), null, 2)}\n` : bootstrapText(config, result));
    return EXIT.ok;
  },
};

/** Shell-safe enough for the paths we print (quotes when needed). */
function shellPath(p: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** The commands that apply every bootstrap stack, in order. */
export function applyCommands(result: BootstrapSynth): string[] {
  const stacks = shellPath(path.join(result.outdir, 'stacks'));
  return [
    `for stack in ${stacks}/cloudtrail-bootstrap-*; do`,
    '  terraform -chdir="$stack" init -input=false && terraform -chdir="$stack" apply -input=false || break',
    'done',
  ];
}

function adminCredentials(config: FleetConfig): string {
  const b = config.bootstrap!;
  return b.adminAccountId
    ? `the administrator credentials of account ${b.adminAccountId} (they assume ${b.adminRoleName} in every other account)`
    : `administrator credentials that may assume ${b.adminRoleName} in every account`;
}

export function bootstrapText(config: FleetConfig, result: BootstrapSynth): string {
  const d = config.bootstrap!.deployer;
  const roles = result.stacks.flatMap((s) => s.roles);
  const lines = [
    `cloudtrail-fleet bootstrap: ${result.stacks.length} account${result.stacks.length === 1 ? '' : 's'}, ${roles.length} role${roles.length === 1 ? '' : 's'}; stacks in ${path.join(result.outdir, 'stacks')}`,
    d.kind === 'principal'
      ? `deployer: ${d.principalArn} assumes one deployer role per account (bootstrap.deployer.principalArn)`
      : `deployer: HCP Terraform ${d.hostname}, organization ${d.organization}, project "${d.project}": a plan and an apply role per workspace, trusted through each account's OIDC provider`,
    '',
  ];
  const width = Math.max(...result.stacks.map((s) => s.name.length));
  for (const s of result.stacks) {
    lines.push(`  ${s.name.padEnd(width)}  applied ${s.assumes ? `through ${s.assumes}` : 'with the administrator credentials directly'}`);
    for (const r of s.roles) {
      const storage = r.policies.inline ? 'inline policy' : `${r.policies.managed} managed policies`;
      lines.push(`    ${r.kind.padEnd(8)} ${r.arn}  (${r.policyChars} characters, ${r.policyChars ? storage : 'no permissions: nothing to manage here'})`);
    }
  }
  lines.push('', `Apply each stack once, with ${adminCredentials(config)}:`, ...applyCommands(result).map((l) => `  ${l}`), '');
  if (d.kind === 'principal') {
    lines.push(
      `Then let ${d.principalArn} call sts:AssumeRole on the ${roles.length} role${roles.length === 1 ? '' : 's'} above (its own IAM policy; cloudtrail-fleet bootstrap --json lists them),`,
      `and deploy with its credentials: npx cdktf deploy '*'`,
    );
  } else {
    lines.push(
      `Workspaces: ${result.workspacesFile} lists the ${result.workspaces!.workspaces.length} workspaces with their variables (TFC_AWS_PROVIDER_AUTH, TFC_AWS_PLAN_ROLE_ARN, TFC_AWS_APPLY_ROLE_ARN, AWS_REGION);`,
      'create them with the tfe provider or the HCP Terraform API (docs/bootstrap.md), then deploy: npx cdktf deploy \'*\'',
    );
  }
  lines.push('Guide: docs/bootstrap.md', '');
  return lines.join('\n');
}

export function bootstrapJson(config: FleetConfig, result: BootstrapSynth): unknown {
  const d = config.bootstrap!.deployer;
  return {
    outdir: result.outdir,
    deployer: d.kind === 'principal' ? { principalArn: d.principalArn } : { hcpTerraform: { hostname: d.hostname, organization: d.organization, project: d.project } },
    adminRoleName: config.bootstrap!.adminRoleName,
    adminAccountId: config.bootstrap!.adminAccountId ?? null,
    stacks: result.stacks,
    roleArns: result.stacks.flatMap((s) => s.roles.map((r) => r.arn)),
    ...(result.workspacesFile ? { workspacesFile: result.workspacesFile } : {}),
    applyCommands: applyCommands(result),
  };
}
