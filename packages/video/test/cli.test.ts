import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, initBackend, type CliContext, type ProgressEvent } from '@nextx/core';
import { generateVideoCommand } from '../src/cli/generate-command.js';
import { evalVideoCommand } from '../src/cli/eval-command.js';
import { saveVideoModel } from '../src/model/checkpoint.js';
import { ffmpegAvailable } from '../src/io/ffmpeg.js';
import { decodeGif } from './helpers/gif-decoder.js';
import { tinyModel } from './helpers/tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'nextx-video-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(out: string, events: ProgressEvent[] = [], onEvent?: (e: ProgressEvent) => void): CliContext {
  return { out, json: true, signal: new AbortController().signal, onProgress: (e) => (events.push(e), onEvent?.(e)), log: () => undefined };
}

describe('nextx generate / eval video/stream', () => {
  const checkpoint = join(dir, 'model');
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    const model = tinyModel();
    saveVideoModel(model, checkpoint);
    model.dispose();
  });

  it('streams frames to disk as they are made, then the GIF and a report', async () => {
    const out = join(dir, 'gen');
    const events: ProgressEvent[] = [];
    const onDisk: number[] = [];
    const ctx = context(out, events, () => onDisk.push(existsSync(join(out, 'frames')) ? readdirSync(join(out, 'frames')).length : 0));
    const report = (await generateVideoCommand.run({ checkpoint, frames: '8', context: '2', format: 'gif,png', seed: '3', scale: '2' }, ctx)) as { frames: number; seed: number };
    expect(report.frames).toBe(10);
    expect(report.seed).toBe(3);
    expect(readdirSync(join(out, 'frames'))).toHaveLength(10);
    // When chunk k is reported, the given frames and chunks before k are already files.
    expect(onDisk).toEqual([2, 4, 6, 8]);
    expect(events.map((e) => e.completed)).toEqual([2, 4, 6, 8]);
    expect(events.every((e) => (e.metrics?.['framesPerSecond'] ?? 0) > 0)).toBe(true);
    const gif = decodeGif(readFileSync(join(out, 'video.gif')));
    expect([gif.frames.length, gif.width]).toEqual([10, 32]);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).frames).toBe(10);
  });

  it('streams a 256-frame video to disk frame by frame, reporting frames/s as it goes', async () => {
    const out = join(dir, 'gen256');
    const events: ProgressEvent[] = [];
    const onDisk: number[] = [];
    const ctx = context(out, events, () => onDisk.push(readdirSync(join(out, 'frames')).length));
    const report = (await generateVideoCommand.run({ checkpoint, frames: '256', context: '2', format: 'png', steps: '1', seed: '4' }, ctx)) as { frames: number; framesPerSecond: number };
    expect(report.frames).toBe(258);
    expect(readdirSync(join(out, 'frames'))).toHaveLength(258);
    expect(events).toHaveLength(128);
    expect(events[events.length - 1]).toMatchObject({ stage: 'frames', completed: 256, total: 256 });
    expect(events.every((e) => (e.metrics?.['framesPerSecond'] ?? 0) > 0)).toBe(true);
    // Half-way through, the first half is on disk already.
    expect(onDisk[63]).toBe(2 + 2 * 63);
    expect(existsSync(join(out, 'video.gif'))).toBe(false);
  });

  it('MP4 goes through ffmpeg where it is installed and says so where it is not', async () => {
    const out = join(dir, 'mp4');
    const run = generateVideoCommand.run({ checkpoint, frames: '2', context: '0', format: 'mp4', seed: '1' }, context(out));
    if (ffmpegAvailable()) {
      await run;
      expect(existsSync(join(out, 'video.mp4'))).toBe(true);
    } else {
      await expect(run).rejects.toThrow(/needs ffmpeg/);
      expect(existsSync(out)).toBe(false); // refused before any work
    }
  });

  it('names the bad option', async () => {
    await expect(generateVideoCommand.run({ checkpoint, frames: '-3' }, context(join(dir, 'bad')))).rejects.toThrow(InputError);
    await expect(generateVideoCommand.run({ checkpoint, cache: 'huge' }, context(join(dir, 'bad')))).rejects.toThrow(/--cache must be one of/);
    await expect(generateVideoCommand.run({ checkpoint, context: '3' }, context(join(dir, 'bad')))).rejects.toThrow(/multiple of 2/);
  });

  it('evaluates against the baselines and draws the figure', async () => {
    const out = join(dir, 'eval');
    const report = (await evalVideoCommand.run({ checkpoint, sequences: '2', context: '2', horizon: '4', batch: '2' }, context(out))) as {
      summary: Record<string, { psnr8: number }>;
      perHorizon: Record<string, { psnr: number[]; coherence: number[]; speed: number[] }>;
      truthCoherence: number[];
      truthSpeed: number[];
    };
    expect(Object.keys(report.summary).sort()).toEqual(['copy-last', 'linear', 'model', 'tracking']);
    expect(report.perHorizon['model']?.psnr).toHaveLength(4);
    // Copying the last given frame shows the true items at every horizon: one coherence value, a true frame's.
    const copied = report.perHorizon['copy-last']?.coherence ?? [];
    expect(copied).toHaveLength(4);
    copied.forEach((c) => expect(c).toBeCloseTo(copied[0] as number, 12));
    expect(report.truthCoherence).toHaveLength(4);
    for (const c of [...report.truthCoherence, copied[0] as number]) expect(c).toBeGreaterThan(0.5);
    // …and stands still; the true items move (every sequence's items at 0.75–2 px/frame, placed to the pixel).
    expect(report.perHorizon['copy-last']?.speed).toEqual([0, 0, 0, 0]);
    const meanTruthSpeed = report.truthSpeed.reduce((a, b) => a + b, 0) / 4;
    expect(meanTruthSpeed).toBeGreaterThan(0.5);
    expect(meanTruthSpeed).toBeLessThan(3);
    expect(existsSync(join(out, 'eval.png'))).toBe(true);
    expect(existsSync(join(out, 'eval.json'))).toBe(true);
  });
});
