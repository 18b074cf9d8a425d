/**
 * numpy.linspace in float64, computed the way numpy does (step = (stop − start)/(num − 1); value i = i·step + start;
 * the last value is `stop` exactly). The exact arithmetic matters: VAR's φ choice has ties decided by its rounding.
 */
export function numpyLinspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/**
 * Which of `n` shared residual convs φ scale k of S uses (VAR's PhiPartiallyShared / PhiNonShared):
 * j(k) = argmin_i |τ_i − k/(S − 1)|, first index on ties, τ = linspace(1/(3n), 1 − 1/(3n), n) when n = 4, else
 * linspace(1/(2n), 1 − 1/(2n), n). Fixture README 5.3: S = 10 gives 0,0,1,1,1,2,2,3,3,3.
 */
export function phiIndices(numScales: number, numPhi: number): number[] {
  // Written as the official code writes it (1/3/K, not 1/(3K)), so that float64 rounding matches.
  const d = numPhi === 4 ? 3 : 2;
  const ticks = numpyLinspace(1 / d / numPhi, 1 - 1 / d / numPhi, numPhi);
  return Array.from({ length: numScales }, (_, k) => {
    const ratio = numScales > 1 ? k / (numScales - 1) : 0;
    let best = 0;
    for (let i = 1; i < ticks.length; i++) {
      if (Math.abs((ticks[i] as number) - ratio) < Math.abs((ticks[best] as number) - ratio)) best = i;
    }
    return best;
  });
}
