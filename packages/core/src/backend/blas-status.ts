/** Why the wasm backend's products do not run on OpenBLAS (@nextx/native-blas). */
export type BlasReason = 'disabled' | 'not-installed' | 'not-built' | 'openblas-missing' | 'load-failed' | 'self-check-failed';

/** Whether matMul and conv2d on the wasm backend run on OpenBLAS through @nextx/native-blas, or why not. */
export interface BlasStatus {
  readonly active: boolean;
  readonly reason?: BlasReason;
  /** What was loaded, or what is missing and how to get it. */
  readonly detail: string;
  /** OpenBLAS's build (openblas_get_config), when active. */
  readonly library?: string;
  /** The kernel set OpenBLAS chose for this CPU, when active. */
  readonly kernels?: string;
  /** What runs the convolutions, when active: oneDNN's forward pass where the addon was built with it. */
  readonly convolution?: string;
  /** OpenBLAS threads, when active (XNNPACK then runs single-threaded). */
  readonly threads?: number;
}
