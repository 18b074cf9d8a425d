import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { evaluateModel } from '../evaluation/evaluate-model.js';
import { accelerationList, integerOption, optionalString } from './cli-options.js';
import { readSplitSlices } from './data-source.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { MriNasModel } from './model.js';
import { formatMetrics } from './reconstruct-input.js';

export const evalMriNasCommand: PluginCommand = {
  description: 'fastMRI metrics (NMSE, PSNR, SSIM) of zero-filling and of every level of the model on held-out Colin27 slices',
  options: [
    { flags: '--checkpoint <dir>', description: 'model checkpoint (default: the bundled demo model)' },
    { flags: '--acceleration <list>', description: 'comma-separated accelerations', defaultValue: '4,8' },
    { flags: '--data <kind>', description: "'colin27' (split by volume region) or 'phantoms'", defaultValue: 'colin27' },
    { flags: '--split <name>', description: "'test' or 'validation'", defaultValue: 'test' },
    { flags: '--nifti <file>', description: 'the T1 volume (default Debian mricron-data ch2better)' },
    { flags: '--slices <n>', description: 'evaluate the first n slices of the split (default all)' },
    { flags: '--samples <n>', description: 'reconstructions drawn per slice (their mean is scored)', defaultValue: '4' },
    { flags: '--seed <n>', description: 'seed of the acquisitions and draws', defaultValue: '0' },
  ],
  async run(options, context: CliContext) {
    const split = String(options['split']);
    if (split !== 'test' && split !== 'validation') throw new InputError(`--split must be 'test' or 'validation'; got '${split}'`);
    const accelerations = accelerationList('--acceleration', options['acceleration']);
    const checkpoint = optionalString(options['checkpoint']) ?? DEMO_CHECKPOINT;
    const model = MriNasModel.load(checkpoint);
    try {
      const nifti = optionalString(options['nifti']);
      const kind = String(options['data']);
      if (kind !== 'colin27' && kind !== 'phantoms') throw new InputError(`--data must be 'colin27' or 'phantoms'; got '${kind}'`);
      const data = readSplitSlices({ kind, ...(nifti ? { path: nifti } : {}) }, model.config.imageSize);
      const all = split === 'test' ? data.test : data.validation;
      const count = options['slices'] === undefined ? all.length : Math.min(all.length, integerOption('--slices', options['slices'], 1));
      context.log(`${data.description}; evaluating ${count} ${split} slices`);
      const rows = await evaluateModel(model, all.slice(0, count), accelerations, {
        samples: integerOption('--samples', options['samples'], 1),
        seed: integerOption('--seed', options['seed']),
        signal: context.signal,
      });
      for (const r of rows) context.log(`${r.acceleration}× ${r.method.padEnd(20)} ${formatMetrics(r.metrics)}  (${r.secondsPerSlice.toFixed(2)} s/slice)`);
      return { checkpoint, split, slices: count, rows };
    } finally {
      model.dispose();
    }
  },
};
