/**
 * `npm run regions`: rewrites config/regions.json from the AWS SDK's partition
 * metadata (@aws-sdk/core, pinned through the SDK clients), the maintained list
 * of every public region per partition. __tests__/config/regions.test.ts fails
 * when the file and the installed SDK disagree, so an SDK update brings new
 * regions in through one reviewed diff.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { projectRoot } from '../config/load';
import { NOT_IN_PINNED_PROVIDER, SUPPORTED_PARTITIONS } from '../config/regions';

/** Every region of the SDK's metadata, by partition id (pseudo-regions such as aws-global left out). */
export function sdkRegions(): Record<string, string[]> {
  const core = path.dirname(require.resolve('@aws-sdk/core/package.json'));
  const file = path.join(core, 'dist-es', 'submodules', 'client', 'util-endpoints', 'lib', 'aws', 'partitions.js');
  const text = readFileSync(file, 'utf8');
  const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
  const info = JSON.parse(json) as { partitions: { id: string; regions: Record<string, unknown> }[] };
  const out: Record<string, string[]> = {};
  for (const p of info.partitions) out[p.id] = Object.keys(p.regions).filter((r) => /^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(r)).sort();
  return out;
}

/** The regions this project accepts: the SDK's, in the supported partitions, that the pinned provider knows. */
export function acceptedRegions(): Record<string, string[]> {
  const sdk = sdkRegions();
  return Object.fromEntries(SUPPORTED_PARTITIONS.map((p) => [p, (sdk[p] ?? []).filter((r) => !NOT_IN_PINNED_PROVIDER.includes(r))]));
}

if (require.main === module) {
  const file = path.join(projectRoot(__dirname), 'config', 'regions.json');
  writeFileSync(file, `${JSON.stringify(acceptedRegions(), null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
