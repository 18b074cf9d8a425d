import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CategoricalSampler, InputError, tf, type GenerateOptions } from '@nextx/core';
import { parseVarModelConfig } from '../../src/var/config.js';
import { buildVar } from '../../src/var/load.js';
import { generateVarAll, type VarGenerateRequest } from '../../src/var/generate.js';
import { useBackend } from '../helpers/backends.js';

const config = parseVarModelConfig({
  vqvae: { vocab_size: 16, z_channels: 4, ch: 8, ch_mult: [1, 1], num_res_blocks: 1, in_channels: 1, num_groups: 4, using_sa: false, using_mid_sa: false, v_patch_nums: [1, 2, 4] },
  var: { num_classes: 4, depth: 1, embed_dim: 32, num_heads: 2, patch_nums: [1, 2, 4] },
});

describe('VAR honours GenerateOptions.sampler', () => {
  beforeAll(async () => useBackend('wasm'));
  const model = buildVar(config, 3);
  afterAll(() => model.dispose());
  const tokens = async (request: VarGenerateRequest, options: GenerateOptions = {}) =>
    (await generateVarAll(model, { classes: [0, 2], cfg: 1, ...request }, { seed: 5, ...options })).flatMap((s) => Array.from(s.tokens));

  it("a categorical spec draws what the request's shorthands draw, and its own fields take effect", async () => {
    const shorthand = await tokens({ topK: 3, topP: 0.9 });
    expect(await tokens({}, { sampler: { name: 'categorical', config: { topK: 3, topP: 0.9 } } })).toEqual(shorthand);
    expect(await tokens({}, { sampler: { name: 'categorical', config: { temperature: 0 } } })).toEqual(await tokens({ greedy: true }));
    // bannedIds is not a request field: with ids 0…11 banned only 12…15 are drawn.
    const banned = await tokens({}, { sampler: { name: 'categorical', config: { bannedIds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } } });
    expect(Math.min(...banned)).toBeGreaterThanOrEqual(12);
    expect(Math.min(...(await tokens({})))).toBeLessThan(12);
  });

  it('an instance with a constraint is used as given (constrained decoding)', async () => {
    const banned = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const sampler = new CategoricalSampler({}, { constraint: ({ vocab }) => Uint8Array.from({ length: vocab }, (_, v) => (banned.includes(v) ? 0 : 1)) });
    const before = tf.memory().numTensors;
    const drawn = await tokens({}, { sampler });
    expect(tf.memory().numTensors).toBe(before);
    expect(drawn.length).toBe(2 * (1 + 4 + 16));
    expect(new Set(drawn.filter((id) => banned.includes(id))).size).toBe(0);
  });

  it('refuses a sampler of another kind, both forms at once, and a sampler that returns bad ids', async () => {
    await expect(tokens({}, { sampler: { name: 'euler' } })).rejects.toThrow(/vision\/var draws with a categorical sampler; sampler 'euler' is diffusion/);
    await expect(tokens({ topK: 2 }, { sampler: { name: 'categorical' } })).rejects.toThrow(/either the request's topK or GenerateOptions.sampler/);
    await expect(tokens({}, { sampler: { name: 'categorical', config: { topK: -1 } } })).rejects.toThrow(/topK/);
    await expect(tokens({ moreSmooth: true }, { sampler: { name: 'categorical-like', kind: 'categorical', sample: () => Int32Array.from([0]) } })).rejects.toThrow(
      /moreSmooth weighs a CategoricalSampler's filtered logits/,
    );
    const broken = { name: 'broken', kind: 'categorical' as const, sample: () => Int32Array.from([99]) };
    await expect(tokens({}, { sampler: broken })).rejects.toThrow(InputError);
    await expect(tokens({}, { sampler: broken })).rejects.toThrow(/sampler 'broken' returned 1 ids for 2 rows/);
  });
});
