/** Independent float64 references for the FFT tests: the DFT by its definition, numpy's shifts, direct convolution. */

export type Complex64 = { re: Float64Array; im: Float64Array };

/** X_k = scale·Σ_j x_j·e^(sign·2πi·jk/n), O(n²), angles reduced mod n (read from a table of e^(2πi·e/n)). */
export function referenceDft(re: ArrayLike<number>, im: ArrayLike<number>, sign = -1, scale = 1): Complex64 {
  const n = re.length;
  const cos = Float64Array.from({ length: n }, (_, e) => Math.cos((2 * Math.PI * e) / n));
  const sin = Float64Array.from({ length: n }, (_, e) => sign * Math.sin((2 * Math.PI * e) / n));
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0, e = 0; j < n; j++, e = (e + k) % n) {
      const c = cos[e] as number;
      const s = sin[e] as number;
      sr += (re[j] as number) * c - (im[j] as number) * s;
      si += (re[j] as number) * s + (im[j] as number) * c;
    }
    out.re[k] = sr * scale;
    out.im[k] = si * scale;
  }
  return out;
}

/** The reference DFT applied to every row of a row-major [rows, n] pair. */
export function referenceDftRows(re: ArrayLike<number>, im: ArrayLike<number>, n: number, sign = -1, scale = 1): Complex64 {
  const rows = re.length / n;
  const out = { re: new Float64Array(re.length), im: new Float64Array(re.length) };
  for (let r = 0; r < rows; r++) {
    const row = referenceDft(Array.prototype.slice.call(re, r * n, r * n + n), Array.prototype.slice.call(im, r * n, r * n + n), sign, scale);
    out.re.set(row.re, r * n);
    out.im.set(row.im, r * n);
  }
  return out;
}

/** [h, w] row-major transposed to [w, h]. */
export function transpose2d(x: ArrayLike<number>, h: number, w: number): Float64Array {
  const out = new Float64Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[j * h + i] = x[i * w + j] as number;
  return out;
}

/** The 2-D DFT of an [h, w] image: the reference DFT of every row, then of every column. */
export function referenceDft2(re: ArrayLike<number>, im: ArrayLike<number>, h: number, w: number, sign = -1, scale = 1): Complex64 {
  const rows = referenceDftRows(re, im, w, sign);
  const cols = referenceDftRows(transpose2d(rows.re, h, w), transpose2d(rows.im, h, w), h, sign, scale);
  return { re: transpose2d(cols.re, w, h), im: transpose2d(cols.im, w, h) };
}

/** numpy.roll of an [h, w] image by (dy, dx). */
export function roll2d(x: ArrayLike<number>, h: number, w: number, dy: number, dx: number): Float64Array {
  const out = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) out[(((i + dy) % h) + h) % h * w + ((((j + dx) % w) + w) % w)] = x[i * w + j] as number;
  }
  return out;
}

/** y[t] = Σ_(s ≤ t) k[s]·u[t − s] for t < u.length. */
export function causalConvolution(u: ArrayLike<number>, k: ArrayLike<number>): Float64Array {
  const out = new Float64Array(u.length);
  for (let t = 0; t < u.length; t++) {
    let sum = 0;
    for (let s = 0; s <= t && s < k.length; s++) sum += (k[s] as number) * (u[t - s] as number);
    out[t] = sum;
  }
  return out;
}

/** Largest |a − b| divided by the largest |b| (at least 1e-30): the error relative to the result's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let err = 0;
  let scale = 1e-30;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return err / scale;
}

export function randomArray(length: number, next: () => number): Float64Array {
  return Float64Array.from({ length }, next);
}
