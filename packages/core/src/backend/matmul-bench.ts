import { tf } from '../tf.js';
import type { BackendName } from './backend-name.js';
import { initBackend, listBackends } from './init-backend.js';
import { isWasmMatMulRouted, routeWasmMatMul } from './wasm/batch-matmul-routing.js';
import { activeBlas, blasStatus, setBlasEnabled } from './wasm/native-blas.js';
import { wasmThreadsInUse } from './wasm/wasm-threads.js';
import { convShapes, measureConv, type ConvFigure } from './conv-bench.js';
import { medianMs, round2 } from './timing.js';

/** One matMul shape: `[batch] × [m, k] · [k, n]` with optional transposes of the stored operands. */
export interface MatmulShape {
  readonly label: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly batch?: number;
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  /** Label of the untransposed 2-D product with the same FLOPs and inner size, the fair reference for this shape. */
  readonly reference?: string;
}

export type MatmulPass = 'forward' | 'forward+backward';

export interface MatmulFigure {
  readonly label: string;
  readonly pass: MatmulPass;
  readonly gflops: number;
  readonly msMedian: number;
}

/**
 * Median GFLOP/s of a matMul after `warmup` runs, each forced with dataSync. forward: 2·b·m·k·n FLOPs;
 * forward+backward (what a training step runs: tf.grads computes the product, then the gradients w.r.t. both
 * inputs): 6·b·m·k·n.
 */
export function measureMatmul(shape: MatmulShape, pass: MatmulPass, repeats = 3, warmup = 1): MatmulFigure {
  const { m, k, n, batch, transposeA = false, transposeB = false } = shape;
  const lead = batch ? [batch] : [];
  const a = tf.randomNormal([...lead, ...(transposeA ? [k, m] : [m, k])]);
  const b = tf.randomNormal([...lead, ...(transposeB ? [n, k] : [k, n])]);
  const run =
    pass === 'forward'
      ? () => {
          const c = tf.matMul(a, b, transposeA, transposeB);
          c.dataSync();
          c.dispose();
        }
      : () => {
          const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, transposeA, transposeB)))([a, b]);
          for (const g of grads) g.dataSync();
          tf.dispose(grads);
        };
  const msMedian = medianMs(run, repeats, warmup);
  tf.dispose([a, b]);
  const flops = (pass === 'forward' ? 2 : 6) * (batch ?? 1) * m * k * n;
  return { label: shape.label, pass, gflops: round2(flops / msMedian / 1e6), msMedian: round2(msMedian) };
}

/** Shapes of `nextx bench core`: the same FLOPs in each family, so GFLOP/s compare directly with the 2-D figure. */
export function benchShapes(size: number): MatmulShape[] {
  const heads = 16;
  const seq = size / 4;
  const headDim = size / 16;
  const square = `2-D ${size}³`;
  const qkRef = `2-D [${heads * seq},${headDim}]×[${headDim},${seq}] (same FLOPs and inner size as q·kᵀ)`;
  const pvRef = `2-D [${heads * seq},${seq}]×[${seq},${headDim}] (same FLOPs and inner size as p·v)`;
  return [
    { label: square, m: size, k: size, n: size },
    { label: `transposeA ${size}³`, m: size, k: size, n: size, transposeA: true, reference: square },
    { label: `transposeB ${size}³`, m: size, k: size, n: size, transposeB: true, reference: square },
    { label: qkRef, m: heads * seq, k: headDim, n: seq },
    { label: `attention q·kᵀ [${heads},${seq},${headDim}]×[${heads},${seq},${headDim}]ᵀ`, batch: heads, m: seq, k: headDim, n: seq, transposeB: true, reference: qkRef },
    { label: pvRef, m: heads * seq, k: seq, n: headDim },
    { label: `attention p·v [${heads},${seq},${seq}]×[${heads},${seq},${headDim}]`, batch: heads, m: seq, k: seq, n: headDim, reference: pvRef },
  ];
}

