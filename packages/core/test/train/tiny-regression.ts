import { tf } from '../../src/tf.js';
import { Module } from '../../src/nn/module.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Linear } from '../../src/nn/linear.js';
import { Rng } from '../../src/rng/rng.js';
import { iterateBatches, type BatchSource } from '../../src/train/batch-source.js';

/** y = x·w + b with a hidden layer: a model small enough to train in milliseconds. */
export class TinyRegressor extends Module {
  readonly hidden: Linear;
  readonly head: Linear;
  /** Dropout after the hidden layer, when a rate is given: randomness the model draws itself while training. */
  readonly drop: Dropout | undefined;
  constructor(seed = 1, dropout = 0) {
    super();
    const rng = Rng.seeded(seed);
    this.hidden = this.addModule('hidden', new Linear(4, 8, { rng: rng.fork() }));
    this.head = this.addModule('head', new Linear(8, 1, { rng: rng.fork() }));
    this.drop = dropout > 0 ? this.addModule('drop', new Dropout(dropout, { rng: rng.fork() })) : undefined;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.relu(this.hidden.forward(x));
      return this.head.forward(this.drop ? this.drop.forward(h) : h);
    });
  }
}

export interface RegressionBatch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  /** Index of the batch in the stream. */
  readonly index: number;
}

/** Random x in [−1, 1]⁴, y = x·[1, −2, 0.5, 3] + 0.25; seeded and restorable. */
export class RegressionSource implements BatchSource<RegressionBatch> {
  private rng: Rng;
  private index = 0;
  constructor(
    private readonly rows: number,
    seed = 7,
  ) {
    this.rng = Rng.seeded(seed);
  }
  next(): Promise<RegressionBatch> {
    const x = new Float32Array(this.rows * 4);
    const y = new Float32Array(this.rows);
    const w = [1, -2, 0.5, 3];
    for (let r = 0; r < this.rows; r++) {
      let sum = 0.25;
      for (let c = 0; c < 4; c++) {
        const v = 2 * this.rng.uniform() - 1;
        x[r * 4 + c] = v;
        sum += v * (w[c] as number);
      }
      y[r] = sum;
    }
    return Promise.resolve({ x, y, rows: this.rows, index: this.index++ });
  }
  state(): unknown {
    return { rng: this.rng.state(), index: this.index };
  }
  restore(state: unknown): void {
    const s = state as { rng: ReturnType<Rng['state']>; index: number };
    this.rng = Rng.fromState(s.rng);
    this.index = s.index;
  }
  [Symbol.asyncIterator](): AsyncIterator<RegressionBatch> {
    return iterateBatches(this);
  }
}

/** Mean squared error of the model on a batch. */
export function mseLoss(model: TinyRegressor, batch: RegressionBatch): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.tensor2d(batch.x, [batch.rows, 4]);
    const y = tf.tensor2d(batch.y, [batch.rows, 1]);
    return tf.mean(tf.square(tf.sub(model.forward(x), y))) as tf.Scalar;
  });
}
