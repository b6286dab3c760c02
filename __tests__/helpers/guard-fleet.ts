/**
 * Generated organization fleets with the guard on, for the guard's tests:
 * any size, several trails per account, created keys, SNS topics and
 * CloudWatch Logs delivery, each account deployed by its own role.
 */
import type { RawConfig } from '../../tools/fleet-shapes';

export const MANAGEMENT = '111111111111';
export const ROOT_ID = 'r-ab12';

export interface GuardFleetOptions {
  /** Trails per account (each its own name: trail-1, trail-2, ...). @default 1 */
  readonly trailsPerAccount?: number;
  /** Every trail creates its key (alias/ct-<trail>), topic and log group (delivery role created). @default false */
  readonly deliveries?: boolean;
  /** Names differ per account (trail, topic, log group, alias carry the account index). @default false */
  readonly distinctNames?: boolean;
  /** guard.detection.deliverTo. @default eventBus */
  readonly deliverTo?: 'eventBus' | 'snsTopic';
  /** A trail in the management account too. @default true */
  readonly managementTrail?: boolean;
  readonly maxPolicies?: number;
  readonly exemptPrincipals?: readonly string[];
  /**
   * Who deploys (docs/bootstrap.md): `principal` = bootstrap with a CI
   * principal and no role named in the config (bootstrap's default role in
   * every account); `hcp` = HCP Terraform dynamic credentials (a plan and an
   * apply role per workspace, no assumeRoleArn anywhere). @default each
   * account's own `TerraformDeploy` role, named in the config, no bootstrap
   */
  readonly bootstrap?: 'principal' | 'hcp';
}

export const CI_PRINCIPAL = 'arn:aws:iam::999999999999:role/ci-deployer';

/** The role bootstrap's stacks apply with in every account (bootstrap.adminRoleName's default). */
export function adminRoleOf(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`;
}

/** The i-th member account id. */
export function memberId(i: number): string {
  return String(200_000_000_000 + i * 7_919);
}

export function deployerOf(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/TerraformDeploy`;
}

/** The apply role of an account's stack in an HCP Terraform fleet, and its plan role. */
export function hcpRoleOf(accountId: string, phase: 'plan' | 'apply' = 'apply'): string {
  return `arn:aws:iam::${accountId}:role/cloudtrail-fleet/cloudtrail-account-${accountId}-${phase}`;
}

/** Bootstrap's default deployer role of an account with a CI principal. */
export function defaultDeployerOf(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`;
}

export function guardFleet(n: number, o: GuardFleetOptions = {}): RawConfig {
  const raw = namedRolesFleet(n, o);
  if (!o.bootstrap) return raw;
  delete raw.central.assumeRoleArn;
  for (const a of raw.accounts) delete a.assumeRoleArn;
  if (o.bootstrap === 'principal') raw.bootstrap = { deployer: { principalArn: CI_PRINCIPAL } };
  else {
    raw.backend = { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' };
    raw.bootstrap = { deployer: { hcpTerraform: true } };
  }
  return raw;
}

function namedRolesFleet(n: number, o: GuardFleetOptions): RawConfig {
  const trails = o.trailsPerAccount ?? 1;
  const accounts: RawConfig[] = [];
  for (let i = 0; i < n; i++) {
    const accountId = memberId(i);
    for (let t = 1; t <= trails; t++) {
      const name = o.distinctNames ? `trail-${i}-${t}` : `trail-${t}`;
      const entry: RawConfig = { accountId, assumeRoleArn: deployerOf(accountId), trailName: name, multiRegion: t === 1, region: t % 2 ? 'us-east-2' : 'eu-west-1' };
      if (o.deliveries) {
        entry.kmsKey = { create: { alias: `alias/ct-${name}` } };
        entry.sns = { create: { topicName: `ct-${name}` } };
        entry.cloudWatchLogs = { create: { logGroupName: `ct-${name}` } };
      }
      accounts.push(entry);
    }
  }
  if (o.managementTrail ?? true) accounts.unshift({ accountId: MANAGEMENT, assumeRoleArn: deployerOf(MANAGEMENT), trailName: 'org-trail', organizationTrail: true });
  return {
    organization: { id: 'o-exampleorgid', managementAccountId: MANAGEMENT },
    central: { accountId: MANAGEMENT, region: 'us-east-2', bucketName: 'my-bucket', assumeRoleArn: deployerOf(MANAGEMENT) },
    accounts,
    guard: {
      prevention: {
        attachTo: [ROOT_ID],
        ...(o.maxPolicies ? { maxPolicies: o.maxPolicies } : {}),
        ...(o.exemptPrincipals ? { exemptPrincipals: [...o.exemptPrincipals] } : {}),
      },
      detection: { deliverTo: o.deliverTo ?? 'eventBus' },
    },
  };
}
