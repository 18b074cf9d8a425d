// Trains the demo checkpoint from a recipe file, as `nextx train video/stream --recipe <file> --out <dir>` does.
// Usage: npx tsx scripts/train-checkpoint.ts recipes/moving-fashion-mnist.json <out>
import { readFileSync } from 'node:fs';
import { initBackend } from '@nextx/core';
import { trainVideoModel } from '../src/train/train-video.js';

const [recipeFile, out] = process.argv.slice(2);
if (!recipeFile || !out) throw new Error('usage: train-checkpoint.ts <recipe.json> <out>');
await initBackend({ prefer: 'wasm' });
const started = performance.now();
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
let last = 0;
const result = await trainVideoModel(JSON.parse(readFileSync(recipeFile, 'utf8')), {
  out,
  signal: controller.signal,
  onProgress: (e) => {
    const now = performance.now();
    if (now - last < 20_000 && e.completed !== e.total) return;
    last = now;
    const loss = e.metrics?.['loss'];
    console.log(`${((now - started) / 1000).toFixed(0)} s ${e.stage} ${e.completed}/${e.total ?? '?'}${loss === undefined ? '' : ` loss ${loss.toFixed(4)}`}`);
  },
});
console.log(JSON.stringify({ ...result, minutes: (performance.now() - started) / 60000 }, null, 2));
