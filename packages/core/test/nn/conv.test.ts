import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { Conv1d, type Conv1dOptions } from '../../src/nn/conv1d.js';
import { Conv2d, type Conv2dOptions } from '../../src/nn/conv2d.js';
import { Linear } from '../../src/nn/linear.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, values } from './util.js';

/** torch Conv1d by the definition, on channels-last x [B][L][Cin] and torch weight [out][in/g][k]. */
function naiveConv1d(
  x: number[][][],
  w: number[][][],
  b: number[],
  o: { stride: number; pad: [number, number]; dilation: number; groups: number },
): number[][][] {
  const L = (x[0] as number[][]).length;
  const cin = ((x[0] as number[][])[0] as number[]).length;
  const cout = w.length;
  const k = (w[0] as number[][])[0]?.length as number;
  const inPer = cin / o.groups;
  const outPer = cout / o.groups;
  const outLen = Math.floor((L + o.pad[0] + o.pad[1] - o.dilation * (k - 1) - 1) / o.stride) + 1;
  return x.map((seq) =>
    Array.from({ length: outLen }, (_, t) =>
      Array.from({ length: cout }, (_, oc) => {
        const g = Math.floor(oc / outPer);
        let s = b[oc] as number;
        for (let ic = 0; ic < inPer; ic++) {
          for (let j = 0; j < k; j++) {
            const pos = t * o.stride + j * o.dilation - o.pad[0];
            if (pos >= 0 && pos < L) s += ((w[oc] as number[][])[ic] as number[])[j] as number * ((seq[pos] as number[])[g * inPer + ic] as number);
          }
        }
        return s;
      }),
    ),
  );
}

/** torch Conv2d by the definition on NHWC x and torch weight [out][in/g][kh][kw]; pad = [top, bottom, left, right]. */
function naiveConv2d(
  x: number[][][][],
  w: number[][][][],
  b: number[],
  o: { stride: [number, number]; pad: [number, number, number, number]; groups: number },
): number[][][][] {
  const [Hh, W] = [(x[0] as number[][][]).length, ((x[0] as number[][][])[0] as number[][]).length];
  const cin = (((x[0] as number[][][])[0] as number[][])[0] as number[]).length;
  const cout = w.length;
  const kh = ((w[0] as number[][][])[0] as number[][]).length;
  const kw = (((w[0] as number[][][])[0] as number[][])[0] as number[]).length;
  const inPer = cin / o.groups;
  const outPer = cout / o.groups;
  const oh = Math.floor((Hh + o.pad[0] + o.pad[1] - kh) / o.stride[0]) + 1;
  const ow = Math.floor((W + o.pad[2] + o.pad[3] - kw) / o.stride[1]) + 1;
  return x.map((img) =>
    Array.from({ length: oh }, (_, r) =>
      Array.from({ length: ow }, (_, c) =>
        Array.from({ length: cout }, (_, oc) => {
          const g = Math.floor(oc / outPer);
          let s = b[oc] as number;
          for (let ic = 0; ic < inPer; ic++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const y = r * o.stride[0] + i - o.pad[0];
                const z = c * o.stride[1] + j - o.pad[2];
                if (y >= 0 && y < Hh && z >= 0 && z < W) {
                  s += (w[oc]?.[ic]?.[i]?.[j] as number) * (img[y]?.[z]?.[g * inPer + ic] as number);
                }
              }
          return s;
        }),
      ),
    ),
  );
}

function nested(shape: number[], seed: number): unknown {
  const flat = values(shape.reduce((a, b) => a * b, 1), seed);
  const build = (dims: number[], offset: number): unknown => {
    if (dims.length === 1) return flat.slice(offset, offset + (dims[0] as number));
    const inner = dims.slice(1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[0] as number }, (_, i) => build(dims.slice(1), offset + i * inner));
  };
  return build(shape, 0);
}

