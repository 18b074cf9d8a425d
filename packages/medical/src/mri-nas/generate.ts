import {
  tf,
  InputError,
  createCategoricalSampler,
  resolveSampler,
  resolveSeed,
  throwIfAborted,
  ScaleStepper,
  type GenerateChunk,
  type GenerateOptions,
  type ResolvedSeed,
  type Sampler,
} from '@nextx/core';
import { LevelSet, type Measurement } from '../levels/level-set.js';
import type { AccelerationTokenizer } from '../tokenizer/acceleration-tokenizer.js';
import { parseMriNasRequest, type MriNasRequestOptions, type ParsedMriNasRequest } from './generate-request.js';
import type { MriNasTransformer } from './transformer.js';

export interface MriNasModels {
  readonly tokenizer: AccelerationTokenizer;
  readonly transformer: MriNasTransformer;
}

export interface MriNasRequest extends MriNasRequestOptions {
  readonly measurement: Measurement;
}

/** The reconstruction at one acceleration level, after data consistency. */
export interface LevelReconstruction {
  /** Index among the model's levels and its acceleration (1 = fully sampled). */
  readonly level: number;
  readonly acceleration: number;
  /** Mean over samples of the magnitude images, [N·N] row-major. */
  readonly mean: Float32Array;
  /** Per-pixel standard deviation over samples (the uncertainty map; 0 at the measured level). */
  readonly std: Float32Array;
  /** Each sample's magnitude image, [samples, N, N]. */
  readonly samples: Float32Array;
  /** The mean complex image, re and im [N·N]. */
  readonly complexMean: { readonly re: Float32Array; readonly im: Float32Array };
  readonly size: number;
  /** The seed that repeats this generation (absent when an Rng was passed). */
  readonly seed?: number;
}

/**
 * Streams a reconstruction per level, from the measured acceleration to fully sampled. The levels the measurement
 * covers (0 … input) are encoded, not predicted; for each next level the transformer predicts its tokens from f̂ of
 * the level before (KV cache across levels), the tokenizer decodes f̂ with the measured image, and the image is made
 * consistent with the measured lines. `samples` draws are made as one batch: their mean is the estimate and their standard deviation the
 * per-pixel uncertainty. A passed `options.sampler` draws the tokens (categorical; not with the request's temperature/topK). Without `options.seed` a
 * fresh seed is drawn and reported.
 */
