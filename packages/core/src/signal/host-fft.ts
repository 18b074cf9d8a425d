/**
 * A complex FFT of any length on host arrays, in float64: a mixed-radix Stockham autosort FFT (radix 4, 2, 3 and a
 * 5 and a generic odd radix), and Bluestein's chirp-z transform through a power-of-two FFT for lengths whose prime factors are
 * large. Planar data (separate real and imaginary arrays), in place, no bit reversal. O(n log n) for every n.
 *
 * Stage with radix r after the sub-transforms of length L are done (m = n / (L·r) groups remain):
 *   out[(k + L·s)·m + c] = Σ_q W_r^(q·s) · W_(L·r)^(q·k) · in[k·m·r + q·m + c]     (k < L, c < m, s < r)
 * which starts from the input in natural order (L = 1) and ends with the spectrum in natural order (m = 1); the
 * innermost loop (over c) is contiguous in both arrays. Every twiddle is read from one table of e^(2πi·e/n), e < n
 * (W_(L·r)^(q·k) = e^(2πi·q·k·m/n)), so angles are exact.
 */

/** Sign of the exponent: −1 for the forward transform, +1 for the inverse (unnormalised). */
export type FftSign = -1 | 1;

export interface HostFftPlan {
  readonly n: number;
  /** How the plan computes: the radices of its stages, or Bluestein with its power-of-two length. */
  readonly strategy: string;
  /** Transforms (re, im) of length n in place, unnormalised. */
  execute(re: Float64Array, im: Float64Array, sign: FftSign): void;
}

export type HostStrategy = 'auto' | 'mixed-radix' | 'bluestein';

/** The stages' radices for n: its odd prime factors, largest first, then its factors of 2 in pairs (radix 4). */
export function radicesOf(n: number): number[] {
  const primes: number[] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p += p === 2 ? 1 : 2) {
    while (rest % p === 0) {
      primes.push(p);
      rest /= p;
    }
  }
  if (rest > 1) primes.push(rest);
  const twos = primes.filter((p) => p === 2).length;
  const radices = new Array<number>(Math.floor(twos / 2)).fill(4);
  if (twos % 2) radices.push(2);
  // the odd radices first: their stage then has L = 1 (no twiddles) and the longest contiguous inner loop
  return [...primes.filter((p) => p !== 2).reverse(), ...radices];
}

/** Relative cost of a mixed-radix plan, fitted to timings of this code (bench/fft.ts): an odd radix r above 5 costs ≈ 1.3·r per point. */
function mixedRadixCost(n: number): number {
  return n * radicesOf(n).reduce((sum, r) => sum + (r === 4 ? 2.5 : r === 2 ? 1.5 : r === 3 ? 2 : r === 5 ? 3 : 1.3 * r), 0);
}

export function nextPowerOfTwo(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/** Bluestein pays two power-of-two FFTs of length ≥ 2n − 1 and three pointwise products. */
function bluesteinCost(n: number): number {
  const m = nextPowerOfTwo(2 * n - 1);
  return 2 * mixedRadixCost(m) + 3 * m;
}

export function createHostFftPlan(n: number, strategy: HostStrategy = 'auto'): HostFftPlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  const bluestein = strategy === 'bluestein' || (strategy === 'auto' && n > 4 && bluesteinCost(n) < mixedRadixCost(n));
  return bluestein ? new BluesteinPlan(n) : new MixedRadixPlan(n);
}

/** cos and sin of 2π·e/n for e < n, in float64. */
function unitCircle(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    cos[e] = Math.cos((2 * Math.PI * e) / n);
    sin[e] = Math.sin((2 * Math.PI * e) / n);
  }
  return { cos, sin };
}

class MixedRadixPlan implements HostFftPlan {
  readonly radices: number[];
  readonly strategy: string;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;

  constructor(readonly n: number) {
    this.radices = radicesOf(n);
    this.strategy = `mixed-radix ${this.radices.join('·') || '1'}`;
    ({ cos: this.cos, sin: this.sin } = unitCircle(n));
    this.scratchRe = new Float64Array(n);
    this.scratchIm = new Float64Array(n);
  }

