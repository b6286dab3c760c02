/**
 * What an account stack hands Terraform so that no config change destroys a
 * trail's key, or a trail, that the change did not ask to destroy
 * (docs/changing-safely.md). Synth sees only the current config, never the
 * deployed one, so each rule covers every address the trail module could
 * have created for a trail name; Terraform's `removed` and `moved` blocks are
 * no-ops for addresses the state does not hold.
 *
 * Active trails:
 * - a trail whose `kmsKey` is not `{ create }` forgets the created-key
 *   addresses of its name: changing a trail from `{ create }` to anything
 *   else keeps the key (its log files stay readable) instead of scheduling
 *   its deletion.
 * - `renamedFrom: <old>`: every address of the old trail moves to the new
 *   one that the new trail declares, so the key moves (never deleted) and the
 *   trail is replaced, created before the old one is deleted
 *   (`create_before_destroy`, modules/fleet-trail.ts); an old created key the
 *   new trail no longer has is forgotten.
 *
 * Trails leaving the fleet (`lifecycle`); the account stack stays:
 * - decommission: Terraform destroys what the state still holds of the
 *   trail (trail, topic, queue, log group, role), but forgets its created key
 *   and alias, unless the entry says `deleteKeys: true`.
 * - retain: every address the module can create for the trail name is
 *   forgotten, whatever the current entry says about the trail, so exactly
 *   what the base deployed is released.
 *
 * Forgetting and destroying need the provider configuration the state names,
 * so the stack keeps `aws.<region>` for each region those resources live in.
 *
 * Addresses come from the shared trail module itself, built in a scratch
 * stack, so they are exactly the ones an active trail has.
 */
import { App, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Partition } from '../config/rules';
import type { TrailConfig } from '../config/model';
import { FleetTrail, trailConstructId } from './fleet-trail';
import { forget, move, MovedBlock } from './terraform-blocks';
import { terraformNameForTrail } from './arns';

export interface TrailAddress {
  /** `<resource type>.<name>`, e.g. `aws_cloudtrail.trail_my-trail`. */
  readonly address: string;
  /** The construct id within the trail module (`trail`, `key`, `key-alias`, `topic`, ...): the same for every trail name. */
  readonly part: string;
  /** Region the resource lives in; undefined for a global resource (IAM), served by the stack's default provider. */
  readonly region?: string;
}

export interface TrailModuleProps {
  readonly partition: Partition;
  readonly bucketName: string;
  readonly bucketRegion: string;
  readonly organizationId?: string;
}

/** The construct ids of a trail's created key and its alias. */
export const KEY_PARTS: readonly string[] = ['key', 'key-alias'];

