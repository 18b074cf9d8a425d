import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';
import { ArnetGenerator, SpacetimeGenerator } from './forecast/forecast-generator.js';
import { evalCommand } from './cli/eval-command.js';
import { generateCommand } from './cli/generate-command.js';
import { trainCommand } from './cli/train-command.js';
import { timeseriesDemo } from './demo.js';

/** The @nextx/timeseries plugin: AR-Net (`timeseries/arnet`) and SpaceTime (`timeseries/spacetime`) forecasting. */
export const plugin: Plugin = {
  name: '@nextx/timeseries',
  version: PACKAGE_VERSION,
  domain: 'timeseries',
  contractVersion: CONTRACT_VERSION,
  register(container) {
    container.register('timeseries/arnet', { useClass: ArnetGenerator });
    container.register('timeseries/spacetime', { useClass: SpacetimeGenerator });
  },
  commands: {
    generate: { 'timeseries/arnet': generateCommand('timeseries/arnet'), 'timeseries/spacetime': generateCommand('timeseries/spacetime') },
    train: { 'timeseries/arnet': trainCommand('timeseries/arnet'), 'timeseries/spacetime': trainCommand('timeseries/spacetime') },
    eval: { 'timeseries/arnet': evalCommand('timeseries/arnet'), 'timeseries/spacetime': evalCommand('timeseries/spacetime') },
  },
  demo: timeseriesDemo,
};
