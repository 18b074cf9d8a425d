import {
  tf,
  KVCache,
  CategoricalSampler,
  ensureBackend,
  guideLogits,
  resolveSampler,
  linearGuidanceRamp,
  resolveSeed,
  throwIfAborted,
  InputError,
  type GenerateChunk,
  type GenerateOptions,
  type ResolvedSeed,
  type Rng,
  type Sampler,
  type SamplerContext,
} from '@nextx/core';
import { parseVarGenerateRequest, type ParsedVarGenerateRequest, type VarGenerateRequest } from './generate-request.js';
import { smoothCodeMixture } from './more-smooth.js';
import type { VarTransformer } from './transformer/var-model.js';
import type { VQVAE } from './vqvae/vqvae.js';

/** Images on the host: NHWC float32 in [0, 1]. */
export interface VarImages {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number, number];
}

export interface VarScaleResult {
  readonly scale: number;
  readonly patchNum: number;
  readonly labels: readonly number[];
  /** Chosen token ids, [B, pn²] row-major. */
  readonly tokens: Int32Array;
  /** The decoded image: at every scale with `preview`, always at the last. */
  readonly image?: VarImages;
  /** With `trace`: guided logits [B, pn², V] and f̂ after this scale, NHWC [B, h, h, Cvae]. */
  readonly logits?: Float32Array;
  readonly fhat?: Float32Array;
  /** The seed that repeats this generation: the one given, or the fresh one drawn when none was (absent for an Rng). */
  readonly seed?: number;
}

export interface VarModelPair {
  readonly vqvae: VQVAE;
  readonly transformer: VarTransformer;
}

/**
 * Official `autoregressive_infer_cfg`, streaming one chunk per scale. The batch is doubled for guidance (labels, then
 * the null class); the guided logits of scale k are (1 + t)·ℓ_cond − t·ℓ_uncond with t = cfg·k/(S − 1). The request is
 * validated before any work (a ConfigError naming the field), and so is `options.sampler` (see `tokenSampler`); without
 * `options.seed` a fresh seed is drawn and reported in every chunk (`seed`).
 */
export function generateVar(
  models: VarModelPair,
  request: VarGenerateRequest,
  options: GenerateOptions = {},
): AsyncIterable<GenerateChunk<VarScaleResult>> {
  const parsed = parseVarGenerateRequest(request, models.transformer.numClasses);
  const sampler = tokenSampler(parsed, options.sampler);
  return streamScales(models, parsed, sampler, resolveSeed(options.seed), options);
}

async function* streamScales(
  models: VarModelPair,
  request: ParsedVarGenerateRequest,
  sampler: TokenSampler,
  { rng, seed }: ResolvedSeed,
  options: GenerateOptions,
): AsyncIterable<GenerateChunk<VarScaleResult>> {
  await ensureBackend();
  const { vqvae, transformer } = models;
  const sizes = transformer.sizes;
  const labels = resolveLabels(request, transformer.numClasses, rng);
  const B = labels.length;
  const cfg = request.cfg;
  const S = sizes.numScales;
  const useCache = request.kvCache;
  const state = tf.tidy(() => {
    const c2 = transformer.condition(tf.tensor1d([...labels, ...labels.map(() => transformer.numClasses)], 'int32'));
    const lvlPos = transformer.levelPositions();
    // c is the same at every scale: its AdaLN modulations are computed once (the official code recomputes them).
    return {
      modulations: transformer.modulations(c2, transformer.blockCondition(c2)),
      lvlPos,
      next: transformer.startTokens(c2, lvlPos),
      fhat: tf.zeros([B, sizes.latentSize, sizes.latentSize, sizes.cvae]) as tf.Tensor4D,
    };
  });
  const caches = useCache ? new KVCache(transformer.blocks.length) : undefined;
  let prefix: tf.Tensor3D | undefined;
  try {
    for (let k = 0; k < S; k++) {
      throwIfAborted(options.signal);
      const pn = sizes.patchNums[k] as number;
      const [begin, end] = sizes.beginEnds[k] as readonly [number, number];
      const logits = tf.tidy(() => {
        let h: tf.Tensor3D;
        if (caches) {
          h = transformer.runBlocks(state.next, state.modulations.blocks, { caches });
        } else {
          const all = prefix ? (tf.concat([prefix, state.next], 1) as tf.Tensor3D) : state.next.clone();
          prefix?.dispose();
          prefix = tf.keep(all);
          const full = transformer.runBlocks(all, state.modulations.blocks, { mask: transformer.mask(end) });
          h = tf.slice(full, [0, begin, 0], [-1, end - begin, -1]);
        }
        const raw = transformer.logits(h, state.modulations.head);
        const [cond, uncond] = tf.split(raw, 2, 0) as [tf.Tensor3D, tf.Tensor3D];
        return guideLogits(cond, uncond, linearGuidanceRamp(cfg, k, S));
      });
      const flat = tf.reshape(logits, [B * pn * pn, sizes.vocabSize]) as tf.Tensor2D;
      const context = { rng, step: k, numSteps: S };
      // What the more_smooth mixture weighs (see more-smooth.ts): the sampler's filtered logits.
      const filtered = request.moreSmooth ? (sampler as CategoricalSampler).filter(flat, context) : undefined;
      const tokens = drawTokens(sampler, flat, context);
      const traced = request.trace ? (logits.dataSync() as Float32Array).slice() : undefined;
      logits.dispose();
      const stepped = tf.tidy(() => {
        if (!filtered) return vqvae.quantize.nextAutoregressiveInput(k, state.fhat, tf.tensor2d(tokens, [B, pn * pn], 'int32'));
        const mixture = smoothCodeMixture(filtered, S > 1 ? k / (S - 1) : 0, vqvae.quantize.embedding.weight as tf.Tensor2D, rng);
        return vqvae.quantize.nextAutoregressiveInput(k, state.fhat, tf.reshape(mixture, [B, pn, pn, sizes.cvae]) as tf.Tensor4D);
      });
      filtered?.dispose();
      state.fhat.dispose();
      state.fhat = stepped.fhat;
      state.next.dispose();
      if (stepped.next) {
        const nextPn = sizes.patchNums[k + 1] as number;
        state.next = tf.tidy(() => {
          const tokensIn = tf.reshape(stepped.next!, [B, nextPn * nextPn, sizes.cvae]) as tf.Tensor3D;
          const x = transformer.embedTokens(tokensIn, state.lvlPos, end);
          return tf.concat([x, x], 0) as tf.Tensor3D;
        });
        stepped.next.dispose();
      } else {
        state.next = tf.zeros([0, 0, 0]);
      }
      const last = k === S - 1;
      const image = last || request.preview ? decodeToHost(vqvae, state.fhat) : undefined;
      options.onProgress?.({ stage: 'scale', completed: k + 1, total: S, message: `${pn}×${pn}` });
      yield {
        index: k,
        total: S,
        final: last,
        value: {
          scale: k,
          patchNum: pn,
          labels,
          tokens,
          ...(image ? { image } : {}),
          ...(traced ? { logits: traced, fhat: (state.fhat.dataSync() as Float32Array).slice() } : {}),
          ...(seed !== undefined ? { seed } : {}),
        },
      };
    }
  } finally {
    caches?.dispose();
    prefix?.dispose();
    tf.dispose([state.lvlPos, state.next, state.fhat]);
    tf.dispose([...state.modulations.blocks.flat(), ...state.modulations.head]);
  }
}

