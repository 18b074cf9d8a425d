import fc from 'fast-check';
import { EventFlag, EventType, Side, type LobEvent } from '../../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
/** Integers biased towards the edges of a range (fast-check's integer arbitrary already favours small values). */
const edgy = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max), fc.integer({ min, max: Math.min(max, min + 1000) }));

/** Any event the packed format accepts, boundary values included. */
export const validEvent: fc.Arbitrary<LobEvent> = fc.oneof(
  fc.record({
    type: fc.constantFrom(EventType.Submit, EventType.Cancel, EventType.Delete, EventType.Execute, EventType.ExecuteHidden, EventType.Cross),
    side: fc.constantFrom(Side.Buy, Side.Sell),
    flags: fc.constant(0),
    size: edgy(1, 0xffffffff),
    price: edgy(1, MAX),
    dtNs: edgy(0, MAX),
    orderId: edgy(0, MAX),
  }),
  fc.record({
    type: fc.constant(EventType.Submit),
    side: fc.constantFrom(Side.Buy, Side.Sell),
    flags: fc.constant(EventFlag.Seed),
    size: edgy(1, 0xffffffff),
    price: edgy(1, MAX),
    dtNs: edgy(0, MAX),
    orderId: edgy(0, MAX),
  }),
  fc.record({
    type: fc.constant(EventType.Halt),
    side: fc.constantFrom(Side.Buy, Side.Sell),
    flags: fc.constant(0),
    size: fc.constant(0),
    price: fc.constantFrom(-1, 0, 1),
    dtNs: edgy(0, MAX),
    orderId: edgy(0, MAX),
  }),
) as fc.Arbitrary<LobEvent>;
