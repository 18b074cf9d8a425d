/**
 * Forward+backward time of the 4-layer, width-256 byte GPT on a batch of 8 × 128 bytes (and the whole step with
 * AdamW), median of the timed steps after one warm-up, on each backend.
 * `npx tsx bench/gpt-train-step.ts [--backends wasm,cpu] [--steps 3]`.
 */
import { performance } from 'node:perf_hooks';
import { tf } from '../src/tf.js';
import { initBackend } from '../src/backend/init-backend.js';
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
for (const backend of backends) {
  await initBackend({ prefer: backend });
  const model = new ByteGpt(BENCH_MODEL);
  const params = model.namedParameters();
  parameterCount = model.numParameters();
  const optimizer = new AdamW(params);
  const sampler = new ByteWindowSampler(corpus, { batchSize: 8, seqLen: 128, seed: 0 });
  const forwardBackward: number[] = [];
  const fullStep: number[] = [];
  const steps = Number(args['steps']);
  for (let i = 0; i <= steps; i++) {
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
    forwardBackward.push(gradsDone - started);
    fullStep.push(done - started);
  }
  results.push({
    backend,
    forwardBackwardMs: Number(median(forwardBackward).toFixed(1)),
    stepWithAdamWMs: Number(median(fullStep).toFixed(1)),
    tokensPerSecond: Number(((8 * 128 * 1000) / median(fullStep)).toFixed(1)),
    timedSteps: steps,
  });
  optimizer.dispose();
  model.dispose();
}
console.log(JSON.stringify({ bench: 'gpt-train-step', model: { ...BENCH_MODEL, params: parameterCount }, batch: 8, seqLen: 128, machine: machine(), results }, null, 2));
