import { Embedding, Linear, Module, Rng, normalInit, parseConfig, stopGradient, tf } from '@nextx/core';
import { hnetConfigSchema, type HNetConfig, type HNetConfigInput } from './config.js';
import { Isotropic, type StackCache } from './isotropic.js';
import { RoutingModule, type CuSeqlens } from './routing-module.js';
import { chunkMasked, chunkPacked, planMaskedChunks, planPackedChunks, type MaskedChunkPlan, type PackedChunkPlan } from './chunk-layer.js';
import { dechunkMasked, dechunkPacked, type KernelDtype } from './dechunk-layer.js';

/** Receives intermediate tensors by name (README 5's hook names); they are freed after the call: clone to keep. */
export type Taps = (name: string, tensor: tf.Tensor) => void;

/** STE(c) = (c − stopgrad(c)) + 1: exactly 1 in the forward pass (README 4.4), the identity for the gradient. */
export function straightThrough(c: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(c, stopGradient(c)), 1);
}

/** Runs a stack over each sequence of a packed [T, D] tensor (attention and Mamba-2 need a batch axis). */
function perSequence(stack: Isotropic, x: tf.Tensor, cu: CuSeqlens): tf.Tensor {
  if (stack.proj) return stack.forward(x);
  const dim = x.shape[1] as number;
  const pieces = cu.slice(0, -1).map((start, i) => tf.squeeze(stack.forward(tf.expandDims(tf.slice(x, [start, 0], [(cu[i + 1] as number) - start, dim]), 0)), [0]));
  return tf.concat(pieces, 0);
}

/**
 * The innermost stage (HNet at stage 1): `pad_dimension` appended on the right when D1 > D0 (README 4.5.6), the main
 * network, then the first D0 features (4.5.8).
 */
export class HNetInner extends Module {
  readonly padDimension: tf.Variable | undefined;
  readonly mainNetwork: Isotropic;

  constructor(config: HNetConfig, rng: Rng) {
    super();
    const [d0, d1] = config.d_model;
    if (d1 > d0) this.padDimension = this.addParameter('pad_dimension', tf.zeros([d1 - d0]));
    this.mainNetwork = this.addModule(
      'main_network',
      new Isotropic(config.arch_layout[1][0], { dim: d1, dIntermediate: config.d_intermediate[1], numHeads: config.attn_cfg.num_heads[1], ssm: config.ssm_cfg, rng: rng.fork() }),
    );
  }

  /** Chunks [..., D0] → [..., D0]; `run` applies the main network to the widened chunks. */
  forward(u: tf.Tensor, taps?: Taps, run: (wide: tf.Tensor) => tf.Tensor = (wide) => this.mainNetwork.forward(wide)): tf.Tensor {
    return tf.tidy(() => {
      const d0 = u.shape[u.rank - 1] as number;
      const wide = this.padDimension ? tf.concat([u, tf.broadcastTo(this.padDimension, [...u.shape.slice(0, -1), this.padDimension.shape[0] as number])], u.rank - 1) : u;
      taps?.('main.in', wide);
      const v = run(wide);
      taps?.('main.out_wide', v);
      const z = this.padDimension ? tf.slice(v, Array(u.rank).fill(0), [...Array(u.rank - 1).fill(-1), d0]) : v;
      taps?.('main.out', z);
      return z;
    });
  }

  /** The main network over new chunks [B, n, D0] continuing `cache` (generation). */
  forwardCached(u: tf.Tensor, cache: StackCache): tf.Tensor {
    return this.forward(u, undefined, (wide) => this.mainNetwork.forward(wide, cache));
  }
}

/** What a forward pass leaves for the losses besides the output: p (with gradient) and the host boundary data. */
export interface StageResult<Plan> {
  readonly out: tf.Tensor;
  /** Boundary probabilities with gradient ([B, L] or [T]). */
  readonly p: tf.Tensor;
  readonly boundaries: Uint8Array;
  readonly plan: Plan;
}

/**
 * The outer stage of a one-stage H-Net (hnet/models/hnet.py HNet, stage 0): encoder, routing module, chunking, the
 * inner stage over chunks, dechunking (EMA), the residual r = residual_proj(h) (float32), y = out·STE(c) + r, and
 * the decoder (README 4.5).
 */
