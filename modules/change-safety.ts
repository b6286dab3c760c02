/**
 * The protected set, and what a change may do to it (docs/changing-safely.md).
 *
 * Audit logs are evidence. These resources protect or admit them, and no
 * config change may make Terraform destroy or replace one unless the config
 * says so in so many words:
 * - central stack: the log bucket and the parts that protect or admit its
 *   contents (bucket policy, public access block, ownership controls, default
 *   encryption, versioning, object lock configuration), the central key and
 *   its alias. Lifecycle expiry and access logging are not protected:
 *   removing them keeps more, not less.
 * - account stacks: every created trail key and its alias, and every trail
 *   of an account that stays in the fleet.
 *
 * This file holds:
 * - `centralForgets`: the central stack's `removed` blocks (what a config no
 *   longer manages is forgotten, never destroyed); the account side is in
 *   trail-transitions.ts.
 * - For the deploy gate and the transition tests, pure functions over
 *   synthesized stack JSON and Terraform's JSON plan: `classifyAddress` /
 *   `protectedAddresses` (protected or not, and what losing it costs in
 *   words), `undeclaredLosses` (a plan's deletes and replacements of
 *   protected resources the config did not declare, judged by the one notion
 *   of "declared" in modules/gate-declarations.ts) and `transitionProblems`
 *   (changes only a comparison with the deployed base can see).
 */
import type { CentralConfig, FleetConfig, TrailConfig } from '../config/model';
import { BUCKET_PARTS, type BucketPart } from '../config/adoption';
import { CENTRAL_STACK } from './arns';
import { BUCKET_ADDRESSES } from './log-bucket';
import { CENTRAL_KEY_ADDRESSES } from './central-key';
import { trailBaseName } from './trail-transitions';
import { declaresAliasRename, declaresDestroy, declaresRename, type Declarations } from './gate-declarations';

export type StackJson = Record<string, any>;

// ------------------------------------------------------------ the central stack's removed blocks

/**
 * What the central stack forgets (Terraform `removed` blocks, no-ops when
 * not in the state), by what the config no longer manages:
 * - `central.kmsKey: false`: the central key and alias (they stay in AWS; the
 *   user owns them, and old log files stay readable);
 * - `bucketManagement: policyOnly`: the bucket and every part but the policy
 *   (which keeps its address); `none`: the policy too;
 * - no `objectLock` on a managed bucket: the object lock configuration (the
 *   provider's delete would strip the default retention; the setting stays on
 *   the bucket). Lifecycle and access logging are destroyed when dropped.
 */
export function centralForgets(central: Pick<CentralConfig, 'kmsKey' | 'bucketManagement' | 'objectLock'>): string[] {
  const out: string[] = [];
  if (!central.kmsKey) out.push(CENTRAL_KEY_ADDRESSES.key, CENTRAL_KEY_ADDRESSES.alias);
  if (central.bucketManagement === 'managed') {
    if (!central.objectLock) out.push(BUCKET_ADDRESSES.objectLock);
  } else {
    const parts: (BucketPart | 'bucket')[] = ['bucket', ...BUCKET_PARTS];
    for (const part of parts) if (part !== 'policy' || central.bucketManagement === 'none') out.push(BUCKET_ADDRESSES[part]);
  }
  return out.sort();
}

// ------------------------------------------------------------ the protected set

export type ProtectedKind =
  | 'log-bucket'
  | 'bucket-policy'
  | 'bucket-public-access-block'
  | 'bucket-ownership-controls'
  | 'bucket-encryption'
  | 'bucket-versioning'
  | 'bucket-object-lock'
  | 'central-key'
  | 'central-key-alias'
  | 'trail-key'
  | 'trail-key-alias'
  | 'trail';

export interface ProtectedResource {
  readonly stack: string;
  readonly address: string;
  readonly kind: ProtectedKind;
  /** What it is, in words: `the KMS key of trail my-trail (account 222222222222)`. */
  readonly what: string;
  /** What deleting or replacing it costs, in words: `SSE-KMS log files of 222222222222 become unreadable after 30 days`. */
  readonly cost: string;
}

const BUCKET_KIND: Partial<Record<string, ProtectedKind>> = {
  [BUCKET_ADDRESSES.bucket]: 'log-bucket',
  [BUCKET_ADDRESSES.policy]: 'bucket-policy',
  [BUCKET_ADDRESSES.publicAccessBlock]: 'bucket-public-access-block',
  [BUCKET_ADDRESSES.ownershipControls]: 'bucket-ownership-controls',
  [BUCKET_ADDRESSES.encryption]: 'bucket-encryption',
  [BUCKET_ADDRESSES.versioning]: 'bucket-versioning',
  [BUCKET_ADDRESSES.objectLock]: 'bucket-object-lock',
  [CENTRAL_KEY_ADDRESSES.key]: 'central-key',
  [CENTRAL_KEY_ADDRESSES.alias]: 'central-key-alias',
};

