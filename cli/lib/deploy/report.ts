/** How deploy reports: one line per stack (and so per account) with the first Terraform error of each failure, or JSON. */
import { table } from '../table';
import type { StackResult } from './run';

export interface DeploySummary {
  readonly applied: number;
  readonly failed: number;
  readonly notStarted: number;
  readonly skipped: number;
}

export interface DeployReport {
  /** Every selected stack applied. */
  readonly ok: boolean;
  readonly startedAt: string;
  readonly seconds: number;
  /** records (the default), base, all. */
  readonly mode: string;
  /** Where the deploy records are. */
  readonly records: string;
  readonly logs: string;
  readonly synthesis: { readonly hash: string; readonly stacks: number; readonly seconds?: number };
  /** The change-safety gate's plan, as `check-config --base --json` gives it under `change` (cli/lib/change-plan.ts, changePlanJson). */
  readonly gate: unknown;
  readonly stacks: readonly StackResult[];
  readonly summary: DeploySummary;
}

export function summarize(results: readonly StackResult[]): DeploySummary {
  const n = (k: StackResult['result']) => results.filter((r) => r.result === k).length;
  return { applied: n('applied'), failed: n('failed'), notStarted: n('not-started'), skipped: n('skipped') };
}

const RESULT: Record<StackResult['result'], string> = { applied: 'applied', failed: 'FAILED', 'not-started': 'not started', skipped: 'skipped' };

function detail(r: StackResult): string {
  switch (r.result) {
    case 'failed':
      return `${r.error ?? 'failed'} (log: ${r.log})`;
    case 'applied': {
      const retried = r.retries.length ? `after ${r.retries.length} ${r.retries.length === 1 ? 'retry' : 'retries'} (${[...new Set(r.retries.flatMap((x) => x.reasons))].join('; ')})` : '';
      return [retried, r.recordError].filter(Boolean).join('; ') || '-';
    }
    default:
      return r.reason ?? '-';
  }
}

export function summaryLine(s: DeploySummary, seconds: number): string {
  const parts = [`${s.applied} applied`, `${s.failed} failed`, ...(s.notStarted ? [`${s.notStarted} not started`] : []), `${s.skipped} skipped`];
  return `deploy: ${parts.join(', ')} in ${seconds.toFixed(1)} s`;
}

export function formatDeployTable(report: DeployReport): string {
  const rows = [['STACK', 'ACCOUNT', 'RESULT', 'ATTEMPTS', 'TIME', 'DETAIL']];
  for (const r of report.stacks) {
    const ran = r.result === 'applied' || r.result === 'failed';
    rows.push([r.stack, r.account ?? '-', RESULT[r.result], ran ? String(r.attempts) : '-', ran ? `${r.seconds.toFixed(1)} s` : '-', detail(r)]);
  }
  return [...table(rows), '', `${summaryLine(report.summary, report.seconds)}; logs in ${report.logs}`, ''].join('\n');
}

export function formatDeployJson(report: DeployReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
