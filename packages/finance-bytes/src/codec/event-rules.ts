import { EventFlag, EventType, KNOWN_FLAGS, type LobEvent } from '../events/lob-event.js';
import { MAX_EXACT, MAX_U32 } from './event-layout.js';
import type { FieldProblem } from './event-field-error.js';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * The first field of an event that the packed format cannot hold or that breaks the event rules, or undefined.
 * Rules: type 1–7; side 1 or 2; only known flag bits, the seed flag only on submits; size a u32, ≥ 1 except halts
 * (0); price an exact integer (|p| ≤ 2⁵³ − 1), ≥ 1 except halts (−1, 0 or 1); dtNs and orderId exact integers ≥ 0.
 */
export function eventProblem(event: LobEvent): FieldProblem | undefined {
  const { type, side, flags, size, price, dtNs, orderId } = event;
  if (!isInt(type) || type < EventType.Submit || type > EventType.Halt) {
    return { field: 'type', value: String(type), reason: 'is not an event type (1 submit … 7 halt)' };
  }
  if (side !== 1 && side !== 2) return { field: 'side', value: String(side), reason: 'is not a side (1 buy, 2 sell)' };
  if (!isInt(flags) || flags < 0 || flags > 0xff || (flags & ~KNOWN_FLAGS) !== 0) {
    return { field: 'flags', value: String(flags), reason: `has unknown bits (known: 0x${KNOWN_FLAGS.toString(16).padStart(2, '0')})` };
  }
  if ((flags & EventFlag.Seed) !== 0 && type !== EventType.Submit) {
    return { field: 'flags', value: flags, reason: 'sets the seed bit on an event that is not a submit' };
  }
  const halt = type === EventType.Halt;
  if (!isInt(size) || size < 0 || size > MAX_U32) return { field: 'size', value: String(size), reason: 'is not a u32' };
  if (halt ? size !== 0 : size < 1) {
    return { field: 'size', value: size, reason: halt ? 'must be 0 on a halt' : 'must be at least 1' };
  }
  if (!isInt(price) || Math.abs(price) > MAX_EXACT) {
    return { field: 'price', value: String(price), reason: 'is not an integer of magnitude ≤ 2^53 − 1 ticks' };
  }
  if (halt ? price < -1 || price > 1 : price < 1) {
    return { field: 'price', value: price, reason: halt ? 'must be −1, 0 or 1 on a halt' : 'must be at least 1 tick' };
  }
  if (!isInt(dtNs) || dtNs < 0 || dtNs > MAX_EXACT) {
    return { field: 'dtNs', value: String(dtNs), reason: 'is not an integer in 0 … 2^53 − 1 ns' };
  }
  if (!isInt(orderId) || orderId < 0 || orderId > MAX_EXACT) {
    return { field: 'orderId', value: String(orderId), reason: 'is not an integer in 0 … 2^53 − 1' };
  }
  return undefined;
}
