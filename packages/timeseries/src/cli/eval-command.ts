import { join } from 'node:path';
import { InputError, writeFileAtomic, type PluginCommand } from '@nextx/core';
import { splitByTime } from '../data/split.js';
import { seriesFromValues } from '../data/series.js';
import { loadForecaster, type ForecastModelName } from '../forecast/checkpoint.js';
import { compareOnTest } from './compare.js';
import { DATA_OPTIONS, loadSeriesFromOptions, parseNumberOption, positiveInteger } from './options.js';

/** `nextx eval timeseries/<model>`: scores a checkpoint and the baselines on the end of a series. */
export function evalCommand(model: ForecastModelName): PluginCommand {
  return {
    description: 'score a checkpoint against naive, seasonal naive and least-squares AR on the end of a series (MASE, sMAPE, CRPS)',
    options: [
      { flags: '--checkpoint <dir>', description: 'a checkpoint written by `nextx train`' },
      { flags: '--horizon <n>', description: 'steps per forecast', defaultValue: '24' },
      { flags: '--test <x>', description: 'scored end of the series: a fraction (< 1) or a count', defaultValue: '0.2' },
      { flags: '--samples <n>', description: 'sample paths per origin for CRPS (0: point metrics only)', defaultValue: '100' },
      ...DATA_OPTIONS.map((o) => ({ ...o, description: `${o.description} (default: the checkpoint's history)` })),
    ],
    async run(options, context) {
      if (typeof options['checkpoint'] !== 'string') throw new InputError(`eval ${model} needs --checkpoint <dir>`);
      const { forecaster, config, history } = loadForecaster(options['checkpoint']);
      try {
        if (config.model !== model) throw new InputError(`${options['checkpoint']} holds a ${config.model} checkpoint, not ${model}`);
        const names = config.series.map((s) => s.name);
        const data =
          options['csv'] !== undefined || options['dataset'] !== undefined
            ? await loadSeriesFromOptions({ ...options, ...(options['target'] ? {} : { target: names.join(',') }) })
            : { series: history.values.map((v, c) => seriesFromValues(names[c] ?? `series ${c}`, v, history.time)), seasonality: config.seasonality, source: options['checkpoint'] };
        const split = splitByTime(data.series[0]?.values.length ?? 0, { test: parseNumberOption('--test', options['test'], (n) => n > 0, 'a fraction in (0, 1) or a count ≥ 1') });
        const scores = await compareOnTest(forecaster, data, split, {
          figure: join(context.out, 'eval-forecast.png'),
          horizon: positiveInteger('--horizon', options['horizon']),
          samples: parseNumberOption('--samples', options['samples'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
        });
        const report = join(context.out, 'eval.json');
        writeFileAtomic(report, `${JSON.stringify({ model, checkpoint: options['checkpoint'], source: data.source, results: scores.results }, null, 2)}\n`);
        context.log(scores.table);
        return { model, report, figure: scores.figure, results: scores.results };
      } finally {
        forecaster.model.dispose();
      }
    },
  };
}
