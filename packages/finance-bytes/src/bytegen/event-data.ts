import { existsSync } from 'node:fs';
import { InputError } from '@nextx/core';
import type { LobEvent } from '../events/lob-event.js';
import { readAllEvents } from '../codec/event-file.js';
import { readLobsterMessages } from '../io/lobster-messages.js';
import { SyntheticMarket } from '../simulator/synthetic-market.js';

/**
 * Events from a packed `.bin` file, a LOBSTER message file (`.csv`, with its order-book file to seed the book), or,
 * without a file, the synthetic market (`synthetic` events from `seed`). Held in memory.
 */
export async function loadEvents(source: { readonly file?: string; readonly orderbook?: string; readonly synthetic?: number; readonly seed?: number }): Promise<LobEvent[]> {
  if (source.file) {
    if (!existsSync(source.file)) throw new InputError(`${source.file}: no such file`);
    if (source.file.endsWith('.bin')) return readAllEvents(source.file);
    if (source.file.endsWith('.csv')) {
      const out: LobEvent[] = [];
      for await (const batch of readLobsterMessages(source.file, source.orderbook ? { orderbookFile: source.orderbook } : {})) out.push(...batch);
      return out;
    }
    throw new InputError(`${source.file}: expected a packed .bin file or a LOBSTER message .csv file`);
  }
  const out: LobEvent[] = [];
  for (const batch of new SyntheticMarket({ seed: source.seed ?? 0 }).events(source.synthetic ?? 200_000)) out.push(...batch);
  return out;
}
