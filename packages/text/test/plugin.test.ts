import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, Registry, tf, type GenerateChunk, type Sampler } from '@nextx/core';
import type { TextChunk } from '../src/generate/text-generation.js';
import { plugin } from '../src/index.js';
import { ArGenerator, BitlmGenerator, CobitGenerator } from '../src/generators.js';
import packageJson from '../package.json' with { type: 'json' };

describe('@nextx/text plugin', () => {
  it('states its package, domain and contract version, registers its three models, their train/generate/eval commands and a demo', () => {
    expect(plugin).toMatchObject({ name: '@nextx/text', version: packageJson.version, domain: 'text', contractVersion: CONTRACT_VERSION });
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toEqual([{ name: '@nextx/text', version: packageJson.version, domain: 'text', provides: ['text/cobit', 'text/ar', 'text/bitlm'] }]);
    expect(registry.resolve('text/cobit')).toBeInstanceOf(CobitGenerator);
    expect(registry.resolve('text/ar')).toBeInstanceOf(ArGenerator);
    expect(registry.resolve('text/bitlm')).toBeInstanceOf(BitlmGenerator);
    for (const verb of ['train', 'generate', 'eval'] as const) expect(Object.keys(plugin.commands?.[verb] ?? {}).sort()).toEqual(['text/ar', 'text/bitlm', 'text/cobit']);
    const flags = plugin.commands?.generate?.['text/cobit']?.options.map((o) => o.flags.split(' ')[0]);
    expect(flags).toEqual(expect.arrayContaining(['--checkpoint', '--length', '--steps', '--seed', '--sampler', '--gamma', '--q-lo', '--q-hi', '--self-condition', '--ati', '--schedule']));
    expect(typeof plugin.demo).toBe('function');
  });
});

async function finalIds(stream: AsyncIterable<GenerateChunk<TextChunk>>): Promise<readonly (readonly number[])[]> {
  let ids: readonly (readonly number[])[] = [];
  for await (const chunk of stream) if (chunk.final) ids = chunk.value.ids;
  return ids;
}

describe('GenerateOptions.sampler', () => {
  it('text/ar draws its tokens with a passed categorical sampler; a non-categorical one, and any sampler for BitLM (and CoBit, the same check), is refused', async () => {
    const before = tf.memory().numTensors;
    const ar = new ArGenerator();
    await ar.init({ vocabSize: 40, transformer: { dim: 8, depth: 1, heads: 2, contextLength: 16 } });
    const always7: Sampler<tf.Tensor2D, Int32Array> = { name: 'always-7', kind: 'categorical', sample: (logits) => new Int32Array(logits.shape[0]).fill(7) };
    expect(await finalIds(ar.generate({ samples: 2, length: 5 }, { sampler: always7, seed: 1 }))).toEqual([[7, 7, 7, 7, 7], [7, 7, 7, 7, 7]]);
    await expect(finalIds(ar.generate({ samples: 1, length: 3 }, { sampler: { name: 'bitwise' }, seed: 1 }))).rejects.toThrow(/text\/ar draws with a categorical sampler; sampler 'bitwise' is bitwise/);
    await expect(finalIds(ar.generate({ samples: 1, length: 3, temperature: 0.5 }, { sampler: always7, seed: 1 }))).rejects.toThrow(/either GenerateOptions.sampler or the request's temperature/);
    ar.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const bitlm = new BitlmGenerator();
    await bitlm.init({ vocabSize: 16, blockSize: 2, transformer: { dim: 8, depth: 1, heads: 2, contextLength: 16 }, head: { dim: 8, depth: 1, heads: 2, contentDim: 4, hidden: 8 } });
    await expect(finalIds(bitlm.generate({ samples: 1, length: 4 }, { sampler: { name: 'categorical' } }))).rejects.toThrow(/text\/bitlm draws bits with its own diffusion sampler: configure it in the request's `sampler` field/);
    bitlm.dispose();
  });
});
