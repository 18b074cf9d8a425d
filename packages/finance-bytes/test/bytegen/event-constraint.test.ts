import { describe, expect, it } from 'vitest';
import { Rng } from '@nextx/core';
import { BookReplay, EVENT_BYTES, EventConstraint, EventType, SyntheticMarket, decodeEvent, encodeEvent, isFieldProblem, readEvent, type LobEvent } from '../../src/index.js';

function simulate(count: number, seed = 4): LobEvent[] {
  const out: LobEvent[] = [];
  for (const batch of new SyntheticMarket({ seed }).events(count)) out.push(...batch);
  return out;
}

/** One record drawn byte by byte, uniformly among the bytes the constraint allows. */
function drawRecord(constraint: EventConstraint, rng: Rng): Uint8Array {
  const bytes = new Uint8Array(EVENT_BYTES);
  for (let i = 0; i < EVENT_BYTES; i++) {
    const mask = constraint.allowed(bytes, i);
    const choices = [...mask.keys()].filter((b) => mask[b]);
    expect(choices.length, `no byte allowed at position ${i}`).toBeGreaterThan(0);
    bytes[i] = choices[rng.int(0, choices.length - 1)] as number;
  }
  return bytes;
}

describe('constrained decoding masks', () => {
  it("'none' allows every byte; 'syntax' masks exactly what the codec refuses", () => {
    const none = new EventConstraint('none');
    expect(none.allowed(new Uint8Array(32), 0).every((v) => v === 1)).toBe(true);
    const syntax = new EventConstraint('syntax');
    expect([...syntax.allowed(new Uint8Array(32), 0).keys()].filter((b) => syntax.allowed(new Uint8Array(32), 0)[b])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const halt = Uint8Array.from([7, 1, 0, 0]);
    expect([...syntax.allowed(halt, 4)].reduce((a, b) => a + b, 0)).toBe(1); // a halt's size is 0
    const rng = Rng.seeded(1);
    for (let i = 0; i < 500; i++) {
      const bytes = drawRecord(syntax, rng);
      expect(isFieldProblem(readEvent(bytes, 0)), Buffer.from(bytes).toString('hex')).toBe(false);
    }
  });

  it("'book': every event drawn from the masks decodes and replays without a violation (price-time priority on)", () => {
    const replay = new BookReplay({ onViolation: 'throw' });
    for (const e of simulate(3000)) replay.apply(e);
    const rng = Rng.seeded(2);
    const types = new Set<number>();
    for (let i = 0; i < 600; i++) {
      const bytes = drawRecord(new EventConstraint('book', replay.book), rng);
      const event = decodeEvent(bytes, i);
      types.add(event.type);
      replay.apply(event); // throws on any violation
    }
    for (const t of [EventType.Submit, EventType.Cancel, EventType.Delete, EventType.Execute, EventType.Halt]) expect(types.has(t)).toBe(true);
  });

  it("'book' never masks a byte of a consistent event: every real event of the simulator is allowed byte by byte", () => {
    const replay = new BookReplay();
    const events = simulate(2500, 5);
    for (const [n, e] of events.entries()) {
      if (n >= 1000 && n % 3 === 0) {
        const constraint = new EventConstraint('book', replay.book);
        const bytes = encodeEvent(e);
        for (let i = 0; i < EVENT_BYTES; i++) {
          expect(constraint.allowed(bytes, i)[bytes[i] as number], `event ${n} (type ${e.type}) byte ${i}`).toBe(1);
        }
      }
      replay.apply(e);
    }
  });
});
