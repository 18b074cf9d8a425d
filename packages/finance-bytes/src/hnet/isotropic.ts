import type { Rng} from '@nextx/core';
import { KVCache, Linear, Mamba2, Module, ModuleList, MultiHeadAttention, RMSNorm, RotaryEmbedding, SsmStateCache, SwiGluMlp, causalMask, tf } from '@nextx/core';

/** What one stack of an H-Net layout holds. */
export type StackKind = 'linear' | 'mamba2' | 'attention';

export function parseStack(entry: string): { kind: StackKind; count: number } {
  if (entry === 'linear') return { kind: 'linear', count: 1 };
  const count = Number(entry.slice(1));
  return { kind: entry[0] === 'm' ? 'mamba2' : 'attention', count };
}

export interface StackOptions {
  readonly dim: number;
  /** SwiGLU width (0: none). */
  readonly dIntermediate: number;
  readonly numHeads: number;
  readonly ssm: { readonly d_state: number; readonly d_conv: number; readonly expand: number; readonly head_dim: number; readonly chunk_size: number };
  readonly rng: Rng;
}

/** The generation state of one stack: SSM states of its Mamba-2 layers, KV caches of its attention layers. */
export interface StackCache {
  readonly ssm: SsmStateCache;
  readonly kv: KVCache;
}

/** A pre-norm residual block: x + mixer(norm(x)), then x + mlp(norm2(x)) when there is an MLP. */
class Block extends Module {
  readonly norm: RMSNorm;
  readonly mixer: Mamba2 | MultiHeadAttention;
  readonly norm2: RMSNorm | undefined;
  readonly mlp: SwiGluMlp | undefined;

  constructor(kind: 'mamba2' | 'attention', options: StackOptions, readonly rope: RotaryEmbedding | undefined) {
    super();
    const { dim, ssm, rng } = options;
    this.norm = this.addModule('norm', new RMSNorm(dim, { eps: 1e-5 }));
    this.mixer = this.addModule(
      'mixer',
      kind === 'mamba2'
        ? new Mamba2({ dModel: dim, dState: ssm.d_state, dConv: ssm.d_conv, expand: ssm.expand, headDim: ssm.head_dim, chunkSize: ssm.chunk_size, rng: rng.fork() })
        : new MultiHeadAttention({ dim, numHeads: options.numHeads, names: { qkv: 'Wqkv', out: 'out_proj' }, ...(rope ? { rope } : {}), rng: rng.fork() }),
    );
    if (options.dIntermediate > 0) {
      this.norm2 = this.addModule('norm2', new RMSNorm(dim, { eps: 1e-5 }));
      this.mlp = this.addModule('mlp', new SwiGluMlp(dim, options.dIntermediate, { rng: rng.fork() }));
    }
  }
}

/**
 * An H-Net Isotropic stack (hnet/modules/isotropic.py): blocks of one kind (Mamba-2 or causal attention with RoPE),
 * then a final RMSNorm; or the fixture's linear stand-in. With a StackCache the input continues the cached sequence.
 */
export class Isotropic extends Module {
  readonly kind: StackKind;
  /** The fixture's stand-in for a whole stack: y = x·Wᵀ + b per position. */
  readonly proj: Linear | undefined;
  readonly layers: ModuleList<Block> | undefined;
  readonly rmsnorm: RMSNorm | undefined;
  /** One rotary embedding shared by the attention blocks; the stack owns its kept tables. */
  private readonly rope: RotaryEmbedding | undefined;

  constructor(entry: string, readonly options: StackOptions) {
    super();
    const { kind, count } = parseStack(entry);
    this.kind = kind;
    if (kind === 'linear') {
      this.proj = this.addModule('proj', new Linear(options.dim, options.dim, { rng: options.rng.fork() }));
      return;
    }
    const rope = kind === 'attention' ? new RotaryEmbedding(options.dim / options.numHeads) : undefined;
    this.rope = rope;
    this.layers = this.addModule('layers', new ModuleList(Array.from({ length: count }, () => new Block(kind, options, rope))));
    this.rmsnorm = this.addModule('rmsnorm', new RMSNorm(options.dim, { eps: 1e-5 }));
  }

  override dispose(): void {
    this.rope?.dispose();
    super.dispose();
  }

  /** A fresh generation state for this stack. */
  newCache(): StackCache {
    const n = this.layers?.length ?? 0;
    return { ssm: new SsmStateCache(this.kind === 'mamba2' ? n : 0), kv: new KVCache(this.kind === 'attention' ? n : 0) };
  }

  /** x [B, L, D] → [B, L, D]; causal along L. */
  forward(x: tf.Tensor, cache?: StackCache): tf.Tensor {
    if (this.proj) return this.proj.forward(x);
    return tf.tidy(() => {
      const length = x.shape[1] as number;
      const start = cache?.kv.nextPosition ?? 0;
      const mask = this.kind === 'attention' && length > 1 ? causalMask(length, { offset: start }) : undefined;
      let h = x;
      (this.layers as ModuleList<Block>).items.forEach((block, i) => {
        const normed = block.norm.forward(h);
        const mixed =
          block.mixer instanceof Mamba2
            ? block.mixer.forward(normed, cache?.ssm.layer(i))
            : block.mixer.forward(normed, { ...(mask ? { mask } : {}), ...(cache ? { cache: cache.kv.layer(i) } : {}) });
        h = tf.add(h, mixed);
        if (block.mlp && block.norm2) h = tf.add(h, block.mlp.forward(block.norm2.forward(h)));
      });
      return (this.rmsnorm as RMSNorm).forward(h);
    });
  }
}
