import { InputError } from '@nextx/core';
import { EVENT_BYTES, type FieldName } from './event-layout.js';

/** What is wrong with one field of one record. */
export interface FieldProblem {
  readonly field: FieldName | 'record';
  /** The offending value (a bigint-free string for 64-bit values that are not exact numbers). */
  readonly value: number | string;
  readonly reason: string;
}

/** A record that could not be decoded, as the decoder flags it in `onInvalid: 'flag'` mode. */
export interface InvalidRecord extends FieldProblem {
  /** 0-based record number in the stream. */
  readonly record: number;
  /** The record's raw 32 bytes (a copy). */
  readonly bytes: Uint8Array;
}

/** A field out of range on encode, or a record that does not decode: names the record, its byte offset and the field. */
export class EventFieldError extends InputError {
  readonly record: number;
  readonly field: FieldProblem['field'];
  readonly value: FieldProblem['value'];
  readonly reason: string;

  constructor(record: number, problem: FieldProblem, source?: string) {
    const where = `${source ? `${source}: ` : ''}record ${record} (byte ${record * EVENT_BYTES})`;
    super(`${where}: field '${problem.field}' ${problem.reason} (got ${String(problem.value)})`);
    this.record = record;
    this.field = problem.field;
    this.value = problem.value;
    this.reason = problem.reason;
  }
}
