import { InputError } from '@nextx/core';

/** PSNR in dB of two images with values in [0, range]: 10·log10(range² / MSE) (∞ when identical). */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, range = 1): number {
  checkSameLength(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((range * range) / mse);
}

const SIGMA = 1.5;
const RADIUS = 5; // scikit-image: int(truncate · σ + 0.5) with truncate 3.5
const WEIGHTS = (() => {
  const w = Array.from({ length: 2 * RADIUS + 1 }, (_, i) => Math.exp(-((i - RADIUS) ** 2) / (2 * SIGMA * SIGMA)));
  const total = w.reduce((x, y) => x + y, 0);
  return w.map((x) => x / total);
})();

/** scipy.ndimage's 'reflect' boundary: … c b a | a b c … (the edge sample repeated). */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/** Separable Gaussian filter (σ 1.5, radius 5) of a height × width image, reflect boundary, in float64. */
function gaussian(x: Float64Array, height: number, width: number): Float64Array {
  const rows = new Float64Array(x.length);
  const out = new Float64Array(x.length);
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < width; c++) {
      let s = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) s += (WEIGHTS[k + RADIUS] as number) * (x[y * width + reflect(c + k, width)] as number);
      rows[y * width + c] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < width; c++) {
      let s = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) s += (WEIGHTS[k + RADIUS] as number) * (rows[reflect(y + k, height) * width + c] as number);
      out[y * width + c] = s;
    }
  }
  return out;
}

/**
 * SSIM (Wang et al. 2004) of two height × width images in [0, range]: Gaussian window σ 1.5 (11 × 11), population
 * covariances, K1 = 0.01, K2 = 0.03, averaged over the pixels whose window lies inside the image — scikit-image's
 * `structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=range)`.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number, range = 1): number {
  checkSameLength(a, b);
  if (a.length !== height * width) throw new InputError(`ssim: ${a.length} values for a ${height} × ${width} image`);
  if (height <= 2 * RADIUS || width <= 2 * RADIUS) throw new InputError(`ssim: images must be larger than 11 × 11; got ${height} × ${width}`);
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const product = (p: Float64Array, q: Float64Array) => p.map((v, i) => v * (q[i] as number));
  const ux = gaussian(x, height, width);
  const uy = gaussian(y, height, width);
  const uxx = gaussian(product(x, x), height, width);
  const uyy = gaussian(product(y, y), height, width);
  const uxy = gaussian(product(x, y), height, width);
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  let sum = 0;
  let count = 0;
  for (let r = RADIUS; r < height - RADIUS; r++) {
    for (let c = RADIUS; c < width - RADIUS; c++) {
      const i = r * width + c;
      const mx = ux[i] as number;
      const my = uy[i] as number;
      const vx = (uxx[i] as number) - mx * mx;
      const vy = (uyy[i] as number) - my * my;
      const vxy = (uxy[i] as number) - mx * my;
      sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return sum / count;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new InputError(`images differ in size: ${a.length} and ${b.length} values`);
}
