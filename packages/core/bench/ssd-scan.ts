/**
 * Mamba-2's SSD scan: the chunked parallel form (training) against the recurrent step run T times (generation), and a
 * Mamba2 layer's forward+backward, on wasm and cpu. Prints JSON (median ms of 3 after a warm-up).
 *
 *   npx tsx packages/core/bench/ssd-scan.ts [--backends wasm,cpu] [--batch 8] [--length 256]
 */
import { performance } from 'node:perf_hooks';
import { tf } from '../src/tf.js';
import { initBackend } from '../src/backend/init-backend.js';
import { ssdChunked, ssdStep } from '../src/ssm/ssd-scan.js';
import { Mamba2 } from '../src/ssm/mamba2.js';
import { benchArgs, machine, median } from './gpt-bench-common.js';

const { backends, args } = benchArgs({ batch: '8', length: '256', heads: '4', headDim: '32', state: '32' });
const B = Number(args['batch']);
const T = Number(args['length']);
const H = Number(args['heads']);
const P = Number(args['headDim']);
const N = Number(args['state']);

function time(run: () => void): number {
  run();
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return +median(samples).toFixed(1);
}

const results: Record<string, unknown> = {};
for (const backend of backends) {
  await initBackend({ prefer: backend });
  const x = tf.randomNormal([B, T, H, P], 0, 1, 'float32', 1);
  const dt = tf.fill([B, T, H], 0.05);
  const A = tf.fill([H], -1);
  const Bm = tf.randomNormal([B, T, 1, N], 0, 1, 'float32', 2);
  const Cm = tf.randomNormal([B, T, 1, N], 0, 1, 'float32', 3);
  const chunked: Record<string, number> = {};
  for (const q of [32, 64, 128]) {
    chunked[`chunk${q}`] = time(() => tf.tidy(() => ssdChunked({ x, dt, A, B: Bm, C: Cm }, { chunkSize: q }).y.dataSync()));
  }
  const recurrent = time(() =>
    tf.tidy(() => {
      let state = tf.zeros([B, H, P, N]);
      for (let t = 0; t < T; t++) {
        const at = (v: tf.Tensor) => tf.squeeze(tf.slice(v, [0, t], [-1, 1]), [1]);
        state = ssdStep(state, { x: at(x), dt: at(dt), A, B: at(Bm), C: at(Cm) }).state;
      }
      state.dataSync();
    }),
  );
  const layer = new Mamba2({ dModel: (H * P) / 2, dState: N, headDim: P, chunkSize: 64 });
  const u = tf.randomNormal([B, T, (H * P) / 2], 0, 1, 'float32', 4);
  const trainStep = time(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(layer.forward(u))) as tf.Scalar);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  results[backend] = { scanMs: chunked, recurrentStepsMs: recurrent, mamba2ForwardBackwardMs: trainStep, parameters: layer.numParameters() };
  layer.dispose();
  tf.dispose([x, dt, A, Bm, Cm, u]);
}
console.log(JSON.stringify({ bench: 'core ssd scan', machine: machine(), shape: { batch: B, length: T, heads: H, headDim: P, state: N }, results }, null, 1));
