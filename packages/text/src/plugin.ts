import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';
import { evalCommands } from './commands/eval-command.js';
import { generateCommands } from './commands/generate-command.js';
import { trainCommands } from './commands/train-command.js';
import { ArGenerator, BitlmGenerator, CobitGenerator } from './generators.js';
import { textDemo } from './demo.js';

/** The @nextx/text plugin: CoBit (bitstream diffusion), BitLM and the AR reference, with their CLI verbs. */
export const plugin: Plugin = {
  name: '@nextx/text',
  version: PACKAGE_VERSION,
  domain: 'text',
  contractVersion: CONTRACT_VERSION,
  register(container) {
    container.register('text/cobit', { useClass: CobitGenerator });
    container.register('text/ar', { useClass: ArGenerator });
    container.register('text/bitlm', { useClass: BitlmGenerator });
  },
  commands: {
    train: trainCommands,
    generate: generateCommands,
    eval: evalCommands,
  },
  demo: (context) => textDemo(context),
};
