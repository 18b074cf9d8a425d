import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic, type CliContext, type DemoResult } from '@nextx/core';
import { SyntheticMarket } from '../simulator/synthetic-market.js';
import type { LobEvent } from '../events/lob-event.js';
import { writeLobsterMessages } from '../io/lobster-messages.js';
import { loadByteGen } from './checkpoint.js';
import { generateAll } from './generate.js';
import { countRecords } from './report.js';

/** The small ByteGen this package trained (assets/bytegen-demo; the README gives the command that reproduces it). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../assets/bytegen-demo/', import.meta.url));

/** `nextx demo`: 4 streams of 16 events continuing the synthetic market, with book-consistent constrained decoding. */
export async function byteGenDemo(context: CliContext): Promise<DemoResult> {
  const { model, config } = loadByteGen(DEMO_CHECKPOINT);
  try {
    const history: LobEvent[] = [];
    for (const batch of new SyntheticMarket({ seed: 7 }).events(2000)) history.push(...batch);
    context.onProgress({ stage: 'finance-bytes', completed: 0, total: 1, message: 'generating 64 events byte by byte' });
    const result = await generateAll(model, { eventsPerStream: 16, streams: 4, history, windowBytes: config.windowBytes, constraint: 'book', seed: 0, signal: context.signal });
    const counts = countRecords(result.streams.flat());
    const messages = join(context.out, 'generated_message.csv');
    await writeLobsterMessages(messages, [result.streams[0]?.flatMap((r) => (r.event ? [r.event] : [])) ?? []], history.reduce((t, e) => t + e.dtNs, 0));
    const summary = join(context.out, 'generated-summary.json');
    writeFileAtomic(summary, `${JSON.stringify({ seconds: result.seconds, counts }, null, 2)}\n`);
    context.onProgress({ stage: 'finance-bytes', completed: 1, total: 1 });
    return {
      summary: `ByteGen (${config.backbone}, ${model.module.numParameters()} parameters): ${counts.records} events byte by byte in ${result.seconds.toFixed(1)} s, ${(counts.consistentRate * 100).toFixed(0)} % replay-consistent`,
      files: [messages, summary],
    };
  } finally {
    model.module.dispose();
  }
}
