/**
 * Costs of the shared plumbing of issue #13, each variant against the one it replaces, in one run per backend:
 * sparse against dense cross-entropy (forward + backward), RoPE and resize tables kept against rebuilt on the host,
 * and what drawing dropout masks and diffusion noise on the host costs (draw, upload, the op that uses it), against
 * a lower bound for drawing them on the backend with integer ops.
 *
 *   cd packages/core && npx tsx bench/plumbing.ts [--backends wasm,cpu] [--repeats 20] [--stat median|best]
 *     [--only crossEntropy,rope,resize,randomness]
 *
 * The variants of a comparison run in turn within every round, so a disturbance hits them alike. `--stat best`
 * reports the fastest round instead of the median: on a machine shared with other work, the figure least disturbed.
 */
import { tf } from '../src/tf.js';
import { initBackend } from '../src/backend/init-backend.js';
import { Rng } from '../src/rng/rng.js';
import { sparseCrossEntropy } from '../src/losses/sparse-cross-entropy.js';
import { RotaryEmbedding, type RotaryTables } from '../src/nn/rope.js';
import { dropout } from '../src/nn/dropout.js';
import { TensorCache } from '../src/nn/tensor-cache.js';
import { prepareResize, resize } from '../src/quant/resize.js';
import { benchArgs, machine, median } from './gpt-bench-common.js';

const { backends, args } = benchArgs({ repeats: '20', stat: 'median', only: 'crossEntropy,rope,resize,randomness' });
const repeats = Number(args['repeats']);
const summary = (values: number[]) => (args['stat'] === 'best' ? Math.min(...values) : median(values));
const round = (ms: number) => Math.round(ms * 1000) / 1000;

type Variant = () => tf.Tensor | tf.Tensor[] | void;

/** ms of each variant (tensor results forced with dataSync and freed), interleaved, after two warm-up rounds. */
function compare(variants: Record<string, Variant>): Record<string, number> {
  const once = (f: Variant) => {
    const t0 = performance.now();
    const out = f();
    const list = out === undefined ? [] : Array.isArray(out) ? out : [out];
    for (const t of list) t.dataSync();
    const ms = performance.now() - t0;
    tf.dispose(list);
    return ms;
  };
  const entries = Object.entries(variants);
  const times = entries.map((): number[] => []);
  for (let r = 0; r < repeats + 2; r++) {
    entries.forEach(([, f], i) => {
      const ms = once(f);
      if (r >= 2) times[i]!.push(ms);
    });
  }
  return Object.fromEntries(entries.map(([name], i) => [`${name}Ms`, round(summary(times[i]!))]));
}

function crossEntropy(): Record<string, number> {
  // VAR-d16's loss for one image: 680 positions, vocabulary 4096; forward and backward.
  const [rows, vocab] = [680, 4096];
  const rng = Rng.seeded(1);
  const logits = tf.tensor2d(rng.fillNormal(new Float32Array(rows * vocab)), [rows, vocab]);
  const targets = Int32Array.from({ length: rows }, () => rng.int(0, vocab - 1));
  const dense = (x: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(tf.tensor1d(targets, 'int32'), vocab)), 1)));
  const grad = (loss: (x: tf.Tensor) => tf.Tensor) => () => tf.grad((x: tf.Tensor) => loss(x) as tf.Scalar)(logits);
  const result = compare({ dense: grad(dense), sparse: grad((x) => sparseCrossEntropy(x, targets)) });
  logits.dispose();
  return result;
}

