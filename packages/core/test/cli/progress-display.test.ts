import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/contracts/events.js';
import { LINE_INTERVAL_MS, lineDisplay } from '../../src/cli/progress-display.js';

/** The events of `nextx demo` (core's 300 training steps and three 240-byte samples, then vision's grid) over time. */
function demoEvents(): Array<[number, ProgressEvent]> {
  const events: Array<[number, ProgressEvent]> = [];
  let t = 0;
  for (let step = 1; step <= 300; step++) {
    t += 240; // 72 s of training, as measured on 2 cores
    events.push([t, { stage: 'train', completed: step, total: 300, metrics: { loss: 6 - step / 100, lr: 0.001, gradNorm: 1, tokensPerSecond: 3400 } }]);
  }
  for (let prompt = 0; prompt < 3; prompt++) {
    for (let byte = 1; byte <= 240; byte++) events.push([(t += 5), { stage: 'generate', completed: byte, total: 240 }]);
  }
  events.push([(t += 10), { stage: 'vision', completed: 0, total: 1, message: 'sampling 80 images' }]);
  events.push([(t += 900), { stage: 'vision', completed: 1, total: 1 }]);
  return events;
}

describe('progress lines when stderr is not a terminal', () => {
  it('prints few lines for the demo: throttled, one per stage end, no duplicates, no trailing spaces', () => {
    let now = 0;
    let text = '';
    const display = lineDisplay({ write: (chunk: string) => ((text += chunk), true) }, { now: () => now });
    for (const [time, event] of demoEvents()) {
      now = time;
      display.listener(event);
    }
    const lines = text.split('\n').slice(0, -1);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of lines) expect(line).toBe(line.trimEnd());
    expect(new Set(lines).size).toBe(lines.length);
    // 72 s of training: one line per 10 s in progress (at 10.08 s, 20.16 s, …, 70.56 s) and the end
    const train = lines.filter((l) => l.startsWith('train '));
    expect(train).toHaveLength(Math.floor(72_000 / LINE_INTERVAL_MS) + 1);
    expect(train.at(-1)).toBe('train 300/300  loss 3  lr 0.001000  gradNorm 1  tokensPerSecond 3400');
    expect(lines.filter((l) => l.startsWith('generate '))).toEqual(['generate 240/240']); // three runs reach the same end
    expect(lines.filter((l) => l.startsWith('vision '))).toEqual(['vision 0/1  sampling 80 images', 'vision 1/1']);
    expect(lines.length).toBeLessThanOrEqual(12);
  });

  it('a stage without a total prints a line per interval from its first event, and no end line', () => {
    let now = 0;
    let text = '';
    const display = lineDisplay({ write: (chunk: string) => ((text += chunk), true) }, { now: () => now, intervalMs: 1000 });
    for (let i = 1; i <= 30; i++) {
      now = i * 100;
      display.listener({ stage: 'load', completed: i });
    }
    expect(text).toBe('load 11\nload 21\n'); // first event at 0.1 s: lines at 1.1 s and 2.1 s
  });
});
