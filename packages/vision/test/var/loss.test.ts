import { describe, expect, it } from 'vitest';
import { Rng, tf } from '@nextx/core';
import { parseVarModelConfig } from '../../src/var/config.js';
import { buildVar } from '../../src/var/load.js';
import { varCrossEntropy } from '../../src/var/var-loss.js';
import { useBackend } from '../helpers/backends.js';

const config = parseVarModelConfig({
  vqvae: { vocab_size: 16, z_channels: 4, ch: 8, ch_mult: [1, 1], num_res_blocks: 1, in_channels: 1, num_groups: 4, using_sa: false, using_mid_sa: false, v_patch_nums: [1, 2, 4] },
  var: { num_classes: 4, depth: 1, embed_dim: 32, num_heads: 2, patch_nums: [1, 2, 4] },
});

describe('VAR loss', () => {
  it('is the mean over every scale position and image of lse(ℓ) − ℓ[target] (official CrossEntropyLoss, weight 1/L)', async () => {
    await useBackend('wasm');
    const model = buildVar(config, 2);
    model.transformer.eval();
    const rng = Rng.seeded(4);
    const indices = [1, 4, 16].map((n) => tf.tensor2d(Int32Array.from({ length: 2 * n }, () => rng.int(0, 15)), [2, n], 'int32'));
    const labels = tf.tensor1d([3, 0], 'int32');
    const before = tf.memory().numTensors;
    const loss = varCrossEntropy(model, { labels, indices });
    expect(tf.memory().numTensors).toBe(before + 1);
    // Reference on the host in float64, from the transformer's own logits [B, L, V].
    const logits = tf.tidy(() => model.transformer.forward(labels, model.vqvae.quantize.indicesToVarInput(indices)));
    const values = logits.dataSync();
    const targets = indices.map((t) => Array.from(t.arraySync() as number[][]));
    let total = 0;
    for (let b = 0; b < 2; b++) {
      const row = targets.flatMap((scale) => scale[b]!);
      row.forEach((target, l) => {
        const at = (b * 21 + l) * 16;
        const slice = Array.from(values.subarray(at, at + 16));
        const max = Math.max(...slice);
        total += max + Math.log(slice.reduce((s, v) => s + Math.exp(v - max), 0)) - slice[target]!;
      });
    }
    expect(loss.dataSync()[0]).toBeCloseTo(total / 42, 5);
    tf.dispose([loss, logits, labels, ...indices]);
    model.dispose();
  });
});
