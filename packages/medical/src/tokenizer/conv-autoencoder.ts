import { tf, Conv2d, Downsample2x, GroupNorm, Module, ModuleList, ResnetBlock, Upsample2x, type Rng } from '@nextx/core';

export interface ConvAutoencoderOptions {
  /** Stage widths; stage 0 at full resolution, each next one after a ×2 down-sampling. */
  readonly channels: readonly number[];
  readonly inChannels: number;
  readonly latentDim: number;
  readonly numGroups: number;
}

/** One resolution of the encoder: down-sample (and widen) then a residual block. */
class DownStage extends Module {
  readonly downsample: Downsample2x;
  readonly block: ResnetBlock;

  constructor(inChannels: number, outChannels: number, numGroups: number, rng: Rng) {
    super();
    this.downsample = this.addModule('downsample', new Downsample2x(inChannels, rng, outChannels));
    this.block = this.addModule('block', new ResnetBlock(outChannels, outChannels, { numGroups, eps: 1e-6, rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.block.forward(this.downsample.forward(x)));
  }
}

/** One resolution of the decoder: a residual block, then up-sample (and narrow). */
class UpStage extends Module {
  readonly block: ResnetBlock;
  readonly upsample: Upsample2x;

  constructor(inChannels: number, outChannels: number, numGroups: number, rng: Rng) {
    super();
    this.block = this.addModule('block', new ResnetBlock(inChannels, inChannels, { numGroups, eps: 1e-6, rng }));
    this.upsample = this.addModule('upsample', new Upsample2x(inChannels, rng, outChannels));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.upsample.forward(this.block.forward(x)));
  }
}

/**
 * Encoder of the tokenizer, NHWC: conv_in (3×3), a DownStage per further width (each halves the side), GroupNorm,
 * SiLU and a 1×1 conv to the latent channels.
 */
export class ConvEncoder extends Module {
  readonly convIn: Conv2d;
  readonly down: ModuleList<DownStage>;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(o: ConvAutoencoderOptions, rng: Rng) {
    super();
    const ch = o.channels;
    this.convIn = this.addModule('conv_in', new Conv2d(o.inChannels, ch[0] as number, 3, { padding: 1, rng }));
    this.down = this.addModule('down', new ModuleList(ch.slice(1).map((c, i) => new DownStage(ch[i] as number, c, o.numGroups, rng))));
    const last = ch[ch.length - 1] as number;
    this.normOut = this.addModule('norm_out', new GroupNorm(o.numGroups, last, { eps: 1e-6 }));
    this.convOut = this.addModule('conv_out', new Conv2d(last, o.latentDim, 1, { rng }));
  }

  /** The features at every resolution: after conv_in (full size), then after each DownStage. */
  features(x: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      const out = [this.convIn.forward(x)];
      for (const stage of this.down.items) out.push(stage.forward(out[out.length - 1] as tf.Tensor4D));
      return out;
    });
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const features = this.features(x);
      return this.convOut.forward(this.normOut.forward(features[features.length - 1] as tf.Tensor4D, { silu: true }) as tf.Tensor4D);
    });
  }
}

/**
 * Decoder, the mirror: a 1×1 conv from the latent, an UpStage per width (doubling the side), GroupNorm, SiLU, conv_out.
 * With `skips` (a ConvEncoder's `features` of another image, coarsest last), each resolution's features are added to
 * the decoder's on the way up (a U-Net's skips, additive).
 */
export class ConvDecoder extends Module {
  readonly convIn: Conv2d;
  readonly up: ModuleList<UpStage>;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(o: ConvAutoencoderOptions, rng: Rng) {
    super();
    const ch = o.channels;
    const last = ch[ch.length - 1] as number;
    this.convIn = this.addModule('conv_in', new Conv2d(o.latentDim, last, 1, { rng }));
    const stages: UpStage[] = [];
    for (let i = ch.length - 1; i > 0; i--) stages.push(new UpStage(ch[i] as number, ch[i - 1] as number, o.numGroups, rng));
    this.up = this.addModule('up', new ModuleList(stages));
    this.normOut = this.addModule('norm_out', new GroupNorm(o.numGroups, ch[0] as number, { eps: 1e-6 }));
    this.convOut = this.addModule('conv_out', new Conv2d(ch[0] as number, o.inChannels, 3, { padding: 1, rng }));
  }

  forward(z: tf.Tensor4D, skips?: readonly tf.Tensor4D[]): tf.Tensor4D {
    return tf.tidy(() => {
      const skip = (h: tf.Tensor4D, level: number) => (skips ? (tf.add(h, skips[level] as tf.Tensor4D) as tf.Tensor4D) : h);
      const levels = this.up.length;
      let h = skip(this.convIn.forward(z), levels);
      this.up.items.forEach((stage, i) => {
        h = skip(stage.forward(h), levels - 1 - i);
      });
      return this.convOut.forward(this.normOut.forward(h, { silu: true }) as tf.Tensor4D);
    });
  }
}
