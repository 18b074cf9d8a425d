import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, writeFileAtomic, type CliContext, type PluginCommand } from '@nextx/core';
import { EventFlag, type LobEvent } from '../events/lob-event.js';
import { encodeEvents } from '../codec/packed-codec.js';
import { writeEventFile } from '../codec/event-file.js';
import { writeLobsterMessages } from '../io/lobster-messages.js';
import { writeLobsterBook } from '../io/lobster-orderbook.js';
import { replaySnapshots } from '../book/book-replay.js';
import { loadEvents } from './event-data.js';
import { loadByteGen, saveByteGen } from './checkpoint.js';
import { trainByteGen } from './train.js';
import { evaluateBytes } from './evaluate.js';
import { generateAll } from './generate.js';
import { countRecords, stylizedReport } from './report.js';
import type { ConstraintLevel } from './event-constraint.js';
import { writeStylizedFigures } from '../stylized/stylized-figures.js';

function integer(flag: string, value: unknown, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'`);
  return n;
}

function number(flag: string, value: unknown, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new InputError(`${flag} must be ${expected}; got '${String(value)}'`);
  return n;
}

const dataOptions = [
  { flags: '--data <file>', description: 'events: a packed .bin file or a LOBSTER message .csv (default: the synthetic market)' },
  { flags: '--orderbook <file>', description: 'the LOBSTER order-book file matching --data (seeds the starting book)' },
  { flags: '--synthetic <n>', description: 'events to simulate when there is no --data', defaultValue: '200000' },
  { flags: '--data-seed <n>', description: 'seed of the synthetic market', defaultValue: '0' },
] as const;

async function readData(options: Readonly<Record<string, unknown>>): Promise<LobEvent[]> {
  return loadEvents({
    ...(typeof options['data'] === 'string' ? { file: options['data'] } : {}),
    ...(typeof options['orderbook'] === 'string' ? { orderbook: options['orderbook'] } : {}),
    synthetic: integer('--synthetic', options['synthetic'] ?? 200000, 100),
    seed: integer('--data-seed', options['dataSeed'] ?? 0, 0),
  });
}

/** The last tenth of the events is held out for validation. */
function split(events: readonly LobEvent[]): { train: Uint8Array; validation: Uint8Array } {
  const cut = Math.floor(events.length * 0.9);
  return { train: encodeEvents(events.slice(0, cut)), validation: encodeEvents(events.slice(cut)) };
}

