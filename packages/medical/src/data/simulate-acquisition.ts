import { z } from 'zod';
import { tf, InputError, parseConfig, type Rng } from '@nextx/core';
import { toComplexArray, toComplexTensor, type ComplexArray } from '../kspace/complex-array.js';
import { simulateCoilSensitivities } from '../kspace/coil-sensitivities.js';
import { rss } from '../kspace/rss.js';
import { imageToKspace, kspaceToImage } from '../kspace/transforms.js';
import type { RealImage } from './resample.js';

export const acquisitionSchema = z.object({
  numCoils: z.number().int().min(1).max(64).default(8),
  /** Standard deviation of the complex Gaussian k-space noise, relative to the image maximum (ortho FFT: the same in image space). */
  noise: z.number().nonnegative().default(0.005),
  /** Largest excursion of the smooth background phase, in radians (0: a real image). */
  phase: z.number().nonnegative().default(Math.PI / 2),
});
export type AcquisitionOptions = z.input<typeof acquisitionSchema>;

/** A simulated fully sampled multi-coil acquisition of one slice. */
export interface Acquisition {
  /** Fully sampled noisy multi-coil k-space [C, H, W] (centred, orthonormal). */
  readonly kspace: ComplexArray;
  /** The noise-free complex image [H, W]: magnitude × e^(iφ). */
  readonly image: ComplexArray;
  /** The coil sensitivities used, [C, H, W], Σ|S|² = 1. */
  readonly maps: ComplexArray;
  /** fastMRI's `reconstruction_rss`: the RSS of the fully sampled (noisy) coil images. */
  readonly target: RealImage;
}

/** φ(x, y) = Σ_k a_k·cos(2π(f_k·r) + θ_k) with frequencies up to one cycle per field of view, scaled to |φ| ≤ `amplitude`. */
export function smoothPhase(height: number, width: number, amplitude: number, rng: Rng): Float32Array {
  const terms = Array.from({ length: 3 }, () => ({ fx: rng.uniform() - 0.5, fy: rng.uniform() - 0.5, theta: rng.uniform() * 2 * Math.PI, a: 0.5 + rng.uniform() }));
  const total = terms.reduce((s, t) => s + t.a, 0);
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    const y = (2 * i + 1) / height - 1;
    for (let j = 0; j < width; j++) {
      const x = (2 * j + 1) / width - 1;
      let phi = 0;
      for (const t of terms) phi += t.a * Math.cos(2 * Math.PI * (t.fx * x + t.fy * y) + t.theta);
      out[i * width + j] = (amplitude * phi) / total;
    }
  }
  return out;
}

/**
 * Turns a magnitude image into a multi-coil acquisition as an MR scanner would see it: a smooth background phase,
 * simulated coil sensitivities (`simulateCoilSensitivities`), the centred orthonormal FFT of each coil image, and
 * complex Gaussian noise on every k-space sample.
 */
export function simulateAcquisition(magnitude: RealImage, options: AcquisitionOptions, rng: Rng): Acquisition {
  const o = parseConfig(acquisitionSchema, options, 'acquisition');
  const { height: H, width: W } = magnitude;
  if (magnitude.data.length !== H * W) throw new InputError(`image of ${H}×${W} has ${magnitude.data.length} values`);
  const phase = smoothPhase(H, W, o.phase, rng.fork());
  const image: ComplexArray = {
    re: magnitude.data.map((m, p) => m * Math.cos(phase[p] as number)),
    im: magnitude.data.map((m, p) => m * Math.sin(phase[p] as number)),
    shape: [H, W],
  };
  const maps = simulateCoilSensitivities({ numCoils: o.numCoils, height: H, width: W }, rng.fork());
  let max = 0;
  for (const v of magnitude.data) max = Math.max(max, v);
  const noiseRng = rng.fork();
  const noise = (n: number) => new Float32Array(n).map(() => o.noise * max * noiseRng.normal());
  const n = o.numCoils * H * W;
  const noiseRe = noise(n);
  const noiseIm = noise(n);
  const { kspace, target } = tf.tidy(() => {
    const x = toComplexTensor(image);
    const s = toComplexTensor(maps);
    const coilImages = { re: tf.sub(tf.mul(s.re, x.re), tf.mul(s.im, x.im)), im: tf.add(tf.mul(s.re, x.im), tf.mul(s.im, x.re)) };
    const clean = imageToKspace(coilImages);
    const k = { re: tf.add(clean.re, tf.tensor3d(noiseRe, [o.numCoils, H, W])), im: tf.add(clean.im, tf.tensor3d(noiseIm, [o.numCoils, H, W])) };
    return { kspace: k, target: rss(kspaceToImage(k)) };
  });
  const out: Acquisition = {
    kspace: toComplexArray(kspace),
    image,
    maps,
    target: { data: Float32Array.from(target.dataSync() as Float32Array), height: H, width: W },
  };
  tf.dispose([kspace.re, kspace.im, target]);
  return out;
}