/** Runs the whole stream and returns every scale's result (the last one carries the image). */
export async function generateVarAll(
  models: VarModelPair,
  request: VarGenerateRequest,
  options: GenerateOptions = {},
): Promise<VarScaleResult[]> {
  const out: VarScaleResult[] = [];
  for await (const chunk of generateVar(models, request, options)) out.push(chunk.value);
  return out;
}

/**
 * Decodes image by image into one host array: the decoder's activations dominate generation memory (a 256×256 image
 * of the released VQVAE needs 0.34 GB), and per image they do not grow with the batch. Results equal a batched decode:
 * every layer of the decoder treats samples independently.
 */
function decodeToHost(vqvae: VQVAE, fhat: tf.Tensor4D): VarImages {
  const batch = fhat.shape[0];
  let data: Float32Array | undefined;
  let shape: [number, number, number, number] = [batch, 0, 0, 0];
  for (let b = 0; b < batch; b++) {
    const img = tf.tidy(() => tf.mul(tf.add(vqvae.fhatToImages(tf.slice(fhat, [b, 0, 0, 0], [1, -1, -1, -1])), 1), 0.5));
    const [, h, w, c] = img.shape as [number, number, number, number];
    shape = [batch, h, w, c];
    data ??= new Float32Array(batch * h * w * c);
    data.set(img.dataSync() as Float32Array, b * h * w * c);
    img.dispose();
  }
  return { data: data as Float32Array, shape };
}

/** The request's labels (negative → the null class), or `batchSize` labels drawn uniformly from the Rng. */
function resolveLabels(request: ParsedVarGenerateRequest, numClasses: number, rng: Rng): number[] {
  if (request.classes) return request.classes.map((label) => (label < 0 ? numClasses : label));
  return Array.from({ length: request.batchSize ?? 1 }, () => rng.int(0, numClasses - 1));
}

type TokenSampler = Sampler<tf.Tensor2D, ArrayLike<number>>;

/**
 * The request's topK/topP/greedy, or `GenerateOptions.sampler` (any categorical sampler: a spec such as
 * `{ name: 'categorical', config: { topK: 900, topP: 0.96, temperature: 1 } }`, or an instance with a constraint).
 */
function tokenSampler(request: ParsedVarGenerateRequest, given: GenerateOptions['sampler']): TokenSampler {
  const shorthands = (['topK', 'topP', 'greedy'] as const).filter((field) => request[field] !== undefined);
  if (given && shorthands.length) {
    throw new InputError(`give either the request's ${shorthands.join(', ')} or GenerateOptions.sampler, not both`);
  }
  const sampler = resolveSampler<tf.Tensor2D, ArrayLike<number>>(given, {
    kind: 'categorical',
    generator: 'vision/var',
    fallback: () => new CategoricalSampler({ topK: request.topK ?? 0, topP: request.topP ?? 0, greedy: request.greedy ?? false }),
  });
  if (request.moreSmooth && !(sampler instanceof CategoricalSampler)) {
    throw new InputError(`moreSmooth weighs a CategoricalSampler's filtered logits; sampler '${sampler.name}' is not one`);
  }
  return sampler;
}

/** One id per row of `logits` [N, V]; the logits are disposed. */
function drawTokens(sampler: TokenSampler, logits: tf.Tensor2D, context: SamplerContext): Int32Array {
  try {
    const [rows, vocab] = logits.shape;
    const ids = Int32Array.from(sampler.sample(logits, context));
    const bad = ids.findIndex((id) => !(id >= 0 && id < vocab));
    if (ids.length !== rows || bad >= 0) {
      const why = ids.length !== rows ? `${ids.length} ids for ${rows} rows` : `id ${ids[bad]} at row ${bad} is outside [0, ${vocab})`;
      throw new InputError(`sampler '${sampler.name}' returned ${why}`);
    }
    return ids;
  } finally {
    logits.dispose();
  }
}
