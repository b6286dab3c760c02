/**
 * A fake AWS for verify tests: aws-sdk-client-mock on the real SDK clients,
 * answering with the API's own shapes from a table of trails and objects.
 * Nothing here reaches the network.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  AggregationConfiguration,
  CloudTrailClient,
  CloudTrailServiceException,
  EventSelector,
  AdvancedEventSelector,
  GetEventConfigurationCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  InsightNotEnabledException,
  InsightSelector,
  ListPublicKeysCommand,
  PublicKey,
  Trail,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, _Object } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { AwsAccess } from '../../../../cli/lib/verify/aws';
import type { TrailStatus } from '../../../../cli/lib/verify/health';

export interface FakeTrail {
  trail: Trail;
  status: TrailStatus;
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
  /** undefined = InsightNotEnabledException */
  insightTypes?: string[];
  /** GetInsightSelectors entries as AWS returns them (with EventCategories); wins over `insightTypes`. */
  insightSelectors?: InsightSelector[];
  /** GetEventConfiguration `AggregationConfigurations`; undefined = none (the key absent from the answer). */
  aggregation?: AggregationConfiguration[];
  /** GetEventConfiguration fails with this error name (e.g. UnsupportedOperationException). */
  eventConfigurationError?: string;
}

export interface FakeObject {
  body?: Buffer;
  lastModified: Date;
  metadata?: Record<string, string>;
}

export class AwsWorld {
  readonly trails = new Map<string, FakeTrail>();
  readonly objects = new Map<string, FakeObject>();
  readonly deniedRoles = new Set<string>();
  publicKeys: PublicKey[] = [];
  /** Calls that fail with ThrottlingException before they succeed, per "Command:name". */
  readonly throttle = new Map<string, number>();
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Simulated latency of each CloudTrail call. */
  latencyMs = 0;

  readonly cloudTrail = mockClient(CloudTrailClient);
  readonly s3 = mockClient(S3Client);
  readonly sts = mockClient(STSClient);

  constructor() {
    const trailCall = <T>(command: string, name: string, answer: (t: FakeTrail) => T) => async () => {
      this.calls.push(`${command}:${name}`);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
        const left = this.throttle.get(`${command}:${name}`) ?? 0;
        if (left > 0) {
          this.throttle.set(`${command}:${name}`, left - 1);
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
        }
        const t = this.trails.get(name);
        if (!t) throw new TrailNotFoundException({ message: `Unknown trail: ${name} for the user: 123`, $metadata: { httpStatusCode: 400 } });
        return answer(t);
      } finally {
        this.inFlight--;
      }
    };
    this.cloudTrail.on(GetTrailCommand).callsFake((input) => trailCall('GetTrail', input.Name, (t) => ({ Trail: t.trail }))());
    this.cloudTrail.on(GetTrailStatusCommand).callsFake((input) => trailCall('GetTrailStatus', input.Name, (t) => t.status)());
    this.cloudTrail.on(GetEventSelectorsCommand).callsFake((input) =>
      trailCall('GetEventSelectors', input.TrailName, (t) => ({
        TrailARN: t.trail.TrailARN,
        ...(t.advancedEventSelectors ? { AdvancedEventSelectors: t.advancedEventSelectors } : { EventSelectors: t.eventSelectors }),
      }))(),
    );
    this.cloudTrail.on(GetInsightSelectorsCommand).callsFake((input) =>
      trailCall('GetInsightSelectors', input.TrailName, (t) => {
        if (t.insightSelectors) return { TrailARN: t.trail.TrailARN, InsightSelectors: t.insightSelectors };
        if (!t.insightTypes) {
          throw new InsightNotEnabledException({ message: `Trail ${input.TrailName} does not have Insights enabled.`, $metadata: { httpStatusCode: 400 } });
        }
        return { TrailARN: t.trail.TrailARN, InsightSelectors: t.insightTypes.map((InsightType) => ({ InsightType })) };
      })(),
    );
    this.cloudTrail.on(GetEventConfigurationCommand).callsFake((input) =>
      trailCall('GetEventConfiguration', input.TrailName!, (t) => {
        if (t.eventConfigurationError) {
          throw new CloudTrailServiceException({ name: t.eventConfigurationError, $fault: 'client', message: `${t.eventConfigurationError} for ${input.TrailName}`, $metadata: { httpStatusCode: 400 } });
        }
        return { TrailARN: t.trail.TrailARN, ...(t.aggregation ? { AggregationConfigurations: t.aggregation } : {}) };
      })(),
    );
    // As AWS: the keys whose validity overlaps the asked range (all of them when no range is given).
    this.cloudTrail.on(ListPublicKeysCommand).callsFake((input) => {
      this.calls.push(`ListPublicKeys:${input.StartTime?.toISOString() ?? ''}/${input.EndTime?.toISOString() ?? ''}`);
      return {
        PublicKeyList: this.publicKeys.filter(
          (k) => (!input.EndTime || !k.ValidityStartTime || k.ValidityStartTime <= input.EndTime) && (!input.StartTime || !k.ValidityEndTime || k.ValidityEndTime >= input.StartTime),
        ),
      };
    });

    this.sts.on(AssumeRoleCommand).callsFake((input) => {
      this.calls.push(`AssumeRole:${input.RoleArn}`);
      if (this.deniedRoles.has(input.RoleArn)) {
        throw new STSServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: `User: arn:aws:iam::999999999999:user/ci is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
          $metadata: { httpStatusCode: 403 },
        });
      }
      return {
        Credentials: { AccessKeyId: 'ASIAFAKE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) },
        AssumedRoleUser: { AssumedRoleId: 'AROAFAKE:cloudtrail-fleet-verify', Arn: `${input.RoleArn}/cloudtrail-fleet-verify` },
      };
    });

    this.s3.on(ListObjectsV2Command).callsFake((input) => {
      this.calls.push(`ListObjectsV2:${input.Prefix}`);
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(`${input.Bucket}/${input.Prefix ?? ''}`)).sort();
      const contents: _Object[] = [];
      const prefixes = new Set<string>();
      for (const k of keys) {
        const key = k.slice(input.Bucket.length + 1);
        const rest = key.slice((input.Prefix ?? '').length);
        if (input.Delimiter && rest.includes(input.Delimiter)) prefixes.add(`${input.Prefix ?? ''}${rest.slice(0, rest.indexOf(input.Delimiter) + 1)}`);
        else contents.push({ Key: key, LastModified: this.objects.get(k)!.lastModified, Size: this.objects.get(k)!.body?.length ?? 1 });
      }
      return {
        Name: input.Bucket,
        Prefix: input.Prefix,
        KeyCount: contents.length + prefixes.size,
        IsTruncated: false,
        Contents: contents.length ? contents : undefined,
        CommonPrefixes: prefixes.size ? [...prefixes].map((Prefix) => ({ Prefix })) : undefined,
      };
    });
    this.s3.on(GetObjectCommand).callsFake((input) => {
      const o = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (!o) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      // The SDK's body stream, reduced to the method verify reads.
      const bytes = new Uint8Array(o.body ?? Buffer.alloc(0));
      return { Body: { transformToByteArray: async () => bytes } as never, Metadata: o.metadata ?? {}, LastModified: o.lastModified };
    });
  }

  /** An AwsAccess with fixed ambient credentials and instant retries. */
  access(): AwsAccess {
    return new AwsAccess({ sleep: async () => undefined }, async () => ({ accessKeyId: 'AKIAAMBIENT', secretAccessKey: 'x' }));
  }

  restore(): void {
    this.cloudTrail.restore();
    this.s3.restore();
    this.sts.restore();
  }
}
