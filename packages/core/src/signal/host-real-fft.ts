import { createHostFftPlan, type HostFftPlan } from './host-fft.js';

/**
 * The DFT of real lines of length n. For even n it packs x as z_j = x_2j + i·x_(2j+1) and runs one complex FFT of
 * length n/2: with Z = FFT(z), X_k = E_k + e^(−2πik/n)·O_k where E_k = (Z_k + conj Z_(n/2−k))/2 and
 * O_k = (Z_k − conj Z_(n/2−k))/(2i); the inverse undoes these steps. Odd n uses the full complex FFT.
 */
export class RealFftPlan {
  private readonly half?: HostFftPlan;
  private readonly full?: HostFftPlan;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(readonly n: number) {
    const even = n % 2 === 0;
    const size = even ? n / 2 : n;
    if (even) this.half = createHostFftPlan(size);
    else this.full = createHostFftPlan(n);
    this.cos = Float64Array.from({ length: size + 1 }, (_, k) => Math.cos((2 * Math.PI * k) / n));
    this.sin = Float64Array.from({ length: size + 1 }, (_, k) => Math.sin((2 * Math.PI * k) / n));
    this.workRe = new Float64Array(size);
    this.workIm = new Float64Array(size);
  }

  /** X_k for k ≤ ⌊n/2⌋ of the real x (length n) into re, im (length ⌊n/2⌋ + 1). */
  forward(x: Float64Array, re: Float64Array, im: Float64Array): void {
    const { n, workRe, workIm } = this;
    if (this.full) {
      workRe.set(x);
      workIm.fill(0);
      this.full.execute(workRe, workIm, -1);
      re.set(workRe.subarray(0, Math.floor(n / 2) + 1));
      im.set(workIm.subarray(0, Math.floor(n / 2) + 1));
      return;
    }
    const h = n / 2;
    for (let j = 0; j < h; j++) {
      workRe[j] = x[2 * j]!;
      workIm[j] = x[2 * j + 1]!;
    }
    this.half!.execute(workRe, workIm, -1);
    for (let k = 0; k <= h; k++) {
      const zr = workRe[k % h]!;
      const zi = workIm[k % h]!;
      const cr = workRe[(h - k) % h]!; // conj Z_(n/2−k) = (cr, −ci)
      const ci = -workIm[(h - k) % h]!;
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      // O = (Z − conj Z')/(2i) = (im, −re)/2 of the difference
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const wr = this.cos[k]!;
      const wi = -this.sin[k]!;
      re[k] = er + or * wr - oi * wi;
      im[k] = ei + or * wi + oi * wr;
    }
  }

  /**
   * The real y (length n) whose spectrum is Hermitian with H_k given for k ≤ ⌊n/2⌋ (the imaginary parts of H_0 and,
   * for even n, H_(n/2) are ignored): y_j = Σ_(k < n) H_k·e^(2πi·jk/n), unnormalised.
   */
  inverse(re: Float64Array, im: Float64Array, y: Float64Array): void {
    const { n, workRe, workIm } = this;
    if (this.full) {
      const top = Math.floor(n / 2);
      for (let k = 0; k <= top; k++) {
        workRe[k] = re[k]!;
        workIm[k] = k === 0 ? 0 : im[k]!;
        if (k > 0) {
          workRe[n - k] = re[k]!;
          workIm[n - k] = -im[k]!;
        }
      }
      this.full.execute(workRe, workIm, 1);
      y.set(workRe);
      return;
    }
    const h = n / 2;
    for (let k = 0; k < h; k++) {
      const ar = re[k]!;
      const ai = k === 0 ? 0 : im[k]!;
      const br = re[h - k]!; // conj H_(n/2−k) = (br, −bi)
      const bi = h - k === h ? 0 : -im[h - k]!;
      const er = ar + br;
      const ei = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      const wr = this.cos[k]!;
      const wi = this.sin[k]!;
      const or = dr * wr - di * wi; // O_k = (H_k − conj H_(n/2−k))·e^(2πik/n)
      const oi = dr * wi + di * wr;
      workRe[k] = er - oi; // Z = E + i·O
      workIm[k] = ei + or;
    }
    this.half!.execute(workRe, workIm, 1);
    for (let j = 0; j < h; j++) {
      y[2 * j] = workRe[j]!;
      y[2 * j + 1] = workIm[j]!;
    }
  }
}

