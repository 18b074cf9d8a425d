import { beforeAll, describe, expect, it } from 'vitest';
import { tf, Rng } from '@nextx/core';
import { VarGenerator } from '../../src/var/var-generator.js';
import { varCrossEntropy, type VarBatch } from '../../src/var/var-loss.js';
import { TokenBatchSource, trainVarTransformer } from '../../src/var/train-var.js';
import { useBackend } from '../helpers/backends.js';

const numClasses = 5;
const patchNums = [1, 2, 3];
const vocab = 16;
const config = (condDropRate: number) => ({
  vqvae: { vocab_size: vocab, z_channels: 4, ch: 8, ch_mult: [1, 1], num_res_blocks: 1, in_channels: 1, num_groups: 4, using_sa: false, using_mid_sa: false, v_patch_nums: patchNums },
  var: { num_classes: numClasses, depth: 1, embed_dim: 32, num_heads: 2, patch_nums: patchNums, cond_drop_rate: condDropRate },
});
const B = 12;
const labels = Array.from({ length: B }, (_, i) => i % numClasses);
const tokens = patchNums.map((pn, k) => Int32Array.from({ length: B * pn * pn }, (_, i) => (i * 7 + k * 3) % vocab));

function batchOf(labelValues: readonly number[]): VarBatch {
  return { labels: tf.tensor1d([...labelValues], 'int32'), indices: tokens.map((ids, k) => tf.tensor2d(ids, [B, (patchNums[k] as number) ** 2], 'int32')) };
}

async function generator(condDropRate: number): Promise<VarGenerator> {
  const var_ = new VarGenerator();
  await var_.init(config(condDropRate), { seed: 3 });
  return var_;
}

/** The loss value of `fn` (a scalar made and freed here). */
function value(fn: () => tf.Scalar): number {
  return tf.tidy(() => fn().dataSync()[0] as number);
}

describe('class dropout in Generator.loss (official cond_drop_rate)', () => {
  beforeAll(async () => useBackend('cpu'));

  it('drops each label to the null class with probability cond_drop_rate, one uniform per label from options.rng', async () => {
    const var_ = await generator(0.4);
    const batch = batchOf(labels);
    const seeded = value(() => var_.loss(batch, { rng: Rng.seeded(11) }));
    expect(value(() => var_.loss(batch, { rng: Rng.seeded(11) }))).toBe(seeded); // deterministic given the seed
    // Reference: the labels dropped by torch's rule rand(B) < p with the same uniforms, through the plain loss.
    const u = Rng.seeded(11);
    const dropped = labels.map((label) => (u.uniform() < 0.4 ? numClasses : label));
    expect(dropped.filter((l) => l === numClasses).length).toBeGreaterThan(0);
    expect(dropped.filter((l) => l !== numClasses).length).toBeGreaterThan(0);
    const reference = batchOf(dropped);
    expect(seeded).toBeCloseTo(value(() => varCrossEntropy(var_.models, reference)), 6);
    expect(seeded).not.toBeCloseTo(value(() => varCrossEntropy(var_.models, batch)), 6);
    tf.dispose([batch.labels, ...batch.indices, reference.labels, ...reference.indices]);
    var_.dispose();
  });

  it('rate 1 trains only the null class, rate 0 only the labels', async () => {
    const batch = batchOf(labels);
    const unconditional = batchOf(labels.map(() => numClasses));
    for (const [rate, expected] of [[1, unconditional], [0, batch]] as const) {
      const var_ = await generator(rate);
      expect(value(() => var_.loss(batch, { rng: Rng.seeded(2) }))).toBeCloseTo(value(() => varCrossEntropy(var_.models, expected)), 6);
      var_.dispose();
    }
    tf.dispose([batch.labels, ...batch.indices, unconditional.labels, ...unconditional.indices]);
  });

  it('the Trainer path (trainVarTransformer) and the contract share it: the same Rng gives the same first-step loss', async () => {
    const var_ = await generator(0.5);
    const data = { labels: Int32Array.from(labels), scales: tokens, patchNums };
    const before = tf.memory().numTensors;
    const viaTrainer = await trainVarTransformer({
      models: var_.models,
      source: new TokenBatchSource(data, B, 0),
      condDropRate: 0.5,
      trainer: { steps: 1, lr: 1e-9, weightDecay: 0, seed: 9, schedule: { kind: 'constant', warmupSteps: 0 } },
    });
    expect(tf.memory().numTensors).toBe(before);
    // The Trainer's first batch and Rng, rebuilt: the source's first draw and the Trainer's Rng for seed 9.
    const first = await new TokenBatchSource(data, B, 0).next();
    const batch: VarBatch = {
      labels: tf.tensor1d(first.labels, 'int32'),
      indices: first.scales.map((ids, k) => tf.tensor2d(ids, [B, (patchNums[k] as number) ** 2], 'int32')),
    };
    var_.models.transformer.train();
    expect(value(() => var_.loss(batch, { rng: Rng.seeded(9) }))).toBeCloseTo(viaTrainer.history[0]!.loss, 5);
    tf.dispose([batch.labels, ...batch.indices]);
    var_.dispose();
  });
});
