/**
 * The one boundary where literal text meets Terraform.
 *
 * Every string in `cdk.tf.json` is a Terraform template: `${...}` is an
 * interpolation and `%{...}` a directive, in values and in object keys alike.
 * Our literal text (policies with `${aws:SourceAccount}`, a user's S3
 * data-event prefix `home/${aws:username}/`, a selector value `a%{if x}b`)
 * must reach AWS unchanged, so it is written escaped (`$${`, `%%{`), which
 * Terraform turns back into `${` and `%{`. Size limits are therefore counted on
 * the unescaped text (what AWS receives), never on the JSON.
 *
 * `FleetStack` applies `escapeLiteralText` to what every element of a stack
 * synthesizes, before cdktf resolves its tokens: cdktf references travel as
 * token markers (`${TfToken[TOKEN.n]}`) and are left alone; all other text is
 * literal. After resolution, `templateTextProblems` proves the invariant: the
 * only interpolations left are references of the form cdktf writes.
 */

/** `${` and `%{` of literal text, written so that Terraform reads them literally. */
export function escapeTemplateText(text: string): string {
  return text.replace(/([$%])\{/g, (_, c: string) => `${c}${c}{`);
}

/** What Terraform makes of an escaped literal: `$${` -> `${`, `%%{` -> `%{` (scanned left to right, as HCL does). */
export function unescapeTemplateText(text: string): string {
  return text.replace(/\$\$\{|%%\{/g, (m) => m.slice(1));
}

/** cdktf's marker for a string token (a reference to be resolved). */
const TOKEN_MARKER = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

function escapeAroundTokens(text: string): string {
  if (!text.includes('{')) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN_MARKER)) {
    out += escapeTemplateText(text.slice(last, m.index)) + m[0];
    last = m.index! + m[0].length;
  }
  return out + escapeTemplateText(text.slice(last));
}

/** A plain data object (not a cdktf token, which has a resolve function and is left to cdktf). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { resolve?: unknown }).resolve !== 'function';
}

/**
 * Escapes the literal text of an element's synthesized (not yet resolved)
 * configuration: every string and object key, recursively. Token objects
 * (anything that is not a plain object or array) are left to cdktf.
 */
export function escapeLiteralText<T>(value: T): T {
  if (typeof value === 'string') return escapeAroundTokens(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeLiteralText(v)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeAroundTokens(k)] = escapeLiteralText(v);
    return out as T;
  }
  return value;
}

/** A reference as cdktf writes it: `${aws_x.name.attr}`, `${data.aws_kms_key.k.arn}`, `${var.x[0]}`. */
const REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+|\[\d+\])*\}/y;
/** Escapes first: at each position the regex tries `$${` before `${`, left to right, as HCL scans. */
const TEMPLATE_START = /\$\$\{|%%\{|\$\{|%\{/g;

/**
 * The unescaped template sequences in one string: a `%{` directive, or a
 * `${` that is not a plain reference. Scans as HCL does: `$${` and `%%{` are
 * escapes, so `$$${x}` is a literal `$` followed by the escape `$${`.
 */
export function templateTextIn(text: string): string[] {
  if (!text.includes('{')) return [];
  const found: string[] = [];
  for (const m of text.matchAll(TEMPLATE_START)) {
    if (m[0].length === 3) continue; // an escape
    if (m[0] === '${') {
      REFERENCE.lastIndex = m.index!;
      if (REFERENCE.test(text)) continue;
    }
    found.push(text.slice(m.index, m.index! + 40));
  }
  return found;
}

export interface TemplateTextProblem {
  /** JSON path in the stack, e.g. `resource.aws_s3_bucket_policy.log_bucket_policy.policy`. */
  readonly path: string;
  readonly text: string;
}

/** Where a value is an expression by nature: the condition of a resource's pre- or postcondition. */
const CONDITION_PATH = /\.lifecycle\.(?:pre|post)condition\[\d+\]\.condition$/;
/** The one condition form this project writes (modules/fleet-trail.ts): an attribute of self compared with a plain literal. */
const CONDITION = /^\$\{\(self\.[a-z_]+ == "[A-Za-z0-9 ._:/-]*"\)\}$/;

/** Every unescaped template sequence in a synthesized stack (values and keys; the `//` metadata is not read by Terraform). */
export function templateTextProblems(json: unknown, path = ''): TemplateTextProblem[] {
  const out: TemplateTextProblem[] = [];
  const visit = (value: unknown, at: string) => {
    if (typeof value === 'string') {
      if (CONDITION_PATH.test(at) && CONDITION.test(value)) return;
      for (const text of templateTextIn(value)) out.push({ path: at, text });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${at}[${i}]`));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (at === '' && k === '//') continue;
        for (const text of templateTextIn(k)) out.push({ path: `${at}{key}`, text });
        visit(v, at ? `${at}.${k}` : k);
      }
    }
  };
  visit(json, path);
  return out;
}
