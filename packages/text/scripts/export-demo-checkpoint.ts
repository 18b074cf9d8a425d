/**
 * Copies a trained CoBit checkpoint into assets/cobit-sotu for `nextx demo`: config.json, the weights in float16,
 * the entropy profile and the tokenizer — no optimizer or training state. `npx tsx scripts/export-demo-checkpoint.ts <dir>`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, saveCheckpoint, tf, writeSafetensors } from '@nextx/core';

const source = process.argv[2];
if (!source) throw new Error('usage: export-demo-checkpoint.ts <cobit checkpoint dir>');
const target = fileURLToPath(new URL('../assets/cobit-sotu', import.meta.url));
const contents = loadCheckpoint(source, { tensorFiles: ['entropy'], jsonFiles: ['tokenizer'] });
try {
  saveCheckpoint(target, { config: contents.config, tensors: contents.tensors, jsonFiles: contents.jsonFiles }, { floatDtype: 'F16' });
  // The profile tables stay float32 (the schedule reads them at float32 precision; float16 would move the midpoints).
  writeSafetensors(join(target, 'entropy.safetensors'), contents.tensorFiles['entropy'] ?? {});
} finally {
  tf.dispose([...Object.values(contents.tensors), ...Object.values(contents.tensorFiles).flatMap((f) => Object.values(f))]);
}
console.log(`wrote ${target}`);
