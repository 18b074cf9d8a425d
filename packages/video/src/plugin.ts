import { CONTRACT_VERSION, type Plugin } from '@nextx/core';
import { PACKAGE_VERSION } from './version.js';
import { VideoGenerator } from './video-generator.js';
import { generateVideoCommand } from './cli/generate-command.js';
import { trainVideoCommand } from './cli/train-command.js';
import { evalVideoCommand } from './cli/eval-command.js';
import { videoDemo } from './cli/demo.js';

/** The @nextx/video plugin: streaming chunk-autoregressive video diffusion, registered as `video/stream`. */
export const plugin: Plugin = {
  name: '@nextx/video',
  version: PACKAGE_VERSION,
  domain: 'video',
  contractVersion: CONTRACT_VERSION,
  register(container) {
    container.register('video/stream', { useClass: VideoGenerator });
  },
  commands: {
    generate: { 'video/stream': generateVideoCommand },
    train: { 'video/stream': trainVideoCommand },
    eval: { 'video/stream': evalVideoCommand },
  },
  demo: videoDemo,
};
