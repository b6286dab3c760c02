/**
 * What the deployer roles may do, proved with the IAM evaluator on the
 * policies the synthesized bootstrap stacks carry, for generated fleets
 * (small and large, with and without each option, both deployer kinds):
 *
 * - each stack's apply role can make every call a plan and an apply of that
 *   stack (as synthesized) makes on its own resources, and remove what a
 *   config change may remove (a topic, a log group, ...);
 * - a plan role can make every call of the plan and nothing else: every
 *   action it is allowed is a read;
 * - no role can delete the bucket, schedule a key's deletion (unless the
 *   trail leaving the fleet says deleteKeys), delete an active trail, or act
 *   on another account's trail or on a trail the config does not name.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import type { FleetConfig, TrailConfig } from '../../../config/model';
import { CENTRAL_ACCOUNT, fleet, resolveUnchecked } from '../../../tools/fleet-shapes';
import { guardFleet, MANAGEMENT } from '../../helpers/guard-fleet';
import { fleetStacks, deployerRoleRefs } from '../../../modules/deployer-roles';
import { bootstrapRoles } from '../../../modules/bootstrap-roles';
import { READ_ACTIONS } from '../../../modules/policies/deployer-policies';
import type { PolicyDocument } from '../../../modules/policies/document';
import { configOf, issuesOf, ROOT, stackOf, synthFleet } from '../../helpers/fleet';
import { REGIONS } from '../../../config/regions';
import { allRoles, synthBootstrapStacks, SynthedRole } from '../../helpers/bootstrap';
import { Call, EVIDENCE_DESTROYING, stackCalls } from '../../helpers/deploy-calls';
import { evaluate, IamRequest, isAllowed } from '../../helpers/iam-evaluator';

const CI = 'arn:aws:iam::999999999999:role/ci-deployer';
const example = (name: string) => parse(readFileSync(path.join(ROOT, 'config', 'examples', `${name}.yaml`), 'utf8'));
const principal = (raw: any) => ({ ...raw, bootstrap: { deployer: { principalArn: CI } } });
/** HCP Terraform needs the cloud backend and no assumeRoleArn anywhere. */
function hcp(raw: any): any {
  const out = JSON.parse(JSON.stringify(raw));
  delete out.central.assumeRoleArn;
  for (const a of out.accounts) delete a.assumeRoleArn;
  if (out.guard?.prevention) delete out.guard.prevention.assumeRoleArn;
  out.backend = out.backend?.type === 'cloud' ? out.backend : { type: 'cloud', organization: 'acme', workspacePrefix: 'ct-' };
  out.bootstrap = { deployer: { hcpTerraform: true } };
  return out;
}

const FLEETS: [string, any][] = [
  ['the default config, CI principal', principal(parse(readFileSync(path.join(ROOT, 'config', 'cloudtrail.yaml'), 'utf8')))],
  ['every option, CI principal', principal(example('every-option'))],
  ['every option, HCP Terraform', hcp(example('every-option'))],
  ['accounts leaving the fleet, CI principal', principal(example('leaving-the-fleet'))],
  ['accounts leaving the fleet, HCP Terraform', hcp(example('leaving-the-fleet'))],
  ['no central key, S3 backend, CI principal', principal(example('sse-s3-and-s3-backend'))],
  ['bucket policy only, HCP Terraform', hcp(example('bucket-policy-only'))],
  ['bucket not owned, CI principal', principal(example('bucket-not-owned'))],
  ['adopt everything, CI principal', principal(example('adopt-everything'))],
  ['the bootstrap-ci-principal example', example('bootstrap-ci-principal')],
  ['the bootstrap-hcp-terraform example', example('bootstrap-hcp-terraform')],
  ['250 accounts of an organization, HCP Terraform', hcp({ ...fleet(250, { organization: true }), accounts: [{ accountId: CENTRAL_ACCOUNT, organizationTrail: true }, ...fleet(250).accounts] })],
  // The guard (docs/guard.md) with bootstrap: the rules, the central bus and topic, the cloudtrail-guard stack.
  ['300 accounts with the guard (every delivery, detection to a topic), HCP Terraform', guardFleet(300, { deliveries: true, deliverTo: 'snsTopic', bootstrap: 'hcp' })],
  ['the guard with a log archive account (a member account holds the central key), CI principal with default roles', logArchive(guardFleet(4, { deliveries: true, deliverTo: 'snsTopic', bootstrap: 'principal' }))],
];

/** The central account moved to a member account (a log archive account): the central stack's key and forwarding rule are guarded there. */
function logArchive(raw: any): any {
  return { ...raw, central: { ...raw.central, accountId: '333333333333' } };
}

interface Fleet {
  readonly config: FleetConfig;
  readonly main: Map<string, any>;
  readonly roles: Map<string, SynthedRole>;
}

const cache = new Map<string, Fleet>();
function load(name: string, raw: any): Fleet {
  let f = cache.get(name);
  if (!f) {
    const config = configOf(raw);
    f = { config, main: synthFleet(config), roles: allRoles(synthBootstrapStacks(config).stacks) };
    cache.set(name, f);
  }
  return f;
}

