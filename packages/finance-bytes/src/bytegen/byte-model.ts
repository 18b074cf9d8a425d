import { ByteGpt, KVCache, sparseCrossEntropy, tf, type Module } from '@nextx/core';
import { HNetForCausalLM } from '../hnet/hnet.js';
import { ratioLoss } from '../hnet/ratio-loss.js';
import { planMaskedChunks } from '../hnet/chunk-layer.js';
import { dechunkMasked, dechunkStep } from '../hnet/dechunk-layer.js';
import type { StackCache } from '../hnet/isotropic.js';
import type { ByteGenConfig } from './config.js';

/** The loss of one batch: next-byte cross-entropy (nats per byte) and, for H-Net, the ratio loss. */
export interface ByteLoss {
  readonly total: tf.Scalar;
  readonly ce: tf.Scalar;
  readonly ratio?: tf.Scalar;
  /** H-Net's boundary decisions [B·L] (host). */
  readonly boundaries?: Uint8Array;
}

/** Incremental decoding state of a batch of streams; `logits` [B, 256] predict the next byte of each. */
export interface DecodeState {
  readonly batch: number;
  readonly logits: tf.Tensor2D;
  dispose(): void;
}

/**
 * A next-byte model over packed event streams: its loss, and incremental decoding with cached state (prefill a batch
 * of equal-length prompts, then one byte per stream per step).
 */
export interface ByteModel {
  readonly kind: ByteGenConfig['backbone'];
  readonly module: Module;
  /** ids and targets [B·L] (int32 host data). */
  loss(inputs: Int32Array, targets: Int32Array, batch: number, length: number): ByteLoss;
  /** Next-byte logits [B, L, 256] of ids [B·L] (and H-Net's boundary decisions). */
  logits(inputs: Int32Array, batch: number, length: number): { logits: tf.Tensor; boundaries?: Uint8Array };
  prefill(ids: Int32Array, batch: number, length: number): DecodeState;
  step(state: DecodeState, ids: Int32Array): DecodeState;
}

/** Replaces a tensor held across steps. */
function swap<T extends tf.Tensor>(old: T | undefined, next: T): T {
  old?.dispose();
  return tf.keep(next);
}

interface HNetDecode extends DecodeState {
  readonly encoder: StackCache;
  readonly decoder: StackCache;
  /** The main network's cache per stream: streams chunk at different places. */
  readonly main: StackCache[];
  lastHidden: tf.Tensor;
  lastValue: tf.Tensor;
  logits: tf.Tensor2D;
}

function disposeCache(cache: StackCache): void {
  cache.ssm.dispose();
  cache.kv.dispose();
}

/**
 * ByteGen on H-Net (HNetForCausalLM). Decoding follows HNetForCausalLM.step: the encoder and decoder (Mamba-2) keep
 * SSM states for the whole batch; the routing compares each new encoder state with the previous one; a stream whose
 * byte opens a chunk runs the main network one step on its own KV cache; the dechunk EMA carries its last value.
 */
export class HNetByteModel implements ByteModel {
  readonly kind = 'hnet' as const;
  constructor(
    readonly module: HNetForCausalLM,
    private readonly ratioTarget: number,
    private readonly ratioWeight: number,
  ) {}

  loss(inputs: Int32Array, targets: Int32Array, batch: number, length: number): ByteLoss {
    let boundaries: Uint8Array = new Uint8Array(0);
    const parts = tf.tidy(() => {
      const out = this.module.forwardMasked(tf.tensor2d(inputs, [batch, length], 'int32'), undefined, { kernel: 'float32' });
      boundaries = out.boundaries;
      const ce = sparseCrossEntropy(out.logits, targets) as tf.Scalar;
      const ratio = ratioLoss(out.boundaries, out.p, this.ratioTarget).loss;
      return { total: tf.add(ce, tf.mul(this.ratioWeight, ratio)) as tf.Scalar, ce, ratio };
    });
    return { ...parts, boundaries };
  }

  logits(inputs: Int32Array, batch: number, length: number): { logits: tf.Tensor; boundaries: Uint8Array } {
    const ids = tf.tensor2d(inputs, [batch, length], 'int32');
    try {
      const out = this.module.forwardMasked(ids, undefined, { kernel: 'float32' });
      out.p.dispose();
      return { logits: out.logits, boundaries: out.boundaries };
    } finally {
      ids.dispose();
    }
  }