export class HNetStage extends Module {
  readonly encoder: Isotropic;
  readonly mainNetwork: HNetInner;
  readonly decoder: Isotropic;
  readonly routingModule: RoutingModule;
  readonly residualProj: Linear;

  constructor(readonly config: HNetConfig, rng: Rng) {
    super();
    const d0 = config.d_model[0];
    const outer = { dim: d0, dIntermediate: config.d_intermediate[0], numHeads: config.attn_cfg.num_heads[0], ssm: config.ssm_cfg };
    this.encoder = this.addModule('encoder', new Isotropic(config.arch_layout[0], { ...outer, rng: rng.fork() }));
    this.mainNetwork = this.addModule('main_network', new HNetInner(config, rng.fork()));
    this.decoder = this.addModule('decoder', new Isotropic(config.arch_layout[2], { ...outer, rng: rng.fork() }));
    this.routingModule = this.addModule('routing_module', new RoutingModule(d0, { rng: rng.fork() }));
    this.residualProj = this.addModule('residual_proj', new Linear(d0, d0, { rng: rng.fork() }));
    // Official init (README 4.9): residual_proj.weight = 0 (the bias keeps torch's default).
    tf.tidy(() => this.residualProj.weight.assign(tf.zerosLike(this.residualProj.weight)));
  }

  /** Mask mode: e [B, L, D0] embeddings, mask [B·L] (right padding), → decoder output [B, L, D0]. */
  forwardMasked(e: tf.Tensor, mask: ArrayLike<number>, kernel: KernelDtype, taps?: Taps): StageResult<MaskedChunkPlan> {
    const [batch, length] = e.shape as [number, number, number];
    let boundaries: Uint8Array = new Uint8Array(0);
    let plan: MaskedChunkPlan | undefined;
    const { out, p } = tf.tidy(() => {
      const h = this.encoder.forward(e);
      taps?.('enc_out', h);
      const r = this.residualProj.forward(h);
      taps?.('residual', r);
      const routing = this.routingModule.forwardMasked(h, mask);
      boundaries = routing.boundaries;
      this.tapRouting(routing, taps);
      plan = planMaskedChunks(boundaries, batch, length);
      const u = chunkMasked(h, plan);
      taps?.('chunk.hidden', u);
      const z = this.mainNetwork.forward(u, taps);
      const dechunked = dechunkMasked(z, routing.p, plan, kernel);
      return { out: this.decode(dechunked.out, routing.selectedProbs, r, taps), p: routing.p };
    });
    return { out, p, boundaries, plan: plan as MaskedChunkPlan };
  }

  /** Packed mode: e [T, D0] of the sequences at cu_seqlens → decoder output [T, D0]. */
  forwardPacked(e: tf.Tensor, cuSeqlens: CuSeqlens, kernel: KernelDtype, taps?: Taps): StageResult<PackedChunkPlan> {
    let boundaries: Uint8Array = new Uint8Array(0);
    let plan: PackedChunkPlan | undefined;
    const { out, p } = tf.tidy(() => {
      const h = perSequence(this.encoder, e, cuSeqlens);
      const r = this.residualProj.forward(h);
      const routing = this.routingModule.forwardPacked(h, cuSeqlens);
      boundaries = routing.boundaries;
      this.tapRouting(routing, taps);
      plan = planPackedChunks(boundaries, cuSeqlens);
      const u = chunkPacked(h, plan);
      const inner = plan.nextCuSeqlens;
      const z = this.mainNetwork.forward(u, taps, (wide) => perSequence(this.mainNetwork.mainNetwork, wide, inner));
      const dechunked = dechunkPacked(z, routing.p, plan, kernel);
      return { out: this.decode(dechunked.out, routing.selectedProbs, r, taps, cuSeqlens), p: routing.p };
    });
    return { out, p, boundaries, plan: plan as PackedChunkPlan };
  }

  private tapRouting(routing: { cos: tf.Tensor; p: tf.Tensor; selectedProbs: tf.Tensor; boundaries: Uint8Array }, taps?: Taps): void {
    if (!taps) return;
    taps('cos', routing.cos);
    taps('p', routing.p);
    taps('boundary_mask', tf.tensor(routing.boundaries, routing.p.shape, 'int32'));
    taps('selected_probs', routing.selectedProbs);
  }

