import { tf, Module, type Rng } from '@nextx/core';
import type { DecoderBlockConfig, EncoderBlockConfig } from './config.js';
import { CompanionSsm } from './companion-ssm.js';
import { ClosedLoopCompanionSsm, type ClosedLoopOutput } from './closed-loop-ssm.js';
import { buildMlp, type SequentialLayer } from './mlp.js';
import { buildPreprocess } from './preprocess.js';

/**
 * An encoder block (`model/block.py: Block`): z = pre(u), y = mlp(ssm(z)); the output is y + u with skip_connection
 * and skip_preprocess, y + z with skip_connection alone, y otherwise.
 */
export class EncoderBlock extends Module {
  readonly pre: SequentialLayer;
  readonly ssm: CompanionSsm;
  readonly mlp: SequentialLayer;

  constructor(
    readonly config: EncoderBlockConfig,
    rng: Rng,
  ) {
    super();
    this.pre = this.addModule('pre', buildPreprocess(config.pre_config, rng));
    this.ssm = this.addModule('ssm', new CompanionSsm(config.ssm_config.kwargs, rng));
    this.mlp = this.addModule('mlp', buildMlp(config.mlp_config, rng));
  }

  /** Every intermediate (for parity checks); `forward` keeps only `out`. */
  trace(u: tf.Tensor): { pre: tf.Tensor; ssm: tf.Tensor; mlp: tf.Tensor; out: tf.Tensor } {
    return tf.tidy(() => {
      const pre = this.pre.forward(u);
      const ssm = this.ssm.forward(pre);
      const mlp = this.mlp.forward(ssm);
      const { skip_connection, skip_preprocess } = this.config;
      const out = skip_connection ? tf.add(mlp, skip_preprocess ? u : pre) : tf.clone(mlp);
      return { pre, ssm, mlp, out };
    });
  }

  forward(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.trace(u).out);
  }
}

/**
 * The decoder's `ClosedLoopBlock`: z = pre(u), then the closed-loop SSM; its MLP is built (its weights are part of
 * the state dict) but, as in the official forward, not applied, and there is no skip connection.
 */
export class ClosedLoopBlock extends Module {
  readonly pre: SequentialLayer;
  readonly ssm: ClosedLoopCompanionSsm;
  readonly mlp: SequentialLayer;

  constructor(config: DecoderBlockConfig, rng: Rng) {
    super();
    this.pre = this.addModule('pre', buildPreprocess(config.pre_config, rng));
    this.ssm = this.addModule('ssm', new ClosedLoopCompanionSsm(config.ssm_config.kwargs, rng));
    this.mlp = this.addModule('mlp', buildMlp(config.mlp_config, rng));
  }

  forward(u: tf.Tensor, closedLoop: boolean, inferenceOnly: boolean): ClosedLoopOutput {
    const z = this.pre.forward(u);
    try {
      return closedLoop ? this.ssm.closedLoop(z, inferenceOnly) : this.ssm.openLoop(z, inferenceOnly);
    } finally {
      z.dispose();
    }
  }
}
