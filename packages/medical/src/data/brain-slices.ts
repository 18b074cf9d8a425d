import { z } from 'zod';
import { InputError, parseConfig } from '@nextx/core';
import { COLIN27_T1, axialSlice, readNiftiVolume, type ScalarVolume } from './nifti-volume.js';
import { cropOrPad, resampleArea, type RealImage } from './resample.js';

export const brainSlicesSchema = z.object({
  /** A NIfTI T1 volume (default: Colin27 ch2better of Debian's mricron-data). */
  path: z.string().default(COLIN27_T1),
  /** Side of the square images. */
  size: z.number().int().min(8).max(1024),
  /** A voxel counts as head when above this fraction of the volume's maximum. */
  foreground: z.number().gt(0).lt(1).default(0.05),
  /** Axial slices whose head area is below this fraction of the largest one are left out (the caps). */
  minArea: z.number().min(0).lt(1).default(0.3),
});
export type BrainSlicesOptions = z.input<typeof brainSlicesSchema>;

export interface BrainSlices {
  /** One image per kept axial slice, size × size, intensities ÷ the volume's maximum (so in [0, 1]). */
  readonly images: readonly RealImage[];
  /** The axial index z of each image. */
  readonly z: readonly number[];
  /** Slice spacing in mm. */
  readonly spacing: number;
  readonly source: string;
}

/**
 * Axial slices of a T1 volume as square images: every slice cropped to one square around the head's in-plane extent
 * (so the scale is the same across slices), resampled by area averaging to `size`, normalised by the volume maximum.
 */
export function readBrainSlices(options: BrainSlicesOptions): BrainSlices {
  const o = parseConfig(brainSlicesSchema, options, 'brain slices');
  const volume = readNiftiVolume(o.path);
  return brainSlicesOf(volume, o.size, o.foreground, o.minArea, o.path);
}

export function brainSlicesOf(volume: ScalarVolume, size: number, foreground = 0.05, minArea = 0.3, source = 'volume'): BrainSlices {
  const [nx, ny, nz] = volume.dims;
  let max = 0;
  for (const v of volume.data) max = Math.max(max, v);
  if (!(max > 0)) throw new InputError(`${source}: the volume is empty (maximum ${max})`);
  const threshold = foreground * max;
  let [x0, x1, y0, y1] = [nx, -1, ny, -1];
  const area = new Array<number>(nz).fill(0);
  const slices = Array.from({ length: nz }, (_, z) => axialSlice(volume, z));
  slices.forEach((slice, z) => {
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) {
        if ((slice[i * nx + j] as number) > threshold) {
          area[z] = (area[z] as number) + 1;
          x0 = Math.min(x0, j);
          x1 = Math.max(x1, j);
          y0 = Math.min(y0, i);
          y1 = Math.max(y1, i);
        }
      }
    }
  });
  const side = Math.ceil(Math.max(x1 - x0 + 1, y1 - y0 + 1) * 1.06);
  const top = Math.floor((y0 + y1 + 1 - side) / 2);
  const left = Math.floor((x0 + x1 + 1 - side) / 2);
  const largest = Math.max(...area);
  const images: RealImage[] = [];
  const kept: number[] = [];
  slices.forEach((slice, z) => {
    if ((area[z] as number) < minArea * largest) return;
    const square = cropOrPad({ data: slice, height: ny, width: nx }, top, left, side, side);
    const small = resampleArea(square, size, size);
    for (let p = 0; p < small.data.length; p++) small.data[p] = (small.data[p] as number) / max;
    images.push(small);
    kept.push(z);
  });
  return { images, z: kept, spacing: volume.voxelSize[2], source };
}
