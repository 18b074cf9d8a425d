import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { ssdChunked, ssdStep } from '../../src/ssm/ssd-scan.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, values } from '../nn/util.js';
import { naiveSsd, type NaiveSsd } from './naive-ssd.js';

function problem(dims: Omit<NaiveSsd, 'x' | 'dt' | 'A' | 'B' | 'C'>, seed: number, withState = false): NaiveSsd {
  const { batch: b, length: t, heads: h, headDim: p, groups: g, stateDim: n } = dims;
  return {
    ...dims,
    x: values(b * t * h * p, seed),
    dt: values(b * t * h, seed + 1).map((v) => 0.05 + 0.5 * Math.abs(v)),
    A: values(h, seed + 2).map((v) => -0.2 - 2 * Math.abs(v)),
    B: values(b * t * g * n, seed + 3),
    C: values(b * t * g * n, seed + 4),
    D: values(h, seed + 5),
    ...(withState ? { initialState: values(b * h * p * n, seed + 6) } : {}),
  };
}

function tensors(s: NaiveSsd) {
  const { batch: b, length: t, heads: h, headDim: p, groups: g, stateDim: n } = s;
  return {
    x: tf.tensor4d(s.x, [b, t, h, p]),
    dt: tf.tensor3d(s.dt, [b, t, h]),
    A: tf.tensor1d(s.A),
    B: tf.tensor4d(s.B, [b, t, g, n]),
    C: tf.tensor4d(s.C, [b, t, g, n]),
    ...(s.D ? { D: tf.tensor1d(s.D) } : {}),
    ...(s.initialState ? { initialState: tf.tensor4d(s.initialState, [b, h, p, n]) } : {}),
  };
}

