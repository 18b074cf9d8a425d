import { InputError } from '@nextx/core';

/** A real image [height, width] on the host. */
export interface RealImage {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

/** Area-weighted 1-D resampling weights: output sample o covers input [o·n/m, (o+1)·n/m). */
function areaWeights(n: number, m: number): { index: number; weight: number }[][] {
  const scale = n / m;
  return Array.from({ length: m }, (_, o) => {
    const from = o * scale;
    const to = (o + 1) * scale;
    const taps: { index: number; weight: number }[] = [];
    for (let i = Math.floor(from); i < Math.min(n, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 0) taps.push({ index: i, weight: overlap / scale });
    }
    return taps;
  });
}

/**
 * Resamples by area averaging (each output pixel is the mean of the input area it covers; upsampling repeats), the
 * anti-aliased reduction a lower-resolution acquisition of the same field of view sees. Separable.
 */
export function resampleArea(image: RealImage, height: number, width: number): RealImage {
  if (image.data.length !== image.height * image.width) throw new InputError(`image of ${image.height}×${image.width} has ${image.data.length} values`);
  const rows = areaWeights(image.height, height);
  const cols = areaWeights(image.width, width);
  const tmp = new Float32Array(image.height * width);
  for (let i = 0; i < image.height; i++) {
    for (let j = 0; j < width; j++) {
      let s = 0;
      for (const { index, weight } of cols[j] as { index: number; weight: number }[]) s += (image.data[i * image.width + index] as number) * weight;
      tmp[i * width + j] = s;
    }
  }
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    for (const { index, weight } of rows[i] as { index: number; weight: number }[]) {
      for (let j = 0; j < width; j++) out[i * width + j] = (out[i * width + j] as number) + (tmp[index * width + j] as number) * weight;
    }
  }
  return { data: out, height, width };
}

/** The [top, top + height) × [left, left + width) window; parts outside the image are 0. */
export function cropOrPad(image: RealImage, top: number, left: number, height: number, width: number): RealImage {
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    const y = top + i;
    if (y < 0 || y >= image.height) continue;
    for (let j = 0; j < width; j++) {
      const x = left + j;
      if (x >= 0 && x < image.width) out[i * width + j] = image.data[y * image.width + x] as number;
    }
  }
  return { data: out, height, width };
}

/** fastMRI `center_crop` of an [H, W] image to [height, width] (start ⌊(H − h)/2⌋); smaller images are zero-padded. */
export function centerCrop(image: RealImage, height: number, width: number): RealImage {
  return cropOrPad(image, Math.floor((image.height - height) / 2), Math.floor((image.width - width) / 2), height, width);
}
