import {
  tf,
  InputError,
  KVCache,
  CategoricalSampler,
  guideLogits,
  resolveSampler,
  linearGuidanceRamp,
  throwIfAborted,
  toRng,
  type GenerateChunk,
  type GenerateOptions,
  type Rng,
  type Sampler,
  type SamplerContext,
} from '@nextx/core';
import type { VarTransformer } from './transformer/var-model.js';
import type { VQVAE } from './vqvae/vqvae.js';

export interface VarGenerateRequest {
  /** One label per image; a negative label asks for the null (unconditional) class. */
  readonly classes?: readonly number[];
  /** Images to draw when `classes` is omitted; their labels are drawn uniformly from the seeded Rng. */
  readonly batchSize?: number;
  /** Guidance weight at the last scale; the weight ramps linearly from 0 at scale 0 (default 1.5). */
  readonly cfg?: number;
  /** Keep the k most likely tokens (0 = off, 1 = greedy). Shorthand for a categorical `GenerateOptions.sampler`. */
  readonly topK?: number;
  /** Nucleus sampling with VAR's rule (0 = off). Shorthand for a categorical `GenerateOptions.sampler`. */
  readonly topP?: number;
  readonly greedy?: boolean;
  /** Decode the partial f̂ after every scale (slower); the final image is always decoded. */
  readonly preview?: boolean;
  /** Reuse keys and values across scales (default); false recomputes the whole prefix with the block-causal mask. */
  readonly kvCache?: boolean;
  /** Also return each scale's guided logits and f̂ (for parity checks and debugging). */
  readonly trace?: boolean;
}

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
}

export interface VarModelPair {
  readonly vqvae: VQVAE;
  readonly transformer: VarTransformer;
}

/**
 * Official `autoregressive_infer_cfg`, streaming one chunk per scale. The batch is doubled for guidance (labels, then
 * the null class); the guided logits of scale k are (1 + t)·ℓ_cond − t·ℓ_uncond with t = cfg·k/(S − 1).
 */
export async function* generateVar(
  models: VarModelPair,
  request: VarGenerateRequest,
  options: GenerateOptions = {},
): AsyncIterable<GenerateChunk<VarScaleResult>> {
  const { vqvae, transformer } = models;
  const sizes = transformer.sizes;
  const rng = toRng(options.seed);
  const labels = resolveLabels(request, transformer.numClasses, rng);
  const B = labels.length;
  const sampler = tokenSampler(request, options.sampler);
  const cfg = request.cfg ?? 1.5;
  const S = sizes.numScales;
  const useCache = request.kvCache ?? true;
  const state = tf.tidy(() => {
    const c2 = transformer.condition(tf.tensor1d([...labels, ...labels.map(() => transformer.numClasses)], 'int32'));
    const lvlPos = transformer.levelPositions();
    return {
      cond: c2,
      blockCond: transformer.blockCondition(c2),
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
          h = transformer.runBlocks(state.next, state.blockCond, { caches });
        } else {
          const all = prefix ? (tf.concat([prefix, state.next], 1) as tf.Tensor3D) : state.next.clone();
          prefix?.dispose();
          prefix = tf.keep(all);
          const full = transformer.runBlocks(all, state.blockCond, { mask: transformer.mask(end) });
          h = tf.slice(full, [0, begin, 0], [-1, end - begin, -1]);
        }
        const raw = transformer.logits(h, state.cond);
        const [cond, uncond] = tf.split(raw, 2, 0) as [tf.Tensor3D, tf.Tensor3D];
        return guideLogits(cond, uncond, linearGuidanceRamp(cfg, k, S));
      });
      const flat = tf.reshape(logits, [B * pn * pn, sizes.vocabSize]) as tf.Tensor2D;
      const tokens = drawTokens(sampler, flat, { rng, step: k, numSteps: S });
      const traced = request.trace ? (logits.dataSync() as Float32Array).slice() : undefined;
      logits.dispose();
      const stepped = tf.tidy(() => {
        const ids = tf.tensor2d(tokens, [B, pn * pn], 'int32');
        return vqvae.quantize.nextAutoregressiveInput(k, state.fhat, ids);
      });
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
      options.onProgress?.({ stage: 'scale', completed: k + 1, total: S, message: `scale ${k + 1}/${S} (${pn}×${pn})` });
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
        },
      };
    }
  } finally {
    caches?.dispose();
    prefix?.dispose();
    tf.dispose([state.cond, state.blockCond, state.lvlPos, state.next, state.fhat]);
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

function resolveLabels(request: VarGenerateRequest, numClasses: number, rng: Rng): number[] {
  if (request.classes) {
    if (!request.classes.length) throw new InputError('classes: give at least one class label');
    return request.classes.map((label) => {
      if (!Number.isInteger(label) || label >= numClasses) {
        throw new InputError(`class ${label} is not an integer label in 0..${numClasses - 1} (negative = unconditional)`);
      }
      return label < 0 ? numClasses : label;
    });
  }
  const n = request.batchSize ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new InputError(`batchSize must be a positive integer, got ${n}`);
  return Array.from({ length: n }, () => rng.int(0, numClasses - 1));
}

type TokenSampler = Sampler<tf.Tensor2D, ArrayLike<number>>;

/**
 * The request's topK/topP/greedy, or `GenerateOptions.sampler` (any categorical sampler: a spec such as
 * `{ name: 'categorical', config: { topK: 900, topP: 0.96, temperature: 1 } }`, or an instance with a constraint).
 */
function tokenSampler(request: VarGenerateRequest, given: GenerateOptions['sampler']): TokenSampler {
  const shorthands = (['topK', 'topP', 'greedy'] as const).filter((field) => request[field] !== undefined);
  if (given && shorthands.length) {
    throw new InputError(`give either the request's ${shorthands.join(', ')} or GenerateOptions.sampler, not both`);
  }
  return resolveSampler<tf.Tensor2D, ArrayLike<number>>(given, {
    kind: 'categorical',
    generator: 'vision/var',
    fallback: () => new CategoricalSampler({ topK: request.topK ?? 0, topP: request.topP ?? 0, greedy: request.greedy ?? false }),
  });
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
