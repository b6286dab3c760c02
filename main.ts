import './stacks/node-warnings';
import { App } from 'cdktf';
import { ConfigError, configPath, loadConfig } from './config/load';
import { FLEET_CHECKS } from './modules/fleet-checks';
import { buildFleet } from './stacks/fleet';
import { clearConfigError, reportConfigErrorToCdktfCli, synthReport, underCdktfCli } from './stacks/synth-output';
import { withLeanTokenTraces } from './stacks/lean-traces';
import { clearOtherFleetBackends, fleetMarker, legacyStateWarnings, writeFleetMarker } from './stacks/fleet-marker';

try {
  const config = loadConfig(undefined, FLEET_CHECKS);
  const app = new App();
  withLeanTokenTraces(() => {
    buildFleet(app, config);
    app.synth();
  });
  clearConfigError(app.outdir);
  const notes = clearOtherFleetBackends(config, app.outdir);
  writeFleetMarker(app.outdir, fleetMarker(config, configPath(), app.outdir));
  process.stdout.write(synthReport(config, process.env));
  for (const w of [...notes, ...legacyStateWarnings(config, app.node.children.map((c) => c.node.id), app.outdir)]) process.stdout.write(`${w}\n`);
} catch (e) {
  if (e instanceof ConfigError && underCdktfCli(process.env)) {
    reportConfigErrorToCdktfCli(e); // the CLI prints it once and fails the command
  } else {
    process.stderr.write(`${e instanceof ConfigError ? e.report('nothing was synthesized') : (e as Error).stack}\n`);
    process.exit(1);
  }
}
