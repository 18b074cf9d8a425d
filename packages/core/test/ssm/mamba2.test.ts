import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { Mamba2 } from '../../src/ssm/mamba2.js';
import { SsmStateCache } from '../../src/ssm/ssm-state-cache.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, values } from '../nn/util.js';

const D_MODEL = 6;
const OPTIONS = { dModel: D_MODEL, dState: 3, dConv: 4, expand: 2, headDim: 4, groups: 1, chunkSize: 4 };
const D_INNER = 12;
const HEADS = 3;
const CONV = D_INNER + 2 * 3;
const IN_PROJ = 2 * D_INNER + 2 * 3 + HEADS;

/** Random torch-layout weights for the layer above. */
function weights(seed: number): Record<string, number[]> {
  return {
    'in_proj.weight': values(IN_PROJ * D_MODEL, seed).map((v) => v * 0.5),
    'conv1d.weight': values(CONV * 4, seed + 1).map((v) => v * 0.5),
    'conv1d.bias': values(CONV, seed + 2).map((v) => v * 0.1),
    dt_bias: values(HEADS, seed + 3).map((v) => v - 1),
    A_log: values(HEADS, seed + 4).map((v) => v + 0.5),
    D: values(HEADS, seed + 5),
    'norm.weight': values(D_INNER, seed + 6).map((v) => 1 + 0.3 * v),
    'out_proj.weight': values(D_MODEL * D_INNER, seed + 7).map((v) => v * 0.4),
  };
}

const silu = (v: number) => v / (1 + Math.exp(-v));
const softplus = (v: number) => Math.log1p(Math.exp(v));

/** mamba_ssm's Mamba2 forward for one sequence, step by step in float64, from the torch-layout weights. */
function naiveMamba2(w: Record<string, number[]>, u: number[][]): number[][] {
  const W = (name: string) => w[name] as number[];
  const inProj = W('in_proj.weight');
  const history: number[][] = [];
  const state = Array.from({ length: HEADS }, () => Array.from({ length: 4 }, () => [0, 0, 0]));
  return u.map((ut) => {
    const proj = Array.from({ length: IN_PROJ }, (_, o) => ut.reduce((s, v, i) => s + v * (inProj[o * D_MODEL + i] as number), 0));
    const z = proj.slice(0, D_INNER);
    history.push(proj.slice(D_INNER, D_INNER + CONV));
    const dtRaw = proj.slice(D_INNER + CONV);
    const xBC = Array.from({ length: CONV }, (_, c) => {
      let s = W('conv1d.bias')[c] as number;
      for (let k = 0; k < 4; k++) {
        const past = history[history.length - 4 + k];
        if (past) s += (W('conv1d.weight')[c * 4 + k] as number) * (past[c] as number);
      }
      return silu(s);
    });
    const x = xBC.slice(0, D_INNER);
    const B = xBC.slice(D_INNER, D_INNER + 3);
    const C = xBC.slice(D_INNER + 3);
    const y = new Array<number>(D_INNER).fill(0);
    for (let h = 0; h < HEADS; h++) {
      const dt = softplus((dtRaw[h] as number) + (W('dt_bias')[h] as number));
      const decay = Math.exp(-dt * Math.exp(W('A_log')[h] as number));
      for (let p = 0; p < 4; p++) {
        const xv = x[h * 4 + p] as number;
        let out = 0;
        for (let n = 0; n < 3; n++) {
          const row = (state[h] as number[][])[p] as number[];
          row[n] = decay * (row[n] as number) + dt * xv * (B[n] as number);
          out += (row[n] as number) * (C[n] as number);
        }
        y[h * 4 + p] = out + (W('D')[h] as number) * xv;
      }
    }
    const gated = y.map((v, i) => v * silu(z[i] as number));
    const rms = Math.sqrt(gated.reduce((s, v) => s + v * v, 0) / D_INNER + 1e-5);
    const normed = gated.map((v, i) => (v / rms) * (W('norm.weight')[i] as number));
    return Array.from({ length: D_MODEL }, (_, o) => normed.reduce((s, v, i) => s + v * (W('out_proj.weight')[o * D_INNER + i] as number), 0));
  });
}

