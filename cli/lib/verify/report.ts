/** How verify shows its result: a table a person reads at a glance, or JSON for pipelines. */
import type { FleetReport, TrailReport } from './run';

export interface Style {
  readonly ok: string;
  readonly bad: string;
}

export const PLAIN: Style = { ok: '✔', bad: '✖' };
export const COLOUR: Style = { ok: '\x1b[32m✔\x1b[0m', bad: '\x1b[31m✖\x1b[0m' };

function logging(r: TrailReport): string {
  if (r.exists === undefined) return '?';
  if (!r.exists) return 'missing';
  return r.isLogging === undefined ? '?' : r.isLogging ? 'on' : 'STOPPED';
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].replace(/\x1b\[\d+m/g, '').length)));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - c.replace(/\x1b\[\d+m/g, '').length)).join('  ').trimEnd());
}

export function formatTable(report: FleetReport, style: Style = PLAIN): string {
  const digests = report.trails.some((r) => r.digests);
  const rows = [[' ', 'ACCOUNT', 'TRAIL', 'REGION', 'LOGGING', 'LAST DELIVERY', 'FOLDER', ...(digests ? ['DIGESTS'] : []), 'DRIFT', 'PROBLEMS']];
  for (const r of report.trails) {
    const d = r.digests;
    const digestCell = !d ? '-' : d.findings.length ? `${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}` : `ok (${d.digestFiles}/${d.logFiles})`;
    rows.push([
      r.healthy ? style.ok : style.bad,
      r.accountId,
      r.trailName,
      r.region,
      logging(r),
      r.latestDeliveryAge ? `${r.latestDeliveryAge} ago` : '-',
      r.folderNewestObject ? 'recent' : 'EMPTY',
      ...(digests ? [digestCell] : []),
      r.drift.length ? r.drift.map((d) => d.setting.split(' ')[0]).join(',') : '-',
      r.problems.length ? String(r.problems.length) : '-',
    ]);
  }
  const lines = table(rows);
  const unhealthy = report.trails.filter((r) => !r.healthy);
  for (const r of unhealthy) {
    lines.push('', `${style.bad} ${r.accountId} ${r.trailName} (${r.region}):`);
    for (const p of r.problems) lines.push(`    - ${p}`);
    for (const d of r.drift) lines.push(`    - drift ${d.setting}: config ${d.expected}, live ${d.actual}`);
  }
  const n = report.trails.length;
  lines.push(
    '',
    unhealthy.length === 0
      ? `${style.ok} all ${n} trail${n === 1 ? '' : 's'} healthy (deliveries within ${report.maxAgeHours} h)`
      : `${style.bad} ${unhealthy.length} of ${n} trail${n === 1 ? '' : 's'} unhealthy`,
  );
  if (digests) lines.push('DIGESTS: ok (digest files/log files checked), or the number of findings listed above');
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
