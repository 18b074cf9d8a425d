import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '@nextx/core';
import { readTableSeries, type TableSeriesOptions } from './csv.js';
import type { Series } from './series.js';

/** A real series from the npm package `vega-datasets` with the columns and season length that make it a forecast. */
export interface VegaDataset {
  readonly file: string;
  readonly read: TableSeriesOptions;
  /** Season length m for seasonal naive and MASE (1 when there is none). */
  readonly seasonality: number;
  readonly frequency: string;
  readonly description: string;
}

export const VEGA_DATASETS = {
  'co2-concentration': {
    file: 'co2-concentration.csv',
    read: { timeColumn: 'Date', targets: ['CO2'] },
    seasonality: 12,
    frequency: 'monthly',
    description: 'Mauna Loa CO₂ (ppm), monthly 1958–2020: trend + yearly cycle',
  },
  'seattle-weather': {
    file: 'seattle-weather.csv',
    read: { timeColumn: 'date', targets: ['temp_max'] },
    seasonality: 7,
    frequency: 'daily',
    description: 'Seattle daily maximum temperature (°C), 2012–2015: noisy with a yearly cycle',
  },
  'seattle-weather-hourly-normals': {
    file: 'seattle-weather-hourly-normals.csv',
    read: { timeColumn: 'date', targets: ['temperature'] },
    seasonality: 24,
    frequency: 'hourly',
    description: 'Seattle hourly temperature normals (°C), one year: daily cycle',
  },
  stocks: {
    file: 'stocks.csv',
    read: { timeColumn: 'date', targets: ['price'], seriesColumn: 'symbol' },
    seasonality: 12,
    frequency: 'monthly',
    description: 'monthly closing prices of five stocks (AAPL, AMZN, GOOG, IBM, MSFT), 2000–2010: random walks',
  },
  sp500: {
    file: 'sp500.csv',
    read: { timeColumn: 'date', targets: ['price'] },
    seasonality: 12,
    frequency: 'monthly',
    description: 'S&P 500 monthly close, 2000–2010',
  },
  'unemployment-across-industries': {
    file: 'unemployment-across-industries.json',
    read: { timeColumn: 'date', targets: ['count'], seriesColumn: 'series' },
    seasonality: 12,
    frequency: 'monthly',
    description: 'US unemployed persons (thousands) in 14 industries, monthly 2000–2010: seasonal with the 2008 shock',
  },
} as const satisfies Record<string, VegaDataset>;

export type VegaDatasetName = keyof typeof VEGA_DATASETS;

export function isVegaDatasetName(name: string): name is VegaDatasetName {
  return Object.hasOwn(VEGA_DATASETS, name);
}

/** The data folder of the installed `vega-datasets` package (an optional peer dependency). */
export function vegaDatasetsDir(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('vega-datasets');
  } catch {
    throw new InputError('the real datasets come from the npm package vega-datasets, which is not installed: npm i vega-datasets@3.2.1');
  }
  const dir = join(dirname(dirname(entry)), 'data');
  if (!existsSync(dir)) throw new InputError(`vega-datasets is installed but has no data folder at ${dir}`);
  return dir;
}

export function vegaDatasetFile(name: VegaDatasetName): string {
  return join(vegaDatasetsDir(), VEGA_DATASETS[name].file);
}

/** Every series of a named vega dataset (several for the long-format ones). */
export async function readVegaDataset(name: string): Promise<{ dataset: VegaDataset; series: Series[] }> {
  if (!isVegaDatasetName(name)) {
    throw new InputError(`unknown dataset '${name}'; the vega-datasets series are ${Object.keys(VEGA_DATASETS).join(', ')}`);
  }
  const dataset: VegaDataset = VEGA_DATASETS[name];
  return { dataset, series: await readTableSeries(vegaDatasetFile(name), dataset.read) };
}
