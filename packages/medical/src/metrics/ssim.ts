import { InputError } from '@nextx/core';
import { checkVolumes, maxOf, type Volume } from './volume.js';

export interface SsimOptions {
  /** data_range; default the maximum of the whole target volume (fastMRI's `maxval`). */
  readonly maxval?: number;
  readonly winSize?: number;
  readonly k1?: number;
  readonly k2?: number;
}

/**
 * fastMRI `ssim`: the mean over slices of skimage's structural_similarity(gt[s], pred[s], data_range=maxval) with
 * its defaults — a uniform 7×7 window, K1 = 0.01, K2 = 0.03, sample covariances (× N/(N − 1), N = 49) — and the mean
 * taken over the pixels whose window lies inside the image (skimage crops (7 − 1)/2 pixels from each border, so the
 * filter's border mode never counts). Computed in float64 with summed-area tables.
 */
export function ssim(target: Volume, prediction: Volume, options: SsimOptions = {}): number {
  checkVolumes(target, prediction, 'SSIM');
  const [slices, H, W] = target.shape;
  const win = options.winSize ?? 7;
  if (win % 2 !== 1) throw new InputError(`SSIM: the window size must be odd; got ${win}`);
  if (H < win || W < win) throw new InputError(`SSIM: slices of ${H}×${W} are smaller than the ${win}×${win} window`);
  const range = options.maxval ?? maxOf(target.data);
  const c1 = ((options.k1 ?? 0.01) * range) ** 2;
  const c2 = ((options.k2 ?? 0.03) * range) ** 2;
  let total = 0;
  for (let s = 0; s < slices; s++) total += sliceSsim(target.data, prediction.data, s * H * W, H, W, win, c1, c2);
  return total / slices;
}

function sliceSsim(x: ArrayLike<number>, y: ArrayLike<number>, offset: number, H: number, W: number, win: number, c1: number, c2: number): number {
  const sx = integral(H, W, (p) => x[offset + p] as number);
  const sy = integral(H, W, (p) => y[offset + p] as number);
  const sxx = integral(H, W, (p) => (x[offset + p] as number) ** 2);
  const syy = integral(H, W, (p) => (y[offset + p] as number) ** 2);
  const sxy = integral(H, W, (p) => (x[offset + p] as number) * (y[offset + p] as number));
  const np = win * win;
  const covNorm = np / (np - 1);
  const pad = (win - 1) / 2;
  let sum = 0;
  let count = 0;
  for (let i = pad; i < H - pad; i++) {
    for (let j = pad; j < W - pad; j++) {
      const box = (t: Float64Array) => windowSum(t, W, i - pad, j - pad, win) / np;
      const ux = box(sx);
      const uy = box(sy);
      const vx = covNorm * (box(sxx) - ux * ux);
      const vy = covNorm * (box(syy) - uy * uy);
      const vxy = covNorm * (box(sxy) - ux * uy);
      sum += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return sum / count;
}

/** Summed-area table with a zero first row and column: t[(i+1)(W+1) + j+1] = Σ_{a≤i, b≤j} f(a·W + b). */
function integral(H: number, W: number, f: (p: number) => number): Float64Array {
  const t = new Float64Array((H + 1) * (W + 1));
  for (let i = 0; i < H; i++) {
    let row = 0;
    for (let j = 0; j < W; j++) {
      row += f(i * W + j);
      t[(i + 1) * (W + 1) + j + 1] = (t[i * (W + 1) + j + 1] as number) + row;
    }
  }
  return t;
}

function windowSum(t: Float64Array, W: number, top: number, left: number, win: number): number {
  const w1 = W + 1;
  return (
    (t[(top + win) * w1 + left + win] as number) -
    (t[top * w1 + left + win] as number) -
    (t[(top + win) * w1 + left] as number) +
    (t[top * w1 + left] as number)
  );
}
