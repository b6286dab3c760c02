/**
 * Trails leaving the fleet on purpose (`lifecycle: decommission | retain`).
 *
 * The account stack stays, without the trail's resources:
 * - decommission: nothing else; Terraform plans to destroy what the state
 *   still holds (trail, created key, topic, queue, log group, role).
 * - retain: a Terraform `removed` block (Terraform >= 1.7) per resource with
 *   `lifecycle { destroy = false }`, so they leave the state and keep running.
 *
 * Either way the stack keeps a provider for every region those resources
 * live in: Terraform needs the provider a state entry names to destroy it.
 *
 * Addresses come from the shared trail module itself, built in a scratch
 * stack, so they are exactly the ones the active stack had.
 */
import { App, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Partition } from '../config/rules';
import type { TrailConfig } from '../config/model';
import { FleetTrail, trailConstructId } from './fleet-trail';

export interface TrailAddress {
  /** `<resource type>.<name>`, e.g. `aws_cloudtrail.trail_my-trail`. */
  readonly address: string;
  /** Region of the resource's provider; undefined = the trail's home region (the stack's default provider). */
  readonly region?: string;
}

export interface LeavingTrailProps {
  readonly partition: Partition;
  readonly bucketName: string;
  readonly bucketRegion: string;
  readonly organizationId?: string;
}

/** The Terraform address of every resource the shared trail module creates for a trail. */
export function trailAddresses(trail: TrailConfig, props: LeavingTrailProps): TrailAddress[] {
  const stack = new TerraformStack(new App({ skipValidation: true }), 'scratch');
  const regionOf = new Map<TerraformProvider, string>();
  const providerFor = (region: string) => {
    if (region === trail.region) return undefined;
    const provider = new AwsProvider(stack, `aws-${region}`, { region, alias: region });
    regionOf.set(provider, region);
    return provider;
  };
  const built = new FleetTrail(stack, trailConstructId(trail.trailName), {
    ...props,
    trail,
    // Only addresses are read: any key ARN will do for an existing key.
    kmsKeyArn: `arn:${props.partition}:kms:${props.bucketRegion}:${trail.accountId}:key/00000000-0000-0000-0000-000000000000`,
    keyReaders: [],
    providerFor,
  });
  return built.node
    .findAll()
    .filter((c): c is TerraformResource => c instanceof TerraformResource)
    .map((r) => ({ address: `${r.terraformResourceType}.${r.friendlyUniqueId}`, region: r.provider ? regionOf.get(r.provider) : undefined }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** A `removed` block in Terraform JSON syntax: forget the resource, keep it running. */
export interface RemovedBlock {
  readonly from: string;
  readonly lifecycle: { readonly destroy: false };
}

/**
 * Wires the leaving trails of one account stack: providers for the regions
 * their resources live in, and `removed` blocks for the retained ones.
 */
export function leaveFleet(
  stack: TerraformStack,
  trails: readonly TrailConfig[],
  props: LeavingTrailProps,
  providerFor: (region: string) => unknown,
): RemovedBlock[] {
  const removed: RemovedBlock[] = [];
  for (const t of trails) {
    const addresses = trailAddresses(t, props);
    for (const a of addresses) if (a.region) providerFor(a.region);
    if (t.lifecycle === 'retain') removed.push(...addresses.map((a) => ({ from: a.address, lifecycle: { destroy: false as const } })));
  }
  if (removed.length > 0) stack.addOverride('removed', removed);
  return removed;
}
