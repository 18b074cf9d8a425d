import { describe, expect, it } from 'vitest';
import { createHostFftPlan, radicesOf, transformHostBatch } from '../../src/signal/host-fft.js';
import { RealFftPlan } from '../../src/signal/host-real-fft.js';
import { Rng } from '../../src/rng/rng.js';
import { randomArray, referenceDft, referenceDftRows, relativeError, transpose2d } from './dft-reference.js';

describe('host FFT plans (float64, no tensors)', () => {
  const rng = Rng.seeded(5);

  it.each([1, 2, 3, 4, 5, 6, 7, 9, 12, 16, 23, 25, 30, 49, 97, 128, 320, 368, 640, 1000, 1009, 2048])(
    'mixed-radix and Bluestein plans both equal the DFT definition at n = %i, in both directions',
    (n) => {
      const re = randomArray(n, () => rng.normal());
      const im = randomArray(n, () => rng.normal());
      for (const strategy of ['mixed-radix', 'bluestein'] as const) {
        const plan = createHostFftPlan(n, strategy);
        for (const sign of [-1, 1] as const) {
          const want = referenceDft(re, im, sign);
          const gotRe = re.slice();
          const gotIm = im.slice();
          plan.execute(gotRe, gotIm, sign);
          // float64 throughout: rounding is ~1e-16 per operation, so 1e-11 fails any wrong twiddle by ten orders
          expect(relativeError(gotRe, want.re)).toBeLessThan(1e-11);
          expect(relativeError(gotIm, want.im)).toBeLessThan(1e-11);
        }
      }
    },
  );

  it.each([1, 2, 3, 4, 7, 10, 64, 368, 1009, 2018])('the real plan (half-length packing for even n) equals the DFT at n = %i', (n) => {
    const x = randomArray(n, () => rng.normal());
    const want = referenceDft(x, new Float64Array(n));
    const half = Math.floor(n / 2) + 1;
    const re = new Float64Array(half);
    const im = new Float64Array(half);
    const plan = new RealFftPlan(n);
    plan.forward(x.slice(), re, im);
    expect(relativeError(re, want.re.subarray(0, half))).toBeLessThan(1e-11);
    expect(relativeError(im, want.im.subarray(0, half))).toBeLessThan(1e-11);
    // inverse of the Hermitian spectrum: n·x; the imaginary parts of DC (and Nyquist) are ignored
    im[0] = 5;
    if (n % 2 === 0) im[half - 1] = -3;
    const y = new Float64Array(n);
    plan.inverse(re, im, y);
    expect(relativeError(y.map((v) => v / n), x)).toBeLessThan(1e-11);
  });

  it('plans by factors: odd radices first, pairs of 2 as radix 4, Bluestein where a large prime would cost more', () => {
    expect(radicesOf(320)).toEqual([5, 4, 4, 4]);
    expect(radicesOf(368)).toEqual([23, 4, 4]);
    expect(radicesOf(1000)).toEqual([5, 5, 5, 4, 2]);
    expect(createHostFftPlan(640).strategy).toBe('mixed-radix 5·4·4·4·2');
    expect(createHostFftPlan(368).strategy).toBe('mixed-radix 23·4·4');
    expect(createHostFftPlan(1009).strategy).toBe('bluestein 2048');
    expect(createHostFftPlan(4 * 97).strategy).toBe('bluestein 1024');
    expect(() => createHostFftPlan(0)).toThrow(RangeError);
    expect(() => createHostFftPlan(2.5)).toThrow(RangeError);
  });

  it('transforms a strided axis of a batch in place of a transpose, with its scale', () => {
    const [outer, n, inner] = [2, 6, 3];
    const size = outer * n * inner;
    const data = Float32Array.from(randomArray(2 * size, () => rng.normal()));
    const out = new Float32Array(2 * size);
    transformHostBatch(createHostFftPlan(n), data, out, { outer, n, inner }, -1, 0.5);
    for (let o = 0; o < outer; o++) {
      const block = (from: number) => transpose2d(data.subarray(from + o * n * inner, from + (o + 1) * n * inner), n, inner);
      const want = referenceDftRows(block(0), block(size), n, -1, 0.5);
      const got = (from: number) => transpose2d(out.subarray(from + o * n * inner, from + (o + 1) * n * inner), n, inner);
      expect(relativeError(got(0), want.re)).toBeLessThan(2e-7);
      expect(relativeError(got(size), want.im)).toBeLessThan(2e-7);
    }
  });
});
