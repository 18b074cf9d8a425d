import { tf } from '../../tf.js';
import { InputError, throwIfAborted } from '../../errors.js';
import type { Sampler } from '../../contracts/sampler.js';
import { CategoricalSampler } from '../../sampling/categorical-sampler.js';
import { KVCache } from '../../cache/kv-cache.js';
import { toRng, type Rng } from '../../rng/rng.js';
import type { ProgressListener } from '../../contracts/events.js';
import type { ByteGpt } from './model.js';

/** Turns the last position's logits [1, vocab] into the next byte (src/sampling's CategoricalSampler fits). */
export type ByteSampler = Sampler<tf.Tensor2D, ArrayLike<number>>;

export interface ByteGptGenerateOptions {
  /** Decode incrementally with a KV cache (default true); without it every step re-reads the whole window. */
  readonly useCache?: boolean;
  /** Default categorical sampler's temperature: 0 = greedy (default 1). Ignored when `sampler` is given. */
  readonly temperature?: number;
  /** Default categorical sampler's top-k (0 = off). Ignored when `sampler` is given. */
  readonly topK?: number;
  readonly sampler?: ByteSampler;
  readonly seed?: number | Rng;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/**
 * Continues `prompt` by `count` bytes. When the window would outgrow the context, it restarts from the last half
 * of the context (the cache is refilled from those bytes), so decoding with and without the cache sees exactly the
 * same context at every step.
 */
export async function generate(model: ByteGpt, prompt: Uint8Array, count: number, options: ByteGptGenerateOptions = {}): Promise<Uint8Array> {
  if (prompt.length === 0) throw new InputError('generate needs a prompt of at least one byte');
  const sampler = options.sampler ?? new CategoricalSampler({ temperature: options.temperature ?? 1, topK: options.topK ?? 0 });
  const rng = toRng(options.seed, 0);
  const context = model.config.contextLength;
  const keep = Math.ceil(context / 2);
  const cache = options.useCache === false ? undefined : new KVCache(model.blocks.length);
  const wasTraining = model.training;
  model.eval();
  const sequence = Array.from(prompt);
  let start = 0;
  let cached = 0;
  try {
    for (let i = 0; i < count; i++) {
      // A macrotask turn lets signal handlers (Ctrl-C) run; resolved promises alone would not.
      if (i % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(options.signal);
      if (sequence.length - start > context) {
        start = sequence.length - keep;
        cache?.clear();
        cached = 0;
      }
      const feed = sequence.slice(start + cached);
      const logits = tf.tidy(() => {
        const out = model.forward(tf.tensor2d(feed, [1, feed.length], 'int32'), cache);
        return tf.reshape(tf.slice(out, [0, feed.length - 1, 0], [1, 1, -1]), [1, -1]) as tf.Tensor2D;
      });
      let next: number;
      try {
        next = sampler.sample(logits, { rng, step: i, numSteps: count })[0] as number;
      } finally {
        logits.dispose();
      }
      if (cache) cached = sequence.length - start;
      sequence.push(next);
      options.onProgress?.({ stage: 'generate', completed: i + 1, total: count });
    }
  } finally {
    cache?.dispose();
    model.train(wasTraining);
  }
  return Uint8Array.from(sequence.slice(prompt.length));
}
