import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { DEBIAN_FASHION_MNIST_DIR } from '../data/fashion-mnist.js';
import { openTrainingData } from '../data/training-data.js';
import { deriveSizes } from './config.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { loadVarCheckpoint } from './load.js';
import { evaluateReconstruction } from './train-vqvae.js';

const integer = (flag: string, value: unknown, min: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'`);
  return n;
};

export const evalVarCommand: PluginCommand = {
  description: 'held-out VQVAE reconstruction MSE (pixels in [−1, 1]) and codebook usage of a checkpoint: Fashion-MNIST t10k or an image folder',
  options: [
    { flags: '--checkpoint <dir>', description: 'checkpoint directory (default: the bundled demo model)' },
    { flags: '--data <dir>', description: 'Fashion-MNIST IDX files or a folder of PNGs (its test/ split, or the held-out fifth a training run with --seed used)', defaultValue: DEBIAN_FASHION_MNIST_DIR },
    { flags: '--images <n>', description: 'held-out images to reconstruct', defaultValue: '1000' },
    { flags: '--seed <n>', description: "the training run's seed (picks a folder's held-out images)", defaultValue: '0' },
  ],
  async run(options, context: CliContext) {
    const images = integer('--images', options['images'], 1);
    const seed = integer('--seed', options['seed'], 0);
    const checkpoint = typeof options['checkpoint'] === 'string' ? options['checkpoint'] : DEMO_CHECKPOINT;
    const model = await loadVarCheckpoint(checkpoint);
    try {
      const channels = model.config.vqvae.in_channels;
      const data = await openTrainingData(String(options['data']), {
        size: deriveSizes(model.config).imageSize,
        ...(channels === 1 || channels === 3 ? { channels } : {}),
        trainImages: 0,
        heldOutImages: images,
        seed,
        onProgress: context.onProgress,
        signal: context.signal,
      });
      context.log(`reconstructing ${data.heldOut.count} held-out images through the tokenizer`);
      const report = await evaluateReconstruction(model.vqvae, data.heldOut, { onProgress: context.onProgress, signal: context.signal });
      return { checkpoint, data: data.path, images: report.images, reconstructionMse: report.mse, codebookUsage: report.codebookUsage };
    } finally {
      model.dispose();
    }
  },
};
