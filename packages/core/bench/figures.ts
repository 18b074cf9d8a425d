/**
 * Render times of core's figure helpers, from options to PNG bytes (Vega-Lite → SVG → resvg, scale 2 unless said):
 * the one-off import of Vega, Vega-Lite and resvg, then per figure its first render and the median of 5 after it.
 * `npx tsx bench/figures.ts`.
 */
import { performance } from 'node:perf_hooks';
import { heatmap } from '../src/figures/heatmap.js';
import { histogram } from '../src/figures/histogram.js';
import { imageGridFigure } from '../src/figures/image-grid-figure.js';
import { linePlot } from '../src/figures/line-plot.js';
import { panels } from '../src/figures/panels.js';
import type { Figure } from '../src/figures/figure.js';
import { loadVega } from '../src/figures/render.js';
import { Rng } from '../src/rng/rng.js';
import { machine, median } from './gpt-bench-common.js';

const rng = Rng.seeded(0);
const uniform = (n: number) => Float32Array.from({ length: n }, () => rng.uniform());
const image = () => ({ data: uniform(28 * 28), height: 28, width: 28, channels: 1 as const });

const grid = () => imageGridFigure({ images: Array.from({ length: 100 }, image), columns: 10 });
const cases: Record<string, () => Figure> = {
  'imageGrid 10×10 of 28×28': grid,
  'linePlot 3 series × 1000 points, one band': () => {
    const x = Array.from({ length: 1000 }, (_, i) => i + 1);
    const y = uniform(1000).map((v, i) => 1 + v + 1000 / (i + 10));
    return linePlot({ series: [0, 1, 2].map((s) => ({ name: `s${s}`, x, y: y.map((v) => v + s), ...(s === 0 ? { band: { lo: y.map((v) => v - 0.5), hi: y.map((v) => v + 0.5) } } : {}) })), logY: true });
  },
  'histogram 100k values, 50 log bins': () => histogram({ values: uniform(100_000).map((v) => v + 1e-3), bins: 50, logX: true, logY: true }),
  'heatmap 320×320 with colour bar': () => heatmap({ values: uniform(320 * 320), rows: 320, cols: 320, colorScheme: 'magma' }),
  'panels of the four': () => panels(Object.entries(cases).filter(([name]) => !name.startsWith('panels')).map(([, make]) => make()), { columns: 2 }),
};

const time = async (make: () => Figure, scale: number) => {
  const started = performance.now();
  const png = await make().toPng({ scale });
  return { ms: performance.now() - started, bytes: png.length };
};

const loading = performance.now();
await Promise.all([loadVega(), import('@resvg/resvg-js')]);
const loadMs = Math.round(performance.now() - loading);
const results = [];
for (const [name, make, scale] of [...Object.entries(cases).map(([name, make]) => [name, make, 2] as const), ['imageGrid 10×10 of 28×28, scale 1', grid, 1] as const]) {
  const first = await time(make, scale);
  const rest = [];
  for (let i = 0; i < 5; i++) rest.push((await time(make, scale)).ms);
  results.push({ figure: name, firstMs: Math.round(first.ms), medianMs: Math.round(median(rest)), pngBytes: first.bytes });
}
console.log(JSON.stringify({ bench: 'figures', loadMs, machine: machine(), results }, null, 2));
