/**
 * Which fleet a config describes: the partition, the central account and
 * the log bucket. Two configs with the same identity describe the same
 * resources (the same bucket policy, the same trails' destination); two
 * with different identities are different fleets, and must never share
 * state or be mistaken for each other (issue 15, "Fleets never share state").
 *
 * The identity names the local state folder (modules/backend.ts) and the
 * marker every synth writes beside its stacks (stacks/fleet-marker.ts).
 */
import type { FleetConfig } from '../config/model';

export interface FleetIdentity {
  readonly partition: string;
  readonly centralAccountId: string;
  readonly bucketName: string;
}

export function fleetIdentity(config: Pick<FleetConfig, 'partition' | 'central'>): FleetIdentity {
  return { partition: config.partition, centralAccountId: config.central.accountId, bucketName: config.central.bucketName };
}

/**
 * The identity as one readable name, usable as a folder name:
 * `aws-111111111111-my-bucket`. Injective: a partition is `aws` or
 * `aws-<letters>` (no digits), an account id is 12 digits, and bucket names
 * use lower-case letters, digits, `.` and `-` only.
 */
export function fleetId(identity: FleetIdentity): string {
  return `${identity.partition}-${identity.centralAccountId}-${identity.bucketName}`;
}

export function sameFleet(a: FleetIdentity, b: FleetIdentity): boolean {
  return a.partition === b.partition && a.centralAccountId === b.centralAccountId && a.bucketName === b.bucketName;
}

/** For messages: `aws-111111111111-my-bucket (central account 111111111111, bucket my-bucket)`. */
export function describeFleet(identity: FleetIdentity): string {
  return `${fleetId(identity)} (central account ${identity.centralAccountId}, bucket ${identity.bucketName}${identity.partition === 'aws' ? '' : `, partition ${identity.partition}`})`;
}
