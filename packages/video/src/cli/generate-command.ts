import { join } from 'node:path';
import { InputError, tf, writeFileAtomic, type CliContext, type PluginCommand } from '@nextx/core';
import { MovingObjects } from '../data/moving-objects.js';
import { generateVideo, type VideoChunk, type VideoRequestInput } from '../generate/generate.js';
import { flowCacheSchema } from '../generate/flow-cache.js';
import type { CacheSpecInput } from '../generate/cache-spec.js';
import { Mp4Writer, ffmpegAvailable } from '../io/ffmpeg.js';
import type { FrameWriter } from '../io/frame-writer.js';
import { GifWriter } from '../io/gif-writer.js';
import { PngSequenceWriter } from '../io/png-sequence-writer.js';
import { loadVideoModel } from '../model/checkpoint.js';
import type { VideoModel } from '../model/video-model.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { choiceOption, intOption, numberOption, samplingOptions } from './options.js';

const FORMATS = ['gif', 'png', 'mp4'] as const;
type Format = (typeof FORMATS)[number];

/** `--format gif,png` → the formats, checked (MP4 needs ffmpeg: said before any work). */
function parseFormats(value: unknown): Format[] {
  const formats = String(value ?? 'gif,png')
    .split(',')
    .map((f) => f.trim());
  for (const f of formats) choiceOption('--format', f, FORMATS);
  if (formats.includes('mp4') && !ffmpegAvailable()) {
    throw new InputError('--format mp4 needs ffmpeg on the PATH and none was found here (Debian: apt-get install ffmpeg); use --format gif,png');
  }
  return formats as Format[];
}

function cacheSpec(options: Readonly<Record<string, unknown>>): CacheSpecInput {
  const mode = choiceOption('--cache', options['cache'] ?? 'window', ['none', 'full', 'window', 'compressed'] as const) as CacheSpecInput['mode'];
  const windowFrames = intOption('--window', options['window'], 0);
  const sinkFrames = intOption('--sinks', options['sinks'], 0);
  if (mode === 'full') return { mode };
  return { mode, ...(windowFrames === undefined ? {} : { windowFrames }), ...(sinkFrames === undefined ? {} : { sinkFrames }) } as CacheSpecInput;
}

export interface StreamToDiskOptions {
  readonly out: string;
  readonly request: VideoRequestInput;
  readonly formats: readonly Format[];
  readonly fps: number;
  readonly scale: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: CliContext['onProgress'];
  /** Given frames [B, k, S, S] written first (they start the video). */
  readonly givenFrames?: Float32Array;
}

export interface StreamToDiskResult {
  readonly files: string[];
  readonly frames: number;
  readonly seconds: number;
  readonly framesPerSecond: number;
  readonly seed: number | undefined;
  readonly reuse: { computed: number; reused: number };
  readonly peakCacheBytes: number;
}

/** Streams a generation to disk as it is made: PNG frames as they come, the GIF / MP4 finished at the end (atomically). */
export async function streamToDisk(model: VideoModel, options: StreamToDiskOptions): Promise<StreamToDiskResult> {
  const writers: FrameWriter[] = [];
  if (options.formats.includes('png')) writers.push(new PngSequenceWriter(join(options.out, 'frames'), { scale: 1 }));
  if (options.formats.includes('gif')) writers.push(new GifWriter(join(options.out, 'video.gif'), { fps: options.fps, scale: options.scale }));
  if (options.formats.includes('mp4')) writers.push(new Mp4Writer(join(options.out, 'video.mp4'), { fps: options.fps, scale: options.scale }));
  const batch = options.request.batch ?? 1;
  const size = model.frameSize;
  const started = performance.now();
  let frames = 0;
  let seed: number | undefined;
  let peakCacheBytes = 0;
  const reuse = { computed: 0, reused: 0 };
  try {
    if (options.givenFrames) {
      const count = options.givenFrames.length / (batch * size * size);
      const given: VideoChunk = { frames: options.givenFrames, batch, count, size, firstFrame: 0, reuse: { computed: 0, reused: 0 }, cacheBytes: 0, seed: undefined };
      for (const w of writers) await w.write(given);
      frames += count;
    }
    for await (const { value } of generateVideo(model, options.request, {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    })) {
      for (const w of writers) await w.write(value);
      frames += value.count;
      seed = value.seed;
      reuse.computed += value.reuse.computed;
      reuse.reused += value.reuse.reused;
      peakCacheBytes = Math.max(peakCacheBytes, value.cacheBytes);
    }
  } catch (error) {
    // Ctrl-C or an error: the PNG frames written so far are complete files and stay; the GIF / MP4 are not written.
    for (const w of writers) w.abort();
    throw error;
  }
  const files = (await Promise.all(writers.map((w) => w.close()))).flat();
  const seconds = (performance.now() - started) / 1000;
  return { files, frames, seconds, framesPerSecond: (frames * batch) / seconds, seed, reuse, peakCacheBytes };
}

