import { Linear, Module, Rng, l2Normalize, tf } from '@nextx/core';

/** The routing module's outputs (hnet/modules/dc.py RoutingModuleOutput), for one layout. */
export interface RoutingOutput {
  /** cos of adjacent projections, one per pair ([B, L−1] or [T−1]). */
  readonly cos: tf.Tensor;
  /** Boundary probability p ([B, L] or [T]); p = 1 at the first position of each sequence. */
  readonly p: tf.Tensor;
  /** (1 − p, p), the official boundary_prob ([..., 2]). */
  readonly boundaryProb: tf.Tensor;
  /** c = max(p, 1 − p) by the argmax rule, with gradient (the official selected_probs). */
  readonly selectedProbs: tf.Tensor;
  /** b = [p > 0.5] AND mask, host data (row-major like p). */
  readonly boundaries: Uint8Array;
  /** Whether the argmax picked p (before masking): the sign of ∂c/∂p. */
  readonly pickedP: Uint8Array;
}

/** One of a batch's sequences in packed layout: cu_seqlens[i] … cu_seqlens[i+1] − 1. */
export type CuSeqlens = readonly number[];

/**
 * H-Net's routing module (hnet/modules/dc.py RoutingModule): p_t = clamp((1 − cos(W_q h_{t−1}, W_k h_t)) / 2, 0, 1),
 * p = 1 at every sequence start, and a boundary where p > 1 − p (strictly: p = 0.5 is not one). As the official code
 * (README 6.1), W_q projects the EARLIER position and W_k the later one; the paper writes it the other way round.
 * F.normalize's eps (1e-12) makes a zero projection give cos = 0, p = 0.5, not NaN.
 */
export class RoutingModule extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;

  constructor(
    readonly dim: number,
    options: { readonly rng?: Rng } = {},
  ) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    this.qProj = this.addModule('q_proj_layer', new Linear(dim, dim, { bias: false, rng: rng.fork() }));
    this.kProj = this.addModule('k_proj_layer', new Linear(dim, dim, { bias: false, rng: rng.fork() }));
    // The official init (RoutingModule.__init__, _no_reinit): W_q = W_k = I.
    tf.tidy(() => {
      this.qProj.weight.assign(tf.eye(dim));
      this.kProj.weight.assign(tf.eye(dim));
    });
  }

  /** Mask mode: h [B, L, D], mask [B·L] (1 = valid, right padding). */
  forwardMasked(h: tf.Tensor, mask: ArrayLike<number>): RoutingOutput {
    const [batch, length] = h.shape as [number, number, number];
    return this.route(h, batch, length, (n) => n % length === 0, mask);
  }

  /** Packed mode: h [T, D], sequences at cu_seqlens; every sequence start gets p = 1. */
  forwardPacked(h: tf.Tensor, cuSeqlens: CuSeqlens): RoutingOutput {
    const total = h.shape[0] as number;
    const starts = new Set(cuSeqlens.slice(0, -1));
    return this.route(h, 1, total, (n) => starts.has(n), undefined, true);
  }

  /** The cosine and p of one new position against the previous one (streaming, README 4.8); [B, D] each. */
  stepProbability(previous: tf.Tensor, current: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const q = l2Normalize(this.qProj.forward(previous));
      const k = l2Normalize(this.kProj.forward(current));
      return tf.clipByValue(tf.div(tf.sub(1, tf.sum(tf.mul(q, k), -1)), 2), 0, 1);
    });
  }

  /** The formulas of README 4.1 over [B, L, D] (or, `packed`, over one row [T, D], returning unbatched shapes). */
  private route(h: tf.Tensor, batch: number, length: number, isStart: (flat: number) => boolean, mask?: ArrayLike<number>, packed = false): RoutingOutput {
    const tensors = tf.tidy(() => {
      const rows = packed ? tf.expandDims(h, 0) : h;
      const earlier = tf.slice(rows, [0, 0, 0], [-1, length - 1, -1]);
      const later = tf.slice(rows, [0, 1, 0], [-1, length - 1, -1]);
      const cos = tf.sum(tf.mul(l2Normalize(this.qProj.forward(earlier)), l2Normalize(this.kProj.forward(later))), -1);
      const pairs = tf.clipByValue(tf.div(tf.sub(1, cos), 2), 0, 1);
      const inner = tf.concat([tf.ones([batch, 1]), pairs], 1);
      const startMask = new Float32Array(batch * length);
      for (let n = 0; n < startMask.length; n++) startMask[n] = isStart(n) ? 1 : 0;
      const starts = tf.tensor2d(startMask, [batch, length]);
      // p = 1 at starts (a constant there: no gradient), the pair's value elsewhere.
      const p = tf.add(starts, tf.mul(inner, tf.sub(1, starts)));
      return packed ? { cos: tf.reshape(cos, [length - 1]), p: tf.reshape(p, [length]) } : { cos, p };
    });
    const pValues = tensors.p.dataSync() as Float32Array;
    const boundaries = new Uint8Array(pValues.length);
    const pickedP = new Uint8Array(pValues.length);
    for (let n = 0; n < pValues.length; n++) {
      const v = pValues[n] as number;
      // argmax over (1 − p, p) in float32, ties to index 0: p is picked iff p > fl(1 − p).
      pickedP[n] = v > Math.fround(1 - v) ? 1 : 0;
      boundaries[n] = pickedP[n] && (mask ? (mask[n] as number) : 1) ? 1 : 0;
    }
    const rest = tf.tidy(() => {
      const picked = tf.tensor(pickedP, tensors.p.shape, 'bool');
      const oneMinus = tf.sub(1, tensors.p);
      return { boundaryProb: tf.stack([oneMinus, tensors.p], -1), selectedProbs: tf.where(picked, tensors.p, oneMinus) };
    });
    return { ...tensors, ...rest, boundaries, pickedP };
  }
}
