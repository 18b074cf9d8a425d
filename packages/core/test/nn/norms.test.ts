import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { LayerNorm } from '../../src/nn/layer-norm.js';
import { GroupNorm } from '../../src/nn/group-norm.js';
import { RMSNorm } from '../../src/nn/rms-norm.js';
import { Embedding } from '../../src/nn/embedding.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, load } from './util.js';

const S2 = Math.SQRT2;
const S5 = Math.sqrt(5);

describe.each(TEST_BACKENDS)('normalisation layers and Embedding on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('LayerNorm uses the biased variance and the given eps, then weight and bias', () => {
    // x = 1..4: mean 2.5, biased var 1.25; eps 0.75 → √2 (the unbiased variance would give √2.4167).
    const ln = new LayerNorm(4, { eps: 0.75 });
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const plain = ln.forward(x);
    expectClose(plain, [-1.5 / S2, -0.5 / S2, 0.5 / S2, 1.5 / S2]);
    load(ln, { weight: tf.tensor1d([1, 2, 3, 4]), bias: tf.tensor1d([0, 1, 0, -1]) });
    const affine = ln.forward(x);
    expectClose(affine, [-1.5 / S2, (2 * -0.5) / S2 + 1, (3 * 0.5) / S2, (4 * 1.5) / S2 - 1]);
    const noAffine = new LayerNorm(4, { affine: false });
    expect(Object.keys(noAffine.stateDictShapes())).toEqual([]);
    const noBias = new LayerNorm(4, { bias: false });
    expect(Object.keys(noBias.stateDictShapes())).toEqual(['weight']);
    noBias.dispose();
    const y = noAffine.forward(x);
    expectClose(y, [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25 + 1e-5)));
    tf.dispose([x, plain, affine, y]);
    ln.dispose();
  });

  it('GroupNorm normalises contiguous channel groups over all positions, on [B,L,C] and NHWC', () => {
    // Groups {c0,c1} and {c2,c3} (torch's contiguous split): values {1,2,5,6} and {3,4,7,8}, each var 4.25;
    // eps 0.75 → std √5. An interleaved split {c0,c2} would see {1,3,5,7} (var 5) and give other numbers.
    const gn = new GroupNorm(2, 4, { eps: 0.75 });
    const x = tf.tensor3d([[[1, 2, 3, 4], [5, 6, 7, 8]]]);
    const expected = [-2.5, -1.5, -2.5, -1.5, 1.5, 2.5, 1.5, 2.5].map((v) => v / S5);
    const y = gn.forward(x);
    expectClose(y, expected);
    const nhwc = tf.reshape(x, [1, 2, 1, 4]);
    const y4 = gn.forward(nhwc);
    expect(y4.shape).toEqual([1, 2, 1, 4]);
    expectClose(y4, expected);
    load(gn, { weight: tf.tensor1d([2, 1, 1, 1]), bias: tf.tensor1d([0, 0, 0, 10]) });
    const affine = gn.forward(x);
    expectClose(affine, expected.map((v, i) => (i % 4 === 0 ? 2 * v : v) + (i % 4 === 3 ? 10 : 0)));
    // Batch entries are normalised independently (a shifted copy gives the same output).
    const two = tf.tidy(() => tf.concat([tf.mul(x, 3), tf.add(x, 100)], 0));
    const y2 = gn.forward(two);
    const second = tf.slice(y2, [1, 0, 0], [1, -1, -1]);
    expectClose(second, affine.dataSync(), 1e-4);
    tf.dispose([x, y, nhwc, y4, affine, two, y2, second]);
    gn.dispose();
  });

  it('RMSNorm divides by √(mean(x²) + eps) and scales by weight', () => {
    // mean(x²) = 7.5 for 1..4; eps 0.5 → √8.
    const norm = new RMSNorm(4, { eps: 0.5 });
    load(norm, { weight: tf.tensor1d([1, 1, 2, 0.5]) });
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const y = norm.forward(x);
    const r = Math.sqrt(8);
    expectClose(y, [1 / r, 2 / r, 6 / r, 2 / r]);
    tf.dispose([x, y]);
    norm.dispose();
  });

  it('Embedding gathers rows of weight [num, dim] for ids of any shape', () => {
    const emb = new Embedding(3, 2, { rng: Rng.seeded(3) });
    expect(emb.stateDictShapes()).toEqual({ weight: [3, 2] });
    load(emb, { weight: tf.tensor2d([[0, 1], [10, 11], [20, 21]]) });
    const ids = tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32');
    const y = emb.forward(ids);
    expect(y.shape).toEqual([2, 2, 2]);
    expectClose(y, [20, 21, 0, 1, 10, 11, 10, 11]);
    tf.dispose([ids, y]);
    emb.dispose();
  });
});
