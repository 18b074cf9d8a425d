import { z } from 'zod';
import { parseConfig } from '@nextx/core';

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

/**
 * AR-Net under the official `ARNet(...)` argument names (ourownstory/AR-Net, arnet/ar_net.py), with the official
 * defaults, plus `layers`, the hidden widths of fastai's `TabularModel` (the official `create_learner` hard-codes
 * `[]`, the linear AR-Net of the paper). `est_noise` is measured from the training series when not given.
 */
export const arnetConfigSchema = z
  .object({
    /** p: lags in, oldest first. */
    ar_order: positiveInt,
    /** h: forecasts out (steps 1…h ahead). */
    n_forecasts: positiveInt.default(1),
    /** Hidden layer widths (ReLU); [] is the linear AR-Net. */
    layers: z.array(positiveInt).default([]),
    /** Target fraction of non-zero AR coefficients; null switches the regulariser off. */
    sparsity: z.number().gt(0).max(1).nullable().default(null),
    /** Mean |s[t+1] − s[t]| of the training series (scales λ); null: measured from the data. */
    est_noise: z.number().nonnegative().nullable().default(null),
    start_reg_pct: fraction.default(0),
    full_reg_pct: fraction.default(0.5),
    use_reg_noise: z.boolean().default(false),
    reg_c1: z.number().positive().default(2),
    reg_c2: z.number().positive().default(2),
    /** fastai `SparsifyAR(reg_strength=0.01)`. */
    reg_strength: z.number().nonnegative().default(0.01),
    loss_func: z.enum(['huber', 'mse', 'mae']).default('huber'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.sparsity !== null && !(c.full_reg_pct > c.start_reg_pct)) {
      ctx.addIssue({
        code: 'custom',
        path: ['full_reg_pct'],
        message: `must be greater than start_reg_pct (${c.start_reg_pct}): λ ramps between the two`,
        input: c.full_reg_pct,
      });
    }
  });

export type ArnetConfig = z.infer<typeof arnetConfigSchema>;
export type ArnetConfigInput = z.input<typeof arnetConfigSchema>;

/**
 * fastai's `Adam` and `fit_one_cycle` settings as `ARNet.fit_one_cycle` uses them: `lr` is lr_max, one cycle over
 * `n_epoch` epochs of `train_bs` rows.
 */
export const arnetTrainConfigSchema = z
  .object({
    n_epoch: positiveInt.default(20),
    /** lr_max of the cycle. The official default (None) runs fastai's lr_find; nextx asks for a number. */
    lr: z.number().positive().default(1e-2),
    train_bs: positiveInt.default(32),
    /** Fraction of windows (the last ones, in time order) held out for validation (`split_by_p_valid`). */
    valid_p: z.number().min(0).lt(1).default(0.1),
    /** fastai's training DataLoader shuffles (and drops the last partial batch). */
    shuffle: z.boolean().default(true),
    drop_last: z.boolean().default(true),
    div: z.number().positive().default(25),
    div_final: z.number().positive().default(1e4),
    pct_start: z.number().gt(0).lt(1).default(0.25),
    moms: z.tuple([z.number(), z.number(), z.number()]).default([0.95, 0.85, 0.95]),
    sqr_mom: z.number().min(0).lt(1).default(0.99),
    eps: z.number().positive().default(1e-5),
    wd: z.number().nonnegative().default(0.01),
    seed: z.number().int().default(0),
  })
  .strict();

export type ArnetTrainConfig = z.infer<typeof arnetTrainConfigSchema>;
export type ArnetTrainConfigInput = z.input<typeof arnetTrainConfigSchema>;

export function parseArnetConfig(value: unknown, what = 'AR-Net config'): ArnetConfig {
  return parseConfig(arnetConfigSchema, value, what);
}

export function parseArnetTrainConfig(value: unknown, what = 'AR-Net training config'): ArnetTrainConfig {
  return parseConfig(arnetTrainConfigSchema, value, what);
}

/**
 * λ's ceiling (fastai_mods.py `SparsifyAR`): reg_strength · est_noise · ((1 + 1e-9)/(sparsity + 1e-9) − 1); zero without
 * a sparsity target. `est_noise` is 1 unless `use_reg_noise`.
 */
export function lambdaMax(config: ArnetConfig, estNoise: number): number {
  if (config.sparsity === null) return 0;
  const noise = config.use_reg_noise ? estNoise : 1;
  return config.reg_strength * noise * ((1 + 1e-9) / (config.sparsity + 1e-9) - 1);
}
