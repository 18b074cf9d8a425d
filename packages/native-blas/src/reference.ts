import type { Conv2dGeometry, FilterLogitsArgs, GemmArgs, GroupNormArgs, L2NormalizeArgs, LayerNormArgs } from './addon.js';

/**
 * Plain-loop references (float64 accumulation) that the load-time self-check compares the addon with. Operands are
 * separate arrays here, not heap offsets.
 */
export function referenceGemm(args: Omit<GemmArgs, 'a' | 'b' | 'c'>, a: Float32Array, b: Float32Array): Float64Array {
  const { batch, m, n, k, transposeA, transposeB, strideA, strideB } = args;
  const c = new Float64Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    for (let r = 0; r < m; r++) {
      for (let col = 0; col < n; col++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = a[i * strideA + (transposeA ? p * m + r : r * k + p)] as number;
          const bv = b[i * strideB + (transposeB ? col * k + p : p * n + col)] as number;
          sum += av * bv;
        }
        c[(i * m + r) * n + col] = args.gelu ? 0.5 * sum * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (sum + 0.044715 * sum ** 3))) : sum;
      }
    }
  }
  return c;
}

/** Calls `visit(xIndex, filterIndex, yIndex)` for every multiply of the direct convolution sum. */
function forEachTap(g: Conv2dGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const ix = ox * g.strideWidth + kx * g.dilationWidth - g.padLeft;
            if (ix < 0 || ix >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++) {
              const xi = ((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ci;
              const wi = ((ky * g.filterWidth + kx) * g.inChannels + ci) * g.outChannels;
              const yi = ((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels;
              for (let co = 0; co < g.outChannels; co++) visit(xi, wi + co, yi + co);
            }
          }
        }
      }
    }
  }
}

/** y = conv(x, w); dx from dy; dw from x and dy — the three passes, each as a direct sum over the taps. */
export function referenceConv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * g.outChannels);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  forEachTap(g, (xi, wi, yi) => {
    y[yi] = (y[yi] as number) + (x[xi] as number) * (w[wi] as number);
    dx[xi] = (dx[xi] as number) + (dy[yi] as number) * (w[wi] as number);
    dw[wi] = (dw[wi] as number) + (x[xi] as number) * (dy[yi] as number);
  });
  return { y, dx, dw };
}

/** GroupNorm (+ SiLU) of x [batch, positions, channels] by its definition, in float64. */
export function referenceGroupNorm(
  args: Omit<GroupNormArgs, 'x' | 'y' | 'weight' | 'bias'>,
  x: Float32Array,
  weight?: Float32Array,
  bias?: Float32Array,
): Float64Array {
  const { batch, positions, channels, groups, eps, silu } = args;
  const perGroup = channels / groups;
  const y = new Float64Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      const members: number[] = [];
      for (let p = 0; p < positions; p++) for (let i = 0; i < perGroup; i++) members.push((b * positions + p) * channels + g * perGroup + i);
      const mean = members.reduce((sum, at) => sum + (x[at] as number), 0) / members.length;
      const variance = members.reduce((sum, at) => sum + ((x[at] as number) - mean) ** 2, 0) / members.length;
      for (const at of members) {
        const c = at % channels;
        const v = (((x[at] as number) - mean) / Math.sqrt(variance + eps)) * (weight ? (weight[c] as number) : 1) + (bias ? (bias[c] as number) : 0);
        y[at] = silu ? v / (1 + Math.exp(-v)) : v;
      }
    }
  }
  return y;
}

/** LayerNorm over the last axis of x [rows, dim] by its definition, then the modulation when given, in float64. */
export function referenceLayerNorm(
  args: Omit<LayerNormArgs, 'x' | 'y' | 'weight' | 'bias' | 'scale' | 'shift'>,
  x: Float32Array,
  weight?: Float32Array,
  bias?: Float32Array,
  modulation?: { scale: Float32Array; shift: Float32Array },
): Float64Array {
  const { rows, dim, eps } = args;
  const perGroup = args.rowsPerGroup ?? rows;
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * dim, (r + 1) * dim);
    const mean = row.reduce((sum, v) => sum + v, 0) / dim;
    const variance = row.reduce((sum, v) => sum + (v - mean) ** 2, 0) / dim;
    row.forEach((v, i) => {
      const normed = ((v - mean) / Math.sqrt(variance + eps)) * (weight ? (weight[i] as number) : 1) + (bias ? (bias[i] as number) : 0);
      const at = Math.floor(r / perGroup) * dim + i;
      y[r * dim + i] = modulation ? normed * (1 + (modulation.scale[at] as number)) + (modulation.shift[at] as number) : normed;
    });
  }
  return y;
}

/**
 * Top-k then top-p by their definitions, on a copy: the k-th largest from a full descending sort; for top-p every
 * finite entry as (value, index) sorted ascending by value then index, its float64 softmax share accumulated in that
 * order, and entries removed while the running share stays ≤ 1 − p (never the last).
 */
export function referenceFilterLogits(args: Omit<FilterLogitsArgs, 'values'>, logits: Float32Array): Float32Array {
  const { rows, vocab, topK, topP } = args;
  const out = Float32Array.from(logits);
  for (let r = 0; r < rows; r++) {
    const row = out.subarray(r * vocab, (r + 1) * vocab);
    if (topK > 0 && topK < vocab) {
      const kth = Array.from(row).sort((a, b) => b - a)[topK - 1] as number;
      row.forEach((v, i) => {
        if (v < kth) row[i] = -Infinity;
      });
    }
    if (!(topP > 0 && topP < 1)) continue;
    const entries = Array.from(row, (value, index) => ({ value, index })).filter((e) => e.value > -Infinity);
    if (entries.length < 2) continue;
    entries.sort((a, b) => a.value - b.value || a.index - b.index);
    const max = (entries.at(-1) as { value: number }).value;
    const shares = entries.map((e) => Math.exp(e.value - max));
    const sum = shares.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    for (let j = 0; j < entries.length - 1; j++) {
      cumulative += (shares[j] as number) / sum;
      if (cumulative > 1 - topP) break;
      row[(entries[j] as { index: number }).index] = -Infinity;
    }
  }
  return out;
}

/** F.normalize of each row by its definition in float64, then the row's scale (scale[⌊r / rowsPerScale⌋ mod S]). */
export function referenceL2Normalize(args: Omit<L2NormalizeArgs, 'x' | 'y' | 'scale'>, x: Float32Array, scale?: Float32Array): Float64Array {
  const { rows, dim, eps } = args;
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * dim, (r + 1) * dim);
    const norm = Math.max(Math.sqrt(row.reduce((sum, v) => sum + v * v, 0)), eps);
    const factor = scale ? (scale[Math.floor(r / (args.rowsPerScale ?? rows)) % scale.length] as number) : 1;
    row.forEach((v, i) => {
      y[r * dim + i] = (v / norm) * factor;
    });
  }
  return y;
}
