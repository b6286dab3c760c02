/**
 * tools/bench-deploy.ts (npm run bench:deploy): its options, the fleet it
 * deploys (a valid config: N accounts, each stack assuming its account's
 * deployer role) and its report. The bench itself runs on the emulator, by
 * hand (docs/deploying.md); not in CI.
 */
import { spawn } from 'child_process';
import { benchFleetYaml, parseBenchDeployArgs, report, RunResult } from '../../tools/bench-deploy';
import { sampleTree, treeRss } from '../../tools/lib/process-tree';
import { configOf } from '../helpers/fleet';
import { accountId } from '../../tools/fleet-shapes';
import { deployerRoleArns } from '../../modules/deployer-roles';

test('options: 200 accounts at parallelism 8 by default; --accounts for fewer; bad values refused with the flag named', () => {
  expect(parseBenchDeployArgs([])).toEqual({ accounts: 200, parallelism: 8, json: undefined, keep: false });
  expect(parseBenchDeployArgs(['--accounts', '50', '--parallelism', '4', '--json', 'b.json', '--keep'])).toEqual({ accounts: 50, parallelism: 4, json: 'b.json', keep: true });
  expect(() => parseBenchDeployArgs(['--accounts', '0'])).toThrow('--accounts takes a whole number from 1 to 5000, got "0"');
  expect(() => parseBenchDeployArgs(['--accounts'])).toThrow('--accounts takes a whole number from 1 to 5000, got ""');
  expect(() => parseBenchDeployArgs(['--parallelism', '2.5'])).toThrow('--parallelism takes a whole number from 1 to 64, got "2.5"');
  expect(() => parseBenchDeployArgs(['--size', '5'])).toThrow(/^unknown option --size; options: --accounts <n>/);
});

test('the fleet: N member accounts, one trail each, every stack assuming its account deployer role from the CI principal', () => {
  const config = configOf(require('yaml').parse(benchFleetYaml(7)));
  expect(config.trails.map((t) => t.accountId)).toEqual(Array.from({ length: 7 }, (_, i) => accountId(i)));
  expect(new Set(config.trails.map((t) => t.trailName))).toEqual(new Set(['fleet-trail']));
  expect(config.bootstrap?.deployer).toMatchObject({ principalArn: 'arn:aws:iam::999999999999:user/emulator-deployer' });
  // What each stack assumes (no role exists to create first: the emulator's STS needs none).
  expect(deployerRoleArns(config, accountId(3))).toEqual([`arn:aws:iam::${accountId(3)}:role/cloudtrail-fleet/cloudtrail-fleet-deployer`]);
});

test('the report: each command from nothing and again, with the ratios of wall time and peak memory', () => {
  const run = (name: string, command: string, seconds: number, mb: number): RunResult => ({ name, command, seconds, peakTreeMb: mb, peakProcesses: 17, apiCalls: 650, stacksApplied: 51 });
  const text = report(
    {
      accounts: 50,
      parallelism: 8,
      first: { deploy: run('deploy', 'deploy --all', 100, 2048), cdktf: run('cdktf', 'cdktf deploy', 250, 4096) },
      again: { deploy: run('deploy-again', 'deploy --all', 50, 1024), cdktf: run('cdktf-again', 'cdktf deploy', 150, 1024), deployChanged: run('deploy-changed', 'deploy', 3, 300) },
    },
    [3, 2.5, 2],
  );
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^50 member accounts \(51 stacks\), parallelism 8, on the emulator; load average after the runs 3\.00 2\.50 2\.00 on \d+ CPUs$/);
  expect(lines.slice(1, 7).map((l) => l.trim().split(/\s{2,}/))).toEqual([
    ['wall s', 'peak tree MB', 'peak processes', 'API calls'],
    ['from nothing', 'deploy --all', '100.0', '2048', '17', '650'],
    ['cdktf deploy', '250.0', '4096', '17', '650'],
    ['again', 'deploy --all', '50.0', '1024', '17', '650'],
    ['cdktf deploy', '150.0', '1024', '17', '650'],
    ['deploy', '3.0', '300', '17', '650'],
  ]);
  expect(lines.slice(7)).toEqual([
    'from nothing: cdktf deploy / deploy --all = 2.50x in time, 2.00x in peak memory',
    'again, nothing changed, every stack: cdktf deploy / deploy --all = 3.00x in time, 1.00x in peak memory',
    'again, nothing changed: cdktf deploy / deploy (changed stacks only) = 50.00x in time',
  ]);
});

const linux = process.platform === 'linux' ? test : test.skip;
linux('process tree memory: a child and its grandchild are both counted while they run', async () => {
  // A node process that starts another and both wait: the tree below it has 2 processes (3 with itself).
  const child = spawn(process.execPath, ['-e', "const c=require('child_process').spawn(process.execPath,['-e','setTimeout(()=>{},3000)'],{stdio:'inherit'});setTimeout(()=>{},3000);console.log('up')"], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  await new Promise((r) => setTimeout(r, 300)); // the grandchild has started
  const withRoot = treeRss(child.pid!);
  const below = treeRss(child.pid!, true);
  expect(withRoot.processes).toBe(2);
  expect(below.processes).toBe(1);
  expect(below.kb).toBeGreaterThan(10_000); // a node process is at least ~10 MB
  expect(withRoot.kb).toBeGreaterThan(below.kb);
  const sampler = sampleTree(child.pid!, 20);
  await new Promise((r) => setTimeout(r, 100));
  expect(sampler.stop()).toEqual({ peakKb: expect.any(Number), peakProcesses: 2 });
  process.kill(-child.pid!); // the whole group: the grandchild too
}, 15_000);
