/** Plain-text tables for the commands' reports (columns padded; the last column is never padded). */

export interface TableOptions {
  /** Extra lines under a row (by row index), indented to the last column. */
  readonly continuation?: ReadonlyMap<number, readonly string[]>;
}

const visible = (s: string) => s.replace(/\x1b\[\d+m/g, '').length;

export function table(rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  if (rows.length === 0) return [];
  const columns = rows[0].length;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => visible(r[i] ?? ''))));
  const indent = widths.slice(0, columns - 1).reduce((n, w) => n + w + 2, 0);
  const out: string[] = [];
  rows.forEach((r, index) => {
    out.push(r.map((c, i) => (i === columns - 1 ? c : c + ' '.repeat(widths[i] - visible(c)))).join('  ').trimEnd());
    for (const extra of options.continuation?.get(index) ?? []) out.push(`${' '.repeat(indent)}${extra}`);
  });
  return out;
}
