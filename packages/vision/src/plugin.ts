import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';
import { generateVarCommand } from './var/generate-command.js';
import { VarGenerator } from './var/var-generator.js';
import { trainVarCommand } from './var/train-command.js';
import { varDemo } from './var/demo.js';
import { evalVarCommand } from './var/eval-command.js';

/** The @nextx/vision plugin: VAR next-scale image generation, registered as `vision/var`. */
export const plugin: Plugin = {
  name: '@nextx/vision',
  version: PACKAGE_VERSION,
  domain: 'vision',
  contractVersion: CONTRACT_VERSION,
  register(container) {
    container.register('vision/var', { useClass: VarGenerator });
  },
  commands: {
    generate: { 'vision/var': generateVarCommand },
    train: { 'vision/var': trainVarCommand },
    eval: { 'vision/var': evalVarCommand },
  },
  demo: varDemo,
};
