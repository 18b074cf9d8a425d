import type { tf } from '../tf.js';
import type { TokenSpace } from './token-space.js';

/**
 * Tokens of a batch. `tensors` holds one int32 (or float32 for continuous / bits) tensor per stream:
 * one per scale for a multiscale space, a single [B, L] tensor otherwise. The holder disposes them.
 */
export interface TokenBatch {
  readonly space: TokenSpace;
  readonly tensors: readonly tf.Tensor[];
}

export interface Tokenizer<In> {
  readonly name: string;
  readonly space: TokenSpace;
  encode(input: In): TokenBatch | Promise<TokenBatch>;
  decode(tokens: TokenBatch): In | Promise<In>;
  dispose(): void;
}

/** Disposes every tensor of a token batch. */
export function disposeTokenBatch(batch: TokenBatch): void {
  for (const tensor of batch.tensors) tensor.dispose();
}
