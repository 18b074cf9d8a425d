import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import type { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { Embedding } from '../../src/nn/embedding.js';
import { LayerNorm } from '../../src/nn/layer-norm.js';
import { RMSNorm } from '../../src/nn/rms-norm.js';
import { GroupNorm } from '../../src/nn/group-norm.js';
import { Conv1d } from '../../src/nn/conv1d.js';
import { Conv2d } from '../../src/nn/conv2d.js';
import { GeluMlp } from '../../src/nn/gelu-mlp.js';
import { SwiGluMlp } from '../../src/nn/swiglu-mlp.js';
import { Dropout } from '../../src/nn/dropout.js';
import { AdaLNModulation, modulate } from '../../src/nn/adaln.js';
import { RotaryEmbedding } from '../../src/nn/rope.js';
import { MultiHeadAttention } from '../../src/nn/attention.js';
import { blockCausalMask, causalMask, groupIdsFromSizes } from '../../src/nn/attention-mask.js';
import { Rng } from '../../src/rng/rng.js';
import type { BackendName } from '../../src/backend/backend-name.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { values } from './util.js';

/** A layer under test: its module (parameters), the input(s) and the forward pass. */
interface Built {
  readonly module: Module;
  readonly inputs: tf.Tensor[];
  /** Which inputs are differentiable (float) and get a gradient. */
  readonly differentiable: boolean[];
  forward(inputs: tf.Tensor[]): tf.Tensor;
  /** Modules the case made besides `module` (a rotary embedding it was given) and disposes with it. */
  readonly owned?: readonly Module[];
}

function input(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);
}

function attention(options: ConstructorParameters<typeof MultiHeadAttention>[0], mask: () => tf.Tensor): Built {
  const module = new MultiHeadAttention(options);
  // Non-zero q/v biases and temperatures so that their gradients are not trivial.
  tf.tidy(() => {
    for (const [, p] of module.namedParameters()) p.assign(tf.add(p, tf.mul(input(p.shape, p.size), 0.3)));
  });
  return {
    module,
    inputs: [input([2, 5, 8], 1)],
    differentiable: [true],
    forward: ([x]) => tf.tidy(() => module.forward(x as tf.Tensor, { mask: mask() })),
    owned: options.rope instanceof RotaryEmbedding ? [options.rope] : [],
  };
}

