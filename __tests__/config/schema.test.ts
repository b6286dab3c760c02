import { readdirSync, readFileSync } from 'fs';
import { parse } from 'yaml';
import { configJsonSchema, TRAIL_SETTING_KEYS } from '../../config/schema';
import { renderSchema, SCHEMA_PATH } from '../../tools/write-schema';
import { defaultRaw, ROOT } from '../helpers/fleet';
import * as path from 'path';

describe('JSON Schema for editors', () => {
  test('the committed config/cloudtrail.schema.json is what the schema generates (run `npm run schema` after changing config/schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(renderSchema());
  });

  test('it describes every trail setting under defaults and accounts, and rejects unknown keys', () => {
    const schema = configJsonSchema() as any;
    const defaults = schema.properties.defaults;
    const account = schema.properties.accounts.items;
    for (const key of TRAIL_SETTING_KEYS) {
      expect(Object.keys(defaults.properties)).toContain(key);
      expect(Object.keys(account.properties)).toContain(key);
    }
    expect(account.required).toEqual(['accountId']);
    expect(account.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['central', 'accounts']));
    expect(account.properties.accountId.pattern).toBe('^\\d{12}$');
  });

  test('the default config and every example point editors at the schema', () => {
    const examples = readdirSync(path.join(ROOT, 'config', 'examples')).filter((f) => f.endsWith('.yaml'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const files = ['config/cloudtrail.yaml', ...examples.map((f) => `config/examples/${f}`)];
    for (const f of files) {
      expect(readFileSync(path.join(ROOT, f), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.{1,2}\/(\.\.\/)?(config\/)?cloudtrail\.schema\.json/m);
    }
    expect(parse(readFileSync(path.join(ROOT, 'config/cloudtrail.yaml'), 'utf8'))).toEqual(defaultRaw());
  });
});
