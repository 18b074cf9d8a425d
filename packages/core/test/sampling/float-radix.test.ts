import { describe, expect, it } from 'vitest';
import { RadixScratch, sortAscending } from '../../src/sampling/float-radix.js';
import { Rng } from '../../src/rng/rng.js';

describe('radix sort of float32 values', () => {
  it('orders like TypedArray sort: negatives, zeros of both signs, ±inf, ties, tiny and huge magnitudes', () => {
    const rng = Rng.seeded(11);
    const specials = [0, -0, -Infinity, Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, 1, -1, -1];
    for (const n of [1, 2, 17, 900, 4096]) {
      const values = Float32Array.from({ length: n }, (_, i) => (i < specials.length && n > 16 ? (specials[i] as number) : (rng.uniform() - 0.5) * 10 ** rng.int(-3, 6)));
      const want = Float32Array.from(values).sort();
      const got = Float32Array.from(values);
      sortAscending(got, n, new RadixScratch(n));
      // TypedArray sort puts −0 before +0 as well, so the two agree bit for bit.
      expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(want.buffer)));
    }
  });

  it('sorts only the first n values and leaves the rest', () => {
    const values = Float32Array.from([3, -1, 2, 9, -5]);
    sortAscending(values, 3, new RadixScratch(5));
    expect(Array.from(values)).toEqual([-1, 2, 3, 9, -5]);
  });

  it('sorts values that share their high bytes (one pass skipped)', () => {
    const values = Float32Array.from([1.0000002, 1.0000001, 1, 1.0000004]);
    sortAscending(values, 4, new RadixScratch(4));
    expect(Array.from(values)).toEqual(Array.from(Float32Array.from([1, 1.0000001, 1.0000002, 1.0000004])));
  });
});
