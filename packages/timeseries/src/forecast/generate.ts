import { z } from 'zod';
import { parseConfig, resolveSeed, throwIfAborted, type GenerateChunk, type GenerateOptions } from '@nextx/core';
import { DEFAULT_QUANTILES, summarisePaths, type ForecastSummary, type Forecaster } from './forecaster.js';

export const forecastRequestSchema = z.object({
  horizon: z.number().int().positive().max(100_000),
  /** Sample paths of the probabilistic forecast (0: point forecast only). */
  samples: z.number().int().nonnegative().max(100_000).default(100),
  quantiles: z.array(z.number().gt(0).lt(1)).min(1).default([...DEFAULT_QUANTILES]),
  /** Context per channel (values in time order, at least the model's lag); default: the checkpoint's history. */
  context: z.array(z.array(z.number().nullable())).optional(),
});

export type ForecastRequest = z.input<typeof forecastRequestSchema>;

/** A streamed piece of a forecast: sample paths as they are drawn, the summary with the last chunk. */
export interface ForecastChunk {
  /** The seed that repeats this run (undefined when an Rng was passed in). */
  readonly seed: number | undefined;
  /** Paths drawn in this chunk, [channel][sample][step]. */
  readonly paths: Float64Array[][];
  /** With the final chunk: the point forecast and, with samples, the per-step quantiles of every path. */
  readonly point?: Float64Array[];
  readonly summary?: ForecastSummary[];
}

const BATCH = 50;

/**
 * A probabilistic forecast as a stream (ARCHITECTURE rule 7): sample paths in batches of 50 (progress after each,
 * abortable between them), then the point forecast and the quantiles of all paths. No seed draws a fresh one, reported
 * in every chunk so that the run can be repeated.
 */
export async function* generateForecast(forecaster: Forecaster, request: ForecastRequest, context: readonly ArrayLike<number>[], options: GenerateOptions = {}): AsyncGenerator<GenerateChunk<ForecastChunk>> {
  const req = parseConfig(forecastRequestSchema, request, 'forecast request');
  const { rng, seed } = resolveSeed(options.seed);
  const batches = Math.max(1, Math.ceil(req.samples / BATCH));
  const all: Float64Array[][] = Array.from({ length: forecaster.channels }, () => []);
  for (let b = 0; b < batches; b++) {
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(options.signal);
    const count = Math.min(BATCH, req.samples - b * BATCH);
    const paths = count > 0 ? forecaster.samplePaths(context, req.horizon, count, rng) : Array.from({ length: forecaster.channels }, () => []);
    paths.forEach((p, c) => all[c]?.push(...p));
    options.onProgress?.({ stage: 'forecast', completed: b + 1, total: batches, message: `${Math.min(req.samples, (b + 1) * BATCH)} of ${req.samples} sample paths` });
    const final = b === batches - 1;
    yield {
      index: b,
      total: batches,
      final,
      value: {
        seed,
        paths,
        ...(final ? { point: forecaster.forecast(context, req.horizon), ...(req.samples > 0 ? { summary: all.map((p) => summarisePaths(p, req.quantiles)) } : {}) } : {}),
      },
    };
  }
}

/** Runs the stream to its end: the point forecast, the summaries and every path. */
export async function forecastAll(forecaster: Forecaster, request: ForecastRequest, context: readonly ArrayLike<number>[], options: GenerateOptions = {}): Promise<{ seed: number | undefined; paths: Float64Array[][]; point: Float64Array[]; summary: ForecastSummary[] }> {
  const paths: Float64Array[][] = Array.from({ length: forecaster.channels }, () => []);
  let last: ForecastChunk | undefined;
  for await (const chunk of generateForecast(forecaster, request, context, options)) {
    chunk.value.paths.forEach((p, c) => paths[c]?.push(...p));
    last = chunk.value;
  }
  const final = last as ForecastChunk;
  return { seed: final.seed, paths, point: final.point ?? [], summary: final.summary ?? [] };
}
