import { App } from 'cdktf';
import { ConfigError, loadConfig } from './config/load';
import { buildFleet } from './stacks/fleet';
import { synthSummary } from './stacks/summary';
import { withLeanTokenTraces } from './stacks/lean-traces';

try {
  const config = loadConfig();
  const app = new App();
  withLeanTokenTraces(() => {
    buildFleet(app, config);
    app.synth();
  });
  process.stderr.write(synthSummary(config));
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
}
