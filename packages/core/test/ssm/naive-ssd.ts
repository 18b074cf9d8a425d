/**
 * The SSD recurrence written out per step in float64 on plain arrays (the definition the tests hold ssdChunked and
 * ssdStep to): h_t = exp(dt_t·A_h)·h_{t−1} + dt_t·x_t ⊗ B_t, y_t = h_t·C_t + D_h·x_t, head h using group ⌊h/(H/G)⌋.
 */
export interface NaiveSsd {
  batch: number;
  length: number;
  heads: number;
  headDim: number;
  groups: number;
  stateDim: number;
  x: number[];
  dt: number[];
  A: number[];
  B: number[];
  C: number[];
  D?: number[];
  initialState?: number[];
}

export function naiveSsd(s: NaiveSsd): { y: number[]; state: number[] } {
  const { batch, length, heads, headDim: P, groups, stateDim: N } = s;
  const y = new Array<number>(batch * length * heads * P).fill(0);
  const state = s.initialState ? [...s.initialState] : new Array<number>(batch * heads * P * N).fill(0);
  const perGroup = heads / groups;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      for (let h = 0; h < heads; h++) {
        const g = Math.floor(h / perGroup);
        const dt = s.dt[(b * length + t) * heads + h] as number;
        const decay = Math.exp(dt * (s.A[h] as number));
        for (let p = 0; p < P; p++) {
          const xv = s.x[((b * length + t) * heads + h) * P + p] as number;
          let out = 0;
          for (let n = 0; n < N; n++) {
            const si = ((b * heads + h) * P + p) * N + n;
            const bn = s.B[((b * length + t) * groups + g) * N + n] as number;
            const cn = s.C[((b * length + t) * groups + g) * N + n] as number;
            state[si] = decay * (state[si] as number) + dt * xv * bn;
            out += (state[si] as number) * cn;
          }
          y[((b * length + t) * heads + h) * P + p] = out + (s.D ? (s.D[h] as number) * xv : 0);
        }
      }
    }
  }
  return { y, state };
}
