import { tf, Conv2d, GroupNorm, groupNormSiluSteps, Module, ModuleList, ResnetBlock, Upsample2x, pipe, type Rng } from '@nextx/core';
import { AttnBlock } from './attn-block.js';
import { VaeLevel, VaeMid, type VaeTrunkConfig } from './encoder.js';

/**
 * Official `basic_vae.Decoder`, NHWC: conv_in (z → ch·ch_mult[-1]), mid, then levels S−1 … 0 (stored as `up.0 … up.4`,
 * run from the last to the first), each `num_res_blocks + 1` ResnetBlocks (attention after each at the last level)
 * and, except level 0, nearest ×2 + conv; then norm_out, SiLU, conv_out → in_channels.
 */
export class Decoder extends Module {
  readonly convIn: Conv2d;
  readonly mid: VaeMid;
  readonly up: ModuleList<VaeLevel>;
  readonly upsamplers: ReadonlyArray<Upsample2x | undefined>;
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(config: VaeTrunkConfig, rng: Rng) {
    super();
    const { ch, chMult, numResBlocks, numGroups, eps, dropout } = config;
    const opts = { numGroups, eps, dropout, rng };
    const top = chMult.length - 1;
    let blockIn = ch * (chMult[top] as number);
    this.convIn = this.addModule('conv_in', new Conv2d(config.zChannels, blockIn, 3, { padding: 1, rng }));
    this.mid = this.addModule('mid', new VaeMid(blockIn, config, rng));
    const levels: VaeLevel[] = new Array<VaeLevel>(chMult.length);
    const upsamplers: Array<Upsample2x | undefined> = new Array<Upsample2x | undefined>(chMult.length);
    for (let i = top; i >= 0; i--) {
      const blockOut = ch * (chMult[i] as number);
      const blocks: ResnetBlock[] = [];
      const attns: AttnBlock[] = [];
      for (let j = 0; j <= numResBlocks; j++) {
        blocks.push(new ResnetBlock(blockIn, blockOut, opts));
        blockIn = blockOut;
        if (i === top && config.usingSa) attns.push(new AttnBlock(blockIn, opts));
      }
      const level = new VaeLevel(blocks, attns);
      upsamplers[i] = i === 0 ? undefined : level.withSampler('upsample', new Upsample2x(blockIn, rng));
      levels[i] = level;
    }
    this.upsamplers = upsamplers;
    this.up = this.addModule('up', new ModuleList(levels));
    this.normOut = this.addModule('norm_out', new GroupNorm(numGroups, blockIn, { eps }));
    this.convOut = this.addModule('conv_out', new Conv2d(blockIn, config.inChannels, 3, { padding: 1, rng }));
  }

  /** z: [B, h, w, z_channels] → [B, h·ds, w·ds, in_channels] (not clamped). */
  forward(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const levels = [...this.up.items.keys()].reverse().flatMap((i) => {
        const upsample = this.upsamplers[i];
        return upsample ? [this.up.at(i), upsample] : [this.up.at(i)];
      });
      const trunk = [this.convIn, this.mid, ...levels];
      const steps = trunk.map((m) => (t: tf.Tensor) => m.forward(t as tf.Tensor4D));
      return pipe(z, ...steps, ...groupNormSiluSteps(this.normOut), (t) => this.convOut.forward(t as tf.Tensor4D)) as tf.Tensor4D;
    });
  }
}
