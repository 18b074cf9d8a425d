import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, Rng, tf, writeFileAtomic, type CliContext, type PluginCommand } from '@nextx/core';
import type { ArModel } from '../ar/model.js';
import { disposeLoaded, loadTextCheckpoint, type LoadedTextModel } from '../checkpoint/text-checkpoint.js';
import { drawWindows } from '../data/token-stream.js';
import { generateText } from '../generate/text-generation.js';
import { generativePerplexity, meanUnigramEntropy } from '../metrics/text-metrics.js';
import { prepareTextData } from './data-setup.js';
import { samplerFromOptions, samplerOptionsFor } from './generate-command.js';
import { intOption, listOption, stringOption } from './options.js';
import type { TextModelName } from './train-command.js';

export interface EvalRow {
  readonly model: string;
  readonly sampler: string;
  readonly nfe: number;
  readonly genPpl: number;
  readonly entropy: number;
  readonly realGenPpl: number;
  readonly realEntropy: number;
  readonly samples: number;
  readonly length: number;
}

/** Validation NLL of the AR model on held-out windows, in nats per token and bits per byte of the text they decode to. */
export function arValidationNll(model: ArModel, loaded: LoadedTextModel, stream: Int32Array, options: { readonly windows: number; readonly length: number }): { natsPerToken: number; bitsPerByte: number } {
  const width = options.length + 1;
  let nats = 0;
  let bytes = 0;
  let tokens = 0;
  const encoder = new TextEncoder();
  for (let start = 0, n = 0; start + width <= stream.length && n < options.windows; start += options.length, n++) {
    const window = stream.subarray(start, start + width);
    nats += tf.tidy(() => tf.sum(model.windowNll(Int32Array.from(window), 1)).dataSync()[0] as number);
    tokens += options.length;
    bytes += encoder.encode(loaded.tokenizer.decodeIds(window.subarray(1))).length;
  }
  return { natsPerToken: nats / tokens, bitsPerByte: nats / Math.LN2 / bytes };
}

function samplerLabel(name: TextModelName, options: Readonly<Record<string, unknown>>): string {
  if (name === 'text/ar') return `ancestral, T = ${String(options['temperature'])}`;
  const kind = String(options['sampler']);
  const base = name === 'text/bitlm' ? `${String(options['schedule'])} Euler per block` : `${String(options['schedule'])} ${kind === 'stochastic' ? `entropy-gated churn γ = ${String(options['gamma'])}, q ∈ [${String(options['qLo'])}, ${String(options['qHi'])}]` : 'deterministic Euler/DDIM'}`;
  return `${base}, sc ${String(options['selfCondition'])}`;
}

