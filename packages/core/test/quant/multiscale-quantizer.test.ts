import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { MultiScaleResidualQuantizer } from '../../src/quant/multiscale-quantizer.js';
import { nearestCode } from '../../src/quant/nearest-code.js';
import { Rng } from '../../src/rng/rng.js';
import { ConfigError } from '../../src/errors.js';
import { ResidualPhi } from '../../src/quant/residual-phi.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

describe.each(TEST_BACKENDS)('multi-scale residual quantizer on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('nearest code: expanded distance, first index on ties', () => {
    tf.tidy(() => {
      const codebook = tf.tensor2d([[1, 0], [0, 1], [1, 0], [-1, 0]]);
      const z = tf.tensor2d([[0.9, 0.1], [0.5, 0.5], [-3, 0]]);
      expect(Array.from(nearestCode(z, codebook).dataSync())).toEqual([0, 0, 3]);
    });
  });

  function makeQuantizer(share: number) {
    const q = new MultiScaleResidualQuantizer({ vocabSize: 16, cvae: 4, patchNums: [1, 2, 3, 4], quantResi: 0.5, shareQuantResi: share, rng: Rng.seeded(1) });
    // A spread-out codebook so that every scale picks varied codes.
    q.embedding.weight.assign(tf.tidy(() => tf.randomNormal([16, 4], 0, 1, 'float32', 3)) as tf.Tensor2D);
    return q;
  }

  it('has the official state-dict names for share_quant_resi = 4, 1 and 0', () => {
    const names = (share: number) => Object.keys(makeQuantizer(share).stateDictShapes()).sort();
    expect(names(4)).toEqual(['ema_vocab_hit_SV', 'embedding.weight', ...[0, 1, 2, 3].flatMap((j) => [`quant_resi.qresi_ls.${j}.bias`, `quant_resi.qresi_ls.${j}.weight`])].sort());
    expect(names(1)).toEqual(['ema_vocab_hit_SV', 'embedding.weight', 'quant_resi.qresi.bias', 'quant_resi.qresi.weight']);
    expect(names(0)).toContain('quant_resi.3.weight');
    expect(makeQuantizer(4).stateDictShapes()['quant_resi.qresi_ls.0.weight']).toEqual([4, 4, 3, 3]);
  });

  it('tokens → f̂ equals the encoder-side f̂ bit for bit; var input has the right layout; tensors are freed', () => {
    const q = makeQuantizer(4);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const f = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
      const indices = q.encodeIndices(f);
      expect(indices.map((t) => t.shape)).toEqual([[2, 1], [2, 4], [2, 9], [2, 16]]);
      const fhats = q.fhatPerScale(f);
      const fromTokens = q.indicesToFhat(indices);
      expect(Array.from(fromTokens.dataSync())).toEqual(Array.from(fhats[3]!.dataSync()));
      const x = q.indicesToVarInput(indices);
      expect(x.shape).toEqual([2, 4 + 9 + 16, 4]);
      // The first token of scale 1 is the 2×2 area average of f̂ after scale 0 at (0, 0).
      const expected = tf.mean(tf.slice(fhats[0]!, [0, 0, 0, 0], [1, 2, 2, 4]), [1, 2]).dataSync();
      const got = tf.slice(x, [0, 0, 0], [1, 1, 4]).dataSync();
      Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
      // Stepping with nextAutoregressiveInput reproduces the same f̂ and inputs.
      let fhat = tf.zerosLike(f) as tf.Tensor4D;
      let fromMaps = tf.zerosLike(f) as tf.Tensor4D;
      indices.forEach((ids, k) => {
        const step = q.nextAutoregressiveInput(k, fhat, ids);
        fhat = step.fhat;
        expect(step.next === undefined).toBe(k === 3);
        if (step.next) {
          // The next input is the area-down-sampled f̂: the var input's tokens of scale k + 1.
          const pn = q.patchNums[k + 1]!;
          const offset = q.patchNums.slice(1, k + 1).reduce((a, p) => a + p * p, 0);
          const tokens = tf.slice(x, [0, offset, 0], [2, pn * pn, 4]);
          expect(Array.from(tf.reshape(step.next, [2, pn * pn, 4]).dataSync())).toEqual(Array.from(tokens.dataSync()));
        }
        // The code-map form (official h_BChw) gives the same f̂.
        const pn = q.patchNums[k]!;
        const map = tf.reshape(q.embedding.forward(ids), [2, pn, pn, 4]) as tf.Tensor4D;
        fromMaps = q.nextAutoregressiveInput(k, fromMaps, map).fhat;
      });
      expect(Array.from(fhat.dataSync())).toEqual(Array.from(fhats[3]!.dataSync()));
      expect(Array.from(fromMaps.dataSync())).toEqual(Array.from(fhat.dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
  });

  it('training forward: straight-through gradient reaches f, codebook and φ; hit EMA updates; loss by hand at one scale', () => {
    const q = new MultiScaleResidualQuantizer({ vocabSize: 3, cvae: 1, patchNums: [1], quantResi: 0, shareQuantResi: 4, beta: 0.25, rng: Rng.seeded(0) });
    q.embedding.weight.assign(tf.tensor2d([[0], [1], [5]]));
    const f = tf.tensor4d([0.75], [1, 1, 1, 1]);
    const { value, grads } = tf.variableGrads(() => {
      const out = q.forward(f);
      // loss = β(1 − 0.75)² + (1 − 0.75)² with the nearest code 1; f̂ is straight-through.
      expect(out.loss.dataSync()[0]).toBeCloseTo(1.25 * 0.0625, 6);
      expect(out.fhat.dataSync()[0]).toBe(1);
      expect(out.usage[0]).toBeCloseTo(1 / 3, 6);
      expect(out.usages[0]).toBeCloseTo(100 / 3, 4);
      return tf.add(out.loss, tf.sum(out.fhat)) as tf.Scalar;
    }, q.parameters());
    // d loss / d E_1 = 2(E_1 − f) = 0.5 (codebook term only).
    expect(grads[q.embedding.weight.name]!.dataSync()[1]).toBeCloseTo(0.5, 6);
    expect(Array.from(q.emaVocabHit.dataSync())).toEqual([0, 1, 0]);
    tf.dispose([value, f, ...Object.values(grads)]);
    q.dispose();
  });

  it('training forward on two scales: loss by hand, official record_hit EMA schedule and usages; eval leaves the EMA', () => {
    const q = new MultiScaleResidualQuantizer({ vocabSize: 3, cvae: 1, patchNums: [1, 2], quantResi: 0, shareQuantResi: 4, beta: 0.25 });
    q.embedding.weight.assign(tf.tensor2d([[0], [1], [5]]));
    const before = tf.memory().numTensors;
    // Scale 0: Area_1(f) = 1 → code 1 (f̂ = 1 everywhere); scale 1: residuals ±0.2, 0, 0 → code 0 four times.
    const f = tf.tensor4d([1.2, 0.8, 1, 1], [1, 2, 2, 1]);
    const first = q.forward(f);
    // Each scale: (β + 1)·mean((f̂ − f)²) = 1.25 · 0.02; the mean over two equal scales is the same.
    expect(first.loss.dataSync()[0]).toBeCloseTo(0.025, 6);
    expect(Array.from(first.fhat.dataSync())).toEqual([1, 1, 1, 1]);
    // record_hit 0 copies the hits of scale 0; record_hit 1 (scale 1) mixes 0.9·0 + 0.1·hits.
    expectClose(Array.from(q.emaVocabHit.dataSync()), [0, 1, 0, 0.4, 0, 0]);
    const second = q.forward(f);
    expectClose(Array.from(q.emaVocabHit.dataSync()), [0, 1, 0, 0.76, 0, 0]);
    // margin = B·h·w / V · 0.08 = 0.1067: one code of three per scale.
    second.usages.forEach((u) => expect(u).toBeCloseTo(100 / 3, 4));
    q.eval();
    const third = q.forward(f);
    expectClose(Array.from(q.emaVocabHit.dataSync()), [0, 1, 0, 0.76, 0, 0]);
    tf.dispose([first.fhat, first.loss, second.fhat, second.loss, third.fhat, third.loss, f]);
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
  });

  it('φ by hand: (1 − ρ)u + ρ·conv(u); scale → φ choice for n = 4, 1, 0; identity when |ρ| ≤ 1e-6', () => {
    const phis = (share: number, quantResi = 0.5) => new ResidualPhi({ channels: 1, quantResi, shareQuantResi: share, numScales: 4, rng: Rng.seeded(0) });
    const shared = phis(1);
    expect([0, 1, 2, 3].map((k) => shared.indexFor(k))).toEqual([0, 0, 0, 0]);
    expect([0, 1, 2, 3].map((k) => phis(0).indexFor(k))).toEqual([0, 1, 2, 3]);
    // A centre-tap 3×3 kernel of 2 and bias 1 (torch layout [out, in, 3, 3]), ρ = −0.5 → |ρ| = 0.5.
    const negative = phis(1, -0.5);
    const kernel = new Array(9).fill(0);
    kernel[4] = 2;
    const sd = { 'qresi.weight': tf.tensor4d(kernel, [1, 1, 3, 3]), 'qresi.bias': tf.tensor1d([1]) };
    negative.loadStateDict(sd);
    tf.dispose(Object.values(sd));
    tf.tidy(() => {
      const u = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      // 0.5·u + 0.5·(2u + 1) = 1.5u + 0.5.
      expect(Array.from(negative.forward(u, 2).dataSync())).toEqual([2, 3.5, 5, 6.5]);
      const identity = phis(4, 1e-7);
      expect(identity.numParameters()).toBe(0);
      expect(Array.from(identity.forward(u, 1).dataSync())).toEqual([1, 2, 3, 4]);
    });
    [shared, negative].forEach((m) => m.dispose());
  });

  it('refuses a bad config with a ConfigError', () => {
    expect(() => new MultiScaleResidualQuantizer({ vocabSize: 0, cvae: 1, patchNums: [1], quantResi: 0, shareQuantResi: 4 })).toThrow(ConfigError);
  });
});

function expectClose(actual: number[], expected: number[]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
}
