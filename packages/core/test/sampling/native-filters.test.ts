import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { activeBlas, setBlasEnabled } from '../../src/backend/wasm/native-blas.js';
import { Rng } from '../../src/rng/rng.js';
import { topKInPlace, topKTopPInPlace, topPInPlace, type HostLogits } from '../../src/sampling/logit-filters.js';
import { CategoricalSampler } from '../../src/sampling/categorical-sampler.js';
import { tf } from '../../src/tf.js';

await initBackend({ prefer: 'wasm' });
const native = activeBlas() !== undefined;

function logits(rows: number, vocab: number, seed: number, quantum: number): HostLogits {
  const rng = Rng.seeded(seed);
  const values = rng.fillNormal(new Float32Array(rows * vocab)).map((v, i) => (i % 53 === 7 ? -Infinity : Math.round(v * 3 * quantum) / quantum));
  return { values, rows, vocab };
}

describe(`top-k + top-p in one call (${native ? '@nextx/native-blas loaded: its filterLogits' : 'no addon: the JavaScript filters'})`, () => {
  it.each([
    ['VAR-sized rows', 16, 4096, 900, 0.96, 1000],
    ['many ties', 30, 500, 120, 0.8, 2],
    ['top-k only', 8, 256, 17, 1, 4],
    ['top-p only', 8, 256, 0, 0.6, 4],
  ] as const)('%s: the same entries as topKInPlace then topPInPlace', (_name, rows, vocab, k, p, quantum) => {
    const input = logits(rows, vocab, rows + vocab, quantum);
    const viaJs = { ...input, values: Float32Array.from(input.values) };
    topKInPlace(viaJs, k);
    topPInPlace(viaJs, p);
    const combined = { ...input, values: Float32Array.from(input.values) };
    topKTopPInPlace(combined, k, p);
    expect(Array.from(combined.values)).toEqual(Array.from(viaJs.values));
  });

  it('the sampler draws the same ids with the addon and without it', () => {
    const values = logits(40, 1024, 3, 1000).values;
    const draw = (withAddon: boolean) => {
      setBlasEnabled(withAddon);
      try {
        const input = tf.tensor2d(values, [40, 1024]);
        const ids = new CategoricalSampler({ topK: 300, topP: 0.9 }).sample(input, { rng: Rng.seeded(9), step: 0 });
        input.dispose();
        return Array.from(ids);
      } finally {
        setBlasEnabled(true);
      }
    };
    expect(draw(true)).toEqual(draw(false));
  });
});
