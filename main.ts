import './stacks/node-warnings';
import { App } from 'cdktf';
import { ConfigError, loadConfig } from './config/load';
import { FLEET_CHECKS } from './modules/fleet-checks';
import { buildFleet } from './stacks/fleet';
import { clearConfigError, reportConfigErrorToCdktfCli, synthReport, underCdktfCli } from './stacks/synth-output';
import { withLeanTokenTraces } from './stacks/lean-traces';

try {
  const config = loadConfig(undefined, FLEET_CHECKS);
  const app = new App();
  withLeanTokenTraces(() => {
    buildFleet(app, config);
    app.synth();
  });
  clearConfigError(app.outdir);
  process.stdout.write(synthReport(config, process.env));
} catch (e) {
  if (e instanceof ConfigError && underCdktfCli(process.env)) {
    reportConfigErrorToCdktfCli(e); // the CLI prints it once and fails the command
  } else {
    process.stderr.write(`${e instanceof ConfigError ? e.report('nothing was synthesized') : (e as Error).stack}\n`);
    process.exit(1);
  }
}
