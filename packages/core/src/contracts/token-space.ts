import { z } from 'zod';

/** What one token is. Samplers and generic tools read this instead of knowing the model. */
export const tokenSpaceSchema = z.discriminatedUnion('kind', [
  /** An id in [0, size). */
  z.object({ kind: z.literal('categorical'), size: z.number().int().positive() }),
  /** A fixed-width binary code (bit-diffusion text): `width` bits per token. */
  z.object({ kind: z.literal('bits'), width: z.number().int().positive() }),
  /** One id map per scale (VAR): scale k is a `scales[k]`×`scales[k]` grid of ids in [0, size). */
  z.object({
    kind: z.literal('multiscale'),
    scales: z.array(z.number().int().positive()).min(1),
    size: z.number().int().positive(),
  }),
  /** Raw bytes (ByteGen): ids in [0, 256). */
  z.object({ kind: z.literal('bytes') }),
  /** Continuous vectors of `dim` values (latent diffusion, forecasting). */
  z.object({ kind: z.literal('continuous'), dim: z.number().int().positive() }),
]);

export type TokenSpace = z.infer<typeof tokenSpaceSchema>;

/** Number of distinct ids of a discrete space; undefined for continuous ones. */
export function vocabularySize(space: TokenSpace): number | undefined {
  switch (space.kind) {
    case 'categorical':
    case 'multiscale':
      return space.size;
    case 'bits':
      return 2 ** space.width;
    case 'bytes':
      return 256;
    case 'continuous':
      return undefined;
  }
}
