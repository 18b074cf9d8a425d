import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { videoDemo } from '../src/cli/demo.js';
import { DEMO_CHECKPOINT } from '../src/cli/demo-checkpoint.js';
import { MovingObjects } from '../src/data/moving-objects.js';
import { psnr } from '../src/eval/metrics.js';
import { loadVideoModel } from '../src/model/checkpoint.js';
import { decodeGif } from './helpers/gif-decoder.js';
import { useWasmWithoutLeaks } from './helpers/tensors.js';

const out = mkdtempSync(join(tmpdir(), 'nextx-video-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('nextx demo video', () => {
  useWasmWithoutLeaks();

  it('continues two held-out sequences with the bundled checkpoint into a GIF that starts from the truth and follows it', async () => {
    const result = await videoDemo({ out, json: true, signal: new AbortController().signal, onProgress: () => undefined, log: () => undefined });
    const file = join(out, 'video.gif');
    expect(result.files).toContain(file);
    const gif = decodeGif(readFileSync(file));
    const scale = 4;
    const size = 32;
    expect([gif.frames.length, gif.width, gif.height]).toEqual([64, 2 * size * scale, size * scale]);
    // The GIF's palette index is the 8-bit intensity; sample each video's frame back at its pixel centres.
    const frameOf = (index: number, video: number) =>
      Float32Array.from({ length: size * size }, (_, p) => (gif.frames[index]!.indices[Math.floor(p / size) * scale * gif.width + video * size * scale + (p % size) * scale] as number) / 255);
    const bundled = loadVideoModel(DEMO_CHECKPOINT);
    const data = new MovingObjects(bundled.config.data);
    bundled.dispose();
    for (const video of [0, 1]) {
      const truth = data.sequence('heldout', video).frames(0, 12);
      const trueFrame = (f: number) => truth.subarray(f * size * size, (f + 1) * size * size);
      // The four given frames are the held-out sequence's own.
      for (let f = 0; f < 4; f++) expect(psnr(frameOf(f, video), trueFrame(f))).toBeGreaterThan(40);
      // The first predicted frames follow their own sequence: nearer its truth than the other video's, by 1.5 dB on average.
      const other = data.sequence('heldout', 1 - video).frames(0, 12);
      const horizons = [4, 5, 6, 7];
      const own = horizons.reduce((sum, f) => sum + psnr(frameOf(f, video), trueFrame(f)), 0);
      const wrong = horizons.reduce((sum, f) => sum + psnr(frameOf(f, video), other.subarray(f * size * size, (f + 1) * size * size)), 0);
      expect(own - wrong).toBeGreaterThan(4 * 1.5);
    }
  }, 120_000);
});
