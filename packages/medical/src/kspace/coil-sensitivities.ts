import { z } from 'zod';
import { tf, InputError, complexAbsSquared, parseConfig, type ComplexTensor, type Rng } from '@nextx/core';
import { checkComplexTensor, type ComplexArray } from './complex-array.js';
import { checkMask, type CartesianMask } from './cartesian-mask.js';
import { kspaceToImage } from './transforms.js';

export const simulatedCoilsSchema = z.object({
  numCoils: z.number().int().min(1).max(64),
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  /** Distance of the coil centres from the image centre, in half-widths of the field of view. */
  radius: z.number().positive().default(1.25),
  /** Width of each coil's Gaussian fall-off, in half-widths. */
  spread: z.number().positive().default(0.9),
  /** Rotate the ring of coils by a random angle and jitter spread and phase (from the Rng). */
  jitter: z.boolean().default(true),
});
export type SimulatedCoils = z.input<typeof simulatedCoilsSchema>;

/**
 * Receive-coil sensitivities of a ring of surface coils around the field of view: coil c at angle 2πc/C (plus a random
 * rotation) has a Gaussian magnitude fall-off with the distance from its centre and a smooth phase (a constant plus a
 * linear ramp towards the coil), normalised so that Σ_c |S_c|² = 1 at every pixel. With maps so normalised the RSS of
 * the coil images of an image x is |x|, and the SENSE combination Σ conj(S_c)·(S_c·x) is x itself.
 * Returns host data [C, H, W].
 */
export function simulateCoilSensitivities(options: SimulatedCoils, rng: Rng): ComplexArray {
  const o = parseConfig(simulatedCoilsSchema, options, 'simulated coils');
  const { numCoils: C, height: H, width: W } = o;
  const rotation = o.jitter ? rng.uniform() * 2 * Math.PI : 0;
  const re = new Float32Array(C * H * W);
  const im = new Float32Array(C * H * W);
  const power = new Float64Array(H * W);
  for (let c = 0; c < C; c++) {
    const angle = rotation + (2 * Math.PI * c) / C;
    const cx = o.radius * Math.cos(angle);
    const cy = o.radius * Math.sin(angle);
    const spread = o.spread * (o.jitter ? 0.8 + 0.4 * rng.uniform() : 1);
    const phase0 = o.jitter ? rng.uniform() * 2 * Math.PI : (2 * Math.PI * c) / C;
    const ramp = o.jitter ? 0.5 + rng.uniform() : 1;
    for (let i = 0; i < H; i++) {
      const y = (2 * i + 1) / H - 1;
      for (let j = 0; j < W; j++) {
        const x = (2 * j + 1) / W - 1;
        const d2 = (x - cx) ** 2 + (y - cy) ** 2;
        const mag = Math.exp(-d2 / (2 * spread * spread));
        const phase = phase0 + ramp * (x * Math.cos(angle) + y * Math.sin(angle));
        const p = c * H * W + i * W + j;
        re[p] = mag * Math.cos(phase);
        im[p] = mag * Math.sin(phase);
        power[i * W + j] = (power[i * W + j] as number) + mag * mag;
      }
    }
  }
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < H * W; p++) {
      const s = 1 / Math.sqrt(power[p] as number);
      re[c * H * W + p] = (re[c * H * W + p] as number) * s;
      im[c * H * W + p] = (im[c * H * W + p] as number) * s;
    }
  }
  return { re, im, shape: [C, H, W] };
}

/** The contiguous run of measured columns around the k-space centre (column ⌊W/2⌋): [first, end). */
export function calibrationRegion(mask: CartesianMask): { first: number; end: number } {
  const W = mask.columns.length;
  const centre = Math.floor(W / 2);
  if (!mask.columns[centre]) throw new InputError('coil estimation: the centre column of k-space is not measured, so there is no calibration region');
  let first = centre;
  let end = centre + 1;
  while (first > 0 && mask.columns[first - 1]) first--;
  while (end < W && mask.columns[end]) end++;
  return { first, end };
}

export const coilEstimationSchema = z.object({
  /** A pixel whose low-resolution RSS is below this fraction of the maximum gets maps scaled towards 0 (background). */
  threshold: z.number().min(0).lt(1).default(0.02),
  /** Fewest calibration columns accepted. */
  minCalibration: z.number().int().min(2).default(4),
});
export type CoilEstimation = z.input<typeof coilEstimationSchema>;

function hann(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (n === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n)));
}

/**
 * Sensitivities estimated from the fully sampled calibration (ACS) region, the classic low-resolution method: the
 * centre columns of each coil's k-space and as many centre rows in proportion, Hann-windowed, zero-filled and
 * transformed give smooth coil images I_c; S_c = I_c / sqrt(Σ|I_c|²), softly cut to 0 where the RSS is below
 * `threshold`·max. measured: [C, H, W]; returns [C, H, W] with Σ_c |S_c|² ≤ 1.
 */
export function estimateCoilSensitivities(measured: ComplexTensor, mask: CartesianMask, options: CoilEstimation = {}): ComplexTensor {
  const o = parseConfig(coilEstimationSchema, options, 'coil estimation');
  checkComplexTensor(measured, 'measured k-space', 3);
  const [, H, W] = measured.re.shape as [number, number, number];
  checkMask(mask, W);
  const { first, end } = calibrationRegion(mask);
  const acs = end - first;
  if (acs < o.minCalibration) throw new InputError(`coil estimation: the calibration region has ${acs} columns; at least ${o.minCalibration} are needed`);
  const rows = Math.max(2, Math.min(H, Math.round((acs * H) / W)));
  const rowFirst = Math.floor(H / 2) - Math.floor(rows / 2);
  const window = new Float32Array(H * W);
  const colWindow = hann(acs);
  const rowWindow = hann(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < acs; j++) window[(rowFirst + i) * W + first + j] = (rowWindow[i] as number) * (colWindow[j] as number);
  return tf.tidy(() => {
    const w = tf.tensor3d(window, [1, H, W]);
    const low = kspaceToImage({ re: tf.mul(measured.re, w), im: tf.mul(measured.im, w) });
    const power = tf.sum(complexAbsSquared(low), 0, true);
    const rssLow = tf.sqrt(power);
    const floor = tf.mul(tf.max(rssLow), o.threshold);
    // S = I / max(rss, floor) keeps |S|² summing to 1 inside the object and fades it towards 0 outside.
    const denominator = tf.maximum(rssLow, tf.add(floor, 1e-12));
    return { re: tf.div(low.re, denominator), im: tf.div(low.im, denominator) };
  });
}
