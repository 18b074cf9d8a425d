import { initBackend, tf } from '@nextx/core';
import { SyntheticMarket, encodeEvents, trainByteGen, generateAll, evaluateBytes } from './src/index.js';
await initBackend({ prefer: 'wasm' });
const events = []; for (const b of new SyntheticMarket({ seed: 0 }).events(30000)) events.push(...b);
const stream = encodeEvents(events.slice(0, 25000)); const valid = encodeEvents(events.slice(25000));
for (const backbone of [process.env.BB ?? 'hnet'] as const) {
  const t0 = performance.now();
  const trained = await trainByteGen({ stream, config: { backbone: backbone as 'hnet' }, trainer: { steps: Number(process.env.STEPS ?? 20), lr: 3e-3, logEvery: 5, schedule: { warmup: 5 } as never }, batchSize: 8, onProgress: (e) => { if (e.completed % 5 === 0) console.log(e.completed, e.metrics?.loss?.toFixed(3)); } });
  console.log(backbone, 'train s', ((performance.now() - t0) / 1000).toFixed(1));
  const ev = evaluateBytes(trained.model, valid, { windowBytes: 256, windows: 16 });
  console.log(JSON.stringify({ bpb: ev.bitsPerByte, rate: ev.boundaries?.rate, p: ev.boundaries?.precisionAtFieldStarts, r: ev.boundaries?.recallOfFieldStarts }));
  for (const constraint of ['none', 'syntax', 'book'] as const) {
    const g = await generateAll(trained.model, { eventsPerStream: 3, streams: 4, history: events.slice(0, 25000), windowBytes: 256, constraint, seed: 1 });
    const recs = g.streams.flat();
    console.log(constraint, 'consistent', recs.filter((r) => r.consistent).length, '/', recs.length, 'decoded', recs.filter((r) => r.event).length, 'sec', g.seconds.toFixed(1), recs.slice(0,3).map(r=>r.problem));
  }
  trained.trainer.dispose(); trained.model.module.dispose();
  console.log('tensors', tf.memory().numTensors);
}
