import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { ConfigError, PluginError } from '../../src/errors.js';
import { Rng } from '../../src/rng/rng.js';
import { CategoricalSampler, categoricalSamplerFactory, type LogitConstraint } from '../../src/sampling/categorical-sampler.js';
import { applyMinP, applyRepetitionPenalty, applyTopK, applyTopP } from '../../src/sampling/logit-filters.js';
import { guideLogits, guidanceWeight, linearGuidanceRamp } from '../../src/sampling/guidance.js';
import { gumbelSoftmax } from '../../src/sampling/gumbel-softmax.js';
import { BitwiseSampler } from '../../src/sampling/bitwise-sampler.js';
import { defaultSamplerRegistry } from '../../src/sampling/sampler-registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const row = (t: tf.Tensor) => Array.from(t.dataSync());

describe.each(TEST_BACKENDS)('categorical sampling on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('top-k never emits outside the k largest, over many seeds', () => {
    const logits = tf.tensor2d([[0.1, 2, -1, 1.9, 0.5, 1.8]]);
    const sampler = new CategoricalSampler({ topK: 3 });
    const seen = new Set<number>();
    for (let seed = 0; seed < 300; seed++) seen.add(sampler.sample(logits, { rng: Rng.seeded(seed) })[0] as number);
    expect([...seen].sort()).toEqual([1, 3, 5]);
    logits.dispose();
  });

  it("top-k keeps ties with the k-th largest (VAR's 'strictly below' rule)", () => {
    tf.tidy(() => {
      expect(row(applyTopK(tf.tensor2d([[3, 1, 2, 2]]), 2))).toEqual([3, -Infinity, 2, 2]);
    });
  });

  it('top-p keeps the smallest set with mass ≥ p (hand-built distribution)', () => {
    tf.tidy(() => {
      // probabilities 0.5, 0.3, 0.15, 0.05
      const logits = tf.tensor2d([[Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]]);
      const kept = (p: number) => row(applyTopP(logits, p)).map((v) => v > -Infinity);
      expect(kept(0.5)).toEqual([true, false, false, false]);
      expect(kept(0.7)).toEqual([true, true, false, false]);
      expect(kept(0.9)).toEqual([true, true, true, false]);
      expect(kept(0.01)).toEqual([true, false, false, false]);
    });
  });

  it('min-p drops tokens below minP·p_max; repetition penalty divides positive and multiplies negative logits', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[Math.log(0.6), Math.log(0.3), Math.log(0.1)]]);
      expect(row(applyMinP(logits, 0.4)).map((v) => v > -Infinity)).toEqual([true, true, false]);
      expect(row(applyRepetitionPenalty(tf.tensor2d([[2, -2, 1]]), [[0, 1, 1]], 2))).toEqual([1, -4, 1]);
    });
  });

  it('temperature 0 and greedy equal argmax, first index on ties', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 5, 5, 2], [0, 0, 0, 0]]);
      expect(Array.from(new CategoricalSampler({ topK: 1 }).sample(logits, { rng: Rng.seeded(1) }))[0]).toBeOneOf([1, 2]);
      expect(Array.from(new CategoricalSampler({ greedy: true }).sample(logits, { rng: Rng.seeded(1) }))).toEqual([1, 0]);
      expect(Array.from(new CategoricalSampler({ temperature: 0 }).sample(logits, { rng: Rng.seeded(1) }))).toEqual([1, 0]);
    });
  });

  it('seeded replay is exact and the empirical distribution matches the softmax', () => {
    const logits = tf.tensor2d([[0, Math.log(2), Math.log(3), Math.log(4)]]);
    const draw = (seed: number, n: number) => {
      const rng = Rng.seeded(seed);
      const sampler = new CategoricalSampler();
      return Array.from({ length: n }, () => sampler.sample(logits, { rng })[0] as number);
    };
    expect(draw(7, 50)).toEqual(draw(7, 50));
    const counts = [0, 0, 0, 0];
    const samples = draw(11, 4000);
    for (const s of samples) counts[s] = (counts[s] as number) + 1;
    const expected = [0.1, 0.2, 0.3, 0.4].map((p) => p * 4000);
    const chi2 = counts.reduce((sum, c, i) => sum + (c - (expected[i] as number)) ** 2 / (expected[i] as number), 0);
    expect(chi2).toBeLessThan(16.27); // χ²(3) at p = 0.001
    logits.dispose();
  });

  it('runs the pipeline in its documented order: penalty, temperature, top-k, top-p, min-p', () => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d([[4, 2, 1, 0, -1]]);
    // penalty 2 on ids 0 and 4: [2, 2, 1, 0, −2]; temperature 0.5: [4, 4, 2, 0, −4]; top-k 4 drops −4;
    // top-p 0.95 on softmax(4, 4, 2, 0) = (.4683, .4683, .0634, .0086): ascending cumsum .0086 ≤ .05 drops the 0,
    // .0720 > .05 keeps the 2.
    const sampler = new CategoricalSampler({ repetitionPenalty: 2, temperature: 0.5, topK: 4, topP: 0.95 });
    const filtered = sampler.filter({ logits, previous: [[0, 4, 4]] });
    expect(row(filtered)).toEqual([4, 4, 2, -Infinity, -Infinity]);
    // min-p 0.1 after temperature: threshold 4 + ln 0.1 = 1.70 drops the 0 (before temperature it would be kept).
    const withMinP = new CategoricalSampler({ repetitionPenalty: 2, temperature: 0.5, minP: 0.1 }).filter({ logits, previous: [[0, 4]] });
    expect(row(withMinP).map((v) => v > -Infinity)).toEqual([true, true, true, false, false]);
    const ids = sampler.sample({ logits, previous: [[0, 4, 4]] }, { rng: Rng.seeded(2) });
    expect([0, 1, 2]).toContain(ids[0]);
    tf.dispose([logits, filtered, withMinP]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a mask restricts draws to the allowed tokens, with the softmax renormalised over them', () => {
    const logits = tf.tensor2d([[0, Math.log(2), 5, Math.log(3), 4]]);
    const allowed = Uint8Array.from([1, 1, 0, 1, 0]); // the two most likely tokens are banned
    const sampler = new CategoricalSampler();
    const rng = Rng.seeded(12);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const id = sampler.sample({ logits, bias: allowed }, { rng })[0] as number;
      counts[id] = (counts[id] as number) + 1;
    }
    expect(counts[2]).toBe(0);
    expect(counts[4]).toBe(0);
    const expected = [1 / 6, 2 / 6, 0, 3 / 6, 0].map((p) => p * 3000);
    const chi2 = [0, 1, 3].reduce((sum, i) => sum + (counts[i]! - expected[i]!) ** 2 / expected[i]!, 0);
    expect(chi2).toBeLessThan(13.82); // χ²(2) at p = 0.001
    logits.dispose();
  });

  it('an additive bias draws exactly what the biased logits draw; bias and mask come before top-k', () => {
    const logits = tf.tensor2d([[1, 2, 3, 0.5], [0, 0, 0, 0]]);
    const bias = tf.tensor2d([[0, 1.5, -1, 0], [2, 0, 0, -Infinity]]);
    const shifted = tf.tensor2d([[1, 3.5, 2, 0.5], [2, 0, 0, -Infinity]]); // the same sums, written out by hand
    const sampler = new CategoricalSampler({ temperature: 0.7 });
    const draws = (input: Parameters<CategoricalSampler['sample']>[0]) => {
      const rng = Rng.seeded(4);
      return Array.from({ length: 200 }, () => Array.from(sampler.sample(input, { rng }))).flat();
    };
    expect(draws({ logits, bias })).toEqual(draws(shifted));
    // Top-1 after a mask is the best allowed token, not the (banned) best token.
    const top1 = new CategoricalSampler({ topK: 1 });
    const mask = tf.tensor1d([true, true, false, true], 'bool'); // one mask shared by both rows
    expect(Array.from(top1.sample({ logits, bias: mask }, { rng: Rng.seeded(0) }))).toEqual([1, 0]);
    expect(Array.from(new CategoricalSampler({ greedy: true, bannedIds: [2, 0] }).sample(logits, { rng: Rng.seeded(0) }))).toEqual([1, 1]);
    tf.dispose([logits, bias, shifted, mask]);
  });

  it('a constraint reads each row\'s prefix: constrained decoding never emits a forbidden continuation', () => {
    // Toy grammar over 6 ids: after an even id only odd ids may follow and vice versa; id 5 only at step ≥ 3.
    const seenContexts: number[][] = [];
    const constraint: LogitConstraint = ({ previous, rows, vocab, step }) => {
      seenContexts.push([rows, vocab, step ?? -1]);
      const mask = new Uint8Array(rows * vocab);
      previous.forEach((prefix, r) => {
        const last = prefix.at(-1);
        for (let v = 0; v < vocab; v++) mask[r * vocab + v] = (last === undefined || (last + v) % 2 === 1) && (v !== 5 || (step ?? 0) >= 3) ? 1 : 0;
      });
      return tf.tensor2d(mask, [rows, vocab], 'bool');
    };
    const sampler = new CategoricalSampler({}, { constraint });
    const rng = Rng.seeded(8);
    const prefixes: number[][] = [[], []];
    const before = tf.memory().numTensors;
    for (let step = 0; step < 40; step++) {
      const logits = tf.zeros([2, 6]) as tf.Tensor2D;
      const ids = sampler.sample({ logits, previous: prefixes }, { rng, step });
      logits.dispose();
      ids.forEach((id, r) => prefixes[r]!.push(id));
    }
    expect(tf.memory().numTensors).toBe(before); // the constraint's tensors are disposed by the sampler
    for (const prefix of prefixes) {
      prefix.slice(1).forEach((id, i) => expect((id + prefix[i]!) % 2, prefix.join()).toBe(1));
      expect(prefix.slice(0, 3)).not.toContain(5);
      expect(new Set(prefix).size).toBeGreaterThan(3); // the draw is still random among allowed ids
    }
    expect(seenContexts[0]).toEqual([2, 6, 0]);
    expect(seenContexts[39]).toEqual([2, 6, 39]);
  });

  it('refuses a bias of the wrong size and a row with no allowed token', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 2, 3], [1, 2, 3]]);
      const sampler = new CategoricalSampler();
      expect(() => sampler.sample({ logits, bias: new Float32Array(4) }, { rng: Rng.seeded(0) })).toThrow(/4 values fits neither \[2, 3\] nor \[3\]/);
      expect(() => sampler.sample({ logits, bias: Uint8Array.from([1, 1, 1, 0, 0, 0]) }, { rng: Rng.seeded(0) })).toThrow(/row 1 has no allowed token/);
      expect(() => new CategoricalSampler({ bannedIds: [3] }).sample(logits, { rng: Rng.seeded(0) })).toThrow(/banned id 3/);
    });
  });

  it('guidance: (1 + w)·cond − w·uncond, with the linear ramp w_k = cfg·k/(K − 1)', () => {
    tf.tidy(() => {
      expect(row(guideLogits(tf.tensor1d([2, 1]), tf.tensor1d([1, 3]), 1.5))).toEqual([3.5, -2]);
    });
    expect([0, 1, 2, 3].map((k) => linearGuidanceRamp(1.5, k, 4))).toEqual([0, 0.5, 1, 1.5]);
    expect(guidanceWeight({ kind: 'constant', weight: 2 }, 0, 4)).toBe(2);
  });

  it('hard Gumbel-softmax is the one-hot of argmax(logits + g) with the same noise', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 2, 3, 0.5]]);
      const hard = gumbelSoftmax(logits, 0.5, Rng.seeded(3), true);
      const soft = gumbelSoftmax(logits, 0.5, Rng.seeded(3), false);
      const winner = row(soft).indexOf(Math.max(...row(soft)));
      expect(row(hard).map((v) => Math.round(v))).toEqual([0, 1, 2, 3].map((i) => (i === winner ? 1 : 0)));
    });
  });

  it('hard Gumbel-softmax passes the soft sample\'s gradient (straight-through)', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 2, 3, 0.5]]);
      const weights = tf.tensor2d([[1, -2, 0.5, 3]]);
      const gHard = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(gumbelSoftmax(l, 0.7, Rng.seeded(9), true), weights)))(logits);
      const gSoft = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(gumbelSoftmax(l, 0.7, Rng.seeded(9), false), weights)))(logits);
      const [a, b] = [row(gHard), row(gSoft)];
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
      expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(1e-3);
    });
  });

  it('bitwise: thresholding analog bits, and Bernoulli frequencies follow σ(logit)', () => {
    tf.tidy(() => {
      expect(Array.from(new BitwiseSampler({ mode: 'threshold' }).sample(tf.tensor1d([-0.2, 0.3, 0]), { rng: Rng.seeded(0) }))).toEqual([0, 1, 0]);
      const bits = new BitwiseSampler().sample(tf.fill([4000], Math.log(3)), { rng: Rng.seeded(5) });
      const ones = bits.reduce((a, b) => a + b, 0) / bits.length;
      expect(Math.abs(ones - 0.75)).toBeLessThan(0.03);
    });
  });
});

describe('sampler registry', () => {
  it('creates by name, lists built-ins, and names unknown samplers and bad fields', () => {
    const registry = defaultSamplerRegistry();
    expect(registry.list().map((s) => s.name)).toEqual(['categorical', 'bitwise', 'euler', 'heun', 'edm', 'ddim', 'ddpm', 'flow-euler', 'flow-renoise']);
    expect(registry.create({ name: 'categorical', config: { topK: 5 } })).toBeInstanceOf(CategoricalSampler);
    expect(() => registry.create('nucleus')).toThrow(PluginError);
    expect(() => registry.create('nucleus')).toThrow(/unknown sampler 'nucleus'; registered: categorical, bitwise, euler/);
    expect(() => registry.create('categorical', { topP: 2 })).toThrow(ConfigError);
    expect(() => registry.create('categorical', { topP: 2 })).toThrow(/topP/);
    expect(() => registry.create('categorical', { topP: 2 })).toThrow(/sampler 'categorical'/);
    expect(() => registry.register(categoricalSamplerFactory)).toThrow(/already registered/);
  });
});