  execute(re: Float64Array, im: Float64Array, sign: FftSign): void {
    let inRe = re;
    let inIm = im;
    let outRe = this.scratchRe;
    let outIm = this.scratchIm;
    let done = 1;
    for (const r of this.radices) {
      const remaining = this.n / (done * r);
      if (r === 4) this.radix4(done, remaining, inRe, inIm, outRe, outIm, sign);
      else if (r === 2) this.radix2(done, remaining, inRe, inIm, outRe, outIm, sign);
      else if (r === 3) this.radix3(done, remaining, inRe, inIm, outRe, outIm, sign);
      else if (r === 5) this.radix5(done, remaining, inRe, inIm, outRe, outIm, sign);
      else this.radixGeneric(r, done, remaining, inRe, inIm, outRe, outIm, sign);
      [inRe, outRe] = [outRe, inRe];
      [inIm, outIm] = [outIm, inIm];
      done *= r;
    }
    if (inRe !== re) {
      re.set(inRe);
      im.set(inIm);
    }
  }

  private radix2(L: number, m: number, inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array, sign: FftSign): void {
    const { cos, sin } = this;
    for (let k = 0; k < L; k++) {
      const w1r = cos[k * m]!;
      const w1i = sign * sin[k * m]!;
      const src = k * 2 * m;
      const dst = k * m;
      for (let c = 0; c < m; c++) {
        const i0 = src + c;
        const i1 = i0 + m;
        const a1r = inRe[i1]! * w1r - inIm[i1]! * w1i;
        const a1i = inRe[i1]! * w1i + inIm[i1]! * w1r;
        const a0r = inRe[i0]!;
        const a0i = inIm[i0]!;
        outRe[dst + c] = a0r + a1r;
        outIm[dst + c] = a0i + a1i;
        outRe[dst + L * m + c] = a0r - a1r;
        outIm[dst + L * m + c] = a0i - a1i;
      }
    }
  }

  private radix4(L: number, m: number, inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array, sign: FftSign): void {
    const { cos, sin } = this;
    const quarter = L * m;
    for (let k = 0; k < L; k++) {
      const w1r = cos[k * m]!;
      const w1i = sign * sin[k * m]!;
      const w2r = cos[2 * k * m]!;
      const w2i = sign * sin[2 * k * m]!;
      const w3r = cos[3 * k * m]!;
      const w3i = sign * sin[3 * k * m]!;
      const src = k * 4 * m;
      const dst = k * m;
      for (let c = 0; c < m; c++) {
        const i0 = src + c;
        const a0r = inRe[i0]!;
        const a0i = inIm[i0]!;
        const b1r = inRe[i0 + m]!;
        const b1i = inIm[i0 + m]!;
        const b2r = inRe[i0 + 2 * m]!;
        const b2i = inIm[i0 + 2 * m]!;
        const b3r = inRe[i0 + 3 * m]!;
        const b3i = inIm[i0 + 3 * m]!;
        const a1r = b1r * w1r - b1i * w1i;
        const a1i = b1r * w1i + b1i * w1r;
        const a2r = b2r * w2r - b2i * w2i;
        const a2i = b2r * w2i + b2i * w2r;
        const a3r = b3r * w3r - b3i * w3i;
        const a3i = b3r * w3i + b3i * w3r;
        const t0r = a0r + a2r;
        const t0i = a0i + a2i;
        const t1r = a0r - a2r;
        const t1i = a0i - a2i;
        const t2r = a1r + a3r;
        const t2i = a1i + a3i;
        // (s·i)·(a1 − a3), s the sign: W_4 = e^(s·2πi/4) = s·i.
        const t3r = -sign * (a1i - a3i);
        const t3i = sign * (a1r - a3r);
        const o = dst + c;
        outRe[o] = t0r + t2r;
        outIm[o] = t0i + t2i;
        outRe[o + quarter] = t1r + t3r;
        outIm[o + quarter] = t1i + t3i;
        outRe[o + 2 * quarter] = t0r - t2r;
        outIm[o + 2 * quarter] = t0i - t2i;
        outRe[o + 3 * quarter] = t1r - t3r;
        outIm[o + 3 * quarter] = t1i - t3i;
      }
    }
  }

