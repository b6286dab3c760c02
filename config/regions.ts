/**
 * The AWS regions a config may name, per partition. The list is the AWS SDK's
 * partition metadata (written to regions.json by `npm run regions`), less the
 * regions the pinned provider (hashicorp/aws 5.100.0) does not know yet: its
 * region check would fail every plan there ("Invalid AWS Region").
 */
import regionsJson from './regions.json';

export const SUPPORTED_PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;
export type Partition = (typeof SUPPORTED_PARTITIONS)[number];

/**
 * Regions in the SDK metadata that hashicorp/aws 5.100.0 does not accept.
 * __tests__/config/regions.test.ts checks the provider binary of the offline
 * mirror for every accepted region.
 */
export const NOT_IN_PINNED_PROVIDER: readonly string[] = ['ap-southeast-6', 'me-west-1', 'sa-west-1'];

export const REGIONS: Readonly<Record<Partition, readonly string[]>> = regionsJson;

export const ALL_REGIONS: readonly string[] = SUPPORTED_PARTITIONS.flatMap((p) => REGIONS[p]);

/** Partitions the SDK knows but this project does not serve (ISO, European Sovereign Cloud). */
export const OTHER_PARTITION_PREFIXES: readonly [RegExp, string][] = [
  [/^[a-z]{2}-iso[a-z]?-/, 'an ISO partition'],
  [/^eusc-/, 'the AWS European Sovereign Cloud partition (aws-eusc)'],
];

export function partitionOf(region: string): Partition | undefined {
  return SUPPORTED_PARTITIONS.find((p) => REGIONS[p].includes(region));
}
