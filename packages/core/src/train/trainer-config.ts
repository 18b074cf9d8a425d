import { z } from 'zod';
import { emaSchema } from './ema.js';
import { lrScheduleSchema } from './lr-schedule.js';

const beta = z.number().min(0).lt(1);

export const trainerConfigSchema = z.object({
  /** Optimizer steps of the whole run (the schedule is laid over them). */
  steps: z.number().int().positive(),
  /** Peak learning rate. */
  lr: z.number().positive(),
  schedule: lrScheduleSchema.prefault({}),
  /** Adam's (β1, β2). */
  betas: z.tuple([beta, beta]).default([0.9, 0.95]),
  eps: z.number().positive().default(1e-8),
  /** Decoupled weight decay for the parameters the decay predicate selects. */
  weightDecay: z.number().nonnegative().default(0.1),
  /** Global gradient-norm clip; null turns clipping off. */
  clipNorm: z.number().positive().nullable().default(1),
  /** Micro-batches per optimizer step (their gradients are averaged). */
  accumulate: z.number().int().positive().default(1),
  /** Exponential moving average of the weights; null for none. */
  ema: emaSchema.nullable().default(null),
  /** Save a checkpoint after every N steps (0: only at the end of a run). */
  checkpointEvery: z.number().int().nonnegative().default(0),
  /** Write a metrics line every N steps (and after the last). */
  logEvery: z.number().int().positive().default(10),
  /** Seed of the Rng handed to the loss (dropout, noise, ...). */
  seed: z.number().int().default(0),
});

export type TrainerConfig = z.infer<typeof trainerConfigSchema>;
export type TrainerConfigInput = z.input<typeof trainerConfigSchema>;
