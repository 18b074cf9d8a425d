/** Bytes of one packed event. */
export const EVENT_BYTES = 32;

export type FieldName = 'type' | 'side' | 'flags' | 'reserved' | 'size' | 'price' | 'dtNs' | 'orderId';
export type FieldKind = 'u8' | 'u32' | 'i64' | 'u64';

export interface FieldSpec {
  readonly name: FieldName;
  readonly offset: number;
  readonly width: number;
  readonly kind: FieldKind;
}

/**
 * The packed layout, little-endian, no padding (README "Packed event format" gives the reasons field by field):
 *
 * | bytes  | field    | type | values                                                        |
 * | 0      | type     | u8   | 1–7, LOBSTER's event types                                    |
 * | 1      | side     | u8   | 1 buy, 2 sell                                                 |
 * | 2      | flags    | u8   | bit 0: seed event (from a snapshot); other bits 0             |
 * | 3      | reserved | u8   | 0                                                             |
 * | 4–7    | size     | u32  | ≥ 1 (halts: 0)                                                |
 * | 8–15   | price    | i64  | integer ticks, ≥ 1 (halts: −1, 0, 1)                          |
 * | 16–23  | dtNs     | u64  | nanoseconds since the previous event                          |
 * | 24–31  | orderId  | u64  | the order the event is about                                  |
 */
export const FIELDS: readonly FieldSpec[] = [
  { name: 'type', offset: 0, width: 1, kind: 'u8' },
  { name: 'side', offset: 1, width: 1, kind: 'u8' },
  { name: 'flags', offset: 2, width: 1, kind: 'u8' },
  { name: 'reserved', offset: 3, width: 1, kind: 'u8' },
  { name: 'size', offset: 4, width: 4, kind: 'u32' },
  { name: 'price', offset: 8, width: 8, kind: 'i64' },
  { name: 'dtNs', offset: 16, width: 8, kind: 'u64' },
  { name: 'orderId', offset: 24, width: 8, kind: 'u64' },
];

/** The field that byte `position` (0–31) of a record belongs to. */
export const FIELD_AT_BYTE: readonly FieldSpec[] = FIELDS.flatMap((f) => Array.from({ length: f.width }, () => f));

/** Byte offsets where a field starts: the "true" chunk boundaries a learned chunker can be compared with. */
export const FIELD_STARTS: readonly number[] = FIELDS.map((f) => f.offset);

/** Largest magnitude a 64-bit field may hold so that it is an exact JavaScript number (2⁵³ − 1). */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;
export const MAX_U32 = 0xffffffff;
