/**
 * A small evaluator of resource-based IAM policies (bucket and key policies),
 * for tests that check what a policy *does*, not only how it looks.
 *
 * Semantics (the subset of AWS's evaluation logic our policies use):
 * - An explicit Deny wins; otherwise any Allow allows; otherwise the request
 *   is implicitly denied.
 * - A statement applies when its Principal, Action, Resource and every
 *   condition match the request.
 * - Principal: `"*"` (everyone), `{ Service }` (exact service name) and
 *   `{ AWS }` (`"*"`, an exact ARN, or an account: a 12-digit id or its
 *   `arn:<partition>:iam::<id>:root`, which stands for every principal of that
 *   account); string or list.
 * - Action: case-insensitive, with `*` and `?` wildcards; string or list.
 * - Resource: case-sensitive, with `*` and `?` wildcards and policy variables
 *   (`${aws:SourceAccount}`) filled from the request context; a variable that
 *   is not in the context makes that resource entry match nothing. No
 *   Resource (trust policies) matches every resource.
 * - Conditions: every operator of a block, and every key of an operator, must
 *   hold (AND); a key with several values holds when any value matches (OR).
 *   Operators: StringEquals, StringNotEquals, StringLike, StringNotLike,
 *   ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, Null. Values may
 *   hold policy variables (a missing variable makes that value match
 *   nothing). A non-negated operator on a key the request lacks is false; a
 *   negated one (StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike)
 *   is true. Condition keys are case-insensitive, values case-sensitive
 *   (Bool: case-insensitive). Any other operator throws, so a policy using
 *   something this evaluator does not model fails loudly.
 * - Multivalued keys (a list in the context, e.g. `kms:ResourceAliases`) take
 *   the set operators `ForAnyValue:` (true when at least one value of the
 *   request satisfies the operator; false when the key is absent) and
 *   `ForAllValues:` (true when every value does; true when the key is absent
 *   or empty). A single-valued operator on a list throws.
 *
 * Service control policies (AWS Organizations) are evaluated by
 * `evaluateServiceControlPolicies`, below.
 */
import type { PolicyDocument, Statement } from '../../modules/policies/document';