function rope(): Record<string, number> {
  // One apply (q or k) of a 512-token prefill and of one decoding step, 8 heads of 64, tables grown to 8192 rows.
  const out: Record<string, number> = {};
  const rotary = new RotaryEmbedding(64);
  tf.tidy(() => rotary.apply(tf.zeros([1, 1, 1, 64]), [8191])).dispose();
  for (const [label, length, start] of [['prefill512', 512, 0], ['decode1', 1, 8000]] as const) {
    const positions = Array.from({ length }, (_, i) => start + i);
    const x = tf.tensor4d(Rng.seeded(2).fillNormal(new Float32Array(8 * length * 64)), [1, 8, length, 64]);
    // What apply did before the tables were kept: build them on the host at every call, then rotate.
    const rebuilt = () =>
      tf.tidy(() => {
        const { cos, sin } = rotary.tables(positions);
        const [x1, x2] = tf.split(x, 2, 3);
        return tf.add(tf.mul(x, cos), tf.mul(tf.concat([tf.neg(x2!), x1!], 3), sin));
      });
    const figures = compare({
      tablesBuilt: () => Object.values(rotary.tables(positions)),
      // The rows apply takes from its kept tables (a private step, reached for the measurement only).
      tablesKept: () => Object.values((rotary as unknown as { rowsAt(p: number[]): RotaryTables }).rowsAt(positions)),
      applyRebuilt: rebuilt,
      apply: () => rotary.apply(x, positions),
    });
    for (const [name, ms] of Object.entries(figures)) out[`${label}.${name}`] = ms;
    x.dispose();
  }
  rotary.dispose();
  return out;
}

function resizes(): Record<string, number> {
  // VAR-d16's quantizer: latent 16×16×32, batch 4; area down to and bicubic up from every scale.
  const scales = [1, 2, 3, 4, 5, 6, 8, 10, 13];
  const f = tf.tensor4d(Rng.seeded(3).fillNormal(new Float32Array(4 * 16 * 16 * 32)), [4, 16, 16, 32]);
  const pass = (cache?: TensorCache) => () =>
    scales.flatMap((pn) => {
      const down = resize(f, pn, 'area', cache);
      const up = resize(down, 16, 'bicubic', cache);
      down.dispose();
      return [up];
    });
  const cache = new TensorCache();
  prepareResize(cache, 'area', scales.map((pn) => [16, pn] as const));
  prepareResize(cache, 'bicubic', scales.map((pn) => [pn, 16] as const));
  const result = compare({ rebuilt: pass(), cached: pass(cache) });
  cache.dispose();
  f.dispose();
  return result;
}

function randomness(): Record<string, number> {
  // Attention-probability dropout of a byte-GPT layer: [8, 4, 128, 128] = 524,288 elements.
  const shape = [8, 4, 128, 128];
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = Rng.seeded(4);
  const x = tf.ones(shape);
  const buffer = new Float32Array(size);
  const int = tf.tensor1d(Int32Array.from({ length: size }, (_, i) => i), 'int32');
  const mask = tf.fill([size], 0xffff, 'int32'); // tfjs's BitwiseAnd does not broadcast
  const threshold = Math.round(0.1 * 2 ** 32);
  const figures = compare({
    // The mask as drawn before: a float64 uniform per element (two generator steps), then compared.
    hostMaskFromUniforms: () => {
      rng.fillUniform(buffer);
      for (let i = 0; i < size; i++) buffer[i] = (buffer[i] as number) < 0.1 ? 0 : 1 / 0.9;
    },
    hostMaskFromUint32: () => {
      for (let i = 0; i < size; i++) buffer[i] = rng.uint32() < threshold ? 0 : 1 / 0.9;
    },
    hostNormalPerCall: () => {
      for (let i = 0; i < size; i++) buffer[i] = rng.normal();
    },
    hostFillNormal: () => void rng.fillNormal(buffer),
    upload: () => tf.tensor(buffer, shape),
    multiply: () => tf.mul(x, x),
    dropout: () => dropout(x, 0.1, rng),
    // A counter-based generator exact on every backend needs int32 products with a factor below 2^16 (cpu's int32
    // product is a float64 one), so each 32-bit mixing multiply costs about four such ops: one op is its lower bound.
    int32MulOp: () => tf.mul(int, tf.scalar(40503, 'int32')),
    int32AndOp: () => tf.bitwiseAnd(int, mask),
  });
  tf.dispose([x, int, mask]);
  return { elements: size, ...figures };
}

const results: Record<string, unknown> = {};
for (const backend of backends) {
  await initBackend({ prefer: backend });
  const sections: Record<string, () => Record<string, number>> = { crossEntropy, rope, resize: resizes, randomness };
  const chosen = (args['only'] ?? '').split(',').filter((name) => name in sections);
  results[backend] = Object.fromEntries(chosen.map((name) => [name, (sections[name] as () => Record<string, number>)()]));
}
console.log(JSON.stringify({ bench: 'plumbing', machine: machine(), repeats, stat: args['stat'], results }, null, 2));
