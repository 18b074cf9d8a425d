import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvSeries, readTableSeries } from '../../src/data/csv.js';
import { readVegaDataset } from '../../src/data/vega-datasets.js';
import { assertObserved, seriesFromValues } from '../../src/data/series.js';
import { denormaliseValues, fitScaler, normaliseValues } from '../../src/data/normalise.js';
import { splitByTime } from '../../src/data/split.js';
import { observedWindows, slidingWindows } from '../../src/data/windows.js';

const dir = mkdtempSync(join(tmpdir(), 'nextx-ts-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('CSV and JSON series', () => {
  const wide = file('wide.csv', 'date,a,b,label\n2020-01,1,10,x\n2020-02,,11,y\n2020-03,3,NA,z\n2020-04,4,13,w\n');

  it('reads one series per numeric column with the time column, masking missing values', async () => {
    const series = await readCsvSeries(wide);
    expect(series.map((s) => s.name)).toEqual(['a', 'b']);
    const [a, b] = series as [(typeof series)[0], (typeof series)[0]];
    expect(a.time).toEqual(['2020-01', '2020-02', '2020-03', '2020-04']);
    expect(Array.from(a.observed)).toEqual([1, 0, 1, 1]);
    expect(Array.from(b.observed)).toEqual([1, 1, 0, 1]);
    expect(a.values[0]).toBe(1);
    expect(() => assertObserved(a)).toThrow("missing value at wide.csv row 3 (2020-02), column 'a'");
  });

  it("refuses a missing value with missing: 'refuse', naming the row and the column", async () => {
    await expect(readCsvSeries(wide, { targets: ['b'], missing: 'refuse' })).rejects.toThrow("wide.csv row 4, column 'b': missing value");
  });

  it('refuses text in a value column it was asked for, and unknown columns', async () => {
    await expect(readCsvSeries(wide, { targets: ['label'] })).rejects.toThrow("wide.csv row 2, column 'label': 'x' is not a number");
    await expect(readCsvSeries(wide, { targets: ['c'] })).rejects.toThrow("no target column 'c'; the columns are 'date', 'a', 'b', 'label'");
  });

  it('reads long-format files as one series per id, and JSON records', async () => {
    const long = file('long.csv', 'symbol,date,price\nA,1,1.5\nB,1,7\nA,2,2.5\nB,2,8\n');
    const series = await readCsvSeries(long, { targets: ['price'], seriesColumn: 'symbol' });
    expect(series.map((s) => [s.name, Array.from(s.values), Array.from(s.rows ?? [])])).toEqual([
      ['A', [1.5, 2.5], [2, 4]],
      ['B', [7, 8], [3, 5]],
    ]);
    const json = file('records.json', JSON.stringify([{ t: 'a', v: 1 }, { t: 'b', v: null }]));
    const [s] = await readTableSeries(json, { timeColumn: 't' });
    expect(Array.from(s?.observed ?? [])).toEqual([1, 0]);
  });

  it('reads the vega-datasets series (the default real data)', async () => {
    const { series, dataset } = await readVegaDataset('co2-concentration');
    expect(dataset.seasonality).toBe(12);
    expect(series[0]?.values.length).toBe(741);
    expect(series[0]?.values[0]).toBeCloseTo(315.7, 10);
    const stocks = await readVegaDataset('stocks');
    expect(stocks.series.map((s) => s.name)).toEqual(['MSFT', 'AMZN', 'IBM', 'GOOG', 'AAPL']);
    await expect(readVegaDataset('nope')).rejects.toThrow(/unknown dataset 'nope'/);
  });
});

describe('windows, splits and normalisation', () => {
  it('leaves out windows that touch a missing value', () => {
    const w = observedWindows([1, 2, Number.NaN, 4, 5, 6, 7], [1, 1, 0, 1, 1, 1, 1], 2, 1);
    expect([w.n, w.dropped]).toEqual([2, 3]);
    expect(Array.from(w.x)).toEqual([4, 5, 5, 6]);
    expect(Array.from(w.y)).toEqual([6, 7]);
    const all = slidingWindows([1, 2, 3, 4, 5], 2, 2);
    expect(Array.from(all.x)).toEqual([1, 2, 2, 3]);
    expect(Array.from(all.y)).toEqual([3, 4, 4, 5]);
  });

  it('splits by time with a gap before each held-out part', () => {
    expect(splitByTime(100, { test: 20, valid: 10, gap: 2 })).toEqual({ train: { from: 0, to: 66 }, valid: { from: 68, to: 78 }, test: { from: 80, to: 100 }, gap: 2 });
    expect(splitByTime(100, { test: 0.2 })).toEqual({ train: { from: 0, to: 80 }, valid: { from: 80, to: 80 }, test: { from: 80, to: 100 }, gap: 0 });
    expect(() => splitByTime(10, { test: 8, gap: 3 })).toThrow(/nothing to train on/);
  });

  it('normalises each series by the mean and std of its observed values only', () => {
    const s = seriesFromValues('x', [1, Number.NaN, 3]);
    const scaler = fitScaler(s);
    expect(scaler).toEqual({ mean: 2, std: 1 });
    expect(Array.from(denormaliseValues(normaliseValues([1, 3], scaler), scaler))).toEqual([1, 3]);
  });
});
