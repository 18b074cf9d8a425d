import { z } from 'zod';
import { byteGptConfigSchema } from '@nextx/core';
import { EVENT_BYTES } from '../codec/event-layout.js';
import { hnetConfigSchema } from '../hnet/config.js';

/** H-Net backbone of ByteGen: Mamba-2 encoder and decoder over bytes, a transformer main network over chunks. */
export const DEFAULT_HNET = {
  arch_layout: ['m2', ['T2'], 'm2'] as [string, [string], string],
  d_model: [64, 96] as [number, number],
  d_intermediate: [0, 192] as [number, number],
  vocab_size: 256,
  ssm_cfg: { d_state: 32, d_conv: 4, expand: 2, head_dim: 32, chunk_size: 64 },
  attn_cfg: { num_heads: [4, 4] as [number, number] },
  dechunk_kernel: 'float32' as const,
};

/** What a ByteGen checkpoint's config.json holds. */
export const byteGenConfigSchema = z
  .object({
    backbone: z.enum(['hnet', 'transformer']).default('hnet'),
    /** Window of the model in bytes: whole events (a multiple of 32). */
    windowBytes: z
      .number()
      .int()
      .positive()
      .refine((n) => n % EVENT_BYTES === 0, `must be a multiple of ${EVENT_BYTES} (whole events)`)
      .default(256),
    hnet: hnetConfigSchema.prefault(DEFAULT_HNET),
    /**
     * The plain byte transformer of the ablation (core's byte GPT; contextLength is windowBytes). Its default, width 96
     * and 2 layers, costs about as many FLOPs per byte as the default H-Net (BENCHMARKS.md).
     */
    transformer: byteGptConfigSchema.prefault({ dim: 96, numLayers: 2, numHeads: 4 }),
    /** H-Net ratio loss: target compression N and weight α (the paper's 0.03). N = 4 is 8 chunks per 32-byte event. */
    ratioTarget: z.number().gt(1).default(4),
    ratioWeight: z.number().nonnegative().default(0.03),
    /** Price units per tick of the data (for spreads in ticks in the report). */
    tickUnits: z.number().int().positive().default(100),
    seed: z.number().int().default(0),
  })
  .strict();
export type ByteGenConfig = z.output<typeof byteGenConfigSchema>;
export type ByteGenConfigInput = z.input<typeof byteGenConfigSchema>;
