import type { Rng} from '@nextx/core';
import { Dropout, Linear, Module, gelu, silu, tf } from '@nextx/core';

/** Official `SwiGLU`: Wo(Wa(h) ⊙ SiLU(Wb(h))), with dropout before Wo; the SiLU is on Wb (names `Wa`, `Wb`, `Wo`). */
export class CobitSwiGlu extends Module {
  readonly Wa: Linear;
  readonly Wb: Linear;
  readonly Wo: Linear;
  readonly drop: Dropout;

  constructor(dim: number, hidden: number, dropout: number, rng: Rng) {
    super();
    this.Wa = this.addModule('Wa', new Linear(dim, hidden, { rng: rng.fork() }));
    this.Wb = this.addModule('Wb', new Linear(dim, hidden, { rng: rng.fork() }));
    this.Wo = this.addModule('Wo', new Linear(hidden, dim, { rng: rng.fork() }));
    this.drop = this.addModule('drop', new Dropout(dropout, { rng: rng.fork() }));
  }

  forward(h: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.Wo.forward(this.drop.forward(tf.mul(this.Wa.forward(h), silu(this.Wb.forward(h))))));
  }
}

/**
 * `nn.Sequential(Linear(d, hidden), activation, Dropout, Linear(hidden, out))`: names `0.*` and `3.*`. The official
 * code uses it with SiLU in the AdaLN blocks without SwiGLU and in the hybrid head, with exact GELU in `PreNormBlock`.
 */
export class SequentialMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly drop: Dropout;

  constructor(
    dim: number,
    hidden: number,
    out: number,
    private readonly activation: 'silu' | 'gelu',
    dropout: number,
    rng: Rng,
  ) {
    super();
    this.fc1 = this.addModule('0', new Linear(dim, hidden, { rng: rng.fork() }));
    this.drop = this.addModule('2', new Dropout(dropout, { rng: rng.fork() }));
    this.fc2 = this.addModule('3', new Linear(hidden, out, { rng: rng.fork() }));
  }

  forward(h: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.fc1.forward(h);
      return this.fc2.forward(this.drop.forward(this.activation === 'silu' ? silu(a) : gelu(a)));
    });
  }
}
