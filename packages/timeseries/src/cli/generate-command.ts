import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { loadForecaster, type ForecastModelName } from '../forecast/checkpoint.js';
import { forecastAll } from '../forecast/generate.js';
import { writeForecastCsv } from './forecast-csv.js';
import { writeForecastFigure } from '../figures/forecast-figure.js';
import { DATA_OPTIONS, loadSeriesFromOptions, optionalNumber, positiveInteger } from './options.js';

/** `nextx generate timeseries/<model>`: a probabilistic forecast from a checkpoint, as CSV and a figure. */
export function generateCommand(model: ForecastModelName): PluginCommand {
  return {
    description: 'forecast from a checkpoint: sample paths, their median and quantiles (forecast.csv) and a figure (forecast.png)',
    options: [
      { flags: '--checkpoint <dir>', description: 'a checkpoint written by `nextx train`' },
      { flags: '--horizon <n>', description: 'steps to forecast', defaultValue: '48' },
      { flags: '--samples <n>', description: 'sample paths (0: point forecast only)', defaultValue: '100' },
      { flags: '--seed <n>', description: 'random seed (default: a fresh one, reported so that the run can be repeated)' },
      ...DATA_OPTIONS.map((o) => ({ ...o, description: `context: ${o.description} (default: the end of the checkpoint's history)` })),
    ],
    async run(options, context: CliContext) {
      if (typeof options['checkpoint'] !== 'string') throw new InputError(`generate ${model} needs --checkpoint <dir>`);
      const horizon = positiveInteger('--horizon', options['horizon']);
      const samples = optionalNumber('--samples', options['samples'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0') ?? 100;
      const seed = optionalNumber('--seed', options['seed'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0');
      const { forecaster, config, history } = loadForecaster(options['checkpoint']);
      try {
        if (config.model !== model) throw new InputError(`${options['checkpoint']} holds a ${config.model} checkpoint, not ${model}`);
        const names = config.series.map((s) => s.name);
        const given = options['csv'] !== undefined || options['dataset'] !== undefined ? await loadSeriesFromOptions({ ...options, ...(options['target'] ? {} : { target: names.join(',') }) }) : undefined;
        const contextValues = given ? given.series.map((s) => s.values) : history.values;
        const contextTime = given ? (given.series[0]?.time ?? []) : history.time;
        const result = await forecastAll(forecaster, { horizon, samples }, contextValues, { ...(seed === undefined ? {} : { seed }), signal: context.signal, onProgress: context.onProgress });
        mkdirSync(context.out, { recursive: true });
        const csv = writeForecastCsv(join(context.out, 'forecast.csv'), names, result.point, result.summary);
        const figure = await writeForecastFigure(join(context.out, 'forecast.png'), {
          title: `${forecaster.name} forecast, ${horizon} steps${samples ? `, ${samples} sample paths` : ''}`,
          names,
          history: contextValues,
          historyTime: contextTime,
          point: result.point,
          summary: result.summary,
        });
        context.log(`wrote ${csv} and ${figure} (seed ${result.seed}; --seed ${result.seed} repeats this run)`);
        return { model, csv, figure, horizon, samples, seed: result.seed };
      } finally {
        forecaster.model.dispose();
      }
    },
  };
}
