import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';

/** The @nextx/text plugin: bitstream-diffusion language models. Its models arrive with the package's own issue. */
export const plugin: Plugin = {
  name: '@nextx/text',
  version: PACKAGE_VERSION,
  domain: 'text',
  contractVersion: CONTRACT_VERSION,
  register() {
    // Nothing is registered yet: the package is a buildable skeleton until its models land.
  },
};
