import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { InputError } from '../../src/errors.js';
import { Rng } from '../../src/rng/rng.js';
import { sparseCrossEntropy, type SparseCrossEntropyOptions } from '../../src/losses/sparse-cross-entropy.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/**
 * The dense formulation, written independently: a target distribution q = (1 − ε)·onehot + ε/V per position (zero for
 * ignored positions), loss −Σ_v q·log_softmax, weighted, then reduced.
 */
function denseReference(logits: tf.Tensor, targets: number[], options: SparseCrossEntropyOptions): tf.Tensor {
  const { ignoreIndex, labelSmoothing: eps = 0, weights, reduction = 'mean' } = options;
  const vocab = logits.shape[logits.rank - 1] as number;
  const flat = tf.reshape(logits, [-1, vocab]);
  const keep = targets.map((t) => (t === ignoreIndex ? 0 : 1));
  const oneHot = tf.oneHot(tf.tensor1d(targets.map((t) => (t === ignoreIndex ? 0 : t)), 'int32'), vocab);
  const q = tf.mul(tf.add(tf.mul(tf.cast(oneHot, 'float32'), 1 - eps), eps / vocab), tf.tensor2d(keep, [keep.length, 1]));
  const perRow = tf.neg(tf.sum(tf.mul(q, tf.logSoftmax(flat)), 1));
  const w = tf.mul(tf.tensor1d(keep), weights ? tf.reshape(weights, [-1]) : 1);
  const weighted = tf.mul(perRow, w);
  if (reduction === 'none') return tf.reshape(weighted, logits.shape.slice(0, -1));
  return reduction === 'sum' ? tf.sum(weighted) : tf.div(tf.sum(weighted), tf.sum(w));
}

const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));

