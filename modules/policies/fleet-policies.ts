/**
 * The central policies of a fleet, computed once per resolved config and
 * shared by validation (size limits) and the central stack (resources).
 */
import type { FleetConfig } from '../../config/model';
import { bucketPolicy, BucketPolicyResult } from './bucket-policy';
import { centralKeyPolicy, KeyPolicyResult } from './key-policies';

export interface FleetPolicies {
  readonly bucket: BucketPolicyResult;
  /** Undefined when there is no central key. */
  readonly centralKey?: KeyPolicyResult;
}

const cache = new WeakMap<FleetConfig, FleetPolicies>();

export function fleetPolicies(config: FleetConfig): FleetPolicies {
  let result = cache.get(config);
  if (!result) {
    const { partition, central, trails } = config;
    result = {
      bucket: bucketPolicy({ partition, bucketName: central.bucketName, trails, organizationId: config.organization?.id }),
      centralKey: central.kmsKey
        ? centralKeyPolicy({
            partition,
            organizationId: config.organization?.id,
            centralAccountId: central.accountId,
            region: central.region,
            bucketName: central.bucketName,
            trails: trails.filter((t) => t.kmsKey.kind === 'central'),
            decryptPrincipals: central.kmsKey.decryptPrincipals,
          })
        : undefined,
    };
    cache.set(config, result);
  }
  return result;
}
