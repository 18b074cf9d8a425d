import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, writeFileAtomic, type CliContext, type PluginCommand } from '@nextx/core';
import { fitArnet } from '../arnet/fit.js';
import { ArnetForecaster } from '../arnet/forecaster.js';
import { coefficientFigure } from '../figures/coefficient-figure.js';
import { fitSpacetime } from '../spacetime/fit.js';
import { splitByTime } from '../data/split.js';
import { saveForecaster, type ForecastModelName, type LoadedForecaster } from '../forecast/checkpoint.js';
import type { TrainingCheckpointOptions } from '../training/resumable-training.js';
import { compareOnTest } from './compare.js';
import { DATA_OPTIONS, loadSeriesFromOptions, optionalNumber, positiveInteger, parseNumberOption } from './options.js';

const COMMON = [
  ...DATA_OPTIONS,
  { flags: '--lag <n>', description: 'context length (AR-Net: ar_order p)', defaultValue: '24' },
  { flags: '--horizon <n>', description: 'forecast steps trained for (AR-Net: n_forecasts; SpaceTime: the closed-loop horizon)' },
  { flags: '--epochs <n>', description: 'training epochs', defaultValue: '20' },
  { flags: '--lr <x>', description: 'learning rate (AR-Net: lr_max of the one cycle)' },
  { flags: '--batch-size <n>', description: 'windows per batch', defaultValue: '32' },
  { flags: '--test <x>', description: 'held-out end of the series: a fraction (< 1) or a count', defaultValue: '0.2' },
  { flags: '--gap <n>', description: 'steps between training and test values', defaultValue: '0' },
  { flags: '--seed <n>', description: 'random seed (initial weights, batch order)', defaultValue: '0' },
  { flags: '--checkpoint <dir>', description: 'where the checkpoint goes (default: <out>/checkpoint)' },
  { flags: '--training-checkpoint <dir>', description: 'resumable training state, written every epoch and on Ctrl-C (default: <out>/training)' },
  { flags: '--resume', description: 'continue from --training-checkpoint when it exists (same data and options)' },
  { flags: '--samples <n>', description: 'sample paths per test origin for CRPS', defaultValue: '100' },
];

const ARNET = [
  { flags: '--sparsity <x>', description: 'target fraction of non-zero AR coefficients (regulariser on); omit for none' },
  { flags: '--hidden <widths>', description: 'hidden layer widths, comma-separated (default: none, the linear AR-Net)' },
];

const SPACETIME = [
  { flags: '--model-dim <n>', description: 'network width (a multiple of 16 and of the number of series)' },
  { flags: '--kernel-dim <n>', description: 'companion state size N', defaultValue: '16' },
  { flags: '--stride <n>', description: 'use every n-th training window', defaultValue: '1' },
];

function hiddenWidths(value: unknown): number[] {
  if (value === undefined) return [];
  const parts = String(value).split(',');
  return parts.map((p) => positiveInteger('--hidden', p.trim()));
}

