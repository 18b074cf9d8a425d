import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { DEBIAN_FASHION_MNIST_DIR, fashionMnistPixels, readFashionMnist } from '../data/fashion-mnist.js';
import { DEMO_CHECKPOINT } from './demo.js';
import { loadVarCheckpoint } from './load.js';
import { reconstructionMse } from './train-vqvae.js';

export const evalVarCommand: PluginCommand = {
  description: "held-out VQVAE reconstruction MSE (pixels in [−1, 1]) of a Fashion-MNIST checkpoint on the t10k split",
  options: [
    { flags: '--checkpoint <dir>', description: 'checkpoint directory (default: the bundled demo model)' },
    { flags: '--data <dir>', description: 'folder with the Fashion-MNIST IDX files', defaultValue: DEBIAN_FASHION_MNIST_DIR },
    { flags: '--images <n>', description: 'held-out images to reconstruct', defaultValue: '1000' },
  ],
  async run(options, context: CliContext) {
    const images = Number(options['images']);
    if (!Number.isInteger(images) || images < 1) throw new InputError(`--images must be a positive integer; got '${String(options['images'])}'`);
    const checkpoint = typeof options['checkpoint'] === 'string' ? options['checkpoint'] : DEMO_CHECKPOINT;
    const test = readFashionMnist('t10k', String(options['data']));
    const count = Math.min(images, test.count);
    const model = await loadVarCheckpoint(checkpoint);
    try {
      context.log(`reconstructing ${count} held-out images through the tokenizer`);
      const pixels = fashionMnistPixels(test, Array.from({ length: count }, (_, i) => i), 32);
      const mse = reconstructionMse(model.vqvae, pixels, [count, 32, 32, 1]);
      return { checkpoint, images: count, reconstructionMse: mse };
    } finally {
      model.dispose();
    }
  },
};
