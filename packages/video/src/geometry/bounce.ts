/** Folds a free coordinate into [0, range] as a ball bouncing between two walls would be (a triangle wave). */
export function bounce(x: number, range: number): number {
  if (range <= 0) return 0;
  const period = 2 * range;
  const m = ((x % period) + period) % period;
  return m <= range ? m : period - m;
}
