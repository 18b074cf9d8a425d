
import { Rng, readSafetensors, tf, type CliContext, type DemoResult } from '@nextx/core';
import { simulateAcquisition } from '../data/simulate-acquisition.js';
import { sampleMask } from '../kspace/cartesian-mask.js';
import { toComplexTensor } from '../kspace/complex-array.js';
import { undersample } from '../kspace/data-consistency.js';
import { levelCenterFraction } from './config.js';
import { DEMO_CHECKPOINT, DEMO_SLICES } from './demo-checkpoint.js';
import { MriNasModel } from './model.js';
import { disposeInput, formatMetrics, reconstructInput } from './reconstruct-input.js';

/** The demo's acquisition: the first bundled held-out slice, 8 coils, 8× (fixed seeds, so every run is the same). */
export const DEMO_ACCELERATION = 8;

/**
 * `nextx demo`: the bundled model reconstructs a held-out Colin27 slice (never seen in training) from a simulated
 * 8× acquisition, level by level, and writes the figure (target, zero-filled, each level, error and uncertainty maps).
 */
export async function mriNasDemo(context: CliContext): Promise<DemoResult> {
  const model = MriNasModel.load(DEMO_CHECKPOINT);
  const stored = readSafetensors(DEMO_SLICES);
  try {
    const slices = stored['slices'] as tf.Tensor3D;
    const n = model.config.imageSize;
    const first = tf.slice(slices, [0, 0, 0], [1, n, n]);
    const image = { data: Float32Array.from(first.dataSync() as Float32Array), height: n, width: n };
    first.dispose();
    const acquisition = simulateAcquisition(image, { numCoils: 8, noise: 0.005 }, Rng.seeded(19));
    const R = DEMO_ACCELERATION;
    const mask = sampleMask(n, { acceleration: R, centerFraction: levelCenterFraction(model.config, R) }, Rng.seeded(20));
    const measured = tf.tidy(() => undersample(toComplexTensor(acquisition.kspace), mask));
    const input = { measured, mask, target: acquisition.target, description: 'held-out Colin27 slice, 8 coils, 8×' };
    context.onProgress({ stage: 'medical', completed: 0, total: 1, message: 'reconstructing a held-out slice at 8×' });
    try {
      const run = await reconstructInput(model, input, context.out, { samples: 4 }, { seed: 0, onProgress: context.onProgress, title: `mri-nas: held-out Colin27 slice, ${R}× (4 samples)` });
      context.onProgress({ stage: 'medical', completed: 1, total: 1 });
      const last = run.levels.at(-1);
      return {
        summary: `next-acceleration-scale MRI reconstruction of a held-out slice at ${R}×: zero-filled ${formatMetrics(run.zeroFilled.metrics!)}; model at 1× ${formatMetrics(last!.metrics!)}`,
        files: [run.figure, ...run.levels.map((l) => l.png)],
      };
    } finally {
      disposeInput(input);
    }
  } finally {
    tf.dispose(Object.values(stored));
    model.dispose();
  }
}

