import { z } from 'zod';

export const autoencoderConfigSchema = z
  .object({
    /** Frame side in pixels (a multiple of 4: two stride-2 stages). */
    frameSize: z.number().int().min(8).multipleOf(4).default(32),
    /** Latent channels per 4 × 4 pixel cell. */
    latentChannels: z.number().int().positive().default(8),
    /** Channels of the full-resolution and of the two down-sampled stages. */
    widths: z.tuple([z.number().int().positive(), z.number().int().positive()]).default([16, 32]),
  })
  .strict();
export type AutoencoderConfig = z.infer<typeof autoencoderConfigSchema>;
