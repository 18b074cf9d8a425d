import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';
import { ByteGenGenerator } from './bytegen/bytegen-generator.js';
import { evalByteGenCommand, generateByteGenCommand, trainByteGenCommand } from './bytegen/commands.js';
import { byteGenDemo } from './bytegen/demo.js';

/** The @nextx/finance-bytes plugin: ByteGen order-book byte streams, registered as `finance-bytes/bytegen`. */
export const plugin: Plugin = {
  name: '@nextx/finance-bytes',
  version: PACKAGE_VERSION,
  domain: 'finance-bytes',
  contractVersion: CONTRACT_VERSION,
  register(container) {
    container.register('finance-bytes/bytegen', { useClass: ByteGenGenerator });
  },
  commands: {
    generate: { 'finance-bytes/bytegen': generateByteGenCommand },
    train: { 'finance-bytes/bytegen': trainByteGenCommand },
    eval: { 'finance-bytes/bytegen': evalByteGenCommand },
  },
  demo: byteGenDemo,
};
