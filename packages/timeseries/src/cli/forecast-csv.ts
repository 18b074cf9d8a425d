import { writeFileAtomic } from '@nextx/core';
import type { ForecastSummary } from '../forecast/forecaster.js';

const label = (q: number) => `q${String(Math.round(q * 1000) / 10).replace('.', '_')}`;

/**
 * forecast.csv: one row per series and step — the point forecast, the median and each quantile of the sample paths
 * (columns q5, q25, q50, …); written atomically.
 */
export function writeForecastCsv(file: string, names: readonly string[], point: readonly Float64Array[], summary: readonly ForecastSummary[]): string {
  const levels = summary[0]?.levels ?? [];
  const header = ['series', 'step', 'point', ...(summary.length ? ['median', ...levels.map(label)] : [])];
  const lines = [header.join(',')];
  point.forEach((p, c) => {
    const s = summary[c];
    p.forEach((v, j) => {
      const cells = [csvCell(names[c] ?? `series ${c}`), String(j + 1), String(v)];
      if (s) cells.push(String(s.median[j]), ...s.quantiles.map((q) => String(q[j])));
      lines.push(cells.join(','));
    });
  });
  writeFileAtomic(file, `${lines.join('\n')}\n`);
  return file;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
