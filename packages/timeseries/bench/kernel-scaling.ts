/**
 * SpaceTime kernel computation against sequence length L: the official repeated squaring (what the network uses,
 * O(N³ log L + N² L)) and the paper's closed form (A^L, correlations and one L-point real FFT, O(N³ log L + L log L)),
 * for 64 kernels of state size 64. Run: npx tsx packages/timeseries/bench/kernel-scaling.ts  (prints JSON)
 */
import { initBackend, Rng, tf } from '@nextx/core';
import { companionKrylovClosedForm, companionMatrix, krylov, normRows } from '../src/spacetime/companion.js';
import { machine, timeIt } from './machine.js';

await initBackend({ prefer: (process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
const H = 64;
const N = 64;
const rng = Rng.seeded(0);
const draw = () => tf.tensor2d(rng.fillNormal(new Float32Array(H * N)), [H, N]);
const [aRaw, b, c] = [draw(), draw(), draw()];
const p = normRows(aRaw, 1);
const A = companionMatrix(p);
const rows = [];
for (const L of [64, 128, 256, 512, 1024, 2048, 4096]) {
  const squaring = await timeIt(() => tf.tidy(() => krylov(L, A, b, c).dataSync()));
  const closed = await timeIt(() => tf.tidy(() => companionKrylovClosedForm(L, p, b, c).dataSync()));
  const diff = tf.tidy(() => {
    const k1 = krylov(L, A, b, c);
    const k2 = companionKrylovClosedForm(L, p, b, c);
    return tf.max(tf.div(tf.abs(tf.sub(k1, k2)), tf.add(tf.max(tf.abs(k1)), 1e-12))).dataSync()[0] as number;
  });
  rows.push({ L, repeatedSquaringMs: squaring.ms, closedFormMs: closed.ms, repeatedSquaringCpuMs: squaring.cpuMs, closedFormCpuMs: closed.cpuMs, ratio: closed.ms / squaring.ms, maxRelativeDifference: diff });
  console.error(`L=${L}: repeated squaring ${squaring.ms.toFixed(1)} ms, closed form ${closed.ms.toFixed(1)} ms`);
}
tf.dispose([aRaw, b, c, p, A]);
console.log(JSON.stringify({ bench: 'spacetime-kernel-scaling', machine: machine(), kernels: H, stateSize: N, fft: 'core signal rfft/irfft (O(n log n))', rows }, null, 1));
