/**
 * AWS providers of one account stack. The default provider is in the trail's
 * home region; resources that must live elsewhere (a key in the bucket's
 * region, a lookup of the central key) get an aliased provider for their
 * region, created on first use. Every provider carries the same
 * `allowed_account_ids`, so no plan can touch another account.
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';

export interface AccountProviderProps {
  readonly accountId: string;
  /** Region of the default provider. */
  readonly region: string;
  /** Role Terraform assumes in the account. @default the caller's credentials */
  readonly assumeRoleArn?: string;
  /** Provider default_tags. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

export function awsProvider(scope: Construct, id: string, props: AccountProviderProps & { alias?: string }): AwsProvider {
  const tags = props.tags ?? {};
  return new AwsProvider(scope, id, {
    region: props.region,
    alias: props.alias,
    allowedAccountIds: [props.accountId],
    assumeRole: props.assumeRoleArn ? [{ roleArn: props.assumeRoleArn, sessionName: 'cloudtrail-fleet' }] : undefined,
    defaultTags: Object.keys(tags).length > 0 ? [{ tags: { ...tags } }] : undefined,
  });
}

export class AccountProviders extends Construct {
  readonly default: AwsProvider;
  private readonly props: AccountProviderProps;
  private readonly aliased = new Map<string, AwsProvider>();

  constructor(scope: Construct, id: string, props: AccountProviderProps) {
    super(scope, id);
    this.props = props;
    this.default = awsProvider(scope, 'aws', props);
  }

  /** The provider for a region: undefined means the default provider. */
  forRegion(region: string): AwsProvider | undefined {
    if (region === this.props.region) return undefined;
    return this.alias(region);
  }

  /**
   * The aliased provider `aws.<region>`, even for the default provider's region. Forgetting or destroying a
   * resource needs the provider configuration its state entry names, and an earlier deploy may have named
   * `aws.<region>` for a region that is the default one now (the default follows the account's trails).
   */
  alias(region: string): AwsProvider {
    let provider = this.aliased.get(region);
    if (!provider) {
      provider = awsProvider(this.node.scope!, `aws-${region}`, { ...this.props, region, alias: region });
      this.aliased.set(region, provider);
    }
    return provider;
  }
}
