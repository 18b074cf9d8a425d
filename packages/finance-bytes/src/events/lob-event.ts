/**
 * Event types, numbered as LOBSTER numbers them (message file column 2), so that import and export are the identity.
 */
export const EventType = {
  /** A new limit order rests in the book. */
  Submit: 1,
  /** Partial cancellation: the order's size shrinks by `size`. */
  Cancel: 2,
  /** Total deletion of the order's remaining size. */
  Delete: 3,
  /** A visible resting order is executed for `size` (the event names the resting order and its side). */
  Execute: 4,
  /** A hidden (non-displayed) order is executed; it never appeared in the book. */
  ExecuteHidden: 5,
  /** A cross trade (opening/closing auction); it does not touch the continuous book. */
  Cross: 6,
  /** Trading halt indicator: price −1 halts, 0 resumes quoting, 1 resumes trading. */
  Halt: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const EVENT_TYPE_NAMES: Readonly<Record<EventType, string>> = {
  1: 'submit',
  2: 'cancel',
  3: 'delete',
  4: 'execute',
  5: 'execute-hidden',
  6: 'cross',
  7: 'halt',
};

/** Side of the order the event is about (for executions: the resting order's side, as LOBSTER writes it). */
export const Side = { Buy: 1, Sell: 2 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/** Halt event prices (LOBSTER's convention). */
export const HaltPrice = { Halt: -1, ResumeQuotes: 0, ResumeTrading: 1 } as const;

/** Flag bits of byte 2. */
export const EventFlag = {
  /**
   * The event is not a message of the source: it seeds the book from a snapshot (a LOBSTER file starts with a
   * non-empty book). Only a submit may carry it; LOBSTER export drops these events.
   */
  Seed: 0x01,
} as const;
export const KNOWN_FLAGS = EventFlag.Seed;

/**
 * One order-book event, every field an exact integer. `dtNs` is the inter-arrival time: nanoseconds since the previous
 * event of the stream (the first event of a stream counts from the session origin, e.g. midnight for LOBSTER).
 */
export interface LobEvent {
  readonly type: EventType;
  readonly side: Side;
  readonly flags: number;
  /** Shares (lots); ≥ 1 except for halts, which carry 0. */
  readonly size: number;
  /** Price in integer ticks (LOBSTER: dollars × 10⁴); a halt carries −1, 0 or 1. */
  readonly price: number;
  readonly dtNs: number;
  readonly orderId: number;
}
