import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng/rng.js';

describe('Rng state', () => {
  it('a restored Rng continues exactly, also in the middle of a pair of normal draws', () => {
    const rng = Rng.seeded(42);
    rng.normal(); // the polar method caches the second normal of the pair
    const restored = Rng.fromState(JSON.parse(JSON.stringify(rng.state())));
    expect([restored.normal(), restored.normal(), restored.uniform()]).toEqual([rng.normal(), rng.normal(), rng.uniform()]);
  });
  it('fillNormal and fillUniform draw exactly what normal() and uniform() would, carrying the spare normal across calls', () => {
    for (const seed of [1, 2, 3]) {
      const [perCall, filled] = [Rng.seeded(seed), Rng.seeded(seed)];
      for (const n of [0, 1, 5, 6, 1001, 4]) {
        const expected = Float32Array.from({ length: n }, () => 0.5 + 2 * perCall.normal());
        expect(filled.fillNormal(new Float32Array(n), 0.5, 2), `seed ${seed}, ${n} normals`).toEqual(expected);
        const uniforms = Float32Array.from({ length: n }, () => perCall.uniform());
        expect(filled.fillUniform(new Float32Array(n)), `seed ${seed}, ${n} uniforms`).toEqual(uniforms);
      }
      expect(filled.state()).toEqual(perCall.state());
    }
  });
  it("restore continues in place; uint32 is one 32-bit step", () => {
    const rng = Rng.seeded(5);
    const saved = rng.state();
    const values = [rng.uint32(), rng.uint32(), rng.normal()];
    rng.restore(saved);
    expect([rng.uint32(), rng.uint32(), rng.normal()]).toEqual(values);
    expect(values.slice(0, 2).every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
  });
  it('nearby seeds give unrelated first draws', () => {
    const first = Array.from({ length: 200 }, (_, seed) => Rng.seeded(seed).uniform());
    const below = first.filter((u) => u < 0.5).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
  });
});
