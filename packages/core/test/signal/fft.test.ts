import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { fft, fft2, fftn, ifft, ifft2, type FftEngine, type FftNorm } from '../../src/signal/fft.js';
import { irfft, rfft } from '../../src/signal/real-fft.js';
import { centeredFft2, centeredIfft2 } from '../../src/signal/centered-fft.js';
import { disposeFftCache, fftCacheSize } from '../../src/signal/fft-cache.js';
import type { ComplexTensor } from '../../src/signal/complex-tensor.js';
import { InputError } from '../../src/errors.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { randomArray, referenceDft2, referenceDftRows, relativeError, roll2d } from './dft-reference.js';

/**
 * Tolerances, relative to the largest |X| of the reference (float64 on the same float32 inputs). The host engine
 * computes in float64 and rounds once to float32: error ≤ 2⁻²⁴ ≈ 6e-8 of each value, so 2e-7. The tensor engine runs
 * float32 products: about ε·(log₂ n + √(radix)) relative error, measured ≤ 4e-7 up to n = 4096; 5e-6 leaves margin
 * for other backends' summation orders while still failing for any wrong twiddle or index (those give O(1) errors).
 */
const TOLERANCE: Record<Exclude<FftEngine, 'auto'>, number> = { host: 2e-7, tensor: 5e-6 };
const ENGINES = ['host', 'tensor'] as const;

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** MRI-sized images and their float64 2-D DFTs, computed once for every backend and engine. */
const images = new Map<string, { re: Float32Array; im: Float32Array; want: ReturnType<typeof referenceDft2> }>();
function image(h: number, w: number) {
  const key = `${h}x${w}`;
  if (!images.has(key)) {
    const rng = Rng.seeded(h * w);
    const re = f32(randomArray(h * w, () => rng.normal()));
    const im = f32(randomArray(h * w, () => rng.normal()));
    images.set(key, { re, im, want: referenceDft2(re, im, h, w) });
  }
  return images.get(key)!;
}