export interface IamRequest {
  /** Who calls: a service principal (`cloudtrail.amazonaws.com`) or an IAM principal ARN. */
  readonly principal: { readonly service?: string; readonly aws?: string };
  readonly action: string;
  readonly resource: string;
  /** Request context keys (`aws:SourceArn`, `s3:x-amz-acl`, ...; a list for a multivalued key); undefined = absent. */
  readonly context: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Evaluation {
  readonly decision: Decision;
  /** Sids (or statement positions) of the statements that matched, by effect. */
  readonly allowedBy: readonly string[];
  readonly deniedBy: readonly string[];
}

const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** The context value of a key, with AWS's case-insensitive key names. */
function contextValues(context: IamRequest['context'], key: string): string | readonly string[] | undefined {
  if (key in context) return context[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** A single-valued context key (policy variables, single-valued operators). */
function contextValue(context: IamRequest['context'], key: string): string | undefined {
  const v = contextValues(context, key);
  if (Array.isArray(v)) throw new Error(`context key ${key} is multivalued; use it with ForAnyValue: or ForAllValues:`);
  return v as string | undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * A policy pattern as a regular expression: policy variables are replaced by
 * their (literal) context values, `*` and `?` become wildcards when
 * `wildcards` is set. Undefined when a variable is missing from the context.
 */
export function patternToRegExp(pattern: string, context: IamRequest['context'], wildcards: boolean, flags = ''): RegExp | undefined {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '$' && pattern[i + 1] === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end < 0) throw new Error(`unterminated policy variable in "${pattern}"`);
      const name = pattern.slice(i + 2, end).trim();
      i = end;
      // ${*}, ${?} and ${$} are AWS's escapes for the literal characters.
      if (name === '*' || name === '?' || name === '$') {
        source += escapeRegExp(name);
        continue;
      }
      const value = contextValue(context, name);
      if (value === undefined) return undefined;
      source += escapeRegExp(value);
    } else if (wildcards && c === '*') source += '.*';
    else if (wildcards && c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, `s${flags}`);
}

function matches(pattern: string, value: string, context: IamRequest['context'], wildcards: boolean, flags = ''): boolean {
  return patternToRegExp(pattern, context, wildcards, flags)?.test(value) ?? false;
}

function principalMatches(principal: Statement['Principal'], request: IamRequest): boolean {
  if (principal === undefined) return true; // identity policies: the attached principal
  if (principal === '*') return true;
  if (request.principal.service !== undefined && list(principal.Service).includes(request.principal.service)) return true;
  const caller = request.principal.aws;
  for (const p of list(principal.AWS)) {
    if (p === '*') return true;
    if (caller === undefined) continue;
    if (p === caller) return true;
    const account = /^\d{12}$/.test(p) ? p : /^arn:[^:]+:iam::(\d{12}):root$/.exec(p)?.[1];
    if (account !== undefined && /^arn:[^:]+:(iam|sts)::(\d{12}):/.exec(caller)?.[2] === account) return true;
  }
  return false;
}

function actionMatches(actions: Statement['Action'], action: string, context: IamRequest['context']): boolean {
  return list(actions).some((a) => matches(a, action, context, true, 'i'));
}

function resourceMatches(resources: Statement['Resource'], resource: string, context: IamRequest['context']): boolean {
  if (resources === undefined) return true;
  return list(resources).some((r) => matches(r, resource, context, true));
}

/** ARN comparison: each of the six colon-separated parts is matched on its own, with wildcards. */
function arnMatches(pattern: string, value: string, context: IamRequest['context']): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  if (!p || !v || (p[0] !== 'arn' && p[0] !== '*')) return false;
  return p.every((part, i) => matches(part, v[i], context, true));
}

type ValueTest = (pattern: string, actual: string, context: IamRequest['context']) => boolean;

const POSITIVE: Record<string, ValueTest> = {
  StringEquals: (p, a, c) => matches(p, a, c, false),
  StringLike: (p, a, c) => matches(p, a, c, true),
  ArnEquals: arnMatches,
  ArnLike: arnMatches,
  Bool: (p, a, c) => matches(p, a, c, false, 'i'),
};
const NEGATED: Record<string, string> = { StringNotEquals: 'StringEquals', StringNotLike: 'StringLike', ArnNotEquals: 'ArnEquals', ArnNotLike: 'ArnLike' };

/** One request value against the policy values of an operator (never Null). */
function valueHolds(operator: string, actual: string, values: readonly string[], context: IamRequest['context']): boolean {
  if (operator in NEGATED) return !values.some((v) => POSITIVE[NEGATED[operator]](v, actual, context));
  const test = POSITIVE[operator];
  if (!test) throw new Error(`condition operator ${operator} is not supported by the test evaluator`);
  return values.some((v) => test(String(v), actual, context));
}

function conditionHolds(qualifiedOperator: string, key: string, values: readonly string[], context: IamRequest['context']): boolean {
  const set = /^(ForAnyValue|ForAllValues):(.+)$/.exec(qualifiedOperator);
  if (set) {
    const [, quantifier, operator] = set;
    if (operator === 'Null' || !(operator in POSITIVE || operator in NEGATED)) throw new Error(`condition operator ${qualifiedOperator} is not supported by the test evaluator`);
    const raw = contextValues(context, key);
    const actual = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
    if (quantifier === 'ForAnyValue') return actual.some((a) => valueHolds(operator, a, values, context));
    return actual.every((a) => valueHolds(operator, a, values, context));
  }
  const operator = qualifiedOperator;
  const actual = contextValue(context, key);
  if (operator === 'Null') {
    // "true": the key must be absent; "false": present.
    return values.some((v) => String(v).toLowerCase() === (actual === undefined ? 'true' : 'false'));
  }
  if (operator in NEGATED) return actual === undefined ? true : valueHolds(operator, actual, values, context);
  if (!POSITIVE[operator]) throw new Error(`condition operator ${operator} is not supported by the test evaluator`);
  if (actual === undefined) return false;
  return valueHolds(operator, actual, values, context);
}

function conditionsHold(condition: Statement['Condition'], context: IamRequest['context']): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, keys]) =>
    // JSON policies may also hold booleans or numbers as condition values.
    Object.entries(keys).every(([key, values]) =>
      conditionHolds(operator, key, (Array.isArray(values) ? values : [values]).map((v: unknown) => String(v)), context),
    ),
  );
}

