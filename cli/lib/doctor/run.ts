/**
 * `doctor`: every account checked `concurrency` at a time, after one
 * preflight (who is the caller?) that turns "no credentials / no network"
 * into one could-not-check before any account is tried.
 */
import type { FleetConfig } from '../../../config/model';
import { CouldNotCheck } from '../../command';
import { AccessGuard, AwsSession, CallerIdentity } from '../aws-access';
import { mapPool } from '../pool';
import { fleetIdentity } from '../../../modules/fleet-identity';
import { BackendReport, Fetch, checkBackend } from './backend';
import { AccountReport, checkAccount } from './checks';
import { accountTargets } from './targets';

export interface DoctorOptions {
  readonly concurrency: number;
  /** The synthesis output folder (where local state goes next to). */
  readonly outdir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly now: Date;
  readonly onProgress?: (done: number, total: number) => void;
  readonly fetch?: Fetch;
}

export interface DoctorReport {
  /** Every account ready and the backend reachable. */
  readonly ready: boolean;
  readonly checkedAt: string;
  readonly caller: CallerIdentity;
  readonly backend: BackendReport;
  readonly accounts: readonly AccountReport[];
  readonly summary: { readonly accounts: number; readonly ready: number; readonly notReady: number; readonly unchecked: number };
}

/** Runs doctor; throws CouldNotCheck (reported once) when nothing about the fleet can be learnt. */
export async function runDoctor(config: FleetConfig, session: AwsSession, options: DoctorOptions): Promise<DoctorReport> {
  const caller = await session.preflight(options.env);
  const guard = new AccessGuard(() => session.callerIdentity(options.env), options.env);
  const targets = accountTargets(config);
  const backendCheck = checkBackend({ backend: config.backend, outdir: options.outdir, fleet: fleetIdentity(config), session, guard, env: options.env, fetch: options.fetch });
  const accounts = await mapPool(targets, options.concurrency, (t) => checkAccount(t, { config, session, guard, caller }), (done) => options.onProgress?.(done, targets.length));
  const backend = await backendCheck;
  if (guard.failure) {
    const checked = accounts.filter((a) => a.status !== 'unchecked').length;
    const reason = guard.failure.message.replace(/\. Nothing was checked; no account was blamed$/, '');
    throw new CouldNotCheck(`${reason}. AWS stopped answering after ${checked} of ${targets.length} accounts were checked; the others were not tried and no account was blamed`);
  }
  const count = (s: AccountReport['status']) => accounts.filter((a) => a.status === s).length;
  const summary = { accounts: accounts.length, ready: count('ready'), notReady: count('not-ready'), unchecked: count('unchecked') };
  return {
    ready: summary.ready === accounts.length && (backend.status === 'ok' || backend.status === 'note'),
    checkedAt: options.now.toISOString(),
    caller,
    backend,
    accounts,
    summary,
  };
}

/** 0 ready; 1 any account (or the backend) not ready; 3 nothing wrong found but something could not be checked. */
export function doctorExitCode(report: DoctorReport): 0 | 1 | 3 {
  if (report.ready) return 0;
  if (report.summary.notReady > 0 || report.backend.status === 'problem') return 1;
  return 3;
}
