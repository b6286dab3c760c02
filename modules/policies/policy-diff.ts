/**
 * What applying a computed policy does to the policy a resource has today
 * (`npm run check-config -- --current-policy policy.json`): each current
 * statement is replaced (the computed policy covers it), kept (it is in the
 * config's extraStatements) or dropped (nothing in the config keeps it).
 * Nothing is dropped silently: the user sees every Sid before the apply.
 */
import type { PolicyDocument, Statement } from './document';
import { CLOUDTRAIL_PRINCIPAL } from '../arns';

export type StatementFate = 'replaced' | 'kept' | 'dropped';

export interface StatementChange {
  /** The statement's Sid, or `#<position>` (1-based) when it has none. */
  readonly sid: string;
  readonly fate: StatementFate;
  readonly why: string;
}

export interface PolicyDiff {
  readonly current: readonly StatementChange[];
  /** Sids of computed statements that the current policy does not have. */
  readonly added: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * Reads a current policy as the AWS CLI prints it: the document itself, or
 * `aws s3api get-bucket-policy` / `aws kms get-key-policy` output
 * (`{"Policy": "<document as a string>"}`). Throws with what was expected.
 */
export function parseCurrentPolicy(text: string, source: string): Statement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
    if (doc && typeof doc === 'object' && typeof (doc as Json).Policy === 'string') doc = JSON.parse((doc as Json).Policy as string);
  } catch (e) {
    throw new Error(
      `${source}: not JSON (${
        (e as Error).message
      }); save the policy with: aws s3api get-bucket-policy --bucket <name> --query Policy --output text > ${source}`,
    );
  }
  const statements = doc && typeof doc === 'object' ? (doc as Json).Statement : undefined;
  const list = Array.isArray(statements) ? statements : statements && typeof statements === 'object' ? [statements] : undefined;
  if (!list || list.some((s) => !s || typeof s !== 'object' || Array.isArray(s))) {
    throw new Error(
      `${source}: no policy document (an object with a Statement list); save it with: aws s3api get-bucket-policy --bucket <name> --query Policy --output text > ${source}`,
    );
  }
  return list as Statement[];
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function grantsCloudTrail(s: Statement): boolean {
  const p = s.Principal;
  return typeof p === 'object' && asList(p.Service).includes(CLOUDTRAIL_PRINCIPAL);
}

function isTlsDeny(s: Statement): boolean {
  return (
    s.Effect === 'Deny' &&
    JSON.stringify(s.Condition ?? {})
      .toLowerCase()
      .includes('aws:securetransport')
  );
}

/** What the computed policies let CloudTrail deliver for: the configured trails and their accounts. */
export interface AdmittedTrails {
  readonly trailArns: ReadonlySet<string>;
  readonly accounts: ReadonlySet<string>;
}

const ARN_ACCOUNT = /^arn:[^:]*:cloudtrail:[^:]*:(\d{12}):/;

/**
 * The trails and accounts a current CloudTrail statement admits that the
 * computed policy does not: its `aws:SourceArn` values and a key policy's
 * CloudTrail encryption context (a wildcard value is judged by its
 * account), its `aws:SourceAccount` values and the `AWSLogs/<account>/`
 * folders of its resources. Replacing such a statement stops those trails'
 * delivery, so it is not "covered".
 */
