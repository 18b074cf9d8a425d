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

/** Seconds between two in-progress lines of one stage when stderr is not a terminal. */
export const LINE_INTERVAL_MS = 10_000;

interface StageLines {
  /** When the stage's current run began (its first event), or its last in-progress line was printed. */
  since: number;
  lastLine: string;
  lastMessage: string | undefined;
}

/**
 * Plain lines for logs and pipes: per stage, its announcement (an event with a message before the first unit is
 * done), an in-progress line at most every `intervalMs`, and one line when it ends (completed = total); a line
 * identical to the stage's previous one (the same end reached again by a repeated run) is not printed twice. No
 * trailing spaces.
 */
export function lineDisplay(stream: Pick<NodeJS.WriteStream, 'write'>, options: { intervalMs?: number; now?: () => number } = {}): ProgressDisplay {
  const interval = options.intervalMs ?? LINE_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const stages = new Map<string, StageLines>();
  const listener: ProgressListener = (event) => {
    const time = now();
    let stage = stages.get(event.stage);
    if (!stage) {
      stage = { since: time, lastLine: '', lastMessage: undefined };
      stages.set(event.stage, stage);
    }
    const finished = event.total !== undefined && event.completed >= event.total;
    const announcement = event.completed === 0 && event.message !== undefined && event.message !== stage.lastMessage;
    if (!finished && !announcement && time - stage.since < interval) return;
    const total = event.total === undefined ? '' : `/${event.total}`;
    const line = `${event.stage} ${event.completed}${total}  ${describeMetrics(event)}`.trimEnd();
    if (line === stage.lastLine) return;
    stream.write(`${line}\n`);
    stage.since = time;
    stage.lastLine = line;
    if (event.message !== undefined) stage.lastMessage = event.message;
  };
  return { listener, stop: () => undefined };
}
