import { join } from 'node:path';
import { tf, writePng, writeSafetensors } from '@nextx/core';
import type { LevelReconstruction } from './generate.js';

export interface LevelFiles {
  readonly png: string;
  readonly safetensors: string;
}

/**
 * Writes one level: `level-<k>-<R>x.png` (the mean magnitude, black = 0, white = `displayMax`) and
 * `level-<k>-<R>x.safetensors` (F32 `mean` and `std` [N, N], `samples` [S, N, N], `real` and `imag` of the mean
 * complex image [N, N]). Both atomically.
 */
export function writeLevelOutputs(dir: string, level: LevelReconstruction, displayMax: number): LevelFiles {
  const n = level.size;
  const name = `level-${level.level}-${level.acceleration}x`;
  const png = join(dir, `${name}.png`);
  const scaled = level.mean.map((v) => Math.min(1, Math.max(0, v / displayMax)));
  writePng(png, { data: scaled, height: n, width: n, channels: 1 });
  const safetensors = join(dir, `${name}.safetensors`);
  const tensors = {
    mean: tf.tensor2d(level.mean, [n, n]),
    std: tf.tensor2d(level.std, [n, n]),
    samples: tf.tensor3d(level.samples, [level.samples.length / (n * n), n, n]),
    real: tf.tensor2d(level.complexMean.re, [n, n]),
    imag: tf.tensor2d(level.complexMean.im, [n, n]),
  };
  try {
    writeSafetensors(safetensors, tensors);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return { png, safetensors };
}
