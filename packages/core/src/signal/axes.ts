import { InputError } from '../errors.js';

/** A possibly negative axis as an index in [0, rank), or an InputError naming what was asked. */
export function normaliseAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) throw new InputError(`axis ${axis} is out of range for a rank-${rank} tensor`);
  return a;
}

/** The permutation that moves `from` to position `to` (undefined when nothing moves). */
export function moveAxis(rank: number, from: number, to: number): number[] | undefined {
  if (from === to) return undefined;
  const order = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== from);
  order.splice(to, 0, from);
  return order;
}

/** The inverse of a permutation. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return inverse;
}