/** The roles that run a stack's plan and apply (one role for both with a CI principal). */
function rolesFor(f: Fleet, stack: string): { plan: SynthedRole; apply: SynthedRole } {
  const refs = deployerRoleRefs(f.config).filter((r) => r.stacks.includes(stack));
  const get = (kind: string) => {
    const ref = refs.find((r) => r.kind === kind || r.kind === 'deployer');
    const role = ref && f.roles.get(ref.arn);
    if (!role) throw new Error(`no ${kind} role for ${stack} among ${[...f.roles.keys()].join(', ')}`);
    return role;
  };
  return { plan: get('plan'), apply: get('apply') };
}

function refused(policy: PolicyDocument, requests: readonly { request: IamRequest; why: string }[]): string[] {
  return requests.filter((c) => !isAllowed(policy, c.request)).map((c) => `${c.why}: ${c.request.action} on ${c.request.resource}`);
}
function admitted(policy: PolicyDocument, requests: readonly { request: IamRequest; why: string }[]): string[] {
  return requests.filter((c) => isAllowed(policy, c.request)).map((c) => `${c.why}: ${c.request.action} on ${c.request.resource}`);
}

const keyRequest = (partition: string, region: string, account: string, action: string, aliases: string[] = []): { request: IamRequest; why: string } => ({
  why: `key in ${account}`,
  request: { principal: {}, action, resource: `arn:${partition}:kms:${region}:${account}:key/0b1e3c9e-0000-4000-8000-000000000000`, context: { 'aws:RequestedRegion': region, 'kms:ResourceAliases': aliases } },
});

describe.each(FLEETS)('%s', (name, raw) => {
  const f = () => load(name, raw);

  test('every stack has its roles, in its own account', () => {
    for (const s of fleetStacks(f().config)) {
      const { plan, apply } = rolesFor(f(), s.name);
      expect([plan.accountId, apply.accountId]).toEqual([s.accountId, s.accountId]);
    }
  });

  test("each apply role can make every call of its stack's plan and apply, and remove what a config change may remove", () => {
    for (const s of fleetStacks(f().config)) {
      const { apply } = rolesFor(f(), s.name);
      const { calls, removals } = stackCalls(stackOf(f().main, s.name), f().config.partition, f().config.organization?.id);
      expect({ stack: s.name, refused: refused(apply.permissions, calls) }).toEqual({ stack: s.name, refused: [] });
      const removable = [...removals.values()].flat().filter((c) => !EVIDENCE_DESTROYING.has(c.request.action));
      expect({ stack: s.name, refused: refused(apply.permissions, removable) }).toEqual({ stack: s.name, refused: [] });
    }
  });

  test('each plan role can make every call of its plan, and every action it is allowed is a read', () => {
    for (const s of fleetStacks(f().config)) {
      const { plan } = rolesFor(f(), s.name);
      const { calls } = stackCalls(stackOf(f().main, s.name), f().config.partition, f().config.organization?.id);
      expect({ stack: s.name, refused: refused(plan.permissions, calls.filter((c) => c.phase === 'plan')) }).toEqual({ stack: s.name, refused: [] });
      if (plan.arn === rolesFor(f(), s.name).apply.arn) continue; // one deployer role plans and applies
      const writes = calls.filter((c) => c.phase === 'apply');
      expect({ stack: s.name, admitted: admitted(plan.permissions, writes) }).toEqual({ stack: s.name, admitted: [] });
      for (const st of plan.permissions.Statement) {
        expect(st.Effect).toBe('Allow');
        for (const a of ([] as string[]).concat(st.Action)) {
          expect(a).toMatch(/^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]+$/);
          expect(READ_ACTIONS.has(a)).toBe(true);
        }
      }
    }
  });

  test('no role can delete the bucket, an active trail, or schedule the deletion of a key', () => {
    const { config, main } = f();
    const p = config.partition;
    const trailArn = (t: TrailConfig) => `arn:${p}:cloudtrail:${t.region}:${t.accountId}:trail/${t.trailName}`;
    for (const role of f().roles.values()) {
      // Its own account's active trails (the ones it manages), and a few of other accounts.
      const activeTrails = [...config.trails.filter((t) => t.accountId === role.accountId), ...config.trails.filter((t) => t.accountId !== role.accountId).slice(0, 5)].map(trailArn);
      const destroy = [
        { why: 'the log bucket', request: { principal: {}, action: 's3:DeleteBucket', resource: `arn:${p}:s3:::${config.central.bucketName}`, context: {} } },
        ...activeTrails.map((arn) => ({ why: 'an active trail', request: { principal: {}, action: 'cloudtrail:DeleteTrail', resource: arn, context: {} } })),
        keyRequest(p, config.central.region, role.accountId, 'kms:ScheduleKeyDeletion', ['alias/any']),
        keyRequest(p, config.central.region, config.central.accountId, 'kms:ScheduleKeyDeletion', config.central.kmsKey ? [config.central.kmsKey.alias] : []),
      ];
      expect({ role: role.arn, admitted: admitted(role.permissions, destroy) }).toEqual({ role: role.arn, admitted: [] });
    }
    expect(main.size).toBeGreaterThan(1);
  });

  test("no role can act on another account's trail, or on a trail the config does not name", () => {
    const { config } = f();
    const p = config.partition;
    const writes = ['cloudtrail:CreateTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:AddTags'];
    const arn = (region: string, account: string, trail: string) => `arn:${p}:cloudtrail:${region}:${account}:trail/${trail}`;
    const fleetAccounts = [...new Set([...config.trails, ...config.leaving].map((t) => t.accountId))];
    for (const role of f().roles.values()) {
      const own = [...config.trails, ...config.leaving].filter((t) => t.accountId === role.accountId);
      const ownArns = new Set(own.map((t) => arn(t.region, t.accountId, t.trailName)));
      const others = ['123456789012', ...fleetAccounts.filter((a) => a !== role.accountId).slice(0, 3)];
      const strangers = [
        // Its trails' names in other accounts (of the fleet, and outside it).
        ...own.flatMap((t) => others.map((a) => arn(t.region, a, t.trailName))),
        // A trail of its own account that the config does not name, and its trails' names in another region.
        arn(config.central.region, role.accountId, 'not-in-the-config'),
        ...own.map((t) => arn(t.region === 'eu-north-1' ? 'us-west-2' : 'eu-north-1', role.accountId, t.trailName)),
      ].filter((a) => !ownArns.has(a));
      const requests = strangers.flatMap((resource) => writes.map((action) => ({ why: 'not its trail', request: { principal: {}, action, resource, context: {} } })));
      expect({ role: role.arn, admitted: admitted(role.permissions, requests) }).toEqual({ role: role.arn, admitted: [] });
    }
  });

  test('every role fits IAM: one inline policy of at most 10,240 characters, or managed policies of at most 6,144', () => {
    for (const role of f().roles.values()) {
      expect(role.inline + role.managed).toBeLessThanOrEqual(10);
      if (role.inline) expect(role.managed).toBe(0);
      for (const doc of role.policies) expect(JSON.stringify(doc).length).toBeLessThanOrEqual(role.inline ? 10_240 : 6_144);
    }
  });
});

