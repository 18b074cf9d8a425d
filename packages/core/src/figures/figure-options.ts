import { z } from 'zod';

/** Options every chart takes: a title and the size of its plot area in pixels (axes and legend come on top). */
export const chartOptionsSchema = z.object({
  title: z.string().optional(),
  width: z.number().int().min(16).max(4096).default(480),
  height: z.number().int().min(16).max(4096).default(280),
});

/** Vega-Lite's `title` property, or nothing. */
export function titleOf(title: string | undefined): { title?: string } {
  return title === undefined ? {} : { title };
}

/** A quantitative scale: log or linear (not forced through zero), with an optional fixed domain. */
export function quantitativeScale(log: boolean, domain?: readonly [number, number]): Record<string, unknown> {
  return { type: log ? 'log' : 'linear', ...(log ? {} : { zero: false }), ...(domain ? { domain: [...domain], nice: false } : {}) };
}
