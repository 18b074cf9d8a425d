import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import type { VideoChunk } from '../src/generate/generate.js';
import { GifWriter } from '../src/io/gif-writer.js';
import { PngSequenceWriter } from '../src/io/png-sequence-writer.js';
import { Mp4Writer, ffmpegAvailable } from '../src/io/ffmpeg.js';
import { decodeGif } from './helpers/gif-decoder.js';

const dir = mkdtempSync(join(tmpdir(), 'nextx-video-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A chunk of `batch` × `count` 4 × 4 frames whose pixel i of frame f of video b is ((b·7 + f·3 + i) mod 16) / 15. */
function chunk(batch: number, count: number, firstFrame = 0): VideoChunk {
  const size = 4;
  const frames = new Float32Array(batch * count * size * size);
  for (let b = 0; b < batch; b++) for (let f = 0; f < count; f++) for (let i = 0; i < 16; i++) frames[(b * count + f) * 16 + i] = ((b * 7 + (firstFrame + f) * 3 + i) % 16) / 15;
  return { frames, batch, count, size, firstFrame, reuse: { computed: 1, reused: 0 }, cacheBytes: 0, seed: 1 };
}

const gray = (b: number, f: number, i: number) => Math.round((((b * 7 + f * 3 + i) % 16) / 15) * 255);

describe('frame writers', () => {
  it('write an animated, looping GIF of every frame, videos side by side, zoomed', async () => {
    const writer = new GifWriter(join(dir, 'out.gif'), { fps: 10, scale: 2 });
    writer.write(chunk(2, 2, 0));
    writer.write(chunk(2, 1, 2));
    expect(await writer.close()).toEqual([join(dir, 'out.gif')]);
    const gif = decodeGif(readFileSync(join(dir, 'out.gif')));
    expect([gif.width, gif.height, gif.frames.length, gif.loops]).toEqual([16, 8, 3, true]);
    expect(gif.palette[200]).toEqual([200, 200, 200]);
    expect(gif.frames.every((f) => f.delay === 10)).toBe(true);
    gif.frames.forEach((frame, f) => {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 16; x++) {
          const b = Math.floor(x / 8);
          const i = Math.floor(y / 2) * 4 + Math.floor((x % 8) / 2);
          expect(frame.indices[y * 16 + x]).toBe(gray(b, f, i));
        }
      }
    });
  });

  it('write each frame as a PNG as soon as its chunk arrives', () => {
    const out = join(dir, 'frames');
    const writer = new PngSequenceWriter(out);
    writer.write(chunk(1, 2, 0));
    expect(readdirSync(out).sort()).toEqual(['frame-000000.png', 'frame-000001.png']);
    writer.write(chunk(1, 2, 2));
    expect(readdirSync(out).sort()).toEqual(['frame-000000.png', 'frame-000001.png', 'frame-000002.png', 'frame-000003.png']);
    const png = PNG.sync.read(readFileSync(join(out, 'frame-000003.png')));
    expect([png.width, png.height]).toEqual([4, 4]);
    expect(Array.from({ length: 16 }, (_, i) => png.data[i * 4])).toEqual(Array.from({ length: 16 }, (_, i) => gray(0, 3, i)));
  });

  it('say when ffmpeg is missing instead of writing a broken MP4', () => {
    expect(ffmpegAvailable('nextx-no-such-ffmpeg')).toBe(false);
    expect(() => new Mp4Writer(join(dir, 'x.mp4'), { command: 'nextx-no-such-ffmpeg' })).toThrow(/needs ffmpeg/);
  });
});