export const trainByteGenCommand: PluginCommand = {
  description: 'train ByteGen (H-Net or the plain byte transformer) on packed events, LOBSTER files or the synthetic market',
  options: [
    ...dataOptions,
    { flags: '--backbone <name>', description: 'hnet | transformer', defaultValue: 'hnet' },
    { flags: '--steps <n>', description: 'optimizer steps', defaultValue: '600' },
    { flags: '--batch <n>', description: 'windows per step', defaultValue: '8' },
    { flags: '--lr <x>', description: 'peak learning rate', defaultValue: '0.003' },
    { flags: '--window <bytes>', description: 'window in bytes (a multiple of 32)', defaultValue: '256' },
    { flags: '--checkpoint <dir>', description: 'training checkpoint (resumable; default <out>/checkpoint)' },
    { flags: '--checkpoint-every <n>', description: 'save every n steps', defaultValue: '100' },
    { flags: '--resume', description: 'continue from --checkpoint when it exists' },
    { flags: '--seed <n>', description: 'seed of the initialisation and the batches', defaultValue: '0' },
  ],
  async run(options, context: CliContext) {
    const backbone = String(options['backbone']);
    if (backbone !== 'hnet' && backbone !== 'transformer') throw new InputError(`--backbone must be hnet or transformer; got '${backbone}'`);
    const events = await readData(options);
    const { train, validation } = split(events);
    const checkpointDir = typeof options['checkpoint'] === 'string' ? options['checkpoint'] : join(context.out, 'checkpoint');
    const seed = integer('--seed', options['seed'], 0);
    const started = performance.now();
    const trained = await trainByteGen({
      stream: train,
      config: { backbone, windowBytes: integer('--window', options['window'], 32), seed },
      trainer: {
        steps: integer('--steps', options['steps']),
        lr: number('--lr', options['lr'], (n) => n > 0, 'a positive number'),
        checkpointEvery: integer('--checkpoint-every', options['checkpointEvery'], 0),
        schedule: { kind: 'cosine', warmupSteps: Math.min(20, Math.floor(integer('--steps', options['steps']) / 10)), minLr: number('--lr', options['lr'], (n) => n > 0, 'a positive number') / 10 },
        logEvery: 10,
        seed,
      },
      batchSize: integer('--batch', options['batch']),
      checkpointDir,
      metricsFile: join(context.out, 'metrics.jsonl'),
      resume: options['resume'] === true,
      onProgress: context.onProgress,
      signal: context.signal,
    });
    try {
      const seconds = (performance.now() - started) / 1000;
      const evaluation = evaluateBytes(trained.model, validation, { windowBytes: trained.config.windowBytes, windows: 64 });
      const modelDir = join(context.out, 'model');
      saveByteGen(modelDir, trained);
      const summary = { backbone, steps: trained.result.step, seconds, parameters: trained.model.module.numParameters(), checkpoint: checkpointDir, model: modelDir, validation: evaluation };
      writeFileAtomic(join(context.out, 'train-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      context.log(`trained ${backbone} for ${trained.result.step} steps in ${seconds.toFixed(0)} s: validation ${evaluation.bitsPerByte.toFixed(3)} bits/byte; weights in ${modelDir}`);
      return summary;
    } finally {
      trained.trainer.dispose();
      trained.model.module.dispose();
    }
  },
};

export const evalByteGenCommand: PluginCommand = {
  description: 'bits per byte and H-Net chunk boundaries of a ByteGen checkpoint on packed events or LOBSTER files',
  options: [{ flags: '--checkpoint <dir>', description: 'a ByteGen checkpoint directory' }, ...dataOptions, { flags: '--windows <n>', description: 'validation windows', defaultValue: '64' }],
  async run(options, context: CliContext) {
    if (typeof options['checkpoint'] !== 'string') throw new InputError('eval finance-bytes/bytegen needs --checkpoint <dir>');
    const loaded = loadByteGen(options['checkpoint']);
    try {
      const events = await readData(options);
      const evaluation = evaluateBytes(loaded.model, encodeEvents(events), { windowBytes: loaded.config.windowBytes, windows: integer('--windows', options['windows']) });
      mkdirSync(context.out, { recursive: true });
      writeFileAtomic(join(context.out, 'eval.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
      context.log(`${evaluation.bitsPerByte.toFixed(3)} bits/byte over ${evaluation.bytes} bytes`);
      return evaluation;
    } finally {
      loaded.model.module.dispose();
    }
  },
};

/** Writes what `nextx generate finance-bytes/bytegen` promises, per stream: .bin, LOBSTER message and order-book .csv. */
async function writeStreams(dir: string, history: readonly LobEvent[], streams: readonly (readonly LobEvent[])[], levels = 10): Promise<string[]> {
  const startNs = history.reduce((t, e) => t + e.dtNs, 0);
  const files: string[] = [];
  for (const [i, events] of streams.entries()) {
    const bin = join(dir, `stream-${i}.bin`);
    await writeEventFile(bin, [events]);
    const messages = join(dir, `stream-${i}_message_${levels}.csv`);
    await writeLobsterMessages(messages, [events], startNs);
    // Snapshots after every generated event, on the book the history left (its rows are dropped).
    const book = join(dir, `stream-${i}_orderbook_${levels}.csv`);
    const skip = history.filter((e) => (e.flags & EventFlag.Seed) === 0).length;
    async function* generatedRows() {
      let n = 0;
      for await (const row of replaySnapshots([history, events], levels, { onViolation: 'record' })) if (n++ >= skip) yield row;
    }
    await writeLobsterBook(book, generatedRows(), levels);
    files.push(bin, messages, book);
  }
  return files;
}

export const generateByteGenCommand: PluginCommand = {
  description: 'generate order-book events byte by byte from a ByteGen checkpoint, continuing a history (default: the synthetic market)',
  options: [
    { flags: '--checkpoint <dir>', description: 'a ByteGen checkpoint directory' },
    { flags: '--events <n>', description: 'events in all (split over the streams)', defaultValue: '1000' },
    { flags: '--streams <n>', description: 'streams decoded side by side', defaultValue: '4' },
    { flags: '--constraint <level>', description: 'book (valid and replay-consistent), syntax (valid), none', defaultValue: 'book' },
    { flags: '--temperature <t>', description: 'sampling temperature', defaultValue: '1' },
    { flags: '--seed <n>', description: 'random seed (default: a fresh one, reported)' },
    ...dataOptions.map((o) => (o.flags.startsWith('--synthetic') ? { ...o, defaultValue: '20000' } : o)),
  ],
  async run(options, context: CliContext) {
    if (typeof options['checkpoint'] !== 'string') throw new InputError('generate finance-bytes/bytegen needs --checkpoint <dir>');
    const constraint = String(options['constraint']) as ConstraintLevel;
    if (!['book', 'syntax', 'none'].includes(constraint)) throw new InputError(`--constraint must be book, syntax or none; got '${constraint}'`);
    const streams = integer('--streams', options['streams']);
    const perStream = Math.ceil(integer('--events', options['events']) / streams);
    const loaded = loadByteGen(options['checkpoint']);
    try {
      const data = await readData(options);
      // The history the streams continue; the data after it (as many events as are generated in all) is the real
      // continuation the report compares with.
      const cut = Math.max(Math.floor(loaded.config.windowBytes / 64), data.length - perStream * streams);
      const history = data.slice(0, cut);
      const real = [data.slice(cut)];
      const result = await generateAll(loaded.model, {
        eventsPerStream: perStream,
        streams,
        history,
        windowBytes: loaded.config.windowBytes,
        constraint,
        temperature: number('--temperature', options['temperature'], (n) => n >= 0, 'a number ≥ 0'),
        ...(options['seed'] !== undefined ? { seed: integer('--seed', options['seed'], 0) } : {}),
        signal: context.signal,
        onProgress: context.onProgress,
      });
      const records = result.streams.flat();
      const counts = countRecords(records);
      const valid = result.streams.map((s) => s.filter((r) => r.consistent).map((r) => r.event as LobEvent));
      mkdirSync(context.out, { recursive: true });
      const files = await writeStreams(context.out, history, valid);
      const raw = join(context.out, 'records.bin');
      writeFileSync(raw, Buffer.concat(records.map((r) => Buffer.from(r.bytes))));
      const stylized = stylizedReport(history, real, valid, { tickUnits: loaded.config.tickUnits });
      const figures = await writeStylizedFigures(context.out, { ...stylized, tickUnits: loaded.config.tickUnits });
      const summary = { backbone: loaded.config.backbone, constraint, seed: result.seed, seconds: result.seconds, eventsPerSecond: records.length / result.seconds, counts, stylized: stylized.report, figures };
      const reportFile = join(context.out, 'report.json');
      writeFileAtomic(reportFile, `${JSON.stringify(summary, null, 2)}\n`);
      context.log(`generated ${records.length} events (${(counts.consistentRate * 100).toFixed(1)} % consistent, constraint ${constraint}) in ${result.seconds.toFixed(1)} s, seed ${String(result.seed)}; files in ${context.out}`);
      return { ...summary, files: [...files, raw, reportFile, ...Object.values(figures.files)] };
    } finally {
      loaded.model.module.dispose();
    }
  },
};
