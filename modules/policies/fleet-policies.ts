/**
 * The central policies of a fleet, computed once per resolved config and
 * shared by validation (size limits) and the central stack (resources).
 */
import type { FleetConfig } from '../../config/model';
import { accountRootArn } from '../arns';
import { bucketPolicy, BucketPolicyResult } from './bucket-policy';
import { centralKeyPolicy, KeyPolicyResult } from './key-policies';
import type { TrailRef } from './trail-ref';

export interface FleetPolicies {
  readonly bucket: BucketPolicyResult;
  /** Undefined when there is no central key. */
  readonly centralKey?: KeyPolicyResult;
}

/** The fleet's bucket policy, for all its trails or (to size a smaller fleet) some of them. */
export function fleetBucketPolicy(config: FleetConfig, trails: readonly TrailRef[] = config.trails): BucketPolicyResult {
  return bucketPolicy({
    partition: config.partition,
    bucketName: config.central.bucketName,
    trails,
    organizationId: config.organization?.id,
    extraStatements: config.central.bucketPolicyExtraStatements,
  });
}

/**
 * The central key's policy for the trails that use it (by default those with
 * `kmsKey: central`) and its readers (by default `central.kmsKey.decryptPrincipals`).
 * Only for a config with a central key.
 */
export function fleetCentralKeyPolicy(
  config: FleetConfig,
  trails: readonly TrailRef[] = config.trails.filter((t) => t.kmsKey.kind === 'central'),
  decryptPrincipals: readonly string[] = config.central.kmsKey!.decryptPrincipals,
): KeyPolicyResult {
  const { central } = config;
  return centralKeyPolicy({
    partition: config.partition,
    organizationId: config.organization?.id,
    centralAccountId: central.accountId,
    region: central.region,
    bucketName: central.bucketName,
    trails,
    decryptPrincipals,
    extraStatements: central.kmsKey!.extraStatements,
  });
}

/**
 * Who may decrypt with a key created in a trail's account (`kmsKey: { create }`):
 * the bucket owner's readers, or else the bucket owner's account.
 */
export function trailKeyReaders(config: FleetConfig): readonly string[] {
  const { central, partition } = config;
  return central.kmsKey?.decryptPrincipals.length ? central.kmsKey.decryptPrincipals : [accountRootArn(partition, central.accountId)];
}

const cache = new WeakMap<FleetConfig, FleetPolicies>();

export function fleetPolicies(config: FleetConfig): FleetPolicies {
  let result = cache.get(config);
  if (!result) {
    result = { bucket: fleetBucketPolicy(config), centralKey: config.central.kmsKey ? fleetCentralKeyPolicy(config) : undefined };
    cache.set(config, result);
  }
  return result;
}
