import { z } from 'zod';

/**
 * How CoBit samples (official `DDIMSampler.sample` as `evaluation/generation_driver.py` calls it, spec section 10).
 * Defaults are the paper's evaluation setting: entropic schedule, terminal σ 0.08, self-conditioning carry, no ATI,
 * deterministic.
 */
export const cobitSamplerConfigSchema = z
  .object({
    /** N, the number of noise levels (official `num_steps`): N − 1 Euler steps and a final denoise. */
    steps: z.number().int().min(2).default(64),
    schedule: z.enum(['entropic', 'karras']).default('entropic'),
    /** entropic only: blend (1 − α)·entropic + α·Karras (official `entropic_blend_alpha`). */
    blend: z.number().min(0).max(1).default(0),
    /** Terminal σ (official `sigma_min_override`; 0.08 in every paper eval config). */
    sigmaMin: z.number().positive().default(0.08),
    /** Largest σ asked for (official `sigma_max_override`); the config's sigma_max (80) when absent. */
    sigmaMax: z.number().positive().optional(),
    rho: z.number().positive().default(7),
    /** `carry`: the next call is conditioned on this call's estimate; `refined`: one extra call per step re-estimates at the new state. */
    selfCondition: z.enum(['carry', 'refined']).default('carry'),
    /** ATI η: each call's σ label moves toward the previous (noisier) level in log σ by this fraction (0 = off). */
    ati: z.number().min(0).max(1).default(0),
    /**
     * EDM churn, gated by a σ window. `gamma` is the per-step γ (official γ_target; S_churn = γ·(N − 1), so γ_i = γ);
     * `sChurn` sets S_churn directly instead. The window: `entropy` = the σ at CDF levels [qLo, qHi] of the entropy
     * profile (the paper's entropy gate), `full` = the whole sampling range, `fixed` = [sTmin, sTmax].
     */
    stochastic: z
      .object({
        gamma: z.number().nonnegative().optional(),
        sChurn: z.number().nonnegative().optional(),
        sNoise: z.number().positive().default(1),
        window: z
          .discriminatedUnion('mode', [
            z.object({ mode: z.literal('entropy'), qLo: z.number().min(0).max(1).default(0), qHi: z.number().min(0).max(1).default(1) }),
            z.object({ mode: z.literal('full') }),
            z.object({ mode: z.literal('fixed'), sTmin: z.number().nonnegative().optional(), sTmax: z.number().positive().optional() }),
          ])
          .default({ mode: 'entropy', qLo: 0, qHi: 1 }),
      })
      .strict()
      .refine((s) => (s.gamma === undefined) !== (s.sChurn === undefined), { message: 'give either gamma (per step) or sChurn (total), not both or neither' })
      .optional(),
  })
  .strict();

export type CobitSamplerConfig = z.output<typeof cobitSamplerConfigSchema>;
export type CobitSamplerConfigInput = z.input<typeof cobitSamplerConfigSchema>;
