import { tf } from '../tf.js';
import { Module } from './module.js';
import { pipe } from './pipe.js';
import { groupMoments } from './group-moments.js';
import { silu } from './activations.js';
import { nativeGroupNorm } from '../backend/wasm/blas-norms.js';

export interface GroupNormOptions {
  /** torch's default 1e-5. */
  readonly eps?: number;
  /** Learn per-channel `weight` (ones) and `bias` (zeros); torch's default true. */
  readonly affine?: boolean;
}

/**
 * torch.nn.GroupNorm on channels-last tensors: [B, H, W, C] (NHWC), [B, L, C] or any [B, ..., C].
 * Channels are split into `numGroups` contiguous groups (group g = channels g·C/G … (g+1)·C/G − 1, as torch);
 * each (sample, group) is normalised over all its positions and channels with the biased variance.
 */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly weight: tf.Variable | undefined;
  readonly bias: tf.Variable | undefined;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    options: GroupNormOptions = {},
  ) {
    super();
    if (numChannels % numGroups !== 0) {
      throw new RangeError(`GroupNorm: ${numChannels} channels are not divisible by ${numGroups} groups`);
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    this.weight = affine ? this.addParameter('weight', tf.ones([numChannels])) : undefined;
    this.bias = affine ? this.addParameter('bias', tf.zeros([numChannels])) : undefined;
  }

  /**
   * GroupNorm of x, then SiLU with `silu` (one native pass where the addon runs it). Inside a pipe of full-size
   * activations, prefer groupNormSiluSteps, which frees the norm's output as the pipe does.
   */
  forward(x: tf.Tensor, options: { silu?: boolean } = {}): tf.Tensor {
    const native = this.forwardNative(x, options.silu ?? false);
    if (native) return native;
    const normalized = this.forwardOps(x);
    if (!options.silu) return normalized;
    const activated = silu(normalized);
    normalized.dispose();
    return activated;
  }

  /** The one native kernel of GroupNorm (+ SiLU with `withSilu`), or undefined where it does not run (see nativeGroupNorm). */
  forwardNative(x: tf.Tensor, withSilu: boolean): tf.Tensor | undefined {
    this.checkChannels(x);
    return tf.tidy(() => {
      const rows = tf.reshape(x, [x.shape[0] as number, -1, this.numChannels]) as tf.Tensor3D;
      const y = nativeGroupNorm(rows, this.numGroups, this.eps, withSilu, this.weight, this.bias);
      return y ? tf.reshape(y, x.shape) : undefined;
    });
  }

  /** GroupNorm by tfjs ops (differentiable; what forward falls back to). */
  forwardOps(x: tf.Tensor): tf.Tensor {
    this.checkChannels(x);
    return tf.tidy(() => {
      const rows = tf.reshape(x, [x.shape[0] as number, -1, this.numChannels]) as tf.Tensor3D;
      const { centered, variance } = groupMoments(rows, this.numGroups);
      // (x − mean)·(rstd·weight) + bias: the per-channel factors are folded first, so the full-size tensor is
      // touched by one multiply and one add.
      const rstd = tf.rsqrt(tf.add(variance, this.eps));
      const scale = this.weight ? tf.mul(rstd, this.weight) : rstd;
      // Full-size intermediates are freed step by step (pipe): a 256×256×160 activation is 42 MB per image.
      const normalized = tf.mul(centered, scale);
      centered.dispose();
      return pipe(
        normalized,
        (t) => (this.bias ? tf.add(t, this.bias) : t),
        (t) => tf.reshape(t, x.shape),
      );
    });
  }

  private checkChannels(x: tf.Tensor): void {
    if (x.shape[x.rank - 1] !== this.numChannels) {
      throw new RangeError(`GroupNorm: expected ${this.numChannels} channels last, got shape [${x.shape}]`);
    }
  }
}

/**
 * GroupNorm then SiLU as two pipe steps: the native kernel does both in the first where it runs (the second passes
 * its result on); otherwise the norm's ops, then SiLU, each freed by the pipe as the next step consumes it. Measured:
 * doing SiLU inside GroupNorm.forward instead costs the release-size decoder on plain wasm its second image of a
 * batch (the 4 GiB heap fragments differently).
 */
export function groupNormSiluSteps(norm: GroupNorm): Array<(t: tf.Tensor) => tf.Tensor> {
  let fused = false;
  return [
    (t) => {
      const native = norm.forwardNative(t, true);
      fused = native !== undefined;
      return native ?? norm.forwardOps(t);
    },
    (t) => (fused ? t : silu(t)),
  ];
}