function resourceOf(stack: StackJson | undefined, address: string): Record<string, any> | undefined {
  const [type, name] = address.split('.');
  return stack?.resource?.[type]?.[name];
}

/** The trail name of a trail module address (`trail_<name>` with `.` written `--`, arns.terraformNameForTrail). */
function trailNameOf(name: string): string {
  return name.replace(/^trail_/, '').replace(/--/g, '.');
}

const ACCOUNT_STACK = /^cloudtrail-account-(\d{12})$/;

/**
 * Whether a resource of a stack is protected, and what losing it costs. The
 * stack JSON that manages (or managed) it supplies names and the key's
 * deletion window when given; without it the words fall back to the address.
 */
export function classifyAddress(stackName: string, address: string, stack?: StackJson): ProtectedResource | undefined {
  const own = resourceOf(stack, address);
  if (stackName === CENTRAL_STACK) {
    const kind = BUCKET_KIND[address];
    if (!kind) return undefined;
    const bucketName: string = resourceOf(stack, BUCKET_ADDRESSES.bucket)?.bucket ?? (typeof own?.bucket === 'string' && !own.bucket.includes('${') ? own.bucket : 'the log bucket');
    const b = bucketName === 'the log bucket' ? bucketName : `s3://${bucketName}`;
    const days = resourceOf(stack, CENTRAL_KEY_ADDRESSES.key)?.deletion_window_in_days ?? 30;
    const alias: string = resourceOf(stack, CENTRAL_KEY_ADDRESSES.alias)?.name ?? 'of the central key';
    const words: Record<string, [string, string]> = {
      'log-bucket': [`the log bucket ${b}`, `the log bucket ${b} and the log files of every account in it are deleted (its parts are stripped first)`],
      'bucket-policy': [`the bucket policy of ${b}`, `every trail's deliveries into ${b} are refused (no policy admits CloudTrail)`],
      'bucket-public-access-block': [`the public access block of ${b}`, `the log bucket ${b} can be made public (its four public access blocks are removed)`],
      'bucket-ownership-controls': [`the ownership controls of ${b}`, `log files written by other accounts' trails may belong to them (ACLs are enabled again)`],
      'bucket-encryption': [`the default encryption of ${b}`, `new log files of trails that name no key lose the bucket's default encryption with the central key`],
      'bucket-versioning': [`the versioning of ${b}`, `versioning of ${b} is suspended: an overwritten or deleted log file can no longer be recovered`],
      'bucket-object-lock': [`the object lock configuration of ${b}`, `the default retention of ${b} is removed: new log files are no longer locked against deletion`],
      'central-key': [
        'the central KMS key',
        `SSE-KMS log files encrypted with the central key (trails with kmsKey: central, and the bucket's default encryption) become unreadable after ${days} days`,
      ],
      'central-key-alias': [`the central key's alias ${alias}`, `account stacks look up the central key by the alias ${alias}: their plans fail until it exists again`],
    };
    const [what, cost] = words[kind]!;
    return { stack: stackName, address, kind, what, cost };
  }
  const account = ACCOUNT_STACK.exec(stackName)?.[1];
  if (!account) return undefined;
  const [type, name] = address.split('.');
  if (type === 'aws_cloudtrail' && name?.startsWith('trail_')) {
    const trail: string = own?.name ?? trailNameOf(name);
    return { stack: stackName, address, kind: 'trail', what: `trail ${trail} of account ${account}`, cost: `trail ${trail} stops logging account ${account}: no evidence is recorded from then on` };
  }
  const key = /^(trail_.+)_key$/.exec(name ?? '');
  if (type === 'aws_kms_key' && key) {
    const trail = trailNameOf(key[1]);
    const days = own?.deletion_window_in_days ?? 30;
    return {
      stack: stackName,
      address,
      kind: 'trail-key',
      what: `the KMS key of trail ${trail} (account ${account})`,
      cost: `SSE-KMS log files of ${account} (trail ${trail}) become unreadable after ${days} days`,
    };
  }
  const alias = /^(trail_.+)_key_alias$/.exec(name ?? '');
  if (type === 'aws_kms_alias' && alias) {
    const trail = trailNameOf(alias[1]);
    const aliasName: string = own?.name ?? 'of its key';
    return {
      stack: stackName,
      address,
      kind: 'trail-key-alias',
      what: `the alias ${aliasName} of trail ${trail}'s key (account ${account})`,
      cost: `the alias ${aliasName} is deleted: the key and the log files it encrypted are not affected, but the key can no longer be found by that name`,
    };
  }
  return undefined;
}

/** The protected resources a synthesized stack manages (its `resource` block), with what losing each costs. */
export function protectedAddresses(stackName: string, stack: StackJson): ProtectedResource[] {
  const out: ProtectedResource[] = [];
  for (const [type, byName] of Object.entries<Record<string, unknown>>(stack.resource ?? {})) {
    for (const name of Object.keys(byName)) {
      const p = classifyAddress(stackName, `${type}.${name}`, stack);
      if (p) out.push(p);
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : 1));
}