function build(w: Record<string, number[]>): Mamba2 {
  const layer = new Mamba2(OPTIONS);
  const shapes = layer.stateDictShapes();
  const dict = Object.fromEntries(Object.entries(w).map(([name, v]) => [name, tf.tensor(v, shapes[name])]));
  layer.loadStateDict(dict);
  tf.dispose(Object.values(dict));
  return layer;
}

describe.each(TEST_BACKENDS)('Mamba2 layer on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it("has mamba_ssm's state-dict names and shapes", () => {
    const layer = new Mamba2(OPTIONS);
    expect(layer.stateDictShapes()).toEqual({
      'in_proj.weight': [IN_PROJ, D_MODEL],
      'conv1d.weight': [CONV, 1, 4],
      'conv1d.bias': [CONV],
      dt_bias: [HEADS],
      A_log: [HEADS],
      D: [HEADS],
      'norm.weight': [D_INNER],
      'out_proj.weight': [D_MODEL, D_INNER],
    });
    // softplus(dt_bias) lies in [dt_min, dt_max] and −exp(A_log) in [−16, −1] at initialisation.
    const softplusDt = tf.softplus(layer.dtBias);
    const dt = Array.from(softplusDt.dataSync());
    softplusDt.dispose();
    for (const v of dt) {
      expect(v).toBeGreaterThanOrEqual(0.00099);
      expect(v).toBeLessThanOrEqual(0.1001);
    }
    for (const v of layer.ALog.dataSync()) {
      expect(Math.exp(v)).toBeGreaterThanOrEqual(1);
      expect(Math.exp(v)).toBeLessThanOrEqual(16);
    }
    layer.dispose();
  });

  it('the parallel forward equals the per-step definition (mamba_ssm Mamba2, float64)', () => {
    const w = weights(3);
    const layer = build(w);
    const rows = [0, 1].map((b) => Array.from({ length: 11 }, (_, t) => values(D_MODEL, 100 + b * 20 + t)));
    const u = tf.tensor3d(rows);
    const y = layer.forward(u);
    expectClose(y, rows.flatMap((r) => naiveMamba2(w, r).flat()), 3e-5);
    tf.dispose([u, y]);
    layer.dispose();
  });

  it('with a state cache: a prefill, then single steps and a block of three, equal the parallel forward', () => {
    const w = weights(9);
    const layer = build(w);
    const u = tf.tensor3d([0, 1].map((b) => Array.from({ length: 12 }, (_, t) => values(D_MODEL, 300 + b * 20 + t))));
    const full = layer.forward(u);
    const cache = new SsmStateCache(1);
    const parts: tf.Tensor[] = [];
    const feed = (start: number, size: number) => {
      const piece = tf.slice(u, [0, start, 0], [-1, size, -1]);
      parts.push(layer.forward(piece, cache.layer(0)));
      piece.dispose();
    };
    feed(0, 5);
    feed(5, 1);
    feed(6, 1);
    feed(7, 3);
    feed(10, 1);
    feed(11, 1);
    expect(cache.length).toBe(12);
    expect(cache.bytes).toBe((2 * 3 * CONV + 2 * HEADS * 4 * 3) * 4);
    const joined = tf.concat(parts, 1);
    expectClose(joined, full.dataSync(), 3e-5);
    tf.dispose([u, full, joined, ...parts]);
    cache.dispose();
    layer.dispose();
  });

  it('trains: gradients reach every parameter and a training step leaves no tensors behind', () => {
    const layer = build(weights(5));
    const u = tf.tensor3d([Array.from({ length: 9 }, (_, t) => values(D_MODEL, 500 + t))]);
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(layer.forward(u))) as tf.Scalar);
    for (const [name, variable] of layer.namedParameters()) {
      const g = grads[variable.name];
      expect(g, name).toBeDefined();
      expect(Array.from((g as tf.Tensor).dataSync()).some((v) => v !== 0), name).toBe(true);
    }
    tf.dispose([u, value, ...Object.values(grads)]);
    layer.dispose();
  });
});
