import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, initBackend, tf } from '@nextx/core';
import { generateVideo, type VideoChunk, type VideoRequestInput } from '../src/generate/generate.js';
import { MovingObjects } from '../src/data/moving-objects.js';
import type { VideoModel } from '../src/model/video-model.js';
import { tinyModel } from './helpers/tiny-model.js';

async function collect(model: VideoModel, request: VideoRequestInput, seed = 11): Promise<VideoChunk[]> {
  const chunks: VideoChunk[] = [];
  for await (const chunk of generateVideo(model, request, { seed })) chunks.push(chunk.value);
  return chunks;
}

function maxDifference(a: VideoChunk[], b: VideoChunk[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((chunk, i) => chunk.frames.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (b[i]?.frames[j] as number))))));
  return worst;
}

describe('streaming video generation', () => {
  let model: VideoModel;
  let baseline = 0;
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    model = tinyModel();
  });
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('gives the same frames with the KV cache as recomputing the context at every step (1e-4)', async () => {
    const data = new MovingObjects(model.config.data);
    const context = tf.tensor4d(data.sequence('heldout', 0).frames(0, 4), [1, 4, 16, 16]);
    for (const sampling of [{ sampler: 'flow-renoise' as const, steps: 3 }, { sampler: 'flow-euler' as const, steps: 2 }]) {
      const cached = await collect(model, { frames: 12, context, cache: { mode: 'full' }, sampling });
      const uncached = await collect(model, { frames: 12, context, cache: { mode: 'none' }, sampling });
      expect(cached.map((c) => c.firstFrame)).toEqual([4, 6, 8, 10, 12, 14]);
      expect(maxDifference(cached, uncached)).toBeLessThan(1e-4);
      // Not trivially so: recomputing only the last two frames gives other frames.
      const windowed = await collect(model, { frames: 12, context, cache: { mode: 'none', windowFrames: 2, sinkFrames: 0 }, sampling });
      expect(maxDifference(cached, windowed)).toBeGreaterThan(1e-3);
      // The context matters: another start gives other frames.
      const other = await collect(model, { frames: 12, cache: { mode: 'full' }, sampling });
      expect(maxDifference(cached, other)).toBeGreaterThan(1e-3);
    }
    context.dispose();
  });
});