  /** y = out·STE(c) + r, then the decoder (README 4.5.10–11). */
  private decode(out: tf.Tensor, c: tf.Tensor, r: tf.Tensor, taps?: Taps, cuSeqlens?: CuSeqlens): tf.Tensor {
    taps?.('dechunk_out', out);
    const y = tf.add(tf.mul(out, tf.expandDims(straightThrough(c), -1)), r);
    taps?.('dec_in', y);
    const g = cuSeqlens ? perSequence(this.decoder, y, cuSeqlens) : this.decoder.forward(y);
    taps?.('dec_out', g);
    return g;
  }
}

/** Output of HNetForCausalLM: logits and what the ratio loss needs. */
export interface CausalLmResult<Plan> extends Omit<StageResult<Plan>, 'out'> {
  readonly logits: tf.Tensor;
}

/**
 * HNetForCausalLM (hnet/models/mixer_seq.py) for one stage: byte embeddings, the H-Net backbone, an LM head. State
 * dict names as the official code (`embeddings.weight`, `backbone.*`, `lm_head.weight`), so its checkpoints load.
 */
export class HNetForCausalLM extends Module {
  readonly config: HNetConfig;
  readonly embeddings: Embedding;
  readonly backbone: HNetStage;
  /** The LM head; absent with `tie_embeddings`, where the logits are h·Eᵀ with the byte embedding E. */
  readonly lmHead: Linear | undefined;

  constructor(config: HNetConfigInput, options: { readonly seed?: number } = {}) {
    super();
    this.config = parseConfig(hnetConfigSchema, config, 'H-Net config');
    const rng = Rng.seeded(options.seed ?? 0);
    const d0 = this.config.d_model[0];
    this.embeddings = this.addModule('embeddings', new Embedding(this.config.vocab_size, d0, { rng: rng.fork(), initStd: 1 }));
    this.backbone = this.addModule('backbone', new HNetStage(this.config, rng.fork()));
    if (this.config.tie_embeddings) return;
    this.lmHead = this.addModule('lm_head', new Linear(d0, this.config.vocab_size, { bias: false, rng: rng.fork() }));
    const head = normalInit([d0, this.config.vocab_size], rng.fork(), 0.02);
    this.lmHead.weight.assign(head);
    head.dispose();
  }

  /** h [..., D0] → logits [..., V]: the LM head, or with tied embeddings h·Eᵀ (official `lm_head.weight = embeddings.weight`). */
  logits(h: tf.Tensor): tf.Tensor {
    if (this.lmHead) return this.lmHead.forward(h);
    return tf.tidy(() => {
      const d0 = h.shape[h.rank - 1] as number;
      const flat = tf.matMul(tf.reshape(h, [-1, d0]), this.embeddings.weight, false, true);
      return tf.reshape(flat, [...h.shape.slice(0, -1), this.config.vocab_size]);
    });
  }

  /** ids [B, L] (int32) with a right-padding mask [B·L] (all valid when omitted) → logits [B, L, V]. */
  forwardMasked(ids: tf.Tensor, mask?: ArrayLike<number>, options: { readonly kernel?: KernelDtype; readonly taps?: Taps } = {}): CausalLmResult<MaskedChunkPlan> {
    const e = this.embeddings.forward(ids);
    try {
      options.taps?.('emb', e);
      const stage = this.backbone.forwardMasked(e, mask ?? new Uint8Array(ids.size).fill(1), options.kernel ?? this.config.dechunk_kernel, options.taps);
      return this.head(stage, options.taps);
    } finally {
      e.dispose();
    }
  }

  /** Packed ids [T] (int32) of the sequences at cu_seqlens → logits [T, V]. */
  forwardPacked(ids: tf.Tensor, cuSeqlens: CuSeqlens, options: { readonly kernel?: KernelDtype; readonly taps?: Taps } = {}): CausalLmResult<PackedChunkPlan> {
    const e = this.embeddings.forward(ids);
    try {
      const stage = this.backbone.forwardPacked(e, cuSeqlens, options.kernel ?? this.config.dechunk_kernel, options.taps);
      return this.head(stage, options.taps);
    } finally {
      e.dispose();
    }
  }

  private head<Plan>(stage: StageResult<Plan>, taps?: Taps): CausalLmResult<Plan> {
    const logits = this.logits(stage.out);
    stage.out.dispose();
    taps?.('logits', logits);
    return { logits, p: stage.p, boundaries: stage.boundaries, plan: stage.plan };
  }
}