const CASES: Record<string, () => Built> = {
  Linear: () => {
    const module = new Linear(6, 4, { rng: Rng.seeded(1) });
    return { module, inputs: [input([3, 2, 6], 1)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  Embedding: () => {
    const module = new Embedding(7, 4, { rng: Rng.seeded(2) });
    const ids = tf.tensor2d([[1, 3, 3], [6, 0, 1]], [2, 3], 'int32');
    return { module, inputs: [ids], differentiable: [false], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  LayerNorm: () => {
    const module = new LayerNorm(6, { eps: 1e-5 });
    tf.tidy(() => module.parameters().forEach((p, i) => p.assign(input(p.shape, 10 + i))));
    return { module, inputs: [input([2, 3, 6], 3)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  RMSNorm: () => {
    const module = new RMSNorm(6);
    tf.tidy(() => module.parameters().forEach((p, i) => p.assign(input(p.shape, 20 + i))));
    return { module, inputs: [input([2, 3, 6], 4)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  GroupNorm: () => {
    const module = new GroupNorm(2, 6);
    tf.tidy(() => module.parameters().forEach((p, i) => p.assign(input(p.shape, 30 + i))));
    return {
      module,
      inputs: [input([2, 3, 2, 6], 5)],
      differentiable: [true],
      forward: ([x]) => module.forward(x as tf.Tensor),
    };
  },
  Conv1d: () => {
    const module = new Conv1d(4, 6, 3, { groups: 2, stride: 2, dilation: 2, padding: 'causal', rng: Rng.seeded(6) });
    return {
      module,
      inputs: [input([2, 9, 4], 6)],
      differentiable: [true],
      forward: ([x]) => module.forward(x as tf.Tensor3D),
    };
  },
  Conv2d: () => {
    const module = new Conv2d(4, 6, 3, { stride: 2, padding: [0, 1, 0, 1], rng: Rng.seeded(7) });
    return {
      module,
      inputs: [input([2, 6, 6, 4], 7)],
      differentiable: [true],
      forward: ([x]) => module.forward(x as tf.Tensor4D),
    };
  },
  'Conv2d grouped': () => {
    const module = new Conv2d(4, 6, 3, { groups: 2, padding: 1, rng: Rng.seeded(8) });
    return {
      module,
      inputs: [input([1, 4, 5, 4], 8)],
      differentiable: [true],
      forward: ([x]) => module.forward(x as tf.Tensor4D),
    };
  },
  'GeluMlp exact': () => {
    const module = new GeluMlp(6, 12, { rng: Rng.seeded(9) });
    return { module, inputs: [input([2, 3, 6], 9)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  'GeluMlp tanh + dropout (training)': () => {
    const module = new GeluMlp(6, 12, { gelu: 'tanh', dropout: 0.2, rng: Rng.seeded(10) });
    return { module, inputs: [input([2, 3, 6], 10)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  SwiGluMlp: () => {
    const module = new SwiGluMlp(6, 8, { rng: Rng.seeded(11) });
    return { module, inputs: [input([2, 3, 6], 11)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  Dropout: () => {
    const module = new Dropout(0.3, { rng: Rng.seeded(12) });
    return { module, inputs: [input([4, 6], 12)], differentiable: [true], forward: ([x]) => module.forward(x as tf.Tensor) };
  },
  'AdaLNModulation + modulate': () => {
    const module = new AdaLNModulation(5, 6, 2, { rng: Rng.seeded(13) });
    return {
      module,
      inputs: [input([2, 3, 6], 13), input([2, 5], 14)],
      differentiable: [true, true],
      forward: ([x, cond]) =>
        tf.tidy(() => {
          const [shift, scale] = module.forward(cond as tf.Tensor) as [tf.Tensor, tf.Tensor];
          return modulate(x as tf.Tensor, shift, scale);
        }),
    };
  },
  RotaryEmbedding: () => {
    const module = new RotaryEmbedding(4);
    return {
      module,
      inputs: [input([2, 2, 3, 4], 15)],
      differentiable: [true],
      forward: ([x]) => module.apply(x as tf.Tensor, [5, 6, 7]),
    };
  },
  'MultiHeadAttention fused, causal, attention dropout (training)': () =>
    attention({ dim: 8, numHeads: 2, attnDropout: 0.2, projDropout: 0.1, rng: Rng.seeded(16) }, () => causalMask(5)),
  'MultiHeadAttention VAR (mat_qkv, q/v bias, l2 norm), block-causal': () =>
    attention(
      { dim: 8, numHeads: 2, qkvBias: 'qv', l2Norm: true, names: { qkv: 'mat_qkv' }, rng: Rng.seeded(17) },
      () => blockCausalMask(groupIdsFromSizes([1, 4])),
    ),
  'MultiHeadAttention separate + RoPE': () =>
    attention(
      { dim: 8, numHeads: 2, projection: 'separate', rope: new RotaryEmbedding(4), rng: Rng.seeded(18) },
      () => causalMask(5),
    ),
  'MultiHeadAttention cross': () => {
    const module = new MultiHeadAttention({ dim: 8, numHeads: 2, contextDim: 6, rng: Rng.seeded(19) });
    return {
      module,
      inputs: [input([2, 5, 8], 20), input([2, 3, 6], 21)],
      differentiable: [true, true],
      forward: ([x, context]) => module.forward(x as tf.Tensor, { context }),
    };
  },
};

interface Result {
  output: number[];
  grads: Record<string, number[]>;
}

/** Forward, then gradients of Σ out·sin(index) w.r.t. every parameter and float input, as plain arrays. */
async function evaluate(backend: BackendName, make: () => Built): Promise<Result> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const built = make();
  built.module.train();
  const inputVars = built.inputs.map((x, i) => (built.differentiable[i] ? tf.variable(x, true) : undefined));
  const used = built.inputs.map((x, i) => inputVars[i] ?? x);
  const named: Array<[string, tf.Variable]> = [
    ...built.module.namedParameters(),
    ...inputVars.flatMap((v, i): Array<[string, tf.Variable]> => (v ? [[`input${i}`, v]] : [])),
  ];
  // The same dropout masks must be drawn for the output and the gradient pass: evaluate the loss once.
  let output: number[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = built.forward(used);
    output = Array.from(out.dataSync());
    const weights = tf.reshape(tf.sin(tf.range(0, out.size)), out.shape);
    return tf.sum(tf.mul(out, weights)) as tf.Scalar;
  }, named.map(([, v]) => v));
  const result: Result = { output, grads: {} };
  for (const [name, v] of named) result.grads[name] = Array.from((grads[v.name] as tf.Tensor).dataSync());
  tf.dispose([value, ...Object.values(grads), ...built.inputs, ...inputVars.filter((v) => v !== undefined)]);
  built.module.dispose();
  for (const module of built.owned ?? []) module.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

function expectNear(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= 1e-4 * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${i}]: ${a} vs cpu ${e}`);
  });
}

const OTHERS = TEST_BACKENDS.filter((b) => b !== 'cpu');

describe.each(OTHERS)('every layer, forward and backward, on %s vs cpu', (backend) => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const make = CASES[name] as () => Built;
    const reference = await evaluate('cpu', make);
    const result = await evaluate(backend, make);
    expect(Object.keys(reference.grads).length).toBeGreaterThan(0);
    expectNear(result.output, reference.output, 'output');
    for (const [param, grad] of Object.entries(reference.grads)) {
      expect(grad.some((g) => g !== 0), `${param} has a gradient`).toBe(true);
      expectNear(result.grads[param] ?? [], grad, `d/d ${param}`);
    }
  });
});
