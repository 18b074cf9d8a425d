import { Embedding, Module, Rng, tf } from '@nextx/core';

/**
 * Official `RelPosBias1D`: one learned bias per clipped relative distance i − j ∈ [−(m−1), m−1], shared by every
 * head, added to the attention logits of the patch tokens (`emb.weight` [2m − 1, 1], N(0, 1e-4²) at init). Built
 * when rpb_max_distance > 1.
 */
export class RelPosBias1D extends Module {
  readonly emb: Embedding;

  constructor(
    readonly maxDistance: number,
    rng: Rng = Rng.seeded(0),
  ) {
    super();
    this.emb = this.addModule('emb', new Embedding(2 * maxDistance - 1, 1, { rng, initStd: 1e-4 }));
  }

  /** The additive bias [n, n]. */
  forward(n: number): tf.Tensor2D {
    return tf.tidy(() => {
      const m = this.maxDistance;
      const buckets = new Int32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) buckets[i * n + j] = Math.min(Math.max(i - j, -m + 1), m - 1) + m - 1;
      return tf.reshape(this.emb.forward(tf.tensor2d(buckets, [n, n], 'int32')), [n, n]) as tf.Tensor2D;
    });
  }
}