async function fitFromOptions(model: ForecastModelName, options: Readonly<Record<string, unknown>>, context: CliContext) {
  const data = await loadSeriesFromOptions(options);
  const length = (data.series[0]?.values.length ?? 0);
  const split = splitByTime(length, {
    test: parseNumberOption('--test', options['test'], (n) => n > 0, 'a fraction in (0, 1) or a count ≥ 1'),
    gap: parseNumberOption('--gap', options['gap'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
  });
  const lag = positiveInteger('--lag', options['lag']);
  const epochs = positiveInteger('--epochs', options['epochs']);
  const batch = positiveInteger('--batch-size', options['batchSize']);
  const seed = parseNumberOption('--seed', options['seed'], Number.isInteger, 'an integer');
  const lr = optionalNumber('--lr', options['lr'], (n) => n > 0, 'a positive number');
  const progress = { onProgress: context.onProgress, signal: context.signal, checkpoint: trainingCheckpoint(options, context) };
  let forecaster: LoadedForecaster;
  let horizon: number;
  if (model === 'timeseries/arnet') {
    if (data.series.length !== 1) throw new InputError(`AR-Net forecasts one series; --target/--series selected ${data.series.length} (${data.series.map((s) => s.name).join(', ')})`);
    horizon = positiveInteger('--horizon', options['horizon'] ?? '1');
    const sparsity = optionalNumber('--sparsity', options['sparsity'], (n) => n > 0 && n <= 1, 'in (0, 1]');
    const fitted = await fitArnet(data.series[0]!, split.train, {
      model: { ar_order: lag, n_forecasts: horizon, layers: hiddenWidths(options['hidden']), sparsity: sparsity ?? null, use_reg_noise: true },
      train: { n_epoch: epochs, train_bs: batch, seed, ...(lr ? { lr } : {}) },
      ...progress,
    });
    forecaster = fitted.forecaster;
  } else {
    horizon = positiveInteger('--horizon', options['horizon'] ?? '24');
    const modelDim = optionalNumber('--model-dim', options['modelDim'], (n) => Number.isInteger(n) && n >= 16 && n % 16 === 0, 'a multiple of 16');
    const fitted = await fitSpacetime(data.series, split.train, {
      lag,
      horizon,
      sizes: { kernelDim: positiveInteger('--kernel-dim', options['kernelDim']), ...(modelDim ? { modelDim } : {}) },
      stride: positiveInteger('--stride', options['stride']),
      train: { epochs, batch_size: batch, seed, ...(lr ? { lr } : {}) },
      ...progress,
    });
    forecaster = fitted.forecaster;
  }
  return { data, split, forecaster, horizon };
}

/** Where the resumable training state goes, and whether to continue from it (said on stderr). */
function trainingCheckpoint(options: Readonly<Record<string, unknown>>, context: CliContext): TrainingCheckpointOptions {
  const dir = typeof options['trainingCheckpoint'] === 'string' ? options['trainingCheckpoint'] : join(context.out, 'training');
  const resume = options['resume'] === true;
  if (resume) context.log(existsSync(dir) ? `resuming from the training checkpoint ${dir}` : `no training checkpoint at ${dir}: starting fresh`);
  return { dir, resume };
}

/** `nextx train timeseries/<model>`: fit on the series minus its test end, save a checkpoint, score the test end. */
export function trainCommand(model: ForecastModelName): PluginCommand {
  return {
    description: `train ${model === 'timeseries/arnet' ? 'AR-Net' : 'SpaceTime'} on a CSV file or a vega-datasets series, save a checkpoint and score the held-out end against baselines`,
    options: [...COMMON, ...(model === 'timeseries/arnet' ? ARNET : SPACETIME)],
    async run(options, context) {
      const started = performance.now();
      const { data, split, forecaster, horizon } = await fitFromOptions(model, options, context);
      try {
        const checkpoint = typeof options['checkpoint'] === 'string' ? options['checkpoint'] : join(context.out, 'checkpoint');
        saveForecaster(checkpoint, forecaster, {
          history: { time: data.series[0]?.time ?? [], values: data.series.map((s) => s.values) },
          seasonality: data.seasonality,
          source: data.source,
          fitted: { train: split.train, test: split.test, gap: split.gap, options },
        });
        const seconds = (performance.now() - started) / 1000;
        context.log(`trained ${forecaster.name} in ${seconds.toFixed(1)} s; checkpoint ${checkpoint}`);
        const scores = await compareOnTest(forecaster, data, split, { horizon, samples: optionalNumber('--samples', options['samples'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0') ?? 100, figure: join(context.out, 'test-forecast.png') });
        const coefficients = forecaster instanceof ArnetForecaster ? await coefficientFigure(forecaster.model.coefficients()).write(join(context.out, 'coefficients.png')) : undefined;
        writeFileAtomic(join(context.out, 'train-report.json'), `${JSON.stringify({ model, checkpoint, seconds, scores }, null, 2)}\n`);
        context.log(scores.table);
        return { model, checkpoint, seconds, scores: scores.results, report: join(context.out, 'train-report.json'), figure: scores.figure, ...(coefficients ? { coefficients } : {}) };
      } finally {
        forecaster.model.dispose();
      }
    },
  };
}
