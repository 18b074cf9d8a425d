import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, InputError, defaultSamplerRegistry, tf, type GenerateOptions } from '@nextx/core';
import { generateVideo, type VideoChunk, type VideoRequestInput } from '../src/generate/generate.js';
import { MovingObjects } from '../src/data/moving-objects.js';
import type { VideoModel } from '../src/model/video-model.js';
import { tinyModel } from './helpers/tiny-model.js';
import { useWasmWithoutLeaks } from './helpers/tensors.js';

async function collect(model: VideoModel, request: VideoRequestInput, seed = 11, options: GenerateOptions = {}): Promise<VideoChunk[]> {
  const chunks: VideoChunk[] = [];
  for await (const chunk of generateVideo(model, request, { seed, ...options })) chunks.push(chunk.value);
  return chunks;
}

function maxDifference(a: VideoChunk[], b: VideoChunk[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((chunk, i) => chunk.frames.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (b[i]?.frames[j] as number))))));
  return worst;
}

describe('streaming video generation', () => {
  useWasmWithoutLeaks();

  it.each([
    { lastFrameConditioning: false },
    { lastFrameConditioning: true },
    { lastFrameConditioning: true, conditioningFrames: 2 },
    { lastFrameConditioning: true, conditioningFrames: 3, framesPerChunk: 1 },
    { lastFrameConditioning: true, conditioningFrames: 2, conditioningKernel: 3 },
    { lastFrameConditioning: true, conditioningFrames: 2, prediction: 'last-frame-residual' as const, motionCompensation: true },
    { lastFrameConditioning: true, prediction: 'last-frame-residual' as const, motionCompensation: true, framesPerChunk: 1 },
    { lastFrameConditioning: true, prediction: 'last-frame-residual' as const, motionCompensation: true, motionEdges: 'bounce' as const },
    { lastFrameConditioning: true, prediction: 'last-frame-residual' as const, motionCompensation: true, motionEdges: 'bounce' as const, motionReference: 'first-frame' as const },
  ])('gives the same frames with the KV cache as recomputing the context at every step (1e-4; %o)', async (conditioning) => {
    const model = tinyModel(conditioning);
    const data = new MovingObjects(model.config.data);
    const context = tf.tensor4d(data.sequence('heldout', 0).frames(0, 4), [1, 4, 16, 16]);
    const perChunk = model.config.framesPerChunk;
    for (const sampling of [{ sampler: 'flow-renoise' as const, steps: 3 }, { sampler: 'flow-euler' as const, steps: 2 }]) {
      const cached = await collect(model, { frames: 12, context, cache: { mode: 'full' }, sampling });
      const uncached = await collect(model, { frames: 12, context, cache: { mode: 'none' }, sampling });
      expect(cached.map((c) => c.firstFrame)).toEqual(Array.from({ length: 12 / perChunk }, (_, i) => 4 + i * perChunk));
      expect(maxDifference(cached, uncached)).toBeLessThan(1e-4);
      // Not trivially so: recomputing only the last two frames gives other frames.
      const windowFrames = Math.max(2, model.config.conditioningFrames);
      const windowed = await collect(model, { frames: 12, context, cache: { mode: 'none', windowFrames, sinkFrames: 0 }, sampling });
      expect(maxDifference(cached, windowed)).toBeGreaterThan(2e-4);
      // The context matters: another start gives other frames.
      const other = await collect(model, { frames: 12, cache: { mode: 'full' }, sampling });
      expect(maxDifference(cached, other)).toBeGreaterThan(5e-4);
    }
    const framesRead = model.config.motionCompensation ? Math.max(2, model.config.conditioningFrames) : model.config.conditioningFrames;
    if (framesRead > 1) {
      await expect(collect(model, { frames: 4, context, cache: { mode: 'none', windowFrames: framesRead - 1 } })).rejects.toThrow(/cache.windowFrames .*conditioning frames/);
    }
    context.dispose();
    model.dispose();
  });
});

describe('context noise (generation.contextNoise)', () => {
  useWasmWithoutLeaks();

  it('noises the committed chunks the same way on both paths: cached and recomputed frames agree (1e-4), and differ from a clean context', async () => {
    const sampling = { sampler: 'flow-euler' as const, steps: 2 };
    const model = tinyModel({ lastFrameConditioning: true, generation: { contextNoise: 0.2 } });
    const clean = tinyModel({ lastFrameConditioning: true });
    const data = new MovingObjects(model.config.data);
    const context = tf.tensor4d(data.sequence('heldout', 0).frames(0, 4), [1, 4, 16, 16]);
    const cached = await collect(model, { frames: 10, context, cache: { mode: 'full' }, sampling });
    const uncached = await collect(model, { frames: 10, context, cache: { mode: 'none' }, sampling });
    expect(maxDifference(cached, uncached)).toBeLessThan(1e-4);
    const withoutNoise = await collect(clean, { frames: 10, context, cache: { mode: 'full' }, sampling });
    expect(maxDifference(cached, withoutNoise)).toBeGreaterThan(5e-4);
    context.dispose();
    model.dispose();
    clean.dispose();
  });
});

