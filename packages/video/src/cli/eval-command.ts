import { join } from 'node:path';
import { writeFileAtomic, type CliContext, type PluginCommand } from '@nextx/core';
import { evaluateModel, evaluationFigure } from '../eval/evaluate.js';
import { loadVideoModel } from '../model/checkpoint.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { intOption, samplingOptions } from './options.js';

export const evalVideoCommand: PluginCommand = {
  description: 'next-frame prediction on held-out sequences: PSNR, SSIM and object coherence per horizon against copy-last-frame, linear extrapolation and first-frame tracking',
  options: [
    { flags: '--checkpoint <dir>', description: 'model checkpoint directory (default: the bundled one)' },
    { flags: '--sequences <n>', description: 'held-out sequences', defaultValue: '16' },
    { flags: '--context <n>', description: 'given frames', defaultValue: '4' },
    { flags: '--horizon <n>', description: 'predicted frames', defaultValue: '32' },
    { flags: '--batch <n>', description: 'videos generated together', defaultValue: '8' },
    { flags: '--seed <n>', description: 'seed of the held-out split and the sampling noise', defaultValue: '1' },
    { flags: '--sampler <name>', description: 'flow-euler | flow-renoise (default: the model’s)' },
    { flags: '--steps <n>', description: 'denoising steps per chunk (default: the model’s)' },
  ],
  async run(options, context: CliContext) {
    const checkpoint = typeof options['checkpoint'] === 'string' ? options['checkpoint'] : DEMO_CHECKPOINT;
    const sequences = intOption('--sequences', options['sequences'], 1) ?? 16;
    const model = loadVideoModel(checkpoint);
    try {
      const sampling = samplingOptions(options, model.config.generation.sampling);
      const { report, example } = await evaluateModel(model, {
        sequences,
        contextFrames: intOption('--context', options['context'], 2) ?? 4,
        horizon: intOption('--horizon', options['horizon'], 1) ?? 32,
        batch: intOption('--batch', options['batch'], 1) ?? 8,
        seed: intOption('--seed', options['seed'], 0) ?? 1,
        ...(sampling ? { request: { sampling } } : {}),
        signal: context.signal,
        onProgress: (done, total) => context.onProgress({ stage: 'eval', completed: done, total }),
      });
      const reportFile = join(context.out, 'eval.json');
      writeFileAtomic(reportFile, `${JSON.stringify({ checkpoint, sampling: sampling ?? model.config.generation.sampling, ...report }, null, 2)}\n`);
      const figure = join(context.out, 'eval.png');
      await evaluationFigure(report, example).write(figure);
      const s = report.summary;
      context.log(
        `PSNR over 8 / ${report.horizon} frames: model ${s.model.psnr8.toFixed(2)} / ${s.model.psnrAll.toFixed(2)} dB, copy-last ${s['copy-last'].psnr8.toFixed(2)} / ${s['copy-last'].psnrAll.toFixed(2)}, linear ${s.linear.psnr8.toFixed(2)} / ${s.linear.psnrAll.toFixed(2)}, tracking ${s.tracking.psnr8.toFixed(2)} / ${s.tracking.psnrAll.toFixed(2)}; object coherence over ${report.horizon}: model ${s.model.coherenceAll.toFixed(3)}, tracking ${s.tracking.coherenceAll.toFixed(3)}, truth ${report.truthCoherenceAll.toFixed(3)}; ${reportFile}, ${figure}`,
      );
      return { ...report, files: [reportFile, figure] };
    } finally {
      model.dispose();
    }
  },
};
