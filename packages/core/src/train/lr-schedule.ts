import { z } from 'zod';

export const lrScheduleSchema = z.object({
  /** Shape after the warm-up: 'constant', 'cosine' or 'linear' (both reach minLr at step totalSteps). */
  kind: z.enum(['constant', 'cosine', 'linear']).default('cosine'),
  /** Steps of linear warm-up from lr/warmupSteps to lr. */
  warmupSteps: z.number().int().nonnegative().default(0),
  /** The floor the decay ends at. */
  minLr: z.number().nonnegative().default(0),
});

export type LrSchedule = z.infer<typeof lrScheduleSchema>;

/**
 * Learning rate of 0-based optimizer step `step` of `totalSteps`, a pure function. Warm-up: lr·(step+1)/warmup.
 * Then, with progress p = (step − warmup)/(total − warmup) in [0, 1]: cosine minLr + ½(1 + cos πp)(lr − minLr)
 * (Loshchilov & Hutter, SGDR without restarts), linear lr + (minLr − lr)·p, constant lr.
 */
export function learningRate(step: number, totalSteps: number, lr: number, schedule: LrSchedule): number {
  const { kind, warmupSteps, minLr } = schedule;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  if (kind === 'constant') return lr;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  if (kind === 'linear') return lr + (minLr - lr) * progress;
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - minLr);
}
