import { tf, type CliContext, type DemoResult } from '@nextx/core';
import { MovingObjects } from '../data/moving-objects.js';
import { loadVideoModel } from '../model/checkpoint.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { streamToDisk } from './generate-command.js';

/** `nextx demo`: the bundled model continues four given frames of two held-out sequences for 60 more frames, as a GIF. */
export async function videoDemo(context: CliContext): Promise<DemoResult> {
  const model = loadVideoModel(DEMO_CHECKPOINT);
  const batch = 2;
  const contextFrames = 4;
  const size = model.frameSize;
  const data = new MovingObjects(model.config.data);
  const givenFrames = new Float32Array(batch * contextFrames * size * size);
  for (let b = 0; b < batch; b++) givenFrames.set(data.sequence('heldout', b).frames(0, contextFrames), b * contextFrames * size * size);
  const given = tf.tensor4d(givenFrames, [batch, contextFrames, size, size]);
  try {
    const result = await streamToDisk(model, {
      out: context.out,
      request: { frames: 60, batch, context: given },
      formats: ['gif'],
      fps: 12,
      scale: 4,
      seed: 0,
      signal: context.signal,
      onProgress: context.onProgress,
      givenFrames,
    });
    return {
      summary: `streaming video (${model.numParameters()} parameters, ${data.spriteKind}): two held-out sequences continued from ${contextFrames} given frames, ${result.frames} frames at ${result.framesPerSecond.toFixed(1)} frames/s`,
      files: result.files,
    };
  } finally {
    given.dispose();
    model.dispose();
  }
}
