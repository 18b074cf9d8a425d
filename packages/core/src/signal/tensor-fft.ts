import { tf } from '../tf.js';
import { cachedFftTensor } from './fft-cache.js';
import { nextPowerOfTwo, radicesOf, type FftSign } from './host-fft.js';

/**
 * The FFT in tensor ops, for any backend: a Cooley–Tukey recursion whose butterflies are small dense DFTs run as one
 * matrix product over the whole batch. Complex data is packed as [R, 2, n] (rows, re/im, points).
 *
 * With n = p·m, input index j = j1 + m·j2 and output index k = p·k1 + k2 (j1, k1 < m; j2, k2 < p):
 *   X[p·k1 + k2] = Σ_j1 W_m^(j1·k1) · W_n^(j1·k2) · Σ_j2 W_p^(j2·k2) · x[j1 + m·j2]
 * so a stage is: a p-point DFT of every [j2] column (one [R·m, 2p] × [2p, 2p] product), a twiddle product, then the
 * m-point transform of R·p rows (recursively). A length up to `DENSE_MAX` is one dense product; a length with a prime
 * factor above it goes through Bluestein. Work per point is Σ 8·p over the stages (p ≤ DENSE_MAX): O(n log n) with
 * the constant of the radix, traded for products that run at matMul speed.
 */
export const DENSE_MAX = 64;

/** Per point, a stage costs its product (8·p flops) and about this much in transposes and twiddles. */
const STAGE_OVERHEAD = 400;

type TensorPlan = { kind: 'dense' } | { kind: 'split'; p: number; m: number } | { kind: 'bluestein'; m: number };

const plans = new Map<number, { plan: TensorPlan; cost: number }>();

function planFor(n: number): { plan: TensorPlan; cost: number } {
  const known = plans.get(n);
  if (known) return known;
  let best: { plan: TensorPlan; cost: number } = n <= DENSE_MAX ? { plan: { kind: 'dense' }, cost: 8 * n } : { plan: { kind: 'dense' }, cost: Infinity };
  if (n > DENSE_MAX && Math.max(...radicesOf(n)) > DENSE_MAX) {
    const m = nextPowerOfTwo(2 * n - 1);
    best = { plan: { kind: 'bluestein', m }, cost: (2 * m * planFor(m).cost) / n };
  } else {
    for (let p = 2; p <= Math.min(DENSE_MAX, n - 1); p++) {
      if (n % p) continue;
      const cost = 8 * p + STAGE_OVERHEAD + planFor(n / p).cost;
      if (cost < best.cost) best = { plan: { kind: 'split', p, m: n / p }, cost };
    }
  }
  plans.set(n, best);
  return best;
}

/** How the tensor engine computes length n (for benchmarks and tests). */
export function tensorStrategy(n: number): string {
  const { plan } = planFor(n);
  if (plan.kind === 'dense') return `dense ${n}`;
  if (plan.kind === 'bluestein') return `bluestein ${plan.m} (${tensorStrategy(plan.m)})`;
  return `${plan.p}·(${tensorStrategy(plan.m)})`;
}

/** The n-point DFT as one real [2n, 2n] matrix acting on rows [re | im]: [[C, S], [−S, C]], C = cos, S = sign·sin. */
export function dftBlock(n: number, sign: FftSign): tf.Tensor2D {
  const block = new Float32Array(4 * n * n);
  const width = 2 * n;
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const angle = (2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = sign * Math.sin(angle);
      block[j * width + k] = c;
      block[j * width + n + k] = s;
      block[(n + j) * width + k] = -s;
      block[(n + j) * width + n + k] = c;
    }
  }
  return tf.tensor2d(block, [width, width]);
}

/**
 * A complex factor w[o, i] = scale·e^(sign·2πi·exponent(o, i)/turn), shaped [outer, 2, inner] to multiply data whose
 * re/im axis sits just before `inner`: z·w = z ⊙ [wr, wr] + swap(z) ⊙ [−wi, wi], swap = reverse along re/im.
 */
function packedFactor(
  outer: number,
  inner: number,
  exponent: (o: number, i: number) => number,
  turn: number,
  sign: FftSign,
  scale: number,
): [tf.Tensor, tf.Tensor] {
  const cos = new Float32Array(2 * outer * inner);
  const sin = new Float32Array(2 * outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const angle = (2 * Math.PI * exponent(o, i)) / turn;
      const at = o * 2 * inner + i;
      cos[at] = cos[at + inner] = scale * Math.cos(angle);
      sin[at] = -sign * scale * Math.sin(angle);
      sin[at + inner] = sign * scale * Math.sin(angle);
    }
  }
  return [tf.tensor3d(cos, [outer, 2, inner]), tf.tensor3d(sin, [outer, 2, inner])];
}

