import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CliContext, DemoResult } from '../contracts/plugin.js';
import { trainingCurve } from '../figures/training-curve.js';
import type { ByteGptConfigInput } from './byte-gpt/config.js';
import { generate } from './byte-gpt/generate.js';
import { trainByteGpt } from './byte-gpt/train.js';
import { DEMO_CORPUS } from './demo-corpus.js';

/** About 0.4 M parameters: trains in well under a minute on one wasm core. */
const DEMO_MODEL: ByteGptConfigInput = { dim: 96, numLayers: 3, numHeads: 4, contextLength: 96, seed: 1 };
const DEMO_STEPS = 300;
const PROMPTS = ['The keeper ', 'In the spring ', 'Wind from the '];

export interface CoreDemoOptions {
  /** Training steps (default 300; tests use a few). */
  readonly steps?: number;
  /** Bytes generated per prompt (default 240). */
  readonly sampleBytes?: number;
}

/**
 * `nextx demo` for core: trains a byte-level GPT built from core layers on a short bundled text, then writes
 * `samples.txt` (text it generates), `loss.png` (its loss curve), `metrics.jsonl` (one line per step) and the
 * final training checkpoint into `context.out`.
 */
export async function runCoreDemo(context: CliContext, options: CoreDemoOptions = {}): Promise<DemoResult> {
  mkdirSync(context.out, { recursive: true });
  const steps = options.steps ?? DEMO_STEPS;
  const files = {
    samples: join(context.out, 'samples.txt'),
    plot: join(context.out, 'loss.png'),
    metrics: join(context.out, 'metrics.jsonl'),
    checkpoint: join(context.out, 'checkpoint'),
  };
  const started = performance.now();
  const { model, trainer, result } = await trainByteGpt({
    corpus: new TextEncoder().encode(DEMO_CORPUS),
    model: DEMO_MODEL,
    batchSize: 8,
    trainer: {
      steps,
      lr: 3e-3,
      schedule: { kind: 'cosine', warmupSteps: Math.min(20, Math.floor(steps / 10)), minLr: 3e-4 },
      weightDecay: 0.1,
      clipNorm: 1,
      logEvery: 1,
      seed: 1,
    },
    checkpointDir: files.checkpoint,
    metricsFile: files.metrics,
    onProgress: context.onProgress,
    signal: context.signal,
  });
  try {
    const trainSeconds = (performance.now() - started) / 1000;
    const losses = result.history.map((m) => m.loss);
    await trainingCurve({
      title: `byte GPT (${model.numParameters()} parameters): training loss`,
      series: [{ name: 'loss', x: result.history.map((m) => m.step), y: losses }],
      yLabel: 'loss (nats/byte)',
    }).write(files.plot);
    const samples: string[] = [];
    for (const [i, prompt] of PROMPTS.entries()) {
      const bytes = await generate(model, new TextEncoder().encode(prompt), options.sampleBytes ?? 240, {
        temperature: 0.8,
        topK: 40,
        seed: i,
        signal: context.signal,
        onProgress: context.onProgress,
      });
      samples.push(`--- prompt: ${JSON.stringify(prompt)} (temperature 0.8, top-k 40, seed ${i})\n${prompt}${decodeBytes(bytes)}\n`);
    }
    const header = `byte-level GPT, ${model.numParameters()} parameters, ${result.step} steps on ${DEMO_CORPUS.length} bytes of text\n\n`;
    writeFileSync(files.samples, header + samples.join('\n'));
    const first = losses[0] ?? NaN;
    const last = losses.at(-1) ?? NaN;
    context.log(`core demo: loss ${first.toFixed(3)} → ${last.toFixed(3)} in ${trainSeconds.toFixed(1)} s`);
    return {
      summary: `byte GPT (${model.numParameters()} parameters) trained ${result.step} steps in ${trainSeconds.toFixed(1)} s: loss ${first.toFixed(3)} → ${last.toFixed(3)} nats/byte`,
      files: [files.samples, files.plot, files.metrics, files.checkpoint],
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** Bytes as text; a byte sequence that is not valid UTF-8 shows replacement characters. */
function decodeBytes(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
