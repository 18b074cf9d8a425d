import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { MultiScaleResidualQuantizer } from '../../src/quant/multiscale-quantizer.js';
import { nearestCode } from '../../src/quant/nearest-code.js';
import { Rng } from '../../src/rng/rng.js';
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
      indices.forEach((ids, k) => {
        const step = q.nextAutoregressiveInput(k, fhat, ids);
        fhat = step.fhat;
        expect(step.next === undefined).toBe(k === 3);
      });
      expect(Array.from(fhat.dataSync())).toEqual(Array.from(fhats[3]!.dataSync()));
      // Quantizing f̂ itself residual by residual recovers the same tokens at the first scale.
      expect(Array.from(q.encodeIndices(fhats[3]!)[0]!.dataSync()).length).toBe(2);
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
      return tf.add(out.loss, tf.sum(out.fhat)) as tf.Scalar;
    }, q.parameters());
    // d loss / d E_1 = 2(E_1 − f) = 0.5 (codebook term only).
    expect(grads[q.embedding.weight.name]!.dataSync()[1]).toBeCloseTo(0.5, 6);
    expect(Array.from(q.emaVocabHit.dataSync())).toEqual([0, 1, 0]);
    tf.dispose([value, f, ...Object.values(grads)]);
    q.dispose();
  });
});
