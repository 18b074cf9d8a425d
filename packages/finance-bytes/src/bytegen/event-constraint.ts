import { EventType, Side } from '../events/lob-event.js';
import { FIELD_AT_BYTE, MAX_EXACT, MAX_U32, type FieldName, type FieldSpec } from '../codec/event-layout.js';
import type { OrderBook } from '../book/order-book.js';
import type { RestingOrder } from '../book/price-level.js';

/**
 * What constrained decoding enforces: nothing; a valid packed event (every field rule of the codec); or a valid
 * event that also replays consistently on the current book (a cancel names a live order with enough size, an
 * execution takes the first order of the best level, a submit does not cross, nothing trades while halted).
 */
export type ConstraintLevel = 'none' | 'syntax' | 'book';

/** A set of integers as inclusive ranges (a single value v is [v, v]). */
type ValueSet = ReadonlyArray<readonly [number, number]>;

const ALL_TYPES = [1, 2, 3, 4, 5, 6, 7];
const ANY_U32: ValueSet = [[1, MAX_U32]];
const ANY_POSITIVE: ValueSet = [[1, MAX_EXACT]];
const ANY_NATURAL: ValueSet = [[0, MAX_EXACT]];
const single = (values: Iterable<number>): ValueSet => [...new Set(values)].map((v) => [v, v] as const);

/** Byte k (little-endian, two's complement over 64 bits) of an integer. */
function byteOf(v: number, k: number): number {
  if (v >= 0) return Math.floor(v / 256 ** k) % 256;
  return Number((BigInt.asUintN(64, BigInt(v)) >> BigInt(8 * k)) & 255n);
}

/** The low k bytes of an integer as a number (two's complement for negatives). */
function lowBytes(v: number, k: number): number {
  let r = 0;
  for (let i = 0; i < k; i++) r += byteOf(v, i) * 256 ** i;
  return r;
}

/**
 * Allowed values of byte k of a field (its lower bytes already hold r): b is allowed iff some value of the set has
 * those lower bytes and b at position k. Ranges of non-negative values are solved arithmetically, single values by
 * comparing their bytes.
 */
function maskForFieldByte(set: ValueSet, k: number, r: number, out: Uint8Array, exclude?: ReadonlySet<number>): void {
  const m = 256 ** k;
  const period = m * 256;
  if (exclude && period > MAX_EXACT) {
    // From this byte on, the value is determined (every value is below 2^53): cut out the excluded ones exactly.
    maskForFieldByte(set, k, r, out);
    for (let b = 0; b < 256; b++) if (out[b] && exclude.has(r + b * m)) out[b] = 0;
    return;
  }
  for (const [lo, hi] of set) {
    if (lo === hi) {
      if (lowBytes(lo, k) === r) out[byteOf(lo, k)] = 1;
      continue;
    }
    for (let b = 0; b < 256; b++) {
      if (out[b]) continue;
      const base = r + b * m;
      const first = base >= lo ? base : base + Math.ceil((lo - base) / period) * period;
      if (first <= hi) out[b] = 1;
    }
  }
}

/** The record's fields decoded from the bytes written so far (those that are complete). */
interface Partial {
  type?: EventType;
  side?: Side;
  size?: number;
  price?: number;
}

function readField(prefix: Uint8Array, field: FieldSpec): number {
  let v = 0;
  for (let i = 0; i < field.width; i++) v += (prefix[field.offset + i] as number) * 256 ** i;
  // i64 price: two's complement (halt codes are −1, 0, 1; positive prices stay below 2^53).
  if (field.kind === 'i64' && (prefix[field.offset + 7] as number) >= 0x80) v -= 2 ** 64;
  return v;
}

function decodePartial(prefix: Uint8Array, position: number): Partial {
  const done = (name: FieldName) => {
    const f = FIELD_AT_BYTE.find((x) => x.name === name) as FieldSpec;
    return position >= f.offset + f.width ? readField(prefix, f) : undefined;
  };
  return { type: done('type') as EventType | undefined, side: done('side') as Side | undefined, size: done('size'), price: done('price') };
}

/**
 * The byte masks of constrained decoding: for the bytes of the record generated so far, which values of the next byte
 * can still complete a valid (and, at level 'book', replay-consistent) event. Every byte sequence that follows the
 * masks decodes; at level 'book' it also applies to `book` without a violation (seed volume from a snapshot is never
 * targeted). Masks are exact: every event the rules allow can be generated. One instance serves one record: it reads
 * the book once.
 */
export class EventConstraint {
  constructor(
    readonly level: ConstraintLevel,
    private readonly book?: OrderBook,
    private readonly checkPriority = true,
  ) {
    if (level === 'book' && !book) throw new Error("EventConstraint: level 'book' needs the order book");
  }

  /** 0/1 per byte value for byte `position` (0–31) of a record whose first `position` bytes are `prefix`. */
  allowed(prefix: Uint8Array, position: number): Uint8Array {
    const out = new Uint8Array(256);
    if (this.level === 'none') return out.fill(1);
    const field = FIELD_AT_BYTE[position] as FieldSpec;
    const k = position - field.offset;
    let r = 0;
    for (let i = 0; i < k; i++) r += (prefix[field.offset + i] as number) * 256 ** i;
    const partial = decodePartial(prefix, position);
    // A submit needs an id that is not live (the only set given as "everything but").
    const fresh = this.level === 'book' && field.name === 'orderId' && partial.type === EventType.Submit;
    maskForFieldByte(this.values(field.name, partial), k, r, out, fresh ? new Set(this.b.orders.keys()) : undefined);
    return out;
  }

