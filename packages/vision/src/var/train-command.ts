import { AbortError, InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { DEBIAN_FASHION_MNIST_DIR } from '../data/fashion-mnist.js';
import { readConfigArg } from './load.js';
import { RUN_DEFAULTS, TOKENIZED_DEFAULT, trainVarRun } from './train-run.js';

/** An integer flag ≥ `min`, or undefined when not given (so `--resume` can tell given settings from defaults). */
const integer = (flag: string, value: unknown, min = 1): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'`);
  return n;
};

const defined = <T extends Record<string, unknown>>(object: T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;

export const trainVarCommand: PluginCommand = {
  description: 'train the VQVAE and then the VAR transformer on Fashion-MNIST or a folder of PNGs, resumably, into --out',
  options: [
    {
      flags: '--data <dir>',
      description: `Fashion-MNIST IDX files (default ${DEBIAN_FASHION_MNIST_DIR}, Debian's dataset-fashion-mnist) or a folder of PNGs, one sub-folder per class (train/ and test/ inside are used as the splits)`,
    },
    { flags: '--config <file>', description: "model config JSON (official constructor names); default: the Fashion-MNIST recipe's 32×32 model with the data's classes and channels" },
    { flags: '--vqvae-steps <n>', description: `VQVAE optimizer steps (default ${RUN_DEFAULTS.vqvaeSteps})` },
    { flags: '--var-steps <n>', description: `transformer optimizer steps (default ${RUN_DEFAULTS.varSteps})` },
    { flags: '--batch <n>', description: `VQVAE batch size (default ${RUN_DEFAULTS.batchSize})` },
    { flags: '--var-batch <n>', description: `transformer batch size (default ${RUN_DEFAULTS.varBatchSize})` },
    { flags: '--train-images <n>', description: `train on the first n training images only (default all; the transformer tokenizes at most ${TOKENIZED_DEFAULT} of them)` },
    { flags: '--eval-images <n>', description: `held-out images for reconstruction MSE (default ${RUN_DEFAULTS.heldOutImages}; a folder without test/ holds out at most a fifth)` },
    { flags: '--checkpoint-every <n>', description: `checkpoint every n steps in both stages, 0 for only at their ends (default ${RUN_DEFAULTS.checkpointEvery}); Ctrl-C also saves` },
    { flags: '--seed <n>', description: `seed of the initialisation, batches and split (default ${RUN_DEFAULTS.seed})` },
    { flags: '--resume', description: 'continue the run in --out from its last checkpoints, with the settings in its run.json' },
  ],
  async run(options, context: CliContext) {
    const settings = defined({
      vqvaeSteps: integer('--vqvae-steps', options['vqvaeSteps']),
      varSteps: integer('--var-steps', options['varSteps']),
      batchSize: integer('--batch', options['batch']),
      varBatchSize: integer('--var-batch', options['varBatch']),
      trainImages: integer('--train-images', options['trainImages']),
      heldOutImages: integer('--eval-images', options['evalImages']),
      checkpointEvery: integer('--checkpoint-every', options['checkpointEvery'], 0),
      seed: integer('--seed', options['seed'], 0),
    });
    try {
      return await trainVarRun({
        out: context.out,
        resume: options['resume'] === true,
        ...(typeof options['data'] === 'string' ? { data: options['data'] } : {}),
        ...(typeof options['config'] === 'string' ? { config: readConfigArg(options['config']) } : {}),
        ...settings,
        onProgress: context.onProgress,
        signal: context.signal,
        log: (message) => context.log(message),
      });
    } catch (error) {
      if (error instanceof AbortError) {
        throw new AbortError(`${error.message}: continue it with \`nextx train vision/var --out ${context.out} --resume\``);
      }
      throw error;
    }
  },
};
