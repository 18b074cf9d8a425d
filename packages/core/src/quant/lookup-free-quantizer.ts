import { z } from 'zod';
import { tf } from '../tf.js';
import { parseConfig } from '../config/parse-config.js';
import { stopGradient } from '../nn/stop-gradient.js';
import { straightThrough } from './straight-through.js';

export const lookupFreeQuantizerConfigSchema = z.object({
  /** Bits per code (the codebook has 2^bits entries; the entropy terms enumerate them, hence the bound). */
  bits: z.number().int().min(1).max(16),
  /** Code values are ±codebookScale. */
  codebookScale: z.number().positive().default(1),
  /** Temperature of the soft assignment softmax(−‖z − c‖²/τ) used by the entropy terms. */
  entropyTemperature: z.number().positive().default(0.01),
  /** Weight of the codebook entropy inside the entropy penalty. */
  diversityGamma: z.number().nonnegative().default(1),
  entropyWeight: z.number().nonnegative().default(0.1),
  commitmentWeight: z.number().nonnegative().default(0.25),
});
export type LookupFreeQuantizerConfig = z.input<typeof lookupFreeQuantizerConfigSchema>;

// A type alias (not an interface) so that tf.tidy accepts it as a TensorContainer.
export type LookupFreeQuantizerOutput = {
  /** ±scale codes with a straight-through gradient, shaped like the input. */
  readonly quantized: tf.Tensor;
  /** int32 ids [...]: bit i of the code (1 for z > 0) has weight 2^(bits−1−i). */
  readonly indices: tf.Tensor;
  /** entropyWeight·(perSampleEntropy − γ·codebookEntropy) + commitmentWeight·commitmentLoss. */
  readonly loss: tf.Scalar;
  /** mean over vectors of H(p(·|z)). */
  readonly perSampleEntropy: tf.Scalar;
  /** H(mean over vectors of p(·|z)). */
  readonly codebookEntropy: tf.Scalar;
  /** mean((z − sg(q))²). */
  readonly commitmentLoss: tf.Scalar;
};

/**
 * Binary / lookup-free quantizer (MAGVIT-v2, Yu et al. 2023): each channel quantizes to sign(z)·scale (z ≤ 0 → −),
 * the id is the bit pattern, most significant first. The entropy penalty of MAGVIT-v2 eq. 5 uses the soft assignment
 * p(c|z) = softmax_c(2·z·c/τ) over all 2^bits codes (equal to softmax(−‖z − c‖²/τ), as ‖c‖ is constant), with
 * H(p) = −Σ p·log(max(p, 1e-5)).
 */
export class LookupFreeQuantizer {
  readonly config: z.output<typeof lookupFreeQuantizerConfigSchema>;

  constructor(config: LookupFreeQuantizerConfig) {
    this.config = parseConfig(lookupFreeQuantizerConfigSchema, config, 'lookup-free quantizer config');
  }

  get codebookSize(): number {
    return 2 ** this.config.bits;
  }

  /** ±scale codes [..., bits], straight-through. */
  quantize(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => straightThrough(x, this.signCodes(x)));
  }

  /** Codes (or any real vectors: the sign decides) [..., bits] → int32 ids [...]. */
  codesToIndices(codes: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.mul(tf.cast(tf.greater(codes, 0), 'int32'), this.bitWeights()), -1));
  }

  /** int32 ids [...] → ±scale codes [..., bits]. */
  indicesToCodes(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const bit = tf.mod(tf.floorDiv(tf.expandDims(tf.cast(ids, 'int32'), -1), this.bitWeights()), 2);
      return tf.mul(tf.sub(tf.mul(tf.cast(bit, 'float32'), 2), 1), this.config.codebookScale);
    });
  }

  /** Every code [2^bits, bits], row i = indicesToCodes(i). */
  allCodes(): tf.Tensor2D {
    return tf.tidy(() => this.indicesToCodes(tf.range(0, this.codebookSize, 1, 'int32')) as tf.Tensor2D);
  }

  forward(x: tf.Tensor): LookupFreeQuantizerOutput {
    return tf.tidy(() => {
      const { bits, entropyTemperature, diversityGamma, entropyWeight, commitmentWeight } = this.config;
      const q = this.signCodes(x);
      const flat = tf.reshape(x, [-1, bits]);
      const probs = tf.softmax(tf.div(tf.mul(tf.matMul(flat, this.allCodes(), false, true), 2), entropyTemperature));
      const perSampleEntropy = tf.mean(entropy(probs)) as tf.Scalar;
      const codebookEntropy = entropy(tf.mean(probs, 0)) as tf.Scalar;
      const commitmentLoss = tf.mean(tf.squaredDifference(x, stopGradient(q))) as tf.Scalar;
      const penalty = tf.sub(perSampleEntropy, tf.mul(codebookEntropy, diversityGamma));
      const loss = tf.add(tf.mul(penalty, entropyWeight), tf.mul(commitmentLoss, commitmentWeight)) as tf.Scalar;
      return {
        quantized: straightThrough(x, q),
        indices: this.codesToIndices(q),
        loss,
        perSampleEntropy,
        codebookEntropy,
        commitmentLoss,
      };
    });
  }

  private signCodes(x: tf.Tensor): tf.Tensor {
    // step(x) is 1 for x > 0 and 0 otherwise, and (unlike a comparison) has a registered gradient.
    const scale = this.config.codebookScale;
    return tf.tidy(() => tf.sub(tf.mul(tf.step(x), 2 * scale), scale));
  }

  private bitWeights(): tf.Tensor1D {
    const bits = this.config.bits;
    return tf.tensor1d(Array.from({ length: bits }, (_, i) => 2 ** (bits - 1 - i)), 'int32');
  }
}

/** −Σ p·log(max(p, 1e-5)) over the last axis. */
function entropy(p: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-5))), -1)));
}