describe.each(TEST_BACKENDS)('FFT on %s', (backend) => {
  beforeAll(async () => useBackend(backend));
  const rng = Rng.seeded(11);
  const random = (length: number) => f32(randomArray(length, () => rng.normal()));

  describe.each(ENGINES)('%s engine', (engine) => {
    it.each([1, 2, 3, 5, 8, 23, 64, 320, 368, 1000, 1009])('equals the DFT definition at n = %i (2 rows, both directions)', (n) => {
      const re = random(2 * n);
      const im = random(2 * n);
      tf.tidy(() => {
        const x = { re: tf.tensor2d(re, [2, n]), im: tf.tensor2d(im, [2, n]) };
        const forward = fft(x, { engine });
        const want = referenceDftRows(re, im, n, -1);
        expect(relativeError(values(forward.re), want.re)).toBeLessThan(TOLERANCE[engine]);
        expect(relativeError(values(forward.im), want.im)).toBeLessThan(TOLERANCE[engine]);
        const inverse = ifft(x, { engine });
        const wantInverse = referenceDftRows(re, im, n, 1, 1 / n);
        expect(relativeError(values(inverse.re), wantInverse.re)).toBeLessThan(TOLERANCE[engine]);
        expect(relativeError(values(inverse.im), wantInverse.im)).toBeLessThan(TOLERANCE[engine]);
      });
    });

    it('transforms a middle axis as the transposed last axis, and crops or zero-pads to n', () => {
      const re = random(3 * 6 * 2);
      const im = random(3 * 6 * 2);
      tf.tidy(() => {
        const x = { re: tf.tensor3d(re, [3, 6, 2]), im: tf.tensor3d(im, [3, 6, 2]) };
        const along = fft(x, { axis: 1, engine });
        const moved = (t: tf.Tensor) => tf.transpose(t, [0, 2, 1]);
        const want = referenceDftRows(values(moved(x.re)), values(moved(x.im)), 6);
        expect(relativeError(values(moved(along.re)), want.re)).toBeLessThan(TOLERANCE[engine]);
        expect(relativeError(values(moved(along.im)), want.im)).toBeLessThan(TOLERANCE[engine]);
        // n = 8 pads rows of 6 with zeros; n = 4 keeps their first 4 points
        for (const n of [8, 4]) {
          const row = { re: tf.tensor1d(re.slice(0, 6)), im: tf.tensor1d(im.slice(0, 6)) };
          const out = fft(row, { n, engine });
          const take = (a: Float32Array) => Array.from({ length: n }, (_, i) => (i < 6 ? (a[i] as number) : 0));
          const expected = referenceDftRows(take(re), take(im), n);
          expect(out.re.shape).toEqual([n]);
          expect(relativeError(values(out.re), expected.re)).toBeLessThan(TOLERANCE[engine]);
        }
      });
    });

    it('inverts itself for every norm and keeps energy with ortho (Parseval)', () => {
      const re = random(4 * 30);
      const im = random(4 * 30);
      tf.tidy(() => {
        const x = { re: tf.tensor2d(re, [4, 30]), im: tf.tensor2d(im, [4, 30]) };
        for (const norm of ['backward', 'ortho', 'forward'] as FftNorm[]) {
          const back = ifft(fft(x, { norm, engine }), { norm, engine });
          expect(relativeError(values(back.re), re)).toBeLessThan(10 * TOLERANCE[engine]);
          expect(relativeError(values(back.im), im)).toBeLessThan(10 * TOLERANCE[engine]);
        }
        const energy = (z: ComplexTensor) => tf.sum(tf.add(tf.square(z.re), tf.square(z.im))).dataSync()[0] as number;
        const y = fft(x, { norm: 'ortho', engine });
        expect(Math.abs(energy(y) - energy(x)) / energy(x)).toBeLessThan(1e-5);
        // 'forward' puts 1/n on the forward transform: the DC term is the mean
        const mean = fft({ re: tf.ones([5]), im: tf.zeros([5]) }, { norm: 'forward', engine });
        expect(Array.from(values(mean.re))[0]).toBeCloseTo(1, 6);
      });
    });

    it('rfft and irfft follow numpy on hand-checkable signals', () => {
      tf.tidy(() => {
        const close = (t: tf.Tensor, want: number[]) => {
          expect(t.shape).toEqual([want.length]);
          Array.from(values(t)).forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));
        };
        const impulse = rfft(tf.tensor1d([1, 0, 0, 0, 0, 0]), { engine });
        close(impulse.re, [1, 1, 1, 1]);
        close(impulse.im, [0, 0, 0, 0]);
        const constant = rfft(tf.tensor1d([2, 2, 2, 2, 2]), { engine });
        close(constant.re, [10, 0, 0]);
        const cosine = rfft(tf.tensor1d(Array.from({ length: 8 }, (_, t) => Math.cos((2 * Math.PI * t) / 8))), { engine });
        close(cosine.re, [0, 4, 0, 0, 0]);
        close(cosine.im, [0, 0, 0, 0, 0]);
        const sine = rfft(tf.tensor1d(Array.from({ length: 8 }, (_, t) => Math.sin((2 * Math.PI * 2 * t) / 8))), { engine });
        close(sine.im, [0, 0, -4, 0, 0]);
        // n crops or pads: rfft([1, 2, 3, 4], n=2) = fft([1, 2]) = [3, −1]; rfft([1, 2, 3], n=4) = fft([1, 2, 3, 0])[:3]
        close(rfft(tf.tensor1d([1, 2, 3, 4]), { n: 2, engine }).re, [3, -1]);
        const padded = rfft(tf.tensor1d([1, 2, 3]), { n: 4, engine });
        close(padded.re, [6, -2, 2]);
        close(padded.im, [0, -2, 0]);
        // irfft: 4 frequencies give n = 6; the imaginary parts of DC and Nyquist are ignored
        close(irfft({ re: tf.tensor1d([1, 1, 1, 1]), im: tf.tensor1d([0, 0, 0, 0]) }, { engine }), [1, 0, 0, 0, 0, 0]);
        close(irfft({ re: tf.tensor1d([4, 0, 0]), im: tf.tensor1d([3, 0, 7]) }, { n: 4, engine }), [1, 1, 1, 1]);
        // n = 8 pads the 3 frequencies to 5: x_t = (4 + 2·e^(iθ) + 2·e^(−iθ))/8 with θ = 2πt/8
        const cos8 = Array.from({ length: 8 }, (_, t) => (4 + 2 * 2 * Math.cos((2 * Math.PI * t) / 8)) / 8);
        close(irfft({ re: tf.tensor1d([4, 2, 0]), im: tf.tensor1d([0, 0, 0]) }, { n: 8, engine }), cos8);
        close(irfft({ re: tf.tensor1d([4, 2, 0]), im: tf.tensor1d([0, 0, 0]) }, { n: 8, keep: 3, engine }), cos8.slice(0, 3));
      });
    });

    it('irfft inverts rfft for odd and even lengths, along any axis, for every norm', () => {
      for (const n of [7, 16, 368]) {
        const data = random(3 * n);
        tf.tidy(() => {
          const x = tf.tensor2d(data, [n, 3]);
          for (const norm of ['backward', 'ortho', 'forward'] as FftNorm[]) {
            const spectrum = rfft(x, { axis: 0, norm, engine });
            expect(spectrum.re.shape).toEqual([Math.floor(n / 2) + 1, 3]);
            const back = irfft(spectrum, { axis: 0, n, norm, engine });
            expect(relativeError(values(back), data)).toBeLessThan(10 * TOLERANCE[engine]);
          }
        });
      }
    });

    // The tensor engine is not what cpu runs (auto picks host there) and takes 12 s for 640×368 on cpu: 320² only.
    const shapes2d = backend === 'cpu' && engine === 'tensor' ? ([[320, 320]] as const) : ([[320, 320], [640, 368]] as const);
    it(`fft2 equals the 2-D DFT at ${shapes2d.map(([h, w]) => `${h}×${w}`).join(' and ')}; ifft2 undoes it`, () => {
      for (const [h, w] of shapes2d) {
        const { re, im, want } = image(h, w);
        tf.tidy(() => {
          const x = { re: tf.tensor2d(re, [h, w]), im: tf.tensor2d(im, [h, w]) };
          const k = fft2(x, { engine });
          expect(relativeError(values(k.re), want.re)).toBeLessThan(TOLERANCE[engine]);
          expect(relativeError(values(k.im), want.im)).toBeLessThan(TOLERANCE[engine]);
          const back = ifft2(k, { engine });
          expect(relativeError(values(back.re), re)).toBeLessThan(10 * TOLERANCE[engine]);
        });
      }
    });

    it("centred 2-D transforms follow fastMRI's fftshift(fft2(ifftshift(x), norm='ortho')) on multi-coil batches", () => {
      for (const [h, w] of [
        [6, 4],
        [5, 7],
      ] as const) {
        const coils = 2;
        const re = random(coils * h * w);
        const im = random(coils * h * w);
        tf.tidy(() => {
          const x = { re: tf.tensor3d(re, [coils, h, w]), im: tf.tensor3d(im, [coils, h, w]) };
          const k = centeredFft2(x, { engine });
          for (let c = 0; c < coils; c++) {
            const slice = (a: Float32Array) => a.slice(c * h * w, (c + 1) * h * w);
            // ifftshift rolls by −⌊n/2⌋, fftshift by +⌊n/2⌋ (numpy)
            const sre = roll2d(slice(re), h, w, -Math.floor(h / 2), -Math.floor(w / 2));
            const sim = roll2d(slice(im), h, w, -Math.floor(h / 2), -Math.floor(w / 2));
            const d = referenceDft2(sre, sim, h, w, -1, 1 / Math.sqrt(h * w));
            const wantRe = roll2d(d.re, h, w, Math.floor(h / 2), Math.floor(w / 2));
            const wantIm = roll2d(d.im, h, w, Math.floor(h / 2), Math.floor(w / 2));
            expect(relativeError(slice(values(k.re)), wantRe)).toBeLessThan(TOLERANCE[engine]);
            expect(relativeError(slice(values(k.im)), wantIm)).toBeLessThan(TOLERANCE[engine]);
          }
          const back = centeredIfft2(k, { engine });
          expect(relativeError(values(back.re), re)).toBeLessThan(10 * TOLERANCE[engine]);
          expect(relativeError(values(back.im), im)).toBeLessThan(10 * TOLERANCE[engine]);
        });
      }
    });

    it('fftn over all axes of a 3-D tensor equals transforms along each axis, with s padding', () => {
      const re = random(2 * 3 * 5);
      tf.tidy(() => {
        const x = { re: tf.tensor3d(re, [2, 3, 5]), im: tf.zeros([2, 3, 5]) };
        const all = fftn(x, { engine });
        const chained = fft(fft(fft(x, { axis: 0 }), { axis: 1 }), { axis: 2 });
        expect(relativeError(values(all.re), values(chained.re))).toBeLessThan(TOLERANCE[engine] + TOLERANCE.host);
        const padded = fftn(x, { s: [4, 8], engine });
        expect(padded.re.shape).toEqual([2, 4, 8]);
      });
    });
  });

  it('keeps the tensor count at its baseline, and disposeFftCache releases every cached tensor', () => {
    disposeFftCache();
    const before = tf.memory().numTensors;
    const x = { re: tf.randomNormal([3, 96]), im: tf.randomNormal([3, 96]) };
    for (const engine of ENGINES) {
      const y = fft(x, { engine });
      const spectrum = rfft(x.re, { engine });
      const z = irfft(spectrum, { n: 96, engine });
      tf.dispose([y.re, y.im, spectrum.re, spectrum.im, z]);
    }
    const cached = fftCacheSize().tensors;
    expect(cached).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before + 2 + cached);
    for (const engine of ENGINES) {
      const y = fft(x, { engine }); // the second call reuses the cache
      tf.dispose([y.re, y.im]);
    }
    expect(fftCacheSize().tensors).toBe(cached);
    tf.dispose([x.re, x.im]);
    disposeFftCache();
    expect(fftCacheSize()).toEqual({ tensors: 0, hostPlans: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad input before any work, naming what was wrong', () => {
    tf.tidy(() => {
      const x = { re: tf.zeros([2, 4]), im: tf.zeros([2, 4]) };
      expect(() => fft({ re: x.re, im: tf.zeros([4]) })).toThrow(/re has shape \[2, 4\] but im has \[4\]/);
      expect(() => fft(x, { axis: 2 })).toThrow(InputError);
      expect(() => fft(x, { n: 0 })).toThrow(/n must be a positive integer, got 0/);
      expect(() => fft(x, { norm: 'unit' as FftNorm })).toThrow(/norm must be/);
      expect(() => fftn(x, { axes: [1, -1] })).toThrow(/repeat an axis/);
      expect(() => fftn(x, { s: [4], axes: [0, 1] })).toThrow(/s has 1 lengths for 2 axes/);
      expect(() => irfft({ re: tf.zeros([1]), im: tf.zeros([1]) })).toThrow(/pass n/);
    });
  });
});
