import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { parseVarModelConfig } from '../../src/var/config.js';
import { buildVar, loadVarCheckpoint, saveVarCheckpoint } from '../../src/var/load.js';
import { trainVqvae } from '../../src/var/train-vqvae.js';
import { TokenBatchSource, tokenizeImages, trainVarTransformer } from '../../src/var/train-var.js';
import { ImageBatchSource, type ImageDataset } from '../../src/data/image-batch-source.js';
import { useBackend } from '../helpers/backends.js';

// A tiny VAR (8×8 images, latent 4×4) on a toy dataset: class c is a bright square at corner c.
const config = parseVarModelConfig({
  vqvae: { vocab_size: 16, z_channels: 4, ch: 8, ch_mult: [1, 1], num_res_blocks: 1, in_channels: 1, num_groups: 4, using_sa: false, using_mid_sa: false, v_patch_nums: [1, 2, 4] },
  var: { num_classes: 4, depth: 1, embed_dim: 32, num_heads: 2, patch_nums: [1, 2, 4] },
});
const toy: ImageDataset = {
  count: 64,
  size: 8,
  channels: 1,
  label: (i) => i % 4,
  pixels: (indices) => {
    const out = new Float32Array(indices.length * 64).fill(-1);
    Array.from(indices).forEach((i, n) => {
      const c = i % 4;
      const [r0, c0] = [c < 2 ? 0 : 4, c % 2 ? 4 : 0];
      for (let r = 0; r < 4; r++) for (let q = 0; q < 4; q++) out[n * 64 + (r0 + r) * 8 + c0 + q] = 1;
    });
    return out;
  },
};
const dir = mkdtempSync(join(tmpdir(), 'nextx-var-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('VAR training with core Trainer (wasm)', () => {
  beforeAll(async () => useBackend('wasm'));

  it('trains the VQVAE then the transformer: both losses fall, tensors stay flat, the checkpoint round-trips', async () => {
    const model = buildVar(config, 1);
    const baseline = tf.memory().numTensors;
    const vq = await trainVqvae({ vqvae: model.vqvae, source: new ImageBatchSource(toy, 8, 1), trainer: { steps: 40, lr: 3e-3, weightDecay: 0, schedule: { kind: 'constant', warmupSteps: 0 } } });
    expect(vq.history.at(-1)!.loss).toBeLessThan(0.6 * vq.history[0]!.loss);
    expect(vq.codebookUsage).toHaveLength(3);
    expect(vq.history.at(-1)!.tokensPerSecond).toBeGreaterThan(0); // multi-scale tokens per second
    const picks = Array.from({ length: 64 }, (_, i) => i);
    const tokens = tokenizeImages(model, toy.pixels(picks), Int32Array.from(picks, (i) => i % 4), [64, 8, 8, 1]);
    expect(tokens.scales.map((s) => s.length)).toEqual([64, 256, 1024]);
    const run = await trainVarTransformer({ models: model, source: new TokenBatchSource(tokens, 16, 2), condDropRate: 0.1, trainer: { steps: 40, lr: 3e-3, weightDecay: 0, schedule: { kind: 'constant', warmupSteps: 0 } } });
    const first = run.history.slice(0, 5).reduce((s, m) => s + m.loss, 0) / 5;
    const last = run.history.slice(-5).reduce((s, m) => s + m.loss, 0) / 5;
    expect(last).toBeLessThan(0.8 * first);
    expect(tf.memory().numTensors).toBe(baseline);

    saveVarCheckpoint(join(dir, 'ckpt'), model, { floatDtype: 'F16' });
    const back = await loadVarCheckpoint(join(dir, 'ckpt'));
    tf.tidy(() => {
      const a = model.transformer.stateDict()['head.weight']!;
      const b = back.transformer.stateDict()['head.weight']!;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-3); // F16 storage
    });
    back.dispose();
    model.dispose();
  }, 120_000);
});
