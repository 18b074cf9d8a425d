import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';

/** The @nextx/medical plugin: MRI next-acceleration-scale reconstruction. Its models arrive with the package's own issue. */
export const plugin: Plugin = {
  name: '@nextx/medical',
  version: PACKAGE_VERSION,
  domain: 'medical',
  contractVersion: CONTRACT_VERSION,
  register() {
    // Nothing is registered yet: the package is a buildable skeleton until its models land.
  },
};
