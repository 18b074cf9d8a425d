import { z } from 'zod';

/** How each chunk is denoised: a flow sampler, its steps and time shift. */
export const samplingSchema = z
  .object({
    /** 'flow-euler': the flow ODE, deterministic given the noise; 'flow-renoise': Self Forcing's few-step re-noising. */
    sampler: z.enum(['flow-euler', 'flow-renoise']).default('flow-euler'),
    steps: z.number().int().positive().default(4),
    /** Steps of the very first generated chunk (Diagonal Distillation: more steps early, fewer later); default `steps`. */
    firstChunkSteps: z.number().int().positive().optional(),
    /** SD3 time shift of the schedule (above 1: more steps at high noise). */
    shift: z.number().positive().default(1),
  })
  .strict();
export type Sampling = z.infer<typeof samplingSchema>;
export type SamplingInput = z.input<typeof samplingSchema>;