export const generateVideoCommand: PluginCommand = {
  description: 'stream video frames to disk as they are made (PNG frames, an animated GIF, MP4 where ffmpeg is installed)',
  options: [
    { flags: '--checkpoint <dir>', description: 'model checkpoint directory (default: the bundled moving Fashion-MNIST model)' },
    { flags: '--frames <n>', description: 'frames to generate after the given ones (0: until Ctrl-C)', defaultValue: '64' },
    { flags: '--context <n>', description: 'true frames of a held-out sequence to start from (0: generate from nothing)', defaultValue: '4' },
    { flags: '--sequence <i>', description: 'which held-out sequence gives the first frames', defaultValue: '0' },
    { flags: '--batch <n>', description: 'videos generated together, side by side', defaultValue: '1' },
    { flags: '--cache <mode>', description: 'window | compressed | full | none (recompute the context every step)', defaultValue: 'window' },
    { flags: '--window <frames>', description: 'frames the rolling window keeps besides the sinks (default: the model’s)' },
    { flags: '--sinks <frames>', description: 'attention-sink frames at the start (default: one chunk)' },
    { flags: '--sampler <name>', description: 'flow-euler | flow-renoise (default: the model’s)' },
    { flags: '--steps <n>', description: 'denoising steps per chunk (default: the model’s)' },
    { flags: '--flow-cache <threshold>', description: 'FlowCache: reuse a chunk’s output while its input changes by less (e.g. 0.01)' },
    { flags: '--format <list>', description: 'comma-separated: gif, png, mp4', defaultValue: 'gif,png' },
    { flags: '--fps <n>', description: 'frames per second of the GIF / MP4', defaultValue: '12' },
    { flags: '--scale <n>', description: 'pixel zoom of the GIF / MP4', defaultValue: '4' },
    { flags: '--seed <n>', description: 'random seed (default: a fresh one, reported so that the run can be repeated)' },
  ],
  async run(options, context: CliContext) {
    const formats = parseFormats(options['format']);
    const frameCount = intOption('--frames', options['frames'], 0) ?? 64;
    const contextFrames = intOption('--context', options['context'], 0) ?? 4;
    const sequence = intOption('--sequence', options['sequence'], 0) ?? 0;
    const batch = intOption('--batch', options['batch'], 1, 64) ?? 1;
    const threshold = numberOption('--flow-cache', options['flowCache'], 0);
    const seed = intOption('--seed', options['seed'], 0);
    const fps = numberOption('--fps', options['fps'], 0.1, 100) ?? 12;
    const scale = intOption('--scale', options['scale'], 1, 32) ?? 4;
    const cache = cacheSpec(options);
    const checkpoint = typeof options['checkpoint'] === 'string' ? options['checkpoint'] : DEMO_CHECKPOINT;
    const model = loadVideoModel(checkpoint);
    let given: tf.Tensor | undefined;
    try {
      const { framesPerChunk } = model.config;
      if (contextFrames % framesPerChunk !== 0) throw new InputError(`--context must be a multiple of ${framesPerChunk} (frames per chunk); got ${contextFrames}`);
      const size = model.frameSize;
      let givenFrames: Float32Array | undefined;
      if (contextFrames > 0) {
        const data = new MovingObjects(model.config.data);
        givenFrames = new Float32Array(batch * contextFrames * size * size);
        for (let b = 0; b < batch; b++) givenFrames.set(data.sequence('heldout', sequence + b).frames(0, contextFrames), b * contextFrames * size * size);
        given = tf.tensor4d(givenFrames, [batch, contextFrames, size, size]);
      }
      const sampling = samplingOptions(options, model.config.generation.sampling);
      const request: VideoRequestInput = {
        ...(frameCount > 0 ? { frames: frameCount } : {}),
        batch,
        cache,
        ...(sampling ? { sampling } : {}),
        ...(threshold === undefined ? {} : { flowCache: flowCacheSchema.parse({ threshold }) }),
        ...(given ? { context: given } : {}),
      };
      const result = await streamToDisk(model, {
        out: context.out,
        request,
        formats,
        fps,
        scale,
        ...(seed === undefined ? {} : { seed }),
        signal: context.signal,
        onProgress: context.onProgress,
        ...(givenFrames ? { givenFrames } : {}),
      });
      const report = { checkpoint, cache, contextFrames, ...result };
      writeFileAtomic(join(context.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
      context.log(
        `wrote ${result.frames} frames (${contextFrames} given) to ${context.out} in ${result.seconds.toFixed(1)} s, ${result.framesPerSecond.toFixed(1)} frames/s (seed ${result.seed}; --seed ${result.seed} repeats this run)`,
      );
      return report;
    } finally {
      given?.dispose();
      model.dispose();
    }
  },
};
