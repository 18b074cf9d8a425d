import { spawn, spawnSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { InputError, temporarySibling } from '@nextx/core';
import type { VideoChunk } from '../generate/generate.js';
import { chunkImages, type FrameWriter } from './frame-writer.js';

/** Whether an `ffmpeg` executable runs here (it is not a dependency: MP4 output needs a system ffmpeg). */
export function ffmpegAvailable(command = 'ffmpeg'): boolean {
  const probe = spawnSync(command, ['-version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * MP4 (H.264, yuv420p) through a system ffmpeg reading raw gray frames on stdin, written to a temporary file and
 * renamed into place at close. Without ffmpeg the constructor says so; PNG frames or a GIF need nothing.
 */
export class Mp4Writer implements FrameWriter {
  private process: ReturnType<typeof spawn> | undefined;
  private readonly temporary: string;
  private exited: Promise<number | null> | undefined;
  private size: { width: number; height: number } | undefined;
  private stderr = '';

  constructor(
    readonly path: string,
    private readonly options: { fps?: number; scale?: number; command?: string } = {},
  ) {
    if (!ffmpegAvailable(options.command)) {
      throw new InputError(`MP4 output needs ffmpeg on the PATH, and none was found here (Debian: apt-get install ffmpeg); write a GIF or PNG frames instead`);
    }
    this.temporary = `${temporarySibling(path, 'tmp')}.mp4`;
  }

  async write(chunk: VideoChunk): Promise<void> {
    const scale = this.options.scale ?? 4;
    const { width, height, images } = chunkImages(chunk, scale);
    const ffmpeg = this.start(width + (width % 2), height + (height % 2));
    for (const image of images) {
      const padded = this.pad(image, width, height);
      if (!ffmpeg.stdin?.write(padded)) await new Promise<void>((resolve) => ffmpeg.stdin?.once('drain', () => resolve()));
    }
  }

  async close(): Promise<string[]> {
    const ffmpeg = this.process;
    if (!ffmpeg || !this.exited) return [];
    ffmpeg.stdin?.end();
    const code = await this.exited;
    this.process = undefined;
    if (code !== 0) {
      rmSync(this.temporary, { force: true });
      throw new InputError(`ffmpeg exited with code ${code}: ${this.stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    renameSync(this.temporary, this.path);
    return [this.path];
  }

  abort(): void {
    this.process?.kill();
    this.process = undefined;
    rmSync(this.temporary, { force: true });
  }

  private start(width: number, height: number): ReturnType<typeof spawn> {
    if (this.process) return this.process;
    this.size = { width, height };
    const args = ['-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${width}x${height}`, '-r', String(this.options.fps ?? 12), '-i', '-'];
    const ffmpeg = spawn(this.options.command ?? 'ffmpeg', [...args, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'mp4', this.temporary], { stdio: ['pipe', 'ignore', 'pipe'] });
    ffmpeg.stderr?.on('data', (data: Buffer) => (this.stderr += data.toString()));
    this.exited = new Promise((resolve) => ffmpeg.on('close', resolve));
    this.process = ffmpeg;
    return ffmpeg;
  }

  /** Even dimensions for yuv420p: a zero column / row where needed. */
  private pad(image: Uint8Array, width: number, height: number): Uint8Array {
    const size = this.size as { width: number; height: number };
    if (size.width === width && size.height === height) return image;
    const out = new Uint8Array(size.width * size.height);
    for (let y = 0; y < height; y++) out.set(image.subarray(y * width, (y + 1) * width), y * size.width);
    return out;
  }
}
