import { beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { accumulateGradients } from '../../src/train/gradient-accumulation.js';
import { Ema } from '../../src/train/ema.js';
import { PrefetchingBatchSource } from '../../src/train/batch-source.js';
import { ByteWindowSampler } from '../../src/train/byte-window-sampler.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { RegressionSource, TinyRegressor, mseLoss, type RegressionBatch } from './tiny-regression.js';

function half(batch: RegressionBatch, part: 0 | 1): RegressionBatch {
  const rows = batch.rows / 2;
  return {
    x: batch.x.slice(part * rows * 4, (part + 1) * rows * 4),
    y: batch.y.slice(part * rows, (part + 1) * rows),
    rows,
    index: batch.index,
  };
}

describe.each(TEST_BACKENDS)('gradient accumulation and EMA on %s', (backend) => {
  beforeEach(async () => {
    await useBackend(backend);
  });

  it('averages 2 half-batch gradients into the full-batch gradient', async () => {
    const model = new TinyRegressor(3);
    const batch = await new RegressionSource(16).next();
    const params = model.namedParameters();
    const before = tf.memory().numTensors;
    const full = accumulateGradients(params, [() => mseLoss(model, batch)]);
    const split = accumulateGradients(params, [() => mseLoss(model, half(batch, 0)), () => mseLoss(model, half(batch, 1))]);
    expect(split.loss.dataSync()[0]).toBeCloseTo(full.loss.dataSync()[0] as number, 5);
    expect(Object.keys(split.grads).sort()).toEqual(['head.bias', 'head.weight', 'hidden.bias', 'hidden.weight']);
    for (const [name, g] of Object.entries(full.grads)) {
      const a = g.dataSync();
      const b = (split.grads[name] as tf.Tensor).dataSync();
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    }
    tf.dispose([full.loss, split.loss, ...Object.values(full.grads), ...Object.values(split.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('keeps the gradients of parameters that some micro-batches do not reach (routed and gated layers)', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3, -1]));
    const unused = tf.variable(tf.tensor1d([7]));
    const params: Array<[string, tf.Variable]> = [['a', a], ['b', b], ['unused', unused]];
    const uses = {
      both: () => tf.add(tf.sum(tf.mul(a, tf.tensor1d([0.5, -1]))), tf.sum(tf.square(b))) as tf.Scalar, // ∇a = [0.5, −1], ∇b = 2b = [6, −2]
      onlyA: () => tf.sum(tf.square(a)) as tf.Scalar, // ∇a = 2a = [2, 4]
      onlyB: () => tf.sum(tf.mul(b, 3)) as tf.Scalar, // ∇b = [3, 3]
    };
    const before = tf.memory().numTensors;
    // The same three micro-batches in every order: the first, a middle or the last one misses a parameter.
    for (const order of [['both', 'onlyA', 'onlyB'], ['onlyA', 'both', 'onlyB'], ['onlyB', 'onlyA', 'both']] as const) {
      const { loss, grads } = accumulateGradients(params, order.map((name) => uses[name]));
      expect(Object.keys(grads).sort(), order.join()).toEqual(['a', 'b']);
      expect(Array.from(grads['a']!.dataSync()), order.join()).toEqual([expect.closeTo(2.5 / 3, 6), expect.closeTo(1, 6)]);
      expect(Array.from(grads['b']!.dataSync()), order.join()).toEqual([expect.closeTo(3, 6), expect.closeTo(1 / 3, 6)]);
      // L = ((−1.5 + 10) + 5 + 6)/3
      expect(loss.dataSync()[0]).toBeCloseTo(19.5 / 3, 5);
      tf.dispose([loss, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, unused]);
  });

  it('keeps an exponential moving average, with and without warm-up', async () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const ema = new Ema([['p', p]], { decay: 0.9, warmup: false });
    p.assign(tf.tensor1d([3, 4]));
    ema.update(); // 0.9·[1,2] + 0.1·[3,4]
    p.assign(tf.tensor1d([5, 0]));
    ema.update(); // 0.9·[1.2, 2.2] + 0.1·[5, 0]
    const averages = ema.averages();
    expect(Array.from(averages['p']?.dataSync() ?? [])).toEqual([expect.closeTo(1.58, 6), expect.closeTo(1.98, 6)]);
    await ema.withAveraged(() => expect(p.dataSync()[0]).toBeCloseTo(1.58, 6));
    expect(Array.from(p.dataSync())).toEqual([5, 0]);

    const warm = new Ema([['p', p]], { decay: 0.999, warmup: true });
    expect(warm.currentDecay()).toBeCloseTo(0.1, 12); // (1 + 0)/(10 + 0)
    p.assign(tf.tensor1d([15, 10]));
    warm.update(); // 0.1·[5,0] + 0.9·[15,10]
    expect(warm.currentDecay()).toBeCloseTo(2 / 11, 12);
    warm.swapIn();
    expect(Array.from(p.dataSync())).toEqual([expect.closeTo(14, 5), expect.closeTo(9, 5)]);
    warm.swapOut();
    expect(Array.from(p.dataSync())).toEqual([15, 10]);
    tf.dispose(Object.values(averages));
    ema.dispose();
    warm.dispose();
    p.dispose();
  });
});

describe('batch sources', () => {
  const corpus = new TextEncoder().encode('the quick brown fox jumps over the lazy dog. '.repeat(20));

  it('samples next-byte windows of the corpus', async () => {
    const sampler = new ByteWindowSampler(corpus, { batchSize: 3, seqLen: 10, seed: 5 });
    const batch = await sampler.next();
    expect(batch.inputs.length).toBe(30);
    for (let b = 0; b < 3; b++) {
      const row = batch.inputs.subarray(b * 10, b * 10 + 10);
      const start = findWindow(corpus, row);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(Array.from(batch.targets.subarray(b * 10, b * 10 + 10))).toEqual(Array.from(corpus.subarray(start + 1, start + 11)));
    }
    expect(() => new ByteWindowSampler(corpus.subarray(0, 5), { batchSize: 1, seqLen: 10, seed: 0 })).toThrow(/at least 11/);
  });

  it('replays the same batches after restoring a state, through a prefetch', async () => {
    const source = new PrefetchingBatchSource(new ByteWindowSampler(corpus, { batchSize: 2, seqLen: 8, seed: 9 }));
    await source.next();
    await source.next();
    const saved = source.state();
    const expected = [await source.next(), await source.next()];
    const other = new PrefetchingBatchSource(new ByteWindowSampler(corpus, { batchSize: 2, seqLen: 8, seed: 123 }));
    other.restore(JSON.parse(JSON.stringify(saved)));
    const replay = [await other.next(), await other.next()];
    expect(replay.map((b) => Array.from(b.inputs))).toEqual(expected.map((b) => Array.from(b.inputs)));
    let n = 0;
    for await (const batch of source) {
      expect(batch.inputs.length).toBe(16);
      if (++n === 2) break;
    }
  });
});

function findWindow(corpus: Uint8Array, row: Int32Array): number {
  outer: for (let s = 0; s + row.length < corpus.length; s++) {
    for (let i = 0; i < row.length; i++) if (corpus[s + i] !== row[i]) continue outer;
    return s;
  }
  return -1;
}
