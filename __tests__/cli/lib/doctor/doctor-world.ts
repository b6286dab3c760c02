/**
 * A fake AWS for doctor tests: aws-sdk-client-mock on the real SDK clients
 * (STS, EC2, Organizations, S3), answering with the APIs' own shapes from
 * tables of roles, regions, organizations and buckets. Assumed credentials
 * carry their account in the access key id, so every later call knows which
 * account it acts in. Nothing reaches the network.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeOrganizationCommand, ListAWSServiceAccessForOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsSession } from '../../../../cli/lib/aws-access';

const OPT_IN_REGIONS = new Set(['af-south-1', 'ap-east-1', 'me-south-1', 'eu-south-1', 'ap-southeast-3', 'il-central-1']);
const KNOWN_REGIONS = new Set(['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', ...OPT_IN_REGIONS]);

export function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

export function networkError(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
}

export class DoctorWorld {
  /** The caller (ambient credentials). */
  caller = { account: '999999999999', arn: 'arn:aws:iam::999999999999:user/ci' };
  /** What GetCallerIdentity throws instead of answering (no credentials, network). */
  callerError?: Error;
  /** Roles that exist and trust the caller: role ARN -> the account it acts in (default: the ARN's account). */
  readonly roles = new Map<string, string>();
  /** Opt-in regions enabled per account. */
  readonly enabledOptIn = new Map<string, Set<string>>();
  /** Accounts in an organization: account -> organization. */
  readonly organization = new Map<string, { id: string; management: string; trustedCloudTrail: boolean }>();
  /** Buckets: name -> owner and region. */
  readonly buckets = new Map<string, { owner: string; region: string }>();
  /** Accounts whose role may not call ec2:DescribeRegions. */
  readonly denyDescribeRegions = new Set<string>();
  /** After this many AssumeRole calls every call fails with a network error (AWS goes away mid-run). */
  outageAfterAssumes?: number;
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  latencyMs = 0;

  readonly sts = mockClient(STSClient);
  readonly ec2 = mockClient(EC2Client);
  readonly orgs = mockClient(OrganizationsClient);
  readonly s3 = mockClient(S3Client);

  constructor() {
    this.sts.on(GetCallerIdentityCommand).callsFake(() =>
      this.call('GetCallerIdentity', '', async () => {
        if (this.callerError) throw this.callerError;
        return { Account: this.caller.account, Arn: this.caller.arn, UserId: 'AIDA' };
      }),
    );
    this.sts.on(AssumeRoleCommand).callsFake((input) =>
      this.call('AssumeRole', input.RoleArn, async () => {
        const account = this.roles.get(input.RoleArn);
        if (!account) throw awsError('AccessDenied', `User: ${this.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, 403);
        const role = input.RoleArn.split('/').pop();
        return {
          Credentials: { AccessKeyId: `ASIA${account}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2100-01-01T00:00:00Z') },
          AssumedRoleUser: { Arn: `arn:aws:sts::${account}:assumed-role/${role}/${input.RoleSessionName}`, AssumedRoleId: 'AROA' },
        };
      }),
    );
    this.ec2.on(DescribeRegionsCommand).callsFake((input, getClient) =>
      this.call('DescribeRegions', (input.RegionNames ?? []).join(','), async () => {
        const account = await this.accountOf(getClient);
        if (this.denyDescribeRegions.has(account)) throw awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
        const enabled = this.enabledOptIn.get(account) ?? new Set();
        const names: string[] = input.RegionNames?.length ? input.RegionNames : [...KNOWN_REGIONS];
        return {
          Regions: names
            .filter((r) => KNOWN_REGIONS.has(r))
            .map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: OPT_IN_REGIONS.has(r) ? (enabled.has(r) ? 'opted-in' : 'not-opted-in') : 'opt-in-not-required' })),
        };
      }),
    );
    this.orgs.on(DescribeOrganizationCommand).callsFake((_input, getClient) =>
      this.call('DescribeOrganization', '', async () => {
        const account = await this.accountOf(getClient);
        const org = this.organization.get(account);
        if (!org) throw awsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
        return { Organization: { Id: org.id, MasterAccountId: org.management, FeatureSet: 'ALL' } };
      }),
    );
    this.orgs.on(ListAWSServiceAccessForOrganizationCommand).callsFake((_input, getClient) =>
      this.call('ListAWSServiceAccessForOrganization', '', async () => {
        const account = await this.accountOf(getClient);
        const org = this.organization.get(account);
        if (!org || org.management !== account) throw awsError('AccessDeniedException', 'You don\'t have permissions to access this resource.', 403);
        return { EnabledServicePrincipals: org.trustedCloudTrail ? [{ ServicePrincipal: 'cloudtrail.amazonaws.com' }, { ServicePrincipal: 'config.amazonaws.com' }] : [{ ServicePrincipal: 'config.amazonaws.com' }] };
      }),
    );
    this.s3.on(HeadBucketCommand).callsFake((input, getClient) =>
      this.call('HeadBucket', input.Bucket, async () => {
        const b = this.buckets.get(input.Bucket);
        if (!b) throw awsError('NotFound', 'UnknownError', 404);
        const account = await this.accountOf(getClient);
        if (input.ExpectedBucketOwner && input.ExpectedBucketOwner !== b.owner) throw awsError('Forbidden', 'UnknownError', 403);
        if (!input.ExpectedBucketOwner && b.owner !== account) throw awsError('Forbidden', 'UnknownError', 403);
        return { BucketRegion: b.region };
      }),
    );
    this.s3.on(ListBucketsCommand).callsFake((input, getClient) =>
      this.call('ListBuckets', input.Prefix ?? '', async () => {
        const account = await this.accountOf(getClient);
        return { Buckets: [...this.buckets.entries()].filter(([name, b]) => b.owner === account && name.startsWith(input.Prefix ?? '')).map(([Name]) => ({ Name })) };
      }),
    );
  }

  /** The account a mocked client's credentials act in. */
  private async accountOf(getClient: () => { config: { credentials: unknown } }): Promise<string> {
    const provider = getClient().config.credentials as () => Promise<{ accessKeyId: string }>;
    const key = (await provider()).accessKeyId;
    return key.startsWith('ASIA') ? key.slice(4) : this.caller.account;
  }

  private async call<T>(name: string, what: string, answer: () => Promise<T>): Promise<T> {
    this.calls.push(`${name}:${what}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
      const assumes = this.calls.filter((c) => c.startsWith('AssumeRole:')).length;
      if (this.outageAfterAssumes !== undefined && assumes > this.outageAfterAssumes) throw networkError();
      return await answer();
    } finally {
      this.inFlight--;
    }
  }

  count(name: string): number {
    return this.calls.filter((c) => c.startsWith(`${name}:`)).length;
  }

  /** A session whose ambient credentials are the caller's. */
  session(): AwsSession {
    return new AwsSession({ sessionName: 'cloudtrail-fleet-doctor', stsRegion: 'us-east-1', ambient: async () => ({ accessKeyId: `AKIA${this.caller.account}`, secretAccessKey: 'secret' }) });
  }

  restore(): void {
    this.sts.restore();
    this.ec2.restore();
    this.orgs.restore();
    this.s3.restore();
  }
}