/** The Terraform address of every resource the shared trail module creates for this trail's settings. */
export function trailAddresses(trail: TrailConfig, props: TrailModuleProps): TrailAddress[] {
  const stack = new TerraformStack(new App({ skipValidation: true }), 'scratch');
  const regionOf = new Map<TerraformProvider, string>();
  const providers = new Map<string, AwsProvider>();
  const providerFor = (region: string) => {
    let provider = providers.get(region);
    if (!provider) {
      provider = new AwsProvider(stack, `aws-${region}`, { region, alias: region });
      providers.set(region, provider);
      regionOf.set(provider, region);
    }
    return provider;
  };
  const built = new FleetTrail(stack, trailConstructId(trail.trailName), {
    ...props,
    trail: { ...trail, adopt: false, adoptExcept: [] },
    // Only addresses are read: any key ARN will do for an existing key.
    kmsKeyArn: `arn:${props.partition}:kms:${props.bucketRegion}:${trail.accountId}:key/00000000-0000-0000-0000-000000000000`,
    keyReaders: [],
    providerFor,
  });
  return built.node
    .findAll()
    .filter((c): c is TerraformResource => c instanceof TerraformResource)
    .map((r) => ({ address: `${r.terraformResourceType}.${r.friendlyUniqueId}`, part: r.node.id, region: r.provider ? regionOf.get(r.provider) : undefined }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** Region markers of the template below: a part lives in the trail's home region or the bucket's. */
const HOME = 'template-home-region';
const BUCKET = 'template-bucket-region';
/** `trail_<name>` of the template trail; every address of a trail is its own base name plus the template's suffix. */
const TEMPLATE_NAME = 'every-address';

let template: readonly { type: string; suffix: string; part: string; region?: string }[] | undefined;

/**
 * Every address the trail module can ever create for this trail's name, in
 * any of its settings: key and alias, topic and its policy, queue, its policy
 * and subscription, log group, delivery role and its policy, and the trail.
 * The module is built once, with every option on, for a template name; each
 * trail's addresses are its base name plus the same suffixes.
 */
export function everyTrailAddress(trail: Pick<TrailConfig, 'trailName' | 'region'>, props: Pick<TrailModuleProps, 'bucketRegion'>): TrailAddress[] {
  const base = terraformNameForTrail(trail.trailName);
  return templateAddresses().map((a) => ({
    address: `${a.type}.${base}${a.suffix}`,
    part: a.part,
    region: a.region === HOME ? trail.region : a.region === BUCKET ? props.bucketRegion : undefined,
  }));
}

/** The trail module built once with every option on, for a template name: each part's type and address suffix. */
function templateAddresses(): readonly { type: string; suffix: string; part: string; region?: string }[] {
  if (!template) {
    const base = terraformNameForTrail(TEMPLATE_NAME);
    template = trailAddresses(
      {
        ...TEMPLATE_TRAIL,
        trailName: TEMPLATE_NAME,
        region: HOME,
        kmsKey: { kind: 'create', alias: 'alias/every-address', multiRegion: false },
        sns: { kind: 'create', topicName: 'every-address', sqsQueueName: 'every-address' },
        cloudWatchLogs: { logGroup: { kind: 'create', name: 'every-address', retentionInDays: 365 } },
      },
      { partition: 'aws', bucketName: 'every-address', bucketRegion: BUCKET },
    ).map((a) => {
      const [type, name] = a.address.split('.');
      if (!name.startsWith(base)) throw new Error(`internal error: trail module address ${a.address} does not start with ${base}`);
      return { type, suffix: name.slice(base.length), part: a.part, region: a.region };
    });
  }
  return template;
}

/**
 * The Terraform base name (`trail_<name>`, arns.terraformNameForTrail) of the
 * trail a resource of an account stack belongs to, read from its address with
 * the trail module's own suffixes (`aws_kms_key.trail_<name>_key`, ...);
 * undefined for a resource no trail module makes (e.g. the guard's rules).
 */
export function trailBaseName(type: string, name: string): string | undefined {
  let found: string | undefined;
  for (const a of templateAddresses()) {
    if (a.type !== type || !name.endsWith(a.suffix)) continue;
    const base = name.slice(0, name.length - a.suffix.length);
    if (base.startsWith('trail_') && base.length > 'trail_'.length && (found === undefined || base.length < found.length)) found = base;
  }
  return found;
}

/** A resolved trail with every option off, for the template (only its name, region and options matter). */
const TEMPLATE_TRAIL: TrailConfig = {
  index: 0,
  accountId: '000000000000',
  region: HOME,
  trailName: TEMPLATE_NAME,
  multiRegion: true,
  includeGlobalServiceEvents: true,
  organizationTrail: false,
  logFileValidation: true,
  enableLogging: true,
  kmsKey: { kind: 'none' },
  tags: {},
  managementEvents: { readWrite: 'All', excludeKmsEvents: false, excludeRdsDataApiEvents: false },
  dataEvents: { s3: { buckets: [] }, lambda: { functions: [] }, dynamodb: { tables: [] }, advanced: [] },
  networkActivityEvents: [],
  insights: { apiCallRate: false, apiErrorRate: false },
  adopt: false,
  adoptExcept: [],
  inherited: new Set(),
  lifecycle: 'active',
  deleteKeys: false,
};

/** The created-key addresses (key and alias) of a trail name. */
export function keyAddresses(trail: Pick<TrailConfig, 'trailName' | 'region'>, props: Pick<TrailModuleProps, 'bucketRegion'>): TrailAddress[] {
  return everyTrailAddress(trail, props).filter((a) => KEY_PARTS.includes(a.part));
}

/** The providers a stack keeps for what it forgets or destroys. */
export interface StackProviders {
  /** The provider for a region (created on first use): undefined means the default provider. */
  forRegion(region: string): unknown;
  /** The aliased provider `aws.<region>` (created on first use, even for the default provider's region). */
  alias(region: string): unknown;
}

/**
 * Moves from every address the old trail name could have to the new trail's
 * addresses of the same part; old key addresses the new trail does not
 * declare are returned to be forgotten.
 */
function renameBlocks(t: TrailConfig, props: TrailModuleProps): { moves: MovedBlock[]; forgotten: TrailAddress[] } {
  const now = new Map(trailAddresses(t, props).map((a) => [a.part, a.address]));
  const old = everyTrailAddress({ ...t, trailName: t.renamedFrom! }, props);
  const moves: MovedBlock[] = [];
  const forgotten: TrailAddress[] = [];
  for (const a of old) {
    const to = now.get(a.part);
    if (to) moves.push({ from: a.address, to });
    else if (KEY_PARTS.includes(a.part)) forgotten.push(a);
  }
  return { moves, forgotten };
}

/**
 * Wires the change rules of one account stack (see the file comment):
 * forgets and moves for its active trails, forgets for its leaving ones, and
 * the providers those need.
 */
export function wireTrailTransitions(
  stack: TerraformStack,
  active: readonly TrailConfig[],
  leaving: readonly TrailConfig[],
  props: TrailModuleProps,
  providers: StackProviders,
): void {
  const forgotten: TrailAddress[] = [];
  for (const t of active) {
    if (t.kmsKey.kind !== 'create') {
      const keys = keyAddresses(t, props);
      forgotten.push(...keys);
      // A key made by the trail as it is configured now lived in the bucket region, under the provider that region has
      // now (an alias unless it is the default region). Only a deploy that also changes the stack's default region (a
      // trail added or removed in a region that sorts first) can find the key under another provider; Terraform then
      // stops with "Provider configuration not present" and nothing is lost: deploy the two changes one at a time.
      // (An alias in every stack for that case cost a fifth of the synth time at 1,000 accounts.)
      for (const a of keys) if (a.region) providers.forRegion(a.region);
    }
    if (t.renamedFrom !== undefined) {
      const rename = renameBlocks(t, props);
      move(stack, rename.moves);
      forgotten.push(...rename.forgotten);
      // What the old trail had and the new one does not is destroyed or forgotten with the provider its state names.
      for (const region of new Set([t.region, props.bucketRegion])) providers.alias(region);
    }
  }
  for (const t of leaving) {
    // Few stacks: every provider the trail's resources may have been made with (an alias even for the default region).
    const every = everyTrailAddress(t, props);
    if (t.lifecycle === 'retain') forgotten.push(...every);
    else if (!t.deleteKeys) forgotten.push(...every.filter((a) => KEY_PARTS.includes(a.part)));
    for (const a of every) if (a.region) providers.alias(a.region);
  }
  forget(
    stack,
    forgotten.map((a) => a.address),
  );
}
