import { tf, Conv2d, Module, MultiScaleResidualQuantizer, isHostTensor, type HostTensor, type LoadStateDictOptions, type Rng, type StateDict, type StateDictSource } from '@nextx/core';
import type { VqvaeConfig } from '../config.js';
import { Decoder } from './decoder.js';
import { Encoder, type VaeTrunkConfig } from './encoder.js';

/**
 * The multi-scale residual VQVAE (official `vqvae.VQVAE`): encoder, quant_conv, the multi-scale quantizer
 * (`quantize`, core's MultiScaleResidualQuantizer), post_quant_conv and decoder. Images are NHWC in [−1, 1].
 */
export class VQVAE extends Module {
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly quantize: MultiScaleResidualQuantizer;
  readonly quantConv: Conv2d;
  readonly postQuantConv: Conv2d;
  readonly downsample: number;

  constructor(
    readonly config: VqvaeConfig,
    rng: Rng,
  ) {
    super();
    const trunk: VaeTrunkConfig = {
      ch: config.ch,
      chMult: config.ch_mult,
      numResBlocks: config.num_res_blocks,
      inChannels: config.in_channels,
      zChannels: config.z_channels,
      usingSa: config.using_sa,
      usingMidSa: config.using_mid_sa,
      numGroups: config.num_groups,
      eps: config.groupnorm_eps,
      dropout: config.dropout,
    };
    this.downsample = 2 ** (config.ch_mult.length - 1);
    this.encoder = this.addModule('encoder', new Encoder(trunk, rng));
    this.decoder = this.addModule('decoder', new Decoder(trunk, rng));
    this.quantize = this.addModule(
      'quantize',
      new MultiScaleResidualQuantizer({
        vocabSize: config.vocab_size,
        cvae: config.z_channels,
        patchNums: config.v_patch_nums,
        quantResi: config.quant_resi,
        shareQuantResi: config.share_quant_resi,
        defaultQresiCounts: config.default_qresi_counts,
        usingZnorm: config.using_znorm,
        beta: config.beta,
        rng,
      }),
    );
    const ks = config.quant_conv_ks;
    const cvae = config.z_channels;
    this.quantConv = this.addModule('quant_conv', new Conv2d(cvae, cvae, ks, { padding: Math.floor(ks / 2), rng }));
    this.postQuantConv = this.addModule('post_quant_conv', new Conv2d(cvae, cvae, ks, { padding: Math.floor(ks / 2), rng }));
  }

  /**
   * Accepts the official state dict: the attention blocks' 1×1 conv weights [out, in, 1, 1] load into Linears, and, as
   * the official `VQVAE.load_state_dict` does, an `ema_vocab_hit_SV` recorded for another number of scales is replaced
   * by this model's own (the usage statistics of training, unused in inference).
   */
  override loadStateDict(stateDict: StateDictSource, options: LoadStateDictOptions = {}): void {
    const converted: tf.Tensor[] = [];
    const entries = (stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict)).map(([name, t]) => {
      if (name === EMA_VOCAB_HIT && t.shape[0] !== this.quantize.numScales) {
        const own = tf.clone(this.quantize.emaVocabHit);
        converted.push(own);
        return [name, own] as const;
      }
      if (!isAttnConvWeight(name) || t.shape.length !== 4) return [name, t] as const;
      const shape = t.shape.slice(0, 2);
      if (isHostTensor(t)) return [name, { ...t, shape }] as const; // same values, 2-D shape
      const squeezed = tf.reshape(t, shape);
      converted.push(squeezed);
      return [name, squeezed] as const;
    });
    try {
      super.loadStateDict(new Map<string, tf.Tensor | HostTensor>(entries), options);
    } finally {
      tf.dispose(converted);
    }
  }

  /** The official layout: attention projections as 1×1 conv weights [out, in, 1, 1]. */
  override stateDict(): StateDict {
    const out = super.stateDict();
    for (const [name, t] of Object.entries(out)) {
      if (!isAttnConvWeight(name)) continue;
      out[name] = tf.reshape(t, [...t.shape, 1, 1]);
      t.dispose();
    }
    return out;
  }

  override stateDictShapes(): Record<string, number[]> {
    const out = super.stateDictShapes();
    for (const [name, shape] of Object.entries(out)) if (isAttnConvWeight(name)) out[name] = [...shape, 1, 1];
    return out;
  }

  /** f = quant_conv(encoder(x)): the continuous latent [B, h, w, Cvae] of images [B, H, W, in_channels]. */
  encodeLatent(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.quantConv.forward(this.encoder.forward(images)));
  }

  /** Official `img_to_idxBl`: per-scale token indices, int32 [B, pn_k²] row-major. */
  imagesToIndices(images: tf.Tensor4D): tf.Tensor2D[] {
    const f = this.encodeLatent(images);
    try {
      return this.quantize.encodeIndices(f);
    } finally {
      f.dispose();
    }
  }

  /** Official `fhat_to_img`: clamp(decoder(post_quant_conv(f̂)), −1, 1). */
  fhatToImages(fhat: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.clipByValue(this.decoder.forward(this.postQuantConv.forward(fhat)), -1, 1) as tf.Tensor4D);
  }

  /** Official `idxBl_to_img(same_shape=True, last_one=True)`: images in [−1, 1] from per-scale indices. */
  indicesToImages(indices: readonly tf.Tensor2D[]): tf.Tensor4D {
    return tf.tidy(() => this.fhatToImages(this.quantize.indicesToFhat(indices)));
  }
}

const EMA_VOCAB_HIT = 'quantize.ema_vocab_hit_SV';

/** The AttnBlocks' qkv / proj_out weights: 1×1 convs in the official tree, Linears here. */
function isAttnConvWeight(name: string): boolean {
  return /^(encoder|decoder)\..*\.(qkv|proj_out)\.weight$/.test(name);
}
