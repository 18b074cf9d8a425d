import { tf, Conv2d, Downsample2x, GroupNorm, groupNormSiluSteps, Module, ModuleList, ResnetBlock, pipe, type Rng } from '@nextx/core';
import { AttnBlock } from './attn-block.js';

export interface VaeTrunkConfig {
  readonly ch: number;
  readonly chMult: readonly number[];
  readonly numResBlocks: number;
  readonly inChannels: number;
  readonly zChannels: number;
  readonly usingSa: boolean;
  readonly usingMidSa: boolean;
  readonly numGroups: number;
  readonly eps: number;
  /** ResnetBlock dropout (official `dropout`, 0 in every released model). */
  readonly dropout: number;
}

/** One resolution level: `block.{j}`, `attn.{j}` (last level only) and `downsample` / `upsample` as in the official tree. */
export class VaeLevel extends Module {
  readonly block: ModuleList<ResnetBlock>;
  readonly attn: ModuleList<AttnBlock>;

  constructor(blocks: ResnetBlock[], attns: AttnBlock[]) {
    super();
    this.block = this.addModule('block', new ModuleList(blocks));
    this.attn = this.addModule('attn', new ModuleList(attns));
  }

  /** The resnet blocks, each followed by its attention block when the level has them. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const steps = this.block.items.flatMap((block, j) => {
        const attn = this.attn.items[j];
        return attn ? [block, attn] : [block];
      });
      return pipe(x, ...steps.map((m) => (t: tf.Tensor) => m.forward(t as tf.Tensor4D))) as tf.Tensor4D;
    });
  }

  /** Registers a sampler under its official name. */
  withSampler<M extends Module>(name: 'downsample' | 'upsample', sampler: M): M {
    return this.addModule(name, sampler);
  }
}

/** Middle of encoder and decoder: ResnetBlock, AttnBlock (if using_mid_sa), ResnetBlock. */
export class VaeMid extends Module {
  readonly block1: ResnetBlock;
  readonly attn1: AttnBlock | undefined;
  readonly block2: ResnetBlock;

  constructor(channels: number, config: VaeTrunkConfig, rng: Rng) {
    super();
    const opts = { numGroups: config.numGroups, eps: config.eps, dropout: config.dropout, rng };
    this.block1 = this.addModule('block_1', new ResnetBlock(channels, channels, opts));
    this.attn1 = config.usingMidSa ? this.addModule('attn_1', new AttnBlock(channels, opts)) : undefined;
    this.block2 = this.addModule('block_2', new ResnetBlock(channels, channels, opts));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const steps = [this.block1, ...(this.attn1 ? [this.attn1] : []), this.block2];
      return pipe(x, ...steps.map((m) => (t: tf.Tensor) => m.forward(t as tf.Tensor4D))) as tf.Tensor4D;
    });
  }
}

/**
 * Official `basic_vae.Encoder` (double_z=False), NHWC: conv_in, per level `num_res_blocks` ResnetBlocks (attention after
 * each one at the last level), a down-sampler after every level but the last, mid, norm_out, SiLU, conv_out → z.
 */
export class Encoder extends Module {
  readonly convIn: Conv2d;
  readonly down: ModuleList<VaeLevel>;
  readonly downsamplers: ReadonlyArray<Downsample2x | undefined>;
  readonly mid: VaeMid;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(config: VaeTrunkConfig, rng: Rng) {
    super();
    const { ch, chMult, numResBlocks, numGroups, eps, dropout } = config;
    const opts = { numGroups, eps, dropout, rng };
    this.convIn = this.addModule('conv_in', new Conv2d(config.inChannels, ch, 3, { padding: 1, rng }));
    const inChMult = [1, ...chMult];
    const levels: VaeLevel[] = [];
    const downsamplers: Array<Downsample2x | undefined> = [];
    let blockIn = ch;
    for (let i = 0; i < chMult.length; i++) {
      const last = i === chMult.length - 1;
      blockIn = ch * (inChMult[i] as number);
      const blockOut = ch * (chMult[i] as number);
      const blocks: ResnetBlock[] = [];
      const attns: AttnBlock[] = [];
      for (let j = 0; j < numResBlocks; j++) {
        blocks.push(new ResnetBlock(blockIn, blockOut, opts));
        blockIn = blockOut;
        if (last && config.usingSa) attns.push(new AttnBlock(blockIn, opts));
      }
      const level = new VaeLevel(blocks, attns);
      downsamplers.push(last ? undefined : level.withSampler('downsample', new Downsample2x(blockIn, rng)));
      levels.push(level);
    }
    this.downsamplers = downsamplers;
    this.down = this.addModule('down', new ModuleList(levels));
    this.mid = this.addModule('mid', new VaeMid(blockIn, config, rng));
    this.normOut = this.addModule('norm_out', new GroupNorm(numGroups, blockIn, { eps }));
    this.convOut = this.addModule('conv_out', new Conv2d(blockIn, config.zChannels, 3, { padding: 1, rng }));
  }

  /** x: [B, H, W, in_channels] in [−1, 1] → [B, H/ds, W/ds, z_channels]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const levels = this.down.items.flatMap((level, i) => {
        const downsample = this.downsamplers[i];
        return downsample ? [level, downsample] : [level];
      });
      const trunk = [this.convIn, ...levels, this.mid];
      const steps = trunk.map((m) => (t: tf.Tensor) => m.forward(t as tf.Tensor4D));
      return pipe(x, ...steps, ...groupNormSiluSteps(this.normOut), (t) => this.convOut.forward(t as tf.Tensor4D)) as tf.Tensor4D;
    });
  }
}
