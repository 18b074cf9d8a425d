import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, withoutInit } from '@nextx/core';
import { parseVarModelConfig } from '../../src/var/config.js';
import { buildVar, type LoadedVar } from '../../src/var/load.js';
import { useBackend } from '../helpers/backends.js';

/**
 * A VAR built from scratch starts as `build_vae_var` leaves the official one (VAR(...) then init_weights). Two
 * references: the formulas of init_weights computed by hand, and the statistics of the same configs initialised by
 * the official code (fixtures/var-init-stats, made with python3-torch; statistics only, the random streams differ).
 */
interface Stats {
  numel: number;
  mean?: number;
  std?: number;
}
const official = JSON.parse(readFileSync(new URL('../fixtures/var-init-stats/init-stats.json', import.meta.url), 'utf8')) as {
  vqvae: { vocab_size: number; z_channels: number; v_patch_nums: number[] };
  models: Record<'adaln' | 'shared_aln', { config: Record<string, unknown>; tensors: Record<string, Stats> }>;
};

function build(key: 'adaln' | 'shared_aln', seed = 0): LoadedVar {
  const { vocab_size, z_channels, v_patch_nums } = official.vqvae;
  // Only V and Cvae of the VQVAE matter to the transformer: a small trunk keeps the test fast.
  const vqvae = { vocab_size, z_channels, v_patch_nums, ch: 8, ch_mult: [1, 1], num_res_blocks: 1, num_groups: 4, using_sa: false, using_mid_sa: false };
  return buildVar(parseVarModelConfig({ vqvae, var: official.models[key].config }), seed);
}

function stats(values: ArrayLike<number>): Required<Stats> {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += ((values[i] as number) - mean) ** 2;
  return { numel: values.length, mean, std: Math.sqrt(squares / values.length) };
}

/** Per-tensor statistics in the official layout, plus the row groups init_weights scales differently. */
function tensorStats(model: LoadedVar): Record<string, Required<Stats>> {
  const c = model.transformer.sizes.width;
  const dict = model.transformer.stateDict();
  const out: Record<string, Required<Stats>> = {};
  for (const [name, t] of Object.entries(dict)) {
    const values = t.dataSync();
    out[name] = stats(values);
    if (/^blocks\.\d+\.ada_lin\.1\.weight$/.test(name)) {
      const d = t.shape[1] as number; // torch layout [6C, D]: row r is values[r·D … r·D + D)
      out[`${name}[:2C]`] = stats(values.subarray(0, 2 * c * d));
      out[`${name}[2C:]`] = stats(values.subarray(2 * c * d));
    }
    if (name.endsWith('.ada_gss')) {
      out[`${name}[:,:,:2]`] = stats(values.subarray(0, 2 * c));
      out[`${name}[:,:,2:]`] = stats(values.subarray(2 * c));
    }
  }
  tf.dispose(Object.values(dict));
  return out;
}

/** |measured/expected − 1| within 5 standard errors of a sample std (√(1/2n)), twice that when both are samples. */
function expectStd(measured: Required<Stats>, expected: number, name: string, bothSampled = false): void {
  const tolerance = 5 * Math.sqrt(1 / (2 * measured.numel)) * (bothSampled ? Math.SQRT2 : 1) + 1e-3;
  expect(Math.abs(measured.std / expected - 1), `${name}: std ${measured.std} vs ${expected}`).toBeLessThan(tolerance);
}

