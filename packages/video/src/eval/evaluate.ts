import { imageGridFigure, linePlot, panels, tf, type Figure } from '@nextx/core';
import { MovingObjects } from '../data/moving-objects.js';
import { generateVideo, type VideoRequestInput } from '../generate/generate.js';
import type { VideoModel } from '../model/video-model.js';
import { copyLastFrame, firstFrameTracking, linearExtrapolation } from './baselines.js';
import { meanScore, objectPlacements, objectSpeeds, type Placement } from './coherence.js';
import { psnr, ssim } from './metrics.js';

export type Method = 'model' | 'copy-last' | 'linear' | 'tracking';
const METHODS: readonly Method[] = ['model', 'copy-last', 'linear', 'tracking'];

export interface EvaluationOptions {
  /** Held-out sequences (each its own video; the default 16). */
  readonly sequences?: number;
  /** Given frames (a multiple of framesPerChunk; default 4). */
  readonly contextFrames?: number;
  /** Predicted frames (default 32). */
  readonly horizon?: number;
  /** Videos generated per batch (default 8). */
  readonly batch?: number;
  /** Seed of the held-out split (sequence seeds) and of the sampling noise. */
  readonly seed?: number;
  readonly request?: Omit<VideoRequestInput, 'frames' | 'batch' | 'context'>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface HorizonMetrics {
  /** Mean over the sequences of PSNR (dB) and SSIM at each predicted frame k = 1 … horizon. */
  readonly psnr: number[];
  readonly ssim: number[];
  /** Mean objectCoherence at each k: whether the frame still shows the sequence's items, wherever they are. */
  readonly coherence: number[];
  /** Mean objectSpeeds at each k (displacement of the items' best placements over the last SPEED_LAG frames, per frame): whether the items move. */
  readonly speed: number[];
}

export interface EvaluationReport {
  readonly sequences: number;
  readonly contextFrames: number;
  readonly horizon: number;
  readonly sprites: string;
  readonly perHorizon: Record<Method, HorizonMetrics>;
  /** objectCoherence of the true frames at each k: the ceiling (below 1 where the items overlap), and its mean. */
  readonly truthCoherence: number[];
  readonly truthCoherenceAll: number;
  /** The true frames' speed at each k, and its mean. */
  readonly truthSpeed: number[];
  readonly truthSpeedAll: number;
  /** Means over the first 8 and over all `horizon` predicted frames. */
  readonly summary: Record<Method, { psnr8: number; ssim8: number; psnrAll: number; ssimAll: number; coherenceAll: number; speedAll: number }>;
  readonly seconds: number;
}

/**
 * Next-frame prediction on held-out sequences: given the first `contextFrames` true frames, the model generates the
 * next `horizon`; PSNR and SSIM against the truth at every horizon, for the model, for copying the last given frame,
 * for extrapolating the last two linearly, and for tracking the first given frame's object (firstFrameTracking).
 */
export async function evaluateModel(model: VideoModel, options: EvaluationOptions = {}): Promise<{ report: EvaluationReport; example: ExampleRows }> {
  const sequences = options.sequences ?? 16;
  const contextFrames = options.contextFrames ?? 4;
  const horizon = options.horizon ?? 32;
  const batchSize = options.batch ?? 8;
  const seed = options.seed ?? 1;
  const data = new MovingObjects(model.config.data);
  const size = data.config.size;
  const plane = size * size;
  const zeros = () => new Array<number>(horizon).fill(0);
  const sums = Object.fromEntries(METHODS.map((m) => [m, { psnr: zeros(), ssim: zeros(), coherence: zeros(), speed: zeros() }])) as Record<Method, HorizonMetrics>;
  const truthCoherence = zeros();
  const truthSpeed = zeros();
  let example: ExampleRows | undefined;
  const started = performance.now();
  for (let first = 0; first < sequences; first += batchSize) {
    const batch = Math.min(batchSize, sequences - first);
    const held = Array.from({ length: batch }, (_, b) => data.sequence('heldout', first + b, seed));
    const truths = held.map((sequence) => sequence.frames(0, contextFrames + horizon));
    const given = new Float32Array(batch * contextFrames * plane);
    truths.forEach((t, b) => given.set(t.subarray(0, contextFrames * plane), b * contextFrames * plane));
    const predicted = new Float32Array(batch * horizon * plane);
    const context = tf.tensor4d(given, [batch, contextFrames, size, size]);
    try {
      for await (const { value } of generateVideo(model, { ...options.request, frames: horizon, batch, context }, { seed: seed + first, ...(options.signal ? { signal: options.signal } : {}) })) {
        for (let b = 0; b < batch; b++) {
          for (let f = 0; f < value.count; f++) {
            const k = value.firstFrame - contextFrames + f;
            predicted.set(value.frames.subarray((b * value.count + f) * plane, (b * value.count + f + 1) * plane), (b * horizon + k) * plane);
          }
        }
      }
    } finally {
      context.dispose();
    }
    truths.forEach((truth, b) => {
      const own = given.subarray(b * contextFrames * plane, (b + 1) * contextFrames * plane);
      const outputs: Record<Method, Float32Array> = {
        model: predicted.subarray(b * horizon * plane, (b + 1) * horizon * plane),
        'copy-last': copyLastFrame(own, contextFrames, plane, horizon),
        linear: linearExtrapolation(own, contextFrames, plane, horizon),
        tracking: firstFrameTracking(own, contextFrames, plane, horizon),
      };
      const sprites = (held[b] as (typeof held)[number]).sprites;
      const lastGiven = objectPlacements(own.subarray((contextFrames - 1) * plane), size, sprites);
      const placements = Object.fromEntries([...METHODS, 'truth'].map((m) => [m, [lastGiven]])) as Record<Method | 'truth', Placement[][]>;
      for (let k = 0; k < horizon; k++) {
        const a = truth.subarray((contextFrames + k) * plane, (contextFrames + k + 1) * plane);
        const truthPlaced = objectPlacements(a, size, sprites);
        truthCoherence[k] = (truthCoherence[k] as number) + meanScore(truthPlaced);
        placements.truth.push(truthPlaced);
        for (const m of METHODS) {
          const p = (outputs[m] as Float32Array).subarray(k * plane, (k + 1) * plane);
          const placed = objectPlacements(p, size, sprites);
          sums[m].psnr[k] = (sums[m].psnr[k] as number) + Math.min(psnr(a, p), 100);
          sums[m].ssim[k] = (sums[m].ssim[k] as number) + ssim(a, p, size, size);
          sums[m].coherence[k] = (sums[m].coherence[k] as number) + meanScore(placed);
          placements[m].push(placed);
        }
      }
      objectSpeeds(placements.truth).forEach((v, k) => (truthSpeed[k] = (truthSpeed[k] as number) + v));
      for (const m of METHODS) objectSpeeds(placements[m]).forEach((v, k) => (sums[m].speed[k] = (sums[m].speed[k] as number) + v));
      if (!example) example = { truth: truth.slice(contextFrames * plane), context: own.slice(), outputs, size, horizon };
    });
    options.onProgress?.(first + batch, sequences);
  }
  const perSequence = (sums: readonly number[]) => sums.map((v) => v / sequences);
  const perHorizon = Object.fromEntries(
    METHODS.map((m) => [m, { psnr: perSequence(sums[m].psnr), ssim: perSequence(sums[m].ssim), coherence: perSequence(sums[m].coherence), speed: perSequence(sums[m].speed) }]),
  ) as Record<Method, HorizonMetrics>;
  const mean = (values: readonly number[], n: number) => values.slice(0, n).reduce((a, b) => a + b, 0) / Math.min(n, values.length);
  const summary = Object.fromEntries(
    METHODS.map((m) => {
      const h = perHorizon[m];
      return [m, { psnr8: mean(h.psnr, 8), ssim8: mean(h.ssim, 8), psnrAll: mean(h.psnr, horizon), ssimAll: mean(h.ssim, horizon), coherenceAll: mean(h.coherence, horizon), speedAll: mean(h.speed, horizon) }];
    }),
  ) as EvaluationReport['summary'];
  const [truthMeans, truthSpeeds] = [perSequence(truthCoherence), perSequence(truthSpeed)];
  const report = {
    sequences,
    contextFrames,
    horizon,
    sprites: data.spriteKind,
    perHorizon,
    truthCoherence: truthMeans,
    truthCoherenceAll: mean(truthMeans, horizon),
    truthSpeed: truthSpeeds,
    truthSpeedAll: mean(truthSpeeds, horizon),
    summary,
    seconds: (performance.now() - started) / 1000,
  };
  return { report, example: example as ExampleRows };
}

/** One held-out sequence's truth and each method's prediction, for the figure. */
export interface ExampleRows {
  readonly truth: Float32Array;
  readonly context: Float32Array;
  readonly outputs: Record<Method, Float32Array>;
  readonly size: number;
  readonly horizon: number;
}

/** PSNR, SSIM, object coherence and speed against the horizon for the model and the baselines, and one sequence's frames at a few horizons. */
export function evaluationFigure(report: EvaluationReport, example: ExampleRows): Figure {
  const x = Array.from({ length: report.horizon }, (_, k) => k + 1);
  const truthCurves: Partial<Record<keyof HorizonMetrics, number[]>> = { coherence: report.truthCoherence, speed: report.truthSpeed };
  const curve = (metric: keyof HorizonMetrics, label: string) =>
    linePlot({
      title: `${label} of predicted frames (${report.sequences} held-out sequences)`,
      xLabel: 'frames ahead',
      yLabel: label,
      series: [...METHODS.map((m) => ({ name: m, x, y: report.perHorizon[m][metric] })), ...(truthCurves[metric] ? [{ name: 'truth', x, y: truthCurves[metric] }] : [])],
      width: 360,
      height: 220,
    });
  const shown = [1, 2, 4, 8, 16, 24, 32, 64, 128, 256, 512, 1024].filter((k) => k <= report.horizon);
  const plane = example.size * example.size;
  const rows: { label: string; frames: Float32Array }[] = [{ label: 'truth', frames: example.truth }, ...METHODS.map((m) => ({ label: m, frames: example.outputs[m] }))];
  const images = rows.flatMap((row) => shown.map((k) => ({ data: row.frames.subarray((k - 1) * plane, k * plane), height: example.size, width: example.size, channels: 1 as const })));
  const grid = imageGridFigure({ images, columns: shown.length, rowLabels: rows.map((r) => r.label), titles: rows.flatMap(() => shown.map((k) => `+${k}`)), zoom: 3, title: 'one held-out sequence' });
  return panels([curve('psnr', 'PSNR (dB)'), curve('ssim', 'SSIM'), curve('coherence', 'object coherence'), curve('speed', 'object speed (px/frame)'), grid], { columns: 2, title: `next-frame prediction from ${report.contextFrames} given frames` });
}
