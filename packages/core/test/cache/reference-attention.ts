import { tf } from '../../src/tf.js';
import type { MultiHeadAttention } from '../../src/nn/attention.js';
import type { Linear } from '../../src/nn/linear.js';

/** visible(i, j, head): may the token at absolute position i attend to the token at position j (in this head)? */
export type Visible = (i: number, j: number, head: number) => boolean;

/**
 * Full (uncached) multi-head attention over x [B, L, C], written with plain tf ops from a fused-projection
 * module's weights: q | k | v = x·W + b, softmax(q·kᵀ·scale + mask)·v per head (head h = channels h·d … h·d+d−1),
 * then the output projection. The mask is built from `visible` over positions 0 … L−1, per head. No cache involved.
 */
export function referenceAttention(mha: MultiHeadAttention, x: tf.Tensor, visible: Visible): tf.Tensor {
  return tf.tidy(() => {
    const [batch, length, dim] = x.shape as [number, number, number];
    const heads = mha.numHeads;
    const d = dim / heads;
    const qkv = mha.qkv as Linear;
    const out = mha.out;
    const flat = tf.reshape(x, [batch * length, dim]);
    const fused = tf.add(tf.matMul(flat, qkv.weight), qkv.bias as tf.Tensor);
    const head = (part: number) =>
      tf.transpose(tf.reshape(tf.slice(fused, [0, part * dim], [-1, dim]), [batch, length, heads, d]), [0, 2, 1, 3]);
    const [q, k, v] = [head(0), head(1), head(2)];
    const mask = new Float32Array(heads * length * length);
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < length; i++)
        for (let j = 0; j < length; j++) mask[(h * length + i) * length + j] = visible(i, j, h) ? 0 : -Infinity;
    const logits = tf.add(tf.mul(tf.matMul(q, k, false, true), mha.scale), tf.tensor4d(mask, [1, heads, length, length]));
    const mixed = tf.matMul(tf.softmax(logits, -1), v);
    const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch * length, dim]);
    return tf.reshape(tf.add(tf.matMul(merged, out.weight), out.bias as tf.Tensor), [batch, length, dim]);
  });
}

/** Runs `x` through `run` chunk by chunk ([B, t, C] slices of the given sizes) and joins the outputs along L. */
export function chunked(x: tf.Tensor, sizes: readonly number[], run: (chunk: tf.Tensor, start: number, index: number) => tf.Tensor): tf.Tensor {
  let start = 0;
  const outs = sizes.map((size, index) => {
    const out = tf.tidy(() => run(tf.slice(x, [0, start, 0], [-1, size, -1]), start, index));
    start += size;
    return out;
  });
  const joined = tf.concat(outs, 1);
  tf.dispose(outs);
  return joined;
}
