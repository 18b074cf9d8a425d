import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { VectorQuantizer } from '../../src/quant/vector-quantizer.js';
import { perplexity } from '../../src/quant/code-usage.js';
import { ConfigError } from '../../src/errors.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const closeTo = (actual: number[], expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
};

describe.each(TEST_BACKENDS)('VectorQuantizer on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  function withCodebook(rows: number[][], extra: Partial<ConstructorParameters<typeof VectorQuantizer>[0]> = {}) {
    const vq = new VectorQuantizer({ numEmbeddings: rows.length, embeddingDim: rows[0]!.length, ...extra }, Rng.seeded(2));
    const w = tf.tensor2d(rows);
    vq.embedding.weight.assign(w);
    w.dispose();
    return vq;
  }

  it('picks the nearest codeword, the first on ties, with torch names', () => {
    const vq = withCodebook([[1, 0], [0, 1], [1, 0]]);
    expect(Object.keys(vq.stateDictShapes())).toEqual(['embedding.weight']);
    tf.tidy(() => {
      const ids = vq.encode(tf.tensor3d([[[1, 0], [0.5, 0.5]], [[0.1, 0.9], [2, 0]]]));
      expect(ids.shape).toEqual([2, 2]);
      expect(values(ids)).toEqual([0, 0, 1, 0]);
      expect(values(vq.lookup(tf.tensor1d([2, 1], 'int32')))).toEqual([1, 0, 0, 1]);
    });
    vq.dispose();
  });

  it('loss terms and gradients by hand; straight-through gradient is the identity w.r.t. z', () => {
    const vq = withCodebook([[0, 0], [1, 1]]);
    const before = tf.memory().numTensors;
    const initial = tf.tensor2d([[0.2, 0.4], [0.9, 1.3]]);
    const z = tf.variable(initial);
    initial.dispose();
    const weightsOut = tf.tensor2d([[1, 2], [3, 4]]);
    const { value, grads } = tf.variableGrads(() => {
      const out = vq.forward(z);
      expect(values(out.indices)).toEqual([0, 1]);
      expect(values(out.quantized)).toEqual([0, 0, 1, 1]);
      // mean squared distance = (0.04 + 0.16 + 0.01 + 0.09)/4 = 0.075.
      expect(out.codebookLoss.dataSync()[0]).toBeCloseTo(0.075, 6);
      expect(out.commitmentLoss.dataSync()[0]).toBeCloseTo(0.25 * 0.075, 6);
      expect(out.loss.dataSync()[0]).toBeCloseTo(1.25 * 0.075, 6);
      return tf.add(out.loss, tf.sum(tf.mul(out.quantized, weightsOut))) as tf.Scalar;
    }, [z, vq.embedding.weight]);
    // Codebook: d/dE mean((E[idx] − sg(z))²) = 2(E − z)/4.
    closeTo(values(grads[vq.embedding.weight.name]!), [-0.1, -0.2, 0.05, -0.15]);
    // z: the straight-through term passes weightsOut unchanged, plus the commitment β·2(z − e)/4.
    closeTo(values(grads[z.name]!), [1 + 0.025, 2 + 0.05, 3 - 0.0125, 4 + 0.0375]);
    tf.dispose([value, z, weightsOut, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    vq.dispose();
  });

  it('counts hits and perplexity', () => {
    const vq = withCodebook([[0], [1], [2], [3]]);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const o = vq.forward(tf.tensor2d([[0.1], [0.9], [0.2], [3.3]]));
      return { hits: o.hits, perplexity: o.perplexity };
    });
    expect(values(out.hits)).toEqual([2, 1, 0, 1]);
    const p = [0.5, 0.25, 0.25];
    expect(out.perplexity.dataSync()[0]).toBeCloseTo(Math.exp(-p.reduce((s, x) => s + x * Math.log(x), 0)), 4);
    expect(vq.usage()).toEqual([2, 1, 0, 1]);
    tf.tidy(() => {
      expect(perplexity(tf.tensor1d([3, 3, 3, 0])).dataSync()[0]).toBeCloseTo(3, 4);
    });
    tf.dispose([out.hits, out.perplexity]);
    expect(tf.memory().numTensors).toBe(before);
    vq.dispose();
  });

  it('EMA codebook update by hand (decay, Laplace smoothing); no codebook loss, no codebook gradient', () => {
    const vq = new VectorQuantizer({ numEmbeddings: 2, embeddingDim: 1, ema: { decay: 0.5, eps: 1e-5 } });
    expect(Object.keys(vq.stateDictShapes()).sort()).toEqual(['cluster_size', 'embed_avg', 'embedding.weight']);
    expect(vq.embedding.weight.trainable).toBe(false);
    const state = { 'embedding.weight': tf.tensor2d([[0], [10]]), cluster_size: tf.tensor1d([1, 1]), embed_avg: tf.tensor2d([[0], [10]]) };
    vq.loadStateDict(state);
    tf.dispose(Object.values(state));
    const before = tf.memory().numTensors;
    const batch = tf.tensor2d([[1], [2], [9]]);
    const out = vq.forward(batch);
    expect(out.codebookLoss.dataSync()[0]).toBe(0);
    // N = 0.5·[1, 1] + 0.5·[2, 1]; m = 0.5·[0, 10] + 0.5·[3, 9]; Ñ = (N + ε)/(ΣN + 2ε)·ΣN; e = m / Ñ.
    const n = [1.5, 1];
    const m = [1.5, 9.5];
    const total = 2.5;
    const expected = m.map((mi, i) => mi / (((n[i]! + 1e-5) / (total + 2e-5)) * total));
    const sd = vq.stateDict();
    closeTo(values(sd['cluster_size']!), n);
    closeTo(values(sd['embed_avg']!), m, 5);
    closeTo(values(vq.embedding.weight), expected, 5);
    tf.dispose([batch, ...Object.values(sd), ...Object.values(out)]);
    expect(tf.memory().numTensors).toBe(before);
    // Eval mode leaves the codebook alone.
    vq.eval();
    const frozen = values(vq.embedding.weight);
    tf.dispose(Object.values(tf.tidy(() => vq.forward(tf.tensor2d([[100]])))));
    expect(values(vq.embedding.weight)).toEqual(frozen);
    vq.dispose();
  });

  it('dead-code restart replaces only unused codes, from batch vectors', () => {
    const vq = withCodebook([[0, 0], [5, 5], [10, 10], [-5, -5]]);
    const z = tf.tensor2d([[0.1, 0], [9.9, 10], [0, 0.2], [10.5, 9]]);
    tf.dispose(Object.values(vq.forward(z)));
    const before = values(vq.embedding.weight);
    const restarted = vq.restartDeadCodes(z, Rng.seeded(7));
    expect(restarted).toEqual([1, 3]);
    const after = values(vq.embedding.weight);
    const zRows = [[0.1, 0], [9.9, 10], [0, 0.2], [10.5, 9]].map((r) => Array.from(Float32Array.from(r)));
    for (const code of [0, 2]) expect(after.slice(code * 2, code * 2 + 2)).toEqual(before.slice(code * 2, code * 2 + 2));
    for (const code of [1, 3]) expect(zRows).toContainEqual(after.slice(code * 2, code * 2 + 2));
    expect(vq.usage()).toEqual([0, 0, 0, 0]);
    z.dispose();
    vq.dispose();
  });

  it('cosine mode searches by angle and returns normalised codewords', () => {
    const vq = withCodebook([[0.1, 0], [3, 3]], { cosine: true });
    tf.tidy(() => {
      const out = vq.forward(tf.tensor2d([[5, 1]]));
      // Euclidean distance would pick code 1 (8 < 25.01); the angle picks code 0.
      expect(values(out.indices)).toEqual([0]);
      closeTo(values(out.quantized), [1, 0]);
    });
    vq.dispose();
  });

  it('refuses a bad config', () => {
    expect(() => new VectorQuantizer({ numEmbeddings: 0, embeddingDim: 2 })).toThrow(ConfigError);
    expect(() => new VectorQuantizer({ numEmbeddings: 4, embeddingDim: 2, ema: { decay: 1 } })).toThrow(ConfigError);
  });
});