describe('GenerateOptions.sampler', () => {
  useWasmWithoutLeaks();

  it('is used, by spec or instance, in place of the model’s sampling; a non-flow sampler or a second sampling is refused', async () => {
    const model = tinyModel();
    const request = { frames: 4, cache: { mode: 'full' } } as const;
    const asRequest = await collect(model, { ...request, sampling: { sampler: 'flow-renoise', steps: 3 } });
    const bySpec = await collect(model, request, 11, { sampler: { name: 'flow-renoise', config: { steps: 3 } } });
    const instance = defaultSamplerRegistry().create('flow-renoise', { steps: 3 });
    const byInstance = await collect(model, request, 11, { sampler: instance });
    expect(maxDifference(bySpec, asRequest)).toBe(0);
    expect(maxDifference(byInstance, asRequest)).toBe(0);
    expect(bySpec[0]?.reuse.computed).toBe(3);
    // Not ignored: the model's default (flow-euler, 4 steps) gives other frames.
    expect(maxDifference(await collect(model, request), bySpec)).toBeGreaterThan(5e-4);
    await expect(collect(model, request, 11, { sampler: { name: 'euler' } })).rejects.toThrow(/flow-matching sampler.*'euler'/);
    await expect(collect(model, request, 11, { sampler: { name: 'categorical' } })).rejects.toThrow(InputError);
    await expect(collect(model, { ...request, sampling: { steps: 2 } }, 11, { sampler: instance })).rejects.toThrow(/not both/);
    model.dispose();
  });
});

describe('bounded streaming', () => {
  useWasmWithoutLeaks();
  let model: VideoModel;
  beforeAll(() => {
    model = tinyModel();
  });
  afterAll(() => model.dispose());

  // k and v, 2 layers, B = 1, 2 heads × 16 channels, float32: bytes per cached frame of 4 tokens.
  const bytesPerFrame = 2 * 2 * 1 * 32 * 4 * 4;

  it.each([
    ['window', { mode: 'window', windowFrames: 4, sinkFrames: 2 }],
    ['compressed', { mode: 'compressed', windowFrames: 4, sinkFrames: 2, recentFrames: 2, lambda: 0.07, staticFraction: 0.5 }],
  ] as const)('the %s cache stays within its frame budget at any length', async (_, cache) => {
    const seen: { bytes: number; frames: number }[] = [];
    for await (const { value } of generateVideo(model, { frames: 60, cache, sampling: { steps: 1 } }, { seed: 2 })) {
      seen.push({ bytes: value.cacheBytes, frames: value.firstFrame + value.count });
    }
    expect(seen.length).toBe(30);
    // Sink (2) + window (4) frames, dead slots included, after every chunk of a 60-frame video.
    for (const { bytes } of seen) expect(bytes).toBeLessThanOrEqual(6 * bytesPerFrame);
    expect(seen[seen.length - 1]?.bytes).toBeGreaterThanOrEqual(4 * bytesPerFrame);
  });

  it('a byte budget holds at every chunk, and the full cache grows with the video', async () => {
    const full: number[] = [];
    for await (const { value } of generateVideo(model, { frames: 20, cache: { mode: 'full' }, sampling: { steps: 1 } }, { seed: 2 })) full.push(value.cacheBytes);
    expect(full[full.length - 1]).toBe(20 * bytesPerFrame);
    expect(full[0]).toBe(2 * bytesPerFrame);
  });

  it('stops within one chunk when aborted, and frees everything', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const stream = generateVideo(model, { cache: { mode: 'window', windowFrames: 4 }, sampling: { steps: 3 } }, { seed: 5, signal: controller.signal });
    await expect(
      (async () => {
        for await (const _ of stream) {
          chunks++;
          if (chunks === 3) controller.abort();
        }
      })(),
    ).rejects.toThrow(AbortError);
    expect(chunks).toBe(3); // the fourth chunk stopped at its first step
  });

  it('an unbounded stream of 100 chunks leaves no tensor behind when the consumer stops', async () => {
    let chunks = 0;
    for await (const { value, final } of generateVideo(model, { cache: { mode: 'window', windowFrames: 4 }, sampling: { steps: 1 } }, { seed: 9 })) {
      expect(final).toBe(false);
      expect(value.count).toBe(2);
      if (++chunks === 100) break;
    }
    expect(chunks).toBe(100);
  });
});
