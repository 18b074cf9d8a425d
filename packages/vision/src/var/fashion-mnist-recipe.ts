import { imageGridFigure, type GridImages, type ImageGridFigure, type ProgressListener } from '@nextx/core';
import { FASHION_MNIST_CLASSES } from '../data/fashion-mnist.js';
import { parseVarModelConfig, type VarModelConfig } from './config.js';
import { generateVarAll } from './generate.js';
import type { LoadedVar } from './load.js';

/**
 * A VAR sized for Fashion-MNIST on a laptop CPU: 28×28 padded to 32×32, one channel, a 4× down-sampling VQVAE
 * (8×8 latent, scales 1,2,3,4,6,8, 512 codes of 16 channels), and a 4-block, width-128 transformer.
 */
export const FASHION_MNIST_VAR_CONFIG: VarModelConfig = parseVarModelConfig({
  vqvae: {
    vocab_size: 512,
    z_channels: 16,
    ch: 32,
    ch_mult: [1, 2, 2],
    num_res_blocks: 1,
    in_channels: 1,
    num_groups: 8,
    using_sa: false,
    using_mid_sa: true,
    v_patch_nums: [1, 2, 3, 4, 6, 8],
  },
  var: { num_classes: 10, depth: 4, embed_dim: 128, num_heads: 4, patch_nums: [1, 2, 3, 4, 6, 8], cond_drop_rate: 0.1 },
});

export interface ClassGridOptions {
  /** Class names, one row each (labels 0 … n − 1); default Fashion-MNIST's ten. */
  readonly classNames?: readonly string[];
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** A sample grid with one row of `perClass` images per class, labelled with the class names. */
export function classGridFigure(images: GridImages, perClass: number, classNames: readonly string[] = FASHION_MNIST_CLASSES): ImageGridFigure {
  return imageGridFigure({ images, columns: perClass, rowLabels: classNames, title: 'VAR samples, one row per class (cfg 2, top-k 50)' });
}

/** One row per class, `perClass` samples each, guidance 2 with top-k 50. */
export async function writeClassGrid(model: LoadedVar, file: string, seed: number, perClass = 8, options: ClassGridOptions = {}): Promise<string> {
  const names = options.classNames ?? FASHION_MNIST_CLASSES;
  const classes = Array.from({ length: names.length * perClass }, (_, i) => Math.floor(i / perClass));
  const scales = await generateVarAll(model, { classes, cfg: 2, topK: 50, topP: 0 }, {
    seed,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const image = scales.at(-1)?.image;
  if (!image) throw new Error('generation produced no image');
  const [, h, w, c] = image.shape;
  const tiles = classes.map((_, i) => ({ data: image.data.subarray(i * h * w * c, (i + 1) * h * w * c), height: h, width: w, channels: c as 1 | 3 }));
  return classGridFigure(tiles, perClass, names).write(file);
}
