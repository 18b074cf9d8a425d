import { linePlot, type Figure, type LineSeries } from '@nextx/core';

/**
 * AR-Net's learned AR coefficients against the lag (natural order: lag 1 first), one line per forecast step, and the
 * true coefficients when known (a simulation) — the paper's Figure 3.
 */
export function coefficientFigure(coefficients: readonly (readonly number[])[], options: { title?: string; truth?: readonly number[] } = {}): Figure {
  const lags = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
  const series: LineSeries[] = coefficients.map((row, j) => ({ name: coefficients.length > 1 ? `forecast ${j + 1}` : 'AR-Net', x: lags(row.length), y: [...row] }));
  if (options.truth) series.push({ name: 'true', x: lags(options.truth.length), y: [...options.truth], color: '#333333', dashed: true });
  return linePlot({ title: options.title ?? 'AR-Net coefficients', series, xLabel: 'lag', yLabel: 'weight', width: 560, height: 260 });
}
