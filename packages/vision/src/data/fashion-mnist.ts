import { InputError, type FashionMnistSplitData } from '@nextx/core';

// The IDX reader and the split reader live in core (video's moving Fashion-MNIST reads them too).
export { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, parseIdx, readFashionMnist, type FashionMnistSplit, type FashionMnistSplitData } from '@nextx/core';

/**
 * Images i..i+n as float pixels in [-1, 1] (the VQVAE's input range), NHWC with one channel, padded with background
 * (−1) symmetrically to `size`×`size` (28 → 32 pads 2 on every side).
 */
export function fashionMnistPixels(data: FashionMnistSplitData, indices: ArrayLike<number>, size = 32): Float32Array {
  if (size < data.rows || size < data.cols) throw new InputError(`pad size ${size} is smaller than ${data.rows}×${data.cols}`);
  const top = Math.floor((size - data.rows) / 2);
  const left = Math.floor((size - data.cols) / 2);
  const out = new Float32Array(indices.length * size * size).fill(-1);
  const plane = data.rows * data.cols;
  for (let n = 0; n < indices.length; n++) {
    const i = indices[n] as number;
    if (i < 0 || i >= data.count) throw new InputError(`image index ${i} outside 0..${data.count - 1}`);
    for (let r = 0; r < data.rows; r++) {
      for (let c = 0; c < data.cols; c++) {
        const v = data.images[i * plane + r * data.cols + c] as number;
        out[n * size * size + (r + top) * size + (c + left)] = (v / 255) * 2 - 1;
      }
    }
  }
  return out;
}
