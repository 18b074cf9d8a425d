import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { trainFashionMnistVar } from './fashion-mnist-recipe.js';

const count = (flag: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${flag} must be a positive integer; got '${String(value)}'`);
  return n;
};

export const trainVarCommand: PluginCommand = {
  description: 'train the VQVAE and then the VAR transformer on Fashion-MNIST (IDX files of Debian dataset-fashion-mnist, or --data)',
  options: [
    { flags: '--data <dir>', description: 'folder with the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)' },
    { flags: '--vqvae-steps <n>', description: 'VQVAE optimizer steps', defaultValue: '500' },
    { flags: '--var-steps <n>', description: 'transformer optimizer steps', defaultValue: '800' },
    { flags: '--batch <n>', description: 'VQVAE batch size', defaultValue: '16' },
    { flags: '--var-batch <n>', description: 'transformer batch size', defaultValue: '16' },
  ],
  async run(options, context: CliContext) {
    const report = await trainFashionMnistVar({
      out: context.out,
      ...(typeof options['data'] === 'string' ? { dataDir: options['data'] } : {}),
      vqvaeSteps: count('--vqvae-steps', options['vqvaeSteps']) as number,
      varSteps: count('--var-steps', options['varSteps']) as number,
      batchSize: count('--batch', options['batch']) as number,
      varBatchSize: count('--var-batch', options['varBatch']) as number,
      onProgress: context.onProgress,
      signal: context.signal,
      log: (message) => context.log(message),
    });
    return report;
  },
};
