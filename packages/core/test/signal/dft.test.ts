import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { dft, dft2, idft } from '../../src/signal/dft.js';
import { fftShift } from '../../src/signal/fft-shift.js';
import { disposeFftCache } from '../../src/signal/fft-cache.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

function naiveDft(re: number[], im: number[], sign = -1): [number[], number[]] {
  const n = re.length;
  const outRe: number[] = [];
  const outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * j * k) / n;
      sr += (re[j] as number) * Math.cos(a) - (im[j] as number) * Math.sin(a);
      si += (re[j] as number) * Math.sin(a) + (im[j] as number) * Math.cos(a);
    }
    outRe.push(sr);
    outIm.push(si);
  }
  return [outRe, outIm];
}

const expectAllClose = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(tol);
};

describe.each(TEST_BACKENDS)('the 0.1 DFT entry points (now the FFT) on %s', (backend) => {
  beforeAll(async () => useBackend(backend));
  const rng = Rng.seeded(3);
  const re = Array.from({ length: 12 }, () => rng.normal());
  const im = Array.from({ length: 12 }, () => rng.normal());

  it('equals the DFT definition along the last axis (n = 6, 2 rows)', () => {
    disposeFftCache();
    const before = tf.memory().numTensors;
    const input = { re: tf.tensor2d(re, [2, 6]), im: tf.tensor2d(im, [2, 6]) };
    const out = dft(input);
    tf.dispose([input.re, input.im]);
    const gotRe = out.re.dataSync();
    const gotIm = out.im.dataSync();
    for (let r = 0; r < 2; r++) {
      const [eRe, eIm] = naiveDft(re.slice(r * 6, r * 6 + 6), im.slice(r * 6, r * 6 + 6));
      expectAllClose(gotRe.slice(r * 6, r * 6 + 6), eRe);
      expectAllClose(gotIm.slice(r * 6, r * 6 + 6), eIm);
    }
    tf.dispose([out.re, out.im]);
    disposeFftCache(); // the DFT matrix of n = 6 is cached until then
    expect(tf.memory().numTensors).toBe(before);
  });

  it('along axis 0 equals the transposed transform; inverse undoes forward for every norm', () => {
    tf.tidy(() => {
      const x = { re: tf.tensor2d(re, [6, 2]), im: tf.tensor2d(im, [6, 2]) };
      const a = dft(x, { axis: 0 });
      const b = dft({ re: tf.transpose(x.re), im: tf.transpose(x.im) });
      expectAllClose(a.re.dataSync(), tf.transpose(b.re).dataSync());
      for (const norm of ['backward', 'ortho', 'forward'] as const) {
        const back = idft(dft(x, { axis: 0, norm }), { axis: 0, norm });
        expectAllClose(back.re.dataSync(), x.re.dataSync());
        expectAllClose(back.im.dataSync(), x.im.dataSync());
      }
    });
  });

  it('ortho norm preserves energy (Parseval) and dft2 of an impulse is flat', () => {
    tf.tidy(() => {
      const x = { re: tf.tensor1d(re), im: tf.tensor1d(im) };
      const y = dft(x, { norm: 'ortho' });
      const energy = (z: { re: tf.Tensor; im: tf.Tensor }) => tf.sum(tf.add(tf.square(z.re), tf.square(z.im))).dataSync()[0] as number;
      expect(energy(y)).toBeCloseTo(energy(x), 3);
      const impulse = tf.buffer([4, 4]);
      impulse.set(1, 0, 0);
      const k = dft2({ re: impulse.toTensor(), im: tf.zeros([4, 4]) });
      expectAllClose(k.re.dataSync(), new Array(16).fill(1));
      expectAllClose(k.im.dataSync(), new Array(16).fill(0));
    });
  });

  it('fftShift and its inverse match numpy for even and odd sizes', () => {
    tf.tidy(() => {
      expect(Array.from(fftShift(tf.tensor1d([0, 1, 2, 3, 4, 5]), [0]).dataSync())).toEqual([3, 4, 5, 0, 1, 2]);
      expect(Array.from(fftShift(tf.tensor1d([0, 1, 2, 3, 4]), [0]).dataSync())).toEqual([3, 4, 0, 1, 2]);
      expect(Array.from(fftShift(tf.tensor1d([0, 1, 2, 3, 4]), [0], true).dataSync())).toEqual([2, 3, 4, 0, 1]);
    });
  });

  it('has gradients: d/dx Σ|DFT(x)|² = 2n·x (Parseval with the backward norm)', () => {
    tf.tidy(() => {
      const x = tf.tensor1d(re.slice(0, 8));
      const g = tf.grad((v: tf.Tensor) => {
        const y = dft({ re: v, im: tf.zerosLike(v) });
        return tf.sum(tf.add(tf.square(y.re), tf.square(y.im)));
      })(x);
      expectAllClose(g.dataSync(), re.slice(0, 8).map((v) => 2 * 8 * v), 1e-3);
    });
  });
});
