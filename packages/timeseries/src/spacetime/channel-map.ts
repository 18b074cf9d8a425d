import { tf } from '@nextx/core';
import { causalConv } from './fft-conv.js';

/**
 * The kernel row each channel uses (spec 5.1, `repeat 'nk kd -> (kr nk nh hd) kd'`): channel d takes row
 * (d // (n_heads·head_dim)) mod n_kernels, with n_heads recomputed as model_dim // (kernel_repeat·n_kernels·head_dim).
 */
export function channelKernelRows(modelDim: number, nKernels: number, kernelRepeat: number, headDim: number): number[] {
  const nHeads = Math.floor(modelDim / (kernelRepeat * nKernels * headDim));
  return Array.from({ length: modelDim }, (_, d) => Math.floor(d / (nHeads * headDim)) % nKernels);
}

/**
 * The base SSM forward (`SSM.forward`): u [B, L, D] → channels first, each convolved causally with its kernel row
 * (rows [n_kernels, L'] mapped by `rows`, or one row per channel when `rows` is undefined), plus u·skip when given.
 */
export function ssmConvolve(u: tf.Tensor, kernels: tf.Tensor, rows: readonly number[] | undefined, skip?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const channelsFirst = tf.transpose(u, [0, 2, 1]);
    const perChannel = rows ? tf.gather(kernels, tf.tensor1d(rows as number[], 'int32'), 0) : kernels;
    let y = causalConv(channelsFirst, perChannel);
    if (skip) y = tf.add(y, tf.mul(channelsFirst, tf.reshape(skip, [1, -1, 1])));
    return tf.transpose(y, [0, 2, 1]);
  });
}
