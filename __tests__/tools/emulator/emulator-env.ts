/**
 * What the emulator tests need (python3 with moto 5.2.1, terraform) and a
 * work folder per test file. Without them a test file says so loudly and
 * skips (never a silent pass); bin/test-emulator.js checks the same first.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync } from 'fs';
import * as path from 'path';
import { emulatorAvailability } from '../../../tools/emulator/emulator';

export function terraformMissing(): string | undefined {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'terraform not found on PATH' : undefined;
}

/** Why these tests cannot run here, or undefined. */
export function missing(needs: { terraform: boolean }): string | undefined {
  const a = emulatorAvailability();
  const reasons = [a.available ? undefined : a.reason, needs.terraform ? terraformMissing() : undefined].filter(Boolean);
  return reasons.length ? reasons.join('; ') : undefined;
}

/** `describe`, or a loudly announced `describe.skip` when the emulator (or terraform) is missing. */
export function describeWithEmulator(name: string, needs: { terraform: boolean }, fn: () => void): void {
  const why = missing(needs);
  if (why) {
    process.stderr.write(`\n${'!'.repeat(78)}\nSKIPPED "${name}": ${why}\n${'!'.repeat(78)}\n`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

/** A fresh work folder under the Jest run's temp folder. */
export function workDir(label: string): string {
  const base = process.env.CLOUDTRAIL_JEST_TMP || path.join(__dirname, '..', '..', '..', '.tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `emulator-${label}-`));
}
