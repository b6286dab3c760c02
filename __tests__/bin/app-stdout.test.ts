/**
 * scripts/app.js compiles a stale build before running an entry. Whatever
 * tsc reports must not reach stdout: `cdktf deploy $(npm run -s affected ...)`
 * would take compiler errors for stack names.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

test('compiler errors of a stale build go to stderr, never stdout', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'app-stdout-'));
  try {
    for (const d of ['bin', 'config', 'modules', 'stacks', 'cli', 'tools']) mkdirSync(path.join(dir, d));
    copyFileSync(path.join(ROOT, 'bin', 'app.js'), path.join(dir, 'bin', 'app.js'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'main.ts'), 'export const broken: number = "not a number";\n');
    writeFileSync(path.join(dir, 'tsconfig.json'), '{}');
    writeFileSync(path.join(dir, 'tsconfig.build.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', strict: true, types: [], skipLibCheck: true }, files: ['main.ts'] }));
    const run = spawnSync(process.execPath, [path.join(dir, 'bin', 'app.js'), '--run', 'dist/main.js'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("error TS2322: Type 'string' is not assignable to type 'number'");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
