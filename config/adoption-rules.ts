/**
 * The adoption rules that need the whole resolved config (docs/adopting.md):
 * bucket management against the bucket settings, `adopt.except` lists, the
 * existing central key, and where the user's own statements may point.
 * Called from validate.ts; the field-level shapes are in adoption.ts.
 */
import type { FleetConfig } from './model';
import * as rules from './rules';
import { bucketArn } from './arns';
import type { BucketPart, TrailPart } from './adoption';
import { isMultiRegionKeyArn, keyIdOf } from './adoption';

export interface AdoptionIssue {
  readonly path: string;
  readonly message: string;
}

/** Cross-field rules of adoption and bucket management. */
export function adoptionIssues(config: FleetConfig): AdoptionIssue[] {
  const issues: AdoptionIssue[] = [];
  const push = (path: string, message: string) => issues.push({ path, message });
  const { central, partition } = config;

  if (central.bucketManagement !== 'managed') {
    for (const key of ['retention', 'objectLock', 'accessLogging'] as const) {
      if (central[key]) {
        push(
          `central.${key}`,
          `bucketManagement is ${central.bucketManagement}: the bucket's ${key} belongs to the team that owns the bucket; remove central.${key} (or set bucketManagement: managed)`,
        );
      }
    }
  }
  if (central.adopt) {
    if (central.bucketManagement === 'none') {
      push('central.adopt', 'bucketManagement is none: the central stack manages nothing of the bucket, so there is nothing to import; remove central.adopt');
    }
    const present: Record<BucketPart, boolean> = {
      policy: central.bucketManagement !== 'none',
      versioning: central.bucketManagement === 'managed',
      encryption: central.bucketManagement === 'managed',
      publicAccessBlock: central.bucketManagement === 'managed',
      ownershipControls: central.bucketManagement === 'managed',
      lifecycle: central.bucketManagement === 'managed' && !!central.retention,
      objectLock: central.bucketManagement === 'managed' && !!central.objectLock,
      accessLogging: central.bucketManagement === 'managed' && !!central.accessLogging,
    };
    central.adopt.except.forEach((part, i) => {
      if (!present[part]) {
        const why =
          central.bucketManagement !== 'managed'
            ? `with bucketManagement ${central.bucketManagement} the stack does not manage it`
            : `the config does not set it (central.${part === 'lifecycle' ? 'retention' : part} is not set)`;
        push(`central.adopt.except[${i}]`, `${part} is not part of the central stack (${why}); remove it from the list`);
      }
    });
    const seen = new Set<string>();
    central.adopt.except.forEach((part, i) => {
      if (seen.has(part)) push(`central.adopt.except[${i}]`, `${part} is listed twice; list it once`);
      seen.add(part);
    });
  }

  // A trail's adopt.except names parts this config creates for that trail, once each.
  for (const t of config.trails) {
    const created: Record<TrailPart, string | undefined> = {
      topic: t.sns?.kind === 'create' ? undefined : 'sns is not { create }',
      queue: t.sns?.kind === 'create' && t.sns.sqsQueueName ? undefined : 'no sqsQueue is created',
      logGroup: t.cloudWatchLogs?.logGroup.kind === 'create' ? undefined : 'cloudWatchLogs is not { create }',
      deliveryRole: t.cloudWatchLogs && !t.cloudWatchLogs.roleArn ? undefined : 'no delivery role is created (no cloudWatchLogs, or roleArn is given)',
    };
    const seen = new Set<string>();
    t.adoptExcept.forEach((part, i) => {
      const where = `accounts[${t.index}].adopt.except[${i}]${t.inherited.has('adopt') ? ' (from defaults)' : ''}`;
      if (created[part]) push(where, `${part} is not created for trail ${t.trailName} (${created[part]}); remove it from the list`);
      if (seen.has(part)) push(where, `${part} is listed twice; list it once`);
      seen.add(part);
    });
  }

  const key = central.kmsKey;
  if (key?.existingKeyArn) {
    const arn = rules.parseArn(key.existingKeyArn)!;
    if (arn.partition !== partition)
      push(
        'central.kmsKey.existingKeyArn',
        `ARN is in partition ${arn.partition}, but partition is ${partition}; every ARN must be in one partition (write arn:${partition}:...)`,
      );
    if (arn.account !== central.accountId) {
      push(
        'central.kmsKey.existingKeyArn',
        `the key is in account ${arn.account}, but the central key must be in the central account ${central.accountId} (the central stack manages it there); use kmsKey: { arn } on the trails for a key in another account`,
      );
    }
    if (arn.region !== central.region) {
      push(
        'central.kmsKey.existingKeyArn',
        `the key is in ${arn.region}, but the central key must be in the bucket's region ${central.region} (CloudTrail and S3 use a key only in the bucket's region)`,
      );
    }
    // multi_region cannot change in place: a mismatch plans a replacement of the key (which prevent_destroy refuses).
    const mrk = isMultiRegionKeyArn(key.existingKeyArn);
    if (mrk !== key.multiRegion) {
      push(
        'central.kmsKey.multiRegion',
        mrk
          ? `the existing key ${keyIdOf(key.existingKeyArn)} is a multi-Region key (its id starts with mrk-), but multiRegion is false; set multiRegion: true or leave it out (a multi-Region key cannot become single-Region: Terraform would plan to replace the key, which prevent_destroy refuses)`
          : `the existing key ${keyIdOf(key.existingKeyArn)} is a single-Region key (its id does not start with mrk-), but multiRegion is true; set multiRegion: false or leave it out (a key cannot become multi-Region: Terraform would plan to replace it, which prevent_destroy refuses)`,
      );
    }
    if (!key.aliasGiven) {
      push(
        'central.kmsKey.alias',
        'with existingKeyArn, give the alias of the existing key (it is imported too, and account stacks look the key up by it); if the key has no alias yet, create one first: aws kms create-alias --alias-name alias/<name> --target-key-id <key id>',
      );
    }
  }

  // Statements kept verbatim must be about this bucket: S3 rejects a policy naming another resource.
  const bucket = bucketArn(partition, central.bucketName);
  central.bucketPolicyExtraStatements.forEach((s, i) => {
    for (const field of ['Resource', 'NotResource'] as const) {
      const values = (s as unknown as Record<string, string | string[] | undefined>)[field];
      for (const r of values === undefined ? [] : typeof values === 'string' ? [values] : values) {
        if (r !== bucket && !r.startsWith(`${bucket}/`)) {
          push(
            `central.bucketPolicy.extraStatements[${i}].${field}`,
            `"${r}" is not the central bucket or an object in it; a bucket policy may only name ${bucket} and ${bucket}/... (S3 rejects the policy otherwise)`,
          );
        }
      }
    }
  });
  // In a key policy the resource is always the key itself: "*".
  (key?.extraStatements ?? []).forEach((s, i) => {
    const r = (s as unknown as Record<string, unknown>).Resource ?? (s as unknown as Record<string, unknown>).NotResource;
    if (r !== '*' && !(Array.isArray(r) && r.length === 1 && r[0] === '*')) {
      push(`central.kmsKey.extraStatements[${i}]`, `a key policy statement's Resource must be "*" (it means this key); got ${JSON.stringify(r)}`);
    }
  });
  return issues;
}
