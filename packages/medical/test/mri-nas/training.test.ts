import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, CheckpointError, ConfigError, Rng, Trainer } from '@nextx/core';
import {
  MriNasModel,
  PoolImageSource,
  PoolTokenSource,
  buildExamplePool,
  encodePool,
  generateMriNasAll,
  mriNasCrossEntropy,
  randomEllipsePhantom,
  trainMriNas,
  type LevelImageBatch,
} from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';
import { TINY_CONFIG, tinyMeasurement, tinyModel } from '../helpers/tiny-model.js';

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'nextx-mri-nas-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const slices = Array.from({ length: 6 }, (_, i) => randomEllipsePhantom(16, Rng.seeded(i)));

describe('medical/mri-nas training', () => {
  it('both stages lower their loss on a fixed pool, and their steps leave no tensors behind', async () => {
    const model = tinyModel(1);
    const pool = buildExamplePool(model.config, slices, { numCoils: 4 }, 8, Rng.seeded(2));
    expect(pool.images).toHaveLength(8 * 3 * 16 * 16 * 2);
    model.tokenizer.train();
    const tokenizerTrainer = new Trainer<LevelImageBatch>({
      model: model.tokenizer,
      loss: (b, rng) => model.tokenizer.trainingLoss(tf.tensor5d(b.images, [b.batch, 3, 16, 16, 2]), b.inputLevels, rng),
      source: new PoolImageSource(pool, 4, 3),
      config: { steps: 12, lr: 3e-3, weightDecay: 0, logEvery: 1 },
    });
    const baseline = tf.memory().numTensors;
    const first = await tokenizerTrainer.run({ untilStep: 1 });
    const tokenizerRun = await tokenizerTrainer.run();
    expect(tf.memory().numTensors).toBe(baseline);
    const tokenizerLosses = [...first.history, ...tokenizerRun.history].map((m) => m.loss);
    expect(Math.min(...tokenizerLosses.slice(-3))).toBeLessThan(tokenizerLosses[0]! * 0.8);
    tokenizerTrainer.dispose();
    model.tokenizer.eval();
    const encoded = encodePool(model.tokenizer, pool);
    model.transformer.train();
    const source = new PoolTokenSource(encoded, 8, 4);
    const fixed = await source.next();
    const before = tf.tidy(() => mriNasCrossEntropy(model.transformer, fixed).dataSync()[0] as number);
    const trainer = new Trainer({ model: model.transformer, loss: () => mriNasCrossEntropy(model.transformer, fixed), source, config: { steps: 25, lr: 1e-2, weightDecay: 0, schedule: { kind: 'constant' } } });
    const tensors = tf.memory().numTensors;
    await trainer.run();
    expect(tf.memory().numTensors).toBe(tensors);
    const after = tf.tidy(() => mriNasCrossEntropy(model.transformer, fixed).dataSync()[0] as number);
    expect(after).toBeLessThan(before - 0.3);
    trainer.dispose();
    model.dispose();
  });

  it('the cross-entropy counts only the levels after each sample\'s measured level (checked against a host computation)', () => {
    const model = tinyModel(2);
    const [B, K, hw, c, V] = [2, 3, 16, 4, 16];
    const rng = Rng.seeded(9);
    const batch = {
      batch: B,
      fhats: Float32Array.from({ length: B * (K - 1) * hw * c }, () => rng.normal()),
      targets: Int32Array.from({ length: B * (K - 1) * hw }, () => rng.int(0, V - 1)),
      measuredLatents: Float32Array.from({ length: B * 4 * 4 * c }, () => rng.normal()),
      inputLevels: Int32Array.from([0, 1]),
    };
    const logits = tf.tidy(() =>
      model.transformer.forward(tf.tensor4d(batch.fhats, [B, K - 1, hw, c]), tf.tensor4d(batch.measuredLatents, [B, 4, 4, c]), tf.tensor1d(batch.inputLevels, 'int32')),
    );
    const values = logits.dataSync();
    let total = 0;
    let count = 0;
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < (K - 1) * hw; p++) {
        if (1 + Math.floor(p / hw) <= (batch.inputLevels[b] as number)) continue; // sample 1 measured level 1: its level-1 positions are known
        const row = Array.from(values.subarray((b * (K - 1) * hw + p) * V, (b * (K - 1) * hw + p + 1) * V));
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
        total += lse - (row[batch.targets[b * (K - 1) * hw + p] as number] as number);
        count++;
      }
    }
    expect(count).toBe(3 * hw);
    const loss = mriNasCrossEntropy(model.transformer, batch);
    expect(loss.dataSync()[0]).toBeCloseTo(total / count, 4);
    tf.dispose([logits, loss]);
    model.dispose();
  });

  it('the recipe trains on phantoms, checkpoints, and the checkpoint reloads to the same reconstructions', async () => {
    const out = join(dir, 'recipe');
    const report = await trainMriNas(out, {
      model: TINY_CONFIG as Record<string, unknown>,
      data: { kind: 'phantoms', phantoms: [6, 2, 2] },
      simulation: { numCoils: 4 },
      poolSize: 6,
      tokenizer: { steps: 3, batchSize: 2 },
      transformer: { steps: 2, batchSize: 2 },
      restartEvery: 2,
    });
    expect(report.tokenizerLoss.length).toBe(3);
    expect(report.transformerLoss.length).toBe(2);
    const a = MriNasModel.load(out);
    const b = MriNasModel.load(out);
    const m = tinyMeasurement(5);
    const ra = await generateMriNasAll(a, { measurement: { kspace: m.kspace, mask: m.mask }, samples: 2 }, { seed: 3 });
    const rb = await generateMriNasAll(b, { measurement: { kspace: m.kspace, mask: m.mask }, samples: 2 }, { seed: 3 });
    expect(Array.from(ra[2]!.mean)).toEqual(Array.from(rb[2]!.mean));
    tf.dispose([m.kspace.re, m.kspace.im]);
    a.dispose();
    b.dispose();
    // resuming a finished run trains nothing more and writes the same checkpoint
    const resumed = await trainMriNas(out, { model: TINY_CONFIG as Record<string, unknown>, data: { kind: 'phantoms', phantoms: [6, 2, 2] }, simulation: { numCoils: 4 }, poolSize: 6, tokenizer: { steps: 3, batchSize: 2 }, transformer: { steps: 2, batchSize: 2 }, restartEvery: 2 });
    expect(resumed.tokenizerLoss.length + resumed.transformerLoss.length).toBe(0);
  });

  it('a bad checkpoint is an error naming the file and field', () => {
    const bad = join(dir, 'bad');
    const model = tinyModel();
    model.save(bad);
    model.dispose();
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...TINY_CONFIG, accelerations: [4, 2] }));
    expect(() => MriNasModel.load(bad)).toThrow(ConfigError);
    expect(() => MriNasModel.load(bad)).toThrow(/bad\/config\.json[\s\S]*accelerations: must end with 1/);
    expect(() => MriNasModel.load(join(dir, 'nothing'))).toThrow(CheckpointError);
  });
});