describe.each(TEST_BACKENDS)('Conv1d, Conv2d and Linear vs the definitions on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it.each([
    ['padding 1', { padding: 1 }, [1, 1]],
    ['stride 2, explicit [2, 0]', { stride: 2, padding: [2, 0] }, [2, 0]],
    ['causal, dilation 2', { padding: 'causal', dilation: 2 }, [4, 0]],
    ['groups 2, stride 2, dilation 2', { groups: 2, stride: 2, dilation: 2, padding: 1 }, [1, 1]],
  ] as const)('Conv1d %s matches torch from a torch-layout state dict', (_, options, pad) => {
    const opts = options as Conv1dOptions;
    const groups = opts.groups ?? 1;
    const conv = new Conv1d(4, 6, 3, opts);
    const wArr = nested([6, 4 / groups, 3], 30) as number[][][];
    const bArr = values(6, 31);
    expect(conv.stateDictShapes()).toEqual({ weight: [6, 4 / groups, 3], bias: [6] });
    const dict = { weight: tf.tensor3d(wArr), bias: tf.tensor1d(bArr) };
    conv.loadStateDict(dict);
    const xArr = nested([2, 9, 4], 32) as number[][][];
    const x = tf.tensor3d(xArr);
    const y = conv.forward(x);
    const expected = naiveConv1d(xArr, wArr, bArr, {
      stride: opts.stride ?? 1,
      dilation: opts.dilation ?? 1,
      groups,
      pad: [pad[0], pad[1]],
    });
    expect(y.shape).toEqual([2, (expected[0] as number[][]).length, 6]);
    expectClose(y, expected.flat(2), 1e-5);
    // stateDict() gives the torch layout back.
    const saved = conv.stateDict();
    expectClose(saved.weight as tf.Tensor, wArr.flat(2), 1e-7);
    tf.dispose([x, y, ...Object.values(dict), ...Object.values(saved)]);
    conv.dispose();
  });

  it.each([
    ["VAR's down-sampler: pad right/bottom by 1, stride 2, 3×3, no padding", { stride: 2, padding: [0, 1, 0, 1] }, 1],
    ['groups 2, padding 1', { padding: 1, groups: 2 }, 2],
    ['padding [1, 2], stride [2, 1]', { padding: [1, 2], stride: [2, 1] }, 1],
  ] as const)('Conv2d %s matches torch from a torch-layout state dict', (_, options, groups) => {
    const opts = options as Conv2dOptions;
    const conv = new Conv2d(4, 6, 3, opts);
    const wArr = nested([6, 4 / groups, 3, 3], 40) as number[][][][];
    const bArr = values(6, 41);
    const dict = { weight: tf.tensor4d(wArr), bias: tf.tensor1d(bArr) };
    conv.loadStateDict(dict);
    const xArr = nested([2, 6, 5, 4], 42) as number[][][][];
    const x = tf.tensor4d(xArr);
    const y = conv.forward(x);
    const p = conv.padding;
    const expected = naiveConv2d(xArr, wArr, bArr, { stride: conv.stride, pad: p, groups });
    expect(y.shape).toEqual([2, expected[0]?.length, expected[0]?.[0]?.length, 6]);
    expectClose(y, expected.flat(3), 1e-5);
    const saved = conv.stateDict();
    expectClose(saved.weight as tf.Tensor, wArr.flat(3), 1e-7);
    tf.dispose([x, y, ...Object.values(dict), ...Object.values(saved)]);
    conv.dispose();
  });

  it.each([
    ['eval, groups 1', 1, false],
    ['training, groups 1', 1, true],
    ['training, groups 2', 2, true],
  ])('Conv2d frozen (%s): the same output and input gradient, no weight or bias gradient', (_, groups, training) => {
    const conv = new Conv2d(4, 6, 3, { stride: 2, padding: 1, groups });
    conv.train(training);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
      const probe = tf.range(1, 1 + 2 * 3 * 3 * 6).reshape([2, 3, 3, 6]);
      const weighted = (frozen: boolean) => (input: tf.Tensor) => tf.sum(tf.mul(conv.forward(input as tf.Tensor4D, { frozen }), probe));
      expectClose(conv.forward(x, { frozen: true }), Array.from(conv.forward(x).dataSync()), 1e-6);
      expectClose(tf.grad(weighted(true))(x), Array.from(tf.grad(weighted(false))(x).dataSync()), 1e-4);
      const params = [conv.weight, conv.bias as tf.Variable];
      const plain = tf.variableGrads(() => weighted(false)(x) as tf.Scalar, params);
      expect(Math.max(...params.map((p) => tf.max(tf.abs(plain.grads[p.name] as tf.Tensor)).dataSync()[0] as number))).toBeGreaterThan(1e-3);
      const frozen = tf.variableGrads(() => weighted(true)(x) as tf.Scalar, params);
      for (const p of params) expect(tf.max(tf.abs(frozen.grads[p.name] as tf.Tensor)).dataSync()[0]).toBe(0);
    });
    conv.dispose();
  });

  it('Linear loads torch [out, in] and round-trips its state dict', () => {
    const lin = new Linear(3, 2);
    const w = [[1, 2, 3], [-1, 0, 0.5]];
    const dict = { weight: tf.tensor2d(w), bias: tf.tensor1d([0.1, 0.2]) };
    lin.loadStateDict(dict);
    const x = tf.tensor3d([[[1, 1, 2], [0, 2, -2]]]);
    const y = lin.forward(x);
    expectClose(y, [1 + 2 + 6 + 0.1, -1 + 1 + 0.2, 4 - 6 + 0.1, -1 + 0.2]);
    const saved = lin.stateDict();
    expectClose(saved.weight as tf.Tensor, w.flat(), 0);
    expect(saved.weight?.shape).toEqual([2, 3]);
    tf.dispose([x, y, ...Object.values(dict), ...Object.values(saved)]);
    lin.dispose();
  });

  it('loads host tensors one at a time: same weights as from tf tensors, no tensor left behind, shapes checked', () => {
    const conv = new Conv2d(2, 3, 3, { padding: 1 });
    const weight = Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => Math.sin(i));
    const host = new Map([
      ['weight', { dtype: 'float32' as const, shape: [3, 2, 3, 3], values: weight }],
      ['bias', { dtype: 'float32' as const, shape: [3], values: Float32Array.from([0.5, -1, 2]) }],
    ]);
    const before = tf.memory().numTensors;
    conv.loadStateDict(host, { source: 'host.pth' });
    expect(tf.memory().numTensors).toBe(before);
    const fromTf = new Conv2d(2, 3, 3, { padding: 1 });
    const dict = { weight: tf.tensor4d(weight, [3, 2, 3, 3]), bias: tf.tensor1d([0.5, -1, 2]) };
    fromTf.loadStateDict(dict);
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 4 * 4 * 2 }, (_, i) => Math.cos(i)), [2, 4, 4, 2]);
    const [a, b] = [conv.forward(x), fromTf.forward(x)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const wrong = new Map([...host, ['bias', { dtype: 'float32' as const, shape: [4], values: new Float32Array(4) }]]);
    expect(() => conv.loadStateDict(wrong, { source: 'host.pth' })).toThrow(/host\.pth: .*'bias' has shape \[4\], the model expects \[3\]/);
    tf.dispose([x, a, b, ...Object.values(dict)]);
    conv.dispose();
    fromTf.dispose();
  });
});
