import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext } from '@nextx/core';

/** A CliContext writing into a fresh temporary folder, collecting log lines and progress events. */
export function testContext(): CliContext & { logs: string[]; events: number } {
  const state = { logs: [] as string[], events: 0 };
  return {
    out: mkdtempSync(join(tmpdir(), 'nextx-ts-out-')),
    json: false,
    signal: new AbortController().signal,
    onProgress: () => {
      state.events++;
    },
    log: (m: string) => state.logs.push(m),
    get logs() {
      return state.logs;
    },
    get events() {
      return state.events;
    },
  };
}
