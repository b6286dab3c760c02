/**
 * `cloudtrail-fleet doctor`: is every account ready for a deploy? One line
 * per account (docs/commands.md, "doctor"): credentials and role assumable,
 * the credentials act in that account (allowed_account_ids), the trail home
 * regions enabled, trusted access and the management account for
 * organization trails, the central bucket ours or not there yet; and the
 * state backend reachable.
 *
 * Exit 0 when every account is ready, 1 when any is not, 3 when nothing
 * could be checked (no credentials, AWS unreachable: said once), 2 on a
 * usage or config error.
 */
import * as path from 'path';
import { loadConfig } from '../../config/load';
import { FLEET_CHECKS } from '../../modules/fleet-checks';
import type { FleetConfig } from '../../config/model';
import { CommandIO, CommandSpec, CouldNotCheck, EXIT, ParsedArgs, countOption, stringOption } from '../command';
import { AwsSession, stsRegion } from '../lib/aws-access';
import type { Fetch } from '../lib/doctor/backend';
import { couldNotCheckJson, formatDoctorJson, formatDoctorTable } from '../lib/doctor/report';
import { doctorExitCode, runDoctor } from '../lib/doctor/run';
import { defaultOutdir } from '../lib/outdir';
import { ProgressLine, countProgress } from '../lib/progress';

export const SESSION_NAME = 'cloudtrail-fleet-doctor';

export const command: CommandSpec = {
  name: 'doctor',
  summary: 'check that every account is ready for a deploy: credentials, account, regions, organization, bucket, state backend',
  options: {
    concurrency: { type: 'string', value: '<n>', description: 'accounts checked at once (default 16)' },
    out: { type: 'string', value: '<dir>', description: 'the synthesis output folder, whose parent holds local state (default: cdktf.json output, cdktf.out)' },
  },
  details: [
    'Needs the credentials a deploy uses: each account through its assumeRoleArn (else the ambient credentials), the bucket through central.assumeRoleArn.',
    'Read-only calls: sts:AssumeRole, ec2:DescribeRegions, organizations:DescribeOrganization and ListAWSServiceAccessForOrganization (organization trails), s3:ListBucket (HeadBucket).',
  ].join('\n'),
  run: (args, io) => doctor(args, io),
};

/** The command with its AWS session given (tests give a session on mocked clients; `fetch` answers the HCP Terraform API). */
export async function doctor(args: ParsedArgs, io: CommandIO, makeSession?: (config: FleetConfig) => AwsSession, fetch?: Fetch): Promise<number> {
  const config = loadConfig(args.config, FLEET_CHECKS);
  const concurrency = countOption(args, 'concurrency', 16);
  const outdir = path.resolve(stringOption(args, 'out') ?? defaultOutdir());
  const session = makeSession?.(config) ?? new AwsSession({ sessionName: SESSION_NAME, stsRegion: stsRegion(io.env, config.partition) });
  const progress = new ProgressLine({ write: io.stderr, isTTY: io.stderrIsTTY, columns: Number(io.env.COLUMNS) || undefined });
  const now = io.now();
  try {
    const report = await runDoctor(config, session, {
      concurrency,
      outdir,
      env: io.env,
      now,
      onProgress: countProgress(progress, (done, total) => `doctor: ${done}/${total} accounts checked`),
      fetch,
    });
    progress.done();
    io.stdout(args.json ? formatDoctorJson(report) : formatDoctorTable(report));
    return doctorExitCode(report);
  } catch (e) {
    progress.done();
    if (e instanceof CouldNotCheck) {
      io.stderr(`doctor: could not check: ${e.message}\n`);
      if (args.json) io.stdout(couldNotCheckJson(e.message, now.toISOString()));
      return EXIT.couldNotCheck;
    }
    throw e;
  }
}
