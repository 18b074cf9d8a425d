import { InputError, Linear, Module, Rng, sparseCrossEntropy, tf, type KVCache } from '@nextx/core';
import { CausalTransformer } from '../transformer/causal-transformer.js';
import type { ArConfig } from './config.js';

/** The AR reference LM: a causal decoder and a linear head over the vocabulary (`lm_head`). */
export class ArModel extends Module {
  readonly backbone: CausalTransformer;
  readonly lmHead: Linear;

  constructor(
    readonly config: ArConfig,
    rng: Rng = Rng.seeded(0),
  ) {
    super();
    this.backbone = this.addModule('transformer', new CausalTransformer(config.transformer, config.vocabSize, 1, rng.fork()));
    this.lmHead = this.addModule('lm_head', new Linear(config.transformer.dim, config.vocabSize, { bias: false, rng: rng.fork() }));
  }

  /** ids [B, L] → logits [B, L, V]; with a cache the ids continue the cached sequence. */
  forward(ids: tf.Tensor, cache?: KVCache): tf.Tensor {
    return tf.tidy(() => this.lmHead.forward(this.backbone.forward(ids, cache)));
  }

  /** Mean next-token NLL (nats) over windows [B, T + 1] (row-major host ids): inputs t … t+T−1, targets shifted by one. */
  loss(windows: Int32Array, batch: number): tf.Scalar {
    return tf.tidy(() => tf.mean(this.windowNll(windows, batch)) as tf.Scalar);
  }

  /** Per-target NLL [B·T] of windows [B, T + 1]. */
  windowNll(windows: Int32Array, batch: number): tf.Tensor1D {
    const width = windows.length / batch;
    if (!Number.isInteger(width) || width < 2) throw new InputError(`text/ar: ${windows.length} ids are not ${batch} windows of at least 2`);
    const t = width - 1;
    const inputs = new Int32Array(batch * t);
    const targets = new Int32Array(batch * t);
    for (let b = 0; b < batch; b++) {
      inputs.set(windows.subarray(b * width, b * width + t), b * t);
      targets.set(windows.subarray(b * width + 1, (b + 1) * width), b * t);
    }
    return tf.tidy(() => {
      const logits = this.forward(tf.tensor2d(inputs, [batch, t], 'int32'));
      return tf.reshape(sparseCrossEntropy(logits, targets, { reduction: 'none' }), [batch * t]) as tf.Tensor1D;
    });
  }
}
