/**
 * The checks doctor runs in one account, each answering "would a deploy of
 * this account's stacks get past this?" with the API the stack itself needs
 * or the cheapest read-only API that tells:
 *
 *   credentials   STS AssumeRole of the stack's assumeRoleArn (from the
 *                 ambient credentials), else the ambient credentials;
 *   account       the account those credentials act in equals the account
 *                 (the provider's allowed_account_ids refuses otherwise);
 *   regions       every trail home region is enabled: EC2 DescribeRegions
 *                 (AllRegions, in the partition's home region, which is never
 *                 an opt-in region) reports OptInStatus `opt-in-not-required`
 *                 or `opted-in`. Chosen over account:GetRegionOptStatus
 *                 because it answers in every partition and on the emulator,
 *                 and ec2:DescribeRegions is in every read-only policy;
 *   organization  (organization trails) the account is the organization's
 *                 management account (DescribeOrganization) and trusted
 *                 access for cloudtrail.amazonaws.com is enabled
 *                 (ListAWSServiceAccessForOrganization); CreateTrail fails
 *                 with CloudTrailAccessNotEnabledException otherwise;
 *   bucket        (the central account) HeadBucket with ExpectedBucketOwner
 *                 = the central account: exists and is ours, or does not
 *                 exist yet (fine before the first deploy, unless the config
 *                 adopts it or another team owns it).
 *
 * A check that cannot run because an earlier one failed is `skipped`; AWS
 * not answering at all is the run's could-not-check (AccessGuard), not a
 * finding about the account.
 */
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeOrganizationCommand, ListAWSServiceAccessForOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { FleetConfig } from '../../../config/model';
import { CouldNotCheck } from '../../command';
import { CLOUDTRAIL_PRINCIPAL } from '../../../modules/arns';
import { AccessGuard, AwsSession, CallerIdentity, describeError, isNetworkError, partitionHomeRegion } from '../aws-access';
import type { AccountTarget, StackAccess } from './targets';

export type CheckName = 'credentials' | 'account' | 'regions' | 'organization' | 'bucket';
/** ok: passes; note: passes, worth knowing; problem: a deploy would fail; skipped: not run (an earlier check failed); unchecked: AWS did not answer. */
export type CheckStatus = 'ok' | 'note' | 'problem' | 'skipped' | 'unchecked';

export interface CheckResult {
  readonly check: CheckName;
  readonly status: CheckStatus;
  readonly message: string;
}

export type AccountStatus = 'ready' | 'not-ready' | 'unchecked';

export interface AccountReport {
  readonly accountId: string;
  readonly name?: string;
  readonly central: boolean;
  /** Roles the account's stacks assume (empty: the ambient credentials). */
  readonly roles: readonly string[];
  readonly stacks: readonly string[];
  readonly status: AccountStatus;
  readonly checks: readonly CheckResult[];
}

export interface CheckContext {
  readonly config: FleetConfig;
  readonly session: AwsSession;
  readonly guard: AccessGuard;
  readonly caller: CallerIdentity;
}

const problem = (check: CheckName, message: string): CheckResult => ({ check, status: 'problem', message });
const ok = (check: CheckName, message: string): CheckResult => ({ check, status: 'ok', message });

/** A finding from an AWS error; an error that never reached AWS is `unchecked` (the guard decides whether the whole run stops). */
function failed(check: CheckName, what: string, e: unknown, advice = ''): CheckResult {
  if (e instanceof CouldNotCheck) return { check, status: 'unchecked', message: `${what}: not tried (AWS stopped answering)` };
  if (isNetworkError(e)) return { check, status: 'unchecked', message: `${what}: no answer (${describeError(e)})` };
  return problem(check, `${what}: ${describeError(e)}${advice ? `; ${advice}` : ''}`);
}

function isAccessDenied(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return /AccessDenied|UnauthorizedOperation|Forbidden|AuthorizationError/.test(err?.name ?? '') || err?.$metadata?.httpStatusCode === 403;
}

