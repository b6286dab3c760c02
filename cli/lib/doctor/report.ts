/** How doctor shows its result: one line per account (problems below it), or JSON. */
import { table } from '../table';
import type { AccountReport, CheckResult } from './checks';
import type { DoctorReport } from './run';

const STATUS: Record<AccountReport['status'], string> = { ready: 'ready', 'not-ready': 'NOT READY', unchecked: 'UNCHECKED' };

function roleName(roles: readonly string[]): string {
  if (roles.length === 0) return '(ambient)';
  return roles.map((r) => r.replace(/^arn:[^:]+:iam::\d{12}:role\//, '')).join(', ');
}

/** What the DETAIL column says: the problems (each on its own line), else what is worth knowing. */
function detail(a: AccountReport): string[] {
  const bad = a.checks.filter((c) => c.status === 'problem' || c.status === 'unchecked');
  if (bad.length) return bad.map((c) => `${c.check}: ${c.message}`);
  const notes = a.checks.filter((c) => c.status === 'note');
  const checked = a.checks.filter((c) => c.status === 'ok').map((c) => c.check);
  return [[checked.join(', '), ...notes.map((c) => c.message)].filter(Boolean).join('; ')];
}

export function formatDoctorTable(report: DoctorReport): string {
  const rows = [['ACCOUNT', 'NAME', 'ROLE', 'STATUS', 'DETAIL']];
  const continuation: Map<number, string[]> = new Map();
  for (const a of report.accounts) {
    const [first, ...rest] = detail(a);
    rows.push([a.accountId, a.name ?? '-', roleName(a.roles), STATUS[a.status], first ?? '-']);
    if (rest.length) continuation.set(rows.length - 1, rest);
  }
  const lines = table(rows, { continuation });
  const b = report.backend;
  const s = report.summary;
  const parts = [`${s.ready} ready`, `${s.notReady} not ready`, ...(s.unchecked ? [`${s.unchecked} unchecked`] : [])];
  return [
    `caller: ${report.caller.arn}`,
    `state backend (${b.type}): ${b.status === 'ok' || b.status === 'note' ? 'ok' : b.status === 'unchecked' ? 'UNCHECKED' : 'NOT READY'}: ${b.message}`,
    '',
    ...lines,
    '',
    `${s.accounts} account${s.accounts === 1 ? '' : 's'}: ${parts.join(', ')}; ${report.ready ? 'ready to deploy' : 'NOT ready to deploy'}`,
    '',
  ].join('\n');
}

export function formatDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The JSON document when nothing could be checked (stdout stays one JSON document in --json mode). */
export function couldNotCheckJson(message: string, checkedAt: string): string {
  return `${JSON.stringify({ ready: false, couldNotCheck: message, checkedAt }, null, 2)}\n`;
}

export type { CheckResult };