describe('trails leaving the fleet (lifecycle: decommission) can be destroyed, their keys only with deleteKeys', () => {
  const raw = principal(example('leaving-the-fleet'));
  // The decommissioned account's resources, as its stack held them while the trail was active.
  const config = configOf(raw);
  const leaving = config.leaving.filter((t) => t.lifecycle === 'decommission');
  const asActive = configOf({ ...raw, accounts: raw.accounts.map((a: any) => ({ ...a, lifecycle: undefined })) });

  function removalsOf(trails: readonly TrailConfig[]): Call[] {
    const out: Call[] = [];
    for (const t of trails) {
      const { calls, removals } = stackCalls(stackOf(synthFleet(asActive), `cloudtrail-account-${t.accountId}`), config.partition);
      out.push(...calls.filter((c) => c.phase === 'plan' && c.why.includes(`trail_${t.trailName}`)));
      for (const [address, r] of removals) if (address.includes(`trail_${t.trailName}`)) out.push(...r);
    }
    return out;
  }

  test('the config has a decommissioned trail with a topic, a queue, a log group and a delivery role', () => {
    expect(leaving.length).toBeGreaterThan(0);
    expect(removalsOf(leaving).map((c) => c.request.action)).toEqual(expect.arrayContaining(['cloudtrail:DeleteTrail', 'sns:DeleteTopic', 'sqs:DeleteQueue', 'logs:DeleteLogGroup', 'iam:DeleteRole']));
  });

  test('its account role may refresh and destroy every resource of it (the trail too)', () => {
    const roles = bootstrapRoles(config);
    for (const t of leaving) {
      const role = roles.find((r) => r.accountId === t.accountId)!;
      const doc: PolicyDocument = { Version: '2012-10-17', Statement: role.statements };
      expect(refused(doc, removalsOf([t]).filter((c) => c.request.action !== 'kms:ScheduleKeyDeletion'))).toEqual([]);
    }
  });

  test('a retained trail gives its account no permission at all (Terraform only forgets it)', () => {
    const retained = config.leaving.filter((t) => t.lifecycle === 'retain');
    expect(retained.length).toBeGreaterThan(0);
    for (const t of retained) {
      if (config.trails.some((a) => a.accountId === t.accountId)) continue;
      expect(bootstrapRoles(config, t.accountId).every((r) => r.statements.length === 0)).toBe(true);
    }
  });

  test("with the guard's detection, its account role may remove the guard's rules, targets and events role (and only remove them)", () => {
    const guarded = { ...raw, guard: {} };
    const c = configOf(guarded);
    const wasActive = configOf({ ...guarded, accounts: guarded.accounts.map((a: any) => ({ ...a, lifecycle: undefined })) });
    for (const t of c.leaving.filter((l) => l.lifecycle === 'decommission')) {
      const { removals } = stackCalls(stackOf(synthFleet(wasActive), `cloudtrail-account-${t.accountId}`), c.partition);
      const guardRemovals = [...removals].filter(([address]) => /^aws_cloudwatch_event_(rule|target)\.guard_|^aws_iam_role(_policy)?\.guard_events_role/.test(address)).flatMap(([, r]) => r);
      expect(guardRemovals.map((r) => r.request.action)).toEqual(expect.arrayContaining(['events:DeleteRule', 'events:RemoveTargets', 'iam:DeleteRole', 'iam:DeleteRolePolicy']));
      const role = bootstrapRoles(c, t.accountId)[0];
      const doc: PolicyDocument = { Version: '2012-10-17', Statement: role.statements };
      expect(refused(doc, guardRemovals)).toEqual([]);
      const rule = `arn:aws:events:us-east-2:${t.accountId}:rule/cloudtrail-fleet-guard`;
      const other = (action: string, resource: string) => ({ why: 'not a removal', request: { principal: {}, action, resource, context: {} } });
      expect(
        admitted(doc, [
          other('events:PutRule', rule),
          other('events:PutTargets', rule),
          other('events:DeleteRule', `arn:aws:events:us-east-2:${t.accountId}:rule/app-schedule`),
          other('iam:CreateRole', `arn:aws:iam::${t.accountId}:role/cloudtrail-fleet-guard-events`),
          other('iam:PassRole', `arn:aws:iam::${t.accountId}:role/cloudtrail-fleet-guard-events`),
        ]),
      ).toEqual([]);
    }
  });

  // deleteKeys: the change-safety helper's key (TODO(merge): write it in the config once config/schema.ts has it).
  function withDeleteKeys(c: FleetConfig, on: boolean): FleetConfig {
    return { ...c, leaving: c.leaving.map((t) => ({ ...t, deleteKeys: on }) as TrailConfig) };
  }
  /** The example, with the decommissioned trail's key created in its account. */
  const keyedRaw = () => {
    const r = principal(example('leaving-the-fleet'));
    r.accounts = r.accounts.map((a: any) => (a.lifecycle === 'decommission' ? { ...a, kmsKey: { create: { alias: 'alias/ct-333' } } } : a));
    return r;
  };

  test('without deleteKeys, the key of a decommissioned trail cannot be scheduled for deletion', () => {
    const c = withDeleteKeys(configOf(keyedRaw()), false);
    const decommissioned = c.leaving.filter((l) => l.lifecycle === 'decommission' && l.kmsKey.kind === 'create');
    expect(decommissioned.length).toBeGreaterThan(0);
    for (const t of decommissioned) {
      const role = bootstrapRoles(c, t.accountId)[0];
      const doc: PolicyDocument = { Version: '2012-10-17', Statement: role.statements };
      expect(isAllowed(doc, keyRequest(c.partition, c.central.region, t.accountId, 'kms:ScheduleKeyDeletion', []).request)).toBe(false);
      expect(isAllowed(doc, keyRequest(c.partition, c.central.region, t.accountId, 'kms:DescribeKey', []).request)).toBe(true);
    }
  });

  test('with deleteKeys, it can, in its own account and the bucket region only, and never the central key', () => {
    const c = withDeleteKeys(configOf(keyedRaw()), true);
    for (const t of c.leaving.filter((l) => l.lifecycle === 'decommission' && l.kmsKey.kind === 'create')) {
      const role = bootstrapRoles(c, t.accountId)[0];
      const doc: PolicyDocument = { Version: '2012-10-17', Statement: role.statements };
      expect(isAllowed(doc, keyRequest(c.partition, c.central.region, t.accountId, 'kms:ScheduleKeyDeletion', []).request)).toBe(true);
      expect(isAllowed(doc, keyRequest(c.partition, 'eu-north-1', t.accountId, 'kms:ScheduleKeyDeletion', []).request)).toBe(false);
      expect(isAllowed(doc, keyRequest(c.partition, c.central.region, c.central.accountId, 'kms:ScheduleKeyDeletion', [c.central.kmsKey!.alias]).request)).toBe(false);
    }
    // In the central account, the central key stays out of reach even of a role that may delete a leaving trail's key there.
    const inCentral = configOf({
      ...principal(example('leaving-the-fleet')),
      accounts: [{ accountId: '111111111111', trailName: 'old', lifecycle: 'decommission', kmsKey: { create: { alias: 'alias/old' } } }, { accountId: '222222222222' }],
    });
    const c2 = withDeleteKeys(inCentral, true);
    const role = bootstrapRoles(c2, '111111111111').find((r) => r.stacks.includes('cloudtrail-account-111111111111'))!;
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: role.statements };
    const central = keyRequest('aws', c2.central.region, '111111111111', 'kms:ScheduleKeyDeletion', [c2.central.kmsKey!.alias]);
    const trailKey = keyRequest('aws', c2.central.region, '111111111111', 'kms:ScheduleKeyDeletion', []);
    expect(evaluate(doc, central.request).decision).toBe('ExplicitDeny');
    expect(evaluate(doc, trailKey.request).decision).toBe('Allow');
  });
});