export function generateMriNas(models: MriNasModels, request: MriNasRequest, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<LevelReconstruction>> {
  const parsed = parseMriNasRequest({ ...request, measurement: undefined });
  const sampler = tokenSampler(request, parsed, options.sampler);
  return streamLevels(models, request.measurement, parsed, sampler, resolveSeed(options.seed), options);
}

async function* streamLevels(
  models: MriNasModels,
  measurement: Measurement,
  request: ParsedMriNasRequest,
  sampler: TokenSampler,
  { rng, seed }: ResolvedSeed,
  options: GenerateOptions,
): AsyncIterable<GenerateChunk<LevelReconstruction>> {
  const { tokenizer, transformer } = models;
  const config = transformer.config;
  const levels = LevelSet.prepare(config, measurement, rng.fork());
  const K = config.accelerations.length;
  const i0 = levels.inputLevel;
  const S = request.temperature === 0 ? 1 : request.samples;
  const hw = transformer.grid * transformer.grid;
  const cvae = config.tokenizer.latentDim;
  const repeat = (t: tf.Tensor) => tf.tile(t, [S, ...t.shape.slice(1).map(() => 1)]);
  const state = tf.tidy(() => {
    const known = tf.expandDims(levels.images, 0) as tf.Tensor5D;
    const latents = tokenizer.encodeLatents(known);
    const q = tokenizer.quantizeLevels(latents);
    const fhats = q.fhats.map((f) => repeat(f) as tf.Tensor4D);
    const cond = transformer.condition(tf.fill([S], i0, 'int32') as tf.Tensor1D);
    const context = transformer.context(repeat(latents[i0] as tf.Tensor4D) as tf.Tensor4D);
    const measuredImage = repeat(tf.slice(levels.images, [i0, 0, 0, 0], [1, -1, -1, -1])) as tf.Tensor4D;
    return { fhats, cond, context, measuredImage };
  });
  const stepper = new ScaleStepper({
    schedule: transformer.schedule,
    numLayers: transformer.blocks.length,
    kvCache: request.kvCache,
    run: (x, o) => transformer.run(x, state.cond, state.context, o),
  });
  let fhat = state.fhats[i0] as tf.Tensor4D;
  try {
    const total = K - i0;
    const emit = (k: number): GenerateChunk<LevelReconstruction> => {
      const value = reconstruct(models, levels, measurement, fhat, state.measuredImage, k, request, seed);
      options.onProgress?.({ stage: 'level', completed: k - i0 + 1, total, message: `level ${k + 1}/${K} (${config.accelerations[k]}×)` });
      return { index: k - i0, total, final: k === K - 1, value };
    };
    yield emit(i0);
    if (i0 >= 1) {
      // the measured levels 1 … i0 go in as one block: their inputs are known, only the cache is wanted
      const prefix = tf.tidy(() => transformer.levelInputs(tf.stack(state.fhats.slice(0, i0).map((f) => tf.reshape(f, [S, hw, cvae])), 1) as tf.Tensor4D, 1));
      stepper.step(prefix, i0).dispose();
      prefix.dispose();
    }
    for (let k = i0 + 1; k < K; k++) {
      throwIfAborted(options.signal);
      await new Promise((resolve) => setImmediate(resolve));
      const logits = tf.tidy(() => {
        const x = transformer.levelInputs(tf.reshape(fhat, [S, 1, hw, cvae]) as tf.Tensor4D, k);
        const h = stepper.step(x);
        return tf.reshape(transformer.logits(h, state.cond), [S * hw, -1]) as tf.Tensor2D;
      });
      const tokens = sampler.sample(logits, { rng, step: k, numSteps: K });
      logits.dispose();
      const next = tf.tidy(() => tf.add(fhat, tokenizer.lookup(tf.tensor2d(tokens, [S, hw], 'int32'))) as tf.Tensor4D);
      if (fhat !== state.fhats[i0]) fhat.dispose();
      fhat = next;
      yield emit(k);
    }
  } finally {
    stepper.dispose();
    if (fhat !== state.fhats[i0]) fhat.dispose();
    tf.dispose([...state.fhats, state.cond, state.context, state.measuredImage]);
    levels.dispose();
  }
}

type TokenSampler = Sampler<tf.Tensor2D, Int32Array>;

/**
 * The sampler of the token draws (core `resolveSampler`): `options.sampler` when given — an instance or a registered
 * one by name, categorical (logits [N, V] → ids [N]) — else a categorical sampler from the request's temperature and
 * topK. Both at once is an InputError, as the GenerateOptions contract asks.
 */
function tokenSampler(request: MriNasRequestOptions, parsed: ParsedMriNasRequest, given: GenerateOptions['sampler']): TokenSampler {
  if (given !== undefined && (request.temperature !== undefined || request.topK !== undefined)) {
    throw new InputError('medical/mri-nas: pass either options.sampler or the request\'s temperature/topK, not both');
  }
  return resolveSampler<tf.Tensor2D, Int32Array>(given, {
    kind: 'categorical',
    generator: 'medical/mri-nas',
    fallback: () => createCategoricalSampler({ temperature: parsed.temperature === 0 ? 1 : parsed.temperature, topK: parsed.topK, greedy: parsed.temperature === 0 }),
  });
}

/** Decodes f̂ [S, h, w, C] (with the measured image), applies data consistency to each sample and summarises them. */
function reconstruct(
  models: MriNasModels,
  levels: LevelSet,
  measurement: Measurement,
  fhat: tf.Tensor4D,
  measuredImage: tf.Tensor4D,
  k: number,
  request: ParsedMriNasRequest,
  seed: number | undefined,
): LevelReconstruction {
  const n = models.transformer.config.imageSize;
  const result = tf.tidy(() => {
    const decoded = models.tokenizer.decodeLatent(fhat, measuredImage);
    const images = tf.unstack(decoded).map((p) => levels.consistent(p as tf.Tensor3D, measurement, request.dataConsistency));
    const magnitudes = tf.stack(images.map((z) => tf.sqrt(tf.add(tf.square(z.re), tf.square(z.im)))));
    const { mean, variance } = tf.moments(magnitudes, 0);
    return {
      magnitudes,
      mean,
      std: tf.sqrt(variance),
      re: tf.mean(tf.stack(images.map((z) => z.re)), 0),
      im: tf.mean(tf.stack(images.map((z) => z.im)), 0),
    };
  });
  const host = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
  const out: LevelReconstruction = {
    level: k,
    acceleration: models.transformer.config.accelerations[k] as number,
    mean: host(result.mean),
    std: host(result.std),
    samples: host(result.magnitudes),
    complexMean: { re: host(result.re), im: host(result.im) },
    size: n,
    ...(seed !== undefined ? { seed } : {}),
  };
  tf.dispose(Object.values(result));
  return out;
}

/** Runs the whole stream and returns every level's reconstruction (the last is fully sampled). */
export async function generateMriNasAll(models: MriNasModels, request: MriNasRequest, options: GenerateOptions = {}): Promise<LevelReconstruction[]> {
  const out: LevelReconstruction[] = [];
  for await (const chunk of generateMriNas(models, request, options)) out.push(chunk.value);
  return out;
}
