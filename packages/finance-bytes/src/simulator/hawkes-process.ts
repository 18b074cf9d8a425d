import type { Rng } from '@nextx/core';

/** One exponential kernel of a Hawkes process: an event of type j raises λ_i by alpha[i][j], decaying at rate beta. */
export interface HawkesKernel {
  /** Decay rate, 1/s. */
  readonly beta: number;
  /** alpha[i][j]: jump of λ_i after an event of type j, 1/s. */
  readonly alpha: readonly (readonly number[])[];
}

/**
 * A multivariate Hawkes process with sums of exponential kernels,
 * λ_i(t) = μ_i + Σ_kernels Σ_j α_ij Σ_{t_n of type j < t} e^{−β (t − t_n)},
 * simulated exactly by Ogata's thinning: between events every λ_i only decays, so the intensity just after the
 * last event bounds it until the next one. The state is O(kernels × types), so simulation is O(1) per event.
 */
export class HawkesProcess {
  private readonly excitation: Float64Array[];
  private time = 0;

  constructor(
    readonly mu: readonly number[],
    readonly kernels: readonly HawkesKernel[],
  ) {
    this.excitation = kernels.map(() => new Float64Array(mu.length));
  }

  /** Branching ratio: spectral radius of Σ α/β, estimated by power iteration (< 1 for a stationary process). */
  branchingRatio(): number {
    const n = this.mu.length;
    const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => this.kernels.reduce((s, k) => s + (k.alpha[i]?.[j] ?? 0) / k.beta, 0)));
    let v = new Array<number>(n).fill(1);
    let radius = 0;
    for (let it = 0; it < 200; it++) {
      const next = m.map((row) => row.reduce((s, a, j) => s + a * (v[j] as number), 0));
      radius = Math.max(...next.map(Math.abs));
      if (radius === 0) return 0;
      v = next.map((x) => x / radius);
    }
    return radius;
  }

  /** Intensities at the current time. */
  intensities(out: Float64Array = new Float64Array(this.mu.length)): Float64Array {
    for (let i = 0; i < this.mu.length; i++) {
      let lambda = this.mu[i] as number;
      this.kernels.forEach((kernel, k) => {
        const row = kernel.alpha[i] as readonly number[];
        const s = this.excitation[k] as Float64Array;
        for (let j = 0; j < row.length; j++) lambda += (row[j] as number) * (s[j] as number);
      });
      out[i] = lambda;
    }
    return out;
  }

  private decay(dt: number): void {
    this.kernels.forEach((kernel, k) => {
      const factor = Math.exp(-kernel.beta * dt);
      const s = this.excitation[k] as Float64Array;
      for (let j = 0; j < s.length; j++) s[j] = (s[j] as number) * factor;
    });
  }

  /** Draws the next event: its waiting time (s) and type. */
  next(rng: Rng): { dt: number; type: number } {
    const lambda = new Float64Array(this.mu.length);
    let waited = 0;
    for (;;) {
      this.intensities(lambda);
      const bound = lambda.reduce((a, b) => a + b, 0);
      const w = -Math.log(1 - rng.uniform()) / bound;
      waited += w;
      this.decay(w);
      this.intensities(lambda);
      const total = lambda.reduce((a, b) => a + b, 0);
      const u = rng.uniform() * bound;
      if (u >= total) continue;
      let type = 0;
      let acc = lambda[0] as number;
      while (u >= acc && type < lambda.length - 1) acc += lambda[++type] as number;
      this.kernels.forEach((_, k) => {
        const s = this.excitation[k] as Float64Array;
        s[type] = (s[type] as number) + 1;
      });
      this.time += waited;
      return { dt: waited, type };
    }
  }

  get now(): number {
    return this.time;
  }
}