/** Does this statement apply to the request (ignoring its effect)? */
export function statementApplies(statement: Statement, request: IamRequest): boolean {
  return (
    principalMatches(statement.Principal, request) &&
    actionMatches(statement.Action, request.action, request.context) &&
    resourceMatches(statement.Resource, request.resource, request.context) &&
    conditionsHold(statement.Condition, request.context)
  );
}

export function evaluate(policy: PolicyDocument, request: IamRequest): Evaluation {
  const allowedBy: string[] = [];
  const deniedBy: string[] = [];
  policy.Statement.forEach((s, i) => {
    if (!statementApplies(s, request)) return;
    (s.Effect === 'Deny' ? deniedBy : allowedBy).push(s.Sid ?? `#${i}`);
  });
  const decision: Decision = deniedBy.length > 0 ? 'ExplicitDeny' : allowedBy.length > 0 ? 'Allow' : 'ImplicitDeny';
  return { decision, allowedBy, deniedBy };
}

export function isAllowed(policy: PolicyDocument, request: IamRequest): boolean {
  return evaluate(policy, request).decision === 'Allow';
}

// ---------------------------------------------------------------- service control policies

/** FullAWSAccess, the SCP AWS Organizations attaches to every root, OU and account by default. */
export const FULL_AWS_ACCESS: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface ScpSetting {
  /** The organization's management account: SCPs never apply to its principals. */
  readonly managementAccountId: string;
  /** FullAWSAccess stays attached (a deny-list setup, AWS's default). @default true */
  readonly fullAwsAccess?: boolean;
}

/** The account of an IAM principal ARN (`arn:aws:iam::<id>:role/x`, `arn:aws:sts::<id>:assumed-role/x/s`). */
export function principalAccount(arn: string): string | undefined {
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/**
 * What the service control policies attached above an account allow its
 * principal to do (the SCP layer only: the principal still needs its own IAM
 * permission, which the guard's tests assume an administrator has):
 * - principals of the management account, AWS service principals and
 *   service-linked roles are not limited by SCPs: Allow;
 * - an explicit Deny in any SCP denies;
 * - otherwise the request is allowed when some SCP allows it (FullAWSAccess
 *   is assumed attached unless `fullAwsAccess: false`), else implicitly denied.
 * SCPs have no Principal element: every statement applies to every principal
 * of the member account. The request's `aws:PrincipalArn` and
 * `aws:PrincipalAccount` are filled in from the principal when absent (for
 * a role session, pass the role's ARN: that is what `aws:PrincipalArn` holds).
 */
export function evaluateServiceControlPolicies(scps: readonly PolicyDocument[], request: IamRequest, setting: ScpSetting): Evaluation {
  const caller = request.principal.aws;
  const exempt =
    caller === undefined || principalAccount(caller) === setting.managementAccountId || /:role\/aws-service-role\//.test(caller);
  if (exempt) return { decision: 'Allow', allowedBy: ['(not limited by SCPs)'], deniedBy: [] };
  const context = {
    'aws:PrincipalArn': caller,
    'aws:PrincipalAccount': principalAccount(caller),
    ...request.context,
  };
  const r: IamRequest = { ...request, context };
  const all = setting.fullAwsAccess === false ? scps : [FULL_AWS_ACCESS, ...scps];
  const allowedBy: string[] = [];
  const deniedBy: string[] = [];
  all.forEach((doc, d) =>
    doc.Statement.forEach((s, i) => {
      if (s.Principal !== undefined) throw new Error(`SCP statement ${s.Sid ?? i} has a Principal; service control policies have none`);
      if (!statementApplies(s, r)) return;
      (s.Effect === 'Deny' ? deniedBy : allowedBy).push(`${d}:${s.Sid ?? `#${i}`}`);
    }),
  );
  const decision: Decision = deniedBy.length > 0 ? 'ExplicitDeny' : allowedBy.length > 0 ? 'Allow' : 'ImplicitDeny';
  return { decision, allowedBy, deniedBy };
}
