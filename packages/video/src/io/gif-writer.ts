import { createRequire } from 'node:module';
import type { GIFEncoder as CreateEncoder, GifEncoder } from 'gifenc';
import { writeFileAtomic } from '@nextx/core';
import type { VideoChunk } from '../generate/generate.js';
import { chunkImages, type FrameWriter } from './frame-writer.js';

// gifenc ships CommonJS (main) and ESM (module) builds without named ESM exports for Node: load the CommonJS one.
const { GIFEncoder } = createRequire(import.meta.url)('gifenc') as { GIFEncoder: typeof CreateEncoder };

/** 256 grays: palette index = 8-bit intensity, so frames need no quantisation. */
const GRAYS: number[][] = Array.from({ length: 256 }, (_, v) => [v, v, v]);

export interface GifWriterOptions {
  readonly fps?: number;
  /** Pixel zoom (nearest neighbour); default 4. */
  readonly scale?: number;
}

/** An animated GIF (gifenc), looping forever; frames are encoded as they arrive and the file is written at close. */
export class GifWriter implements FrameWriter {
  private encoder: GifEncoder | undefined = GIFEncoder();
  private frames = 0;
  private readonly delay: number;
  private readonly scale: number;

  constructor(
    readonly path: string,
    options: GifWriterOptions = {},
  ) {
    this.delay = 1000 / (options.fps ?? 12);
    this.scale = options.scale ?? 4;
  }

  write(chunk: VideoChunk): void {
    const encoder = this.encoder;
    if (!encoder) throw new Error('GifWriter: already closed');
    const { width, height, images } = chunkImages(chunk, this.scale);
    for (const image of images) {
      encoder.writeFrame(image, width, height, { ...(this.frames === 0 ? { palette: GRAYS, repeat: 0 } : {}), delay: this.delay });
      this.frames++;
    }
  }

  async close(): Promise<string[]> {
    const encoder = this.encoder;
    this.encoder = undefined;
    if (!encoder || this.frames === 0) return [];
    encoder.finish();
    writeFileAtomic(this.path, encoder.bytes());
    return [this.path];
  }

  abort(): void {
    this.encoder = undefined;
  }
}
