/**
 * FFT against the dense DFT on each backend: 1-D batched transforms at n = 64 … 4096 (and the odd lengths the domains
 * use), 2-D transforms of MRI slices (320², 640×368), and SpaceTime's FFT convolution forward and backward.
 * Each figure is the median wall-clock and CPU ms of `--reps` timed calls after one warm-up, forced with dataSync().
 * `npx tsx bench/fft.ts [--backends wasm,cpu] [--reps 5] [--rows 32] [--denseMaxCpu 1024]`
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { tf } from '../src/tf.js';
import { initBackend } from '../src/backend/init-backend.js';
import { fft, fft2, type FftEngine } from '../src/signal/fft.js';
import { fftConv } from '../src/signal/fft-conv.js';
import { denseDft } from '../src/signal/dense-dft.js';
import { disposeFftCache } from '../src/signal/fft-cache.js';
import { cachedHostPlan } from '../src/signal/fft-cache.js';
import { tensorStrategy } from '../src/signal/tensor-fft.js';
import type { ComplexTensor } from '../src/signal/complex-tensor.js';
import { Rng } from '../src/rng/rng.js';
import { benchArgs, machine, median } from './gpt-bench-common.js';

const { backends, args } = benchArgs({ reps: '5', rows: '32', denseMaxCpu: '1024', lengths: '64,128,256,320,368,512,1000,1009,1024,2048,4096' });
const reps = Number(args['reps']);
const rows = Number(args['rows']);
const lengths = (args['lengths'] as string).split(',').map(Number);

function randomComplex(shape: number[], seed: number): ComplexTensor {
  const rng = Rng.seeded(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = () => Float32Array.from({ length: size }, () => rng.normal());
  return { re: tf.tensor(values(), shape), im: tf.tensor(values(), shape) };
}

/**
 * Median wall-clock ms of `reps` calls after a warm-up, and the median process CPU ms of the same calls (less
 * sensitive to other work on a shared machine: tfjs here runs on one thread); each result is read back (dataSync)
 * and disposed.
 */
function time(run: () => tf.Tensor | ComplexTensor): { ms: number; cpuMs: number } {
  const once = () => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const out = run();
    const parts = out instanceof tf.Tensor ? [out] : [out.re, out.im];
    for (const p of parts) p.dataSync();
    tf.dispose(parts);
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
  once();
  const runs = Array.from({ length: reps }, once);
  const round = (v: number) => Number(v.toFixed(3));
  return { ms: round(median(runs.map((r) => r.ms))), cpuMs: round(median(runs.map((r) => r.cpuMs))) };
}

const variants = (x: ComplexTensor, axis: number, denseToo: boolean) => {
  const out: Record<string, { ms: number; cpuMs: number }> = {};
  for (const engine of ['host', 'tensor'] as FftEngine[]) out[`fft_${engine}`] = time(() => fft(x, { axis, engine }));
  if (denseToo) {
    out['dense_cached'] = time(() => denseDft(x, { axis }));
    out['dense_rebuilt'] = time(() => denseDft(x, { axis, cacheMatrix: false }));
  }
  return out;
};

const results = [];
for (const backend of backends) {
  await initBackend({ prefer: backend });
  const denseMax = backend === 'cpu' ? Number(args['denseMaxCpu']) : Infinity;
  const oneD = [];
  for (const n of lengths) {
    const x = randomComplex([rows, n], n);
    const timings = variants(x, -1, n <= denseMax);
    oneD.push({ n, rows, host: cachedHostPlan(n).strategy, tensor: tensorStrategy(n), timings });
    tf.dispose([x.re, x.im]);
  }
  const twoD = [];
  for (const [h, w] of [
    [320, 320],
    [640, 368],
  ] as const) {
    const x = randomComplex([h, w], h + w);
    const ms: Record<string, { ms: number; cpuMs: number }> = {};
    for (const engine of ['host', 'tensor'] as FftEngine[]) ms[`fft2_${engine}`] = time(() => fft2(x, { engine }));
    if (Math.max(h, w) <= denseMax) {
      const dense = (cacheMatrix: boolean) => () => tf.tidy(() => denseDft(denseDft(x, { axis: -1, cacheMatrix }), { axis: -2, cacheMatrix }));
      ms['dense_cached'] = time(dense(true));
      ms['dense_rebuilt'] = time(dense(false));
    }
    twoD.push({ shape: [h, w], timings: ms });
    tf.dispose([x.re, x.im]);
  }
  // SpaceTime: a kernel per channel [C, L] convolved with a batch [B, C, L] at n = 2L, forward and forward+backward.
  const [B, C, L] = [4, 16, 1024];
  const u = randomComplex([B, C, L], 1).re;
  const k = randomComplex([C, L], 2).re;
  const conv: Record<string, { ms: number; cpuMs: number }> = {};
  for (const engine of ['host', 'tensor'] as FftEngine[]) {
    conv[`forward_${engine}`] = time(() => fftConv(u, k, { n: 2 * L, engine }));
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(fftConv(a, b, { n: 2 * L, engine }))));
    conv[`forward_backward_${engine}`] = time(() => {
      const [ga, gb] = grads([u, k]);
      tf.dispose(gb);
      return ga as tf.Tensor;
    });
  }
  tf.dispose([u, k]);
  disposeFftCache();
  results.push({ backend, oneD, twoD, fftConv: { shape: { u: [B, C, L], k: [C, L], n: 2 * L }, timings: conv } });
}
console.log(JSON.stringify({ bench: 'fft', reps, machine: machine(), loadAverage: loadavg(), results }, null, 2));
