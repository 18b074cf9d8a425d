import { z } from 'zod';
import { tf } from '../tf.js';

/**
 * Classifier-free guidance on logits in VAR's form: (1 + w)·ℓ_cond − w·ℓ_uncond (w = 0: purely conditional). The
 * "scale" form s·ℓ_cond + (1 − s)·ℓ_uncond of other papers is the same with s = 1 + w.
 */
export function guideLogits<T extends tf.Tensor>(cond: T, uncond: T, weight: number): T {
  return tf.tidy(() => tf.sub(tf.mul(cond, 1 + weight), tf.mul(uncond, weight))) as T;
}

export const guidanceScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), weight: z.number().nonnegative() }),
  /** VAR: w_k = weight · k/(K − 1), no guidance at the first step, full weight at the last. */
  z.object({ kind: z.literal('linear-ramp'), weight: z.number().nonnegative() }),
]);
export type GuidanceSchedule = z.infer<typeof guidanceScheduleSchema>;

/** The guidance weight of step k of K under a schedule. */
export function guidanceWeight(schedule: GuidanceSchedule, step: number, numSteps: number): number {
  if (schedule.kind === 'constant') return schedule.weight;
  return linearGuidanceRamp(schedule.weight, step, numSteps);
}

/** VAR's ramp: cfg · k/(K − 1) (cfg at a single-step generation). */
export function linearGuidanceRamp(cfg: number, step: number, numSteps: number): number {
  return numSteps > 1 ? (cfg * step) / (numSteps - 1) : cfg;
}
