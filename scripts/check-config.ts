/**
 * `npm run check-config [file]`: validates a config without synthesizing and
 * prints, per account, what each trail logs and where it delivers, then the
 * warnings worth a human's eye. Exit 1 when the config is invalid.
 */
import { ConfigError, loadConfig } from '../config/load';
import type { FleetConfig, TrailConfig } from '../config/model';
import { configWarnings } from '../config/warnings';
import { logFolder } from '../modules/arns';
import { fleetPolicies } from '../modules/policies/fleet-policies';
import { eventSelectors } from '../modules/selectors';

function events(t: TrailConfig): string {
  const parts: string[] = [];
  const m = t.managementEvents;
  if (m.readWrite !== 'None') {
    const excluded = [m.excludeKmsEvents && 'KMS', m.excludeRdsDataApiEvents && 'RDS Data API'].filter(Boolean);
    parts.push(`management ${m.readWrite}${excluded.length ? ` (no ${excluded.join(', ')})` : ''}`);
  }
  const d = t.dataEvents;
  if (d.s3.allBuckets) parts.push(`S3 all buckets ${d.s3.allBuckets}`);
  if (d.s3.buckets.length) parts.push(`S3 ${d.s3.buckets.length} bucket(s)`);
  if (d.lambda.allFunctions) parts.push(`Lambda all ${d.lambda.allFunctions}`);
  if (d.lambda.functions.length) parts.push(`Lambda ${d.lambda.functions.length} function(s)`);
  if (d.dynamodb.allTables) parts.push(`DynamoDB all ${d.dynamodb.allTables}`);
  if (d.dynamodb.tables.length) parts.push(`DynamoDB ${d.dynamodb.tables.length} table(s)`);
  if (d.advanced.length) parts.push(`${d.advanced.length} raw advanced selector(s)`);
  const insights = [t.insights.apiCallRate && 'call rate', t.insights.apiErrorRate && 'error rate'].filter(Boolean);
  if (insights.length) parts.push(`Insights ${insights.join(' + ')}`);
  return parts.join('; ');
}

function encryption(t: TrailConfig): string {
  switch (t.kmsKey.kind) {
    case 'central':
      return 'SSE-KMS central key';
    case 'none':
      return 'bucket default';
    case 'arn':
      return `SSE-KMS ${t.kmsKey.arn}`;
    case 'create':
      return `SSE-KMS new ${t.kmsKey.alias}`;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export function report(config: FleetConfig): string {
  const { central, organization } = config;
  const rows = [['ACCOUNT', 'TRAIL', 'REGION', 'DELIVERS TO', 'ENCRYPTION', 'SELECTORS', 'EVENTS', 'ALSO']];
  for (const t of config.trails) {
    const folder = logFolder(t.prefix, t.organizationTrail && organization ? `${organization.id}/…` : t.accountId);
    const also = [t.sns && 'SNS', t.sns?.kind === 'create' && t.sns.sqsQueueName && 'SQS', t.cloudWatchLogs && 'CloudWatch Logs', t.organizationTrail && 'org trail'].filter(Boolean);
    rows.push([
      t.accountId,
      t.trailName,
      t.multiRegion ? `${t.region} (all)` : t.region,
      `s3://${central.bucketName}/${folder}`,
      encryption(t),
      eventSelectors(config.partition, t).kind,
      events(t) || '-',
      also.join(', ') || '-',
    ]);
  }
  const { bucket, centralKey } = fleetPolicies(config);
  const lines = [table(rows), '', `bucket policy: ${bucket.bytes} bytes of 20480 (${bucket.encoding})`];
  if (centralKey) lines.push(`central key policy: ${centralKey.bytes} bytes of 32768 (${centralKey.encoding})`);
  const warnings = configWarnings(config);
  lines.push('', warnings.length ? `${warnings.length} warning(s):` : 'no warnings');
  for (const w of warnings) lines.push(`  - ${w.path}: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  try {
    const config = loadConfig(process.argv[2] || undefined);
    process.stdout.write(report(config));
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).stack}\n`);
    process.exit(1);
  }
}
