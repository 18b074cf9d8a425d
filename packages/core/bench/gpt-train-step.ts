/**
 * Forward+backward time of the 4-layer, width-256 byte GPT on a batch of 8 × 128 bytes (and the whole step with
 * AdamW), median of the timed steps after one warm-up, on each backend. On wasm with @nextx/native-blas loaded, the
 * step runs with OpenBLAS and with XNNPACK alternately (one step each in turn, so load drift falls on both), and the
 * JSON gives their ratio. Threads: NEXTX_WASM_THREADS.
 * `npx tsx bench/gpt-train-step.ts [--backends wasm,cpu] [--steps 3]`.
 */
import { performance } from 'node:perf_hooks';
import { tf } from '../src/tf.js';
import { initBackend } from '../src/backend/init-backend.js';
import { useNativeBlas } from '../src/backend/wasm/native-blas.js';
import { ByteGpt } from '../src/demo/byte-gpt/model.js';
import { byteGptLoss } from '../src/demo/byte-gpt/train.js';
import { DEMO_CORPUS } from '../src/demo/demo-corpus.js';
import { AdamW } from '../src/train/adamw.js';
import { accumulateGradients } from '../src/train/gradient-accumulation.js';
import { ByteWindowSampler } from '../src/train/byte-window-sampler.js';
import { BENCH_MODEL, benchArgs, machine, median } from './gpt-bench-common.js';

const { backends, args } = benchArgs({ steps: '3' });
const corpus = new TextEncoder().encode(DEMO_CORPUS);
let parameterCount = 0;
const results = [];
let blasOverXnnpack: number | undefined;
for (const backend of backends) {
  const status = await initBackend({ prefer: backend });
  const variants = backend === 'wasm' && status.blas?.active ? (['openblas', 'xnnpack'] as const) : ([backend === 'wasm' ? 'xnnpack' : 'as-shipped'] as const);
  const model = new ByteGpt(BENCH_MODEL);
  const params = model.namedParameters();
  parameterCount = model.numParameters();
  const optimizer = new AdamW(params);
  const sampler = new ByteWindowSampler(corpus, { batchSize: 8, seqLen: 128, seed: 0 });
  const times = new Map(variants.map((v) => [v, { forwardBackward: [] as number[], fullStep: [] as number[] }]));
  const steps = Number(args['steps']);
  for (let i = 0; i <= steps; i++) {
    for (const variant of variants) {
      if (backend === 'wasm') useNativeBlas(variant === 'openblas');
      const batch = await sampler.next();
      const started = performance.now();
      const { loss, grads } = accumulateGradients(params, [() => byteGptLoss(model, batch)]);
      await loss.data();
      const gradsDone = performance.now();
      optimizer.apply(grads, 1e-4);
      await params[0]?.[1].data();
      const done = performance.now();
      tf.dispose([loss, ...Object.values(grads)]);
      if (i === 0) continue; // warm-up
      times.get(variant)?.forwardBackward.push(gradsDone - started);
      times.get(variant)?.fullStep.push(done - started);
    }
  }
  useNativeBlas(true);
  for (const [variant, { forwardBackward, fullStep }] of times) {
    results.push({
      backend,
      variant,
      ...(variant === 'openblas' ? { blasThreads: status.blas?.threads } : { xnnpackThreads: status.wasmThreads }),
      forwardBackwardMs: Number(median(forwardBackward).toFixed(1)),
      stepWithAdamWMs: Number(median(fullStep).toFixed(1)),
      tokensPerSecond: Number(((8 * 128 * 1000) / median(fullStep)).toFixed(1)),
      timedSteps: steps,
    });
  }
  const stepOf = (variant: string) => median(times.get(variant as never)?.fullStep ?? []);
  if (variants.length === 2) blasOverXnnpack = Number((stepOf('xnnpack') / stepOf('openblas')).toFixed(2));
  optimizer.dispose();
  model.dispose();
}
console.log(
  JSON.stringify(
    { bench: 'gpt-train-step', model: { ...BENCH_MODEL, params: parameterCount }, batch: 8, seqLen: 128, machine: machine(), results, ...(blasOverXnnpack ? { openblasSpeedupOverXnnpack: blasOverXnnpack } : {}) },
    null,
    2,
  ),
);
