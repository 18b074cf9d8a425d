/**
 * Rebuilds the stylized-facts report and its figures from the files of a `nextx generate finance-bytes/bytegen` run
 * (stream-<i>.bin), with the history and real continuation the command used (the synthetic market by default).
 *
 *   npx tsx packages/finance-bytes/bench/report-figures.ts --run <dir> [--synthetic 200000] [--data-seed 0]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEvents, readAllEvents, stylizedReport, writeStylizedFigures, type LobEvent } from '../src/index.js';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const run = arg('run') as string;
const files = readdirSync(run).filter((f) => /^stream-\d+\.bin$/.test(f)).sort((a, b) => parseInt(a.slice(7)) - parseInt(b.slice(7)));
const generated: LobEvent[][] = [];
for (const f of files) generated.push(await readAllEvents(join(run, f)));
const perStream = Math.max(...generated.map((g) => g.length));
const data = await loadEvents({ synthetic: Number(arg('synthetic', '200000')), seed: Number(arg('data-seed', '0')) });
const cut = data.length - perStream * generated.length;
const history = data.slice(0, cut);
const stylized = stylizedReport(history, [data.slice(cut)], generated, { tickUnits: Number(arg('tick-units', '100')) });
const figures = await writeStylizedFigures(run, { ...stylized, tickUnits: Number(arg('tick-units', '100')) });
writeFileSync(join(run, 'stylized-report.json'), `${JSON.stringify({ stylized: stylized.report, figures }, null, 2)}\n`);
console.log(JSON.stringify({ streams: generated.length, perStream, figures }, null, 1));