  private radix3(L: number, m: number, inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array, sign: FftSign): void {
    const { cos, sin } = this;
    const third = L * m;
    const h = (sign * Math.sqrt(3)) / 2; // Im W_3 = s·sin(2π/3)
    for (let k = 0; k < L; k++) {
      const w1r = cos[k * m]!;
      const w1i = sign * sin[k * m]!;
      const w2r = cos[2 * k * m]!;
      const w2i = sign * sin[2 * k * m]!;
      const src = k * 3 * m;
      const dst = k * m;
      for (let c = 0; c < m; c++) {
        const i0 = src + c;
        const a0r = inRe[i0]!;
        const a0i = inIm[i0]!;
        const b1r = inRe[i0 + m]!;
        const b1i = inIm[i0 + m]!;
        const b2r = inRe[i0 + 2 * m]!;
        const b2i = inIm[i0 + 2 * m]!;
        const a1r = b1r * w1r - b1i * w1i;
        const a1i = b1r * w1i + b1i * w1r;
        const a2r = b2r * w2r - b2i * w2i;
        const a2i = b2r * w2i + b2i * w2r;
        const tr = a1r + a2r;
        const ti = a1i + a2i;
        const mr = a0r - tr / 2;
        const mi = a0i - ti / 2;
        // ±i·h·(a1 − a2)
        const dr = -h * (a1i - a2i);
        const di = h * (a1r - a2r);
        const o = dst + c;
        outRe[o] = a0r + tr;
        outIm[o] = a0i + ti;
        outRe[o + third] = mr + dr;
        outIm[o + third] = mi + di;
        outRe[o + 2 * third] = mr - dr;
        outIm[o + 2 * third] = mi - di;
      }
    }
  }

  private radix5(L: number, m: number, inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array, sign: FftSign): void {
    const { cos, sin } = this;
    const fifth = L * m;
    const c1 = Math.cos((2 * Math.PI) / 5);
    const c2 = Math.cos((4 * Math.PI) / 5);
    const s1 = sign * Math.sin((2 * Math.PI) / 5);
    const s2 = sign * Math.sin((4 * Math.PI) / 5);
    const wRe = new Float64Array(5);
    const wIm = new Float64Array(5);
    for (let k = 0; k < L; k++) {
      for (let q = 1; q < 5; q++) {
        wRe[q] = cos[q * k * m]!;
        wIm[q] = sign * sin[q * k * m]!;
      }
      const src = k * 5 * m;
      const dst = k * m;
      for (let c = 0; c < m; c++) {
        const i0 = src + c;
        const a0r = inRe[i0]!;
        const a0i = inIm[i0]!;
        const x1r = inRe[i0 + m]!, x1i = inIm[i0 + m]!;
        const x2r = inRe[i0 + 2 * m]!, x2i = inIm[i0 + 2 * m]!;
        const x3r = inRe[i0 + 3 * m]!, x3i = inIm[i0 + 3 * m]!;
        const x4r = inRe[i0 + 4 * m]!, x4i = inIm[i0 + 4 * m]!;
        const a1r = x1r * wRe[1]! - x1i * wIm[1]!, a1i = x1r * wIm[1]! + x1i * wRe[1]!;
        const a2r = x2r * wRe[2]! - x2i * wIm[2]!, a2i = x2r * wIm[2]! + x2i * wRe[2]!;
        const a3r = x3r * wRe[3]! - x3i * wIm[3]!, a3i = x3r * wIm[3]! + x3i * wRe[3]!;
        const a4r = x4r * wRe[4]! - x4i * wIm[4]!, a4i = x4r * wIm[4]! + x4i * wRe[4]!;
        const t1r = a1r + a4r, t1i = a1i + a4i;
        const t2r = a2r + a3r, t2i = a2i + a3i;
        const t3r = a1r - a4r, t3i = a1i - a4i;
        const t4r = a2r - a3r, t4i = a2i - a3i;
        const p1r = a0r + c1 * t1r + c2 * t2r, p1i = a0i + c1 * t1i + c2 * t2i;
        const p2r = a0r + c2 * t1r + c1 * t2r, p2i = a0i + c2 * t1i + c1 * t2i;
        // i·(s1·t3 + s2·t4) and i·(s2·t3 − s1·t4), the signs folded into s1, s2
        const q1r = -(s1 * t3i + s2 * t4i), q1i = s1 * t3r + s2 * t4r;
        const q2r = -(s2 * t3i - s1 * t4i), q2i = s2 * t3r - s1 * t4r;
        const o = dst + c;
        outRe[o] = a0r + t1r + t2r;
        outIm[o] = a0i + t1i + t2i;
        outRe[o + fifth] = p1r + q1r;
        outIm[o + fifth] = p1i + q1i;
        outRe[o + 2 * fifth] = p2r + q2r;
        outIm[o + 2 * fifth] = p2i + q2i;
        outRe[o + 3 * fifth] = p2r - q2r;
        outIm[o + 3 * fifth] = p2i - q2i;
        outRe[o + 4 * fifth] = p1r - q1r;
        outIm[o + 4 * fifth] = p1i - q1i;
      }
    }
  }

