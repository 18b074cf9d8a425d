import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { InputError, writeFileAtomic, type CliContext, type CliOption, type PluginCommand } from '@nextx/core';
import { disposeLoaded, loadTextCheckpoint, type LoadedTextModel } from '../checkpoint/text-checkpoint.js';
import type { CobitSamplerConfigInput } from '../cobit/sampler-config.js';
import { generateText, type TextChunk } from '../generate/text-generation.js';
import { intOption, numberOption, optionalInt, stringOption } from './options.js';
import type { TextModelName } from './train-command.js';

/** The CoBit sampler from CLI flags (also BitLM's head sampler). */
export function samplerFromOptions(options: Readonly<Record<string, unknown>>): CobitSamplerConfigInput {
  const steps = intOption('--steps', options['steps'], 2);
  const schedule = String(options['schedule']);
  if (schedule !== 'entropic' && schedule !== 'karras') throw new InputError(`--schedule must be entropic or karras; got '${schedule}'`);
  const selfCondition = String(options['selfCondition']);
  if (selfCondition !== 'carry' && selfCondition !== 'refined') throw new InputError(`--self-condition must be carry or refined; got '${selfCondition}'`);
  const sampler = String(options['sampler']);
  if (sampler !== 'deterministic' && sampler !== 'stochastic') throw new InputError(`--sampler must be deterministic or stochastic; got '${sampler}'`);
  const base: CobitSamplerConfigInput = {
    steps,
    schedule,
    selfCondition,
    ati: numberOption('--ati', options['ati'], (x) => x >= 0 && x <= 1, 'in [0, 1]'),
    sigmaMin: numberOption('--sigma-min', options['sigmaMin'], (x) => x > 0, 'positive'),
  };
  if (sampler === 'deterministic') return base;
  return {
    ...base,
    stochastic: {
      gamma: numberOption('--gamma', options['gamma'], (x) => x >= 0, '≥ 0'),
      sNoise: numberOption('--s-noise', options['sNoise'], (x) => x > 0, 'positive'),
      window: { mode: 'entropy', qLo: numberOption('--q-lo', options['qLo'], (x) => x >= 0 && x <= 1, 'in [0, 1]'), qHi: numberOption('--q-hi', options['qHi'], (x) => x >= 0 && x <= 1, 'in [0, 1]') },
    },
  };
}

export const SAMPLER_OPTIONS = [
  { flags: '--steps <n>', description: 'noise levels N (CoBit: N − 1 Euler steps and a final denoise; BitLM: per block)', defaultValue: '64' },
  { flags: '--schedule <name>', description: 'entropic (the checkpoint profile) or karras', defaultValue: 'entropic' },
  { flags: '--sampler <kind>', description: 'deterministic (Euler/DDIM) or stochastic (entropy-gated churn)', defaultValue: 'deterministic' },
  { flags: '--gamma <x>', description: 'stochastic: churn γ per step (S_churn = γ·(N − 1))', defaultValue: '0.2' },
  { flags: '--q-lo <q>', description: 'stochastic: lower entropy-CDF level of the churn window', defaultValue: '0' },
  { flags: '--q-hi <q>', description: 'stochastic: upper entropy-CDF level of the churn window', defaultValue: '1' },
  { flags: '--s-noise <x>', description: 'stochastic: scale of the churn noise', defaultValue: '1' },
  { flags: '--self-condition <mode>', description: 'carry (the paper) or refined (one extra call per step)', defaultValue: 'carry' },
  { flags: '--ati <eta>', description: 'ATI label shift η (0 = off)', defaultValue: '0' },
  { flags: '--sigma-min <x>', description: 'terminal σ', defaultValue: '0.08' },
] as const;

/** The sampler options of a model's commands: BitLM's head defaults to 16 Karras levels (it has no entropy profile). */
export function samplerOptionsFor(name: TextModelName): CliOption[] {
  const bitlm: Record<string, string> = { '--schedule': 'karras', '--steps': '16' };
  return SAMPLER_OPTIONS.map((o) => {
    const flag = o.flags.split(' ')[0] as string;
    return name === 'text/bitlm' && bitlm[flag] ? { ...o, defaultValue: bitlm[flag] } : { ...o };
  });
}

function generateCommandFor(name: TextModelName): PluginCommand {
  return {
    description: `generate text from a ${name} checkpoint; streams the decoded text as it forms`,
    options: [
      { flags: '--checkpoint <dir>', description: 'checkpoint folder written by `nextx train`' },
      { flags: '--length <n>', description: 'tokens per sample', defaultValue: '128' },
      { flags: '--samples <n>', description: 'samples', defaultValue: '1' },
      { flags: '--seed <n>', description: 'random seed (default: a fresh one, reported so that the run can be repeated)' },
      { flags: '--every <n>', description: 'stream the current text every n steps / tokens / blocks', defaultValue: '8' },
      { flags: '--temperature <x>', description: 'text/ar: softmax temperature', defaultValue: '1' },
      ...samplerOptionsFor(name),
    ],
    async run(options, context: CliContext) {
      const dir = stringOption(options['checkpoint']);
      if (!dir) throw new InputError(`generate ${name} needs --checkpoint <dir>`);
      const request = {
        samples: intOption('--samples', options['samples']),
        length: intOption('--length', options['length']),
        every: intOption('--every', options['every']),
        temperature: numberOption('--temperature', options['temperature'], (x) => x >= 0, '≥ 0'),
        sampler: samplerFromOptions(options),
      };
      const seed = optionalInt('--seed', options['seed']);
      const loaded: LoadedTextModel = loadTextCheckpoint(dir, name);
      try {
        let last: TextChunk | undefined;
        const started = performance.now();
        for await (const chunk of generateText(loaded, request, { ...(seed === undefined ? {} : { seed }), signal: context.signal, onProgress: context.onProgress })) {
          last = chunk.value;
          if (!context.json) context.log(`${chunk.final ? 'final' : `step ${chunk.value.step}/${chunk.value.total}`}:\n${chunk.value.texts.map((t) => t.replace(/\s+/g, ' ').trim()).join('\n---\n')}`);
        }
        if (!last) throw new InputError('generation produced nothing');
        const seconds = (performance.now() - started) / 1000;
        mkdirSync(context.out, { recursive: true });
        const textFile = join(context.out, 'samples.txt');
        writeFileAtomic(textFile, `${last.texts.join('\n\n---\n\n')}\n`);
        const jsonFile = join(context.out, 'samples.json');
        writeFileAtomic(jsonFile, `${JSON.stringify({ model: name, seed: last.seed, nfe: last.nfe, ids: last.ids, texts: last.texts })}\n`);
        context.log(`wrote ${textFile} and ${jsonFile} in ${seconds.toFixed(2)} s (seed ${String(last.seed)}; --seed ${String(last.seed)} repeats this run)`);
        return { model: name, seed: last.seed, nfe: last.nfe, seconds, ids: last.ids, texts: last.texts };
      } finally {
        disposeLoaded(loaded);
      }
    },
  };
}

export const generateCommands: Record<TextModelName, PluginCommand> = {
  'text/cobit': generateCommandFor('text/cobit'),
  'text/ar': generateCommandFor('text/ar'),
  'text/bitlm': generateCommandFor('text/bitlm'),
};
