import { Linear, Module, Rng, stopGradient, tf } from '@nextx/core';

export interface ChunkDiscriminatorOptions {
  /** Features of one frame token. */
  readonly tokenDim: number;
  /** Conditioning frames each token is judged against (the model's conditioningFrames; 0 for none). */
  readonly conditioningFrames: number;
  readonly tokensPerFrame: number;
  readonly hidden: number;
  readonly rng?: Rng;
}

/**
 * A patch discriminator on latent tokens, for the adversarial term of self-forced training: it scores every token of a
 * frame — together with the tokens at the same place in the frames it was conditioned on, so that it judges the motion
 * as well as the look — after mixing in the mean of the frame's features (a frame-level view, DeepSets-style).
 * tokens [B, F·n, D] and conditioning [B, F·n, k·D] → one logit per token [B, F·n].
 */
export class ChunkDiscriminator extends Module {
  readonly input: Linear;
  readonly mix: Linear;
  readonly output: Linear;

  constructor(private readonly options: ChunkDiscriminatorOptions) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    const { tokenDim, conditioningFrames, hidden } = options;
    this.input = this.addModule('input', new Linear(tokenDim * (1 + conditioningFrames), hidden, { rng: rng.fork() }));
    this.mix = this.addModule('mix', new Linear(2 * hidden, hidden, { rng: rng.fork() }));
    this.output = this.addModule('output', new Linear(hidden, 1, { rng: rng.fork() }));
  }

  /**
   * Logits of the tokens. `frozen`: the discriminator's weights pass no gradient (the generator's term), only its input
   * does.
   */
  logits(tokens: tf.Tensor, conditioning: tf.Tensor | undefined, frozen = false): tf.Tensor {
    return tf.tidy(() => {
      const [batch, length] = tokens.shape as [number, number, number];
      const n = this.options.tokensPerFrame;
      const input = conditioning ? tf.concat([tokens, conditioning], 2) : tokens;
      const local = leakyRelu(dense(this.input, input, frozen));
      const perFrame = tf.reshape(local, [batch, length / n, n, this.options.hidden]);
      const frameMean = tf.tile(tf.mean(perFrame, 2, true), [1, 1, n, 1]);
      const mixed = leakyRelu(dense(this.mix, tf.reshape(tf.concat([perFrame, frameMean], 3), [batch, length, 2 * this.options.hidden]), frozen));
      return tf.reshape(dense(this.output, mixed, frozen), [batch, length]);
    });
  }
}

function leakyRelu(x: tf.Tensor): tf.Tensor {
  return tf.leakyRelu(x, 0.2);
}

function dense(layer: Linear, x: tf.Tensor, frozen: boolean): tf.Tensor {
  if (!frozen) return layer.forward(x);
  const lead = x.shape.slice(0, -1);
  const y = tf.matMul(tf.reshape(x, [-1, layer.inFeatures]), stopGradient(layer.weight));
  return tf.reshape(layer.bias ? tf.add(y, stopGradient(layer.bias)) : y, [...lead, layer.outFeatures]);
}
