import { InputError, tf } from '@nextx/core';
import type { ArModel } from '../ar/model.js';

/** Unigram entropy (nats) of one sample's ids: −Σ p log p over the empirical token frequencies (MDLM's "entropy"). */
export function unigramEntropy(ids: ArrayLike<number>): number {
  if (ids.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i] as number, (counts.get(ids[i] as number) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / ids.length;
    h -= p * Math.log(p);
  }
  return h;
}

/** Mean per-sample unigram entropy. */
export function meanUnigramEntropy(samples: readonly ArrayLike<number>[]): number {
  return samples.reduce((s, ids) => s + unigramEntropy(ids), 0) / Math.max(samples.length, 1);
}

export interface PerplexityResult {
  /** exp(mean NLL per scored token). */
  readonly perplexity: number;
  /** Mean NLL per scored token (nats). */
  readonly nll: number;
  readonly tokens: number;
}

/**
 * Generative perplexity under an AR reference: each sample of L ids is scored as a sequence, every token after the
 * first given its prefix (the first has no context: samples are windows, not documents). exp of the mean NLL over all
 * scored tokens of all samples. Samples are scored in batches of equal length.
 */
export function generativePerplexity(reference: ArModel, samples: readonly ArrayLike<number>[], batch = 8): PerplexityResult {
  if (!samples.length) throw new InputError('generative perplexity needs at least one sample');
  const length = samples[0]?.length ?? 0;
  if (length < 2 || samples.some((s) => s.length !== length)) throw new InputError('generative perplexity scores samples of one length ≥ 2');
  if (length > reference.config.transformer.contextLength + 1) throw new InputError(`samples of ${length} tokens exceed the reference's context length ${reference.config.transformer.contextLength}`);
  for (const s of samples) for (let i = 0; i < s.length; i++) if ((s[i] as number) >= reference.config.vocabSize) throw new InputError(`sample id ${s[i]} is outside the reference vocabulary of ${reference.config.vocabSize}`);
  let total = 0;
  let tokens = 0;
  for (let start = 0; start < samples.length; start += batch) {
    const chunk = samples.slice(start, start + batch);
    const windows = new Int32Array(chunk.length * length);
    chunk.forEach((s, b) => windows.set(Array.from(s), b * length));
    const nll = tf.tidy(() => tf.sum(reference.windowNll(windows, chunk.length)).dataSync()[0] as number);
    total += nll;
    tokens += chunk.length * (length - 1);
  }
  return { perplexity: Math.exp(total / tokens), nll: total / tokens, tokens };
}