export function notAdmitted(s: Statement, admitted: AdmittedTrails): string[] {
  const lost = new Set<string>();
  for (const block of Object.values(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(block as Json)) {
      const k = key.toLowerCase();
      for (const v of asList(value).map(String)) {
        if ((k === 'aws:sourcearn' || k === 'kms:encryptioncontext:aws:cloudtrail:arn') && !admitted.trailArns.has(v)) {
          const account = ARN_ACCOUNT.exec(v)?.[1];
          if (!/[*?]/.test(v) || !account || !admitted.accounts.has(account)) lost.add(`trail ${v}`);
        }
        if (k === 'aws:sourceaccount' && !admitted.accounts.has(v)) lost.add(`account ${v}`);
      }
    }
  }
  for (const r of asList(s.Resource).map(String)) {
    for (const m of r.matchAll(/AWSLogs\/(\d{12})\//g)) if (!admitted.accounts.has(m[1])) lost.add(`account ${m[1]} (${r})`);
  }
  return [...lost];
}

/**
 * Which current statements a computed policy takes over: CloudTrail
 * statements for configured trails only, and what `alsoCovered` says (a
 * TLS-only deny; a key's administrators). A CloudTrail statement for a
 * trail the config does not list is dropped, naming what stops delivering.
 */
export function cloudTrailCovers(
  admitted: AdmittedTrails,
  extrasPath: string,
  alsoCovered: (s: Statement) => boolean = isTlsDeny,
): (s: Statement) => boolean | string {
  return (s) => {
    if (alsoCovered(s)) return true;
    if (!grantsCloudTrail(s)) return false;
    const lost = notAdmitted(s, admitted);
    return lost.length === 0
      ? true
      : `DROPPED: it admits ${lost.join(', ')}, which no configured trail covers, so that trail stops delivering; add the account and trail to accounts (adopt: true for an existing trail), or copy the statement into ${extrasPath}`;
  };
}

/** Key order does not matter for "the same statement". */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Compares the current statements with a computed policy whose last
 * `extras.length` statements are the config's extraStatements.
 * `extrasPath` names them in messages (`central.bucketPolicy.extraStatements`);
 * `covers` says which other current statements the computed ones take over
 * (a string: not covered, and why it is dropped).
 */
export function policyDiff(
  current: readonly Statement[],
  computed: PolicyDocument,
  extras: readonly Statement[],
  extrasPath: string,
  covers: (s: Statement) => boolean | string = (s) => grantsCloudTrail(s) || isTlsDeny(s),
): PolicyDiff {
  const own = computed.Statement.slice(0, computed.Statement.length - extras.length);
  const ownSids = own.map((s) => s.Sid).filter((sid): sid is string => !!sid);
  const extraBySid = new Map(extras.map((s) => [s.Sid!, s]));
  const changes = current.map((s, i): StatementChange => {
    const sid = s.Sid || `#${i + 1}`;
    const extra = s.Sid ? extraBySid.get(s.Sid) : undefined;
    if (extra) {
      const same = canonical(extra) === canonical(s);
      return { sid, fate: 'kept', why: same ? `kept verbatim (${extrasPath})` : `kept as written in ${extrasPath}, which differs from the current statement` };
    }
    if (s.Sid && ownSids.includes(s.Sid)) return { sid, fate: 'replaced', why: 'replaced by the computed statement of the same Sid' };
    const covered = covers(s);
    if (typeof covered === 'string') return { sid, fate: 'dropped', why: covered };
    if (covered) {
      return { sid, fate: 'replaced', why: `replaced by the computed statements (${ownSids.join(', ')}), which grant CloudTrail only the configured trails` };
    }
    return { sid, fate: 'dropped', why: `DROPPED: nothing in the config keeps it; to keep it, copy it into ${extrasPath}` };
  });
  const currentSids = new Set(current.map((s) => s.Sid).filter(Boolean));
  return { current: changes, added: ownSids.filter((sid) => !currentSids.has(sid)) };
}

/** Text for check-config. */
export function formatPolicyDiff(title: string, diff: PolicyDiff): string {
  const width = Math.max(0, ...diff.current.map((c) => c.sid.length));
  const lines = [`${title}: ${diff.current.length} statement(s) today`];
  for (const c of diff.current) lines.push(`  ${c.fate.padEnd(8)}  ${c.sid.padEnd(width)}  ${c.why}`);
  if (diff.added.length) lines.push(`  added     ${diff.added.join(', ')}`);
  const dropped = diff.current.filter((c) => c.fate === 'dropped').length;
  lines.push(dropped ? `  ${dropped} statement(s) would be dropped by the apply` : '  nothing would be dropped');
  return `${lines.join('\n')}\n`;
}