describe('a renamed trail (renamedFrom) may have its old trail deleted, and only that one', () => {
  // TODO(merge): write renamedFrom in the config once config/schema.ts has it (change-safety helper).
  const base = configOf(principal(parse(readFileSync(path.join(ROOT, 'config', 'cloudtrail.yaml'), 'utf8'))));
  const c: FleetConfig = { ...base, trails: base.trails.map((t) => ({ ...t, renamedFrom: 'old-trail' }) as TrailConfig) };
  test('DeleteTrail on the old name in the same account and region; not the new one, not another name', () => {
    const t = c.trails[0];
    const role = bootstrapRoles(c, t.accountId)[0];
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: role.statements };
    const del = (name: string) => ({ principal: {}, action: 'cloudtrail:DeleteTrail', resource: `arn:aws:cloudtrail:${t.region}:${t.accountId}:trail/${name}`, context: {} });
    expect(isAllowed(doc, del('old-trail'))).toBe(true);
    expect(isAllowed(doc, del(t.trailName))).toBe(false);
    expect(isAllowed(doc, del('other'))).toBe(false);
  });
});

describe('who may assume the roles', () => {
  test('a CI principal: exactly that principal, with sts:AssumeRole only', () => {
    const f = load('every option, CI principal', FLEETS[1][1]);
    for (const role of f.roles.values()) {
      const assume = (aws: string, action = 'sts:AssumeRole'): IamRequest => ({ principal: { aws }, action, resource: role.arn, context: {} });
      expect(isAllowed(role.trust, assume(CI))).toBe(true);
      expect(isAllowed(role.trust, assume('arn:aws:iam::999999999999:role/someone-else'))).toBe(false);
      expect(isAllowed(role.trust, assume('arn:aws:iam::999999999999:user/ci-deployer'))).toBe(false);
      expect(isAllowed(role.trust, assume('arn:aws:iam::999999999999:root'))).toBe(false);
      expect(isAllowed(role.trust, assume(`arn:aws:iam::${role.accountId}:root`))).toBe(false);
      expect(isAllowed(role.trust, assume(CI, 'sts:TagSession'))).toBe(false);
      expect(isAllowed(role.trust, { principal: { federated: `arn:aws:iam::${role.accountId}:oidc-provider/app.terraform.io` }, action: 'sts:AssumeRoleWithWebIdentity', resource: role.arn, context: {} })).toBe(false);
      expect(role.trust.Statement).toHaveLength(1);
    }
  });

  test('HCP Terraform: only its workspace, in its run phase, of the organization and project, through its account provider', () => {
    const f = load('every option, HCP Terraform', FLEETS[2][1]);
    const host = 'app.terraform.io';
    const refs = deployerRoleRefs(f.config);
    const workspaces = [...new Set(refs.map((r) => r.workspace!))];
    expect(workspaces.length).toBeGreaterThan(2);
    for (const ref of refs) {
      const role = f.roles.get(ref.arn)!;
      const provider = `arn:aws:iam::${ref.accountId}:oidc-provider/${host}`;
      const project = (f.config.bootstrap!.deployer as { project: string }).project;
      const sub = (o: { org?: string; project?: string; ws?: string; phase?: string } = {}) =>
        `organization:${o.org ?? 'acme'}:project:${o.project ?? project}:workspace:${o.ws ?? ref.workspace}:run_phase:${o.phase ?? ref.kind}`;
      const token = (subject: string | undefined, o: { aud?: string; federated?: string } = {}): IamRequest => ({
        principal: { federated: o.federated ?? provider },
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: ref.arn,
        context: { [`${host}:aud`]: o.aud ?? 'aws.workload.identity', [`${host}:sub`]: subject },
      });
      expect(isAllowed(role.trust, token(sub()))).toBe(true);
      const other = ref.kind === 'plan' ? 'apply' : 'plan';
      const neighbour = workspaces.find((w) => w !== ref.workspace)!;
      for (const refusedToken of [
        token(sub({ phase: other })),
        token(sub({ ws: neighbour })),
        token(sub({ ws: `${ref.workspace}-x` })),
        token(sub({ org: 'acme2' })),
        token(sub({ org: 'evil' })),
        token(sub({ project: `${project}x` })),
        token(sub({ project: 'Default Project' === project ? 'logging' : 'Default Project' })),
        token(sub({ phase: '*' })),
        token(sub(), { aud: 'sts.amazonaws.com' }),
        token(sub(), { federated: `arn:aws:iam::999999999999:oidc-provider/${host}` }),
        token(sub(), { federated: `arn:aws:iam::${ref.accountId}:oidc-provider/tfe.example.com` }),
        token(undefined),
      ]) {
        expect({ role: ref.arn, token: refusedToken.context, allowed: isAllowed(role.trust, refusedToken) }).toEqual({ role: ref.arn, token: refusedToken.context, allowed: false });
      }
      expect(isAllowed(role.trust, { principal: { aws: CI }, action: 'sts:AssumeRole', resource: ref.arn, context: {} })).toBe(false);
    }
  });
});

