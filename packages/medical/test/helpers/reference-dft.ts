/**
 * The centred orthonormal 2-D DFT by its definition, in float64, for [.., H, W] planes:
 *   X[u, v] = (HW)^(−1/2) Σ_{m,n} x[m, n]·e^(∓2πi((u − ⌊H/2⌋)(m − ⌊H/2⌋)/H + (v − ⌊W/2⌋)(n − ⌊W/2⌋)/W))
 * which is what fftshift(fft2(ifftshift(x), norm='ortho')) computes (sign −1) and its inverse (sign +1).
 */
export function centredDft2(re: ArrayLike<number>, im: ArrayLike<number>, h: number, w: number, sign: -1 | 1): { re: Float64Array; im: Float64Array } {
  const planes = re.length / (h * w);
  const outRe = new Float64Array(re.length);
  const outIm = new Float64Array(re.length);
  const ch = Math.floor(h / 2);
  const cw = Math.floor(w / 2);
  const scale = 1 / Math.sqrt(h * w);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let u = 0; u < h; u++) {
      for (let v = 0; v < w; v++) {
        let sr = 0;
        let si = 0;
        for (let m = 0; m < h; m++) {
          for (let n = 0; n < w; n++) {
            const angle = sign * 2 * Math.PI * ((((u - ch) * (m - ch)) % h) / h + (((v - cw) * (n - cw)) % w) / w);
            const c = Math.cos(angle);
            const s = Math.sin(angle);
            const xr = re[base + m * w + n] as number;
            const xi = im[base + m * w + n] as number;
            sr += xr * c - xi * s;
            si += xr * s + xi * c;
          }
        }
        outRe[base + u * w + v] = sr * scale;
        outIm[base + u * w + v] = si * scale;
      }
    }
  }
  return { re: outRe, im: outIm };
}

/** Largest |a − b| over the largest |b|. */
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

export function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}
