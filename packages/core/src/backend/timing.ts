/** Median wall time of `run` in ms over `repeats` calls after `warmup` untimed ones. */
export function medianMs(run: () => void, repeats: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
