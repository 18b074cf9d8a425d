import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { BitCodec, entropicSigmas, karrasLevels, linePlot, panels, writeFileAtomic, type CliContext, type DemoResult } from '@nextx/core';
import { disposeLoaded, loadTextCheckpoint } from './checkpoint/text-checkpoint.js';
import type { CobitSamplerConfigInput } from './cobit/sampler-config.js';
import { rngNoise, sampleCobit } from './cobit/sampler.js';
import { Rng } from '@nextx/core';

/** The small CoBit this package trained on the State of the Union addresses (assets/cobit-sotu; command in the README). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../assets/cobit-sotu/', import.meta.url));

/**
 * Runs the sampler and records, after every step, the share of tokens whose current estimate already equals the
 * final sample's token (how the text crystallises as σ falls).
 */
async function crystallisation(dir: string, config: CobitSamplerConfigInput, seed: number, samples: number, length: number) {
  const loaded = loadTextCheckpoint(dir, 'text/cobit');
  if (loaded.kind !== 'text/cobit') throw new Error('unreachable');
  try {
    const codec = new BitCodec({ vocabSize: loaded.net.sizes.V, width: loaded.net.sizes.b });
    const estimates: Int32Array[] = [];
    const sigmas: number[] = [];
    const result = await sampleCobit(loaded.net, config, {
      batch: samples,
      bits: length * loaded.net.sizes.b,
      profile: loaded.profile,
      noise: rngNoise(Rng.seeded(seed)),
      onStep: (step) => {
        estimates.push(codec.decodeBits(step.estimate.dataSync()));
        sigmas.push(step.sigma);
      },
    });
    result.x.dispose();
    result.probs.dispose();
    const final = codec.decodeBits(result.bits);
    const decided = estimates.map((e) => e.reduce((n, id, i) => n + (id === final[i] ? 1 : 0), 0) / final.length);
    const texts = Array.from({ length: samples }, (_, b) => loaded.tokenizer.decodeIds(final.subarray(b * length, (b + 1) * length)));
    return { decided, sigmas, texts, profile: loaded.profile, nfe: result.nfe };
  } finally {
    disposeLoaded(loaded);
  }
}

/** `nextx demo`: samples of the bundled CoBit (deterministic and entropy-gated) and a figure of the profile and the denoising. */
export async function textDemo(context: CliContext, dir = DEMO_CHECKPOINT): Promise<DemoResult> {
  const steps = 32;
  const length = 48;
  context.onProgress({ stage: 'text', completed: 0, total: 2, message: 'CoBit: sampling' });
  const det = await crystallisation(dir, { steps }, 0, 4, length);
  context.onProgress({ stage: 'text', completed: 1, total: 2 });
  const gated = await crystallisation(dir, { steps, stochastic: { gamma: 0.2, window: { mode: 'entropy', qLo: 0, qHi: 1 } } }, 0, 4, length);
  context.onProgress({ stage: 'text', completed: 2, total: 2 });
  mkdirSync(context.out, { recursive: true });
  const samplesFile = join(context.out, 'cobit-samples.txt');
  const section = (title: string, texts: readonly string[]) => `## ${title}\n\n${texts.map((t) => t.trim()).join('\n\n---\n\n')}\n`;
  writeFileAtomic(samplesFile, `${section(`deterministic (Euler/DDIM), ${det.nfe} NFE`, det.texts)}\n${section(`entropy-gated churn (γ = 0.2), ${gated.nfe} NFE`, gated.texts)}`);
  const profile = det.profile;
  const schedule = entropicSigmas(profile, steps, { sigmaMin: 0.08, sigmaMax: 80 });
  const stepIndex = det.decided.map((_, i) => i + 1);
  const figure = panels(
    [
      linePlot({
        title: 'Entropy-rate profile (trained)',
        series: [{ name: 'profile pdf', x: Array.from(profile.sigmas), y: Array.from(profile.pdf) }],
        xLabel: 'σ',
        yLabel: 'mass per bin',
        logX: true,
      }),
      linePlot({
        title: 'Where the steps go',
        series: [
          { name: 'entropic', x: stepIndex.concat(steps), y: Array.from(schedule) },
          { name: 'Karras ρ = 7', x: stepIndex.concat(steps), y: Array.from(karrasLevels(steps, { sigmaMin: 0.08, sigmaMax: 80 })), dashed: true },
        ],
        xLabel: 'level',
        yLabel: 'σ',
        logY: true,
      }),
      linePlot({
        title: 'Text crystallising: tokens already final',
        series: [
          { name: 'deterministic', x: stepIndex, y: det.decided },
          { name: 'entropy-gated', x: stepIndex, y: gated.decided },
        ],
        xLabel: 'sampler step',
        yLabel: 'share of final tokens',
        yDomain: [0, 1],
      }),
    ],
    { columns: 3, title: 'CoBit on State of the Union addresses' },
  );
  const figureFile = join(context.out, 'cobit-demo.png');
  await figure.write(figureFile);
  return { summary: `CoBit (State of the Union): 4 samples each deterministic and entropy-gated, ${steps} levels; profile and crystallisation figure`, files: [samplesFile, figureFile] };
}
