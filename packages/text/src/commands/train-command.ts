import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, readMetrics, trainingCurve, type CliContext, type CliOption, type PluginCommand } from '@nextx/core';
import { parseArConfig } from '../ar/config.js';
import { trainAr } from '../ar/train.js';
import { parseBitlmConfig } from '../bitlm/config.js';
import { trainBitlm } from '../bitlm/train.js';
import { parseCobitConfig } from '../cobit/config.js';
import { writeCobitProfile } from '../cobit/profile-pass.js';
import { trainCobit } from '../cobit/train.js';
import { loadCheckpointTokenizer } from '../checkpoint/tokenizer-files.js';
import { readJsonFile } from '../cobit/load.js';
import { BITLM_HEAD_PRESETS, PRESET_NAMES, TRANSFORMER_PRESETS, cobitPresetCfg, type PresetName } from '../presets.js';
import { prepareTextData } from './data-setup.js';
import { intOption, listOption, numberOption, stringOption } from './options.js';

export type TextModelName = 'text/cobit' | 'text/ar' | 'text/bitlm';

const COMMON_OPTIONS: readonly CliOption[] = [
  { flags: '--data <list>', description: 'comma-separated built-in corpora (sotu, moby-dick, fortunes) or text files and folders', defaultValue: 'sotu' },
  { flags: '--tokenizer <spec>', description: "bytes, bpe:<vocab> (trained here on the training documents) or a tokenizer.json file", defaultValue: 'bpe:4096' },
  { flags: '--preset <name>', description: `model size: ${PRESET_NAMES.join(', ')}`, defaultValue: 'small' },
  { flags: '--steps <n>', description: 'optimizer steps (the learning-rate schedule spans them)', defaultValue: '2000' },
  { flags: '--batch <n>', description: 'sequences per step', defaultValue: '16' },
  { flags: '--seq-len <n>', description: 'tokens per training sequence', defaultValue: '64' },
  { flags: '--lr <x>', description: 'peak learning rate (warm-up, then cosine decay)', defaultValue: '0.001' },
  { flags: '--minutes <m>', description: 'wall-clock budget: stop with a checkpoint at the first step after it' },
  { flags: '--checkpoint <dir>', description: 'checkpoint folder (default <out>/<model>); an existing one is resumed' },
  { flags: '--checkpoint-every <n>', description: 'save every n steps', defaultValue: '100' },
  { flags: '--held-out <fraction>', description: 'share of documents held out for evaluation', defaultValue: '0.05' },
  { flags: '--seed <n>', description: 'seed of the initialisation and the data order', defaultValue: '0' },
  { flags: '--fresh', description: 'start over even if the checkpoint folder holds a run' },
];

const MODEL_OPTIONS: Record<TextModelName, readonly CliOption[]> = {
  'text/cobit': [{ flags: '--profile-only', description: 'compute the entropy profile of an existing checkpoint (no training) and write it into the checkpoint' }],
  'text/ar': [],
  'text/bitlm': [{ flags: '--block <k>', description: 'tokens per block (1 = autoregression with a bit head)', defaultValue: '4' }],
};

function presetOf(value: unknown): PresetName {
  if (!PRESET_NAMES.includes(value as PresetName)) throw new InputError(`--preset must be one of ${PRESET_NAMES.join(', ')}; got '${String(value)}'`);
  return value as PresetName;
}

/** Writes the training curve of a metrics log as PNG (core figures). */
async function writeCurve(metricsFile: string, png: string, title: string): Promise<string | undefined> {
  const metrics = readMetrics(metricsFile);
  if (metrics.length < 2) return undefined;
  await trainingCurve({ series: [{ name: 'train loss', x: metrics.map((m) => m.step), y: metrics.map((m) => m.loss) }], title, logY: true }).write(png);
  return png;
}