  /**
   * An odd radix r with the symmetric pairs q, r − q folded: b_s = a_0 + Σ_q [cos(2πqs/r)·(a_q + a_(r−q)) +
   * i·sign·sin(2πqs/r)·(a_q − a_(r−q))] for q ≤ (r − 1)/2, and b_(r−s) the same with the sine term negated.
   */
  private radixGeneric(
    r: number,
    L: number,
    m: number,
    inRe: Float64Array,
    inIm: Float64Array,
    outRe: Float64Array,
    outIm: Float64Array,
    sign: FftSign,
  ): void {
    const { cos, sin, n } = this;
    const half = (r - 1) / 2;
    const rootCos = new Float64Array(r); // cos and sign·sin of 2π·e/r, e < r
    const rootSin = new Float64Array(r);
    for (let e = 0; e < r; e++) {
      rootCos[e] = cos[(e * n) / r]!;
      rootSin[e] = sign * sin[(e * n) / r]!;
    }
    const sumRe = new Float64Array(half + 1);
    const sumIm = new Float64Array(half + 1);
    const difRe = new Float64Array(half + 1);
    const difIm = new Float64Array(half + 1);
    const stride = L * m;
    for (let k = 0; k < L; k++) {
      const src = k * r * m;
      const dst = k * m;
      for (let c = 0; c < m; c++) {
        const a0r = inRe[src + c]!;
        const a0i = inIm[src + c]!;
        let b0r = a0r;
        let b0i = a0i;
        for (let q = 1; q <= half; q++) {
          const ep = q * k * m;
          const em = (r - q) * k * m;
          const xr = inRe[src + q * m + c]!;
          const xi = inIm[src + q * m + c]!;
          const yr = inRe[src + (r - q) * m + c]!;
          const yi = inIm[src + (r - q) * m + c]!;
          const pr = xr * cos[ep]! - xi * sign * sin[ep]!;
          const pi = xr * sign * sin[ep]! + xi * cos[ep]!;
          const mr = yr * cos[em]! - yi * sign * sin[em]!;
          const mi = yr * sign * sin[em]! + yi * cos[em]!;
          sumRe[q] = pr + mr;
          sumIm[q] = pi + mi;
          difRe[q] = pr - mr;
          difIm[q] = pi - mi;
          b0r += pr + mr;
          b0i += pi + mi;
        }
        outRe[dst + c] = b0r;
        outIm[dst + c] = b0i;
        for (let s = 1; s <= half; s++) {
          let xr = a0r;
          let xi = a0i;
          let yr = 0;
          let yi = 0;
          let e = 0; // q·s mod r, stepped
          for (let q = 1; q <= half; q++) {
            e += s;
            if (e >= r) e -= r;
            const wc = rootCos[e]!;
            const ws = rootSin[e]!;
            xr += wc * sumRe[q]!;
            xi += wc * sumIm[q]!;
            yr += ws * difRe[q]!;
            yi += ws * difIm[q]!;
          }
          // b_s = x + i·y, b_(r−s) = x − i·y
          outRe[dst + stride * s + c] = xr - yi;
          outIm[dst + stride * s + c] = xi + yr;
          outRe[dst + stride * (r - s) + c] = xr + yi;
          outIm[dst + stride * (r - s) + c] = xi - yr;
        }
      }
    }
  }
}

/**
 * Bluestein's chirp-z transform: with jk = (j² + k² − (k − j)²)/2,
 *   X_k = c_k · Σ_j (x_j·c_j) · conj(c_(k−j)),   c_j = e^(s·πi·j²/n),
 * a linear convolution computed by a power-of-two FFT of length m ≥ 2n − 1.
 */
