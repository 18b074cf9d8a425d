import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic, type CliContext, type DemoResult } from '@nextx/core';
import { SyntheticMarket } from '../simulator/synthetic-market.js';
import type { LobEvent } from '../events/lob-event.js';
import { writeLobsterMessages } from '../io/lobster-messages.js';
import { loadByteGen } from './checkpoint.js';
import { generateAll } from './generate.js';
import { countRecords, stylizedReport } from './report.js';
import { writeStylizedFigures } from '../stylized/stylized-figures.js';

/** The small ByteGen this package trained (assets/bytegen-demo; the README gives the command that reproduces it). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../assets/bytegen-demo/', import.meta.url));

const STREAMS = 4;
const EVENTS_PER_STREAM = 32;

/**
 * `nextx demo`: 4 streams of 32 events continuing the synthetic market, with book-consistent constrained decoding,
 * and the stylized-facts figure of the generated streams against the simulator's own continuation.
 */
export async function byteGenDemo(context: CliContext): Promise<DemoResult> {
  const { model, config } = loadByteGen(DEMO_CHECKPOINT);
  try {
    const market: LobEvent[] = [];
    for (const batch of new SyntheticMarket({ seed: 7 }).events(2000 + STREAMS * EVENTS_PER_STREAM)) market.push(...batch);
    const history = market.slice(0, 2000);
    const real = [market.slice(2000)];
    context.onProgress({ stage: 'finance-bytes', completed: 0, total: 1, message: `generating ${STREAMS * EVENTS_PER_STREAM} events byte by byte` });
    const result = await generateAll(model, { eventsPerStream: EVENTS_PER_STREAM, streams: STREAMS, history, windowBytes: config.windowBytes, constraint: 'book', seed: 0, signal: context.signal });
    const counts = countRecords(result.streams.flat());
    const messages = join(context.out, 'generated_message.csv');
    await writeLobsterMessages(messages, [result.streams[0]?.flatMap((r) => (r.event ? [r.event] : [])) ?? []], history.reduce((t, e) => t + e.dtNs, 0));
    const summary = join(context.out, 'generated-summary.json');
    const valid = result.streams.map((stream) => stream.flatMap((r) => (r.consistent && r.event ? [r.event] : [])));
    const stylized = stylizedReport(history, real, valid, { tickUnits: config.tickUnits, everyEvents: 4 });
    const figures = await writeStylizedFigures(context.out, { ...stylized, tickUnits: config.tickUnits });
    writeFileAtomic(summary, `${JSON.stringify({ seconds: result.seconds, counts, stylized: stylized.report, figures }, null, 2)}\n`);
    context.onProgress({ stage: 'finance-bytes', completed: 1, total: 1 });
    return {
      summary: `ByteGen (${config.backbone}, ${model.module.numParameters()} parameters): ${counts.records} events byte by byte in ${result.seconds.toFixed(1)} s, ${(counts.consistentRate * 100).toFixed(0)} % replay-consistent`,
      files: [messages, summary, ...Object.values(figures.files)],
    };
  } finally {
    model.module.dispose();
  }
}
