import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { MultiHeadAttention, type MultiHeadAttentionOptions } from '../../src/nn/attention.js';
import { blockCausalMask, causalMask, groupIdsFromSizes } from '../../src/nn/attention-mask.js';
import { RotaryEmbedding } from '../../src/nn/rope.js';
import { LayerKVCache } from '../../src/cache/layer-kv-cache.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, values } from './util.js';
import { naiveAttention, naiveRope, type NaiveAttentionWeights } from './naive-attention.js';

const C = 8;
const H = 2;

function matrix(rows: number, cols: number, seed: number, gain = 0.5): number[][] {
  const v = values(rows * cols, seed);
  return Array.from({ length: rows }, (_, r) => v.slice(r * cols, r * cols + cols).map((a) => a * gain));
}

function weights(seed: number): NaiveAttentionWeights {
  return {
    wqkv: matrix(3 * C, C, seed),
    bqkv: values(3 * C, seed + 1).map((a) => a * 0.1),
    wo: matrix(C, C, seed + 2),
    bo: values(C, seed + 3).map((a) => a * 0.1),
  };
}

/** The torch state dict of each projection variant for the same naive weights. */
function stateDict(kind: 'fused' | 'var' | 'separate', w: NaiveAttentionWeights, scaleMul?: number[]) {
  const t2 = (m: number[][]) => tf.tensor2d(m);
  const out = { 'proj.weight': t2(w.wo), 'proj.bias': tf.tensor1d(w.bo) };
  if (kind === 'fused') return { 'qkv.weight': t2(w.wqkv), 'qkv.bias': tf.tensor1d(w.bqkv), ...out };
  if (kind === 'var') {
    return {
      'mat_qkv.weight': t2(w.wqkv),
      q_bias: tf.tensor1d(w.bqkv.slice(0, C)),
      zero_k_bias: tf.zeros([C]),
      v_bias: tf.tensor1d(w.bqkv.slice(2 * C)),
      scale_mul_1H11: tf.tensor4d(scaleMul ?? [0, 0], [1, H, 1, 1]),
      ...out,
    };
  }
  const part = (i: number, name: string) => ({
    [`${name}.weight`]: t2(w.wqkv.slice(i * C, i * C + C)),
    [`${name}.bias`]: tf.tensor1d(w.bqkv.slice(i * C, i * C + C)),
  });
  return { ...part(0, 'q_proj'), ...part(1, 'k_proj'), ...part(2, 'v_proj'), ...out };
}

function build(options: Partial<MultiHeadAttentionOptions>, dict: Record<string, tf.Tensor>): MultiHeadAttention {
  const mha = new MultiHeadAttention({ dim: C, numHeads: H, ...options });
  mha.loadStateDict(dict);
  tf.dispose(Object.values(dict));
  return mha.eval();
}

function toRows(t: tf.Tensor): number[][][] {
  return t.arraySync() as number[][][];
}

function varAttention(scaleMul = [Math.log(4), 5]): { mha: MultiHeadAttention; w: NaiveAttentionWeights } {
  const w = weights(21);
  w.bqkv.fill(0, C, 2 * C);
  const mha = build({ qkvBias: 'qv', l2Norm: true, names: { qkv: 'mat_qkv' } }, stateDict('var', w, scaleMul));
  return { mha, w };
}

