import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext, DemoResult } from '@nextx/core';
import { loadForecaster } from './forecast/checkpoint.js';
import { forecastAll } from './forecast/generate.js';
import { writeForecastCsv } from './cli/forecast-csv.js';
import { writeForecastFigure } from './figures/forecast-figure.js';

/** The small checkpoints this package trained on Mauna Loa CO₂ (scripts/train-demo-checkpoints.ts). */
export const DEMO_CHECKPOINTS = {
  arnet: fileURLToPath(new URL('../assets/co2-arnet/', import.meta.url)),
  spacetime: fileURLToPath(new URL('../assets/co2-spacetime/', import.meta.url)),
} as const;

const HORIZON = 48;
const SAMPLES = 100;

/** `nextx demo`: 48-month probabilistic CO₂ forecasts from the bundled AR-Net and SpaceTime checkpoints. */
export async function timeseriesDemo(context: CliContext): Promise<DemoResult> {
  const files: string[] = [];
  const lines: string[] = [];
  const entries = Object.entries(DEMO_CHECKPOINTS);
  for (const [i, [name, dir]] of entries.entries()) {
    context.onProgress({ stage: 'timeseries', completed: i, total: entries.length, message: `${name}: ${SAMPLES} sample paths, ${HORIZON} months` });
    const { forecaster, config, history } = loadForecaster(dir);
    try {
      const result = await forecastAll(forecaster, { horizon: HORIZON, samples: SAMPLES }, history.values, { seed: 0, signal: context.signal });
      const names = config.series.map((s) => s.name);
      files.push(writeForecastCsv(join(context.out, `co2-${name}-forecast.csv`), names, result.point, result.summary));
      files.push(
        await writeForecastFigure(join(context.out, `co2-${name}-forecast.png`), {
          title: `Mauna Loa CO₂ (ppm): ${forecaster.name} forecast, ${HORIZON} months, ${SAMPLES} sample paths`,
          names,
          history: history.values,
          historyTime: history.time,
          point: result.point,
          summary: result.summary,
          shown: 120,
        }),
      );
      const last = result.summary[0];
      lines.push(`${forecaster.name}: CO₂ in ${HORIZON} months ${last?.median.at(-1)?.toFixed(1)} ppm (90% interval ${last?.quantiles[0]?.at(-1)?.toFixed(1)}–${last?.quantiles.at(-1)?.at(-1)?.toFixed(1)})`);
    } finally {
      forecaster.model.dispose();
    }
  }
  context.onProgress({ stage: 'timeseries', completed: entries.length, total: entries.length });
  return { summary: lines.join('; '), files };
}
