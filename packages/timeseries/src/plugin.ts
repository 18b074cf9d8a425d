import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';

/** The @nextx/timeseries plugin: AR-Net and SpaceTime forecasting. Its models arrive with the package's own issue. */
export const plugin: Plugin = {
  name: '@nextx/timeseries',
  version: PACKAGE_VERSION,
  domain: 'timeseries',
  contractVersion: CONTRACT_VERSION,
  register() {
    // Nothing is registered yet: the package is a buildable skeleton until its models land.
  },
};
