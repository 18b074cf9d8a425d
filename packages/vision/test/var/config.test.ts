import { describe, expect, it } from 'vitest';
import { ConfigError } from '@nextx/core';
import { inferVarModelConfig, parseVarModelConfig, RELEASED_PATCH_NUMS } from '../../src/var/config.js';
import { buildVar } from '../../src/var/load.js';

describe('VAR config', () => {
  it('defaults to the released checkpoints: patch_nums 1…16, vocab 4096, Cvae 32, ch 160, 32 groups, width 64·depth, heads = depth', () => {
    const c = parseVarModelConfig({ var: { depth: 20 } });
    expect(c.var.patch_nums).toEqual([...RELEASED_PATCH_NUMS]);
    expect(c.vqvae).toMatchObject({ vocab_size: 4096, z_channels: 32, ch: 160, num_groups: 32, ch_mult: [1, 1, 2, 2, 4] });
    expect(c.var).toMatchObject({ depth: 20, embed_dim: 1280, num_heads: 20 });
  });

  it('drop_path_rate defaults to build_vae_var\'s 0.1·depth/24 (the VAR class\'s own default of 0 is never used)', () => {
    expect(parseVarModelConfig({ var: { depth: 16 } }).var.drop_path_rate).toBeCloseTo(0.1 * 16 / 24, 12);
    expect(parseVarModelConfig({ var: { depth: 30 } }).var.drop_path_rate).toBeCloseTo(0.125, 12);
    expect(parseVarModelConfig({ var: { depth: 16, drop_path_rate: 0 } }).var.drop_path_rate).toBe(0);
  });

  it('infers depth, width, heads, vocabulary, Cvae, classes, channels and patch sizes from state-dict shapes', () => {
    const config = parseVarModelConfig({
      vqvae: { vocab_size: 24, z_channels: 6, ch: 8, ch_mult: [1, 2], num_res_blocks: 1, in_channels: 1, num_groups: 4, using_sa: false, v_patch_nums: [1, 2, 4] },
      var: { num_classes: 7, depth: 3, embed_dim: 48, num_heads: 3, patch_nums: [1, 2, 4] },
    });
    const model = buildVar(config, 0);
    const vae = model.vqvae.stateDictShapes();
    const vars = model.transformer.stateDictShapes();
    model.dispose();
    // num_groups is not in the weights (GroupNorm's γ is per channel); the levels of lvl_1L give the patch sizes.
    const inferred = inferVarModelConfig(vae, vars, { given: { vqvae: { num_groups: 4 } }, levelCounts: [1, 4, 16] });
    expect(inferred.vqvae).toMatchObject({ vocab_size: 24, z_channels: 6, ch: 8, ch_mult: [1, 2], num_res_blocks: 1, in_channels: 1, using_sa: false });
    expect(inferred.var).toMatchObject({ num_classes: 7, depth: 3, embed_dim: 48, patch_nums: [1, 2, 4] });
  });

  it('a config that contradicts the weights, or a bad value, is a ConfigError naming the field', () => {
    const config = parseVarModelConfig({ vqvae: { ch: 8, num_groups: 4, ch_mult: [1, 2], v_patch_nums: [1, 2] }, var: { depth: 1, embed_dim: 16, num_heads: 2, patch_nums: [1, 2] } });
    const model = buildVar(config, 0);
    const vars = model.transformer.stateDictShapes();
    model.dispose();
    expect(() => inferVarModelConfig(undefined, vars, { given: { var: { depth: 4 } } })).toThrow(ConfigError);
    expect(() => inferVarModelConfig(undefined, vars, { given: { var: { depth: 4 } } })).toThrow(/var\.depth/);
    expect(() => parseVarModelConfig({ vqvae: { ch: 8 } })).toThrow(/num_groups/);
    expect(() => parseVarModelConfig({ var: { patch_nums: [2, 1] } })).toThrow(/strictly increasing/);
  });
});
