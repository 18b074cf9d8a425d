import { InputError, KVCache, throwIfAborted, tf, type Rng } from '@nextx/core';
import { rngNoise, sampleCobit } from '../cobit/sampler.js';
import type { CobitSamplerConfigInput } from '../cobit/sampler-config.js';
import type { BitLm } from './model.js';

export interface BitlmGenerateOptions {
  readonly batch: number;
  /** Tokens to write (a multiple of the block size). */
  readonly length: number;
  /** The head's sampler per block (CoBit's; default 16 levels of a Karras schedule, deterministic Euler). */
  readonly sampler?: CobitSamplerConfigInput;
  readonly rng: Rng;
  /** The id filling the first context block (the tokenizer's document separator). */
  readonly startId?: number;
  /** Recompute the decoder over the whole prefix at every block instead of using the KV cache. */
  readonly noCache?: boolean;
  readonly signal?: AbortSignal;
  readonly onBlock?: (block: number, ids: Int32Array) => void | Promise<void>;
}

export const DEFAULT_BITLM_SAMPLER: CobitSamplerConfigInput = { steps: 16, schedule: 'karras' };

/**
 * Block by block: the decoder reads the last block (k separators first) through its KV cache, and the head denoises the
 * next block's k·b bits jointly, conditioned on the decoder states; the decoded ids (mod V) become the next context.
 * Returns ids [B, length] row-major and the number of head and decoder evaluations.
 */
export async function generateBitlm(model: BitLm, options: BitlmGenerateOptions): Promise<{ ids: Int32Array; headCalls: number; decoderCalls: number }> {
  const { batch, length } = options;
  const k = model.blockSize;
  if (length % k !== 0) throw new InputError(`text/bitlm writes whole blocks of ${k} tokens; --length ${length} is not a multiple`);
  if (length > model.config.transformer.contextLength) throw new InputError(`text/bitlm: ${length} tokens exceed the context length ${model.config.transformer.contextLength}`);
  const blocks = length / k;
  const out = new Int32Array(batch * length);
  const start = new Int32Array(batch * k).fill(options.startId ?? 0);
  const cache = options.noCache ? undefined : new KVCache(model.config.transformer.depth);
  let headCalls = 0;
  try {
    let context: Int32Array = start;
    const history: Int32Array[] = [start];
    for (let j = 0; j < blocks; j++) {
      throwIfAborted(options.signal);
      const conditions = tf.tidy(() => {
        if (cache) return model.conditions(tf.tensor2d(context, [batch, k], 'int32'), cache);
        const prefix = interleave(history, batch, k);
        const all = model.conditions(tf.tensor2d(prefix, [batch, history.length * k], 'int32'));
        return tf.gather(all, Int32Array.from({ length: batch }, (_, b) => b * history.length + history.length - 1));
      });
      const result = await sampleCobit(model.denoiser(conditions), options.sampler ?? DEFAULT_BITLM_SAMPLER, { batch, noise: rngNoise(options.rng), ...(options.signal ? { signal: options.signal } : {}) });
      headCalls += result.nfe;
      tf.dispose([conditions, result.x, result.probs]);
      const ids = model.codec.decodeBits(result.bits);
      for (let b = 0; b < batch; b++) out.set(ids.subarray(b * k, (b + 1) * k), b * length + j * k);
      context = ids;
      history.push(ids);
      await options.onBlock?.(j, out);
    }
  } finally {
    cache?.dispose();
  }
  return { ids: out, headCalls, decoderCalls: blocks };
}

/** Blocks [B·k] each → rows [B, blocks·k]. */
function interleave(blocks: readonly Int32Array[], batch: number, k: number): Int32Array {
  const out = new Int32Array(batch * blocks.length * k);
  blocks.forEach((block, j) => {
    for (let b = 0; b < batch; b++) out.set(block.subarray(b * k, (b + 1) * k), b * blocks.length * k + j * k);
  });
  return out;
}