/** How the products were run: OpenBLAS through @nextx/native-blas, nextx's routing onto XNNPACK, or tfjs as shipped. */
export type ProductVariant = 'openblas' | 'routed' | 'tfjs-original' | 'as-shipped';

export interface BackendMatmulBench {
  readonly backend: BackendName;
  readonly variant: ProductVariant;
  /** Threads of the library that ran the products (OpenBLAS's for 'openblas', XNNPACK's on wasm otherwise). */
  readonly threads: number;
  readonly figures: readonly MatmulFigure[];
  /** Each figure divided by the square 2-D figure of the same variant and pass. */
  readonly ratioToSquare2d: Readonly<Record<string, number>>;
  /**
   * Each transposed or batched figure divided by its reference: the untransposed 2-D product with the same FLOPs and
   * inner size, same variant and pass. What routing is judged by: 1 means no loss against the fast 2-D path.
   */
  readonly ratioToReference2d: Readonly<Record<string, number>>;
  /** The smallest ratio to the reference 2-D product. */
  readonly worstRatioToReference2d: number;
  /** conv2d GFLOP/s (wasm only): VQVAE-shaped convolutions, forward and forward+backward. */
  readonly convFigures?: readonly ConvFigure[];
}

/** One variant's figures divided by another's, shape by shape and pass by pass (same run): > 1 means faster. */
export interface VariantComparison {
  readonly variant: string;
  readonly against: string;
  readonly speedup: Readonly<Record<string, number>>;
  readonly worst: number;
  readonly best: number;
}

export interface CoreBench {
  readonly machine: { readonly cpus: number; readonly node: string; readonly tfjs: string; readonly loadAverage: readonly number[] };
  readonly sizes: Readonly<Record<string, number>>;
  /** Whether @nextx/native-blas ran wasm's products (and its OpenBLAS build), or why not. */
  readonly blas: { readonly active: boolean; readonly reason?: string; readonly detail: string };
  readonly results: readonly BackendMatmulBench[];
  /** wasm's variants against each other: OpenBLAS against nextx's XNNPACK routing (equal threads first), routing against tfjs. */
  readonly comparisons: readonly VariantComparison[];
}

export interface BenchCoreOptions {
  readonly wasmSize?: number;
  readonly cpuSize?: number;
  readonly convSize?: number;
  readonly repeats?: number;
  /** Threads for wasm (initBackend's wasmThreads): OpenBLAS's where the addon loads, else XNNPACK's. */
  readonly wasmThreads?: number;
}

/**
 * `nextx bench core`: matMul GFLOP/s, forward and backward, on every available backend; on wasm each variant in
 * one run — OpenBLAS (where the addon loads; at its thread count and, when that is more than one, at one thread too),
 * nextx's routing onto XNNPACK, tfjs as shipped — with conv2d figures, and each variant's speed-up over the next.
 */
export async function benchCore(options: BenchCoreOptions = {}): Promise<CoreBench> {
  const wasmSize = options.wasmSize ?? 1024;
  const cpuSize = options.cpuSize ?? 256;
  const convSize = options.convSize ?? 32;
  const repeats = options.repeats ?? 3;
  const available = (await listBackends()).filter((c) => c.available).map((c) => c.name);
  const previous = tf.getBackend();
  const results: BackendMatmulBench[] = [];
  for (const backend of available) {
    await initBackend({ prefer: backend, ...(options.wasmThreads ? { wasmThreads: options.wasmThreads } : {}) });
    if (backend === 'wasm') results.push(...(await wasmVariants(wasmSize, convSize, repeats)));
    else results.push(runFamily(backend, 'as-shipped', 1, backend === 'cpu' ? cpuSize : wasmSize, repeats));
  }
  if (previous) await tf.setBackend(previous);
  const { active, reason, detail } = await blasStatus();
  return {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, tfjs: tf.version.tfjs, loadAverage: (await import('node:os')).loadavg().map(round2) },
    sizes: { wasm: wasmSize, cpu: cpuSize, conv: convSize },
    blas: { active, ...(reason ? { reason } : {}), detail },
    results,
    comparisons: compareVariants(results.filter((r) => r.backend === 'wasm')),
  };
}

