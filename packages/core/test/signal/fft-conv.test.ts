import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { fftConv, nextSmoothLength } from '../../src/signal/fft-conv.js';
import { disposeFftCache } from '../../src/signal/fft-cache.js';
import { InputError } from '../../src/errors.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { causalConvolution, randomArray, relativeError } from './dft-reference.js';

describe.each(TEST_BACKENDS)('fftConv on %s', (backend) => {
  beforeAll(async () => useBackend(backend));
  const rng = Rng.seeded(31);
  const random = (length: number) => Float32Array.from(randomArray(length, () => rng.normal()));

  it.each(['host', 'tensor'] as const)(
    '%s engine: equals the direct causal convolution per channel, a kernel per channel broadcast over the batch',
    (engine) => {
      const [B, C, L] = [2, 3, 50];
      for (const [lengthK, n] of [
        [L, 2 * L], // SpaceTime: rfft(u, n=2L)·rfft(k, n=2L) → irfft(…, n=2L)[..., :L]
        [7, undefined], // a short kernel, the default length
      ] as const) {
        const u = random(B * C * L);
        const k = random(C * lengthK);
        tf.tidy(() => {
          const y = fftConv(tf.tensor3d(u, [B, C, L]), tf.tensor2d(k, [C, lengthK]), { n, engine });
          expect(y.shape).toEqual([B, C, L]);
          const got = y.dataSync();
          for (let b = 0; b < B; b++) {
            for (let c = 0; c < C; c++) {
              const row = (b * C + c) * L;
              const want = causalConvolution(u.subarray(row, row + L), k.subarray(c * lengthK, (c + 1) * lengthK));
              expect(relativeError(got.subarray(row, row + L), want)).toBeLessThan(engine === 'host' ? 1e-6 : 2e-5);
            }
          }
        });
      }
    },
  );

  it('has the gradients of a convolution in u and in k (finite differences of a quadratic loss)', () => {
    const [C, L] = [2, 16];
    const u = tf.tensor2d(random(C * L), [C, L]);
    const k = tf.tensor2d(random(C * L), [C, L]);
    const w = tf.tensor2d(random(C * L), [C, L]);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(w, tf.square(fftConv(a, b, { n: 2 * L })))) as tf.Scalar;
    const [du, dk] = tf.grads(loss)([u, k]) as [tf.Tensor, tf.Tensor];
    const difference = (which: 'u' | 'k', index: number, h = 1e-2) =>
      tf.tidy(() => {
        const base = Array.from((which === 'u' ? u : k).dataSync());
        const at = (delta: number) => {
          const moved = base.slice();
          moved[index] = (moved[index] as number) + delta;
          const t = tf.tensor2d(moved, [C, L]);
          return loss(which === 'u' ? t : u, which === 'u' ? k : t).dataSync()[0] as number;
        };
        return (at(h) - at(-h)) / (2 * h);
      });
    for (const index of [0, 5, 31]) {
      const fdU = difference('u', index);
      const fdK = difference('k', index);
      expect(Math.abs((du.dataSync()[index] as number) - fdU)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fdU)));
      expect(Math.abs((dk.dataSync()[index] as number) - fdK)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fdK)));
    }
    tf.dispose([u, k, w, du, dk]);
  });

  it('leaves no tensor behind and refuses an FFT length that would wrap around', () => {
    disposeFftCache();
    const before = tf.memory().numTensors;
    const u = tf.ones([4, 10]);
    const k = tf.ones([10]);
    const y = fftConv(u, k, { engine: 'tensor' });
    tf.dispose([u, k, y]);
    disposeFftCache();
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      expect(() => fftConv(tf.ones([8]), tf.ones([8]), { n: 14 })).toThrow(InputError);
      expect(() => fftConv(tf.ones([8]), tf.ones([8]), { n: 14 })).toThrow(/needs ≥ 15/);
    });
    expect(nextSmoothLength(97)).toBe(100);
    expect(nextSmoothLength(2 * 1024 - 1)).toBe(2048);
  });
});
