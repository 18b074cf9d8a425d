import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng/rng.js';

describe('Rng state', () => {
  it('a restored Rng continues exactly, also in the middle of a pair of normal draws', () => {
    const rng = Rng.seeded(42);
    rng.normal(); // the polar method caches the second normal of the pair
    const restored = Rng.fromState(JSON.parse(JSON.stringify(rng.state())));
    expect([restored.normal(), restored.normal(), restored.uniform()]).toEqual([rng.normal(), rng.normal(), rng.uniform()]);
  });
  it('nearby seeds give unrelated first draws', () => {
    const first = Array.from({ length: 200 }, (_, seed) => Rng.seeded(seed).uniform());
    const below = first.filter((u) => u < 0.5).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
  });
});
