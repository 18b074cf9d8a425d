import { z } from 'zod';
import { parseConfig } from '@nextx/core';
import { transformerConfigSchema } from '../transformer/causal-transformer.js';

export const tokenizerSpecSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('bytes') }), z.object({ kind: z.literal('bpe'), file: z.string() })]);

/** The autoregressive reference: a decoder with a softmax over the vocabulary. */
export const arConfigSchema = z
  .object({
    model: z.literal('text/ar').default('text/ar'),
    vocabSize: z.number().int().positive(),
    transformer: transformerConfigSchema.prefault({}),
    tokenizer: tokenizerSpecSchema.default({ kind: 'bytes' }),
  })
  .strict();
export type ArConfig = z.output<typeof arConfigSchema>;
export type ArConfigInput = z.input<typeof arConfigSchema>;

export const parseArConfig = (input: unknown, what = 'text/ar config'): ArConfig => parseConfig(arConfigSchema, input, what);
