/** Finding the HCP Terraform token where Terraform looks for it, in Terraform's order. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { credentialsFromCliConfig, findTerraformToken, hostOfTokenEnv, tokenEnvNames } from '../../../../cli/lib/terraform/credentials';

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'tfhome-'));
});

test('TF_TOKEN_ names: dots as underscores, hyphens as double underscores (Terraform decodes them so)', () => {
  expect(tokenEnvNames('app.terraform.io')[0]).toBe('TF_TOKEN_app_terraform_io');
  expect(tokenEnvNames('tfe.my-company.example')[0]).toBe('TF_TOKEN_tfe_my__company_example');
  expect(hostOfTokenEnv('TF_TOKEN_tfe_my__company_example')).toBe('tfe.my-company.example');
  expect(hostOfTokenEnv('TF_TOKEN_app.terraform.io')).toBe('app.terraform.io');
  expect(hostOfTokenEnv('AWS_TOKEN')).toBeUndefined();
});

test('the environment variable first', () => {
  writeFileSync(path.join(home, '.terraformrc'), 'credentials "app.terraform.io" { token = "from-rc" }\n');
  expect(findTerraformToken('app.terraform.io', { TF_TOKEN_app_terraform_io: 'from-env' }, home)).toEqual({ found: true, source: 'the environment variable TF_TOKEN_app_terraform_io', token: 'from-env' });
});

test('a credentials block of the CLI config (TF_CLI_CONFIG_FILE, else ~/.terraformrc)', () => {
  const rc = path.join(home, 'custom.tfrc');
  writeFileSync(rc, 'plugin_cache_dir = "/x"\ncredentials "tfe.example.com" {\n  token = "abc.atlasv1.def"\n}\n');
  expect(findTerraformToken('TFE.example.com', { TF_CLI_CONFIG_FILE: rc }, home)).toEqual({ found: true, source: `the CLI config ${rc}`, token: 'abc.atlasv1.def' });
});

test('credentials.tfrc.json, as terraform login writes it', () => {
  mkdirSync(path.join(home, '.terraform.d'));
  writeFileSync(path.join(home, '.terraform.d', 'credentials.tfrc.json'), JSON.stringify({ credentials: { 'app.terraform.io': { token: 'from-login' } } }));
  expect(findTerraformToken('app.terraform.io', {}, home)).toMatchObject({ found: true, token: 'from-login' });
});

test('none: where it looked, and a credentials helper it cannot run', () => {
  writeFileSync(path.join(home, '.terraformrc'), 'credentials_helper "vault" {\n  args = []\n}\n');
  expect(findTerraformToken('app.terraform.io', {}, home)).toEqual({
    found: false,
    helper: 'vault',
    looked: ['TF_TOKEN_app_terraform_io', path.join(home, '.terraformrc'), path.join(home, '.terraform.d', 'credentials.tfrc.json')],
  });
  expect(credentialsFromCliConfig('credentials "a.b" { token = "t" }').tokens.get('a.b')).toBe('t');
});