function evalCommandFor(name: TextModelName): PluginCommand {
  return {
    description: `evaluate ${name}: generative perplexity under an AR reference and unigram entropy, beside the same figures for held-out text${name === 'text/ar' ? ', and validation bits per byte' : ''}`,
    options: [
      { flags: '--checkpoint <dir>', description: 'checkpoint to evaluate' },
      { flags: '--reference <dir>', description: 'text/ar checkpoint that scores the samples (trained on the same corpus and tokenizer)' },
      { flags: '--data <list>', description: 'the corpus the models were trained on (its held-out documents are the real-text reference)', defaultValue: 'sotu' },
      { flags: '--samples <n>', description: 'samples to generate and held-out windows to score', defaultValue: '32' },
      { flags: '--length <n>', description: 'tokens per sample', defaultValue: '64' },
      { flags: '--seed <n>', description: 'seed of the samples and of the held-out windows', defaultValue: '0' },
      { flags: '--batch <n>', description: 'samples generated at once', defaultValue: '8' },
      { flags: '--temperature <x>', description: 'text/ar: softmax temperature', defaultValue: '1' },
      ...samplerOptionsFor(name),
    ],
    async run(options, context: CliContext) {
      const dir = stringOption(options['checkpoint']);
      if (!dir) throw new InputError(`eval ${name} needs --checkpoint <dir>`);
      const referenceDir = stringOption(options['reference']) ?? (name === 'text/ar' ? dir : undefined);
      if (!referenceDir) throw new InputError(`eval ${name} needs --reference <text/ar checkpoint> to score its samples`);
      const samples = intOption('--samples', options['samples']);
      const length = intOption('--length', options['length'], 2);
      const seed = intOption('--seed', options['seed'], 0);
      const batch = intOption('--batch', options['batch']);
      const loaded = loadTextCheckpoint(dir, name);
      const reference = referenceDir === dir ? loaded : loadTextCheckpoint(referenceDir, 'text/ar');
      try {
        if (reference.kind !== 'text/ar') throw new InputError('the reference must be a text/ar checkpoint');
        if (reference.tokenizer.vocabSize !== loaded.tokenizer.vocabSize) throw new InputError(`the reference's tokenizer (${reference.tokenizer.vocabSize} ids) is not the model's (${loaded.tokenizer.vocabSize})`);
        const data = prepareTextData({ data: listOption(options['data']), tokenizer: loaded.tokenizer, log: (m) => context.log(m) });
        const generated: number[][] = [];
        let nfe = 0;
        const rng = Rng.seeded(seed);
        const request = { length, every: 1_000_000, temperature: Number(options['temperature']), sampler: samplerFromOptions(options) };
        for (let done = 0; done < samples; done += batch) {
          for await (const chunk of generateText(loaded, { ...request, samples: Math.min(batch, samples - done) }, { seed: rng, signal: context.signal })) {
            if (!chunk.final) continue;
            generated.push(...chunk.value.ids.map((r) => [...r]));
            nfe = chunk.value.nfe;
          }
          context.onProgress({ stage: 'sample', completed: Math.min(done + batch, samples), total: samples });
        }
        const real = drawWindows(data.heldOutStream, samples, length, Rng.seeded(seed + 1));
        const realRows = Array.from({ length: samples }, (_, b) => Array.from(real.ids.subarray(b * length, (b + 1) * length)));
        const model = reference.model;
        const row: EvalRow = {
          model: name,
          sampler: samplerLabel(name, options),
          nfe: name === 'text/ar' ? length : nfe,
          genPpl: generativePerplexity(model, generated).perplexity,
          entropy: meanUnigramEntropy(generated),
          realGenPpl: generativePerplexity(model, realRows).perplexity,
          realEntropy: meanUnigramEntropy(realRows),
          samples,
          length,
        };
        const validation = loaded.kind === 'text/ar' ? arValidationNll(loaded.model, loaded, data.heldOutStream, { windows: 64, length: Math.min(64, loaded.model.config.transformer.contextLength - 1) }) : undefined;
        mkdirSync(context.out, { recursive: true });
        const file = join(context.out, `eval-${name.slice(5)}.json`);
        const texts = generated.slice(0, 4).map((ids) => loaded.tokenizer.decodeIds(ids));
        writeFileAtomic(file, `${JSON.stringify({ ...row, ...(validation ? { validation } : {}), examples: texts }, null, 2)}\n`);
        context.log(`| ${row.model} | ${row.sampler} | ${row.nfe} | ${row.genPpl.toFixed(1)} | ${row.entropy.toFixed(3)} | ${row.realGenPpl.toFixed(1)} | ${row.realEntropy.toFixed(3)} |`);
        return { ...row, ...(validation ? { validation } : {}), file };
      } finally {
        disposeLoaded(loaded);
        if (reference !== loaded) disposeLoaded(reference);
      }
    },
  };
}

export const evalCommands: Record<TextModelName, PluginCommand> = {
  'text/cobit': evalCommandFor('text/cobit'),
  'text/ar': evalCommandFor('text/ar'),
  'text/bitlm': evalCommandFor('text/bitlm'),
};
