/** JSON-serialisable position of a batch source, saved in training checkpoints for exact resume. */
export type BatchSourceState = unknown;

/**
 * Where training batches come from: an async stream of batches that can report and restore its position.
 * `state()` is the position before the next batch the consumer will receive, so restoring it replays from there.
 * Batches should be host data (typed arrays), turned into tensors inside the loss, so an unconsumed batch holds no
 * tensors.
 */
export interface BatchSource<B> extends AsyncIterable<B> {
  next(): Promise<B>;
  state(): BatchSourceState;
  restore(state: BatchSourceState): void;
}

/** Adapts `next()` into the async-iterator protocol (an endless stream). */
export function iterateBatches<B>(source: Pick<BatchSource<B>, 'next'>): AsyncIterator<B> {
  return { next: async () => ({ done: false, value: await source.next() }) };
}

/**
 * Prefetch of one batch: while the consumer works on batch n, batch n + 1 is being made. The reported state is the
 * one before the prefetched batch, so a checkpoint taken between steps resumes at the right batch.
 */
export class PrefetchingBatchSource<B> implements BatchSource<B> {
  private pending: { state: BatchSourceState; batch: Promise<B> } | undefined;

  constructor(private readonly inner: BatchSource<B>) {}

  async next(): Promise<B> {
    const current = this.pending ?? this.request();
    const batch = await current.batch;
    this.pending = this.request();
    // A failure of the prefetched batch is reported by the next call, not as an unhandled rejection now.
    this.pending.batch.catch(() => undefined);
    return batch;
  }

  private request(): { state: BatchSourceState; batch: Promise<B> } {
    const state = this.inner.state();
    return { state, batch: this.inner.next() };
  }

  state(): BatchSourceState {
    return this.pending ? this.pending.state : this.inner.state();
  }

  restore(state: BatchSourceState): void {
    this.pending = undefined;
    this.inner.restore(state);
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    return iterateBatches(this);
  }
}
