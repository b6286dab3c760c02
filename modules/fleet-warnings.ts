/**
 * Every warning of a config: the config's own (config/warnings.ts) and the
 * ones that need the policy builders (which config/ cannot import). Commands
 * and the synth summary use this, never configWarnings alone.
 */
import type { FleetConfig } from '../config/model';
import { ConfigWarning, configWarnings } from '../config/warnings';
import { guardEncodingWarnings } from './guard/checks';

export function fleetWarnings(config: FleetConfig, now?: () => Date): ConfigWarning[] {
  return [...configWarnings(config, now), ...guardEncodingWarnings(config)];
}
