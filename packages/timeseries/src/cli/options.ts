import { InputError, type CliOption } from '@nextx/core';
import { readTableSeries, type TableSeriesOptions } from '../data/csv.js';
import type { Series } from '../data/series.js';
import { isVegaDatasetName, vegaDatasetFile, VEGA_DATASETS, type VegaDataset } from '../data/vega-datasets.js';

export const DATA_OPTIONS: readonly CliOption[] = [
  { flags: '--csv <file>', description: 'CSV/TSV (or JSON records) file with a time column and value columns' },
  { flags: '--dataset <name>', description: `a vega-datasets series: ${Object.keys(VEGA_DATASETS).join(', ')}` },
  { flags: '--target <columns>', description: 'value column(s), comma-separated (SpaceTime forecasts several together)' },
  { flags: '--time-column <name>', description: 'time column (default: the first named date/time/year/month/...)' },
  { flags: '--series-column <name>', description: 'long format: the column naming each series (e.g. symbol)' },
  { flags: '--series <ids>', description: 'long format: which series to use, comma-separated (default: the first)' },
  { flags: '--missing <mode>', description: "missing values: 'mask' (left out of every window) or 'refuse' (stop, naming row and column)", defaultValue: 'mask' },
  { flags: '--seasonality <m>', description: 'season length for seasonal naive and MASE (default: the dataset\'s, else 1)' },
];

export function parseNumberOption(flag: string, value: unknown, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || !check(n)) throw new InputError(`${flag} must be ${expected}; got '${String(value)}'`);
  return n;
}

export const positiveInteger = (flag: string, value: unknown): number => parseNumberOption(flag, value, (n) => Number.isInteger(n) && n > 0, 'an integer ≥ 1');

export function optionalNumber(flag: string, value: unknown, check: (n: number) => boolean, expected: string): number | undefined {
  return value === undefined ? undefined : parseNumberOption(flag, value, check, expected);
}

const list = (value: unknown): string[] | undefined =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

export interface LoadedData {
  readonly series: Series[];
  readonly seasonality: number;
  readonly source: string;
}

/** The series named by --csv/--dataset, --target, --series...; errors name the option and the file. */
export async function loadSeriesFromOptions(options: Readonly<Record<string, unknown>>): Promise<LoadedData> {
  const csv = options['csv'];
  const dataset = options['dataset'];
  if ((typeof csv === 'string') === (typeof dataset === 'string')) throw new InputError('give exactly one of --csv <file> and --dataset <name>');
  const missing = options['missing'] ?? 'mask';
  if (missing !== 'mask' && missing !== 'refuse') throw new InputError(`--missing must be 'mask' or 'refuse'; got '${String(missing)}'`);
  const targets = list(options['target']);
  const overrides: TableSeriesOptions = {
    ...(typeof options['timeColumn'] === 'string' ? { timeColumn: options['timeColumn'] } : {}),
    ...(targets ? { targets } : {}),
    ...(typeof options['seriesColumn'] === 'string' ? { seriesColumn: options['seriesColumn'] } : {}),
    missing,
  };
  let file: string;
  let read: TableSeriesOptions;
  let seasonality = 1;
  if (typeof dataset === 'string') {
    if (!isVegaDatasetName(dataset)) throw new InputError(`unknown --dataset '${dataset}'; the vega-datasets series are ${Object.keys(VEGA_DATASETS).join(', ')}`);
    const known: VegaDataset = VEGA_DATASETS[dataset];
    file = vegaDatasetFile(dataset);
    read = { ...known.read, ...overrides };
    seasonality = known.seasonality;
  } else {
    file = csv as string;
    read = overrides;
  }
  const all = await readTableSeries(file, read);
  const wanted = list(options['series']);
  // Long format without --series: the first series; wide format: every value column.
  const series = wanted ? wanted.map((id) => pick(all, id)) : read.seriesColumn ? [all[0] as Series] : all;
  const m = optionalNumber('--seasonality', options['seasonality'], (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
  return { series, seasonality: m ?? seasonality, source: file };
}

function pick(all: readonly Series[], id: string): Series {
  const found = all.find((s) => s.name === id);
  if (!found) throw new InputError(`no series '${id}'; the file has ${all.map((s) => `'${s.name}'`).join(', ')}`);
  return found;
}