/** The account (and identity) each access of the target acts in, or the failure to get there. */
async function checkAccess(target: AccountTarget, access: StackAccess, ctx: CheckContext): Promise<{ results: CheckResult[]; reachable: boolean }> {
  const stacks = access.stacks.join(', ');
  let actual: string;
  let identity: string;
  if (access.roleArn) {
    try {
      const assumed = await ctx.guard.call(() => ctx.session.assume(access.roleArn!));
      actual = assumed.account;
      identity = assumed.assumedRoleArn || access.roleArn;
    } catch (e) {
      const advice = isAccessDenied(e)
        ? `the role must exist in ${target.accountId} and its trust policy must let ${ctx.caller.arn} assume it (cloudtrail-fleet bootstrap creates it); ${stacks} assume${access.stacks.length === 1 ? 's' : ''} the same role (${access.rolePath})`
        : `${access.rolePath}`;
      return { results: [failed('credentials', `cannot assume ${access.roleArn} as ${ctx.caller.arn}`, e, advice)], reachable: false };
    }
  } else {
    actual = ctx.caller.account;
    identity = ctx.caller.arn;
  }
  const credentials = ok('credentials', access.roleArn ? `assumed ${access.roleArn}` : `ambient credentials (${ctx.caller.arn})`);
  if (actual === target.accountId) return { results: [credentials, ok('account', `credentials act in ${actual} (allowed_account_ids)`)], reachable: true };
  const fix = access.roleArn
    ? `${access.rolePath} names a role that acts in ${actual}: point it at a role in ${target.accountId}`
    : `set ${access.rolePath} to a role in ${target.accountId}, or run ${stacks} with ${target.accountId}'s own credentials`;
  return {
    results: [credentials, problem('account', `credentials act in ${actual} (${identity}), not ${target.accountId}: the provider's allowed_account_ids = ["${target.accountId}"] refuses ${stacks}; ${fix}`)],
    reachable: false,
  };
}

async function checkRegions(target: AccountTarget, access: StackAccess, ctx: CheckContext): Promise<CheckResult> {
  const home = partitionHomeRegion(ctx.config.partition);
  const ec2 = ctx.session.client(EC2Client, access.roleArn, home);
  let regions: { RegionName?: string; OptInStatus?: string }[];
  try {
    regions = (await ctx.guard.call(() => ec2.send(new DescribeRegionsCommand({ AllRegions: true, RegionNames: [...target.regions] })))).Regions ?? [];
  } catch (e) {
    return failed(
      'regions',
      `cannot tell whether ${target.regions.join(', ')} ${target.regions.length === 1 ? 'is' : 'are'} enabled (ec2:DescribeRegions in ${home})`,
      e,
      isAccessDenied(e) ? `allow ec2:DescribeRegions (read-only) to ${access.roleArn ?? ctx.caller.arn}` : '',
    );
  }
  const problems: string[] = [];
  for (const region of target.regions) {
    const found = regions.find((r) => r.RegionName === region);
    if (!found) problems.push(`${region} is not a region EC2 knows in ${ctx.config.partition}`);
    else if (found.OptInStatus === 'not-opted-in')
      problems.push(
        `${region} is an opt-in region not enabled in ${target.accountId}: enable it (aws account enable-region --account-id ${target.accountId} --region-name ${region}, from the management account) and wait until it reads ENABLED`,
      );
  }
  if (problems.length) return problem('regions', problems.join('; '));
  return ok('regions', `${target.regions.join(', ')} enabled`);
}

async function checkOrganization(target: AccountTarget, access: StackAccess, ctx: CheckContext): Promise<CheckResult> {
  const org = ctx.config.organization;
  const orgs = ctx.session.client(OrganizationsClient, access.roleArn, partitionHomeRegion(ctx.config.partition));
  let described: { Id?: string; MasterAccountId?: string };
  try {
    described = (await ctx.guard.call(() => orgs.send(new DescribeOrganizationCommand({})))).Organization ?? {};
  } catch (e) {
    if ((e as Error).name === 'AWSOrganizationsNotInUseException') return problem('organization', `${target.accountId} is not in an organization, but it holds an organization trail`);
    return failed('organization', 'cannot read the organization (organizations:DescribeOrganization)', e);
  }
  const problems: string[] = [];
  if (org && described.Id && described.Id !== org.id) problems.push(`the account belongs to organization ${described.Id}, the config says organization.id ${org.id}`);
  if (described.MasterAccountId && described.MasterAccountId !== target.accountId) {
    problems.push(`organization trails can only be created in the management account ${described.MasterAccountId}; ${target.accountId} is a member`);
    return problem('organization', problems.join('; '));
  }
  const principals: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await ctx.guard.call(() => orgs.send(new ListAWSServiceAccessForOrganizationCommand({ NextToken: token })));
      principals.push(...(page.EnabledServicePrincipals ?? []).flatMap((p) => (p.ServicePrincipal ? [p.ServicePrincipal] : [])));
      token = page.NextToken;
    } while (token);
  } catch (e) {
    return failed('organization', 'cannot list trusted access (organizations:ListAWSServiceAccessForOrganization)', e);
  }
  if (!principals.includes(CLOUDTRAIL_PRINCIPAL))
    problems.push(
      `trusted access between CloudTrail and Organizations is not enabled (CreateTrail would fail with CloudTrailAccessNotEnabledException): ` +
        `aws organizations enable-aws-service-access --service-principal ${CLOUDTRAIL_PRINCIPAL}, in the management account`,
    );
  if (problems.length) return problem('organization', problems.join('; '));
  return ok('organization', `management account of ${described.Id ?? 'the organization'}; trusted access for CloudTrail enabled`);
}