describe.each(TEST_BACKENDS)('SSD scan (Mamba-2) on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  const shapes: Array<[string, Omit<NaiveSsd, 'x' | 'dt' | 'A' | 'B' | 'C'>, number, boolean]> = [
    ['one group, T a multiple of the chunk', { batch: 2, length: 16, heads: 2, headDim: 3, groups: 1, stateDim: 4 }, 4, false],
    ['T not a multiple of the chunk, an initial state', { batch: 1, length: 13, heads: 4, headDim: 2, groups: 2, stateDim: 3 }, 5, true],
    ['one chunk longer than T, a group per head', { batch: 2, length: 7, heads: 2, headDim: 2, groups: 2, stateDim: 2 }, 64, false],
    ['chunk of one step', { batch: 1, length: 6, heads: 1, headDim: 4, groups: 1, stateDim: 5 }, 1, true],
  ];

  it.each(shapes)('the chunked form equals the per-step recurrence: %s', (_name, dims, chunkSize, withState) => {
    const s = problem(dims, 7, withState);
    const expected = naiveSsd(s);
    const inputs = tensors(s);
    const { y, state } = ssdChunked(inputs, { chunkSize });
    expectClose(y, expected.y, 2e-5);
    expectClose(state, expected.state, 2e-5);
    tf.dispose([y, state, ...Object.values(inputs)]);
  });

  it('the recurrent step, applied T times from the same state, equals the recurrence and the chunked form', () => {
    const s = problem({ batch: 2, length: 9, heads: 4, headDim: 2, groups: 2, stateDim: 3 }, 11, true);
    const expected = naiveSsd(s);
    const inputs = tensors(s);
    let state = inputs.initialState as tf.Tensor;
    const ys: tf.Tensor[] = [];
    for (let t = 0; t < s.length; t++) {
      const at = (x: tf.Tensor) => tf.squeeze(tf.slice(x, [0, t], [-1, 1]), [1]);
      const step = tf.tidy(() => ssdStep(state, { x: at(inputs.x), dt: at(inputs.dt), A: inputs.A, B: at(inputs.B), C: at(inputs.C), ...(inputs.D ? { D: inputs.D } : {}) }));
      if (t > 0) state.dispose();
      state = step.state;
      ys.push(step.y);
    }
    const y = tf.stack(ys, 1);
    expectClose(y, expected.y, 2e-5);
    expectClose(state, expected.state, 2e-5);
    // Continuing the chunked form from a prefix's final state equals running it whole.
    const split = 5;
    const head = (x: tf.Tensor) => tf.slice(x, [0, 0], [-1, split]);
    const tail = (x: tf.Tensor) => tf.slice(x, [0, split], [-1, -1]);
    const { first, second } = tf.tidy(() => {
      const first = ssdChunked({ x: head(inputs.x), dt: head(inputs.dt), A: inputs.A, B: head(inputs.B), C: head(inputs.C), D: inputs.D as tf.Tensor, initialState: inputs.initialState as tf.Tensor }, { chunkSize: 2 });
      const second = ssdChunked({ x: tail(inputs.x), dt: tail(inputs.dt), A: inputs.A, B: tail(inputs.B), C: tail(inputs.C), D: inputs.D as tf.Tensor, initialState: first.state }, { chunkSize: 3 });
      expectClose(tf.concat([first.y, second.y], 1), expected.y, 2e-5);
      return { first, second };
    });
    expectClose(second.state, expected.state, 2e-5);
    tf.dispose([y, state, ...ys, first.y, first.state, second.y, second.state, ...Object.values(inputs)]);
  });

  it('its gradients equal those of a per-step loop written with plain tf ops', () => {
    const s = problem({ batch: 1, length: 10, heads: 2, headDim: 2, groups: 1, stateDim: 3 }, 21, true);
    const inputs = tensors(s);
    const weight = tf.tensor4d(values(s.length * 4, 31), [1, s.length, 2, 2]);
    const names = ['x', 'dt', 'A', 'B', 'C', 'D', 'initialState'] as const;
    const args = names.map((n) => inputs[n] as tf.Tensor);
    const chunkedLoss = (...t: tf.Tensor[]) => {
      const [x, dt, A, B, C, D, h0] = t as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const { y, state } = ssdChunked({ x, dt, A, B, C, D, initialState: h0 }, { chunkSize: 4 });
      return tf.add(tf.sum(tf.mul(y, weight)), tf.sum(tf.square(state)));
    };
    const loopLoss = (...t: tf.Tensor[]) => {
      const [x, dt, A, B, C, D, h0] = t as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      let h = tf.reshape(h0, [2, 2, 3]);
      let total: tf.Tensor = tf.scalar(0);
      for (let i = 0; i < s.length; i++) {
        const xt = tf.reshape(tf.slice(x, [0, i], [1, 1]), [2, 2]);
        const dtt = tf.reshape(tf.slice(dt, [0, i], [1, 1]), [2]);
        const bt = tf.reshape(tf.slice(B, [0, i], [1, 1]), [1, 1, 3]);
        const ct = tf.reshape(tf.slice(C, [0, i], [1, 1]), [1, 1, 3]);
        h = tf.add(tf.mul(h, tf.reshape(tf.exp(tf.mul(dtt, A)), [2, 1, 1])), tf.mul(tf.reshape(tf.mul(xt, tf.reshape(dtt, [2, 1])), [2, 2, 1]), bt));
        const yt = tf.add(tf.sum(tf.mul(h, ct), -1), tf.mul(xt, tf.reshape(D, [2, 1])));
        total = tf.add(total, tf.sum(tf.mul(yt, tf.reshape(tf.slice(weight, [0, i], [1, 1]), [2, 2]))));
      }
      return tf.add(total, tf.sum(tf.square(h)));
    };
    tf.tidy(() => {
      const a = tf.grads(chunkedLoss)(args);
      const b = tf.grads(loopLoss)(args);
      a.forEach((g, i) => {
        const ref = b[i] as tf.Tensor;
        const scale = Math.max(1, ...Array.from(ref.dataSync(), Math.abs));
        expectClose(g, ref.dataSync(), 5e-5 * scale);
      });
    });
    tf.dispose([weight, ...Object.values(inputs)]);
  });

  it('refuses mismatched shapes naming the tensor', () => {
    const s = problem({ batch: 1, length: 4, heads: 2, headDim: 2, groups: 1, stateDim: 2 }, 3);
    const inputs = tensors(s);
    const badDt = tf.zeros([1, 4, 3]);
    expect(() => ssdChunked({ ...inputs, dt: badDt })).toThrow('ssd: dt must be [1,4,2], got [1,4,3]');
    tf.dispose([badDt, ...Object.values(inputs)]);
  });
});