  prefill(ids: Int32Array, batch: number, length: number): DecodeState {
    const m = this.module;
    const bb = m.backbone;
    const state: HNetDecode = {
      batch,
      encoder: bb.encoder.newCache(),
      decoder: bb.decoder.newCache(),
      main: Array.from({ length: batch }, () => bb.mainNetwork.mainNetwork.newCache()),
      lastHidden: undefined as unknown as tf.Tensor,
      lastValue: undefined as unknown as tf.Tensor,
      logits: undefined as unknown as tf.Tensor2D,
      dispose: () => disposeHNetState(state),
    };
    const d0 = m.config.d_model[0];
    tf.tidy(() => {
      const h = bb.encoder.forward(m.embeddings.forward(tf.tensor2d(ids, [batch, length], 'int32')), state.encoder);
      const r = bb.residualProj.forward(h);
      const routing = bb.routingModule.forwardMasked(h, new Uint8Array(batch * length).fill(1));
      const plan = planMaskedChunks(routing.boundaries, batch, length);
      const rows = Array.from({ length: batch }, (_, b) => {
        const positions = Array.from(plan.order.subarray(b * length, b * length + (plan.numTokens[b] as number)));
        const u = tf.gather(tf.reshape(tf.slice(h, [b, 0, 0], [1, length, d0]), [length, d0]), tf.tensor1d(positions, 'int32'));
        const z = tf.squeeze(bb.mainNetwork.forwardCached(tf.expandDims(u, 0), state.main[b] as StackCache), [0]);
        const missing = plan.maxChunks - positions.length;
        return missing > 0 ? tf.concat([z, tf.zeros([missing, d0])], 0) : z;
      });
      const out = dechunkMasked(tf.stack(rows), routing.p, plan, 'float32').out;
      const y = tf.add(out, r); // STE(c) is exactly 1 in the forward pass
      const g = bb.decoder.forward(y, state.decoder);
      state.logits = swap(undefined, tf.reshape(m.logits(tf.slice(g, [0, length - 1, 0], [-1, 1, -1])), [batch, -1]) as tf.Tensor2D);
      state.lastHidden = swap(undefined, tf.reshape(tf.slice(h, [0, length - 1, 0], [-1, 1, -1]), [batch, d0]));
      state.lastValue = swap(undefined, tf.reshape(tf.slice(out, [0, length - 1, 0], [-1, 1, -1]), [batch, d0]));
    });
    return state;
  }

  step(decode: DecodeState, ids: Int32Array): DecodeState {
    const state = decode as HNetDecode;
    const m = this.module;
    const bb = m.backbone;
    const { batch } = state;
    const d0 = m.config.d_model[0];
    tf.tidy(() => {
      const h = tf.reshape(bb.encoder.forward(m.embeddings.forward(tf.tensor2d(ids, [batch, 1], 'int32')), state.encoder), [batch, d0]);
      const r = bb.residualProj.forward(h);
      const p = bb.routingModule.stepProbability(state.lastHidden, h);
      const pv = p.dataSync();
      const boundary = Uint8Array.from(pv, (v) => (v > Math.fround(1 - v) ? 1 : 0));
      const zRows = Array.from({ length: batch }, (_, b) =>
        boundary[b] ? tf.reshape(bb.mainNetwork.forwardCached(tf.reshape(tf.slice(h, [b, 0], [1, d0]), [1, 1, d0]), state.main[b] as StackCache), [1, d0]) : tf.zeros([1, d0]),
      );
      const out = dechunkStep(state.lastValue, tf.concat(zRows, 0), p, boundary);
      const g = bb.decoder.forward(tf.reshape(tf.add(out, r), [batch, 1, d0]), state.decoder);
      state.logits = swap(state.logits, tf.reshape(m.logits(g), [batch, -1]) as tf.Tensor2D);
      state.lastHidden = swap(state.lastHidden, h);
      state.lastValue = swap(state.lastValue, out);
    });
    return state;
  }
}

function disposeHNetState(state: HNetDecode): void {
  disposeCache(state.encoder);
  disposeCache(state.decoder);
  state.main.forEach(disposeCache);
  tf.dispose([state.lastHidden, state.lastValue, state.logits].filter(Boolean));
}

interface TransformerDecode extends DecodeState {
  readonly cache: KVCache;
  logits: tf.Tensor2D;
}

/** The ablation: core's byte GPT (pre-LN transformer, learned positions) with a KV cache. */
export class TransformerByteModel implements ByteModel {
  readonly kind = 'transformer' as const;
  constructor(readonly module: ByteGpt) {}

  loss(inputs: Int32Array, targets: Int32Array, batch: number, length: number): ByteLoss {
    return tf.tidy(() => {
      const ce = sparseCrossEntropy(this.module.forward(tf.tensor2d(inputs, [batch, length], 'int32')), targets) as tf.Scalar;
      return { total: ce, ce };
    });
  }

  logits(inputs: Int32Array, batch: number, length: number): { logits: tf.Tensor } {
    return { logits: tf.tidy(() => this.module.forward(tf.tensor2d(inputs, [batch, length], 'int32'))) };
  }

  prefill(ids: Int32Array, batch: number, length: number): DecodeState {
    const cache = new KVCache(this.module.blocks.length);
    const state: TransformerDecode = { batch, cache, logits: undefined as unknown as tf.Tensor2D, dispose: () => (cache.dispose(), state.logits?.dispose()) };
    return this.advance(state, ids, length);
  }

  step(decode: DecodeState, ids: Int32Array): DecodeState {
    return this.advance(decode as TransformerDecode, ids, 1);
  }

  private advance(state: TransformerDecode, ids: Int32Array, length: number): DecodeState {
    const logits = tf.tidy(() => {
      const out = this.module.forward(tf.tensor2d(ids, [state.batch, length], 'int32'), state.cache);
      return tf.reshape(tf.slice(out, [0, length - 1, 0], [-1, 1, -1]), [state.batch, -1]) as tf.Tensor2D;
    });
    state.logits = swap(state.logits, logits);
    return state;
  }
}

/** Builds the configured backbone. */
export function createByteModel(config: ByteGenConfig): ByteModel {
  if (config.backbone === 'transformer') {
    return new TransformerByteModel(new ByteGpt({ ...config.transformer, contextLength: config.windowBytes, seed: config.seed }));
  }
  return new HNetByteModel(new HNetForCausalLM(config.hnet, { seed: config.seed }), config.ratioTarget, config.ratioWeight);
}
