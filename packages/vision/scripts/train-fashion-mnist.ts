/**
 * Trains the demo VAR on Fashion-MNIST (Debian package `dataset-fashion-mnist`, or --data <dir> with the IDX files)
 * and writes the checkpoint, sample grid, reconstructions and report.json into --out: the run `nextx train vision/var`
 * makes, from a script (add --resume to continue an interrupted one).
 *
 *   npx tsx packages/vision/scripts/train-fashion-mnist.ts --out /tmp/fm \
 *     [--vqvae-steps 500] [--var-steps 800] [--batch 16] [--var-batch 16] [--backend wasm] [--resume]
 */
import { initBackend } from '@nextx/core';
import { trainVarRun } from '../src/var/train-run.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const numberOption = (name: string) => (option(name) === undefined ? undefined : Number(option(name)));

await initBackend({ prefer: (option('backend') as 'wasm' | undefined) ?? 'wasm' });
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
let last = 0;
const report = await trainVarRun({
  out: option('out') ?? 'out/fashion-mnist-var',
  resume: args.includes('--resume'),
  ...(option('data') ? { data: option('data') as string } : {}),
  ...(numberOption('vqvae-steps') ? { vqvaeSteps: numberOption('vqvae-steps') as number } : {}),
  ...(numberOption('var-steps') ? { varSteps: numberOption('var-steps') as number } : {}),
  ...(numberOption('batch') ? { batchSize: numberOption('batch') as number } : {}),
  ...(numberOption('var-batch') ? { varBatchSize: numberOption('var-batch') as number } : {}),
  ...(numberOption('train-images') ? { trainImages: numberOption('train-images') as number } : {}),
  signal: controller.signal,
  log: (message) => console.error(message),
  onProgress: (event) => {
    if (Date.now() - last < 10_000 && event.completed !== event.total) return;
    last = Date.now();
    console.error(`${event.stage} ${event.completed}/${event.total ?? '?'} ${JSON.stringify(event.metrics ?? {})}`);
  },
});
console.log(JSON.stringify(report, null, 2));
