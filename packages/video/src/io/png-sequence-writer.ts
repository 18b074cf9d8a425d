import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writePng } from '@nextx/core';
import type { VideoChunk } from '../generate/generate.js';
import { chunkImages, type FrameWriter } from './frame-writer.js';

/** frame-000000.png, frame-000001.png, … in `dir`, each written (atomically) as soon as its chunk arrives. */
export class PngSequenceWriter implements FrameWriter {
  private readonly files: string[] = [];

  constructor(
    readonly dir: string,
    private readonly options: { scale?: number; firstIndex?: number } = {},
  ) {
    mkdirSync(dir, { recursive: true });
  }

  write(chunk: VideoChunk): void {
    const { width, height, images } = chunkImages(chunk, this.options.scale ?? 1);
    images.forEach((data) => {
      const index = (this.options.firstIndex ?? 0) + this.files.length;
      const file = join(this.dir, `frame-${String(index).padStart(6, '0')}.png`);
      writePng(file, { data, width, height, channels: 1 });
      this.files.push(file);
    });
  }

  async close(): Promise<string[]> {
    return [...this.files];
  }

  abort(): void {
    // Frames written so far are complete files; they stay.
  }
}
