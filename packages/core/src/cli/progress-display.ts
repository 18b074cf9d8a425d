import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../contracts/events.js';

export interface ProgressDisplay {
  readonly listener: ProgressListener;
  stop(): void;
}

/**
 * Turns ProgressEvents into one bar per stage on a terminal; when stderr is not a terminal, a plain line per stage at
 * most once a second; nothing with `--json` (stdout stays machine-readable, stderr quiet).
 */
export function createProgressDisplay(options: { json: boolean; stream?: NodeJS.WriteStream }): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  if (options.json) return { listener: () => undefined, stop: () => undefined };
  return stream.isTTY ? barDisplay(stream) : lineDisplay(stream);
}

function describeMetrics(event: ProgressEvent): string {
  const parts = Object.entries(event.metrics ?? {}).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`);
  return [event.message, ...parts].filter(Boolean).join('  ');
}

function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const multibar = new cliProgress.MultiBar(
    { stream, format: ' {stage} |{bar}| {value}/{total} {details}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const listener: ProgressListener = (event) => {
    const payload = { stage: event.stage.padEnd(10), details: describeMetrics(event) };
    let bar = bars.get(event.stage);
    if (!bar) {
      bar = multibar.create(event.total ?? 0, event.completed, payload);
      bars.set(event.stage, bar);
    }
    if (event.total !== undefined) bar.setTotal(event.total);
    bar.update(event.completed, payload);
  };
  return { listener, stop: () => multibar.stop() };
}

function lineDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const lastPrinted = new Map<string, number>();
  const listener: ProgressListener = (event) => {
    const now = Date.now();
    const finished = event.total !== undefined && event.completed >= event.total;
    if (!finished && now - (lastPrinted.get(event.stage) ?? 0) < 1000) return;
    lastPrinted.set(event.stage, now);
    const total = event.total === undefined ? '' : `/${event.total}`;
    stream.write(`${event.stage} ${event.completed}${total} ${describeMetrics(event)}\n`);
  };
  return { listener, stop: () => undefined };
}
