import { z } from 'zod';
import { parseConfig } from '@nextx/core';
import { dataConsistencySchema } from '../kspace/data-consistency.js';

export const mriNasRequestSchema = z.object({
  /** Reconstructions drawn per measurement; their mean is the estimate and their spread the uncertainty. */
  samples: z.number().int().min(1).max(64).default(4),
  /** Softmax temperature of the token draws (0: greedy, one deterministic sample). */
  temperature: z.number().nonnegative().default(1),
  /** Keep the k most likely tokens (0: all). */
  topK: z.number().int().nonnegative().default(0),
  /** Keep keys and values between levels (default), or recompute the prefix at every level. */
  kvCache: z.boolean().default(true),
  /** How each level's image is made consistent with the measured lines. */
  dataConsistency: dataConsistencySchema.default({ mode: 'replace' }),
});
export type MriNasRequestOptions = z.input<typeof mriNasRequestSchema>;
export type ParsedMriNasRequest = z.output<typeof mriNasRequestSchema>;

export function parseMriNasRequest(request: unknown): ParsedMriNasRequest {
  return parseConfig(mriNasRequestSchema, request ?? {}, 'medical/mri-nas request');
}
