/**
 * Writes config/cloudtrail.schema.json, the JSON Schema of the config file,
 * for editor completion (YAML files point at it with a yaml-language-server
 * comment). A test fails when the committed file is out of date.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { projectRoot } from '../config/load';
import { configJsonSchema } from '../config/schema';

export const SCHEMA_PATH = path.join(projectRoot(__dirname), 'config', 'cloudtrail.schema.json');

export function renderSchema(): string {
  return `${JSON.stringify({ title: 'cloudtrail-fleet config', ...configJsonSchema() }, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_PATH, renderSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}\n`);
}
