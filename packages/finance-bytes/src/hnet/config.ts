import { z } from 'zod';

const layoutEntry = z.string().regex(/^(linear|[mT]\d+)$/, 'a stack is "linear" (a stand-in), "m<N>" (N Mamba-2 layers) or "T<N>" (N transformer layers)');

/**
 * A one-stage H-Net (hnet/models/config_hnet.py names): `arch_layout` is [encoder, [main network], decoder], and
 * stage widths `d_model` [D0, D1] (D1 ≥ D0; the main network's input is padded with a learned `pad_dimension`).
 * Two-stage (nested) layouts are not covered (the fixture has none; README).
 */
export const hnetConfigSchema = z
  .object({
    arch_layout: z.tuple([layoutEntry, z.tuple([layoutEntry]), layoutEntry]),
    d_model: z.tuple([z.number().int().positive(), z.number().int().positive()]).refine(([d0, d1]) => d1 >= d0, 'the inner width must be at least the outer one'),
    /** SwiGLU width per stage (0: no MLP in the blocks). */
    d_intermediate: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).default([0, 0]),
    vocab_size: z.number().int().positive().default(256),
    /** The LM head reuses the byte embedding (logits = h·Eᵀ); its state dict then has no `lm_head.weight`. */
    tie_embeddings: z.boolean().default(false),
    ssm_cfg: z
      .object({
        d_state: z.number().int().positive().default(32),
        d_conv: z.number().int().positive().default(4),
        expand: z.number().int().positive().default(2),
        head_dim: z.number().int().positive().default(32),
        chunk_size: z.number().int().positive().default(64),
      })
      .prefault({}),
    attn_cfg: z
      .object({
        num_heads: z.tuple([z.number().int().positive(), z.number().int().positive()]).default([4, 4]),
      })
      .prefault({}),
    /** Dtype of the dechunk EMA's kernel inputs: the official default is bfloat16 (README 6.4); float32 trains. */
    dechunk_kernel: z.enum(['float32', 'bfloat16']).default('float32'),
  })
  .strict();
export type HNetConfig = z.output<typeof hnetConfigSchema>;
export type HNetConfigInput = z.input<typeof hnetConfigSchema>;
