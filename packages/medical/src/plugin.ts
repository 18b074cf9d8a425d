import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';
import { mriNasDemo } from './mri-nas/demo.js';
import { evalMriNasCommand } from './mri-nas/eval-command.js';
import { generateMriNasCommand } from './mri-nas/generate-command.js';
import { MriNasGenerator } from './mri-nas/mri-nas-generator.js';
import { trainMriNasCommand } from './mri-nas/train-command.js';

/** The @nextx/medical plugin: MRI reconstruction by next-acceleration-scale prediction, registered as `medical/mri-nas`. */
export const plugin: Plugin = {
  name: '@nextx/medical',
  version: PACKAGE_VERSION,
  domain: 'medical',
  contractVersion: CONTRACT_VERSION,
  register(container) {
    container.register('medical/mri-nas', { useClass: MriNasGenerator });
  },
  commands: {
    generate: { 'medical/mri-nas': generateMriNasCommand },
    train: { 'medical/mri-nas': trainMriNasCommand },
    eval: { 'medical/mri-nas': evalMriNasCommand },
  },
  demo: mriNasDemo,
};
