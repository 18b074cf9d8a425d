import { tf, Module, ModuleList, Rng } from '@nextx/core';
import type { SpacetimeConfig } from './config.js';
import { ClosedLoopBlock, EncoderBlock } from './block.js';
import { SpacetimeEmbedding } from './embedding.js';
import { buildMlp, type SequentialLayer } from './mlp.js';

class Encoder extends Module {
  readonly blocks: ModuleList<EncoderBlock>;
  constructor(config: SpacetimeConfig, rng: Rng) {
    super();
    this.blocks = this.addModule('blocks', new ModuleList(config.encoder_config.blocks.map((b) => new EncoderBlock(b, rng))));
  }
}

class Decoder extends Module {
  readonly blocks: ClosedLoopBlock;
  constructor(config: SpacetimeConfig, rng: Rng) {
    super();
    this.blocks = this.addModule('blocks', new ClosedLoopBlock(config.decoder_config.blocks[0] as SpacetimeConfig['decoder_config']['blocks'][0], rng));
  }
}

/** What `SpaceTime.forward` returns (spec 9.1); the open-loop parts are absent when inference only. */
export interface SpacetimeOutput {
  /** Closed-loop forecast [B, horizon, D_out]. */
  readonly yClosed: tf.Tensor;
  /** Open-loop (teacher-forced) outputs over the lag window [B, L, D_out]. */
  readonly yOpen?: tf.Tensor;
  /** The decoder's prediction of its next input, and the input itself [B, L, model_dim]. */
  readonly zPred?: tf.Tensor;
  readonly zTrue?: tf.Tensor;
}

/**
 * The SpaceTime network (`model/network.py: SpaceTime`, spec 9.1): embedding → encoder blocks → closed-loop decoder →
 * output MLP, on the (transformed) lag window u [B, L, D]. State-dict names are the official ones.
 */
export class SpacetimeModel extends Module {
  readonly embedding: SpacetimeEmbedding;
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly output: SequentialLayer;
  inferenceOnly: boolean;

  constructor(
    readonly config: SpacetimeConfig,
    options: { rng?: Rng } = {},
  ) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    this.embedding = this.addModule('embedding', new SpacetimeEmbedding(config.embedding_config, rng));
    this.encoder = this.addModule('encoder', new Encoder(config, rng));
    this.decoder = this.addModule('decoder', new Decoder(config, rng));
    this.output = this.addModule('output', buildMlp(config.output_config, rng));
    this.inferenceOnly = config.inference_only;
  }

  get lag(): number {
    return this.config.lag;
  }

  /** The closed loop's rollout length (`set_horizon`); rollouts are prefix-consistent. */
  get horizon(): number {
    return this.decoder.blocks.ssm.horizon;
  }

  set horizon(h: number) {
    this.decoder.blocks.ssm.horizon = h;
  }

  /** `model.kernel_dim`: the first encoder SSM's state size (offsets of the training loss). */
  get kernelDim(): number {
    return this.encoder.blocks.at(0).ssm.kernelDim;
  }

  /** Encoder output [B, L, model_dim] of the lag window. */
  encode(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let z = this.embedding.forward(u);
      for (const block of this.encoder.blocks.items) z = block.forward(z);
      return z;
    });
  }

  forward(u: tf.Tensor, options: { inferenceOnly?: boolean } = {}): SpacetimeOutput {
    const inferenceOnly = options.inferenceOnly ?? this.inferenceOnly;
    return tf.tidy(() => {
      const z = this.encode(u);
      const closed = this.decoder.blocks.forward(z, true, true);
      const yClosed = this.output.forward(closed.y);
      if (inferenceOnly) return { yClosed };
      const open = this.decoder.blocks.forward(z, false, false);
      return { yClosed, yOpen: this.output.forward(open.y), zPred: open.next as tf.Tensor, zTrue: z };
    });
  }
}
