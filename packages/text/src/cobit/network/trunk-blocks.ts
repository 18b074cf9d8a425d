import type { RotaryEmbedding, Rng} from '@nextx/core';
import { Dropout, LayerNorm, Module, MultiHeadAttention, tf } from '@nextx/core';
import { AdaLNZero } from './ada-ln-zero.js';
import { CobitSwiGlu, SequentialMlp } from './feed-forward.js';
import type { Tap } from './tap.js';

export interface TrunkBlockOptions {
  readonly dim: number;
  readonly heads: number;
  readonly dimFf: number;
  readonly dropout: number;
  readonly rope?: RotaryEmbedding;
  readonly rng: Rng;
}

/** The official `SelfAttention` (bidirectional, fused `qkv_proj`, `out_proj`, biases, optional RoPE on q and k). */
export function cobitSelfAttention(options: TrunkBlockOptions): MultiHeadAttention {
  return new MultiHeadAttention({
    dim: options.dim,
    numHeads: options.heads,
    names: { qkv: 'qkv_proj', out: 'out_proj' },
    attnDropout: options.dropout,
    ...(options.rope ? { rope: options.rope } : {}),
    rng: options.rng.fork(),
  });
}

/** What a trunk block takes besides the tokens. */
export interface TrunkCall {
  readonly tEmb: tf.Tensor;
  /** Additive attention bias [n, n] (relative positions); none when absent. */
  readonly bias?: tf.Tensor;
  readonly tap?: Tap;
  readonly prefix?: string;
}

/**
 * Official `PreNormBlockAda` (spec 6.5): AdaLN-Zero around RoPE self-attention and a feed-forward (SwiGLU, or
 * Linear–SiLU–Linear), each residual branch multiplied by its gate.
 */
export class PreNormBlockAda extends Module {
  readonly attn: MultiHeadAttention;
  readonly ff: CobitSwiGlu | SequentialMlp;
  readonly adaln1: AdaLNZero;
  readonly adaln2: AdaLNZero;
  readonly drop: Dropout;

  constructor(options: TrunkBlockOptions & { readonly swiglu: boolean }) {
    super();
    const { dim, dimFf, dropout, rng } = options;
    this.attn = this.addModule('attn', cobitSelfAttention(options));
    this.ff = this.addModule('ff', options.swiglu ? new CobitSwiGlu(dim, Math.trunc((2 * dimFf) / 3), dropout, rng.fork()) : new SequentialMlp(dim, dimFf, dim, 'silu', dropout, rng.fork()));
    this.drop = this.addModule('drop', new Dropout(dropout, { rng: rng.fork() }));
    this.adaln1 = this.addModule('adaln1', new AdaLNZero(dim, rng.fork()));
    this.adaln2 = this.addModule('adaln2', new AdaLNZero(dim, rng.fork()));
  }

  forward(x: tf.Tensor, call: TrunkCall): tf.Tensor {
    return tf.tidy(() => {
      const tap = (name: string, t: tf.Tensor) => call.tap?.(`${call.prefix ?? ''}${name}`, t);
      const first = this.adaln1.forward(x, call.tEmb);
      tap('adaln1_h', first.h);
      tap('adaln1_gate', tf.squeeze(first.gate, [1]));
      const attended = this.attn.forward(first.h, call.bias ? { mask: call.bias } : {});
      tap('attn_out', attended);
      const x1 = tf.add(x, tf.mul(this.drop.forward(attended), first.gate));
      const second = this.adaln2.forward(x1, call.tEmb);
      tap('adaln2_h', second.h);
      tap('adaln2_gate', tf.squeeze(second.gate, [1]));
      const fed = this.ff.forward(second.h);
      tap('ff_out', fed);
      const out = tf.add(x1, tf.mul(this.drop.forward(fed), second.gate));
      tap('out', out);
      return out;
    });
  }
}

/** Official `PreNormBlock` (use_adaln = False): LayerNorm → attention and LayerNorm → Linear–GELU–Linear, plain residuals. */
export class PreNormBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly ff: SequentialMlp;
  readonly drop: Dropout;

  constructor(options: TrunkBlockOptions) {
    super();
    const { dim, dimFf, dropout, rng } = options;
    this.norm1 = this.addModule('norm1', new LayerNorm(dim));
    this.attn = this.addModule('attn', cobitSelfAttention(options));
    this.norm2 = this.addModule('norm2', new LayerNorm(dim));
    this.ff = this.addModule('ff', new SequentialMlp(dim, dimFf, dim, 'gelu', dropout, rng.fork()));
    this.drop = this.addModule('drop', new Dropout(dropout, { rng: rng.fork() }));
  }

  forward(x: tf.Tensor, call: TrunkCall): tf.Tensor {
    return tf.tidy(() => {
      const attended = this.attn.forward(this.norm1.forward(x), call.bias ? { mask: call.bias } : {});
      call.tap?.(`${call.prefix ?? ''}attn_out`, attended);
      const x1 = tf.add(x, this.drop.forward(attended));
      const fed = this.ff.forward(this.norm2.forward(x1));
      call.tap?.(`${call.prefix ?? ''}ff_out`, fed);
      const out = tf.add(x1, this.drop.forward(fed));
      call.tap?.(`${call.prefix ?? ''}out`, out);
      return out;
    });
  }
}
