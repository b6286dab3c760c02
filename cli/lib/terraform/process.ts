/** Running Terraform: finding the binary, and one command with its output both kept and written to a log file. */
import { spawn } from 'child_process';
import { accessSync, appendFileSync, constants, statSync } from 'fs';
import * as path from 'path';

/** The executable `name` on the PATH of `env`, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return name;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RunResult {
  readonly code: number;
  /** stdout and stderr as they came, interleaved. */
  readonly output: string;
  /** Each stream on its own (a command that prints JSON on stdout). */
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Stopped by `timeoutMs`. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every byte of output is appended to this file as it arrives. */
  readonly logFile?: string;
  /** Kill after this long. @default none */
  readonly timeoutMs?: number;
}

/** Runs a command; never rejects (a command that cannot start exits 127 with the reason as output). */
export function runCommand(bin: string, args: readonly string[], o: RunOptions): Promise<RunResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const streams: Record<'out' | 'err', Buffer[]> = { out: [], err: [] };
    const keep = (d: Buffer, stream: 'out' | 'err') => {
      chunks.push(d);
      streams[stream].push(d);
      if (o.logFile) appendFileSync(o.logFile, d);
    };
    const child = spawn(bin, [...args], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => keep(d, 'out'));
    child.stderr.on('data', (d: Buffer) => keep(d, 'err'));
    let timedOut = false;
    const timer = o.timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGTERM')), o.timeoutMs) : undefined;
    let finished = false;
    const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');
    const done = (code: number, extra = '') => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (extra) keep(Buffer.from(extra), 'err');
      resolve({ code, output: text(chunks), stdout: text(streams.out), stderr: text(streams.err), seconds: Number(process.hrtime.bigint() - started) / 1e9, timedOut });
    };
    child.on('error', (e) => done(127, `${bin}: ${e.message}\n`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `${path.basename(bin)} was stopped by ${signal}${timedOut ? ` after ${(o.timeoutMs ?? 0) / 1000} s` : ''}\n` : ''));
  });
}

/**
 * The Go garbage collector setting for the Terraform runs of the project's own checks (validate, the emulator
 * stage, the Terraform tests), unless GOGC is set already. The aws provider builds a large schema at every start;
 * with GOGC=400 a `terraform test` of a stack took 2.5 instead of 3.2 CPU seconds, an emulator plan 4.6 instead of
 * 6.2 and an apply 6.8 instead of 9.4 (Terraform 1.11.4, aws 5.100.0, the project's 2-core machine), for a few
 * hundred MB more per provider process. Not used by
 * `deploy`: users' machines run many providers at once and keep Go's default.
 */
export function withChecksGc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.GOGC ? env : { ...env, GOGC: '400' };
}
