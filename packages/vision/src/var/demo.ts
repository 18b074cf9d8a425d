import { join } from 'node:path';
import type { CliContext, DemoResult } from '@nextx/core';
import { FASHION_MNIST_CLASSES } from '../data/fashion-mnist.js';
import { writeClassGrid } from './fashion-mnist-recipe.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { loadVarCheckpoint } from './load.js';


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