  /** Allowed values of a field given the fields before it. */
  private values(field: FieldName, e: Partial): ValueSet {
    const halt = e.type === EventType.Halt;
    switch (field) {
      case 'type':
        return single(this.level === 'book' ? this.bookTypes() : ALL_TYPES);
      case 'side':
        return single([Side.Buy, Side.Sell].filter((s) => this.level !== 'book' || this.sideWorks(e.type as EventType, s)));
      case 'flags':
        return single(this.level === 'syntax' && e.type === EventType.Submit ? [0, 1] : [0]);
      case 'reserved':
        return single([0]);
      case 'size':
        if (halt) return single([0]);
        return this.level === 'book' ? this.bookSizes(e.type as EventType, e.side as Side) : ANY_U32;
      case 'price':
        if (halt) return single([-1, 0, 1]);
        return this.level === 'book' ? this.bookPrices(e.type as EventType, e.side as Side, e.size as number) : ANY_POSITIVE;
      case 'dtNs':
        return ANY_NATURAL;
      case 'orderId':
        return this.level === 'book' ? this.bookIds(e as Required<Partial>) : ANY_NATURAL;
    }
  }

  private get b(): OrderBook {
    return this.book as OrderBook;
  }

  private readonly orderCache = new Map<Side, RestingOrder[]>();

  /** Live visible orders of one side (seed volume excluded), read once: a constraint serves one record of one book state. */
  private ordersOf(side: Side): RestingOrder[] {
    let orders = this.orderCache.get(side);
    if (!orders) {
      const levels = this.b.side(side);
      orders = levels.prices.flatMap((price) => levels.get(price)?.visibleQueue() ?? []);
      this.orderCache.set(side, orders);
    }
    return orders;
  }

  /** The order an execution on `side` must take: the first of the best visible level (none if seed volume leads). */
  private head(side: Side): RestingOrder | undefined {
    const price = this.b.side(side).bestVisible();
    if (price === undefined) return undefined;
    const level = this.b.side(side).get(price);
    if (!level || level.seed > 0) return undefined;
    return this.checkPriority ? level.firstVisible() : level.visibleQueue().sort((a, c) => c.remaining - a.remaining)[0];
  }

  private bookTypes(): number[] {
    const state = this.b.state;
    return ALL_TYPES.filter((t) => {
      if (t === EventType.Submit) return state !== 'halted' && [Side.Buy, Side.Sell].some((s) => this.sideWorks(t, s));
      if (t === EventType.Execute || t === EventType.ExecuteHidden) return state === 'trading' && (t === EventType.ExecuteHidden || [Side.Buy, Side.Sell].some((s) => this.sideWorks(t, s)));
      if (t === EventType.Cancel || t === EventType.Delete) return [Side.Buy, Side.Sell].some((s) => this.sideWorks(t as EventType, s));
      return true;
    });
  }

  private sideWorks(type: EventType, side: Side): boolean {
    switch (type) {
      case EventType.Submit: {
        const best = this.b.opposite(side).best();
        return side === Side.Sell || best === undefined || best > 1;
      }
      case EventType.Cancel:
      case EventType.Delete:
        return this.ordersOf(side).length > 0;
      case EventType.Execute:
        return this.head(side) !== undefined;
      default:
        return true;
    }
  }

  private bookSizes(type: EventType, side: Side): ValueSet {
    switch (type) {
      case EventType.Cancel:
        return [[1, Math.max(...this.ordersOf(side).map((o) => o.remaining))]];
      case EventType.Delete:
        return single(this.ordersOf(side).map((o) => o.remaining));
      case EventType.Execute:
        return [[1, (this.head(side) as RestingOrder).remaining]];
      default:
        return ANY_U32;
    }
  }

  private bookPrices(type: EventType, side: Side, size: number): ValueSet {
    switch (type) {
      case EventType.Submit: {
        const best = this.b.opposite(side).best();
        if (best === undefined) return ANY_POSITIVE;
        return side === Side.Buy ? [[1, best - 1]] : [[best + 1, MAX_EXACT]];
      }
      case EventType.Cancel:
        return single(this.ordersOf(side).filter((o) => o.remaining >= size).map((o) => o.price));
      case EventType.Delete:
        return single(this.ordersOf(side).filter((o) => o.remaining === size).map((o) => o.price));
      case EventType.Execute:
        return single([(this.head(side) as RestingOrder).price]);
      default:
        return ANY_POSITIVE;
    }
  }

  private bookIds(e: Required<Partial>): ValueSet {
    switch (e.type) {
      case EventType.Cancel:
        return single(this.ordersOf(e.side).filter((o) => o.price === e.price && o.remaining >= e.size).map((o) => o.id));
      case EventType.Delete:
        return single(this.ordersOf(e.side).filter((o) => o.price === e.price && o.remaining === e.size).map((o) => o.id));
      case EventType.Execute:
        return single([(this.head(e.side) as RestingOrder).id]);
      default:
        return ANY_NATURAL;
    }
  }
}