/**
 * Weights of a half spectrum: 'ones', or 'hermitian' (1 for the zero and Nyquist frequencies, 2 for the others), which
 * makes Re(Σ_(k ≤ n/2) w_k·X_k·e^(2πi·jk/n)) the inverse of the full Hermitian spectrum.
 */
export type HalfSpectrumWeights = 'ones' | 'hermitian';

function halfWeight(weights: HalfSpectrumWeights, k: number, n: number): number {
  return weights === 'ones' || k === 0 || 2 * k === n ? 1 : 2;
}

/**
 * Real lines ([outer, length, inner], read up to n and zero-padded to n) to half spectra (planes [re | im] of
 * [outer, bins, inner]): Y_k = scale·w_k·Σ_j x_j·e^(−2πi·jk/n) for k < min(bins, ⌊n/2⌋ + 1), zero beyond.
 */
export function realForwardHostBatch(
  plan: RealFftPlan,
  data: Float32Array,
  out: Float32Array,
  { outer, length, bins, inner }: { outer: number; length: number; bins: number; inner: number },
  weights: HalfSpectrumWeights,
  scale: number,
): void {
  const n = plan.n;
  const read = Math.min(length, n);
  const kept = Math.min(bins, Math.floor(n / 2) + 1);
  const plane = outer * bins * inner;
  const x = new Float64Array(n);
  const re = new Float64Array(Math.floor(n / 2) + 1);
  const im = new Float64Array(Math.floor(n / 2) + 1);
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      x.fill(0);
      for (let j = 0, at = o * length * inner + i; j < read; j++, at += inner) x[j] = data[at]!;
      plan.forward(x, re, im);
      for (let k = 0, at = o * bins * inner + i; k < kept; k++, at += inner) {
        const w = scale * halfWeight(weights, k, n);
        out[at] = re[k]! * w;
        out[plane + at] = im[k]! * w;
      }
    }
  }
}

/**
 * Half spectra (planes [re | im] of [outer, bins, inner]) to real lines [outer, keep, inner]:
 * y_j = scale·Re(Σ_(k < min(bins, ⌊n/2⌋ + 1)) w_k·X_k·e^(2πi·jk/n)) for j < min(keep, n), zero beyond. The adjoint of
 * realForwardHostBatch with the same weights and scale (and the other way round). The sum is the Hermitian inverse of
 * H_0 = Re c_0, H_k = c_k/2 (0 < k < n/2), H_(n/2) = Re c_(n/2) with c = w·X.
 */
export function realInverseHostBatch(
  plan: RealFftPlan,
  data: Float32Array,
  out: Float32Array,
  { outer, bins, keep, inner }: { outer: number; bins: number; keep: number; inner: number },
  weights: HalfSpectrumWeights,
  scale: number,
): void {
  const n = plan.n;
  const top = Math.floor(n / 2);
  const used = Math.min(bins, top + 1);
  const written = Math.min(keep, n);
  const plane = outer * bins * inner;
  const re = new Float64Array(top + 1);
  const im = new Float64Array(top + 1);
  const y = new Float64Array(n);
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      re.fill(0);
      im.fill(0);
      for (let k = 0, at = o * bins * inner + i; k < used; k++, at += inner) {
        const w = halfWeight(weights, k, n) * (k === 0 || 2 * k === n ? 1 : 0.5);
        re[k] = data[at]! * w;
        im[k] = data[plane + at]! * w;
      }
      plan.inverse(re, im, y);
      for (let j = 0, at = o * keep * inner + i; j < written; j++, at += inner) out[at] = y[j]! * scale;
    }
  }
}
