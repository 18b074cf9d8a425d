import { z } from 'zod';
import { BitCodec, CategoricalSampler, InputError, parseConfig, resolveSampler, resolveSeed, tf, type GenerateChunk, type GenerateOptions, type Sampler } from '@nextx/core';
import { generateAr } from '../ar/generate.js';
import { DEFAULT_BITLM_SAMPLER, generateBitlm } from '../bitlm/generate.js';
import type { LoadedTextModel } from '../checkpoint/text-checkpoint.js';
import { cobitSamplerConfigSchema } from '../cobit/sampler-config.js';
import { rngNoise, sampleCobit } from '../cobit/sampler.js';
import { AsyncQueue } from './async-queue.js';

/** What a text generation is asked for. */
export const textGenerateRequestSchema = z
  .object({
    samples: z.number().int().positive().default(1),
    /** Tokens per sample. */
    length: z.number().int().positive().default(64),
    /** CoBit: the sampler; BitLM: the head's sampler per block. */
    sampler: cobitSamplerConfigSchema.partial().optional(),
    /** CoBit: stream the decoded estimate every this many steps. */
    every: z.number().int().positive().default(8),
    /** AR: softmax temperature. */
    temperature: z.number().nonnegative().default(1),
  })
  .strict();
export type TextGenerateRequest = z.input<typeof textGenerateRequestSchema>;

/** One streamed state: the decoded samples so far (CoBit: the current estimate of every token; AR/BitLM: the prefix). */
export interface TextChunk {
  readonly texts: readonly string[];
  readonly ids: readonly (readonly number[])[];
  /** Sampler steps (CoBit), tokens (AR) or blocks (BitLM) done, of `total`. */
  readonly step: number;
  readonly total: number;
  /** Network evaluations so far. */
  readonly nfe: number;
  /** The seed that repeats the run (undefined when an Rng was passed). */
  readonly seed: number | undefined;
}

/**
 * `GenerateOptions.sampler`: the AR reference draws its tokens with it (core `resolveSampler`: a categorical instance
 * or one named in the registry), in place of the request's temperature (both at once are refused); CoBit and BitLM
 * denoise bits with their own sampler, configured in `request.sampler`, so they refuse one.
 */
function arSamplerOf(kind: LoadedTextModel['kind'], request: TextGenerateRequest, given: GenerateOptions['sampler']): Sampler<tf.Tensor2D, Int32Array> | undefined {
  if (given === undefined) return undefined;
  if (kind !== 'text/ar') throw new InputError(`${kind} draws bits with its own diffusion sampler: configure it in the request's \`sampler\` field (steps, kind, schedule, ...), not GenerateOptions.sampler`);
  if (request.temperature !== undefined) throw new InputError('text/ar: pass either GenerateOptions.sampler or the request\'s temperature, not both');
  return resolveSampler<tf.Tensor2D, Int32Array>(given, { kind: 'categorical', generator: 'text/ar', fallback: () => new CategoricalSampler({}) });
}

function rows(ids: ArrayLike<number>, samples: number, length: number): number[][] {
  return Array.from({ length: samples }, (_, b) => Array.from(Array.prototype.slice.call(ids, b * length, (b + 1) * length) as number[]));
}

/**
 * Streams a generation from any text checkpoint. CoBit yields the decoded estimate every `every` steps — text that
 * crystallises as σ falls — then the final sample; AR yields each token; BitLM each block.
 */
export async function* generateText(loaded: LoadedTextModel, requestInput: TextGenerateRequest, options: GenerateOptions = {}): AsyncGenerator<GenerateChunk<TextChunk>> {
  const request = parseConfig(textGenerateRequestSchema, requestInput, 'text generation request');
  const arSampler = arSamplerOf(loaded.kind, requestInput, options.sampler);
  const { rng, seed } = resolveSeed(options.seed);
  const { samples, length } = request;
  const tokenizer = loaded.tokenizer;
  const decodeRows = (ids: readonly (readonly number[])[]) => ids.map((r) => tokenizer.decodeIds(r));
  const queue = new AsyncQueue<GenerateChunk<TextChunk>>();
  let index = 0;
  const emit = (ids: number[][], step: number, total: number, nfe: number, final: boolean) => {
    queue.push({ index: index++, final, value: { texts: decodeRows(ids), ids, step, total, nfe, seed } });
  };
  const run = async () => {
    if (loaded.kind === 'text/cobit') {
      const net = loaded.net;
      const codec = new BitCodec({ vocabSize: net.sizes.V, width: net.sizes.b });
      const config = { ...request.sampler };
      const total = (config.steps ?? 64) - 1;
      let nfe = 0;
      const result = await sampleCobit(net, config, {
        batch: samples,
        bits: length * net.sizes.b,
        profile: loaded.profile,
        noise: rngNoise(rng),
        ...(options.signal ? { signal: options.signal } : {}),
        onCall: () => void nfe++,
        onStep: (step) => {
          const done = step.index + 1;
          options.onProgress?.({ stage: 'denoise', completed: done, total, metrics: { sigma: step.sigmaHat } });
          if (done % request.every === 0 && done < total) emit(rows(codec.decodeBits(step.estimate.dataSync()), samples, length), done, total, nfe, false);
        },
      });
      tf.dispose([result.x, result.probs]);
      emit(rows(codec.decodeBits(result.bits), samples, length), total, total, result.nfe, true);
    } else if (loaded.kind === 'text/ar') {
      let nfe = 0;
      const ids = await generateAr(loaded.model, {
        batch: samples,
        length,
        startId: tokenizer.separatorId,
        sampler: arSampler ?? { temperature: request.temperature },
        rng,
        ...(options.signal ? { signal: options.signal } : {}),
        onToken: (t, out) => {
          nfe++;
          options.onProgress?.({ stage: 'token', completed: t + 1, total: length });
          if (t + 1 < length && (t + 1) % request.every === 0) emit(rows(out, samples, length).map((r) => r.slice(0, t + 1)), t + 1, length, nfe, false);
        },
      });
      emit(rows(ids, samples, length), length, length, nfe, true);
    } else {
      const k = loaded.model.blockSize;
      const blocks = length / k;
      const result = await generateBitlm(loaded.model, {
        batch: samples,
        length,
        startId: tokenizer.separatorId,
        sampler: { ...DEFAULT_BITLM_SAMPLER, ...request.sampler },
        rng,
        ...(options.signal ? { signal: options.signal } : {}),
        onBlock: (j, out) => {
          options.onProgress?.({ stage: 'block', completed: j + 1, total: blocks });
          if (j + 1 < blocks) emit(rows(out, samples, length).map((r) => r.slice(0, (j + 1) * k)), j + 1, blocks, 0, false);
        },
      });
      emit(rows(result.ids, samples, length), blocks, blocks, result.headCalls, true);
    }
  };
  run().then(
    () => queue.close(),
    (error: unknown) => queue.fail(error),
  );
  yield* queue;
}
