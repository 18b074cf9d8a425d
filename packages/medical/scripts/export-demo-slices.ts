/**
 * Writes assets/colin27-test-slices.safetensors: four slices of the held-out test slab of Colin27 (Debian
 * mricron-data's ch2better, split by volume region as training does) at 64×64, `slices` F32 [4, 64, 64] with the axial
 * index of each in the metadata. The demo reconstructs slice 0, so `nextx demo` needs no mricron-data.
 *
 *   npx tsx packages/medical/scripts/export-demo-slices.ts
 */
import { fileURLToPath } from 'node:url';
import { tf, initBackend, writeSafetensors } from '@nextx/core';
import { readSplitSlices } from '../src/index.js';

await initBackend({ prefer: 'cpu' });
const data = readSplitSlices({ kind: 'colin27' }, 64);
const picks = [0, 1, 2, 3].map((i) => Math.round((i * (data.test.length - 1)) / 3));
const slices = tf.tensor3d(
  Float32Array.from(picks.flatMap((i) => Array.from(data.test[i]!.data))),
  [picks.length, 64, 64],
);
const file = fileURLToPath(new URL('../assets/colin27-test-slices.safetensors', import.meta.url));
writeSafetensors(file, { slices }, { metadata: { source: data.description, axialIndices: picks.map((i) => data.testZ[i]).join(',') } });
slices.dispose();
console.log(file, picks.map((i) => data.testZ[i]));
