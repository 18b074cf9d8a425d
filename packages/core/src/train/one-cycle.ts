import { z } from 'zod';

/**
 * fastai's `combined_cos(pct, start, middle, end)`: a cosine from `start` to `middle` over the first `pct` of training,
 * then a cosine from `middle` to `end`. `pos` is the fraction of training done, in [0, 1].
 *
 * fastai keeps the phase boundaries in a float32 tensor and computes the position inside a phase in float32
 * (`(pos − pcts[i]) / (pcts[i+1] − pcts[i])`); the cosine itself is float64. Both are reproduced, so the value is
 * the one fastai's ParamScheduler sets, bit for bit in the phase position.
 */
export function combinedCos(pct: number, start: number, middle: number, end: number): (pos: number) => number {
  const f = Math.fround;
  const pcts = [0, f(pct), f(f(pct) + f(1 - pct))];
  const phases: ReadonlyArray<readonly [number, number]> = [
    [start, middle],
    [middle, end],
  ];
  return (pos: number): number => {
    if (pos === 1) return end;
    const p = f(pos);
    const idx = p >= (pcts[1] as number) ? 1 : 0;
    const from = pcts[idx] as number;
    const to = pcts[idx + 1] as number;
    const t = f(f(p - from) / f(to - from));
    const [s, e] = phases[idx] as readonly [number, number];
    return s + ((1 + Math.cos(Math.PI * (1 - t))) * (e - s)) / 2;
  };
}

export const oneCycleSchema = z.object({
  /** Peak learning rate. */
  lrMax: z.number().positive(),
  /** The cycle starts at lrMax/div. */
  div: z.number().positive().default(25),
  /** And ends at lrMax/divFinal. */
  divFinal: z.number().positive().default(1e4),
  /** Fraction of training spent warming up. */
  pctStart: z.number().gt(0).lt(1).default(0.25),
  /** Momentum (Adam's β1) at the start, at the peak learning rate and at the end. */
  moms: z.tuple([z.number(), z.number(), z.number()]).default([0.95, 0.85, 0.95]),
});

export type OneCycle = z.infer<typeof oneCycleSchema>;
export type OneCycleInput = z.input<typeof oneCycleSchema>;

/**
 * The one-cycle policy (Smith 2018, "Super-convergence") as fastai's `fit_one_cycle`: the learning rate rises by a
 * cosine from lrMax/div to lrMax over pctStart of training and falls to lrMax/divFinal; momentum moves the other way
 * (moms[0] → moms[1] → moms[2]). Returns the (lr, momentum) pair at training position `pos` ∈ [0, 1].
 */
export function oneCycleAt(schedule: OneCycle): (pos: number) => { lr: number; momentum: number } {
  const { lrMax, div, divFinal, pctStart, moms } = schedule;
  const lr = combinedCos(pctStart, lrMax / div, lrMax, lrMax / divFinal);
  const momentum = combinedCos(pctStart, moms[0], moms[1], moms[2]);
  return (pos) => ({ lr: lr(pos), momentum: momentum(pos) });
}
