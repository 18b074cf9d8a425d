import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';

/** The @nextx/finance-bytes plugin: ByteGen order-book byte streams. Its models arrive with the package's own issue. */
export const plugin: Plugin = {
  name: '@nextx/finance-bytes',
  version: PACKAGE_VERSION,
  domain: 'finance-bytes',
  contractVersion: CONTRACT_VERSION,
  register() {
    // Nothing is registered yet: the package is a buildable skeleton until its models land.
  },
};
