import type { tf } from '../tf.js';
import { InputError } from '../errors.js';

/** An image in host memory, row-major, channels last. Float data is in [0, 1]; integer data in [0, 255]. */
export interface RasterImage {
  readonly data: Float32Array | Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3 | 4;
}

/** Reads a [H, W, C] tensor with values in [0, 1] into a RasterImage. */
export function rasterFromTensor(image: tf.Tensor): RasterImage {
  if (image.rank !== 3) throw new InputError(`an image tensor must be [height, width, channels]; got shape [${image.shape.join(', ')}]`);
  const [height, width, channels] = image.shape as [number, number, number];
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InputError(`an image must have 1, 3 or 4 channels; got ${channels}`);
  }
  return { data: image.dataSync() as Float32Array, height, width, channels };
}

/** 8-bit value of one sample: floats in [0,1] are clamped and rounded to the nearest of 0…255. */
export function toByte(value: number, isFloat: boolean): number {
  const scaled = isFloat ? value * 255 : value;
  if (!(scaled > 0)) return 0;
  return scaled >= 255 ? 255 : Math.round(scaled);
}

/** The image as RGBA bytes (what PNG encoders take). */
export function toRgba(image: RasterImage): Uint8Array {
  checkRaster(image);
  const { data, height, width, channels } = image;
  const isFloat = data instanceof Float32Array;
  const rgba = new Uint8Array(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    const at = p * channels;
    const v = (c: number) => toByte(data[at + c] as number, isFloat);
    const [r, g, b] = channels === 1 ? [v(0), v(0), v(0)] : [v(0), v(1), v(2)];
    rgba.set([r, g, b, channels === 4 ? v(3) : 255], p * 4);
  }
  return rgba;
}

function checkRaster(image: RasterImage): void {
  const expected = image.height * image.width * image.channels;
  if (image.data.length !== expected) {
    throw new InputError(`image data has ${image.data.length} values; ${image.height}×${image.width}×${image.channels} needs ${expected}`);
  }
}

export interface GridOptions {
  /** Images per row (default: ⌈√n⌉). */
  readonly columns?: number;
  /** Pixels between images and around the grid (default 2). */
  readonly padding?: number;
  /** Background value in [0, 1] (default 1, white). */
  readonly background?: number;
}

/** Tiles same-sized images into one (row-major), like torchvision's make_grid. */
export function imageGrid(images: readonly RasterImage[], options: GridOptions = {}): RasterImage {
  const first = images[0];
  if (!first) throw new InputError('imageGrid needs at least one image');
  const { height, width, channels } = first;
  const columns = Math.max(1, Math.min(options.columns ?? Math.ceil(Math.sqrt(images.length)), images.length));
  const rows = Math.ceil(images.length / columns);
  const pad = options.padding ?? 2;
  const gridH = rows * (height + pad) + pad;
  const gridW = columns * (width + pad) + pad;
  const data = new Float32Array(gridH * gridW * channels).fill(options.background ?? 1);
  images.forEach((image, i) => {
    if (image.height !== height || image.width !== width || image.channels !== channels) {
      throw new InputError(`imageGrid: image ${i} is ${image.height}×${image.width}×${image.channels}, the first is ${height}×${width}×${channels}`);
    }
    const isFloat = image.data instanceof Float32Array;
    const top = pad + Math.floor(i / columns) * (height + pad);
    const left = pad + (i % columns) * (width + pad);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width * channels; x++) {
        const value = image.data[y * width * channels + x] as number;
        data[((top + y) * gridW + left) * channels + x] = isFloat ? value : value / 255;
      }
    }
  });
  return { data, height: gridH, width: gridW, channels };
}
