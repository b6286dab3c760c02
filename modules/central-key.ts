/**
 * The central KMS key that encrypts log files of every trail with
 * `kmsKey: central`. Rotation on, `prevent_destroy` (refuses a replacement,
 * e.g. a changed multiRegion), fixed logical ids (see LogBucket for why).
 * With `central.kmsKey: false` the central stack forgets it instead of
 * destroying it (modules/change-safety.ts). Its policy is computed from the config.
 */
import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { PolicyDocument, renderPolicy } from './policies/document';
import { pinAddress } from './addresses';
import { importExisting } from './adoption';

/** Fixed addresses of the central key and its alias (forgotten by them when `central.kmsKey: false`). */
export const CENTRAL_KEY_ADDRESSES = { key: 'aws_kms_key.central_key', alias: 'aws_kms_alias.central_key_alias' } as const;

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
        lifecycle: { preventDestroy: true },
      }),
      CENTRAL_KEY_ADDRESSES.key.split('.')[1],
    );
    this.alias = pinAddress(new KmsAlias(this, 'alias', { name: props.alias, targetKeyId: this.key.keyId }), CENTRAL_KEY_ADDRESSES.alias.split('.')[1]);
    if (props.existingKeyId) {
      importExisting(this.key, props.existingKeyId);
      importExisting(this.alias, props.alias);
    }
  }
}
