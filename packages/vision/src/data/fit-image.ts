import { tf, resize } from '@nextx/core';

/** An image on the host: HWC float pixels in [−1, 1]. */
export interface HostImage {
  readonly pixels: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Fits an image to the model's `size`×`size`: the centre square (the shorter side) is kept; a square larger than
 * `size` is shrunk by area averaging (torch's `interpolate(mode='area')`, core `resize`), a smaller one is centred on
 * background (−1, black), as Fashion-MNIST's 28×28 is padded to 32×32. Returns HWC pixels.
 */
export function fitImage(image: HostImage, size: number): Float32Array {
  const { height, width, channels } = image;
  const side = Math.min(height, width);
  const square = cropSquare(image, side);
  if (side === size) return square;
  if (side > size) {
    const shrunk = tf.tidy(() => resize(tf.tensor4d(square, [1, side, side, channels]), size, 'area'));
    const data = shrunk.dataSync() as Float32Array;
    shrunk.dispose();
    return data;
  }
  const out = new Float32Array(size * size * channels).fill(-1);
  const offset = Math.floor((size - side) / 2);
  for (let r = 0; r < side; r++) {
    out.set(square.subarray(r * side * channels, (r + 1) * side * channels), ((r + offset) * size + offset) * channels);
  }
  return out;
}

function cropSquare({ pixels, height, width, channels }: HostImage, side: number): Float32Array {
  if (height === side && width === side) return pixels;
  const top = Math.floor((height - side) / 2);
  const left = Math.floor((width - side) / 2);
  const out = new Float32Array(side * side * channels);
  for (let r = 0; r < side; r++) {
    const from = ((r + top) * width + left) * channels;
    out.set(pixels.subarray(from, from + side * channels), r * side * channels);
  }
  return out;
}
