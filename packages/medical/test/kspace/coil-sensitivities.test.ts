import { beforeAll, describe, expect, it } from 'vitest';
import { tf, Rng, complexConj, complexMul } from '@nextx/core';
import { SenseOperator, estimateCoilSensitivities, sampleMask, simulateCoilSensitivities, toComplexTensor } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/reference-dft.js';

/** A disc of radius 0.7 with a smooth phase, [H, W]. */
function disc(h: number, w: number) {
  const re = new Float32Array(h * w);
  const im = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const y = (2 * i + 1) / h - 1;
      const x = (2 * j + 1) / w - 1;
      if (x * x + y * y < 0.49) {
        const mag = 1 + 0.3 * Math.cos(4 * x);
        re[i * w + j] = mag * Math.cos(0.8 * x);
        im[i * w + j] = mag * Math.sin(0.8 * x);
      }
    }
  }
  return { re, im, shape: [h, w] };
}

describe.each(TEST_BACKENDS)('coil sensitivities on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('simulated maps have Σ|S_c|² = 1 everywhere', () => {
    const maps = simulateCoilSensitivities({ numCoils: 6, height: 20, width: 24 }, Rng.seeded(1));
    for (let p = 0; p < 20 * 24; p++) {
      let sum = 0;
      for (let c = 0; c < 6; c++) sum += (maps.re[c * 480 + p] as number) ** 2 + (maps.im[c * 480 + p] as number) ** 2;
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('maps estimated from the calibration region match the true ones up to the object phase (|Σ conj(Ŝ)·S| ≈ 1 on the object)', () => {
    const [H, W, C] = [48, 48, 8];
    const truth = toComplexTensor(simulateCoilSensitivities({ numCoils: C, height: H, width: W }, Rng.seeded(2)));
    const image = toComplexTensor(disc(H, W));
    const mask = sampleMask(W, { kind: 'random', acceleration: 4, centerFraction: 0.25 }, Rng.seeded(3));
    const sense = new SenseOperator(truth, mask);
    const measured = sense.forward(image);
    const estimated = estimateCoilSensitivities(measured, mask);
    const agreement = tf.tidy(() => {
      const z = complexMul(complexConj(estimated), truth);
      return tf.sqrt(tf.add(tf.square(tf.sum(z.re, 0)), tf.square(tf.sum(z.im, 0))));
    });
    const values = agreement.dataSync();
    const object = disc(H, W).re.map((v, p) => (v !== 0 || disc(H, W).im[p] !== 0 ? 1 : 0));
    let inside = 0;
    let sum = 0;
    object.forEach((v, p) => {
      if (v && Math.hypot(((p % W) * 2 + 1) / W - 1, (Math.floor(p / W) * 2 + 1) / H - 1) < 0.55) {
        inside++;
        sum += values[p] as number;
      }
    });
    expect(sum / inside).toBeGreaterThan(0.97);
    sense.dispose();
    tf.dispose([truth.re, truth.im, image.re, image.im, measured.re, measured.im, estimated.re, estimated.im, agreement]);
  });

  it('the SENSE adjoint is the adjoint: <Ax, y> = <x, A^H y>', () => {
    const [H, W, C] = [12, 10, 3];
    const maps = toComplexTensor(simulateCoilSensitivities({ numCoils: C, height: H, width: W }, Rng.seeded(4)));
    const mask = sampleMask(W, { kind: 'random', acceleration: 2 }, Rng.seeded(5));
    const sense = new SenseOperator(maps, mask);
    const x = { re: tf.tensor2d(randomArray(H * W, 6), [H, W]), im: tf.tensor2d(randomArray(H * W, 7), [H, W]) };
    const y = { re: tf.tensor3d(randomArray(C * H * W, 8), [C, H, W]), im: tf.tensor3d(randomArray(C * H * W, 9), [C, H, W]) };
    const ax = sense.forward(x);
    const ahy = sense.adjoint(y);
    const inner = (a: { re: tf.Tensor; im: tf.Tensor }, b: { re: tf.Tensor; im: tf.Tensor }) =>
      tf.tidy(() => {
        const z = complexMul(complexConj(a), b);
        return [tf.sum(z.re).dataSync()[0] as number, tf.sum(z.im).dataSync()[0] as number];
      });
    const [lr, li] = inner(ax, y) as [number, number];
    const [rr, ri] = inner(x, ahy) as [number, number];
    expect(lr).toBeCloseTo(rr, 4);
    expect(li).toBeCloseTo(ri, 4);
    sense.dispose();
    tf.dispose([maps.re, maps.im, x.re, x.im, y.re, y.im, ax.re, ax.im, ahy.re, ahy.im]);
  });
});
