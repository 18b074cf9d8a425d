import { z } from 'zod';

export const byteGptConfigSchema = z
  .object({
    /** Bytes: 256 symbols. */
    vocabSize: z.number().int().positive().default(256),
    /** Longest sequence the position table covers (nanoGPT's block_size). */
    contextLength: z.number().int().positive().default(128),
    /** Width of the residual stream (n_embd). */
    dim: z.number().int().positive().default(64),
    numLayers: z.number().int().positive().default(2),
    numHeads: z.number().int().positive().default(4),
    /** Hidden width of the MLP as a multiple of dim. */
    mlpRatio: z.number().int().positive().default(4),
    /** Dropout on attention probabilities, attention output and MLP output, in training. */
    dropout: z.number().min(0).lt(1).default(0),
    /** Seed of the weight initialisation (and of the dropout masks). */
    seed: z.number().int().default(0),
  })
  .refine((c) => c.dim % c.numHeads === 0, { message: 'dim must be divisible by numHeads', path: ['numHeads'] });

export type ByteGptConfig = z.infer<typeof byteGptConfigSchema>;
export type ByteGptConfigInput = z.input<typeof byteGptConfigSchema>;
