import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';

/** The @nextx/vision plugin: VAR next-scale image generation. Its models arrive with the package's own issue. */
export const plugin: Plugin = {
  name: '@nextx/vision',
  version: PACKAGE_VERSION,
  domain: 'vision',
  contractVersion: CONTRACT_VERSION,
  register() {
    // Nothing is registered yet: the package is a buildable skeleton until its models land.
  },
};
