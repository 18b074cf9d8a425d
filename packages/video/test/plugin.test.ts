import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, Registry, initBackend, tf } from '@nextx/core';
import { plugin } from '../src/index.js';
import { VideoGenerator } from '../src/video-generator.js';
import packageJson from '../package.json' with { type: 'json' };
import { TINY_CONFIG } from './helpers/tiny-model.js';

describe('@nextx/video plugin', () => {
  it('states its package, domain and contract version, and registers video/stream with its commands and demo', () => {
    expect(plugin).toMatchObject({ name: '@nextx/video', version: packageJson.version, domain: 'video', contractVersion: CONTRACT_VERSION });
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toEqual([expect.objectContaining({ name: '@nextx/video', provides: ['video/stream'] })]);
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(['eval', 'generate', 'train']);
    expect(typeof plugin.demo).toBe('function');
  });

  it('resolves a generator that streams chunks from a fresh model', async () => {
    await initBackend({ prefer: 'wasm' });
    const before = tf.memory().numTensors;
    const generator = new Registry().use(plugin).resolve<VideoGenerator>('video/stream');
    expect(generator).toBeInstanceOf(VideoGenerator);
    await generator.init(TINY_CONFIG, { seed: 1 });
    const chunks = [];
    for await (const chunk of generator.generate({ frames: 4, sampling: { steps: 1 } }, { seed: 2 })) chunks.push(chunk);
    expect(chunks.map((c) => [c.index, c.total, c.final])).toEqual([
      [0, 2, false],
      [1, 2, true],
    ]);
    generator.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