class BluesteinPlan implements HostFftPlan {
  readonly strategy: string;
  private readonly m: number;
  private readonly inner: MixedRadixPlan;
  /** c_j for the forward sign (the inverse uses the conjugate). */
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  private readonly kernelSpectrum = new Map<FftSign, { re: Float64Array; im: Float64Array }>();
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(readonly n: number) {
    this.m = nextPowerOfTwo(2 * n - 1);
    this.inner = new MixedRadixPlan(this.m);
    this.strategy = `bluestein ${this.m}`;
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const angle = (Math.PI * ((j * j) % (2 * n))) / n; // j² mod 2n keeps the angle exact
      this.chirpRe[j] = Math.cos(angle);
      this.chirpIm[j] = -Math.sin(angle);
    }
    this.workRe = new Float64Array(this.m);
    this.workIm = new Float64Array(this.m);
  }

  /** FFT_m of b_t = conj(c_t) for |t| < n, laid out circularly. */
  private spectrumFor(sign: FftSign): { re: Float64Array; im: Float64Array } {
    const cached = this.kernelSpectrum.get(sign);
    if (cached) return cached;
    const { n, m } = this;
    const re = new Float64Array(m);
    const im = new Float64Array(m);
    for (let t = 0; t < n; t++) {
      // conj(c_t) for this sign: the forward chirp's imaginary part negated for sign −1, kept for +1.
      const bIm = sign === -1 ? -this.chirpIm[t]! : this.chirpIm[t]!;
      re[t] = this.chirpRe[t]!;
      im[t] = bIm;
      if (t > 0) {
        re[m - t] = re[t]!;
        im[m - t] = bIm;
      }
    }
    this.inner.execute(re, im, -1);
    const spectrum = { re, im };
    this.kernelSpectrum.set(sign, spectrum);
    return spectrum;
  }

  execute(re: Float64Array, im: Float64Array, sign: FftSign): void {
    const { n, m, workRe, workIm } = this;
    const cIm = this.chirpIm;
    const cRe = this.chirpRe;
    const flip = sign === -1 ? 1 : -1; // c_j(+1) = conj(c_j(−1))
    workRe.fill(0);
    workIm.fill(0);
    for (let j = 0; j < n; j++) {
      const ci = flip * cIm[j]!;
      workRe[j] = re[j]! * cRe[j]! - im[j]! * ci;
      workIm[j] = re[j]! * ci + im[j]! * cRe[j]!;
    }
    this.inner.execute(workRe, workIm, -1);
    const b = this.spectrumFor(sign);
    for (let t = 0; t < m; t++) {
      const xr = workRe[t]!;
      const xi = workIm[t]!;
      workRe[t] = xr * b.re[t]! - xi * b.im[t]!;
      workIm[t] = xr * b.im[t]! + xi * b.re[t]!;
    }
    this.inner.execute(workRe, workIm, 1);
    for (let k = 0; k < n; k++) {
      const ci = flip * cIm[k]!;
      const xr = workRe[k]! / m;
      const xi = workIm[k]! / m;
      re[k] = xr * cRe[k]! - xi * ci;
      im[k] = xr * ci + xi * cRe[k]!;
    }
  }
}

/** A batch laid out as planes [re | im], each [outer, n, inner], transformed along n. */
export interface HostBatch {
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
}

/**
 * Transforms every length-n line of `data` (planes [re | im]) into `out`, multiplied by `scale`. Lines along a
 * strided axis (inner > 1) are gathered into the plan's float64 work arrays and scattered back.
 */
export function transformHostBatch(
  plan: HostFftPlan,
  data: Float32Array,
  out: Float32Array,
  { outer, n, inner }: HostBatch,
  sign: FftSign,
  scale: number,
): void {
  const plane = outer * n * inner;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * n * inner + i;
      for (let j = 0, at = start; j < n; j++, at += inner) {
        re[j] = data[at]!;
        im[j] = data[plane + at]!;
      }
      plan.execute(re, im, sign);
      for (let j = 0, at = start; j < n; j++, at += inner) {
        out[at] = re[j]! * scale;
        out[plane + at] = im[j]! * scale;
      }
    }
  }
}
