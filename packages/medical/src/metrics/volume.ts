import { InputError } from '@nextx/core';

/** A stack of real images (magnitudes) on the host: [slices, H, W] row-major, as fastMRI's metrics take them. */
export interface Volume {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number, number];
}

/** Throws an InputError unless target and prediction are volumes of one shape. */
export function checkVolumes(target: Volume, prediction: Volume, what: string): void {
  for (const [name, v] of [['target', target], ['prediction', prediction]] as const) {
    if (v.shape.length !== 3) throw new InputError(`${what}: the ${name} must be a volume [slices, H, W]; got shape [${v.shape.join(', ')}]`);
    const n = v.shape[0] * v.shape[1] * v.shape[2];
    if (v.data.length !== n) throw new InputError(`${what}: the ${name} has ${v.data.length} values but shape [${v.shape.join(', ')}] needs ${n}`);
  }
  if (target.shape.some((d, i) => d !== prediction.shape[i])) {
    throw new InputError(`${what}: target [${target.shape.join(', ')}] and prediction [${prediction.shape.join(', ')}] differ in shape`);
  }
}

/** A single image [H, W] as a one-slice volume. */
export function sliceVolume(data: ArrayLike<number>, height: number, width: number): Volume {
  return { data, shape: [1, height, width] };
}

export function maxOf(data: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) max = Math.max(max, data[i] as number);
  return max;
}
