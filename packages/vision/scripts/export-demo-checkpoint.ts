/**
 * Copies a trained checkpoint (from train-fashion-mnist.ts) into the package's demo asset, with weights stored as F16
 * to stay under 5 MB:  npx tsx packages/vision/scripts/export-demo-checkpoint.ts <run>/checkpoint packages/vision/assets/fashion-mnist-var
 */
import { initBackend } from '@nextx/core';
import { loadVarCheckpoint, saveVarCheckpoint } from '../src/var/load.js';

const [from, to] = process.argv.slice(2);
if (!from || !to) throw new Error('usage: export-demo-checkpoint.ts <checkpoint dir> <asset dir>');
await initBackend({ prefer: 'cpu' });
const model = await loadVarCheckpoint(from);
saveVarCheckpoint(to, model, { floatDtype: 'F16' });
model.dispose();
console.log(`wrote ${to}`);
