import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, readSafetensors, tf } from '@nextx/core';
import { MovingObjects } from '../src/data/moving-objects.js';
import { loadVideoModel } from '../src/model/checkpoint.js';
import { trainVideoModel } from '../src/train/train-video.js';
import type { TrainRecipeInput } from '../src/train/recipe.js';
import { VideoBatchSource } from '../src/train/video-batch-source.js';
import { tinyModel } from './helpers/tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'nextx-video-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A recipe small enough for a test: 16 × 16 shapes, a 1-layer transformer, a few steps, self forcing from step 1. */
const TINY_RECIPE: TrainRecipeInput = {
  data: { size: 16, spriteSize: 8, objects: 1, sprites: 'shapes' },
  model: { autoencoder: { latentChannels: 4, widths: [4, 8] }, dim: 32, depth: 1, heads: 2, ropeTimeDims: 4, lastFrameConditioning: true },
  autoencoder: { steps: 3, batch: 4 },
  transformer: { steps: 4, batch: 2, chunksPerClip: 3, warmup: 1 },
  sampling: { steps: 2 },
  selfForcing: { start: 0.25, probability: 1 },
  checkpointEvery: 2,
};

describe('training', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  it('trains both stages into a loadable checkpoint, self-forced after the start, and resumes from the run directory', async () => {
    const before = tf.memory().numTensors;
    const out = join(dir, 'run');
    const stages = new Set<string>();
    const result = await trainVideoModel(TINY_RECIPE, { out, onProgress: (e) => stages.add(e.stage) });
    expect([...stages]).toEqual(['autoencoder', 'transformer', 'profile heads']);
    expect(result.transformer.selfForcedBatches).toBe(3);
    expect(Number.isFinite(result.transformer.finalLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const model = loadVideoModel(result.checkpoint);
    expect(model.config.generation.windowFrames).toBe(2);
    expect(model.config.headRoles?.length).toBe(1);
    expect(model.config.latentScale).toBeCloseTo(result.latentScale, 6);
    model.dispose();
    expect(readFileSync(join(out, 'transformer-metrics.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(0);
    // A second run finds both stages finished and only rewrites the model.
    const again = await trainVideoModel(TINY_RECIPE, { out, onProgress: (e) => expect(e.stage).toBe('profile heads') });
    expect(again.latentScale).toBeCloseTo(result.latentScale, 6);
    expect(existsSync(join(out, 'autoencoder-run'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains with context noise (GameNGen) into a checkpoint that generates with the inference level, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const out = join(dir, 'noised');
    const recipe = { ...TINY_RECIPE, transformer: { ...TINY_RECIPE.transformer, contextNoise: 0.3, inferenceContextNoise: 0.1 } };
    const result = await trainVideoModel(recipe, { out });
    const model = loadVideoModel(result.checkpoint);
    expect(model.config.generation.contextNoise).toBe(0.1);
    model.dispose();
    expect(Number.isFinite(result.transformer.finalLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a residual model conditioned on two frames, self-forced through its own rollouts, into a checkpoint that keeps them', async () => {
    const before = tf.memory().numTensors;
    const recipe = { ...TINY_RECIPE, model: { ...TINY_RECIPE.model, conditioningFrames: 2, prediction: 'last-frame-residual' as const } };
    const result = await trainVideoModel(recipe, { out: join(dir, 'two-frames') });
    expect(result.transformer.selfForcedBatches).toBe(3);
    expect(Number.isFinite(result.transformer.finalLoss)).toBe(true);
    const model = loadVideoModel(result.checkpoint);
    expect(model.config.conditioningFrames).toBe(2);
    expect(model.transformer.conditionEmbed?.weight.shape).toEqual([2 * model.layout.tokenDim, 32]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a motion-compensated residual model, self-forced, into a checkpoint that keeps it (no tensor leaks)', async () => {
    const before = tf.memory().numTensors;
    const recipe = { ...TINY_RECIPE, model: { ...TINY_RECIPE.model, prediction: 'last-frame-residual' as const, motionCompensation: true } };
    const result = await trainVideoModel(recipe, { out: join(dir, 'motion') });
    expect(result.transformer.selfForcedBatches).toBe(3);
    expect(Number.isFinite(result.transformer.finalLoss)).toBe(true);
    const model = loadVideoModel(result.checkpoint);
    expect(model.config.motionCompensation).toBe(true);
    // The reference is a conditioning slot of its own, before the last frame.
    expect(model.transformer.conditionEmbed?.weight.shape).toEqual([2 * model.layout.tokenDim, 32]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains unrolled (one-step sampling) from the start fraction on, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const recipe = {
      ...TINY_RECIPE,
      model: { ...TINY_RECIPE.model, prediction: 'last-frame-residual' as const },
      sampling: { steps: 1 },
      selfForcing: { start: 0.5, probability: 0.5, unroll: 1 },
    };
    const result = await trainVideoModel(recipe, { out: join(dir, 'unrolled') });
    expect(result.transformer.unrolledBatches).toBe(2); // steps 3 and 4 of 4
    expect(Number.isFinite(result.transformer.finalLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains adversarially from the start fraction on: the discriminators ride in the stage checkpoint (and a resume), not in the model', async () => {
    const before = tf.memory().numTensors;
    const out = join(dir, 'adversarial');
    const recipe = { ...TINY_RECIPE, adversarial: { weight: 0.5, start: 0.5, hidden: 8, reference: true } };
    const result = await trainVideoModel(recipe, { out });
    expect(Number.isFinite(result.transformer.finalLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const stage = readSafetensors(join(out, 'transformer-run', 'model.safetensors'));
    const names = Object.keys(stage);
    tf.dispose(Object.values(stage));
    for (const prefix of ['discriminator.', 'reference.', 'transformer.']) expect(names.some((n) => n.startsWith(prefix))).toBe(true);
    const model = loadVideoModel(result.checkpoint);
    expect(Object.keys(model.stateDictShapes()).some((n) => n.includes('discriminator') || n.startsWith('reference'))).toBe(false);
    model.dispose();
    // Logged at step 1 (before the start: the generator's weight 0) and at the start (step 3: 0.5 · 4 steps done).
    const lines = readFileSync(join(out, 'adversarial-metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; weight: number; discriminator: number; generator: number; reference: number });
    expect(lines.map(({ step, weight }) => ({ step, weight }))).toEqual([{ step: 1, weight: 0 }, { step: 3, weight: 0.5 }]);
    // The reference discriminator's hinge loss is logged on its own, and is part of the discriminators' sum.
    expect(lines.every((l) => Number.isFinite(l.discriminator) && Number.isFinite(l.generator) && l.reference > 0 && l.reference < l.discriminator)).toBe(true);
    // More steps resume the stage with its discriminator (a missing one would fail the state-dict load).
    const longer = await trainVideoModel({ ...recipe, transformer: { ...recipe.transformer, steps: 6 } }, { out });
    expect(longer.transformer.steps).toBe(6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batches replay from their state; a self-forced batch keeps the true first chunk (and, after a gap, the window’s first) and rolls out the others', async () => {
    const model = tinyModel();
    const data = new MovingObjects(model.config.data);
    const options = { batch: 2, chunksPerClip: 3, gapProbability: 0.5, maxGapFrames: 64, sampling: { sampler: 'flow-euler' as const, steps: 2, shift: 1 }, seed: 4 };
    const forced = new VideoBatchSource(model, data, { ...options, selfForcing: () => 1 });
    const state = forced.state();
    const a = await forced.next();
    forced.restore(state);
    const b = await forced.next();
    expect(Array.from(b.context)).toEqual(Array.from(a.context));
    expect(a.selfForced).toBe(true);
    const perChunk = model.layout.tokensPerChunk * model.layout.tokenDim;
    const chunk = (x: Float32Array, video: number, c: number) => Array.from(x.subarray((video * 3 + c) * perChunk, (video * 3 + c + 1) * perChunk));
    // The sink chunk stays true; so does the window's first chunk after a gap (a rollout from the sink alone could not know where the objects are).
    const seen = { gap: 0, adjacent: 0 };
    for (let i = 0; i < 8; i++) {
      const x = i === 0 ? a : await forced.next();
      const gap = x.frames[2] !== 2;
      seen[gap ? 'gap' : 'adjacent']++;
      for (const video of [0, 1]) {
        expect(chunk(x.context, video, 0)).toEqual(chunk(x.clean, video, 0));
        expect(chunk(x.context, video, 2)).not.toEqual(chunk(x.clean, video, 2));
        if (gap) expect(chunk(x.context, video, 1)).toEqual(chunk(x.clean, video, 1));
        else expect(chunk(x.context, video, 1)).not.toEqual(chunk(x.clean, video, 1));
      }
    }
    expect(seen.gap).toBeGreaterThan(0);
    expect(seen.adjacent).toBeGreaterThan(0);
    // Unrolling is flagged per batch with its share, drawn only when asked: without it the stream is the same.
    const flagged = (unroll: number) => new VideoBatchSource(model, data, { ...options, selfForcing: () => 0, unroll: () => unroll });
    const plain = await new VideoBatchSource(model, data, { ...options, selfForcing: () => 0 }).next();
    const off = await flagged(0).next();
    expect(off.unrolled).toBeUndefined();
    expect(Array.from(off.clean)).toEqual(Array.from(plain.clean));
    const always = flagged(1);
    for (let i = 0; i < 3; i++) expect((await always.next()).unrolled).toBe(true);
    const taught = await new VideoBatchSource(model, data, { ...options, selfForcing: () => 0 }).next();
    expect(taught.selfForced).toBe(false);
    expect(Array.from(taught.context)).toEqual(Array.from(taught.clean));
    expect(taught.frames.slice(0, 2)).toEqual([0, 1]);
    model.dispose();
  });
});
