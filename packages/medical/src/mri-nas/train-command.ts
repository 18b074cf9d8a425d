import { readFileSync, existsSync } from 'node:fs';
import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { integerOption, optionalString } from './cli-options.js';
import { trainMriNas } from './train.js';

export const trainMriNasCommand: PluginCommand = {
  description: 'train medical/mri-nas (tokenizer, then transformer) on Colin27 axial slices or random phantoms; resumes from <out>.training',
  options: [
    { flags: '--data <kind>', description: "'colin27' (Debian mricron-data's T1 brain) or 'phantoms'", defaultValue: 'colin27' },
    { flags: '--nifti <file>', description: 'another T1 NIfTI volume for --data colin27' },
    { flags: '--pool <n>', description: 'simulated acquisitions drawn once and reused', defaultValue: '384' },
    { flags: '--tokenizer-steps <n>', description: 'tokenizer optimizer steps', defaultValue: '600' },
    { flags: '--transformer-steps <n>', description: 'transformer optimizer steps', defaultValue: '600' },
    { flags: '--config <json>', description: 'model config file (default: the demo model of the README, 64×64)' },
    { flags: '--seed <n>', description: 'seed of the whole recipe', defaultValue: '0' },
  ],
  async run(options, context: CliContext) {
    const nifti = optionalString(options['nifti']);
    const configFile = optionalString(options['config']);
    const report = await trainMriNas(
      context.out,
      {
        ...(configFile ? { model: readJsonFile(configFile) } : {}),
        data: { kind: dataKind(options['data']), ...(nifti ? { path: nifti } : {}) },
        poolSize: integerOption('--pool', options['pool'], 1),
        tokenizer: { steps: integerOption('--tokenizer-steps', options['tokenizerSteps'], 1) },
        transformer: { steps: integerOption('--transformer-steps', options['transformerSteps'], 1) },
        seed: integerOption('--seed', options['seed']),
      },
      { onProgress: context.onProgress, signal: context.signal, log: (m) => context.log(m) },
    );
    return {
      checkpoint: report.checkpoint,
      data: report.data,
      parameters: report.parameters,
      seconds: { simulation: report.simulationSeconds, tokenizer: report.tokenizerSeconds, transformer: report.transformerSeconds },
      finalLoss: { tokenizer: report.tokenizerLoss.at(-1)?.loss, transformer: report.transformerLoss.at(-1)?.loss },
      codebookUsage: report.codebookUsage,
    };
  },
};

function readJsonFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new InputError(`--config file not found: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`--config ${path} is not valid JSON (${(error as Error).message})`);
  }
}

function dataKind(value: unknown): 'colin27' | 'phantoms' {
  if (value !== 'colin27' && value !== 'phantoms') throw new InputError(`--data must be 'colin27' or 'phantoms'; got '${String(value)}'`);
  return value;
}
