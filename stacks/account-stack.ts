import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { FleetStack } from './fleet-stack';
import type { FleetConfig, TrailConfig } from '../config/model';
import { kmsAliasArn, stackNameForAccount } from '../modules/arns';
import { AccountProviders } from '../modules/account-providers';
import { applyBackend } from '../modules/backend';
import { FleetTrail, trailConstructId } from '../modules/fleet-trail';
import { KeyLookups } from '../modules/key-lookup';
import { wireTrailTransitions } from '../modules/trail-transitions';
import { trailKeyReaders } from '../modules/policies/fleet-policies';
import { trailOutput } from '../modules/trail-output';

/** `cloudtrail-account-<id>`: the trails of one account, applied with that account's credentials. */
export class AccountStack extends FleetStack {
  /** `leaving`: trails with `lifecycle: decommission | retain` (modules/trail-transitions.ts). */
  constructor(scope: Construct, config: FleetConfig, accountId: string, trails: readonly TrailConfig[], leaving: readonly TrailConfig[] = []) {
    const stackName = stackNameForAccount(accountId);
    super(scope, stackName);
    const { partition, central } = config;
    applyBackend(this, stackName, config.backend);

    // Tags every trail of the account shares become default_tags; the rest go on the trail's resources.
    const all = [...trails, ...leaving];
    const shared = sharedTags(trails.map((t) => t.tags));
    const providers = new AccountProviders(this, 'providers', {
      accountId,
      region: [...all.map((t) => t.region)].sort()[0],
      assumeRoleArn: all[0].assumeRoleArn,
      tags: shared,
    });
    const providerFor = (region: string) => providers.forRegion(region);
    const keys = new KeyLookups(this, 'key-lookups', providerFor);
    const centralKeyAliasArn = central.kmsKey && kmsAliasArn(partition, central.region, central.accountId, central.kmsKey.alias);

    const built = trails.map(
      (t) =>
        new FleetTrail(this, trailConstructId(t.trailName), {
          partition,
          trail: t,
          bucketName: central.bucketName,
          bucketRegion: central.region,
          kmsKeyArn: t.kmsKey.kind === 'central' ? keys.keyArn(centralKeyAliasArn!) : t.kmsKey.kind === 'arn' ? keys.keyArn(t.kmsKey.arn) : undefined,
          keyReaders: trailKeyReaders(config),
          organizationId: config.organization?.id,
          providerFor,
          tags: Object.fromEntries(Object.entries(t.tags).filter(([k]) => !Object.hasOwn(shared, k))),
        }),
    );

    // What Terraform forgets or moves instead of destroying (keys, renamed and leaving trails): modules/trail-transitions.ts.
    wireTrailTransitions(
      this,
      trails,
      leaving,
      { partition, bucketName: central.bucketName, bucketRegion: central.region, organizationId: config.organization?.id },
      providers,
    );

    // Output names are fixed by the spec; with several trails, each output is a map keyed by trail name.
    if (built.length === 1) {
      new TerraformOutput(this, 'trail_arn', { value: built[0].trail.arn });
      new TerraformOutput(this, 'trail', { value: trailOutput(built[0]) });
    } else if (built.length > 1) {
      new TerraformOutput(this, 'trail_arn', { value: Object.fromEntries(built.map((b) => [b.config.trailName, b.trail.arn])) });
      new TerraformOutput(this, 'trail', { value: Object.fromEntries(built.map((b) => [b.config.trailName, trailOutput(b)])) });
    }
  }
}

function sharedTags(all: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = all;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((tags) => Object.hasOwn(tags, k) && tags[k] === v)));
}
