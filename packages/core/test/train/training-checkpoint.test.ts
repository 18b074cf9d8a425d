import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tf, CheckpointError, Rng, disposeTrainingCheckpoint, loadTrainingCheckpoint, saveTrainingCheckpoint } from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'nextx-training-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('training checkpoints', () => {
  it("keep a loop's own JSON state and extra weight sets, one file each", () => {
    const dir = join(root, 'with-extra');
    const w = { 'layer.weight': tf.tensor2d([[1, 2]]) };
    const best = { 'layer.weight': tf.tensor2d([[3, 4]]) };
    const loop = { history: [{ epoch: 0, loss: 0.1 + 0.2 }], pct: 1 / 3 };
    saveTrainingCheckpoint(dir, {
      modelConfig: { d: 2 },
      weights: w,
      optimizer: { step: 7, m: { 'layer.weight': tf.zeros([1, 2]) }, v: { 'layer.weight': tf.ones([1, 2]) } },
      extra: { best },
      state: { step: 7, rng: Rng.seeded(1).state(), source: { at: 3 }, loop },
    });
    expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'config.json', 'model.safetensors', 'optimizer.safetensors', 'training_state.json']);
    const saved = loadTrainingCheckpoint(dir, { ema: false, extra: ['best'] });
    expect(saved.state.loop).toEqual(loop);
    expect(Array.from(saved.extra?.['best']?.['layer.weight']?.dataSync() ?? [])).toEqual([3, 4]);
    expect(saved.optimizer.step).toBe(7);
    disposeTrainingCheckpoint(saved);
    const plain = loadTrainingCheckpoint(dir, { ema: false });
    expect(plain.extra).toBeUndefined();
    disposeTrainingCheckpoint(plain);
    expect(() =>
      saveTrainingCheckpoint(join(root, 'clash'), {
        modelConfig: {},
        weights: w,
        optimizer: { step: 0, m: {}, v: {} },
        extra: { optimizer: best },
        state: { step: 0, rng: Rng.seeded(1).state(), source: null },
      }),
    ).toThrow(CheckpointError);
    tf.dispose([...Object.values(w), ...Object.values(best)]);
  });
});
