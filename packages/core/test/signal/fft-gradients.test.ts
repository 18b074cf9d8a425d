import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { fft, fft2, ifft, type FftNorm } from '../../src/signal/fft.js';
import { irfft, rfft } from '../../src/signal/real-fft.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { randomArray, referenceDft, referenceDft2, relativeError } from './dft-reference.js';

const ENGINES = ['host', 'tensor'] as const;
const values = (t: tf.Tensor) => Array.from(t.dataSync());
/** |a − b| within `rel` of max(1, |b|). */
const expectNear = (a: number | undefined, b: number, rel: number) => expect(Math.abs((a as number) - b)).toBeLessThan(rel * Math.max(1, Math.abs(b)));

/**
 * Central differences of a loss that is quadratic in the input are exact but for rounding: with float32 losses of
 * size L and step h the error is about ε·L/h, here below 1e-2 of gradients of order 1–10.
 */
function centralDifference(loss: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, index: number, h = 1e-2): number {
  return tf.tidy(() => {
    const flat = Array.from(x.dataSync());
    const at = (delta: number) => {
      const moved = flat.slice();
      moved[index] = (moved[index] as number) + delta;
      return loss(tf.tensor(moved, x.shape)).dataSync()[0] as number;
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}

describe.each(TEST_BACKENDS)('FFT gradients on %s', (backend) => {
  beforeAll(async () => useBackend(backend));
  const rng = Rng.seeded(23);
  const random = (length: number) => Float32Array.from(randomArray(length, () => rng.normal()));

  describe.each(ENGINES)('%s engine', (engine) => {
    it.each([
      [12, 'backward'],
      [97, 'ortho'],
      [64, 'forward'],
    ] as const)('the gradient of ⟨g, fft(x)⟩ is the adjoint transform of g (n = %i, norm %s)', (n, norm) => {
      const [xr, xi, gr, gi] = [random(n), random(n), random(n), random(n)];
      const scale = norm === 'ortho' ? 1 / Math.sqrt(n) : norm === 'forward' ? 1 / n : 1;
      tf.tidy(() => {
        const g = { re: tf.tensor1d(gr), im: tf.tensor1d(gi) };
        const pairing = (transform: typeof fft) => (re: tf.Tensor, im: tf.Tensor) => {
          const y = transform({ re, im }, { norm: norm as FftNorm, engine });
          return tf.add(tf.sum(tf.mul(g.re, y.re)), tf.sum(tf.mul(g.im, y.im)));
        };
        // forward with sign −1 and scale c: adjoint = sign +1, same scale
        const [dRe, dIm] = tf.grads(pairing(fft))([tf.tensor1d(xr), tf.tensor1d(xi)]);
        const want = referenceDft(gr, gi, 1, scale);
        expect(relativeError(values(dRe!), want.re)).toBeLessThan(5e-6);
        expect(relativeError(values(dIm!), want.im)).toBeLessThan(5e-6);
        // ifft (sign +1, scale 1/n for 'backward', √ for 'ortho', 1 for 'forward'): adjoint has sign −1
        const inverseScale = norm === 'ortho' ? scale : norm === 'forward' ? 1 : 1 / n;
        const [iRe, iIm] = tf.grads(pairing(ifft))([tf.tensor1d(xr), tf.tensor1d(xi)]);
        const wantInverse = referenceDft(gr, gi, -1, inverseScale);
        expect(relativeError(values(iRe!), wantInverse.re)).toBeLessThan(5e-6);
        expect(relativeError(values(iIm!), wantInverse.im)).toBeLessThan(5e-6);
      });
    });

    it('the gradient of ⟨g, fft2(x)⟩ is the 2-D adjoint of g', () => {
      const [h, w] = [5, 6];
      const [xr, gr, gi] = [random(h * w), random(h * w), random(h * w)];
      tf.tidy(() => {
        const loss = (re: tf.Tensor) => {
          const y = fft2({ re, im: tf.zerosLike(re) }, { engine });
          return tf.add(tf.sum(tf.mul(tf.tensor2d(gr, [h, w]), y.re)), tf.sum(tf.mul(tf.tensor2d(gi, [h, w]), y.im)));
        };
        const d = tf.grad(loss)(tf.tensor2d(xr, [h, w]));
        expect(relativeError(values(d), referenceDft2(gr, gi, h, w, 1).re)).toBeLessThan(5e-6);
      });
    });

    it('rfft, irfft and a second-order gradient agree with finite differences', () => {
      const n = 10;
      const [x, weights] = [random(n), random(6)];
      tf.tidy(() => {
        const w = tf.tensor1d(weights);
        // Σ w·|rfft(x)|²: quadratic in x
        const power = (v: tf.Tensor) => {
          const s = rfft(v, { engine });
          return tf.sum(tf.mul(w, tf.add(tf.square(s.re), tf.square(s.im)))) as tf.Scalar;
        };
        const xt = tf.tensor1d(x);
        const grad = values(tf.grad(power)(xt));
        for (const i of [0, 3, 9]) expectNear(grad[i], centralDifference(power, xt, i), 2e-3);
        // Σ w2·irfft(X)², X given by (re, im) of 6 frequencies for n = 10: the imaginary parts of DC and Nyquist
        // do not reach the output, so their gradient is 0
        const w2 = tf.tensor1d(random(n));
        const spectrumRe = tf.tensor1d(random(6));
        const energyOfIm = (im: tf.Tensor) => tf.sum(tf.mul(w2, tf.square(irfft({ re: spectrumRe, im }, { n, engine })))) as tf.Scalar;
        const im = tf.tensor1d(random(6));
        const gIm = values(tf.grad(energyOfIm)(im));
        expect(Math.abs(gIm[0] as number)).toBeLessThan(1e-6);
        expect(Math.abs(gIm[5] as number)).toBeLessThan(1e-6);
        for (const i of [1, 2, 4]) expectNear(gIm[i], centralDifference(energyOfIm, im, i), 2e-3);
        // the gradient is itself differentiable: d/dx of Σ (∂power/∂x)² by finite differences of that sum
        const gradEnergy = (v: tf.Tensor) => tf.sum(tf.square(tf.grad(power)(v))) as tf.Scalar;
        const second = values(tf.grad(gradEnergy)(xt));
        expectNear(second[2], centralDifference(gradEnergy, xt, 2), 2e-3);
      });
    });
  });
});
