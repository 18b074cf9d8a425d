import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, CheckpointError, ResnetBlock, Rng, readHostWeights } from '@nextx/core';
import { parseVarModelConfig } from '../../src/var/config.js';
import { VQVAE } from '../../src/var/vqvae/vqvae.js';
import { fixtureFile } from '../helpers/fixture.js';
import { useBackend } from '../helpers/backends.js';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

describe('VQVAE: official loader and constructor options', () => {
  beforeAll(async () => useBackend('cpu'));

  it('an ema_vocab_hit_SV recorded for another number of scales is replaced by the model\'s own, as the official load_state_dict does', () => {
    // var-tiny-a's VQVAE was trained with 4 scales (ema_vocab_hit_SV [4, 64]); here it serves a VAR with 3.
    const official = parseVarModelConfig(JSON.parse(readFileSync(fixtureFile('config.json'), 'utf8')));
    const vqvae = new VQVAE({ ...official.vqvae, v_patch_nums: [1, 2, 4] }, Rng.seeded(0));
    const weights = readHostWeights(fixtureFile('vae.safetensors'));
    expect(weights.get('quantize.ema_vocab_hit_SV')!.shape).toEqual([4, 64]);
    const before = tf.memory().numTensors;
    vqvae.loadStateDict(weights, { source: 'vae.safetensors' });
    expect(tf.memory().numTensors).toBe(before);
    expect(vqvae.quantize.emaVocabHit.shape).toEqual([3, 64]);
    expect(vqvae.quantize.emaVocabHit.dataSync().every((v) => v === 0)).toBe(true);
    const codebook = weights.get('quantize.embedding.weight')!;
    expect(Array.from(vqvae.quantize.embedding.weight.dataSync())).toEqual(Array.from(codebook.values));
    // Another vocabulary is still refused (the official strict load fails on it too, at the codebook).
    const other = new VQVAE({ ...official.vqvae, vocab_size: 32 }, Rng.seeded(0));
    expect(() => other.loadStateDict(weights, { source: 'vae.safetensors' })).toThrow(CheckpointError);
    vqvae.dispose();
    other.dispose();
  });

  it('dropout (official ResnetBlock, before conv2) acts in training only, and adds no state', () => {
    const options = { numGroups: 4, eps: 1e-6 };
    const plain = new ResnetBlock(8, 8, { ...options, rng: Rng.seeded(1) });
    // A rate just under 1 drops every activation before conv2: the block becomes x + conv2.bias, by hand.
    const dropping = new ResnetBlock(8, 8, { ...options, dropout: 1 - 1e-9, rng: Rng.seeded(2) });
    const state = plain.stateDict();
    expect(Object.keys(dropping.stateDict()).sort()).toEqual(Object.keys(state).sort());
    dropping.loadStateDict(state);
    const x = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 5) as tf.Tensor4D;
    dropping.eval();
    plain.eval();
    tf.tidy(() => {
      expect(maxAbsDiff(dropping.forward(x), plain.forward(x))).toBe(0);
    });
    dropping.train();
    tf.tidy(() => {
      expect(maxAbsDiff(dropping.forward(x), tf.add(x, plain.conv2.bias!))).toBeLessThan(1e-6);
    });
    tf.dispose([x, ...Object.values(state)]);
    plain.dispose();
    dropping.dispose();
  });

  it('the config\'s dropout reaches every ResnetBlock; 0 builds none', () => {
    const config = parseVarModelConfig({ vqvae: { ch: 8, ch_mult: [1, 2], num_res_blocks: 1, num_groups: 4, dropout: 0.2, v_patch_nums: [1, 2] }, var: { depth: 1, embed_dim: 16, num_heads: 2, patch_nums: [1, 2] } });
    const blocks = (vqvae: VQVAE) => vqvae.namedModules().map(([, m]) => m).filter((m): m is ResnetBlock => m instanceof ResnetBlock);
    const with02 = new VQVAE(config.vqvae, Rng.seeded(0));
    expect(blocks(with02).length).toBe(10); // encoder 2 + mid 2, decoder 2·2 + mid 2
    expect(blocks(with02).every((b) => b.dropout?.rate === 0.2)).toBe(true);
    const without = new VQVAE({ ...config.vqvae, dropout: 0 }, Rng.seeded(0));
    expect(blocks(without).every((b) => b.dropout === undefined)).toBe(true);
    with02.dispose();
    without.dispose();
  });
});
