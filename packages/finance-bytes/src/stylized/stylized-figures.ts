import { join } from 'node:path';
import { heatmap, histogram, linePlot, panels, type Figure } from '@nextx/core';
import { autocorrelation } from './statistics.js';
import type { MarketSeries } from './market-series.js';

export interface FigureInputs {
  /** Pooled series of the real and generated streams (distributions, ACFs). */
  readonly real: MarketSeries;
  readonly generated: MarketSeries;
  /** One stream of each (paths and the depth heatmap). */
  readonly realPath: MarketSeries;
  readonly generatedPath: MarketSeries;
  readonly tickUnits: number;
  /** Autocorrelation lags shown (default 10). */
  readonly maxLag?: number;
}

export interface WrittenFigures {
  /** Figure name → PNG path. */
  readonly files: Record<string, string>;
  /** Figures left out, with the reason (e.g. no price moves in a generated stream). */
  readonly skipped: Record<string, string>;
}

const positive = (values: readonly number[]) => values.map(Math.abs).filter((v) => v > 0);

/** Depth around the mid, price offset (ticks) × sample, of one stream's snapshots. */
function depthGrid(series: MarketSeries, tickUnits: number, halfWidth: number, maxColumns: number): { values: number[]; cols: number } {
  const stride = Math.max(1, Math.ceil(series.snapshots.length / maxColumns));
  const picked = series.snapshots.filter((_, i) => i % stride === 0);
  const rows = 2 * halfWidth + 1;
  const values = new Array<number>(rows * picked.length).fill(0);
  picked.forEach((book, col) => {
    const mid = series.mids[col * stride] as number;
    for (const level of [...book.asks, ...book.bids]) {
      const row = Math.round((level.price - mid) / tickUnits) + halfWidth;
      if (row >= 0 && row < rows) values[row * picked.length + col] = (values[row * picked.length + col] as number) + level.size;
    }
  });
  return { values, cols: picked.length };
}

/**
 * The report's figures as PNG through core's figure helpers: a log-log histogram of |returns|, the ACFs of returns
 * and |returns|, a log-log histogram of inter-arrival times, mid-price paths, and order-book depth heatmaps, real
 * against generated, plus one multi-panel overview. A figure whose data is empty is skipped and said so.
 */
export async function writeStylizedFigures(dir: string, inputs: FigureInputs): Promise<WrittenFigures> {
  const { real, generated } = inputs;
  const lags = inputs.maxLag ?? 10;
  const figures: Record<string, Figure> = {};
  const skipped: Record<string, string> = {};
  const both = (name: string, a: number[], b: number[], make: () => Figure) => {
    if (a.length === 0 || b.length === 0) skipped[name] = `no data (${a.length} real, ${b.length} generated values)`;
    else figures[name] = make();
  };
  const realAbs = positive(real.returns);
  const genAbs = positive(generated.returns);
  both('returns', realAbs, genAbs, () =>
    histogram({ series: [{ name: 'real', values: realAbs }, { name: 'generated', values: genAbs }], logX: true, logY: true, density: true, bins: 30, title: '|mid-price returns|', xLabel: '|log return|', yLabel: 'density' }),
  );
  const x = Array.from({ length: lags }, (_, i) => i + 1);
  const acfSeries = [
    { name: 'returns, real', values: real.returns, dashed: false },
    { name: 'returns, generated', values: generated.returns, dashed: true },
    { name: '|returns|, real', values: real.returns.map(Math.abs), dashed: false },
    { name: '|returns|, generated', values: generated.returns.map(Math.abs), dashed: true },
  ]
    .filter((s) => s.values.length > lags + 1)
    .map((s) => ({ name: s.name, x, y: autocorrelation(s.values, lags), dashed: s.dashed }))
    // A constant series (a stream whose mid never moved) has no autocorrelation.
    .filter((s) => s.y.every(Number.isFinite));
  if (acfSeries.length > 0) figures['acf'] = linePlot({ title: 'autocorrelation', xLabel: 'lag (samples)', yLabel: 'ACF', series: acfSeries });
  else skipped['acf'] = `no series with more than ${lags + 1} varying returns`;
  const realGaps = real.interArrivalNs.map((ns) => ns / 1e6);
  const genGaps = generated.interArrivalNs.map((ns) => ns / 1e6);
  both('interArrival', realGaps, genGaps, () =>
    histogram({ series: [{ name: 'real', values: realGaps }, { name: 'generated', values: genGaps }], logX: true, logY: true, density: true, bins: 30, title: 'inter-arrival times', xLabel: 'ms', yLabel: 'density' }),
  );
  both('midPath', inputs.realPath.mids, inputs.generatedPath.mids, () =>
    linePlot({
      title: 'mid price (one stream each)',
      xLabel: 'sample',
      yLabel: 'ticks',
      series: [
        { name: 'real', y: inputs.realPath.mids.map((m) => m / inputs.tickUnits) },
        { name: 'generated', y: inputs.generatedPath.mids.map((m) => m / inputs.tickUnits) },
      ],
    }),
  );
  for (const [name, series] of [['depthReal', inputs.realPath], ['depthGenerated', inputs.generatedPath]] as const) {
    if (series.snapshots.length === 0) {
      skipped[name] = 'no book snapshots';
      continue;
    }
    const { values, cols } = depthGrid(series, inputs.tickUnits, 15, 300);
    figures[name] = heatmap({ values, rows: 31, cols, origin: 'bottom', colorScheme: 'blues', height: 160, valueLabel: 'size', title: `depth around the mid, ${name === 'depthReal' ? 'real' : 'generated'}`, xLabel: 'sample', yLabel: 'ticks from mid', yExtent: [-15.5, 15.5] });
  }
  const files: Record<string, string> = {};
  for (const [name, figure] of Object.entries(figures)) files[name] = await figure.write(join(dir, `${name}.png`));
  if (Object.keys(figures).length > 1) files['overview'] = await panels(Object.values(figures), { columns: 2, title: 'stylized facts: real against generated' }).write(join(dir, 'stylized-facts.png'));
  return { files, skipped };
}