async function wasmVariants(size: number, convSize: number, repeats: number): Promise<BackendMatmulBench[]> {
  const xnnpackThreads = await wasmThreadsInUse();
  const out: BackendMatmulBench[] = [];
  const blas = activeBlas();
  if (blas) {
    const threads = blas.threads();
    out.push(runFamily('wasm', 'openblas', threads, size, repeats, convSize));
    if (threads !== xnnpackThreads) {
      blas.setThreads(xnnpackThreads);
      try {
        out.push(runFamily('wasm', 'openblas', xnnpackThreads, size, repeats, convSize));
      } finally {
        blas.setThreads(threads);
      }
    }
  }
  setBlasEnabled(false);
  try {
    out.push(runFamily('wasm', 'routed', xnnpackThreads, size, repeats, convSize));
    routeWasmMatMul(false);
    try {
      out.push(runFamily('wasm', 'tfjs-original', xnnpackThreads, size, repeats));
    } finally {
      routeWasmMatMul(true);
    }
  } finally {
    setBlasEnabled(true);
  }
  return out;
}

function runFamily(backend: BackendName, variant: ProductVariant, threads: number, size: number, repeats: number, convSize?: number): BackendMatmulBench {
  const shapes = benchShapes(size);
  const figures: MatmulFigure[] = [];
  for (const shape of shapes) {
    for (const pass of ['forward', 'forward+backward'] as const) figures.push(measureMatmul(shape, pass, repeats));
  }
  const gflops = (label: string, pass: MatmulPass) => figures.find((f) => f.label === label && f.pass === pass)?.gflops ?? NaN;
  const square = shapes[0]?.label ?? '';
  const ratioToSquare2d: Record<string, number> = {};
  const ratioToReference2d: Record<string, number> = {};
  for (const f of figures) {
    const key = `${f.label} ${f.pass}`;
    ratioToSquare2d[key] = round2(f.gflops / gflops(square, f.pass));
    const reference = shapes.find((s) => s.label === f.label)?.reference;
    if (reference) ratioToReference2d[key] = round2(f.gflops / gflops(reference, f.pass));
  }
  const worstRatioToReference2d = Math.min(...Object.values(ratioToReference2d));
  const convFigures =
    convSize === undefined ? undefined : convShapes(convSize).flatMap((c) => (['forward', 'forward+backward'] as const).map((pass) => measureConv(c, pass, repeats)));
  return { backend, variant, threads, figures, ratioToSquare2d, ratioToReference2d, worstRatioToReference2d, ...(convFigures ? { convFigures } : {}) };
}

/** Each wasm variant against the next slower one of the list (OpenBLAS n threads → OpenBLAS 1 thread → routed → tfjs). */
function compareVariants(wasm: readonly BackendMatmulBench[]): VariantComparison[] {
  const name = (r: BackendMatmulBench) => `${r.variant} (${r.threads} thread${r.threads > 1 ? 's' : ''})`;
  const routed = wasm.find((r) => r.variant === 'routed');
  const pairs: Array<[BackendMatmulBench, BackendMatmulBench]> = [];
  for (const r of wasm.filter((v) => v.variant === 'openblas')) if (routed) pairs.push([r, routed]);
  const original = wasm.find((r) => r.variant === 'tfjs-original');
  if (routed && original) pairs.push([routed, original]);
  return pairs.map(([variant, against]) => {
    const speedup: Record<string, number> = {};
    const figuresOf = (r: BackendMatmulBench) => [...r.figures, ...(r.convFigures ?? [])];
    for (const f of figuresOf(variant)) {
      const other = figuresOf(against).find((g) => g.label === f.label && g.pass === f.pass);
      if (other) speedup[`${f.label} ${f.pass}`] = round2(f.gflops / other.gflops);
    }
    const values = Object.values(speedup);
    return { variant: name(variant), against: name(against), speedup, worst: Math.min(...values), best: Math.max(...values) };
  });
}

export { isWasmMatMulRouted };
