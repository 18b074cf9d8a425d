import type { VideoChunk } from '../generate/generate.js';

/** Where generated frames go as they are made: an animated GIF, a PNG sequence, an MP4 through ffmpeg. */
export interface FrameWriter {
  write(chunk: VideoChunk): void | Promise<void>;
  /** Finishes the output (atomically) and returns the files written. */
  close(): Promise<string[]>;
  /** Drops what was not finished (after an error or an abort). */
  abort(): void;
}

/** Frames of a chunk as 8-bit gray images, the batch's videos side by side, each pixel `scale` × `scale`. */
export function chunkImages(chunk: VideoChunk, scale: number): { width: number; height: number; images: Uint8Array[] } {
  const { batch, count, size } = chunk;
  const width = batch * size * scale;
  const height = size * scale;
  const images = Array.from({ length: count }, (_, f) => {
    const out = new Uint8Array(width * height);
    for (let b = 0; b < batch; b++) {
      const frame = chunk.frames.subarray((b * count + f) * size * size, (b * count + f + 1) * size * size);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < size * scale; x++) {
          const v = frame[Math.floor(y / scale) * size + Math.floor(x / scale)] as number;
          out[y * width + b * size * scale + x] = v > 0 ? (v >= 1 ? 255 : Math.round(v * 255)) : 0;
        }
      }
    }
    return out;
  });
  return { width, height, images };
}