describe.each(TEST_BACKENDS)('MultiHeadAttention on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('fused q|k|v with head-major heads and a causal mask matches the definition', () => {
    const w = weights(1);
    const mha = build({}, stateDict('fused', w));
    const x = tf.tensor3d([matrix(5, C, 10, 1), matrix(5, C, 11, 1)]);
    const mask = causalMask(5);
    const y = mha.forward(x, { mask });
    const rows = toRows(x);
    const expected = rows.flatMap((r) => naiveAttention(r, w, { heads: H, scale: 1 / 2, visible: (i, j) => j <= i }));
    expectClose(y, expected.flat(), 2e-5);
    tf.dispose([x, mask, y]);
    mha.dispose();
  });

  it("VAR's variant: mat_qkv, [q_bias | zero_k_bias | v_bias], l2-normalised q/k, clamped exp(scale_mul)", () => {
    const { mha, w } = varAttention();
    expect(mha.stateDictShapes()).toEqual({
      'mat_qkv.weight': [3 * C, C],
      q_bias: [C],
      v_bias: [C],
      zero_k_bias: [C],
      scale_mul_1H11: [1, H, 1, 1],
      'proj.weight': [C, C],
      'proj.bias': [C],
    });
    expect(mha.namedBuffers().map(([n]) => n)).toEqual(['zero_k_bias']);
    const ids = groupIdsFromSizes([1, 4]);
    const mask = blockCausalMask(ids);
    const x = tf.tensor3d([matrix(5, C, 12, 1)]);
    const y = mha.forward(x, { mask });
    // Head 1's log temperature 5 is clamped to ln 100.
    const expected = naiveAttention(toRows(x)[0] as number[][], w, {
      heads: H,
      scale: 1,
      scaleMul: [Math.log(4), 5],
      visible: (i, j) => (ids[j] as number) <= (ids[i] as number),
    });
    expectClose(y, expected.flat(), 2e-5);
    tf.dispose([mask, x, y]);
    mha.dispose();
  });

  it('separate projections with RoPE, and cross-attention to a context, match the definition', () => {
    const w = weights(3);
    const rope = new RotaryEmbedding(C / H);
    const mha = build({ projection: 'separate', rope }, stateDict('separate', w));
    const x = tf.tensor3d([matrix(4, C, 13, 1)]);
    const mask = causalMask(4);
    const y = mha.forward(x, { mask });
    const expected = naiveAttention(toRows(x)[0] as number[][], w, {
      heads: H,
      scale: 1 / 2,
      visible: (i, j) => j <= i,
      rotate: naiveRope,
    });
    expectClose(y, expected.flat(), 2e-5);

    const cross = build({ contextDim: C }, stateDict('separate', w));
    const context = tf.tensor3d([matrix(3, C, 14, 1)]);
    const z = cross.forward(x, { context });
    const expectedCross = naiveAttention(toRows(x)[0] as number[][], w, {
      heads: H,
      scale: 1 / 2,
      visible: () => true,
      context: toRows(context)[0] as number[][],
    });
    expectClose(z, expectedCross.flat(), 2e-5);
    // With a cache, the projected context is stored once and reused without the context.
    const peek = new LayerKVCache();
    const uncommitted = cross.forward(x, { context, cache: peek, commit: false });
    expect(peek.length).toBe(0); // attended to the context without storing it
    expectClose(uncommitted, z.dataSync(), 1e-6);
    uncommitted.dispose();
    const cache = new LayerKVCache();
    const first = cross.forward(x, { context, cache });
    const second = cross.forward(x, { cache });
    expect(cache.length).toBe(3);
    expectClose(second, first.dataSync(), 1e-6);
    expectClose(first, z.dataSync(), 1e-6);
    cache.dispose();
    tf.dispose([x, mask, y, context, z, first, second]);
    mha.dispose();
    rope.dispose();
    cross.dispose();
  });

  it('returns attention probabilities [B, H, Lq, Lk] that sum to 1 and are 0 where masked', () => {
    const mha = build({}, stateDict('fused', weights(4)));
    const x = tf.tensor3d([matrix(3, C, 15, 1)]);
    const mask = causalMask(3);
    const { output, attention } = mha.forwardWithAttention(x, { mask });
    expect(output.shape).toEqual([1, 3, C]);
    expect(attention.shape).toEqual([1, H, 3, 3]);
    const p = attention.arraySync() as number[][][][];
    for (const head of p[0] as number[][][]) {
      head.forEach((row, i) => {
        expect(row.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 5);
        row.forEach((a, j) => j > i && expect(a).toBe(0));
      });
    }
    tf.dispose([x, mask, output, attention]);
    mha.dispose();
  });

  it('incremental decoding with a cache equals full causal recomputation (RoPE offsets, chunks 1, 2, 3)', () => {
    const rope = new RotaryEmbedding(C / H);
    const mha = build({ rope }, stateDict('fused', weights(5)));
    const x = tf.tensor3d([matrix(6, C, 16, 1), matrix(6, C, 17, 1)]);
    const mask = causalMask(6);
    const full = mha.forward(x, { mask });
    const cache = new LayerKVCache();
    const steps: tf.Tensor[] = [];
    let start = 0;
    for (const size of [1, 2, 3]) {
      const chunk = tf.slice(x, [0, start, 0], [-1, size, -1]);
      const stepMask = causalMask(size, { offset: start });
      steps.push(mha.forward(chunk, { cache, mask: stepMask }));
      tf.dispose([chunk, stepMask]);
      start += size;
    }
    expect(cache.length).toBe(6);
    expect(cache.nextPosition).toBe(6);
    expect(cache.read().k.shape).toEqual([2, H, 6, C / H]);
    const joined = tf.concat(steps, 1);
    expectClose(joined, full.dataSync(), 1e-5);
    cache.dispose();
    tf.dispose([x, mask, full, joined, ...steps]);
    mha.dispose();
    rope.dispose();
  });

  it('VAR-like block-causal decoding scale by scale (1, 4, 9 tokens) equals the full pass', () => {
    const { mha } = varAttention();
    const sizes = [1, 4, 9];
    const x = tf.tensor3d([matrix(14, C, 18, 1)]);
    const mask = blockCausalMask(groupIdsFromSizes(sizes));
    const full = mha.forward(x, { mask });
    const cache = new LayerKVCache();
    const steps: tf.Tensor[] = [];
    let start = 0;
    for (const size of sizes) {
      const chunk = tf.slice(x, [0, start, 0], [-1, size, -1]);
      steps.push(mha.forward(chunk, { cache })); // a new scale sees every cached token and itself
      chunk.dispose();
      start += size;
    }
    const joined = tf.concat(steps, 1);
    expectClose(joined, full.dataSync(), 1e-5);
    cache.dispose();
    tf.dispose([x, mask, full, joined, ...steps]);
    mha.dispose();
  });

  it('rollback then re-decode equals never having decoded the rolled-back tokens', () => {
    const rope = new RotaryEmbedding(C / H);
    const mha = build({ rope }, stateDict('fused', weights(6)));
    const prefix = tf.tensor3d([matrix(3, C, 19, 1)]);
    const draft = tf.tensor3d([matrix(2, C, 20, 1)]);
    const accepted = tf.tensor3d([matrix(2, C, 21, 1)]);
    const draftMask = causalMask(2, { offset: 3 });
    const prefixMask = causalMask(3);

    const cache = new LayerKVCache();
    const outs = [mha.forward(prefix, { cache, mask: prefixMask }), mha.forward(draft, { cache, mask: draftMask })];
    const bytesBefore = cache.bytes;
    cache.rollback(2);
    expect(cache.length).toBe(3);
    expect(cache.nextPosition).toBe(3);
    expect(cache.bytes).toBe((bytesBefore * 3) / 5);
    const redo = mha.forward(accepted, { cache, mask: draftMask });

    const fresh = new LayerKVCache();
    const reference = [mha.forward(prefix, { cache: fresh, mask: prefixMask })];
    reference.push(mha.forward(accepted, { cache: fresh, mask: draftMask }));
    expectClose(redo, (reference[1] as tf.Tensor).dataSync(), 1e-6);
    expectClose(cache.read().k, fresh.read().k.dataSync(), 1e-6);
    expect(cache.positions).toEqual([0, 1, 2, 3, 4]);
    cache.dispose();
    fresh.dispose();
    tf.dispose([prefix, draft, accepted, draftMask, prefixMask, redo, ...outs, ...reference]);
    mha.dispose();
    rope.dispose();
  });
});
