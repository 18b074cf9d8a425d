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
}

export interface MatmulFigure {
  readonly label: string;
  readonly pass: 'forward' | 'backward';
  readonly gflops: number;
  readonly msMedian: number;
}

/**
 * Median GFLOP/s of a matMul (forward: 2·b·m·k·n FLOPs; backward: the gradients w.r.t. both inputs, 4·b·m·k·n),
 * after `warmup` runs, each forced with dataSync.
 */
export function measureMatmul(shape: MatmulShape, pass: 'forward' | 'backward', repeats = 3, warmup = 1): MatmulFigure {
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
  const flops = (pass === 'forward' ? 2 : 4) * (batch ?? 1) * m * k * n;
  return { label: shape.label, pass, gflops: round(flops / msMedian / 1e6), msMedian: round(msMedian) };
}

/** Shapes of `nextx bench core`: the same FLOPs in each family, so GFLOP/s compare directly with the 2-D figure. */
export function benchShapes(size: number): MatmulShape[] {
  const heads = 16;
  const seq = size / 4;
  const headDim = size / 16;
  return [
    { label: `2-D ${size}³`, m: size, k: size, n: size },
    { label: `transposeA ${size}³`, m: size, k: size, n: size, transposeA: true },
    { label: `transposeB ${size}³`, m: size, k: size, n: size, transposeB: true },
    { label: `attention q·kᵀ [${heads},${seq},${headDim}]×[${heads},${seq},${headDim}]ᵀ`, batch: heads, m: seq, k: headDim, n: seq, transposeB: true },
    { label: `attention p·v [${heads},${seq},${seq}]×[${heads},${seq},${headDim}]`, batch: heads, m: seq, k: seq, n: headDim },
    { label: `2-D same FLOPs as attention [${heads * seq},${headDim}]×[${headDim},${seq}]`, m: heads * seq, k: headDim, n: seq },
  ];
}

export interface BackendMatmulBench {
  readonly backend: BackendName;
  readonly variant: 'routed' | 'tfjs-original' | 'as-shipped';
  readonly figures: readonly MatmulFigure[];
  /** Each figure divided by the forward 2-D figure of the same variant. */
  readonly ratioTo2d: Readonly<Record<string, number>>;
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
  const figures: MatmulFigure[] = [];
  for (const shape of benchShapes(size)) {
    figures.push(measureMatmul(shape, 'forward', repeats));
    figures.push(measureMatmul(shape, 'backward', repeats));
  }
  const reference = figures[0]?.gflops ?? 1;
  const ratioTo2d: Record<string, number> = {};
  for (const f of figures) ratioTo2d[`${f.label} ${f.pass}`] = round(f.gflops / reference);
  return { backend, variant, figures, ratioTo2d };
}

export { isWasmMatMulRouted };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