/** Whether the central bucket must exist before the deploy (adopted, or owned by another team). */
function bucketMustExist(config: FleetConfig): string | undefined {
  const c = config.central;
  if (c.bucketManagement === 'policyOnly') return 'central.bucketManagement is policyOnly (the bucket is owned elsewhere; only its policy is deployed)';
  if (c.bucketManagement === 'none') return 'central.bucketManagement is none (the bucket is owned elsewhere)';
  if (c.adopt) return 'central.adopt imports the existing bucket';
  return undefined;
}

async function checkBucket(access: StackAccess, ctx: CheckContext): Promise<CheckResult> {
  const { central } = ctx.config;
  const s3 = ctx.session.client(S3Client, access.roleArn, central.region);
  const bucket = central.bucketName;
  try {
    const out = await ctx.guard.call(() => s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: central.accountId })));
    if (out.BucketRegion && out.BucketRegion !== central.region)
      return problem('bucket', `s3://${bucket} exists in ${out.BucketRegion}, not in central.region ${central.region}: set central.region to ${out.BucketRegion} or choose another bucketName`);
    return ok('bucket', `s3://${bucket} exists, owned by ${central.accountId}`);
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
    const status = err.$metadata?.httpStatusCode;
    if (status === 404 || err.name === 'NotFound' || err.name === 'NoSuchBucket') {
      const must = bucketMustExist(ctx.config);
      if (must) return problem('bucket', `s3://${bucket} does not exist, but ${must}: create it or fix central.bucketName`);
      return { check: 'bucket', status: 'note', message: `s3://${bucket} does not exist yet: the first deploy of cloudtrail-central creates it` };
    }
    if (status === 301 || err.name === 'PermanentRedirect') {
      const where = err.$response?.headers?.['x-amz-bucket-region'];
      return problem('bucket', `s3://${bucket} exists in another region${where ? ` (${where})` : ''} than central.region ${central.region}`);
    }
    if (status === 403 || isAccessDenied(e)) {
      // 403 is either "owned by another account" (ExpectedBucketOwner) or "may not ListBucket": ListBuckets tells them apart.
      try {
        const listed = await ctx.guard.call(() => s3.send(new ListBucketsCommand({ Prefix: bucket, MaxBuckets: 1000 })));
        if ((listed.Buckets ?? []).some((b) => b.Name === bucket))
          return problem('bucket', `s3://${bucket} belongs to ${central.accountId}, but HeadBucket was denied: allow s3:ListBucket on it to ${access.roleArn ?? ctx.caller.arn}`);
        return problem('bucket', `s3://${bucket} exists and belongs to another account (bucket names are global): choose another central.bucketName`);
      } catch {
        return problem('bucket', `s3://${bucket}: HeadBucket denied (403): another account owns this name, or ${access.roleArn ?? ctx.caller.arn} may not s3:ListBucket it`);
      }
    }
    return failed('bucket', `HeadBucket s3://${bucket}`, e);
  }
}

function skipped(check: CheckName, why: string): CheckResult {
  return { check, status: 'skipped', message: why };
}

/** Every check of one account. */
export async function checkAccount(target: AccountTarget, ctx: CheckContext): Promise<AccountReport> {
  const results: CheckResult[] = [];
  const reached: StackAccess[] = [];
  for (const access of target.access) {
    const r = await checkAccess(target, access, ctx);
    results.push(...r.results);
    if (r.reachable) reached.push(access);
  }
  const accountAccess = target.access.find((a) => !a.stacks.includes('cloudtrail-central')) ?? target.access[0];
  const centralAccess = target.access.find((a) => a.stacks.includes('cloudtrail-central'));
  const usable = (a: StackAccess | undefined) => a !== undefined && reached.includes(a);
  const why = 'not checked: the credentials above do not reach the account';

  const later: Promise<CheckResult>[] = [];
  later.push(usable(accountAccess) ? checkRegions(target, accountAccess, ctx) : Promise.resolve(skipped('regions', why)));
  if (target.organizationTrail) later.push(usable(accountAccess) ? checkOrganization(target, accountAccess, ctx) : Promise.resolve(skipped('organization', why)));
  if (target.central) later.push(usable(centralAccess) ? checkBucket(centralAccess!, ctx) : Promise.resolve(skipped('bucket', why)));
  results.push(...(await Promise.all(later)));

  const status: AccountStatus = results.some((r) => r.status === 'problem') ? 'not-ready' : results.some((r) => r.status === 'unchecked') ? 'unchecked' : 'ready';
  return {
    accountId: target.accountId,
    name: target.name,
    central: target.central,
    roles: target.access.flatMap((a) => (a.roleArn ? [a.roleArn] : [])),
    stacks: target.access.flatMap((a) => a.stacks),
    status,
    checks: results,
  };
}
