/**
 * The central KMS key that encrypts log files of every trail with
 * `kmsKey: central`. Rotation on, `prevent_destroy`, fixed logical ids (see
 * LogBucket for why). Its policy is computed from the config.
 */
import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { PolicyDocument, renderPolicy } from './policies/document';
import { pinAddress } from './addresses';
import { importExisting } from './adoption';

export interface CentralKeyProps {
  /** Alias, e.g. alias/cloudtrail-logs; account stacks look the key up by it. */
  readonly alias: string;
  readonly policy: PolicyDocument;
  /** @default false */
  readonly multiRegion?: boolean;
  /** @default 30 */
  readonly deletionWindowInDays?: number;
  /**
   * The key exists: its key id (the import ID of aws_kms_key); the key and
   * `alias` are imported instead of created. @default a new key
   */
  readonly existingKeyId?: string;
  /** Tags beyond the provider's default_tags (the guard's tag, docs/guard.md). @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

export class CentralKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: CentralKeyProps) {
    super(scope, id);
    this.key = pinAddress(
      new KmsKey(this, 'key', {
        description: 'cloudtrail-fleet: encrypts CloudTrail log files in the central bucket',
        enableKeyRotation: true,
        multiRegion: props.multiRegion ?? false,
        deletionWindowInDays: props.deletionWindowInDays ?? 30,
        policy: renderPolicy(props.policy),
        tags: props.tags ? { ...props.tags } : undefined,
        lifecycle: { preventDestroy: true },
      }),
      'central_key',
    );
    this.alias = pinAddress(new KmsAlias(this, 'alias', { name: props.alias, targetKeyId: this.key.keyId }), 'central_key_alias');
    if (props.existingKeyId) {
      importExisting(this.key, props.existingKeyId);
      importExisting(this.alias, props.alias);
    }
  }
}
