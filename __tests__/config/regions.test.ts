import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { ALL_REGIONS, NOT_IN_PINNED_PROVIDER, REGIONS } from '../../config/regions';
import { acceptedRegions, sdkRegions } from '../../tools/write-regions';

describe('the region list', () => {
  test('config/regions.json is what the installed AWS SDK metadata says (run npm run regions after an SDK update)', () => {
    expect(REGIONS).toEqual(acceptedRegions());
  });

  test('the SDK metadata is really read: it knows the common regions of each partition', () => {
    const sdk = sdkRegions();
    expect(sdk.aws).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'af-south-1']));
    expect(sdk['aws-us-gov']).toEqual(['us-gov-east-1', 'us-gov-west-1']);
    expect(sdk['aws-cn']).toEqual(['cn-north-1', 'cn-northwest-1']);
  });

  test('each left-out region is in the SDK list (so the exclusion list never goes stale silently)', () => {
    const sdk = Object.values(sdkRegions()).flat();
    for (const r of NOT_IN_PINNED_PROVIDER) expect(sdk).toContain(r);
  });

  // The provider refuses a region it does not know ("Invalid AWS Region") at plan time; its binary
  // carries the names of the regions it knows. Checked where the offline mirror exists (these machines).
  const mirror = '/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64';
  const binary = existsSync(mirror) ? readdirSync(mirror).find((f) => f.startsWith('terraform-provider-aws')) : undefined;
  (binary ? test : test.skip)('the pinned provider binary (hashicorp/aws 5.100.0) names every accepted region, and none of the left-out ones', () => {
    const bytes = readFileSync(path.join(mirror, binary!));
    const missing = ALL_REGIONS.filter((r) => !bytes.includes(r));
    expect(missing).toEqual([]);
    for (const r of NOT_IN_PINNED_PROVIDER) expect(bytes.includes(r)).toBe(false);
  });
});