describe.each(TEST_BACKENDS)('sparse cross-entropy on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('is F.cross_entropy by hand: mean, sum, none, ignore index, label smoothing', () => {
    const logits = tf.tensor3d([[[1, 2, 0.5], [0, 0, 3]]]);
    const rows = [lse([1, 2, 0.5]) - 2, lse([0, 0, 3]) - 0];
    expect(sparseCrossEntropy(logits, tf.tensor2d([[1, 0]], undefined, 'int32')).dataSync()[0]).toBeCloseTo((rows[0]! + rows[1]!) / 2, 5);
    expect(sparseCrossEntropy(logits, [1, 0], { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(rows[0]! + rows[1]!, 5);
    const none = sparseCrossEntropy(logits, [1, 0], { reduction: 'none' });
    expect(none.shape).toEqual([1, 2]);
    Array.from(none.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(rows[i]!, 5));
    expect(sparseCrossEntropy(logits, [1, -100], { ignoreIndex: -100 }).dataSync()[0]).toBeCloseTo(rows[0]!, 5);
    // ε = 0.3 on row 0: 0.7·nll + 0.3·(lse − mean ℓ)
    const smooth = 0.7 * rows[0]! + 0.3 * (lse([1, 2, 0.5]) - 3.5 / 3);
    expect(sparseCrossEntropy(logits, [1, -1], { ignoreIndex: -1, labelSmoothing: 0.3 }).dataSync()[0]).toBeCloseTo(smooth, 5);
    // Every position ignored: 0/0, as torch.
    expect(sparseCrossEntropy(logits, [-1, -1], { ignoreIndex: -1 }).dataSync()[0]).toBeNaN();
    tf.dispose([logits, none]);
  });

  const cases: Array<[string, SparseCrossEntropyOptions]> = [
    ['mean', {}],
    ['sum', { reduction: 'sum' }],
    ['none', { reduction: 'none' }],
    ['ignore index', { ignoreIndex: -100 }],
    ['label smoothing 0.1', { labelSmoothing: 0.1 }],
    ['per-token weights', { weights: tf.tensor2d([0.5, 2, 0, 1, 1, 3, 0.25, 1, 1, 1, 0, 2], [3, 4]) }],
    [
      'ignore index, smoothing and weights, sum',
      { ignoreIndex: 7, labelSmoothing: 0.2, reduction: 'sum', weights: tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 4]) },
    ],
  ];
  it.each(cases)('value and gradient equal the dense formulation: %s', (_name, options) => {
    const rng = Rng.seeded(3);
    const vocab = 11;
    const targets = Array.from({ length: 12 }, (_, i) => (i % 5 === 2 ? (options.ignoreIndex ?? rng.int(0, vocab - 1)) : rng.int(0, vocab - 1)));
    const logits = tf.tensor3d(rng.fillNormal(new Float32Array(12 * vocab), 0, 2), [3, 4, vocab]);
    const before = tf.memory().numTensors;
    // A random cotangent makes the 'none' case check every position's gradient, not only their sum.
    const cotangent = tf.tensor2d(rng.fillNormal(new Float32Array(12)), [3, 4]);
    const project = (loss: tf.Tensor) => (loss.rank === 0 ? loss : tf.sum(tf.mul(loss, cotangent)));
    const [sparseValue, denseValue] = [sparseCrossEntropy(logits, targets, options), tf.tidy(() => denseReference(logits, targets, options))];
    const sparseGrad = tf.grad((x: tf.Tensor) => project(sparseCrossEntropy(x, targets, options)))(logits);
    const denseGrad = tf.grad((x: tf.Tensor) => project(denseReference(x, targets, options)))(logits);
    expect(sparseValue.shape).toEqual(denseValue.shape);
    const close = (a: tf.Tensor, b: tf.Tensor) => {
      const [x, y] = [a.dataSync(), b.dataSync()];
      x.forEach((v, i) => expect(Math.abs(v - (y[i] as number))).toBeLessThan(1e-5 * Math.max(1, Math.abs(y[i] as number))));
    };
    close(sparseValue, denseValue);
    close(sparseGrad, denseGrad);
    // Gradients are not trivially zero, except at ignored positions.
    expect(tf.tidy(() => tf.max(tf.abs(sparseGrad)).dataSync()[0])!).toBeGreaterThan(1e-3);
    tf.dispose([sparseValue, denseValue, sparseGrad, denseGrad, cotangent]);
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
  });

  it('builds no one-hot of [N, V]', async () => {
    const logits = tf.randomNormal([16, 128], 0, 1, 'float32', 1);
    const targets = Array.from({ length: 16 }, (_, i) => (i * 37) % 128);
    const profile = await tf.profile(() => tf.grad((x: tf.Tensor) => sparseCrossEntropy(x, targets))(logits));
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain('GatherV2');
    expect(kernels).not.toContain('OneHot');
    tf.dispose(profile.result as tf.Tensor);
    logits.dispose();
  });

  it('refuses bad targets and shapes before any work, naming the position', () => {
    const logits = tf.zeros([2, 3, 5]);
    expect(() => sparseCrossEntropy(logits, [0, 1, 2, 3, 5, 0])).toThrow(/target 5 at position 4 is not a class id in \[0, 5\)/);
    expect(() => sparseCrossEntropy(logits, [0, 1, 2, 3, 1.5, 0])).toThrow(InputError);
    expect(() => sparseCrossEntropy(logits, [0, -1, 2, 3, 1, 0])).toThrow(/position 1/);
    expect(() => sparseCrossEntropy(logits, [0, 1, 2])).toThrow(/3 targets for 6 positions/);
    expect(() => sparseCrossEntropy(logits, [0, 1, 2, 3, 4, 0], { weights: tf.ones([5]) })).toThrow(/weights \[5\]/);
    expect(() => sparseCrossEntropy(logits, [0, 1, 2, 3, 4, 0], { labelSmoothing: 2 })).toThrow(/labelSmoothing/);
    logits.dispose();
  });
});
