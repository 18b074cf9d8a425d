/**
 * ByteGen: H-Net against the plain byte transformer, trained with the same data, steps and batch (see BENCHMARKS.md
 * for the commands that make the two checkpoints). Prints JSON: parameters, estimated forward FLOPs per byte,
 * validation bits per byte, H-Net's learned chunk boundaries against the 32-byte field boundaries, and generation
 * speed with cached state (events/s, with and without book-consistent constrained decoding).
 *
 *   npx tsx packages/finance-bytes/bench/bytegen.ts --hnet <dir> --transformer <dir> [--gen-events 64] [--streams 8]
 */
import { initBackend } from '@nextx/core';
import { encodeEvents, evaluateBytes, generateAll, loadByteGen, loadEvents, countRecords, type ByteGenConfig } from '../src/index.js';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};

/** Multiply-adds ×2 of one forward pass, per byte, from the config (attention over a full window, H-Net's main network over 1/N of the bytes). */
function forwardFlopsPerByte(config: ByteGenConfig, boundaryRate: number): number {
  const L = config.windowBytes;
  if (config.backbone === 'transformer') {
    const { dim, numLayers, mlpRatio } = config.transformer;
    const perLayer = 2 * (4 * dim * dim + 2 * mlpRatio * dim * dim) + 2 * 2 * (L / 2) * dim;
    return numLayers * perLayer + 2 * dim * 256;
  }
  const h = config.hnet;
  const [d0, d1] = h.d_model;
  const ssm = h.ssm_cfg;
  const count = (entry: string) => (entry === 'linear' ? 1 : Number(entry.slice(1)));
  const dInner = ssm.expand * d0;
  const heads = dInner / ssm.head_dim;
  const mamba = 2 * d0 * (2 * dInner + 2 * ssm.d_state + heads) + 2 * dInner * d0 + 2 * ssm.chunk_size * (ssm.d_state + ssm.head_dim) * heads + 2 * dInner * ssm.d_conv;
  const outer = (count(h.arch_layout[0]) + count(h.arch_layout[2])) * mamba + 3 * 2 * d0 * d0 + 2 * d0 * 256;
  const chunks = L * boundaryRate;
  const attention = 2 * 4 * d1 * d1 + 2 * 3 * d1 * h.d_intermediate[1] + 2 * 2 * (chunks / 2) * d1;
  return outer + boundaryRate * count(h.arch_layout[1][0]) * attention;
}

await initBackend({ prefer: 'wasm' });
const events = await loadEvents({ synthetic: Number(arg('synthetic', '200000')), seed: 0 });
const cut = Math.floor(events.length * 0.9);
const validation = encodeEvents(events.slice(cut));
const history = events.slice(0, cut);
const genEvents = Number(arg('gen-events', '64'));
const streams = Number(arg('streams', '8'));
const results: Record<string, unknown> = {};
for (const name of ['hnet', 'transformer'] as const) {
  const dir = arg(name);
  if (!dir) continue;
  const { model, config } = loadByteGen(dir);
  const evaluation = evaluateBytes(model, validation, { windowBytes: config.windowBytes, windows: Number(arg('windows', '128')) });
  const speed: Record<string, unknown> = {};
  for (const constraint of ['none', 'book'] as const) {
    const run = await generateAll(model, { eventsPerStream: genEvents, streams, history, windowBytes: config.windowBytes, constraint, seed: 0 });
    const counts = countRecords(run.streams.flat());
    speed[constraint] = { events: counts.records, seconds: +run.seconds.toFixed(2), eventsPerSecond: +(counts.records / run.seconds).toFixed(2), bytesPerSecond: +((counts.records * 32) / run.seconds).toFixed(1), consistentRate: counts.consistentRate, decodeRate: counts.decodeRate };
  }
  results[name] = {
    parameters: model.module.numParameters(),
    forwardFlopsPerByte: Math.round(forwardFlopsPerByte(config, evaluation.boundaries?.rate ?? 0)),
    validationBitsPerByte: +evaluation.bitsPerByte.toFixed(4),
    bitsByRecordOffset: evaluation.bitsByOffset.map((b) => +b.toFixed(3)),
    boundaries: evaluation.boundaries,
    generation: speed,
  };
  model.module.dispose();
}
console.log(JSON.stringify({ bench: 'finance-bytes bytegen', node: process.version, backend: 'wasm', streams, validationBytes: validation.length, results }, null, 1));