function trainCommandFor(name: TextModelName): PluginCommand {
  const short = name.slice('text/'.length);
  return {
    description: `train ${name} on text files or a built-in corpus (resumes an existing checkpoint; Ctrl-C keeps the last one)`,
    options: [...COMMON_OPTIONS, ...MODEL_OPTIONS[name]],
    async run(options, context: CliContext) {
      const checkpointDir = stringOption(options['checkpoint']) ?? join(context.out, short);
      const log = (message: string) => context.log(message);
      if (name === 'text/cobit' && options['profileOnly']) {
        if (!existsSync(join(checkpointDir, 'config.json'))) throw new InputError(`--profile-only needs an existing checkpoint; ${checkpointDir} has no config.json`);
        const config = readJsonFile(join(checkpointDir, 'config.json')) as { tokenizer: { kind: 'bytes' } | { kind: 'bpe'; file: string } };
        const tokenizer = loadCheckpointTokenizer(checkpointDir, config.tokenizer);
        const data = prepareTextData({ data: listOption(options['data']), tokenizer, log });
        return writeCobitProfile(checkpointDir, data.trainStream, { seed: intOption('--seed', options['seed'], 0), log });
      }
      const preset = presetOf(options['preset']);
      const steps = intOption('--steps', options['steps']);
      const batchSize = intOption('--batch', options['batch']);
      const seqLen = intOption('--seq-len', options['seq-len'] ?? options['seqLen']);
      const lr = numberOption('--lr', options['lr'], (x) => x > 0, 'a positive number');
      const minutes = options['minutes'] === undefined ? undefined : numberOption('--minutes', options['minutes'], (x) => x > 0, 'a positive number');
      const seed = intOption('--seed', options['seed'], 0);
      const heldOut = numberOption('--held-out', options['heldOut'], (x) => x > 0 && x < 1, 'in (0, 1)');
      const resume = options['fresh'] !== true;
      // A resumed run keeps its own tokenizer.
      const savedTokenizer = resume && existsSync(join(checkpointDir, 'config.json')) ? (readJsonFile(join(checkpointDir, 'config.json')) as { tokenizer?: { kind: 'bytes' } | { kind: 'bpe'; file: string } }).tokenizer : undefined;
      const tokenizerSpec = savedTokenizer ? loadCheckpointTokenizer(checkpointDir, savedTokenizer) : String(options['tokenizer']);
      const data = prepareTextData({ data: listOption(options['data']), tokenizer: tokenizerSpec, heldOut, log });
      const metricsFile = join(context.out, `${short}-metrics.jsonl`);
      const trainer = { steps, lr, checkpointEvery: intOption('--checkpoint-every', options['checkpointEvery'], 0), logEvery: Math.max(1, Math.min(10, Math.floor(steps / 20))), seed, schedule: { warmupSteps: Math.min(200, Math.round(steps / 10)), minLr: lr / 10 } };
      const common = { checkpointDir, resume, trainer, metricsFile, onProgress: context.onProgress, signal: context.signal, seed, tokenizer: data.tokenizer, stream: data.trainStream, batchSize, ...(minutes === undefined ? {} : { minutes }) };
      const started = performance.now();
      let summary: Record<string, unknown>;
      if (name === 'text/cobit') {
        const config = parseCobitConfig({ cfg: cobitPresetCfg(preset, data.tokenizer.bitsPerToken, seqLen, steps), vocabSize: data.tokenizer.vocabSize });
        const { net, result } = await trainCobit({ ...common, config });
        summary = { parameters: net.numParameters(), step: result.step, stoppedByBudget: result.stoppedByBudget };
        net.dispose();
      } else if (name === 'text/ar') {
        const config = parseArConfig({ vocabSize: data.tokenizer.vocabSize, transformer: TRANSFORMER_PRESETS[preset] });
        const { model, result } = await trainAr({ ...common, config, seqLen });
        summary = { parameters: model.numParameters(), step: result.step, stoppedByBudget: result.stoppedByBudget };
        model.dispose();
      } else {
        const block = intOption('--block', options['block']);
        const config = parseBitlmConfig({ vocabSize: data.tokenizer.vocabSize, blockSize: block, transformer: TRANSFORMER_PRESETS[preset], head: BITLM_HEAD_PRESETS[preset] });
        const { model, result } = await trainBitlm({ ...common, config, seqLen });
        summary = { parameters: model.numParameters(), step: result.step, stoppedByBudget: result.stoppedByBudget };
        model.dispose();
      }
      const seconds = (performance.now() - started) / 1000;
      const curve = await writeCurve(metricsFile, join(context.out, `${short}-training.png`), `${name} training loss`);
      log(`${name}: ${String(summary['step'])} steps in ${(seconds / 60).toFixed(1)} min; checkpoint ${checkpointDir}${curve ? `; curve ${curve}` : ''}`);
      return { model: name, checkpoint: checkpointDir, seconds, metrics: metricsFile, ...(curve ? { curve } : {}), ...summary };
    },
  };
}

export const trainCommands: Record<TextModelName, PluginCommand> = {
  'text/cobit': trainCommandFor('text/cobit'),
  'text/ar': trainCommandFor('text/ar'),
  'text/bitlm': trainCommandFor('text/bitlm'),
};
