import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { plugin } from '../src/plugin.js';
import { DEMO_CHECKPOINTS } from '../src/demo.js';
import { loadForecaster } from '../src/forecast/checkpoint.js';
import { useBackend } from './helpers/backends.js';
import { testContext } from './helpers/cli-context.js';
import { liveTensors } from './helpers/memory.js';

describe('nextx demo (timeseries)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('forecasts CO₂ 48 months ahead from both bundled checkpoints: CSVs and figures', async () => {
    const before = liveTensors();
    const context = testContext();
    const started = performance.now();
    const result = await plugin.demo?.(context);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(60);
    const files = result?.files ?? [];
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(2);
    for (const file of files.filter((f) => f.endsWith('.png'))) expect(Array.from(readFileSync(file).subarray(0, 4))).toEqual([137, 80, 78, 71]);
    for (const [name, dir] of Object.entries(DEMO_CHECKPOINTS)) {
      const csv = readFileSync(files.find((f) => f.endsWith(`co2-${name}-forecast.csv`)) as string, 'utf8').trim().split('\n');
      expect(csv).toHaveLength(49);
      // The CO₂ series rises about 2 ppm a year: a working checkpoint's median 4 years on is above the last
      // observation; the 90% interval holds the median.
      const { history, forecaster } = loadForecaster(dir);
      forecaster.model.dispose();
      const last = history.values[0]?.at(-1) as number;
      const [, , point, median, q5, , , , q95] = (csv.at(-1) as string).split(',').map(Number) as number[];
      expect(median, name).toBeGreaterThan(last);
      expect(point, name).toBeGreaterThan(last);
      expect(q5).toBeLessThanOrEqual(median as number);
      expect(q95).toBeGreaterThanOrEqual(median as number);
    }
    expect(result?.summary).toMatch(/AR-Net: CO₂ in 48 months \d+\.\d ppm/);
    expect(liveTensors()).toBe(before);
  });
});
