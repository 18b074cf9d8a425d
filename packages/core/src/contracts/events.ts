/** Progress of long work, for progress bars and `onProgress` callbacks. */
export interface ProgressEvent {
  /** What is being done: 'scale', 'denoise', 'train', 'decode', ... */
  readonly stage: string;
  /** Units done so far (1-based once the first unit ends) and the total, when known. */
  readonly completed: number;
  readonly total?: number;
  readonly message?: string;
  /** Figures worth showing (loss, tokens/s, ...). */
  readonly metrics?: Readonly<Record<string, number>>;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** One partial result of a streaming generation (a scale, a block of tokens, a video chunk, ...). */
export interface GenerateChunk<T> {
  /** 0-based index of this chunk in the stream. */
  readonly index: number;
  /** Number of chunks when the stream is bounded. */
  readonly total?: number;
  /** True for the last chunk of a bounded stream. */
  readonly final: boolean;
  readonly value: T;
}
