import { tf } from '@nextx/core';

const f32 = Math.fround;

/**
 * Per-bit positional features (official `_fourier_pos_feats`, spec 6.2), [S, 2G + 2Lf + 1], in float32 as torch
 * computes them: G global Fourier pairs over the whole sequence (zeros in `local_only` mode, the paper configs),
 * Lf local pairs over the position inside a patch, l = s mod P, with period P − 1 (so l = 0 and l = P − 1 share a
 * phase: official behaviour), and the distance of l from the patch centre, |l − c|/c with c = (P − 1)/2.
 */
export function positionalFeatures(S: number, P: number, options: { global: number; local: number; mode: 'full' | 'local_only' }): Float32Array {
  const { global: G, local: Lf, mode } = options;
  const dim = 2 * G + 2 * Lf + 1;
  const out = new Float32Array(S * dim);
  const pi2 = f32(2 * Math.PI);
  const omegaG = Array.from({ length: G }, (_, k) => f32(f32(pi2 * (k + 1)) / Math.max(S - 1, 1)));
  const omegaL = Array.from({ length: Lf }, (_, k) => f32(f32(pi2 * (k + 1)) / Math.max(P - 1, 1)));
  const center = (P - 1) / 2;
  for (let s = 0; s < S; s++) {
    const row = s * dim;
    if (mode === 'full') {
      for (let k = 0; k < G; k++) {
        const angle = f32(s * (omegaG[k] as number));
        out[row + k] = Math.sin(angle);
        out[row + G + k] = Math.cos(angle);
      }
    }
    const l = s % P;
    for (let k = 0; k < Lf; k++) {
      const angle = f32(l * (omegaL[k] as number));
      out[row + 2 * G + k] = Math.sin(angle);
      out[row + 2 * G + Lf + k] = Math.cos(angle);
    }
    out[row + 2 * G + 2 * Lf] = f32(Math.abs(l - center)) / Math.max(center, 1e-6);
  }
  return out;
}

export function positionalFeaturesTensor(S: number, P: number, options: { global: number; local: number; mode: 'full' | 'local_only' }): tf.Tensor2D {
  const dim = 2 * options.global + 2 * options.local + 1;
  return tf.tensor2d(positionalFeatures(S, P, options), [S, dim]);
}
