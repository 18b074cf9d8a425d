import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { GeluMlp } from '../../src/nn/gelu-mlp.js';
import { SwiGluMlp } from '../../src/nn/swiglu-mlp.js';
import { AdaLNModulation, modulate } from '../../src/nn/adaln.js';
import { Dropout, dropout } from '../../src/nn/dropout.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, load } from './util.js';

const SILU_1 = 0.7310585786300049;
const SILU_M1 = -0.2689414213699951;

describe.each(TEST_BACKENDS)('MLPs, AdaLN and dropout on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it.each([
    ['exact', [2.4544997361036416, 3.5632682415442766]],
    ['tanh', [2.454597694087775, 3.5634813783626347]],
  ] as const)('GeluMlp (%s) computes fc2(GELU(fc1 x)) from torch-layout weights', (flavour, expected) => {
    const mlp = new GeluMlp(2, 2, { gelu: flavour });
    expect(mlp.stateDictShapes()).toEqual({ 'fc1.weight': [2, 2], 'fc1.bias': [2], 'fc2.weight': [2, 2], 'fc2.bias': [2] });
    // fc1 [out, in] = [[1, 2], [0, 1]]: h = [x0 + 2·x1, x1] = [2, 0.5] for x = [1, 0.5].
    load(mlp, {
      'fc1.weight': tf.tensor2d([[1, 2], [0, 1]]),
      'fc1.bias': tf.zeros([2]),
      'fc2.weight': tf.tensor2d([[1, 0], [2, -1]]),
      'fc2.bias': tf.tensor1d([0.5, 0]),
    });
    const x = tf.tensor3d([[[1, 0.5]]]);
    const y = mlp.forward(x);
    expect(y.shape).toEqual([1, 1, 2]);
    expectClose(y, expected, 2e-6);
    tf.dispose([x, y]);
    mlp.dispose();
  });

  it('SwiGluMlp computes w2(SiLU(w1 x) ⊙ w3 x) with LLaMA names and no biases', () => {
    const mlp = new SwiGluMlp(2, 1);
    expect(mlp.stateDictShapes()).toEqual({ 'w1.weight': [1, 2], 'w2.weight': [2, 1], 'w3.weight': [1, 2] });
    load(mlp, { 'w1.weight': tf.tensor2d([[1, 0]]), 'w2.weight': tf.tensor2d([[1], [2]]), 'w3.weight': tf.tensor2d([[0, 1]]) });
    const x = tf.tensor2d([[1, 3]]);
    const y = mlp.forward(x);
    expectClose(y, [3 * SILU_1, 6 * SILU_1], 2e-6);
    tf.dispose([x, y]);
    mlp.dispose();
  });

  it('modulate is x·(1 + scale) + shift, broadcast over tokens', () => {
    const x = tf.tensor3d([[[1, 2], [3, 4]]]);
    const shift = tf.tensor3d([[[10, 20]]]);
    const scale = tf.tensor3d([[[1, -0.5]]]);
    const y = modulate(x, shift, scale);
    expectClose(y, [12, 21, 16, 22]);
    tf.dispose([x, shift, scale, y]);
  });

  it('AdaLNModulation returns Linear(SiLU(cond)) chunks in output-channel order under Sequential names', () => {
    const ada = new AdaLNModulation(2, 2, 3);
    expect(ada.stateDictShapes()).toEqual({ '1.weight': [6, 2], '1.bias': [6] });
    // Row i of the torch weight is [i, 1]: output i = i·SiLU(1) + SiLU(−1) + bias_i.
    load(ada, {
      '1.weight': tf.tensor2d([0, 1, 2, 3, 4, 5].flatMap((i) => [i, 1]), [6, 2]),
      '1.bias': tf.tensor1d([0, 0, 0, 0, 0, 100]),
    });
    const cond = tf.tensor2d([[1, -1]]);
    const chunks = ada.forward(cond);
    expect(chunks).toHaveLength(3);
    const out = (i: number) => i * SILU_1 + SILU_M1 + (i === 5 ? 100 : 0);
    chunks.forEach((chunk, c) => {
      expect(chunk.shape).toEqual([1, 1, 2]);
      expectClose(chunk, [out(2 * c), out(2 * c + 1)], 1e-5);
    });
    const zero = new AdaLNModulation(2, 4, 2, { zeroInit: true, linearName: 'lin' });
    expect(Object.keys(zero.stateDictShapes())).toEqual(['lin.weight', 'lin.bias']);
    const zeroChunks = zero.forward(cond);
    expectClose(zeroChunks[1] as tf.Tensor, [0, 0, 0, 0]);
    tf.dispose([cond, ...chunks, ...zeroChunks]);
    ada.dispose();
    zero.dispose();
  });

  it('Dropout: identity in eval, seeded inverted dropout in training', () => {
    const x = tf.ones([1000]);
    const drop = new Dropout(0.25, { rng: Rng.seeded(7) });
    const a = drop.forward(x);
    const values = a.dataSync();
    const kept = values.filter((v) => v !== 0);
    // Kept elements are scaled by 1/(1 − p); about 75% survive.
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(kept.length).toBeGreaterThan(700);
    expect(kept.length).toBeLessThan(800);
    const again = new Dropout(0.25, { rng: Rng.seeded(7) }).forward(x);
    expect(Array.from(again.dataSync())).toEqual(Array.from(values));
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    tf.dispose([x, a, again]);
  });

  it('dropout masks: the drop rate, no correlation between neighbours or successive calls, replay by seed', () => {
    const n = 100_000;
    const rate = 0.3;
    const x = tf.ones([n]);
    const rng = Rng.seeded(21);
    const draw = () => {
      const out = dropout(x, rate, rng);
      const dropped = Array.from(out.dataSync(), (v) => (v === 0 ? 1 : 0));
      out.dispose();
      return dropped;
    };
    const [first, second] = [draw(), draw()];
    const sigma = Math.sqrt(rate * (1 - rate) / n);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    // Each is a Bernoulli(rate) sample: its mean within 4σ, and the correlation of pairs (neighbours, the same element
    // in two calls) within 4/√n of 0.
    const correlation = (a: number[], b: number[]) => {
      const [ma, mb] = [mean(a), mean(b)];
      let [sab, saa, sbb] = [0, 0, 0];
      a.forEach((v, i) => {
        sab += (v - ma) * (b[i]! - mb);
        saa += (v - ma) ** 2;
        sbb += (b[i]! - mb) ** 2;
      });
      return sab / Math.sqrt(saa * sbb);
    };
    for (const mask of [first, second]) expect(Math.abs(mean(mask) - rate)).toBeLessThan(4 * sigma);
    expect(Math.abs(correlation(first.slice(1), first.slice(0, -1)))).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(correlation(first, second))).toBeLessThan(4 / Math.sqrt(n));
    expect(draw()).not.toEqual(first);
    const replay = Rng.seeded(21);
    const again = dropout(x, rate, replay);
    expect(Array.from(again.dataSync(), (v) => (v === 0 ? 1 : 0))).toEqual(first);
    tf.dispose([x, again]);
  });
});
