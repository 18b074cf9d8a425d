import { beforeAll, describe, expect, it } from 'vitest';
import { Embedding, Linear, Rng, truncatedNormalInit, withoutInit } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

describe('initialisers', () => {
  beforeAll(async () => useBackend('cpu'));

  it('truncated normal stays within ±2 std and has the truncated variance (0.774·std²)', () => {
    const tensor = truncatedNormalInit([20_000], Rng.seeded(3), 0.5);
    const values = tensor.dataSync();
    tensor.dispose();
    let sum = 0;
    let squares = 0;
    for (const v of values) {
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      sum += v;
      squares += v * v;
    }
    expect(Math.abs(sum / values.length)).toBeLessThan(0.01);
    // Var of N(0, 1) truncated at ±2: 1 − 4φ(2)/(2Φ(2) − 1) = 0.7737.
    expect(squares / values.length / 0.25).toBeCloseTo(0.774, 1);
  });

  it('withoutInit builds zero-filled parameters without advancing the Rng, and only inside its callback', () => {
    const rng = Rng.seeded(7);
    const skipped = withoutInit(() => [new Linear(4, 3, { rng }), new Embedding(5, 2, { rng })] as const);
    for (const module of skipped) {
      for (const [, p] of module.namedParameters()) expect(Array.from(p.dataSync()).every((v) => v === 0)).toBe(true);
    }
    const drawn = new Linear(4, 3, { rng });
    const fresh = new Linear(4, 3, { rng: Rng.seeded(7) });
    expect(Array.from(drawn.namedParameters()[0]![1].dataSync())).toEqual(Array.from(fresh.namedParameters()[0]![1].dataSync()));
    expect(drawn.namedParameters()[0]![1].dataSync().some((v) => v !== 0)).toBe(true);
    expect(() => withoutInit(() => { throw new RangeError('bad build'); })).toThrow('bad build');
    const after = new Linear(2, 2, { rng });
    expect(after.namedParameters()[0]![1].dataSync().some((v) => v !== 0)).toBe(true);
    after.dispose();
    for (const m of [...skipped, drawn, fresh]) m.dispose();
  });
});
