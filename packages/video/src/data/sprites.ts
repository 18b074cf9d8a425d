import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_FASHION_MNIST_DIR, InputError, readFashionMnist, type FashionMnistSplitData, type Rng } from '@nextx/core';

/** A square grayscale sprite: intensities in [0, 1], row-major, `size`×`size`; 0 is transparent. */
export interface Sprite {
  readonly size: number;
  readonly pixels: Float32Array;
  /** Fashion-MNIST class (0..9), or the shape's index for procedural sprites. */
  readonly label: number;
}

/** Where sprites come from: a split of Fashion-MNIST, or procedural shapes. */
export interface SpriteSource {
  readonly kind: 'fashion-mnist' | 'shapes';
  draw(rng: Rng): Sprite;
}

/** Whether Debian's dataset-fashion-mnist files are in `dir`. */
export function hasFashionMnist(dir: string = DEBIAN_FASHION_MNIST_DIR): boolean {
  return ['train', 't10k'].every((split) =>
    ['images-idx3-ubyte', 'labels-idx1-ubyte'].some((stem) => [`${split}-${stem}.gz`, `${split}-${stem}`].some((name) => existsSync(join(dir, name)))),
  );
}

const fashionCache = new Map<string, FashionMnistSplitData>();

/** Fashion-MNIST items of one split (train for training, t10k for held-out sequences), box-filtered to `size`. */
export function fashionMnistSprites(split: 'train' | 't10k', size: number, dir: string = DEBIAN_FASHION_MNIST_DIR): SpriteSource {
  const key = `${dir}:${split}`;
  const data = fashionCache.get(key) ?? readFashionMnist(split, dir);
  fashionCache.set(key, data);
  return {
    kind: 'fashion-mnist',
    draw(rng) {
      const index = rng.int(0, data.count - 1);
      const plane = data.rows * data.cols;
      const item = Float32Array.from(data.images.subarray(index * plane, (index + 1) * plane), (v) => v / 255);
      return { size, pixels: boxResize(item, data.rows, size), label: data.labels[index] as number };
    },
  };
}

/**
 * Resizes a square image by area averaging (each output pixel is the mean of the input area it covers, with
 * fractional edge weights): 28 → 16 keeps thin strokes instead of skipping them as nearest-neighbour would.
 */
export function boxResize(pixels: Float32Array, from: number, to: number): Float32Array {
  const out = new Float32Array(to * to);
  const scale = from / to;
  const weights = (i: number): [number, number][] => {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    const cells: [number, number][] = [];
    for (let k = Math.floor(lo); k < Math.min(from, Math.ceil(hi)); k++) cells.push([k, Math.min(hi, k + 1) - Math.max(lo, k)]);
    return cells;
  };
  const spans = Array.from({ length: to }, (_, i) => weights(i));
  for (let r = 0; r < to; r++) {
    for (let c = 0; c < to; c++) {
      let sum = 0;
      for (const [y, wy] of spans[r] as [number, number][]) for (const [x, wx] of spans[c] as [number, number][]) sum += (pixels[y * from + x] as number) * wy * wx;
      out[r * to + c] = sum / (scale * scale);
    }
  }
  return out;
}

const SHAPES = ['disc', 'square', 'triangle', 'ring', 'cross', 'diamond'] as const;

/** Whether the point (u, v) in [−1, 1]² lies inside shape `kind`. */
function inside(kind: (typeof SHAPES)[number], u: number, v: number): boolean {
  switch (kind) {
    case 'disc':
      return u * u + v * v <= 0.8;
    case 'square':
      return Math.abs(u) <= 0.7 && Math.abs(v) <= 0.7;
    case 'triangle':
      return v <= 0.75 && v >= -0.75 + 1.5 * Math.abs(u) * 1.1;
    case 'ring': {
      const r = u * u + v * v;
      return r <= 0.8 && r >= 0.3;
    }
    case 'cross':
      return (Math.abs(u) <= 0.25 && Math.abs(v) <= 0.85) || (Math.abs(v) <= 0.25 && Math.abs(u) <= 0.85);
    case 'diamond':
      return Math.abs(u) + Math.abs(v) <= 0.9;
  }
}

/** Procedural sprites (used when Fashion-MNIST is not installed): six shapes at random brightness, anti-aliased. */
export function shapeSprites(size: number): SpriteSource {
  const samples = 4;
  return {
    kind: 'shapes',
    draw(rng) {
      const label = rng.int(0, SHAPES.length - 1);
      const kind = SHAPES[label] as (typeof SHAPES)[number];
      const brightness = 0.55 + 0.45 * rng.uniform();
      const pixels = new Float32Array(size * size);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          let hits = 0;
          for (let sy = 0; sy < samples; sy++) {
            for (let sx = 0; sx < samples; sx++) {
              const u = ((c + (sx + 0.5) / samples) / size) * 2 - 1;
              const v = ((r + (sy + 0.5) / samples) / size) * 2 - 1;
              if (inside(kind, u, v)) hits++;
            }
          }
          pixels[r * size + c] = (brightness * hits) / (samples * samples);
        }
      }
      return { size, pixels, label };
    },
  };
}

/** 'fashion-mnist' (error if absent), 'shapes', or 'auto': Fashion-MNIST when installed, shapes otherwise. */
export type SpriteKind = 'auto' | 'fashion-mnist' | 'shapes';

export function spriteSource(kind: SpriteKind, split: 'train' | 't10k', size: number, dir: string = DEBIAN_FASHION_MNIST_DIR): SpriteSource {
  if (kind === 'shapes' || (kind === 'auto' && !hasFashionMnist(dir))) return shapeSprites(size);
  if (!hasFashionMnist(dir)) {
    throw new InputError(`Fashion-MNIST not found in ${dir}; install the Debian package dataset-fashion-mnist, or use sprites: 'shapes'`);
  }
  return fashionMnistSprites(split, size, dir);
}
