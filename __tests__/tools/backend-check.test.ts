/**
 * The backend-block check of `npm run validate` (scripts/backend-check.ts):
 * its classifier on real `terraform init` outputs captured offline with
 * Terraform 1.11.4 (fixtures/backend-init.json), and the scratch folder it
 * gives Terraform.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendEnv, backendOnly, classifyBackendInit, describeVerdict, writeBackendScratch } from '../../tools/backend-check';

const captured: Record<string, { code: number; output: string }> = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'backend-init.json'), 'utf8'));
const verdict = (name: string) => classifyBackendInit(captured[name]);

describe('classifying terraform init of a backend-only folder', () => {
  test.each([
    ['cloud-hostname-url', /Need just a hostname and optional port number, not a full URL/],
    ['cloud-hostname-path', /hostname is not in the correct format|disallowed rune/],
    ['cloud-no-organization', /"organization" must be set/],
    ['s3-key-leading-slash', /must not start or end with "\/"/],
    ['s3-key-double-slash', /must not contain "\/\/"/],
    ['s3-bad-region', /Invalid region value/],
    ['s3-unknown-attribute', /No argument or block type is named "lock"/],
  ])('%s: a configuration error is a failure, with Terraform\'s message', (name, message) => {
    const v = verdict(name);
    expect(v.outcome).toBe('rejected');
    expect(v.errors.join('\n')).toMatch(message);
  });

  test.each(['cloud-good', 's3-good', 's3-good-dynamodb'])('%s: failing only for want of network or credentials means the block was accepted', (name) => {
    const v = verdict(name);
    expect(v.outcome).toBe('accepted');
    expect(v.errors).toEqual([]);
    expect(v.offline.length).toBeGreaterThan(0);
    expect(v.offline.join('\n')).toMatch(/credential|discovery document/);
  });

  test('warnings are reported but do not fail the block (dynamodb_table is deprecated in favour of use_lockfile)', () => {
    expect(verdict('s3-good-dynamodb').warnings.join('\n')).toMatch(/"dynamodb_table" is deprecated/);
  });

  test('a local backend initializes', () => {
    expect(verdict('local-good').outcome).toBe('initialized');
  });

  test('a network error next to a configuration error is still a failure', () => {
    const mixed = `${captured['cloud-good'].output}\n${captured['cloud-hostname-url'].output}`;
    expect(classifyBackendInit({ code: 1, output: mixed }).outcome).toBe('rejected');
  });

  test('a timeout is never a pass, even if what was printed so far looks offline', () => {
    const v = classifyBackendInit({ ...captured['cloud-good'], timedOut: true });
    expect(v.outcome).toBe('timeout');
    expect(describeVerdict(v, 30)).toMatch(/TIMED OUT after 30 s .*counted as a failure/);
  });

  test('a failure with no error block Terraform is known to print is a failure', () => {
    expect(classifyBackendInit({ code: 1, output: 'Killed\n' }).outcome).toBe('rejected');
    expect(classifyBackendInit({ code: 1, output: '' }).errors[0]).toMatch(/exited 1 without output/);
  });

  test('an offline-looking message that is not about discovery or credentials does not count as offline', () => {
    const v = classifyBackendInit({ code: 1, output: 'Error: Invalid workspace name: no such host is allowed here\n' });
    expect(v.outcome).toBe('rejected');
  });
});

describe('the scratch folder', () => {
  const stack = {
    terraform: { backend: { s3: { bucket: 'state', key: 'a/cloudtrail-central.tfstate', region: 'us-east-2' } }, required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
    provider: { aws: [{ region: 'us-east-2' }] },
    resource: { aws_s3_bucket: { b: { bucket: 'x' } } },
  };

  test('holds only the backend block: no providers to install, no resources', () => {
    expect(backendOnly(stack)).toEqual({ terraform: { backend: stack.terraform.backend } });
    expect(backendOnly({ terraform: { cloud: { organization: 'acme' } } })).toEqual({ terraform: { cloud: { organization: 'acme' } } });
    expect(backendOnly({ terraform: { required_providers: {} } })).toBeUndefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'backend-'));
    try {
      const scratch = writeBackendScratch(stack, path.join(dir, 'central'))!;
      expect(JSON.parse(readFileSync(path.join(scratch, 'main.tf.json'), 'utf8'))).toEqual({ terraform: { backend: stack.terraform.backend } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('its environment carries no credentials and turns the instance metadata service off', () => {
    const env = backendEnv(
      { PATH: '/bin', HOME: '/root', AWS_ACCESS_KEY_ID: 'AKIA', AWS_PROFILE: 'prod', TF_TOKEN_app_terraform_io: 't', TF_CLOUD_ORGANIZATION: 'x', TF_CLI_CONFIG_FILE: '/x.rc', TF_PLUGIN_CACHE_DIR: '/cache' },
      '/scratch',
    );
    expect(env.PATH).toBe('/bin');
    expect(env.TF_CLI_CONFIG_FILE).toBe('/x.rc');
    expect(env.HOME).toBe('/scratch');
    expect(env.AWS_EC2_METADATA_DISABLED).toBe('true');
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'TF_TOKEN_app_terraform_io', 'TF_CLOUD_ORGANIZATION', 'TF_PLUGIN_CACHE_DIR']) expect(env[k]).toBeUndefined();
  });
});
