/** A float64 reference of multi-head attention on torch-layout weights, written from the definitions. */
export interface NaiveAttentionWeights {
  /** torch [3C, C] fused weight (rows: q | k | v output channels). */
  readonly wqkv: number[][];
  /** [3C] bias (q | k | v). */
  readonly bqkv: number[];
  /** torch [C, C]. */
  readonly wo: number[][];
  readonly bo: number[];
}

export interface NaiveAttentionOptions {
  readonly heads: number;
  readonly scale: number;
  /** visible(query index, key index) over the concatenated sequence. */
  readonly visible: (i: number, j: number) => boolean;
  /** VAR l2 norm: per-head log temperature. */
  readonly scaleMul?: number[];
  /** Rotates a head vector at a position (RoPE), applied to q and k. */
  readonly rotate?: (v: number[], position: number) => number[];
  /** Keys/values from this sequence instead of x (cross-attention; wqkv rows C..3C read it). */
  readonly context?: number[][];
}

function linear(x: number[], w: number[][], b: number[], rowStart: number, rows: number): number[] {
  return Array.from({ length: rows }, (_, o) => {
    const row = w[rowStart + o] as number[];
    return row.reduce((s, wi, i) => s + wi * (x[i] as number), b[rowStart + o] as number);
  });
}

function normalize(v: number[]): number[] {
  const n = Math.max(Math.sqrt(v.reduce((s, a) => s + a * a, 0)), 1e-12);
  return v.map((a) => a / n);
}

/** x: one batch row [L][C] → [L][C]. */
export function naiveAttention(x: number[][], w: NaiveAttentionWeights, o: NaiveAttentionOptions): number[][] {
  const C = (x[0] as number[]).length;
  const d = C / o.heads;
  const source = o.context ?? x;
  const q = x.map((t) => linear(t, w.wqkv, w.bqkv, 0, C));
  const k = source.map((t) => linear(t, w.wqkv, w.bqkv, C, C));
  const v = source.map((t) => linear(t, w.wqkv, w.bqkv, 2 * C, C));
  const merged = x.map(() => new Array<number>(C).fill(0));
  for (let h = 0; h < o.heads; h++) {
    const head = (t: number[]) => t.slice(h * d, h * d + d);
    let qh = q.map(head);
    let kh = k.map(head);
    const vh = v.map(head);
    if (o.scaleMul) {
      const mul = Math.exp(Math.min(o.scaleMul[h] as number, Math.log(100)));
      qh = qh.map((t) => normalize(t).map((a) => a * mul));
      kh = kh.map(normalize);
    }
    if (o.rotate) {
      qh = qh.map((t, i) => (o.rotate as NonNullable<typeof o.rotate>)(t, i));
      kh = kh.map((t, j) => (o.rotate as NonNullable<typeof o.rotate>)(t, j));
    }
    qh.forEach((qi, i) => {
      const logits = kh.map((kj, j) =>
        o.visible(i, j) ? o.scale * qi.reduce((s, a, c) => s + a * (kj[c] as number), 0) : -Infinity,
      );
      const max = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - max));
      const z = e.reduce((s, a) => s + a, 0);
      for (let c = 0; c < d; c++) {
        (merged[i] as number[])[h * d + c] = e.reduce((s, p, j) => s + (p / z) * ((vh[j] as number[])[c] as number), 0);
      }
    });
  }
  return merged.map((t) => linear(t, w.wo, w.bo, 0, C));
}

/** RoPE rotate-half on a head vector, base 10000, from the definition. */
export function naiveRope(v: number[], position: number, base = 10000): number[] {
  const d = v.length;
  const half = d / 2;
  return v.map((a, i) => {
    const pair = i < half ? i : i - half;
    const angle = position / base ** ((2 * pair) / d);
    const partner = i < half ? -(v[i + half] as number) : (v[i - half] as number);
    return a * Math.cos(angle) + partner * Math.sin(angle);
  });
}