// ------------------------------------------------------------ losses in a plan

/** One resource change of `terraform show -json <plan>` (the fields read here). */
export interface PlannedChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly change: { readonly actions: readonly string[]; readonly before?: Record<string, any> | null; readonly after?: Record<string, any> | null };
}

export interface Loss extends ProtectedResource {
  /** `delete`, or `replace` (with the order: `create-then-delete` / `delete-then-create`). */
  readonly action: 'delete' | 'replace';
  readonly order?: 'create-then-delete' | 'delete-then-create';
}

/**
 * The deletes and replacements of protected resources in one stack's plan
 * that the config did not declare. `declarations` are what the config says
 * (modules/gate-declarations.ts: from the synthesized stacks, or from the
 * config); `before` is the stack JSON the state was deployed from (trail
 * names, deletion windows for the words). A renamed trail's replacement is
 * declared only when it creates the new trail first.
 */
export function undeclaredLosses(stackName: string, changes: readonly PlannedChange[], declarations: Declarations, before?: StackJson): Loss[] {
  const accountId = ACCOUNT_STACK.exec(stackName)?.[1];
  /** The name of the trail a resource of an account stack belongs to, as deployed. */
  const trailOf = (address: string): string | undefined => {
    const [type, name] = address.split('.');
    const base = name ? trailBaseName(type, name) : undefined;
    if (!base) return undefined;
    return resourceOf(before, `aws_cloudtrail.${base}`)?.name ?? trailNameOf(base);
  };
  const out: Loss[] = [];
  for (const c of changes) {
    const actions = c.change.actions;
    if (!actions.includes('delete')) continue;
    const action = actions.includes('create') ? 'replace' : 'delete';
    const order = action === 'replace' ? (actions[0] === 'create' ? 'create-then-delete' : 'delete-then-create') : undefined;
    const from = c.previous_address ?? c.address;
    const p = classifyAddress(stackName, from, before) ?? classifyAddress(stackName, c.address, before);
    if (!p) continue;
    const [type] = from.split('.');
    const trail = trailOf(from);
    let declared = false;
    if (accountId && trail) {
      if (action === 'delete') declared = declaresDestroy(declarations, accountId, trail, type);
      else if (type === 'aws_cloudtrail') declared = declaresRename(declarations, accountId, trail, c.change.after?.name, order === 'create-then-delete');
    }
    if (action === 'replace' && type === 'aws_kms_alias') declared = declaresAliasRename(c.change.before?.name, c.change.after?.name);
    if (!declared) out.push({ ...p, action, order });
  }
  return out;
}

// ------------------------------------------------------------ changes only a comparison with the base can see

export interface TransitionProblem {
  readonly stack: string;
  readonly address?: string;
  readonly message: string;
}

/**
 * Changes that synth cannot see, because it knows only the current config,
 * and that the change gate (cli/lib/change-plan.ts) does not judge: the
 * bucket taken back into management (`bucketManagement` from `policyOnly` or
 * `none` to `managed`) without `central.adopt`: Terraform would create a
 * bucket that exists, and the apply fails. (A trail whose home region
 * changed is the gate's own finding, `home-region`: unsafe.)
 */
export function transitionProblems(base: ReadonlyMap<string, StackJson>, current: ReadonlyMap<string, StackJson>): TransitionProblem[] {
  const out: TransitionProblem[] = [];
  const [bucketType, bucketName] = BUCKET_ADDRESSES.bucket.split('.');
  const baseCentral = base.get(CENTRAL_STACK);
  const central = current.get(CENTRAL_STACK);
  const bucket = central?.resource?.[bucketType]?.[bucketName];
  if (baseCentral && bucket && !baseCentral.resource?.[bucketType]?.[bucketName]) {
    const imported = [].concat(central!.import ?? []).some((i: any) => i.to === BUCKET_ADDRESSES.bucket);
    if (!imported) {
      out.push({
        stack: CENTRAL_STACK,
        address: BUCKET_ADDRESSES.bucket,
        message:
          `central.bucketManagement is managed, but the deployed central stack did not manage the bucket ${bucket.bucket} (bucketManagement policyOnly or none): ` +
          `Terraform would try to create a bucket that exists and the apply fails (BucketAlreadyOwnedByYou). Add central.adopt: true ` +
          `(or adopt: { except: [...] } listing the parts the bucket does not have yet) so the deploy imports the bucket and its parts (docs/adopting.md)`,
      });
    }
  }
  return out;
}

/** The trails of a config that `deleteKeys` will make unreadable, for warnings. */
export function keyDeletions(config: FleetConfig): TrailConfig[] {
  return config.leaving.filter((t) => t.lifecycle === 'decommission' && t.deleteKeys && t.kmsKey.kind === 'create');
}
