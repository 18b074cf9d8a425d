/**
 * One VQVAE training step (reconstruction + multi-scale VQ loss, gradients of every parameter, AdamW) of the
 * Fashion-MNIST config (0.99 M parameters) on a batch of 32 random 32×32×1 images, on wasm: with @nextx/native-blas
 * loaded, OpenBLAS and XNNPACK alternately step by step (so load drift falls on both) and their ratio; median after
 * one warm-up each. Threads: NEXTX_WASM_THREADS (OpenBLAS's with the addon).
 *
 *   npx tsx packages/vision/bench/vqvae-train-step.ts [--steps 5] [--batch 32]
 */
import { cpus, loadavg } from 'node:os';
import { AdamW, Rng, accumulateGradients, initBackend, tf, useNativeBlas } from '@nextx/core';
import { FASHION_MNIST_VAR_CONFIG } from '../src/var/fashion-mnist-recipe.js';
import { buildVar } from '../src/var/load.js';
import { vqvaeLoss } from '../src/var/train-vqvae.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const steps = Number(option('steps') ?? 5);
const batchSize = Number(option('batch') ?? 32);

const status = await initBackend({ prefer: 'wasm' });
const variants = status.blas?.active ? (['openblas', 'xnnpack'] as const) : (['xnnpack'] as const);
const { vqvae } = buildVar(FASHION_MNIST_VAR_CONFIG, 0);
vqvae.train();
const params = vqvae.namedParameters();
const optimizer = new AdamW(params);
const rng = Rng.seeded(0);
const loadBefore = loadavg();
const times = new Map(variants.map((v) => [v, [] as number[]]));
for (let i = 0; i <= steps; i++) {
  for (const variant of variants) {
    useNativeBlas(variant === 'openblas');
    const pixels = rng.fillNormal(new Float32Array(batchSize * 32 * 32)).map((v) => Math.tanh(v));
    const batch = { pixels, labels: new Int32Array(batchSize), shape: [batchSize, 32, 32, 1] as const };
    const started = performance.now();
    const { loss, grads } = accumulateGradients(params, [() => vqvaeLoss(vqvae, batch)]);
    optimizer.apply(grads, 1e-4);
    await params[0]?.[1].data();
    const ms = performance.now() - started;
    tf.dispose([loss, ...Object.values(grads)]);
    if (i > 0) times.get(variant)?.push(ms);
  }
}
useNativeBlas(true);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
const results = [...times].map(([variant, t]) => ({
  variant,
  ...(variant === 'openblas' ? { blasThreads: status.blas?.threads } : { xnnpackThreads: status.wasmThreads }),
  stepMs: Math.round(median(t)),
  timesMs: t.map(Math.round),
}));
const ratio = variants.length === 2 ? Math.round((median(times.get('xnnpack') ?? []) / median(times.get('openblas') ?? [])) * 100) / 100 : undefined;
optimizer.dispose();
vqvae.dispose();
console.log(
  JSON.stringify(
    {
      bench: 'vqvae-train-step',
      config: 'FASHION_MNIST_VAR_CONFIG vqvae',
      parameters: params.reduce((n, [, p]) => n + p.size, 0),
      batch: [batchSize, 32, 32, 1],
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
      blas: status.blas,
      results,
      ...(ratio ? { openblasSpeedupOverXnnpack: ratio } : {}),
    },
    null,
    2,
  ),
);
