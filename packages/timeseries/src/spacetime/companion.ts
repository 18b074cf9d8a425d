import { tf, complexDiv, complexMul, irfft, rfft, type ComplexTensor } from '@nextx/core';

/**
 * Companion matrices A = S + p·e_{N−1}ᵀ (spec 3.1): ones on the sub-diagonal (A e_j = e_{j+1}) and p as the last
 * column. p: [H, N] → [H, N, N]; differentiable in p.
 */
export function companionMatrix(p: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, n] = p.shape as [number, number];
    const shift = tf.tensor2d(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === (k % n) + 1 ? 1 : 0)), [n, n]);
    const lastColumn = tf.oneHot(n - 1, n).toFloat();
    return tf.add(shift, tf.mul(tf.reshape(p, [h, n, 1]), tf.reshape(lastColumn, [1, 1, n]))) as tf.Tensor3D;
  });
}

/**
 * `CompanionSSM.norm` (spec 3.2): x / ‖x_h‖_ord row by row, unless the mean row norm is ≤ 1e-4, in which case x is
 * returned unchanged — one test for the whole tensor, read on the host (gradients flow through the chosen branch).
 */
export function normRows(x: tf.Tensor, order: number): tf.Tensor {
  return tf.tidy(() => {
    const norms = order === 1 ? tf.sum(tf.abs(x), -1, true) : tf.sqrt(tf.sum(tf.square(x), -1, true));
    const mean = tf.mean(tf.abs(norms)).dataSync()[0] as number;
    return mean > 1e-4 ? tf.div(x, norms) : tf.clone(x);
  });
}

/**
 * The Krylov sequence by the official repeated squaring (`model/functional/krylov.py`, spec 3.3): states
 * X[h, :, l] = A_h^l b_h for l < L, built as [b] → [b, Ab] → [b, Ab, A²b, A³b] → … by multiplying the whole block by
 * A^(2^k) (the last block truncated). A: [H, N, N]; b: [H, N] or a batch [B, H, N].
 * Returns the states, [H, N, L] (or [B, H, N, L]), or with c: [H, N] the kernel K[h, l] = c_hᵀ A_h^l b_h, [H, L].
 */
export function krylov(length: number, a: tf.Tensor, b: tf.Tensor, c?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [h, n] = a.shape as [number, number, number];
    const batched = b.rank === 3;
    const columns = batched ? (b.shape[0] as number) : 1;
    // Columns of one power block are the batch; blocks are appended along the last axis: [H, N, l·C].
    let x = batched ? tf.transpose(b, [1, 2, 0]) : tf.reshape(b, [h, n, 1]);
    let power = a;
    let have = 1;
    while (have < length) {
      const take = Math.min(have, length - have);
      const block = take === have ? x : tf.slice(x, [0, 0, 0], [h, n, take * columns]);
      x = tf.concat([x, tf.matMul(power, block)], 2);
      have += take;
      if (have < length) power = tf.matMul(power, power);
    }
    const states = tf.reshape(x, [h, n, length, columns]);
    if (c) return tf.sum(tf.mul(tf.reshape(states, [h, n, length]), tf.reshape(c, [h, n, 1])), 1);
    return batched ? tf.transpose(states, [3, 0, 1, 2]) : tf.reshape(states, [h, n, length]);
  });
}

/** A^k by binary exponentiation (as torch.linalg.matrix_power), batched over the leading axis. */
export function matrixPower(a: tf.Tensor, k: number): tf.Tensor {
  return tf.tidy(() => {
    let result: tf.Tensor | undefined;
    let square: tf.Tensor | undefined;
    for (let rest = k; rest > 0; rest = Math.floor(rest / 2)) {
      square = square ? tf.matMul(square, square) : a;
      if (rest % 2) result = result ? tf.matMul(result, square) : square;
    }
    const n = a.shape[1] as number;
    return result ?? tf.tile(tf.reshape(tf.eye(n), [1, n, n]), [a.shape[0] as number, 1, 1]);
  });
}

/**
 * r[m] = Σ_{n=0}^{d−1−m} u[n+m]·v[n] = uᵀ S^m v, m < d, for rows of u and v ([H, d]); the official code computes the
 * same correlation with a length-2d FFT.
 */
function shiftCorrelation(u: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [h, d] = u.shape as [number, number];
    const index: number[] = [];
    const inside: number[] = [];
    for (let m = 0; m < d; m++) {
      for (let j = 0; j < d; j++) {
        index.push(Math.min(j + m, d - 1));
        inside.push(j + m < d ? 1 : 0);
      }
    }
    const shifted = tf.mul(tf.reshape(tf.gather(u, tf.tensor1d(index, 'int32'), 1), [h, d, d]), tf.tensor2d(inside, [d, d]));
    return tf.sum(tf.mul(shifted, tf.reshape(v, [h, 1, d])), 2);
  });
}

/** Σ_k r[kL + l], l < L: the correlation folded modulo L (matters when N > L), then its rfft over L bins. */
function foldedSpectrum(r: tf.Tensor, length: number): ComplexTensor {
  return tf.tidy(() => {
    const [h, d] = r.shape as [number, number];
    const blocks = Math.ceil(d / length);
    const padded = tf.pad(r, [
      [0, 0],
      [0, blocks * length - d],
    ]);
    return rfft(tf.sum(tf.reshape(padded, [h, blocks, length]), 1), { n: length });
  });
}

/**
 * The paper's closed-form companion kernel (`model/functional/companion_krylov.py`, spec 3.4), K[l] = cᵀ A^l b for
 * A = S + p e_dᵀ without forming the powers: with c̃ = c − (A^L)ᵀ c and Q(u, v) the L-point rfft of the folded shift
 * correlation, G[k] = Q(c̃, b) + Q(c̃, p)·Q(e_d, b)/(ω^k − Q(e_d, p)) (Woodbury), K = irfft(G, L). p, b, c: [H, N].
 */
export function companionKrylovClosedForm(length: number, p: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const [h, d] = p.shape as [number, number];
    const powerL = matrixPower(companionMatrix(p), length);
    const cTilde = tf.sub(c, tf.reshape(tf.matMul(tf.reshape(c, [h, 1, d]), powerL), [h, d]));
    // r_{e_d, v}[m] = v[d − 1 − m].
    const lastBasis = (v: tf.Tensor) => tf.reverse(v, 1);
    const qcb = foldedSpectrum(shiftCorrelation(cTilde, b), length);
    const qcp = foldedSpectrum(shiftCorrelation(cTilde, p), length);
    const qeb = foldedSpectrum(lastBasis(b), length);
    const qep = foldedSpectrum(lastBasis(p), length);
    const bins = Math.floor(length / 2) + 1;
    const angle = Array.from({ length: bins }, (_, k) => (2 * Math.PI * Math.fround(k)) / length);
    const omega: ComplexTensor = { re: tf.tensor1d(angle.map(Math.cos)), im: tf.tensor1d(angle.map(Math.sin)) };
    const ratio = complexDiv(complexMul(qcp, qeb), { re: tf.sub(omega.re, qep.re), im: tf.sub(omega.im, qep.im) });
    return irfft({ re: tf.add(qcb.re, ratio.re), im: tf.add(qcb.im, ratio.im) }, { n: length }) as tf.Tensor2D;
  });
}
