import { BitCodec, InputError, Linear, Module, Rng, tf, type KVCache } from '@nextx/core';
import { CobitNetwork, type BitDenoiser, type SelfCondition } from '../cobit/network/cobit-network.js';
import { CausalTransformer } from '../transformer/causal-transformer.js';
import { bitlmHeadConfig, type BitlmConfig } from './config.js';

/**
 * BitLM (see config.ts): `backbone` (block-causal decoder), `cond_proj` (decoder state → head width) and `head` (a
 * CoBit denoiser over one block). The decoder state at block j conditions the denoising of block j + 1.
 */
export class BitLm extends Module {
  readonly backbone: CausalTransformer;
  readonly condProj: Linear;
  readonly head: CobitNetwork;
  readonly codec: BitCodec;

  constructor(
    readonly config: BitlmConfig,
    rng: Rng = Rng.seeded(0),
  ) {
    super();
    this.backbone = this.addModule('backbone', new CausalTransformer(config.transformer, config.vocabSize, config.blockSize, rng.fork()));
    this.condProj = this.addModule('cond_proj', new Linear(config.transformer.dim, config.head.dim, { rng: rng.fork() }));
    this.head = this.addModule('head', new CobitNetwork(bitlmHeadConfig(config), rng.fork()));
    this.codec = new BitCodec({ vocabSize: config.vocabSize, width: this.head.sizes.b });
  }

  get blockSize(): number {
    return this.config.blockSize;
  }

  /** Bits per block, k·b. */
  get blockBits(): number {
    return this.head.sizes.S;
  }

  /**
   * The head's conditioning for the block after each context block: ids [B, m·k] (whole blocks) → [B·m, k, head.dim],
   * row b·m + j conditioning the block after context block j. With a cache the ids continue it.
   */
  conditions(ids: tf.Tensor, cache?: KVCache): tf.Tensor {
    const [batch, length] = ids.shape as [number, number];
    const k = this.blockSize;
    if (length % k !== 0) throw new InputError(`text/bitlm: ${length} context tokens are not whole blocks of ${k}`);
    return tf.tidy(() => {
      const hidden = this.backbone.forward(ids, cache);
      return this.condProj.forward(tf.reshape(hidden, [batch * (length / k), k, this.config.transformer.dim]));
    });
  }

  /** The head bound to conditions [B', k, head.dim]: a bit denoiser of B' blocks, for CoBit's loss and sampler. */
  denoiser(conditions: tf.Tensor): BitDenoiser {
    const head = this.head;
    return {
      bits: head.bits,
      dataCenter: head.dataCenter,
      sigmaData: head.sigmaData,
      sigmaMax: head.sigmaMax,
      selfCondition: head.selfCondition,
      loss: head.loss,
      logits: (xT: tf.Tensor, sigma: tf.Tensor, selfCondition: SelfCondition) => head.logits(xT, sigma, selfCondition, undefined, conditions),
    };
  }
}
