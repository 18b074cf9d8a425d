import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, withoutInit } from '@nextx/core';
import { inferVarModelConfig, RELEASED_PATCH_NUMS, type ShapeMap } from '../../src/var/config.js';
import { buildVar, RELEASED_VAR_DEPTHS } from '../../src/var/load.js';
import { useBackend } from '../helpers/backends.js';

/**
 * State-dict names, shapes and dtypes of vae_ch160v4096z32.pth and var_d16 … var_d30.pth as the official code builds
 * them (fixtures/released-shapes/make-released-shapes.py). The release files themselves cannot be downloaded here;
 * these lists say what they hold.
 */
type Entry = { shape: number[]; dtype: string };
const released = JSON.parse(readFileSync(new URL('../fixtures/released-shapes/released-shapes.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, Entry>
> & { parameters: Record<string, number> };
const shapesOf = (key: string): ShapeMap => Object.fromEntries(Object.entries(released[key]!).map(([name, e]) => [name, e.shape]));
const vaeShapes = shapesOf('vae_ch160v4096z32');

describe('the released checkpoints (names and shapes from the official code)', () => {
  beforeAll(async () => useBackend('wasm'));

  it.each(RELEASED_VAR_DEPTHS.map((d) => [d]))('var_d%i: the config inferred from its shapes is the released one', (depth) => {
    const config = inferVarModelConfig(vaeShapes, shapesOf(`var_d${depth}`));
    expect(config.vqvae).toMatchObject({ vocab_size: 4096, z_channels: 32, ch: 160, ch_mult: [1, 1, 2, 2, 4], num_res_blocks: 2, num_groups: 32 });
    expect(config.vqvae.v_patch_nums).toEqual([...RELEASED_PATCH_NUMS]);
    expect(config.var).toMatchObject({ depth, embed_dim: 64 * depth, num_heads: depth, num_classes: 1000, mlp_ratio: 4, attn_l2_norm: true, shared_aln: false });
    expect(config.var.patch_nums).toEqual([...RELEASED_PATCH_NUMS]);
  });

  it('VQVAE ch160 and VAR-d16 built from that config have exactly the official names, shapes and dtypes', () => {
    const before = tf.memory().numTensors;
    // Names, shapes and dtypes only: no 310 M random draws.
    const model = withoutInit(() => buildVar(inferVarModelConfig(vaeShapes, shapesOf('var_d16')), 0));
    try {
      for (const [key, module] of [['vae_ch160v4096z32', model.vqvae], ['var_d16', model.transformer]] as const) {
        const shapes = module.stateDictShapes();
        const dtypes = new Map([...module.namedParameters(), ...module.namedBuffers()].map(([name, v]) => [name, v.dtype]));
        const official = released[key]!;
        expect(Object.keys(shapes).sort(), key).toEqual(Object.keys(official).sort());
        for (const [name, entry] of Object.entries(official)) {
          expect(shapes[name], name).toEqual(entry.shape);
          // int64 buffers (lvl_1L) are read into int32 with a range check; everything else is float32.
          expect(dtypes.get(name), name).toBe(entry.dtype === 'int64' ? 'int32' : 'float32');
        }
      }
      expect(model.vqvae.numParameters()).toBe(released.parameters['vae_ch160v4096z32']);
      expect(model.transformer.numParameters()).toBe(released.parameters['var_d16']);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
