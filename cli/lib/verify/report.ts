/** How verify shows its result: a table a person reads at a glance, or JSON for pipelines. */
import type { FolderState } from './health';
import type { FleetReport, MemberReport, TrailReport } from './run';

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

/** FOLDER: what the listing found; `?` = the folder could not be listed (never called EMPTY then). */
const FOLDER: Record<FolderState, string> = { recent: 'recent', old: 'OLD', empty: 'EMPTY', unlisted: '?' };

function digestCell(d: TrailReport['digests']): string {
  if (!d) return '-';
  if (d.findings.length) return `${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}`;
  return `ok (${d.digestFiles}/${d.logFiles})`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatTable(report: FleetReport, style: Style = PLAIN): string {
  const digests = report.trails.some((r) => r.digests || r.members?.some((m) => m.digests));
  const rows = [[' ', 'ACCOUNT', 'TRAIL', 'REGION', 'LOGGING', 'LAST DELIVERY', 'FOLDER', ...(digests ? ['DIGESTS'] : []), 'DRIFT', 'PROBLEMS']];
  for (const r of report.trails) {
    rows.push([
      r.healthy ? style.ok : style.bad,
      r.accountId,
      r.trailName,
      r.region,
      logging(r),
      r.latestDeliveryAge ? `${r.latestDeliveryAge} ago` : '-',
      FOLDER[r.folderState],
      ...(digests ? [digestCell(r.digests)] : []),
      r.drift.length ? r.drift.map((d) => d.setting.split(' ')[0]).join(',') : '-',
      r.problems.length ? String(r.problems.length) : '-',
    ]);
    // An organization trail's member accounts: one row each, their folder under the organization's.
    for (const m of r.members ?? []) {
      rows.push([
        m.healthy ? style.ok : style.bad,
        m.accountId,
        `${r.trailName} (member)`,
        r.region,
        'org',
        '-',
        FOLDER[m.folderState],
        ...(digests ? [digestCell(m.digests)] : []),
        '-',
        m.problems.length ? String(m.problems.length) : '-',
      ]);
    }
  }
  const lines = table(rows);
  const unhealthy = report.trails.filter((r) => !r.healthy);
  const members = report.trails.flatMap((r) => (r.members ?? []).map((m): [TrailReport, MemberReport] => [r, m]));
  const unhealthyMembers = members.filter(([, m]) => !m.healthy);
  for (const r of report.trails) {
    if (!r.healthy) {
      lines.push('', `${style.bad} ${r.accountId} ${r.trailName} (${r.region}):`);
      for (const p of r.problems) lines.push(`    - ${p}`);
      for (const d of r.drift) lines.push(`    - drift ${d.setting}: config ${d.expected}, live ${d.actual}${d.note ? ` (${d.note})` : ''}`);
    }
    for (const m of (r.members ?? []).filter((x) => !x.healthy)) {
      lines.push('', `${style.bad} ${m.accountId} in organization trail ${r.trailName} (${r.accountId}, ${r.region}):`);
      for (const p of m.problems) lines.push(`    - ${p}`);
    }
  }
  const notes = report.trails.flatMap((r) => r.notes.map((n) => `note: ${r.accountId} ${r.trailName}: ${n}`));
  if (notes.length) lines.push('', ...notes);
  const n = report.trails.length;
  const memberPart = members.length === 0 ? '' : unhealthyMembers.length === 0 ? ` and ${plural(members.length, 'organization member folder')} recent` : '';
  lines.push(
    '',
    unhealthy.length === 0 && unhealthyMembers.length === 0
      ? `${style.ok} all ${plural(n, 'trail')} healthy${memberPart} (deliveries within ${report.maxAgeHours} h)`
      : `${style.bad} ${unhealthy.length} of ${plural(n, 'trail')} unhealthy${members.length ? `, ${unhealthyMembers.length} of ${plural(members.length, 'organization member folder')} unhealthy` : ''}`,
  );
  if (digests) lines.push('DIGESTS: ok (digest files/log files checked, backfill digests included), or the number of findings listed above');
  if (report.trails.some((r) => r.folderState !== 'recent' || r.members?.some((m) => m.folderState !== 'recent'))) {
    lines.push('FOLDER: recent, OLD (newest log file older than --max-age), EMPTY (no log file in the window), ? (could not be listed)');
  }
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
