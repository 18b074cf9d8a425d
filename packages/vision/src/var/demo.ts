import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext, DemoResult } from '@nextx/core';
import { FASHION_MNIST_CLASSES } from '../data/fashion-mnist.js';
import { writeClassGrid } from './fashion-mnist-recipe.js';
import { loadVarCheckpoint } from './load.js';

/** The small Fashion-MNIST VAR this package trained (assets/fashion-mnist-var, see the README for the command). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../assets/fashion-mnist-var/', import.meta.url));

/** `nextx demo`: class-conditional samples from the bundled checkpoint, one row per Fashion-MNIST class. */
export async function varDemo(context: CliContext): Promise<DemoResult> {
  const model = await loadVarCheckpoint(DEMO_CHECKPOINT);
  try {
    context.onProgress({ stage: 'vision', completed: 0, total: 1, message: 'sampling 80 images' });
    const grid = await writeClassGrid(model, join(context.out, 'fashion-mnist-samples.png'), 0);
    context.onProgress({ stage: 'vision', completed: 1, total: 1 });
    return {
      summary: `VAR (Fashion-MNIST, ${model.transformer.numParameters()} parameters): one row per class — ${FASHION_MNIST_CLASSES.join(', ')}`,
      files: [grid],
    };
  } finally {
    model.dispose();
  }
}
