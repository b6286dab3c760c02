/**
 * A small EventBridge event-pattern matcher, for tests that check what a
 * rule *matches*, not only how its pattern looks (EventBridge user guide,
 * "Event patterns" and "Content filtering"):
 *
 * - A pattern is an object; every field it names must match (AND). A field
 *   whose pattern is an object is matched one level down in the event.
 * - A leaf is a list of matchers; the field matches when any matcher matches
 *   (OR) any of the event's values (an event array matches when one of its
 *   elements does).
 * - Matchers: a literal (string, number, boolean, null: exact and
 *   case-sensitive), `{ prefix }`, `{ suffix }`, `{ "anything-but": [..] |
 *   literal | { prefix } }`, `{ exists: true | false }`. A field the event
 *   lacks matches only `{ exists: false }`.
 * - `$or`: a list of patterns, at least one of which must match at the same level.
 * Anything else throws, so a pattern using something this matcher does not
 * model fails loudly instead of matching wrongly.
 */
export type Pattern = { readonly [field: string]: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function matcherMatches(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new Error(`a matcher has exactly one operator: ${JSON.stringify(matcher)}`);
  const [op] = keys;
  const arg = matcher[op];
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'anything-but': {
      if (isObject(arg)) return !matcherMatches(arg, value);
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.includes(value);
    }
    default:
      throw new Error(`matcher operator ${op} is not supported by the test matcher`);
  }
}

function leafMatches(matchers: readonly unknown[], present: boolean, value: unknown): boolean {
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) {
      if (Object.keys(m).length !== 1) throw new Error(`exists takes no other operator: ${JSON.stringify(m)}`);
      return m.exists === present;
    }
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => matcherMatches(m, v));
  });
}

/** Does the event (or the part of it at this level) match the pattern? */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  const here = isObject(event) ? event : {};
  return Object.entries(pattern).every(([field, rule]) => {
    if (field === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) throw new Error('$or takes a list of at least two patterns');
      return rule.some((p) => matchesPattern(p as Pattern, event));
    }
    const present = Object.hasOwn(here, field);
    if (isObject(rule)) return present && matchesPattern(rule, here[field]);
    if (!Array.isArray(rule)) throw new Error(`the pattern of ${field} must be a list of matchers or an object, got ${JSON.stringify(rule)}`);
    return leafMatches(rule, present, here[field]);
  });
}
