/**
 * `kms_key_id` of a trail must be a key ARN: CloudTrail stores the key ARN
 * whatever it is given and the provider does not suppress the difference, so
 * an alias ARN would show a change in every plan. Keys known only by alias
 * (the central key, whose id exists only after the central stack is applied,
 * or a user's alias ARN) are looked up with `data "aws_kms_key"`, once per
 * alias per stack.
 */
import { Construct } from 'constructs';
import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { isAliasArn, parseArn } from '../config/rules';
import { stableHash } from './arns';

export class KeyLookups extends Construct {
  private readonly lookups = new Map<string, DataAwsKmsKey>();

  constructor(
    scope: Construct,
    id: string,
    private readonly providerFor: (region: string) => AwsProvider | undefined,
  ) {
    super(scope, id);
  }

  /** The key ARN for a key ARN (as is) or an alias ARN (looked up). */
  keyArn(keyOrAliasArn: string): string {
    if (!isAliasArn(keyOrAliasArn)) return keyOrAliasArn;
    let lookup = this.lookups.get(keyOrAliasArn);
    if (!lookup) {
      const arn = parseArn(keyOrAliasArn)!;
      let name = `key_${arn.account}_${arn.resource.replace(/^alias\//, '').replace(/[^A-Za-z0-9_-]/g, '_')}`;
      // alias/a/b and alias/a_b give the same name: keep the names unique with a stable hash of the ARN.
      if ([...this.lookups.values()].some((l) => l.node.id === name)) name = `${name}_${stableHash(keyOrAliasArn)}`;
      // A KMS call goes to the key's region, whatever the stack's region is.
      lookup = new DataAwsKmsKey(this.node.scope!, name, { keyId: keyOrAliasArn, provider: this.providerFor(arn.region) });
      lookup.overrideLogicalId(name);
      this.lookups.set(keyOrAliasArn, lookup);
    }
    return lookup.arn;
  }
}