function cachedFactor(key: string, make: () => [tf.Tensor, tf.Tensor]): [tf.Tensor, tf.Tensor] {
  let made: [tf.Tensor, tf.Tensor] | undefined;
  const once = () => (made ??= make());
  return [cachedFftTensor(`${key}|cos`, () => once()[0]), cachedFftTensor(`${key}|sin`, () => once()[1])];
}

function multiplyPacked(z: tf.Tensor, [cos, sin]: [tf.Tensor, tf.Tensor], reImAxis: number): tf.Tensor {
  return tf.add(tf.mul(z, cos), tf.mul(tf.reverse(z, reImAxis), sin));
}

/** Unnormalised transform of packed [R, 2, n] rows. */
export function tensorFft(z: tf.Tensor, sign: FftSign): tf.Tensor {
  const [rows, , n] = z.shape as [number, number, number];
  if (n === 1) return tf.clone(z);
  const { plan } = planFor(n);
  if (plan.kind === 'dense') {
    const block = cachedFftTensor(`dft|${n}|${sign}`, () => dftBlock(n, sign));
    return tf.reshape(tf.matMul(tf.reshape(z, [rows, 2 * n]), block), [rows, 2, n]);
  }
  if (plan.kind === 'bluestein') return bluestein(z, n, plan.m, sign);
  const { p, m } = plan;
  const block = cachedFftTensor(`dft|${p}|${sign}`, () => dftBlock(p, sign));
  // [R, 2, p, m] → [R·m, 2p]: the p-point DFT over j2 for every (row, j1)
  const columns = tf.reshape(tf.transpose(tf.reshape(z, [rows, 2, p, m]), [0, 3, 1, 2]), [rows * m, 2 * p]);
  const small = tf.reshape(tf.matMul(columns, block), [rows, m, 2, p]);
  const twiddle = cachedFactor(`twiddle|${n}|${p}|${sign}`, () =>
    packedFactor(m, p, (j1, k2) => j1 * k2, n, sign, 1),
  );
  const twiddled = multiplyPacked(small, twiddle, 2);
  const sub = tensorFft(tf.reshape(tf.transpose(twiddled, [0, 3, 2, 1]), [rows * p, 2, m]), sign);
  // [R, p (k2), 2, m (k1)] → [R, 2, m, p]: output index p·k1 + k2
  return tf.reshape(tf.transpose(tf.reshape(sub, [rows, p, 2, m]), [0, 2, 3, 1]), [rows, 2, n]);
}

/** Bluestein's chirp-z transform (host-fft.ts) in tensor ops, through a power-of-two transform of length m. */
function bluestein(z: tf.Tensor, n: number, m: number, sign: FftSign): tf.Tensor {
  const chirpAngle = (_: number, j: number) => ((j * j) % (2 * n)) / 2; // π·j²/n = 2π·(j²/2)/n
  const chirp = cachedFactor(`chirp|${n}|${sign}`, () => packedFactor(1, n, chirpAngle, n, sign, 1));
  // the output chirp carries the 1/m of the unnormalised inverse
  const outChirp = cachedFactor(`chirp-out|${n}|${m}|${sign}`, () => packedFactor(1, n, chirpAngle, n, sign, 1 / m));
  const spectrum = cachedFactor(`chirp-spectrum|${n}|${m}|${sign}`, () =>
    tf.tidy(() => {
      const re = new Float32Array(m);
      const im = new Float32Array(m);
      for (let t = 0; t < n; t++) {
        const angle = (Math.PI * ((t * t) % (2 * n))) / n;
        re[t] = re[(m - t) % m] = Math.cos(angle);
        im[t] = im[(m - t) % m] = -sign * Math.sin(angle); // conj(c_t)
      }
      const b = tensorFft(tf.reshape(tf.stack([tf.tensor1d(re), tf.tensor1d(im)]), [1, 2, m]), -1);
      const [bRe, bIm] = tf.unstack(tf.reshape(b, [2, m]));
      return [tf.stack([bRe!, bRe!]), tf.stack([tf.neg(bIm!), bIm!])] as [tf.Tensor, tf.Tensor];
    }),
  );
  const a = tf.pad(multiplyPacked(z, chirp, 1), [[0, 0], [0, 0], [0, m - n]]);
  const conv = tensorFft(multiplyPacked(tensorFft(a, -1), spectrum, 1), 1);
  return multiplyPacked(tf.slice(conv, [0, 0, 0], [-1, 2, n]), outChirp, 1);
}
