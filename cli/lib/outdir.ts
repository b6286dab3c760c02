/** The synthesis output folder the commands share with `cdktf synth` (cdktf.json `output`, under the project root). */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { projectRoot } from '../../config/load';

export function defaultOutdir(root = projectRoot(__dirname)): string {
  const file = path.join(root, 'cdktf.json');
  let output = 'cdktf.out';
  if (existsSync(file)) {
    try {
      output = (JSON.parse(readFileSync(file, 'utf8')) as { output?: string }).output || output;
    } catch {
      // an unreadable cdktf.json: cdktf's own default
    }
  }
  return path.resolve(root, output);
}
