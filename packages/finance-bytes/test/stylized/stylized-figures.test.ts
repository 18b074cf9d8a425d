import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticMarket, marketSeries, writeStylizedFigures, type LobEvent } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fb-figures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function simulate(seed: number, count: number): LobEvent[] {
  const out: LobEvent[] = [];
  for (const batch of new SyntheticMarket({ seed }).events(count)) out.push(...batch);
  return out;
}

describe('stylized-fact figures', () => {
  it('writes the histograms, ACFs, paths, depth heatmaps and an overview as PNG, and skips what has no data', async () => {
    const history = simulate(1, 3000);
    const realEvents = simulate(1, 6000).slice(3000);
    const generatedEvents = simulate(2, 6000).slice(3000);
    const real = marketSeries(realEvents, { history, tickUnits: 100, everyEvents: 16 });
    const generated = marketSeries(generatedEvents, { history, tickUnits: 100, everyEvents: 16 });
    const written = await writeStylizedFigures(dir, { real, generated, realPath: real, generatedPath: generated, tickUnits: 100 });
    expect(Object.keys(written.files).sort()).toEqual(['acf', 'depthGenerated', 'depthReal', 'interArrival', 'midPath', 'overview', 'returns']);
    for (const file of Object.values(written.files)) expect(readFileSync(file).subarray(1, 4).toString('latin1')).toBe('PNG');
    const flat = { ...generated, returns: generated.returns.map(() => 0) };
    const partly = await writeStylizedFigures(join(dir, 'flat'), { real, generated: flat, realPath: real, generatedPath: flat, tickUnits: 100 });
    expect(partly.skipped['returns']).toMatch(/no data/);
    expect(partly.files['returns']).toBeUndefined();
  });
});