describe('an account with many trails gets managed policies, each within the quota', () => {
  /**
   * `n` single-region trails in account 222222222222, five per region, each
   * creating a key, topic, queue, log group and role; `long` makes every
   * name as long as AWS allows (log group names up to 512 characters).
   */
  function busyAccount(n: number, long = false): any {
    const regions = REGIONS.aws;
    const pad = (base: string, max: number) => (long ? `${base}-${'x'.repeat(max - base.length - 1)}` : base);
    return principal({
      central: { accountId: CENTRAL_ACCOUNT, region: 'us-east-2', bucketName: 'my-bucket' },
      accounts: Array.from({ length: n }, (_, i) => ({
        accountId: '222222222222',
        trailName: `trail-number-${i}`,
        region: regions[Math.floor(i / 5)],
        multiRegion: false,
        includeGlobalServiceEvents: false,
        kmsKey: { create: { alias: `alias/cloudtrail-trail-number-${i}` } },
        sns: { create: { topicName: pad(`cloudtrail-notify-number-${i}`, 80), sqsQueue: true } },
        cloudWatchLogs: { create: { logGroupName: pad(`aws-cloudtrail-logs-number-${i}`, 512) } },
      })),
    });
  }

  test('30 trails: the role keeps every permission, split over managed policies of at most 6,144 characters', () => {
    const config = configOf(busyAccount(30));
    const role = bootstrapRoles(config, '222222222222')[0];
    expect(role.policies.inline).toBeUndefined();
    expect(role.policies.chars).toBeGreaterThan(10_240);
    expect(role.policies.managed.length).toBeGreaterThan(1);
    expect(role.policies.managed.length).toBeLessThanOrEqual(10);
    const roles = allRoles(synthBootstrapStacks(config).stacks);
    const synthed = roles.get(role.arn)!;
    expect(synthed.managed).toBe(role.policies.managed.length);
    expect(synthed.inline).toBe(0);
    for (const doc of synthed.policies) expect(JSON.stringify(doc).length).toBeLessThanOrEqual(6_144);
    const { calls, removals } = stackCalls(stackOf(synthFleet(config), 'cloudtrail-account-222222222222'), 'aws');
    expect(refused(synthed.permissions, calls)).toEqual([]);
    expect(refused(synthed.permissions, [...removals.values()].flat().filter((c) => !EVIDENCE_DESTROYING.has(c.request.action)))).toEqual([]);
  });

  test('when even 10 managed policies cannot hold them, the config is rejected with the account and a way out', () => {
    // The smallest fleet of this shape that no longer fits (found, not assumed).
    let n = 5;
    while (bootstrapRoles(configOfUnchecked(busyAccount(n, true)), '222222222222')[0].policies.fits) n += 5;
    expect(n).toBeLessThanOrEqual(5 * REGIONS.aws.length);
    expect(issuesOf(busyAccount(n, true))).toEqual([
      {
        path: 'accounts',
        message: expect.stringMatching(
          /^the permissions of arn:aws:iam::222222222222:role\/cloudtrail-fleet\/cloudtrail-fleet-deployer \(\d+ characters\) do not fit in 10 managed policies of 6144 characters \(IAM quotas; one inline policy holds 10240\): account 222222222222 has too many trails for one role; move trails to other accounts or merge trails$/,
        ),
      },
    ]);
    expect(() => configOf(busyAccount(n - 5, true))).not.toThrow();
  });
});

