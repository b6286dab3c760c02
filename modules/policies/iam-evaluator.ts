/**
 * A small evaluator of resource-based IAM policies (bucket and key policies),
 * for tests that check what a policy *does*, not only how it looks, and for
 * the change gate (cli/lib/change-plan.ts: does a running trail still get
 * into the central bucket and key after a deploy?).
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
 *   ArnEquals, ArnLike, Bool, Null. Values may hold policy variables (a
 *   missing variable makes that value match nothing). A non-negated operator
 *   on a key the request lacks is false; a negated one (StringNotEquals,
 *   StringNotLike) is true. Condition keys are case-insensitive, values
 *   case-sensitive (Bool: case-insensitive). Any other operator throws, so a
 *   policy using something this evaluator does not model fails loudly.
 */
import type { PolicyDocument, Statement } from './document';

export interface IamRequest {
  /** Who calls: a service principal (`cloudtrail.amazonaws.com`) or an IAM principal ARN. */
  readonly principal: { readonly service?: string; readonly aws?: string };
  readonly action: string;
  readonly resource: string;
  /** Request context keys (`aws:SourceArn`, `s3:x-amz-acl`, ...); undefined = absent. */
  readonly context: Readonly<Record<string, string | undefined>>;
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
function contextValue(context: IamRequest['context'], key: string): string | undefined {
  if (key in context) return context[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === lower) return v;
  return undefined;
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

/** Compiled patterns without policy variables (the same for every request): large policies list thousands of values. */
const compiled = new Map<string, RegExp>();

function matches(pattern: string, value: string, context: IamRequest['context'], wildcards: boolean, flags = ''): boolean {
  if (!pattern.includes('${')) {
    // A plain value: compared as text (the same answer as the pattern, without building it).
    if (!wildcards || !/[*?]/.test(pattern)) return flags.includes('i') ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
    const key = `${flags}\u0000${pattern}`;
    let re = compiled.get(key);
    if (!re) {
      re = patternToRegExp(pattern, context, wildcards, flags)!;
      if (compiled.size > 10_000) compiled.clear();
      compiled.set(key, re);
    }
    return re.test(value);
  }
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
const NEGATED: Record<string, string> = { StringNotEquals: 'StringEquals', StringNotLike: 'StringLike' };

/** The values of a condition as strings, once per list (policies of large fleets list thousands of accounts). */
const stringLists = new WeakMap<object, readonly string[]>();
function stringValues(values: unknown): readonly string[] {
  if (!Array.isArray(values)) return [String(values)];
  let out = stringLists.get(values);
  if (!out) {
    out = values.map((v: unknown) => String(v));
    stringLists.set(values, out);
  }
  return out;
}

/** StringEquals over values without policy variables is set membership. */
const plainSets = new WeakMap<readonly string[], Set<string> | null>();
function plainSet(values: readonly string[]): Set<string> | undefined {
  let set = plainSets.get(values);
  if (set === undefined) {
    set = values.some((v) => v.includes('${')) ? null : new Set(values);
    plainSets.set(values, set);
  }
  return set ?? undefined;
}

function conditionHolds(operator: string, key: string, values: readonly string[], context: IamRequest['context']): boolean {
  const actual = contextValue(context, key);
  if ((operator === 'StringEquals' || operator === 'StringNotEquals') && actual !== undefined) {
    const set = plainSet(values);
    if (set) return set.has(actual) === (operator === 'StringEquals');
  }
  if (operator === 'Null') {
    // "true": the key must be absent; "false": present.
    return values.some((v) => String(v).toLowerCase() === (actual === undefined ? 'true' : 'false'));
  }
  if (operator in NEGATED) {
    if (actual === undefined) return true;
    const test = POSITIVE[NEGATED[operator]];
    return !values.some((v) => test(v, actual, context));
  }
  const test = POSITIVE[operator];
  if (!test) throw new Error(`condition operator ${operator} is not supported by the policy evaluator (modules/policies/iam-evaluator.ts)`);
  if (actual === undefined) return false;
  return values.some((v) => test(String(v), actual, context));
}

function conditionsHold(condition: Statement['Condition'], context: IamRequest['context']): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, keys]) =>
    // JSON policies may also hold booleans or numbers as condition values.
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, stringValues(values), context)),
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
