import { beforeAll, describe, expect, it } from 'vitest';
import { tf, Rng } from '@nextx/core';
import {
  SenseOperator,
  cgSense,
  estimateCoilSensitivities,
  haarForward,
  haarInverse,
  magnitudeOf,
  nmse,
  sampleMask,
  sheppLogan,
  simulateAcquisition,
  toComplexTensor,
  undersample,
  waveletCs,
  zeroFilledRss,
} from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/reference-dft.js';

const N = 32;

function problem(acceleration: number, seed: number) {
  const truth = sheppLogan(N);
  const acq = simulateAcquisition(truth, { numCoils: 4, noise: 0 }, Rng.seeded(seed));
  const mask = sampleMask(N, { kind: 'equispaced', acceleration, centerFraction: 0.25, offset: 1 }, Rng.seeded(seed));
  const full = toComplexTensor(acq.kspace);
  const measured = undersample(full, mask);
  tf.dispose([full.re, full.im]);
  return { truth, acq, mask, measured };
}

const error = (image: tf.Tensor, target: Float32Array) => nmse({ data: target, shape: [1, N, N] }, { data: image.dataSync(), shape: [1, N, N] });

describe.each(TEST_BACKENDS)('iterative baselines on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('the Haar transform is orthonormal and inverts exactly', () => {
    const x = tf.tensor2d(randomArray(64, 1), [8, 8]);
    const level = haarForward(x);
    const back = haarInverse(level);
    expect(Math.max(...tf.tidy(() => tf.abs(tf.sub(back, x))).dataSync())).toBeLessThan(1e-6);
    const energy = (t: tf.Tensor) => tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0] as number);
    expect(energy(level.low) + level.details.reduce((s, d) => s + energy(d), 0)).toBeCloseTo(energy(x), 4);
    // a 2×2 block [[1, 2], [3, 4]]: low (1+2+3+4)/2, details ((1+3)−(2+4))/2, ((1+2)−(3+4))/2, ((1+4)−(2+3))/2
    const block = haarForward(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    expect([block.low, ...block.details].map((t) => t.dataSync()[0])).toEqual([5, -1, -2, 0]);
    tf.dispose([x, back, level.low, ...level.details, block.low, ...block.details]);
  });

  it('CG-SENSE solves a noiseless 2× SENSE problem exactly with the true maps, and improves on zero-filling with estimated ones', () => {
    const { acq, mask, measured } = problem(2, 3);
    const before = tf.memory().numTensors;
    const truthMaps = toComplexTensor(acq.maps);
    const exact = new SenseOperator(truthMaps, mask);
    const solved = cgSense(exact, measured, { iterations: 12, lambda: 0, tolerance: 0 });
    const solvedMagnitude = magnitudeOf(solved);
    expect(error(solvedMagnitude, acq.target.data)).toBeLessThan(1e-6);
    exact.dispose();
    tf.dispose([truthMaps.re, truthMaps.im, solved.re, solved.im, solvedMagnitude]);
    // Low-resolution maps from 8 calibration columns are inexact: CG is stopped early (semi-convergence).
    const maps = estimateCoilSensitivities(measured, mask);
    const sense = new SenseOperator(maps, mask);
    const x = cgSense(sense, measured, { iterations: 5 });
    const recon = magnitudeOf(x);
    const zf = zeroFilledRss(measured);
    expect(error(recon, acq.target.data)).toBeLessThan(error(zf, acq.target.data) / 5);
    sense.dispose();
    tf.dispose([maps.re, maps.im, x.re, x.im, recon, zf]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([measured.re, measured.im]);
  });

  it('ℓ1-wavelet CS (FISTA) beats zero-filling at 4× and is seeded', () => {
    const { acq, mask, measured } = problem(4, 4);
    const before = tf.memory().numTensors;
    const maps = estimateCoilSensitivities(measured, mask);
    const sense = new SenseOperator(maps, mask);
    const a = waveletCs(sense, measured, Rng.seeded(1), { iterations: 15, lambda: 0.002 });
    const b = waveletCs(sense, measured, Rng.seeded(1), { iterations: 15, lambda: 0.002 });
    const recon = magnitudeOf(a);
    const zf = zeroFilledRss(measured);
    expect(error(recon, acq.target.data)).toBeLessThan(error(zf, acq.target.data) / 2);
    expect(Array.from(a.re.dataSync())).toEqual(Array.from(b.re.dataSync()));
    sense.dispose();
    tf.dispose([maps.re, maps.im, a.re, a.im, b.re, b.im, recon, zf]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([measured.re, measured.im]);
  });
});