/** Resolves a config without the size rules (which reject what the test wants to measure). */
function configOfUnchecked(raw: any): FleetConfig {
  return resolveUnchecked(raw);
}

describe("the guard's resources: the deployer roles may manage them, on the guard's names only", () => {
  const GUARD_VARIANTS: [string, any][] = [
    ['CI principal', principal(example('every-option'))],
    ['HCP Terraform', hcp(example('every-option'))],
  ];
  const req = (action: string, resource: string, context: IamRequest['context'] = {}): { request: IamRequest; why: string } => ({
    why: 'not the guard',
    request: { principal: {}, action, resource, context: { 'aws:RequestedRegion': 'us-east-2', ...context } },
  });
  const TAGGED = { 'aws:ResourceTag/cloudtrail-fleet:guard': 'protected' };
  const org = 'o-exampleorgid';
  const scp = (id: string, organization = org) => `arn:aws:organizations::${MANAGEMENT}:policy/${organization}/service_control_policy/${id}`;

  describe.each(GUARD_VARIANTS)('every option, %s', (name, raw) => {
    const f = () => load(`guard: every option, ${name}`, raw);

    test('EventBridge actions name only the guard rules, the guard bus and the guard topic; Organizations writes only the cloudtrail-guard stack', () => {
      for (const role of f().roles.values()) {
        const stacks = deployerRoleRefs(f().config).find((r) => r.arn === role.arn)!.stacks;
        for (const st of role.permissions.Statement) {
          const actions = ([] as string[]).concat(st.Action);
          const resources = ([] as string[]).concat(st.Resource ?? []);
          if (actions.some((a) => a.startsWith('events:'))) {
            for (const r of resources) expect([role.arn, st.Sid, r]).toEqual([role.arn, st.Sid, expect.stringMatching(/:(rule|event-bus)\/cloudtrail-fleet-guard(-[0-9]+|\/cloudtrail-fleet-guard-to-topic)?$/)]);
          }
          const orgWrites = actions.filter((a) => a.startsWith('organizations:') && !READ_ACTIONS.has(a));
          if (orgWrites.length) expect([role.arn, st.Sid, stacks]).toEqual([role.arn, st.Sid, expect.arrayContaining(['cloudtrail-guard'])]);
          if (actions.includes('iam:PassRole')) expect(Object.keys(st.Condition?.StringEquals ?? {})).toEqual(['iam:PassedToService']);
        }
      }
    });

    test("an account's role: its guard rules, not the account's other rules, buses or roles, nor another account's", () => {
      const { apply } = rolesFor(f(), 'cloudtrail-account-222222222222');
      const own = 'arn:aws:events:us-east-2:222222222222:rule/cloudtrail-fleet-guard';
      expect(refused(apply.permissions, [req('events:PutRule', own), req('events:PutTargets', own), req('events:DeleteRule', own)])).toEqual([]);
      expect(
        admitted(apply.permissions, [
          req('events:PutRule', 'arn:aws:events:us-east-2:222222222222:rule/app-schedule'),
          req('events:PutTargets', 'arn:aws:events:us-east-2:222222222222:rule/app-schedule'),
          req('events:DeleteRule', 'arn:aws:events:us-east-2:222222222222:rule/app-schedule'),
          req('events:PutRule', 'arn:aws:events:eu-north-1:222222222222:rule/cloudtrail-fleet-guard'),
          req('events:PutRule', 'arn:aws:events:us-east-2:333333333333:rule/cloudtrail-fleet-guard'),
          req('events:DeleteRule', 'arn:aws:events:us-east-2:333333333333:rule/cloudtrail-fleet-guard'),
          req('events:PutPermission', 'arn:aws:events:us-east-2:222222222222:event-bus/default'),
          req('events:PutEvents', 'arn:aws:events:us-east-2:111111111111:event-bus/cloudtrail-fleet-guard'),
          req('events:CreateEventBus', 'arn:aws:events:us-east-2:222222222222:event-bus/cloudtrail-fleet-guard'),
          req('iam:PassRole', 'arn:aws:iam::222222222222:role/cloudtrail-fleet-guard-events', { 'iam:PassedToService': 'lambda.amazonaws.com' }),
          req('iam:PassRole', 'arn:aws:iam::222222222222:role/app-role', { 'iam:PassedToService': 'events.amazonaws.com' }),
          req('iam:PutRolePolicy', 'arn:aws:iam::222222222222:role/app-role'),
          req('iam:PutRolePolicy', 'arn:aws:iam::333333333333:role/cloudtrail-fleet-guard-events'),
          req('organizations:CreatePolicy', '*', { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY', 'aws:RequestTag/cloudtrail-fleet:guard': 'protected' }),
        ]),
      ).toEqual([]);
      expect(refused(apply.permissions, [req('iam:PassRole', 'arn:aws:iam::222222222222:role/cloudtrail-fleet-guard-events', { 'iam:PassedToService': 'events.amazonaws.com' })])).toEqual([]);
    });

    test("the central role: the guard bus, its policy, the guard topic and the forwarding rule; not the default bus, other buses or topics", () => {
      const { apply } = rolesFor(f(), 'cloudtrail-central');
      const bus = 'arn:aws:events:us-east-2:111111111111:event-bus/cloudtrail-fleet-guard';
      const forward = 'arn:aws:events:us-east-2:111111111111:rule/cloudtrail-fleet-guard/cloudtrail-fleet-guard-to-topic';
      const topic = 'arn:aws:sns:us-east-2:111111111111:cloudtrail-fleet-guard';
      expect(
        refused(apply.permissions, [req('events:PutPermission', bus), req('events:RemovePermission', bus), req('events:DeleteEventBus', bus), req('events:PutTargets', forward), req('sns:SetTopicAttributes', topic)]),
      ).toEqual([]);
      expect(
        admitted(apply.permissions, [
          req('events:PutPermission', 'arn:aws:events:us-east-2:111111111111:event-bus/default'),
          req('events:PutPermission', 'arn:aws:events:us-east-2:111111111111:event-bus/payments'),
          req('events:DeleteEventBus', 'arn:aws:events:us-east-2:111111111111:event-bus/payments'),
          req('events:PutPermission', 'arn:aws:events:eu-west-1:111111111111:event-bus/cloudtrail-fleet-guard'),
          req('events:PutRule', 'arn:aws:events:us-east-2:111111111111:rule/cloudtrail-fleet-guard/another-rule'),
          req('events:PutTargets', 'arn:aws:events:us-east-2:111111111111:rule/payments/cloudtrail-fleet-guard-to-topic'),
          req('events:PutEvents', bus),
          // The guard topic gets no subscription from the stack; subscribing is the user's.
          req('sns:Subscribe', topic),
          req('sns:Publish', topic),
          req('sns:DeleteTopic', 'arn:aws:sns:us-east-2:111111111111:app-alerts'),
        ]),
      ).toEqual([]);
    });

    test('the cloudtrail-guard role: service control policies carrying the guard tag, attached to the configured targets only', () => {
      const { apply, plan } = rolesFor(f(), 'cloudtrail-guard');
      const create = { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY', 'aws:RequestTag/cloudtrail-fleet:guard': 'protected', 'aws:TagKeys': ['cloudtrail-fleet:guard', 'owner'] };
      const root = `arn:aws:organizations::${MANAGEMENT}:root/${org}/r-ab12`;
      expect(
        refused(apply.permissions, [
          req('organizations:CreatePolicy', '*', create),
          req('organizations:TagResource', scp('p-new'), create),
          req('organizations:UpdatePolicy', scp('p-guard1'), TAGGED),
          req('organizations:DeletePolicy', scp('p-guard1'), TAGGED),
          req('organizations:AttachPolicy', scp('p-guard1'), TAGGED),
          req('organizations:AttachPolicy', root),
          req('organizations:DetachPolicy', root),
        ]),
      ).toEqual([]);
      expect(
        admitted(apply.permissions, [
          // Other policy types, or without the guard tag.
          req('organizations:CreatePolicy', '*', { ...create, 'organizations:PolicyType': 'TAG_POLICY' }),
          req('organizations:CreatePolicy', '*', { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' }),
          // Someone else's service control policies, FullAWSAccess (an AWS managed policy), another organization's.
          req('organizations:UpdatePolicy', scp('p-theirs')),
          req('organizations:DeletePolicy', scp('p-theirs')),
          req('organizations:AttachPolicy', scp('p-theirs')),
          req('organizations:DetachPolicy', 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess'),
          req('organizations:UpdatePolicy', scp('p-guard1', 'o-otherorg111'), TAGGED),
          req('organizations:TagResource', scp('p-theirs'), { 'aws:RequestTag/owner': 'me', 'aws:TagKeys': ['owner'] }),
          req('organizations:UntagResource', scp('p-theirs')),
          // Targets the config does not name.
          req('organizations:AttachPolicy', `arn:aws:organizations::${MANAGEMENT}:ou/${org}/ou-ab12-11111111`),
          req('organizations:AttachPolicy', `arn:aws:organizations::${MANAGEMENT}:account/${org}/555555555555`),
          // The organization itself.
          req('organizations:EnablePolicyType', root),
          req('organizations:DisablePolicyType', root),
          req('organizations:LeaveOrganization', '*'),
          req('organizations:CreateAccount', '*'),
        ]),
      ).toEqual([]);
      // The limit IAM sets (docs/bootstrap.md, "Decisions and limits"): CreatePolicy's tags need TagResource, which IAM cannot tell
      // from putting the guard tag on an existing policy; such a policy then becomes the guard stack's to change.
      expect(isAllowed(apply.permissions, req('organizations:TagResource', scp('p-theirs'), create).request)).toBe(true);
      if (plan.arn !== apply.arn) {
        expect(refused(plan.permissions, [req('organizations:DescribePolicy', scp('p-guard1'), TAGGED), req('organizations:ListTargetsForPolicy', scp('p-guard1'), TAGGED)])).toEqual([]);
        expect(admitted(plan.permissions, [req('organizations:CreatePolicy', '*', create), req('organizations:UpdatePolicy', scp('p-guard1'), TAGGED), req('organizations:AttachPolicy', root)])).toEqual([]);
      }
    });
  });

  test('HCP Terraform: cloudtrail-guard has its own workspace, with a plan and an apply role in the management account', () => {
    const f = load('guard: every option, HCP Terraform', GUARD_VARIANTS[1][1]);
    const refs = deployerRoleRefs(f.config).filter((r) => r.stacks.includes('cloudtrail-guard'));
    expect(refs.map((r) => [r.arn, r.kind, r.workspace])).toEqual([
      [`arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-guard-apply`, 'apply', 'cloudtrail-cloudtrail-guard'],
      [`arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-guard-plan`, 'plan', 'cloudtrail-cloudtrail-guard'],
    ]);
    const { workspaces } = synthBootstrapStacks(f.config);
    const guard = workspaces.workspaces.find((w: any) => w.stack === 'cloudtrail-guard');
    expect(guard).toEqual({
      name: 'cloudtrail-cloudtrail-guard',
      project: 'logging',
      stack: 'cloudtrail-guard',
      accountId: MANAGEMENT,
      workingDirectory: 'cdktf.out/stacks/cloudtrail-guard',
      variables: [
        expect.objectContaining({ key: 'TFC_AWS_PROVIDER_AUTH', value: 'true', category: 'env' }),
        expect.objectContaining({ key: 'TFC_AWS_PLAN_ROLE_ARN', value: `arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-guard-plan`, category: 'env' }),
        expect.objectContaining({ key: 'TFC_AWS_APPLY_ROLE_ARN', value: `arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-guard-apply`, category: 'env' }),
        expect.objectContaining({ key: 'AWS_REGION', value: 'us-east-2', category: 'env' }),
      ],
    });
    // Its stack assumes no role: the workspace's credentials are the role.
    expect(stackOf(f.main, 'cloudtrail-guard').provider.aws[0].assume_role).toBeUndefined();
    expect(stackOf(f.main, 'cloudtrail-guard').terraform.cloud.workspaces).toEqual({ name: 'cloudtrail-cloudtrail-guard', project: 'logging' });
  });

  test("a CI principal: cloudtrail-guard assumes the management account's deployer role (named, or bootstrap's default)", () => {
    const named = load('guard: every option, CI principal', GUARD_VARIANTS[0][1]);
    expect(stackOf(named.main, 'cloudtrail-guard').provider.aws[0].assume_role).toEqual([{ role_arn: `arn:aws:iam::${MANAGEMENT}:role/TerraformDeploy`, session_name: 'cloudtrail-fleet' }]);
    // One role deploys every stack of the management account (it is also the central account with a trail).
    expect(deployerRoleRefs(named.config, MANAGEMENT).map((r) => r.stacks)).toEqual([['cloudtrail-central', `cloudtrail-account-${MANAGEMENT}`, 'cloudtrail-guard']]);
    const defaults = configOf(guardFleet(2, { bootstrap: 'principal' }));
    const main = synthFleet(defaults);
    expect(stackOf(main, 'cloudtrail-guard').provider.aws[0].assume_role).toEqual([
      { role_arn: `arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`, session_name: 'cloudtrail-fleet' },
    ]);
    // A management account with nothing but the guard stack still gets its bootstrap stack and role.
    const elsewhere = configOf({ ...guardFleet(2, { bootstrap: 'principal', managementTrail: false }), central: { accountId: '333333333333', region: 'us-east-2', bucketName: 'my-bucket' } });
    expect(deployerRoleRefs(elsewhere, MANAGEMENT).map((r) => [r.arn, r.stacks])).toEqual([[`arn:aws:iam::${MANAGEMENT}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`, ['cloudtrail-guard']]]);
    expect(synthBootstrapStacks(elsewhere).stacks.has(`cloudtrail-bootstrap-${MANAGEMENT}`)).toBe(true);
  });
});
