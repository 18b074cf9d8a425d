/**
 * Render times of core's figure helpers (Vega-Lite → SVG → resvg PNG at scale 2): the first render of the process
 * (it loads Vega, Vega-Lite and resvg) and the median of 5 after it. `npx tsx bench/figures.ts`.
 */
import { performance } from 'node:perf_hooks';
import { heatmap } from '../src/figures/heatmap.js';
import { histogram } from '../src/figures/histogram.js';
import { imageGridFigure } from '../src/figures/image-grid-figure.js';
import { linePlot } from '../src/figures/line-plot.js';
import { panels } from '../src/figures/panels.js';
import type { Figure } from '../src/figures/figure.js';
import { Rng } from '../src/rng/rng.js';
import { machine, median } from './gpt-bench-common.js';

const rng = Rng.seeded(0);
const uniform = (n: number) => Float32Array.from({ length: n }, () => rng.uniform());
const image = () => ({ data: uniform(28 * 28), height: 28, width: 28, channels: 1 as const });

const cases: Record<string, () => Figure> = {
  'imageGrid 10×10 of 28×28': () => imageGridFigure({ images: Array.from({ length: 100 }, image), columns: 10 }),
  'linePlot 3 series × 1000 points, one band': () => {
    const x = Array.from({ length: 1000 }, (_, i) => i + 1);
    const y = uniform(1000).map((v, i) => 1 + v + 1000 / (i + 10));
    return linePlot({ series: [0, 1, 2].map((s) => ({ name: `s${s}`, x, y: y.map((v) => v + s), ...(s === 0 ? { band: { lo: y.map((v) => v - 0.5), hi: y.map((v) => v + 0.5) } } : {}) })), logY: true });
  },
  'histogram 100k values, 50 log bins': () => histogram({ values: uniform(100_000).map((v) => v + 1e-3), bins: 50, logX: true, logY: true }),
  'heatmap 320×320 with colour bar': () => heatmap({ values: uniform(320 * 320), rows: 320, cols: 320, colorScheme: 'magma' }),
  'panels of the four': () => panels(Object.entries(cases).filter(([name]) => !name.startsWith('panels')).map(([, make]) => make()), { columns: 2 }),
};

const time = async (make: () => Figure) => {
  const started = performance.now();
  const png = await make().toPng({ scale: 2 });
  return { ms: performance.now() - started, bytes: png.length };
};

const results = [];
for (const [name, make] of Object.entries(cases)) {
  const first = await time(make);
  const rest = [];
  for (let i = 0; i < 5; i++) rest.push((await time(make)).ms);
  results.push({ figure: name, firstMs: Math.round(first.ms), medianMs: Math.round(median(rest)), pngBytes: first.bytes });
}
console.log(JSON.stringify({ bench: 'figures', scale: 2, machine: machine(), results }, null, 2));