describe('VAR initialisation = the official init_weights', () => {
  beforeAll(async () => useBackend('cpu'));

  it.each(['adaln', 'shared_aln'] as const)('%s: every tensor matches the official statistics (same names, same groups)', (key) => {
    const model = build(key);
    const ours = tensorStats(model);
    model.dispose();
    const theirs = official.models[key].tensors;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const [name, ref] of Object.entries(theirs)) {
      const got = ours[name]!;
      expect(got.numel, name).toBe(ref.numel);
      if (ref.std === undefined || name === 'lvl_1L' || name === 'attn_bias_for_masking') continue;
      if (ref.std === 0) {
        expect(got.std, name).toBe(0); // zeros (biases) or constants (scale_mul_1H11 = ln 4)
        expect(got.mean, name).toBeCloseTo(ref.mean!, 6);
      } else {
        expectStd(got, ref.std, name, true);
        expect(Math.abs(got.mean - ref.mean!), `${name} mean`).toBeLessThan(6 * ref.std * Math.sqrt(2 / ref.numel));
      }
    }
  });

  it('by hand: std √(1/3C) for Linear and Embedding, head ×0.02, head_nm ×0.5, proj and fc2 ÷ √(2·depth), AdaLN γ rows ×1e-5, the rest ×0.5', () => {
    const model = build('adaln');
    const s = tensorStats(model);
    const { width: c } = model.transformer.sizes;
    const depth = model.transformer.blocks.length;
    model.dispose();
    const std = Math.sqrt(1 / (3 * c)); // trunc_normal(std, a=−2, b=2) at std ≈ 0.06 cuts nothing measurable
    for (const name of ['word_embed.weight', 'class_emb.weight', 'lvl_embed.weight', 'pos_start', 'pos_1LC', 'blocks.0.attn.mat_qkv.weight', 'blocks.2.ffn.fc1.weight']) {
      expectStd(s[name]!, std, name);
    }
    expectStd(s['head.weight']!, 0.02 * std, 'head.weight');
    expectStd(s['head_nm.ada_lin.1.weight']!, 0.5 * std, 'head_nm.ada_lin.1.weight');
    for (let l = 0; l < depth; l++) {
      expectStd(s[`blocks.${l}.attn.proj.weight`]!, std / Math.sqrt(2 * depth), 'proj');
      expectStd(s[`blocks.${l}.ffn.fc2.weight`]!, std / Math.sqrt(2 * depth), 'fc2');
      expectStd(s[`blocks.${l}.ada_lin.1.weight[:2C]`]!, 1e-5 * std, 'ada_lin γ rows');
      expectStd(s[`blocks.${l}.ada_lin.1.weight[2C:]`]!, 0.5 * std, 'ada_lin scale/shift rows');
      expect(s[`blocks.${l}.attn.scale_mul_1H11`]!.mean).toBeCloseTo(Math.log(4), 6);
      for (const bias of ['attn.q_bias', 'attn.v_bias', 'attn.proj.bias', 'ffn.fc1.bias', 'ffn.fc2.bias', 'ada_lin.1.bias']) {
        expect(s[`blocks.${l}.${bias}`]!, bias).toMatchObject({ mean: 0, std: 0 });
      }
    }
    for (const bias of ['word_embed.bias', 'head.bias', 'head_nm.ada_lin.1.bias']) expect(s[bias]!, bias).toMatchObject({ mean: 0, std: 0 });
  });

  it('by hand with shared_aln: ada_gss ~ N(0, 1/C), then γ rows ×1e-5 and the rest ×0.5; shared_ada_lin is not scaled', () => {
    const model = build('shared_aln');
    const s = tensorStats(model);
    const { width: c } = model.transformer.sizes;
    model.dispose();
    expectStd(s['blocks.0.ada_gss[:,:,:2]']!, 1e-5 / Math.sqrt(c), 'ada_gss γ');
    expectStd(s['blocks.1.ada_gss[:,:,2:]']!, 0.5 / Math.sqrt(c), 'ada_gss rest');
    expectStd(s['shared_ada_lin.1.weight']!, Math.sqrt(1 / (3 * c)), 'shared_ada_lin');
  });

  it('draws from the seed only: the same seed gives the same weights, another seed others', () => {
    const weights = (seed: number) => {
      const model = build('shared_aln', seed);
      const dict = model.transformer.stateDict();
      const picked = ['blocks.0.ada_gss', 'head.weight', 'pos_1LC'].map((name) => Array.from(dict[name]!.dataSync()));
      tf.dispose(Object.values(dict));
      model.dispose();
      return picked;
    };
    const a = weights(4);
    expect(weights(4)).toEqual(a);
    const b = weights(5);
    a.forEach((values, i) => expect(values).not.toEqual(b[i]));
    // ada_gss goes through core's initialisers (the Rng) like every other tensor: withoutInit skips it too.
    const skipped = withoutInit(() => build('shared_aln'));
    expect(skipped.transformer.blocks.items.every((block) => block.adaGss!.dataSync().every((v) => v === 0))).toBe(true);
    skipped.dispose();
  });

  it('the VQVAE codebook starts as nn.Embedding leaves it: N(0, 1)', () => {
    const model = build('adaln');
    const codebook = stats(model.vqvae.quantize.embedding.weight.dataSync());
    model.dispose();
    expectStd(codebook, 1, 'quantize.embedding.weight');
    expect(Math.abs(codebook.mean)).toBeLessThan(0.1);
  });
});
