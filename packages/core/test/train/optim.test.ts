import { beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { AdamW, decayMatricesOnly } from '../../src/train/adamw.js';
import { clipGradNorm, globalNorm } from '../../src/train/clip-grad-norm.js';
import { learningRate } from '../../src/train/lr-schedule.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** torch.optim.AdamW written out for one scalar: returns the parameter after each gradient. */
function referenceAdamW(p0: number, grads: number[], lrs: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  return grads.map((g, i) => {
    const t = i + 1;
    const lr = lrs[i] as number;
    p = p * (1 - lr * wd);
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    p = p - (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
    return p;
  });
}

describe.each(TEST_BACKENDS)('AdamW and clipping on %s', (backend) => {
  beforeEach(async () => {
    await useBackend(backend);
  });

  it('takes the torch AdamW step, with bias correction and decoupled weight decay', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const opt = new AdamW([['layer.weight', w], ['layer.bias', b]], { weightDecay: 0.1 });
    const before = tf.memory().numTensors;
    // First step by hand: m̂ = g, v̂ = g², so the update is lr·(sign(g) + wd·p): 1 − 0.1·(1 + 0.1) = 0.89.
    const g1 = { 'layer.weight': tf.tensor2d([[0.5, 3]]), 'layer.bias': tf.tensor1d([-0.25]) };
    opt.apply(g1, 0.1);
    const first = w.dataSync();
    expect(first[0]).toBeCloseTo(0.89, 6);
    expect(first[1]).toBeCloseTo(-2 - 0.1 * (1 + 0.1 * -2), 6);
    expect(b.dataSync()[0]).toBeCloseTo(0.5 + 0.1, 6); // bias: no decay
    const g2 = { 'layer.weight': tf.tensor2d([[-1, 0.2]]), 'layer.bias': tf.tensor1d([2]) };
    opt.apply(g2, 0.05);
    const lrs = [0.1, 0.05];
    expect(referenceAdamW(1, [0.5], [0.1], 0.1)[0]).toBeCloseTo(0.89, 6);
    expect(w.dataSync()[0]).toBeCloseTo(referenceAdamW(1, [0.5, -1], lrs, 0.1)[1] as number, 5);
    expect(w.dataSync()[1]).toBeCloseTo(referenceAdamW(-2, [3, 0.2], lrs, 0.1)[1] as number, 5);
    expect(b.dataSync()[0]).toBeCloseTo(referenceAdamW(0.5, [-0.25, 2], lrs, 0)[1] as number, 5);
    expect(opt.step).toBe(2);
    tf.dispose([...Object.values(g1), ...Object.values(g2)]);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('restores its state for an identical continuation', () => {
    const make = () => tf.variable(tf.tensor1d([0.3, -0.7, 1.1]));
    const grads = [[0.1, -0.2, 0.3], [0.5, 0.5, -1], [-0.3, 0.1, 0.2], [1, -1, 0.5]].map((g) => ({ p: tf.tensor1d(g) }));
    const a = make();
    const optA = new AdamW([['p', a]], { weightDecay: 0 });
    grads.forEach((g) => optA.apply(g, 0.01));
    const b = make();
    const optB = new AdamW([['p', b]], { weightDecay: 0 });
    grads.slice(0, 2).forEach((g) => optB.apply(g, 0.01));
    const saved = optB.state();
    const c = tf.variable(tf.clone(b));
    const optC = new AdamW([['p', c]], { weightDecay: 0 });
    optC.loadState(saved);
    grads.slice(2).forEach((g) => optC.apply(g, 0.01));
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => optC.loadState({ step: 1, m: {}, v: {} })).toThrow(/no m for parameter 'p'/);
    tf.dispose([a, b, c, ...Object.values(saved.m), ...Object.values(saved.v), ...grads.map((g) => g.p)]);
    [optA, optB, optC].forEach((o) => o.dispose());
  });

  it('clips by the global norm as clip_grad_norm_', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) };
    const before = tf.memory().numTensors;
    const norm = globalNorm(grads);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    const { grads: clipped, norm: n } = clipGradNorm(grads, 1);
    const scale = 1 / (5 + 1e-6);
    expect(n.dataSync()[0]).toBeCloseTo(5, 6);
    expect(clipped['a']?.dataSync()[0]).toBeCloseTo(3 * scale, 6);
    expect(clipped['b']?.dataSync()[1]).toBeCloseTo(4 * scale, 6);
    const { grads: untouched, norm: n2 } = clipGradNorm(grads, 10);
    expect(Array.from(untouched['b']?.dataSync() ?? [])).toEqual([0, 4]);
    tf.dispose([norm, n, n2, ...Object.values(clipped), ...Object.values(untouched)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(grads));
  });
});

describe('decay groups', () => {
  it('decays weight matrices only, not biases, norm weights or embeddings', async () => {
    await useBackend('cpu');
    const v = (shape: number[]) => tf.variable(tf.zeros(shape));
    const params: Array<[string, tf.Variable]> = [
      ['blocks.0.attn.qkv.weight', v([4, 12])],
      ['blocks.0.attn.qkv.bias', v([12])],
      ['blocks.0.ln_1.weight', v([4])],
      ['wte.weight', v([16, 4])],
      ['pos_embedding.weight', v([8, 4])],
      ['lm_head.weight', v([4, 16])],
    ];
    const opt = new AdamW(params);
    expect(opt.decayedNames()).toEqual(['blocks.0.attn.qkv.weight', 'lm_head.weight']);
    expect(decayMatricesOnly('wpe.weight', params[0]?.[1] as tf.Variable)).toBe(false);
    opt.dispose();
    tf.dispose(params.map(([, p]) => p));
  });
});

describe('learning-rate schedules', () => {
  const lr = 1e-3;
  it('warms up linearly', () => {
    const schedule = { kind: 'cosine' as const, warmupSteps: 4, minLr: 1e-4 };
    expect([0, 1, 2, 3].map((s) => learningRate(s, 20, lr, schedule))).toEqual([2.5e-4, 5e-4, 7.5e-4, 1e-3]);
  });
  it('decays by a half cosine to the floor', () => {
    const schedule = { kind: 'cosine' as const, warmupSteps: 2, minLr: 1e-4 };
    expect(learningRate(2, 12, lr, schedule)).toBeCloseTo(1e-3, 12);
    // halfway through the decay (step 7 of 2…12): min + ½(lr − min)
    expect(learningRate(7, 12, lr, schedule)).toBeCloseTo(1e-4 + 0.5 * 9e-4, 12);
    expect(learningRate(4.5, 12, lr, schedule)).toBeCloseTo(1e-4 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 9e-4, 12);
    expect(learningRate(12, 12, lr, schedule)).toBeCloseTo(1e-4, 12);
    expect(learningRate(30, 12, lr, schedule)).toBeCloseTo(1e-4, 12);
  });
  it('decays linearly, or stays constant', () => {
    expect(learningRate(5, 10, lr, { kind: 'linear', warmupSteps: 0, minLr: 0 })).toBeCloseTo(5e-4, 12);
    expect(learningRate(8, 10, lr, { kind: 'linear', warmupSteps: 0, minLr: 2e-4 })).toBeCloseTo(1e-3 - 0.8 * 8e-4, 12);
    expect(learningRate(9, 10, lr, { kind: 'constant', warmupSteps: 2, minLr: 0 })).toBe(1e-3);
    expect(learningRate(0, 10, lr, { kind: 'constant', warmupSteps: 2, minLr: 0 })).toBe(5e-4);
  });
});
