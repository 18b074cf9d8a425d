import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, Rng, tf } from '@nextx/core';
import { VideoModel } from '../src/model/video-model.js';
import { loadVideoModel, saveVideoModel } from '../src/model/checkpoint.js';
import { teacherForcingMask } from '../src/model/chunk-mask.js';
import { lastFrameConditioning } from '../src/model/last-frame.js';
import { brightnessCentroid, shiftFrame } from '../src/model/global-motion.js';
import { MovingObjects } from '../src/data/moving-objects.js';
import { MaskCache, flowMatchingLoss, oneStepPredictions } from '../src/train/flow-matching-loss.js';
import { ChunkRollout } from '../src/generate/rollout.js';
import type { VideoBatch } from '../src/train/video-batch-source.js';
import { TINY_CONFIG, tinyModel } from './helpers/tiny-model.js';
import { useWasmWithoutLeaks } from './helpers/tensors.js';

const dir = mkdtempSync(join(tmpdir(), 'nextx-video-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('video model', () => {
  useWasmWithoutLeaks();

  it('cuts latents into row-major patch tokens and puts them back', () => {
    const model = tinyModel();
    const latents = tf.tensor4d(Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => i), [2, 4, 4, 4]); // 2 frames of 4 × 4 cells × 4 channels
    const tokens = tf.tidy(() => (model as unknown as { patchify(x: tf.Tensor, b: number, t: number): tf.Tensor }).patchify(latents, 1, 2));
    expect(tokens.shape).toEqual([1, 8, 16]);
    // Token 1 of frame 0 is cells (0..1, 2..3): its first values are cell (0, 2)'s channels, then cell (0, 3)'s.
    expect(Array.from(tokens.dataSync().subarray(16, 24))).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    const back = tf.tidy(() => (model as unknown as { unpatchify(x: tf.Tensor, b: number, t: number): tf.Tensor }).unpatchify(tokens, 1, 2));
    expect(Array.from(back.dataSync())).toEqual(Array.from(latents.dataSync()));
    tf.dispose([latents, tokens, back]);
    model.dispose();
  });

  it('saves and loads a checkpoint that computes the same, and validates its config first', () => {
    const model = tinyModel();
    const frames = tf.randomUniform([1, 2, 16, 16], 0, 1, 'float32', 3);
    const out = (m: VideoModel) => tf.tidy(() => m.transformer.forward(m.framesToTokens(frames), tf.fill([1, 2], 0.3), { positions: [0, 1, 2, 3, 4, 5, 6, 7] }).dataSync());
    const before = out(model);
    saveVideoModel(model, join(dir, 'ckpt'));
    const loaded = loadVideoModel(join(dir, 'ckpt'));
    // The weights come back bit for bit; the outputs to float rounding, since oneDNN's convolutions may round
    // differently for buffers at other heap addresses (seen on an AMD EPYC: 1e-7 in the autoencoder's first layer).
    const [saved, restored] = [model.stateDict(), loaded.stateDict()];
    for (const name of Object.keys(saved)) expect(Array.from(restored[name]?.dataSync() ?? []), name).toEqual(Array.from(saved[name]?.dataSync() ?? []));
    tf.dispose([...Object.values(saved), ...Object.values(restored)]);
    const after = out(loaded);
    expect(Math.max(...Array.from(after, (v, i) => Math.abs(v - (before[i] as number))))).toBeLessThan(1e-5);
    expect(loaded.config).toEqual(model.config);
    tf.dispose(frames);
    model.dispose();
    loaded.dispose();
    expect(() => new VideoModel({ ...TINY_CONFIG, patch: 3 })).toThrow(ConfigError);
    expect(() => new VideoModel({ ...TINY_CONFIG, ropeTimeDims: 6 })).toThrow(/ropeTimeDims/);
  });

  it('masks a teacher-forced sequence as generation sees it', () => {
    const mask = teacherForcingMask([0, 1, 1], [0, 1, 1]);
    const visible = Array.from(mask.dataSync(), (v) => (v === 0 ? 1 : 0));
    // rows: clean 0, clean 1, clean 1, noisy 0, noisy 1, noisy 1; columns the same.
    expect(visible).toEqual([
      [1, 0, 0, 0, 0, 0],
      [1, 1, 1, 0, 0, 0],
      [1, 1, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0],
      [1, 0, 0, 0, 1, 1],
      [1, 0, 0, 0, 1, 1],
    ].flat());
    mask.dispose();
  });

  it('the loss sees the context of earlier chunks only', () => {
    const model = tinyModel();
    const { tokensPerChunk, tokenDim } = model.layout;
    const length = 3 * tokensPerChunk;
    const values = (seed: number) => Rng.seeded(seed).fillNormal(new Float32Array(length * tokenDim));
    const clean = values(1);
    const batch = (context: Float32Array): VideoBatch => ({ batch: 1, frames: [0, 1, 2, 3, 4, 5], clean, context, selfForced: false, trueContextChunks: 3 });
    const masks = new MaskCache();
    const options = { perFrameNoise: 0, gridProbability: 0, grid: [1] };
    const loss = (context: Float32Array) => tf.tidy(() => flowMatchingLoss(model, batch(context), Rng.seeded(9), options, masks).dataSync()[0] as number);
    const base = loss(clean);
    const changed = (chunk: number) => {
      const context = clean.slice();
      for (let i = chunk * tokensPerChunk * tokenDim; i < (chunk + 1) * tokensPerChunk * tokenDim; i++) context[i] = (context[i] as number) + 1;
      return loss(context);
    };
    expect(changed(2)).toBe(base); // no chunk is conditioned on the last chunk's context
    expect(changed(0)).not.toBe(base);
    expect(changed(1)).not.toBe(base);
    // Context noise changes what the model sees of the context (the targets, levels and noise of the chunks are drawn
    // first, so they are the same), and nothing when its level is 0.
    const noised = (contextNoise: number) => tf.tidy(() => flowMatchingLoss(model, batch(clean), Rng.seeded(9), { ...options, contextNoise }, masks).dataSync()[0] as number);
    expect(noised(0)).toBe(base);
    expect(noised(0.5)).not.toBe(base);
    masks.dispose();
    model.dispose();
  });
  it('conditions each chunk on the frames just before it, side by side, and on zeros where the run does not hold them', () => {
    // Frames 0, 1 | a gap | 5, 6 | 7, 8 of one token each, the token of frame f being [f, 10f].
    const frames = [0, 1, 5, 6, 7, 8];
    const tokens = tf.tensor3d(frames.flatMap((f) => [f, 10 * f]), [1, frames.length, 2]);
    const conditioning = lastFrameConditioning(tokens, frames, 2, 1, 2);
    expect(conditioning.shape).toEqual([1, 6, 4]);
    const rows = Array.from({ length: 6 }, (_, i) => Array.from(conditioning.dataSync().subarray(i * 4, i * 4 + 4)));
    // Chunk (0, 1): nothing before it. Chunk (5, 6): frame 4 is not in the run. Chunk (7, 8): frames 6, then 5.
    expect(rows).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [6, 60, 5, 50], [6, 60, 5, 50]]);
    // One frame per chunk: frame 6 has 5 but not 4 before it.
    const later = tf.slice(tokens, [0, 2, 0], [-1, 3, -1]);
    const single = lastFrameConditioning(later, [5, 6, 7], 1, 1, 2);
    expect(Array.from(single.dataSync())).toEqual([0, 0, 0, 0, 5, 50, 0, 0, 6, 60, 5, 50]);
    tf.dispose([tokens, conditioning, later, single]);
  });

  it('a motion-compensated model conditions a chunk first on the last frame moved on by the motion before it (re-encoded; zeros without that frame), and a zero head predicts it', () => {
    const model = new VideoModel({ ...TINY_CONFIG, lastFrameConditioning: true, conditioningFrames: 2, prediction: 'last-frame-residual', motionCompensation: true });
    const { tokensPerFrame, tokenDim } = model.layout;
    const size = model.frameSize;
    const frames = [0, 1, 5, 6, 7, 8]; // chunks (0, 1) | a gap | (5, 6) | (7, 8)
    const sequence = new MovingObjects(model.config.data).sequence('heldout', 2);
    const pixels = frames.flatMap((f) => Array.from(sequence.frames(f, 1)));
    const tokens = tf.tidy(() => model.framesToTokens(tf.tensor4d(pixels, [1, frames.length, size, size])));
    // An untrained decoder's frames do not move: decode to the true frames instead (what a trained one approximates).
    model.tokensToFrames = (t) => tf.tensor4d(pixels, [1, (t.shape[1] as number) / tokensPerFrame, size, size]);
    const conditioning = model.conditioningOf(tokens, frames) as tf.Tensor;
    expect(conditioning.shape).toEqual([1, frames.length * tokensPerFrame, 3 * tokenDim]);
    // Built by hand for chunk (7, 8): frame 6 moved by 1× and 2× the centroid step from frame 5.
    const decoded = Float32Array.from(pixels);
    const frameOf = (f: number) => decoded.subarray(frames.indexOf(f) * size * size, (frames.indexOf(f) + 1) * size * size);
    const [r6, c6] = brightnessCentroid(frameOf(6), size) as [number, number];
    const [r5, c5] = brightnessCentroid(frameOf(5), size) as [number, number];
    expect(Math.hypot(r6 - r5, c6 - c5)).toBeGreaterThan(0.3); // the item moves: the references are not copies
    const moved = [1, 2].flatMap((j) => Array.from(shiftFrame(frameOf(6), size, j * (r6 - r5), j * (c6 - c5))));
    const expected = tf.tidy(() => model.framesToTokens(tf.tensor4d(moved, [1, 2, size, size])).dataSync());
    const slot = (frame: number, s: number) => Array.from({ length: tokensPerFrame }, (_, t) => Array.from(conditioning.dataSync().subarray(((frames.indexOf(frame) * tokensPerFrame + t) * 3 + s) * tokenDim, ((frames.indexOf(frame) * tokensPerFrame + t) * 3 + s + 1) * tokenDim))).flat();
    [7, 8].forEach((f, j) => slot(f, 0).forEach((v, i) => expect(v).toBeCloseTo(expected[j * tokensPerFrame * tokenDim + i] as number, 4)));
    // Then the last-frame conditioning: frame 6, then 5.
    const tokenOf = (f: number) => Array.from(tokens.dataSync().subarray(frames.indexOf(f) * tokensPerFrame * tokenDim, (frames.indexOf(f) + 1) * tokensPerFrame * tokenDim));
    expect(slot(8, 1)).toEqual(tokenOf(6));
    expect(slot(8, 2)).toEqual(tokenOf(5));
    // No frame 4 before chunk (5, 6), nothing before (0, 1): zeros.
    for (const f of [0, 1, 5, 6]) expect(slot(f, 0).every((v) => v === 0)).toBe(true);
    // The fresh (zero) head predicts the reference.
    const positions = Array.from({ length: frames.length * tokensPerFrame }, (_, i) => i);
    const gap = tf.tidy(() => {
      const predicted = model.transformer.predictClean(tf.randomNormal(tokens.shape, 0, 1, 'float32', 3), tf.zeros([1, frames.length]), { positions, conditioning });
      const references = tf.slice(tf.reshape(conditioning, [1, -1, 3, tokenDim]), [0, 0, 0, 0], [-1, -1, 1, -1]);
      return tf.max(tf.abs(tf.sub(predicted, tf.reshape(references, tokens.shape)))).dataSync()[0] as number;
    });
    expect(gap).toBeLessThan(1e-6);
    tf.dispose([tokens, conditioning]);
    expect(() => new VideoModel({ ...TINY_CONFIG, lastFrameConditioning: true, motionCompensation: true })).toThrow(/motionCompensation/);
    expect(() => new VideoModel({ ...TINY_CONFIG, motionEdges: 'bounce' })).toThrow(/motionEdges.*motionCompensation/s);
    model.dispose();
  });

  it("with motionReference 'first-frame' the reference moves frame 0's object, placed where the last frame's is: from the run, or from firstFrame where the run lacks frame 0", () => {
    const model = new VideoModel({ ...TINY_CONFIG, lastFrameConditioning: true, prediction: 'last-frame-residual', motionCompensation: true, motionReference: 'first-frame' });
    const { tokensPerFrame, tokenDim } = model.layout;
    const size = model.frameSize;
    const frames = [0, 1, 5, 6, 7, 8];
    const sequence = new MovingObjects(model.config.data).sequence('heldout', 2);
    const pixelsOf = (fs: readonly number[]) => fs.flatMap((f) => Array.from(sequence.frames(f, 1)));
    const tokens = tf.tidy(() => model.framesToTokens(tf.tensor4d(pixelsOf(frames), [1, frames.length, size, size])));
    const firstFrame = Float32Array.from(sequence.frames(0, 1));
    const later = tf.slice(tokens, [0, 2 * tokensPerFrame, 0], [-1, -1, -1]);
    // Decode to the true frames (an untrained decoder's do not move): the whole run, or frames 5–8.
    model.tokensToFrames = (t) => {
      const count = (t.shape[1] as number) / tokensPerFrame;
      return tf.tensor4d(pixelsOf(frames.slice(-count)), [1, count, size, size]);
    };
    const frame = (f: number) => sequence.frames(f, 1);
    const [[r0, c0], [r5, c5], [r6, c6]] = [0, 5, 6].map((f) => brightnessCentroid(frame(f), size) as [number, number]) as [[number, number], [number, number], [number, number]];
    expect(Math.hypot(r6 - r0, c6 - c0)).toBeGreaterThan(1); // placing frame 0 is not a no-op
    const encoded = (moved: number[]) => Array.from(tf.tidy(() => model.framesToTokens(tf.tensor4d(moved, [1, 2, size, size])).dataSync()));
    const byHand = encoded([1, 2].flatMap((j) => Array.from(shiftFrame(frame(0), size, r6 - r0 + j * (r6 - r5), c6 - c0 + j * (c6 - c5)))));
    const lastMoved = encoded([1, 2].flatMap((j) => Array.from(shiftFrame(frame(6), size, j * (r6 - r5), j * (c6 - c5)))));
    // Chunk (7, 8)'s reference: the first of its two slots (reference, last frame), its last two frames' tokens.
    const referenceOf = (conditioning: tf.Tensor) => {
      const slots = tf.tidy(() => tf.reshape(conditioning, [1, -1, 2, tokenDim]).arraySync() as number[][][][]);
      return (slots[0] as number[][][]).slice(-2 * tokensPerFrame).flatMap((token) => token[0] as number[]);
    };
    const fromRun = model.conditioningOf(tokens, frames) as tf.Tensor;
    const fromFirstFrame = model.conditioningOf(later, [5, 6, 7, 8], firstFrame) as tf.Tensor;
    const withoutFrameZero = model.conditioningOf(later, [5, 6, 7, 8]) as tf.Tensor;
    for (const got of [referenceOf(fromRun), referenceOf(fromFirstFrame)]) got.forEach((v, i) => expect(v).toBeCloseTo(byHand[i] as number, 4));
    // Without frame 0 anywhere, the last frame is what is moved.
    referenceOf(withoutFrameZero).forEach((v, i) => expect(v).toBeCloseTo(lastMoved[i] as number, 4));
    tf.dispose([tokens, later, fromRun, fromFirstFrame, withoutFrameZero]);
    expect(() => new VideoModel({ ...TINY_CONFIG, motionReference: 'first-frame' })).toThrow(/motionReference.*motionCompensation/s);
    model.dispose();
  });

  it('embeds the conditioning over a k × k neighbourhood of each frame\'s token grid, zero-padded at its edges', () => {
    const model = tinyModel({ patch: 1, lastFrameConditioning: true, conditioningFrames: 2, conditioningKernel: 3 });
    const { side, tokensPerFrame, tokenDim } = model.layout;
    const [batch, frames, channels, dim] = [2, 2, 2 * tokenDim, 32];
    const conditioning = Rng.seeded(8).fillNormal(new Float32Array(batch * frames * tokensPerFrame * channels));
    const weight = model.transformer.conditionEmbed?.weight.dataSync() as Float32Array; // [3, 3, channels, dim]
    const got = tf.tidy(() => model.transformer.embedConditioning(tf.tensor3d(conditioning, [batch, frames * tokensPerFrame, channels])).dataSync());
    let worst = 0;
    for (let g = 0; g < batch * frames; g++) {
      for (let r = 0; r < side; r++) {
        for (let c = 0; c < side; c++) {
          for (let d = 0; d < dim; d++) {
            let sum = 0;
            for (let dr = -1; dr <= 1; dr++) {
              for (let dc = -1; dc <= 1; dc++) {
                const [rr, cc] = [r + dr, c + dc];
                if (rr < 0 || cc < 0 || rr >= side || cc >= side) continue;
                for (let ch = 0; ch < channels; ch++) {
                  sum += (weight[(((dr + 1) * 3 + dc + 1) * channels + ch) * dim + d] as number) * (conditioning[(g * tokensPerFrame + rr * side + cc) * channels + ch] as number);
                }
              }
            }
            worst = Math.max(worst, Math.abs(sum - (got[(g * tokensPerFrame + r * side + c) * dim + d] as number)));
          }
        }
      }
    }
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
    expect(() => new VideoModel({ ...TINY_CONFIG, lastFrameConditioning: true, conditioningKernel: 2 })).toThrow(/conditioningKernel/);
  });

  it("'last-frame-residual' starts as copying the last frame, gives the velocity of its clean prediction, and is trained on the clean chunk", () => {
    const residual = { lastFrameConditioning: true, prediction: 'last-frame-residual' } as const;
    expect(() => new VideoModel({ ...TINY_CONFIG, prediction: 'last-frame-residual' })).toThrow(/prediction.*lastFrameConditioning/s);
    const fresh = new VideoModel({ ...TINY_CONFIG, ...residual });
    const { tokensPerFrame, tokensPerChunk, tokenDim } = fresh.layout;
    const levels = [0.3, 0.7];
    const random = (seed: number) => Rng.seeded(seed).fillNormal(new Float32Array(tokensPerChunk * tokenDim));
    const xt = random(1);
    const condition = random(2);
    const call = (model: VideoModel) =>
      tf.tidy(() => {
        const args = [tf.tensor3d(xt, [1, tokensPerChunk, tokenDim]), tf.tensor2d(levels, [1, 2]), { positions: Array.from({ length: tokensPerChunk }, (_, i) => i), conditioning: tf.tensor3d(condition, [1, tokensPerChunk, tokenDim]) }] as const;
        return { v: model.transformer.forward(...args).dataSync(), clean: model.transformer.predictClean(...args).dataSync() };
      });
    const levelOf = (i: number) => levels[Math.floor(i / (tokensPerFrame * tokenDim))] as number;
    // x_t − t·v is the clean prediction; with the zero-initialised head that is the conditioning frame itself.
    const start = call(fresh);
    start.v.forEach((v, i) => expect((xt[i] as number) - levelOf(i) * v).toBeCloseTo(condition[i] as number, 4));
    const trained = tinyModel(residual);
    const later = call(trained);
    later.v.forEach((v, i) => expect((xt[i] as number) - levelOf(i) * v).toBeCloseTo(later.clean[i] as number, 4));
    expect(later.clean.some((c, i) => Math.abs(c - (condition[i] as number)) > 0.1)).toBe(true);
    // The loss of the fresh model: mean of (x_last − x₀)² over the noised tokens, x_last the context frame before each chunk (zeros for the first).
    const frames = [0, 1, 2, 3, 4, 5];
    const length = frames.length * tokensPerFrame * tokenDim;
    const clean = Rng.seeded(5).fillNormal(new Float32Array(length));
    const context = Rng.seeded(6).fillNormal(new Float32Array(length));
    const masks = new MaskCache();
    const lossOf = (trueContextChunks: number, rolloutTargetWeight?: number) =>
      tf.tidy(() => {
        const batch = { batch: 1, frames, clean, context, selfForced: trueContextChunks < 3, trueContextChunks };
        const options = { perFrameNoise: 0.5, gridProbability: 0, grid: [1], ...(rolloutTargetWeight === undefined ? {} : { rolloutTargetWeight }) };
        return flowMatchingLoss(fresh, batch, Rng.seeded(9), options, masks).dataSync()[0] as number;
      });
    const frameSize = tokensPerFrame * tokenDim;
    // chunkWeight(c): what the MSE of chunk c counts for.
    const reference = (chunkWeight: (chunk: number) => number) => {
      let sum = 0;
      for (let i = 0; i < length; i++) {
        const frame = Math.floor(i / frameSize);
        const chunkStart = frame - (frame % 2);
        const last = chunkStart === 0 ? 0 : (context[(chunkStart - 1) * frameSize + (i % frameSize)] as number);
        sum += chunkWeight(chunkStart / 2) * (last - (clean[i] as number)) ** 2;
      }
      return sum / length;
    };
    expect(lossOf(3)).toBeCloseTo(reference(() => 1), 4);
    // Self-forced from chunk 1 on: chunk 2 is conditioned on the rolled-out chunk 1, and only it takes the weight.
    expect(lossOf(1, 0.25)).toBeCloseTo(reference((c) => (c === 2 ? 0.25 : 1)), 4);
    expect(lossOf(1, 1)).toBeCloseTo(reference(() => 1), 4);
    expect(lossOf(3, 0.25)).toBeCloseTo(reference(() => 1), 4); // teacher-forced: nothing rolled out
    masks.dispose();
    fresh.dispose();
    trained.dispose();
    // With two conditioning frames the residual starts from the first of them (f₀ − 1), not from f₀ − 2.
    const two = new VideoModel({ ...TINY_CONFIG, ...residual, conditioningFrames: 2 });
    const previous = random(3); // frame f₀ − 1's tokens; f₀ − 2's are those + 100
    const rows = Array.from({ length: tokensPerChunk }, (_, r) => Array.from(previous.subarray(r * tokenDim, (r + 1) * tokenDim)));
    const pair = rows.flatMap((row) => [...row, ...row.map((v) => v + 100)]);
    const fromTwo = tf.tidy(() => two.transformer.predictClean(tf.tensor3d(xt, [1, tokensPerChunk, tokenDim]), tf.tensor2d(levels, [1, 2]), { positions: Array.from({ length: tokensPerChunk }, (_, i) => i), conditioning: tf.tensor3d(pair, [1, tokensPerChunk, 2 * tokenDim]) }).dataSync());
    fromTwo.forEach((v, i) => expect(v).toBeCloseTo(previous[i] as number, 4));
    two.dispose();
  });
  it('an unrolled loss conditions each chunk on the one-step predictions of its context chunks, d passes deep, and adds their MSE', () => {
    // The fresh residual model predicts each chunk as the frame just before it, which makes every pass hand-computable.
    const fresh = new VideoModel({ ...TINY_CONFIG, lastFrameConditioning: true, prediction: 'last-frame-residual' });
    const { tokensPerFrame, tokenDim } = fresh.layout;
    const frameSize = tokensPerFrame * tokenDim;
    const length = 8 * frameSize; // 4 chunks of 2 frames
    const clean = Rng.seeded(5).fillNormal(new Float32Array(length));
    const context = Rng.seeded(6).fillNormal(new Float32Array(length));
    const masks = new MaskCache();
    const unrolledLoss = (clip: readonly number[], unrollDepth: number) =>
      tf.tidy(() => {
        const batch = { batch: 1, frames: clip, clean, context, selfForced: false, trueContextChunks: 4, unrolled: true };
        return flowMatchingLoss(fresh, batch, Rng.seeded(9), { perFrameNoise: 0.5, gridProbability: 0, grid: [1], unrollDepth }, masks).dataSync()[0] as number;
      });
    const chunkOf = (i: number) => Math.floor(i / frameSize / 2);
    // lastAt(c): the clip index of the frame just before chunk c, or −1 where the clip does not hold it (zeros).
    const copyLast = (source: Float32Array, lastAt: (chunk: number) => number) =>
      new Float32Array(length).map((_, i) => (lastAt(chunkOf(i)) < 0 ? 0 : (source[lastAt(chunkOf(i)) * frameSize + (i % frameSize)] as number)));
    const mse = (x: Float32Array) => x.reduce((sum, v, i) => sum + (v - (clean[i] as number)) ** 2, 0) / length;
    const reference = (lastAt: (chunk: number) => number, predictedFrom: number, depth: number) => {
      let seen = context;
      let total = 0;
      for (let d = 0; d < depth; d++) {
        const predicted = copyLast(seen, lastAt);
        total += mse(predicted);
        seen = context.map((v, i) => (chunkOf(i) >= predictedFrom ? (predicted[i] as number) : v));
      }
      return total + mse(copyLast(seen, lastAt));
    };
    const contiguous = [0, 1, 2, 3, 4, 5, 6, 7];
    const adjacent = (c: number) => 2 * c - 1;
    // One pass deep, chunk 2 is conditioned on the prediction of chunk 1 (frame 1 again) and chunk 3 on chunk 2's (frame
    // 3); two passes deep, chunk 2's prediction was itself made from chunk 1's, so chunk 3 sees frame 1 too.
    expect(unrolledLoss(contiguous, 1)).toBeCloseTo(reference(adjacent, 1, 1), 4);
    expect(unrolledLoss(contiguous, 2)).toBeCloseTo(reference(adjacent, 1, 2), 4);
    expect(unrolledLoss(contiguous, 3)).toBeCloseTo(reference(adjacent, 1, 3), 4);
    // (Not the first pass made twice from the given context.)
    expect(unrolledLoss(contiguous, 2)).not.toBeCloseTo(unrolledLoss(contiguous, 1) + mse(copyLast(context, adjacent)), 2);
    // After a gap (frames 0, 1 | 5, 6 | 7, 8 | 9, 10) the window's first chunk stays true, and nothing is before it in the clip.
    const gap = [0, 1, 5, 6, 7, 8, 9, 10];
    const afterGap = (c: number) => (c < 2 ? -1 : 2 * c - 1);
    expect(unrolledLoss(gap, 1)).toBeCloseTo(reference(afterGap, 2, 1), 4);
    expect(unrolledLoss(gap, 2)).toBeCloseTo(reference(afterGap, 2, 2), 4);
    masks.dispose();
    fresh.dispose();
  });

  for (const prediction of ['velocity', 'last-frame-residual'] as const) {
    it(`the unrolled predictions are one-step generation's chunks, made from the same context and noise (${prediction})`, async () => {
      const model = tinyModel({ lastFrameConditioning: true, conditioningFrames: 2, prediction });
      const { tokensPerChunk, tokenDim } = model.layout;
      const chunkSize = 2 * tokensPerChunk * tokenDim; // two videos
      const truth = tf.tensor3d(Rng.seeded(1).fillNormal(new Float32Array(chunkSize)), [2, tokensPerChunk, tokenDim]);
      // Generation: the true first chunk, then two chunks of one flow-euler step each through a full KV cache.
      const rollout = new ChunkRollout(model, { batch: 2, cache: { mode: 'full' }, sampling: { sampler: 'flow-euler', steps: 1, shift: 1 }, rng: Rng.seeded(7) });
      rollout.commit(truth);
      const generated = [(await rollout.next()).tokens, (await rollout.next()).tokens];
      rollout.dispose();
      // The same noise, drawn as the sampler draws it (one chunk at a time); chunk 0's is not used.
      const noise = Rng.seeded(7);
      const eps = tf.tidy(() => tf.concat([tf.zeros([2, tokensPerChunk, tokenDim]), ...[0, 1].map(() => tf.tensor3d(noise.fillNormal(new Float32Array(chunkSize)), [2, tokensPerChunk, tokenDim]))], 1));
      const context = tf.concat([truth, ...generated], 1);
      const masks = new MaskCache();
      const predicted = oneStepPredictions(model, context, [0, 1, 2, 3, 4, 5], eps, masks);
      const want = tf.tidy(() => Array.from(tf.concat(generated, 1).dataSync()));
      const got = tf.tidy(() => Array.from(tf.slice(predicted, [0, tokensPerChunk, 0], [-1, -1, -1]).dataSync()));
      expect(Math.max(...got.map((v, i) => Math.abs(v - (want[i] as number))))).toBeLessThan(1e-4);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1);
      tf.dispose([truth, ...generated, eps, context, predicted]);
      masks.dispose();
      model.dispose();
    });
  }

  it('an unrolled loss backpropagates through the predictions it conditions on (its gradient matches finite differences)', () => {
    const model = tinyModel({ lastFrameConditioning: true, prediction: 'last-frame-residual' });
    const { tokensPerChunk, tokenDim } = model.layout;
    const length = 3 * tokensPerChunk * tokenDim;
    const clean = Rng.seeded(1).fillNormal(new Float32Array(length));
    const batch: VideoBatch = { batch: 1, frames: [0, 1, 2, 3, 4, 5], clean, context: clean, selfForced: false, trueContextChunks: 3, unrolled: true };
    const masks = new MaskCache();
    const options = { perFrameNoise: 0, gridProbability: 0, grid: [1] };
    const loss = () => flowMatchingLoss(model, batch, Rng.seeded(9), options, masks);
    // The output head shapes the predictions (pass one) and what is made of them (pass two).
    const head = model.transformer.head.weight;
    const direction = tf.tidy(() => tf.randomNormal(head.shape, 0, 1, 'float32', 4));
    const analytic = tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, [head]);
      return tf.sum(tf.mul(grads[head.name] as tf.Tensor, direction)).dataSync()[0] as number;
    });
    const original = head.clone();
    const at = (step: number) => {
      const moved = tf.tidy(() => tf.add(original, tf.mul(direction, step)));
      head.assign(moved);
      moved.dispose();
      return tf.tidy(() => loss().dataSync()[0] as number);
    };
    const h = 1e-2;
    const numeric = (at(h) - at(-h)) / (2 * h);
    head.assign(original);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
    expect(Math.abs(analytic - numeric)).toBeLessThan(0.02 * Math.abs(numeric));
    tf.dispose([direction, original]);
    masks.dispose();
    model.dispose();
  });
});
