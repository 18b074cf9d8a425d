import { z } from 'zod';
import { parseConfig } from '@nextx/core';
import { roundHalfEven } from '../kspace/cartesian-mask.js';

const accelerationsSchema = z
  .array(z.number().min(1))
  .min(2)
  .refine((a) => a.every((r, i) => i === 0 || r < (a[i - 1] as number)), { message: 'must decrease strictly (most accelerated first)' })
  .refine((a) => a[a.length - 1] === 1, { message: 'must end with 1 (fully sampled)' });

export const tokenizerConfigSchema = z.object({
  /** Widths of the encoder's stages: the first at full resolution, each next one after a ×2 down-sampling. */
  channels: z.array(z.number().int().positive()).min(2).default([16, 32, 48, 64]),
  /** Channels of the latent each token stands for (Cvae). */
  latentDim: z.number().int().positive().default(16),
  /** Codewords of the one codebook every acceleration level shares. */
  codebookSize: z.number().int().min(2).default(512),
  /** VQ commitment weight β. */
  beta: z.number().nonnegative().default(0.25),
  numGroups: z.number().int().positive().default(8),
  /**
   * Divide f̂ by its root mean square (per sample) before the decoder. Without it the VQ losses shrink the latents to
   * the codebook's tiny initial scale (VAR's uniform ±1/V) and the decoder, which also sees the measured image, learns
   * to ignore them (measured: latents of rms 0.009, all levels decoding alike); with it the decoder sees f̂ at unit
   * scale whatever the codebook's.
   */
  normalizeLatent: z.boolean().default(false),
});

export const transformerConfigSchema = z.object({
  depth: z.number().int().positive().default(4),
  width: z.number().int().positive().default(128),
  numHeads: z.number().int().positive().default(4),
  mlpRatio: z.number().positive().default(4),
  normEps: z.number().positive().default(1e-6),
  attnL2Norm: z.boolean().default(true),
  dropRate: z.number().min(0).lt(1).default(0),
});

export const mriNasConfigSchema = z
  .object({
    /** Side of the square images (and k-space matrices) the model works on. */
    imageSize: z.number().int().min(8).default(64),
    /** The acceleration levels, most accelerated first, ending with 1 (fully sampled). */
    accelerations: accelerationsSchema.default([16, 8, 4, 2, 1]),
    /**
     * Centre fraction at R = 1: level R measures a fully sampled centre of centerFraction/R of the columns
     * (fastMRI's pairs 4×/0.08, 8×/0.04 are 0.32; the default 0.64 gives a 64-column matrix 10 and 5 calibration lines).
     */
    centerFraction: z.number().gt(0).max(4).default(0.64),
    tokenizer: tokenizerConfigSchema.prefault({}),
    transformer: transformerConfigSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const factor = 2 ** (c.tokenizer.channels.length - 1);
    if (c.imageSize % factor !== 0) {
      ctx.addIssue({ code: 'custom', path: ['imageSize'], message: `must be divisible by ${factor} (the tokenizer halves it ${c.tokenizer.channels.length - 1} times)` });
    }
    if (c.transformer.width % c.transformer.numHeads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['transformer', 'numHeads'], message: `must divide the width ${c.transformer.width}` });
    }
  });

export type MriNasConfig = z.output<typeof mriNasConfigSchema>;
export type MriNasConfigInput = z.input<typeof mriNasConfigSchema>;
export type TokenizerConfig = MriNasConfig['tokenizer'];
export type TransformerConfig = MriNasConfig['transformer'];

export function parseMriNasConfig(config: unknown): MriNasConfig {
  return parseConfig(mriNasConfigSchema, config, 'medical/mri-nas config');
}

/** Side of the token grid: imageSize / 2^(stages − 1). */
export function tokenGridSize(config: MriNasConfig): number {
  return config.imageSize / 2 ** (config.tokenizer.channels.length - 1);
}

/** The centre fraction of level R. */
export function levelCenterFraction(config: MriNasConfig, acceleration: number): number {
  return Math.min(1, config.centerFraction / acceleration);
}

/** Fewest calibration columns the coil-sensitivity estimate accepts (coilEstimationSchema's minCalibration). */
export const MIN_CALIBRATION_COLUMNS = 4;

/**
 * The undersampled levels a measurement may come at: those whose fully sampled centre holds enough columns to
 * estimate coil sensitivities (at a 64-column matrix, 16× has 3 and is only ever a derived level).
 */
export function measurableLevels(config: MriNasConfig): number[] {
  return config.accelerations
    .slice(0, -1)
    .map((R, i) => ({ i, columns: roundHalfEven(config.imageSize * levelCenterFraction(config, R)) }))
    .filter(({ columns }) => columns >= MIN_CALIBRATION_COLUMNS)
    .map(({ i }) => i);
}
