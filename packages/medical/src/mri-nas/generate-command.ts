import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { integerOption, numberOption, optionalString } from './cli-options.js';
import { DEMO_CHECKPOINT } from './demo-checkpoint.js';
import { readInput } from './input-file.js';
import { MriNasModel } from './model.js';
import { disposeInput, formatMetrics, reconstructInput } from './reconstruct-input.js';

export const generateMriNasCommand: PluginCommand = {
  description: 'reconstruct undersampled MRI level by level (fastMRI .h5, BART .cfl or NIfTI input); one PNG and safetensors per level',
  options: [
    { flags: '--checkpoint <dir>', description: 'model checkpoint (default: the bundled demo model, 64×64)' },
    { flags: '--input <file>', description: 'fastMRI .h5 (kspace), BART .cfl (k-space [x, y, 1, coils]) or NIfTI .nii/.nii.gz (an axial slice, acquisition simulated)' },
    { flags: '--acceleration <R>', description: 'undersampling of fully sampled input (one of the model levels)', defaultValue: '8' },
    { flags: '--slice <n>', description: 'slice of the file (default: the middle one)' },
    { flags: '--samples <n>', description: 'reconstructions drawn; their mean and per-pixel spread are reported', defaultValue: '4' },
    { flags: '--temperature <t>', description: 'token sampling temperature (0: greedy)', defaultValue: '1' },
    { flags: '--seed <n>', description: 'random seed (default: a fresh one, reported)' },
  ],
  async run(options, context: CliContext) {
    const path = optionalString(options['input']);
    if (!path) throw new InputError('generate medical/mri-nas needs --input <file.h5|.cfl|.nii>');
    const acceleration = numberOption('--acceleration', options['acceleration'], 1);
    const samples = integerOption('--samples', options['samples'], 1);
    const temperature = numberOption('--temperature', options['temperature']);
    const slice = options['slice'] === undefined ? undefined : integerOption('--slice', options['slice']);
    const seed = options['seed'] === undefined ? undefined : integerOption('--seed', options['seed']);
    const checkpoint = optionalString(options['checkpoint']) ?? DEMO_CHECKPOINT;
    const model = MriNasModel.load(checkpoint);
    try {
      if (!model.config.accelerations.slice(0, -1).includes(acceleration)) {
        throw new InputError(`--acceleration ${acceleration} is not a level of this model (${model.config.accelerations.slice(0, -1).join(', ')})`);
      }
      const input = await readInput(path, model.config, { acceleration, seed: seed ?? 0, ...(slice === undefined ? {} : { slice }) });
      context.log(input.description);
      try {
        const run = await reconstructInput(
          model,
          input,
          context.out,
          { samples, temperature },
          {
            ...(seed === undefined ? {} : { seed }),
            signal: context.signal,
            onProgress: context.onProgress,
            onLevel: (level, metrics) => context.log(`${level.acceleration}× level${metrics ? `: ${formatMetrics(metrics)}` : ''}`),
          },
        );
        if (run.zeroFilled.metrics) context.log(`zero-filled: ${formatMetrics(run.zeroFilled.metrics)}`);
        context.log(`wrote ${run.levels.length} levels and ${run.figure} in ${run.seconds.toFixed(2)} s (seed ${run.seed}; --seed ${run.seed} repeats this run)`);
        return { checkpoint, input: input.description, ...run };
      } finally {
        disposeInput(input);
      }
    } finally {
      model.dispose();
    }
  },
};
