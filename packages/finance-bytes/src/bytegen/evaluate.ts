import { tf } from '@nextx/core';
import { EVENT_BYTES, FIELD_STARTS } from '../codec/event-layout.js';
import type { ByteModel } from './byte-model.js';

export interface ByteEvaluation {
  /** Mean next-byte cross-entropy in bits (validation windows). */
  readonly bitsPerByte: number;
  /** The same per byte offset 0–31 of the record being predicted (which fields cost the bits). */
  readonly bitsByOffset: number[];
  readonly bytes: number;
  /** H-Net only: learned chunk boundaries against the 32-byte layout. */
  readonly boundaries?: BoundaryAnalysis;
}

export interface BoundaryAnalysis {
  /** Boundaries per byte (1/compression ratio). */
  readonly rate: number;
  /** Share of positions with a boundary, per byte offset 0–31 of the record. */
  readonly byOffset: number[];
  /** Of the learned boundaries, the share that fall on a field start (0, 1, 2, 3, 4, 8, 16, 24). */
  readonly precisionAtFieldStarts: number;
  /** Of the field starts, the share that get a boundary. */
  readonly recallOfFieldStarts: number;
}

/**
 * Bits per byte of a model on a packed stream, over `windows` windows spread evenly over it (aligned to events), and
 * for H-Net where its chunk boundaries fall within the record. A window's first position (a forced boundary) is left
 * out of the boundary counts.
 */
export function evaluateBytes(model: ByteModel, stream: Uint8Array, options: { readonly windowBytes: number; readonly windows?: number; readonly batch?: number }): ByteEvaluation {
  const L = options.windowBytes;
  const events = Math.floor((stream.length - 1) / EVENT_BYTES);
  const span = Math.floor((events * EVENT_BYTES - L - 1) / EVENT_BYTES);
  const windows = Math.max(1, Math.min(options.windows ?? 32, span + 1));
  const batch = Math.min(options.batch ?? 8, windows);
  const starts = Array.from({ length: windows }, (_, i) => Math.floor((i * span) / Math.max(1, windows - 1)) * EVENT_BYTES);
  let nats = 0;
  let counted = 0;
  const hits = new Float64Array(EVENT_BYTES);
  const seen = new Float64Array(EVENT_BYTES);
  let anyBoundaries = false;
  const offsetNats = new Float64Array(EVENT_BYTES);
  const offsetCount = new Float64Array(EVENT_BYTES);
  const wasTraining = model.module.training;
  model.module.eval();
  try {
    for (let w = 0; w < windows; w += batch) {
      const group = starts.slice(w, w + batch);
      const inputs = new Int32Array(group.length * L);
      const targets = new Int32Array(group.length * L);
      group.forEach((start, b) => {
        for (let t = 0; t < L; t++) {
          inputs[b * L + t] = stream[start + t] as number;
          targets[b * L + t] = stream[start + t + 1] as number;
        }
      });
      const out = model.logits(inputs, group.length, L);
      const nll = tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(out.logits), tf.oneHot(tf.tensor2d(targets, [group.length, L], 'int32'), 256)), -1)));
      const values = nll.dataSync();
      tf.dispose([nll, out.logits]);
      for (let i = 0; i < values.length; i++) {
        // Target t + 1 of a window that starts on an event boundary is byte (t + 1) mod 32 of its record.
        const offset = ((i % L) + 1) % EVENT_BYTES;
        nats += values[i] as number;
        offsetNats[offset]! += values[i] as number;
        offsetCount[offset]! += 1;
      }
      counted += values.length;
      const loss = out;
      if (loss.boundaries) {
        anyBoundaries = true;
        for (let b = 0; b < group.length; b++) {
          for (let t = 1; t < L; t++) {
            seen[t % EVENT_BYTES]! += 1;
            hits[t % EVENT_BYTES]! += loss.boundaries[b * L + t] as number;
          }
        }
      }
    }
  } finally {
    model.module.train(wasTraining);
  }
  const result: ByteEvaluation = {
    bitsPerByte: nats / counted / Math.LN2,
    bitsByOffset: Array.from(offsetNats, (n, o) => n / Math.max(1, offsetCount[o] as number) / Math.LN2),
    bytes: counted,
  };
  if (!anyBoundaries) return result;
  const total = hits.reduce((a, b) => a + b, 0);
  const atStarts = FIELD_STARTS.reduce((a, o) => a + (hits[o] as number), 0);
  const startSlots = FIELD_STARTS.reduce((a, o) => a + (seen[o] as number), 0);
  return {
    ...result,
    boundaries: {
      rate: total / seen.reduce((a, b) => a + b, 0),
      byOffset: Array.from(hits, (h, o) => h / Math.max(1, seen[o] as number)),
      precisionAtFieldStarts: total ? atStarts / total : 0,
      recallOfFieldStarts: atStarts / startSlots,
    },
  };
}
