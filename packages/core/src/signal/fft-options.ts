import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/** numpy/torch `norm`: 'backward' scales only the inverse by 1/n, 'ortho' both by 1/√n, 'forward' only the forward. */
export type FftNorm = 'backward' | 'ortho' | 'forward';

/**
 * Where the transform runs. 'host': the float64 mixed-radix/Bluestein FFT of host-fft.ts on the tensor's data (one
 * download and one upload per call). 'tensor': the matrix-product Cooley–Tukey of tensor-fft.ts, in the backend's
 * own ops. 'auto' picks per backend what bench/fft.ts measured faster (BENCHMARKS.md): host on wasm and cpu, tensor
 * on every other backend (tfjs-node, cuda, webgl), where data stays on the device.
 */
export type FftEngine = 'auto' | 'host' | 'tensor';

export interface FftOptions {
  /** Length of the transform along `axis`: the input is cropped or zero-padded to it (torch's `n`). */
  readonly n?: number;
  readonly axis?: number;
  readonly norm?: FftNorm;
  readonly engine?: FftEngine;
}

export interface FftnOptions {
  /** Lengths along `axes` (torch's `s`); with `s` and no `axes`, the last `s.length` axes. */
  readonly s?: readonly number[];
  /** Default: the last `s.length` axes with `s`, else every axis. */
  readonly axes?: readonly number[];
  readonly norm?: FftNorm;
  readonly engine?: FftEngine;
}

/**
 * Backends where the host engine is faster than the tensor one (bench/fft.ts), with the length up to which one dense
 * product with a cached matrix (the tensor engine at n ≤ DENSE_MAX) still beats it.
 */
const HOST_BACKENDS: Record<string, { denseUpTo: number }> = { wasm: { denseUpTo: 64 }, cpu: { denseUpTo: 0 } };

export function resolveEngine(engine: FftEngine | undefined, lengths: readonly number[]): 'host' | 'tensor' {
  if (engine && engine !== 'auto') return engine;
  const host = HOST_BACKENDS[tf.getBackend()];
  if (!host) return 'tensor';
  return lengths.every((n) => n <= host.denseUpTo) ? 'tensor' : 'host';
}

export function scaleFor(n: number, inverse: boolean, norm: FftNorm): number {
  if (norm === 'ortho') return 1 / Math.sqrt(n);
  return (norm === 'forward') !== inverse ? 1 / n : 1;
}

export function checkNorm(norm: string): FftNorm {
  if (norm !== 'backward' && norm !== 'ortho' && norm !== 'forward') {
    throw new InputError(`norm must be 'backward', 'ortho' or 'forward', got '${norm}'`);
  }
  return norm;
}

export function checkLength(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${what} must be a positive integer, got ${n}`);
  return n;
}

