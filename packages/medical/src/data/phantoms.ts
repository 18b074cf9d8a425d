import { InputError, type Rng } from '@nextx/core';
import type { RealImage } from './resample.js';

/** An ellipse of intensity `value` (added), semi-axes a, b, centre (x0, y0) in [−1, 1]², rotated by `degrees`. */
export interface Ellipse {
  readonly value: number;
  readonly a: number;
  readonly b: number;
  readonly x0: number;
  readonly y0: number;
  readonly degrees: number;
}

/**
 * The modified Shepp–Logan head phantom (Toft 1996; MATLAB's phantom('Modified Shepp-Logan')), the higher-contrast
 * variant used for MRI: ten ellipses.
 */
export const MODIFIED_SHEPP_LOGAN: readonly Ellipse[] = [
  { value: 1, a: 0.69, b: 0.92, x0: 0, y0: 0, degrees: 0 },
  { value: -0.8, a: 0.6624, b: 0.874, x0: 0, y0: -0.0184, degrees: 0 },
  { value: -0.2, a: 0.11, b: 0.31, x0: 0.22, y0: 0, degrees: -18 },
  { value: -0.2, a: 0.16, b: 0.41, x0: -0.22, y0: 0, degrees: 18 },
  { value: 0.1, a: 0.21, b: 0.25, x0: 0, y0: 0.35, degrees: 0 },
  { value: 0.1, a: 0.046, b: 0.046, x0: 0, y0: 0.1, degrees: 0 },
  { value: 0.1, a: 0.046, b: 0.046, x0: 0, y0: -0.1, degrees: 0 },
  { value: 0.1, a: 0.046, b: 0.023, x0: -0.08, y0: -0.605, degrees: 0 },
  { value: 0.1, a: 0.023, b: 0.023, x0: 0, y0: -0.606, degrees: 0 },
  { value: 0.1, a: 0.023, b: 0.046, x0: 0.06, y0: -0.605, degrees: 0 },
];

/** Rasterises ellipses on an n×n grid over [−1, 1]² (pixel centres; row 0 at y = +1, the top). */
export function ellipsePhantom(ellipses: readonly Ellipse[], n: number): RealImage {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`phantom size must be a positive integer; got ${n}`);
  const data = new Float32Array(n * n);
  for (const e of ellipses) {
    const t = (e.degrees * Math.PI) / 180;
    const [c, s] = [Math.cos(t), Math.sin(t)];
    for (let i = 0; i < n; i++) {
      const y = 1 - (2 * i + 1) / n - e.y0;
      for (let j = 0; j < n; j++) {
        const x = (2 * j + 1) / n - 1 - e.x0;
        const u = x * c + y * s;
        const v = -x * s + y * c;
        if ((u / e.a) ** 2 + (v / e.b) ** 2 <= 1) data[i * n + j] = (data[i * n + j] as number) + e.value;
      }
    }
  }
  return { data, height: n, width: n };
}

export function sheppLogan(n: number): RealImage {
  return ellipsePhantom(MODIFIED_SHEPP_LOGAN, n);
}

/**
 * A seeded random phantom: an elliptical head with a bright rim, filled with tissue of intensity 0.6–0.9, and `count`
 * smaller ellipses inside of intensity 0.1–1 (each alone replaces the tissue under it; overlaps add), clamped to [0, 1].
 */
export function randomEllipsePhantom(n: number, rng: Rng, count = 10): RealImage {
  const outer: Ellipse = { value: 1, a: 0.7 + 0.2 * rng.uniform(), b: 0.75 + 0.2 * rng.uniform(), x0: 0, y0: 0, degrees: 30 * (rng.uniform() - 0.5) };
  const tissue = 0.6 + 0.3 * rng.uniform();
  const inner: Ellipse[] = [{ ...outer, value: tissue - 1, a: outer.a * 0.9, b: outer.b * 0.9 }];
  for (let k = 0; k < count; k++) {
    const r = Math.sqrt(rng.uniform()) * 0.5;
    const angle = rng.uniform() * 2 * Math.PI;
    inner.push({
      value: 0.1 + 0.9 * rng.uniform() - tissue,
      a: 0.04 + 0.2 * rng.uniform(),
      b: 0.04 + 0.2 * rng.uniform(),
      x0: r * Math.cos(angle) * outer.a,
      y0: r * Math.sin(angle) * outer.b,
      degrees: 180 * rng.uniform(),
    });
  }
  const image = ellipsePhantom([outer, ...inner], n);
  for (let p = 0; p < image.data.length; p++) image.data[p] = Math.min(1, Math.max(0, image.data[p] as number));
  return image;
}
