import { CategoricalSampler, InputError, KVCache, throwIfAborted, tf, type CategoricalConfig, type Rng, type Sampler } from '@nextx/core';
import type { ArModel } from './model.js';

export interface ArGenerateOptions {
  readonly batch: number;
  /** Tokens to write after the start token. */
  readonly length: number;
  /** The first id of every row (the document separator: samples start as a document does). */
  readonly startId: number;
  /** A categorical config (temperature, top-k, ...) or a categorical sampler instance (logits [B, V] → ids [B]). */
  readonly sampler?: CategoricalConfig | Sampler<tf.Tensor2D, Int32Array>;
  readonly rng: Rng;
  /** Recompute the whole prefix at every token instead of using the KV cache (for comparison). */
  readonly noCache?: boolean;
  readonly signal?: AbortSignal;
  readonly onToken?: (position: number, ids: Int32Array) => void | Promise<void>;
}

/**
 * Ancestral sampling from the AR model with a KV cache: the start token is prefilled, then one token per step attends
 * to the cache. Returns ids [B, length] row-major (without the start token).
 */
export async function generateAr(model: ArModel, options: ArGenerateOptions): Promise<Int32Array> {
  const { batch, length, startId } = options;
  if (length + 1 > model.config.transformer.contextLength) throw new InputError(`text/ar: ${length} tokens and the start token exceed the context length ${model.config.transformer.contextLength}`);
  const sampler = isSampler(options.sampler) ? options.sampler : new CategoricalSampler(options.sampler ?? {});
  const out = new Int32Array(batch * length);
  const cache = options.noCache ? undefined : new KVCache(model.config.transformer.depth);
  const history: number[][] = Array.from({ length: batch }, () => [startId]);
  try {
    let next: Int32Array = new Int32Array(batch).fill(startId);
    for (let t = 0; t < length; t++) {
      throwIfAborted(options.signal);
      const step = tf.tidy(() => {
        const input = cache ? tf.tensor2d(next, [batch, 1], 'int32') : tf.tensor2d(history.flat(), [batch, t + 1], 'int32');
        const logits = model.forward(input, cache);
        const last = tf.reshape(tf.slice(logits, [0, (logits.shape[1] as number) - 1, 0], [batch, 1, model.config.vocabSize]), [batch, model.config.vocabSize]) as tf.Tensor2D;
        return tf.keep(last);
      });
      next = sampler.sample(step, { rng: options.rng });
      step.dispose();
      for (let b = 0; b < batch; b++) {
        out[b * length + t] = next[b] as number;
        history[b]?.push(next[b] as number);
      }
      await options.onToken?.(t, out);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    cache?.dispose();
  }
  return out;
}

function isSampler(value: unknown): value is Sampler<tf.Tensor2D, Int32Array> {
  return typeof value === 'object' && value !== null && typeof (value as { sample?: unknown }).sample === 'function';
}
