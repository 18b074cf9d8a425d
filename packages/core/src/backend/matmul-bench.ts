import { tf } from '../tf.js';
import type { BackendName } from './backend-name.js';
import { initBackend, listBackends } from './init-backend.js';
import { isWasmMatMulRouted, routeWasmMatMul } from './wasm/batch-matmul-routing.js';

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
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  tf.dispose([a, b]);
  const msMedian = median(times);
  const flops = (pass === 'forward' ? 2 : 6) * (batch ?? 1) * m * k * n;
  return { label: shape.label, pass, gflops: round(flops / msMedian / 1e6), msMedian: round(msMedian) };
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

export interface BackendMatmulBench {
  readonly backend: BackendName;
  readonly variant: 'routed' | 'tfjs-original' | 'as-shipped';
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
}

export interface CoreBench {
  readonly machine: { readonly cpus: number; readonly node: string; readonly tfjs: string };
  readonly sizes: Readonly<Record<string, number>>;
  readonly results: readonly BackendMatmulBench[];
}

/** `nextx bench core`: matMul GFLOP/s, forward and backward, on every available backend (wasm with and without routing). */
export async function benchCore(options: { wasmSize?: number; cpuSize?: number; repeats?: number } = {}): Promise<CoreBench> {
  const wasmSize = options.wasmSize ?? 1024;
  const cpuSize = options.cpuSize ?? 256;
  const repeats = options.repeats ?? 3;
  const available = (await listBackends()).filter((c) => c.available).map((c) => c.name);
  const previous = tf.getBackend();
  const results: BackendMatmulBench[] = [];
  for (const backend of available) {
    await initBackend({ prefer: backend });
    const size = backend === 'cpu' ? cpuSize : wasmSize;
    if (backend === 'wasm') {
      results.push(runFamily(backend, 'routed', size, repeats));
      routeWasmMatMul(false);
      try {
        results.push(runFamily(backend, 'tfjs-original', size, repeats));
      } finally {
        routeWasmMatMul(true);
      }
    } else {
      results.push(runFamily(backend, 'as-shipped', size, repeats));
    }
  }
  if (previous) await tf.setBackend(previous);
  return {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, tfjs: tf.version.tfjs },
    sizes: { wasm: wasmSize, cpu: cpuSize },
    results,
  };
}

function runFamily(backend: BackendName, variant: BackendMatmulBench['variant'], size: number, repeats: number): BackendMatmulBench {
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
    ratioToSquare2d[key] = round(f.gflops / gflops(square, f.pass));
    const reference = shapes.find((s) => s.label === f.label)?.reference;
    if (reference) ratioToReference2d[key] = round(f.gflops / gflops(reference, f.pass));
  }
  const worstRatioToReference2d = Math.min(...Object.values(ratioToReference2d));
  return { backend, variant, figures, ratioToSquare2d, ratioToReference2d, worstRatioToReference2d };
}

export { isWasmMatMulRouted };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
