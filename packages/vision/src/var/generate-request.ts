import { z } from 'zod';
import { ConfigError, parseConfig } from '@nextx/core';

/** What `generateVar` accepts; `parseVarGenerateRequest` checks it against the model before any work. */
export const varGenerateRequestSchema = z
  .object({
    /** One label per image; a negative label asks for the null (unconditional) class. */
    classes: z.array(z.number().int()).min(1).readonly().optional(),
    /** Images to draw when `classes` is omitted (default 1); their labels are drawn uniformly from the seeded Rng. */
    batchSize: z.number().int().positive().optional(),
    /** Guidance weight at the last scale; the weight ramps linearly from 0 at scale 0 (default 1.5). */
    cfg: z.number().nonnegative().default(1.5),
    /**
     * Keep the k most likely tokens (0 = off, the default; 1 = greedy). topK, topP and greedy are shorthands for a
     * categorical `GenerateOptions.sampler`, and not accepted together with one.
     */
    topK: z.number().int().nonnegative().optional(),
    /** Nucleus sampling with VAR's rule (0 = off, the default). */
    topP: z.number().min(0).max(1).optional(),
    greedy: z.boolean().optional(),
    /**
     * The official `more_smooth`: feed the next scale a Gumbel-softmax mixture of codewords instead of the sampled one
     * (smoother images, for visualisation; the official FID/IS figures are without it). Tokens are still sampled.
     */
    moreSmooth: z.boolean().default(false),
    /** Decode the partial f̂ after every scale (slower); the final image is always decoded. */
    preview: z.boolean().default(false),
    /** Reuse keys and values across scales (default); false recomputes the whole prefix with the block-causal mask. */
    kvCache: z.boolean().default(true),
    /** Also return each scale's guided logits and f̂ (for parity checks and debugging). */
    trace: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.classes === undefined || r.batchSize === undefined || r.batchSize === r.classes.length, {
    path: ['batchSize'],
    message: 'must equal the number of classes when both are given',
  });

export type VarGenerateRequest = z.input<typeof varGenerateRequestSchema>;
export type ParsedVarGenerateRequest = z.output<typeof varGenerateRequestSchema>;

/** Parses a request (a ConfigError naming the field) and checks its labels against the model's classes. */
export function parseVarGenerateRequest(request: unknown, numClasses: number): ParsedVarGenerateRequest {
  const what = 'vision/var generate request';
  const parsed = parseConfig(varGenerateRequestSchema, request, what);
  const issues = (parsed.classes ?? []).flatMap((label, i) =>
    label < numClasses ? [] : [{ path: ['classes', i], message: `class labels are 0..${numClasses - 1} (negative = unconditional)`, received: label }],
  );
  if (issues.length) throw new ConfigError(what, issues);
  return parsed;
}
