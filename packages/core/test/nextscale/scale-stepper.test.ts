import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/rng.js';
import { AdaLNSelfAttn, ScaleSchedule, ScaleStepper, blockModulations, runAdaLNBlocks } from '../../src/nextscale/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const C = 16;
const blocks = (cross: boolean) =>
  [0, 1].map(
    (i) =>
      new AdaLNSelfAttn({
        embedDim: C,
        condDim: C,
        numHeads: 2,
        ffnHidden: 32,
        normEps: 1e-6,
        sharedAln: false,
        attnL2Norm: true,
        dropRate: 0,
        attnDropRate: 0,
        dropPath: 0,
        ...(cross ? { crossAttention: { contextDim: 8 } } : {}),
        rng: Rng.seeded(10 + i),
      }),
  );

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

describe('ScaleSchedule', () => {
  it('lays scales one after the other and masks block-causally', () => {
    const s = new ScaleSchedule([1, 4, 9]);
    expect(s.beginEnds).toEqual([[0, 1], [1, 5], [5, 14]]);
    expect(s.length).toBe(14);
    expect(s.groupIds.slice(0, 6)).toEqual([0, 1, 1, 1, 1, 2]);
    const mask = s.mask(5, 1).arraySync() as number[][];
    // queries of scale 1 see scale 0 and all of scale 1, nothing after
    expect(mask).toHaveLength(4);
    expect(mask.every((row) => row.every((v) => v === 0))).toBe(true);
    const full = s.mask().arraySync() as number[][];
    expect(full[0]!.slice(0, 2)).toEqual([0, -Infinity]);
    expect(full[13]!.every((v) => v === 0)).toBe(true);
  });
});

describe.each(TEST_BACKENDS)('next-scale stepping on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('the KV cache, full recomputation and a multi-scale prefix give the teacher-forcing hidden states', () => {
    const schedule = new ScaleSchedule([1, 4, 4]);
    const model = blocks(true);
    const x = tf.randomNormal([2, schedule.length, C], 0, 1, 'float32', 1) as tf.Tensor3D;
    const cond = tf.randomNormal([2, C], 0, 1, 'float32', 2);
    const context = tf.randomNormal([2, 3, 8], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const teacher = tf.tidy(() => runAdaLNBlocks(model, x, cond, { mask: schedule.mask(), context }));
    // The modulations of c computed once stand in for c (generation reuses them at every scale).
    const modulations = blockModulations(model, cond);
    const premodulated = tf.tidy(() => runAdaLNBlocks(model, x, modulations, { mask: schedule.mask(), context }));
    expect(maxDiff(premodulated, teacher)).toBeLessThan(1e-6);
    expect(() => runAdaLNBlocks(model, x, modulations.slice(1), { context })).toThrow(/1 modulations for 2 blocks/);
    tf.dispose([premodulated, ...modulations.flat()]);
    const stepped = (kvCache: boolean, counts: number[]) => {
      const stepper = new ScaleStepper({ schedule, numLayers: 2, kvCache, run: (input, o) => runAdaLNBlocks(model, input, cond, { ...o, context }) });
      const parts: tf.Tensor3D[] = [];
      let k = 0;
      for (const count of counts) {
        const begin = schedule.begin(k);
        const end = schedule.end(k + count - 1);
        const input = tf.slice(x, [0, begin, 0], [-1, end - begin, -1]) as tf.Tensor3D;
        parts.push(stepper.step(input, count));
        input.dispose();
        k += count;
      }
      stepper.dispose();
      const out = tf.concat(parts, 1);
      tf.dispose(parts);
      return out;
    };
    for (const [kv, counts] of [[true, [1, 1, 1]], [false, [1, 1, 1]], [true, [2, 1]], [false, [1, 2]]] as const) {
      const h = stepped(kv, [...counts]);
      expect(maxDiff(h, teacher)).toBeLessThan(1e-4);
      h.dispose();
    }
    teacher.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, cond, context]);
    model.forEach((b) => b.dispose());
  });

  it('cross-attention reads the context (and demands one); without it the block keeps VAR names', () => {
    const [plain] = blocks(false);
    expect(Object.keys(plain!.stateDict()).sort()).toEqual(
      ['ada_lin.1.bias', 'ada_lin.1.weight', 'attn.mat_qkv.weight', 'attn.proj.bias', 'attn.proj.weight', 'attn.q_bias', 'attn.scale_mul_1H11', 'attn.v_bias', 'attn.zero_k_bias', 'ffn.fc1.bias', 'ffn.fc1.weight', 'ffn.fc2.bias', 'ffn.fc2.weight'].sort(),
    );
    const [cross] = blocks(true);
    const x = tf.randomNormal([1, 3, C], 0, 1, 'float32', 4) as tf.Tensor3D;
    const cond = tf.randomNormal([1, C], 0, 1, 'float32', 5);
    const a = tf.randomNormal([1, 2, 8], 0, 1, 'float32', 6);
    const b = tf.randomNormal([1, 2, 8], 0, 1, 'float32', 7);
    expect(maxDiff(cross!.forward(x, cond, { context: a }), cross!.forward(x, cond, { context: b }))).toBeGreaterThan(1e-4);
    expect(() => cross!.forward(x, cond)).toThrow(/needs a context/);
    expect(Object.keys(cross!.stateDict()).filter((k) => k.startsWith('cross_attn.') || k.startsWith('ln_cross.')).length).toBeGreaterThan(0);
    tf.dispose([x, cond, a, b]);
    plain!.dispose();
    cross!.dispose();
  });
});
