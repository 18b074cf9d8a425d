// Types for gifenc 1.0.3 (pure-JS GIF encoder; the package ships none), only what this package uses.
declare module 'gifenc' {
  export interface GifFrameOptions {
    readonly palette?: readonly (readonly number[])[];
    /** Milliseconds this frame shows. */
    readonly delay?: number;
    /** −1 once, 0 forever, n times. */
    readonly repeat?: number;
  }
  export interface GifEncoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: GifFrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  export function GIFEncoder(options?: { initialCapacity?: number; auto?: boolean }): GifEncoder;
}
