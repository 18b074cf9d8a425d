/** What the compiled addon (`native/*.cc`) exports. Offsets are in bytes into `heap`, strides in elements. */

/** The memory the operands live in: the wasm Memory's buffer (ArrayBuffer or SharedArrayBuffer) or a view of it. */
export type Heap = ArrayBufferLike | ArrayBufferView;

/**
 * For i < batch: C_i = op(A_i)·op(B_i) [+ bias], row-major float32, A_i at a + 4·i·strideA (stride 0 shares one
 * matrix); the optional bias (n floats) is added to every row; with `gelu`, C is then GELU-tanh(C) (torch's
 * approximate='tanh', computed as core's geluTanh: x·σ(2√(2/π)(x + 0.044715x³))).
 */
export interface GemmArgs {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly a: number;
  readonly strideA: number;
  readonly b: number;
  readonly strideB: number;
  readonly c: number;
  readonly bias?: number;
  readonly gelu?: boolean;
}

/** An NHWC convolution: x [batch, inHeight, inWidth, inChannels], filter [kh, kw, inChannels, outChannels]. */
export interface Conv2dGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * forward: y = conv(x, filter); inputGradient: x = dL/dx from y = dL/dy; filterGradient: filter = dL/dfilter from x
 * and y = dL/dy. The operand the pass writes is overwritten.
 */
export type Conv2dPass = 'forward' | 'inputGradient' | 'filterGradient';

export interface Conv2dArgs extends Conv2dGeometry {
  readonly pass: Conv2dPass;
  readonly x: number;
  readonly filter: number;
  readonly y: number;
  /** forward only: outChannels floats added to every output pixel. */
  readonly bias?: number;
}

/**
 * torch.nn.GroupNorm of channels-last x [batch, positions, channels] into y: `groups` contiguous channel groups, each
 * (sample, group) normalised over its positions and channels (biased variance, two-pass, float64 sums), then the
 * optional per-channel weight and bias (channels floats each), then SiLU (y·sigmoid(y)) when `silu`.
 */
export interface GroupNormArgs {
  readonly batch: number;
  readonly positions: number;
  readonly channels: number;
  readonly groups: number;
  readonly eps: number;
  readonly silu: boolean;
  readonly x: number;
  readonly y: number;
  readonly weight?: number;
  readonly bias?: number;
}

/**
 * torch.nn.LayerNorm over the last axis of x [rows, dim] into y (biased variance), then the optional weight and bias
 * (dim floats; bias only with weight), then the optional AdaLN modulation y·(1 + scale) + shift: scale and shift
 * [rows / rowsPerGroup, dim] together, row r taking group ⌊r / rowsPerGroup⌋ (a sample's rows share its modulation).
 */
export interface LayerNormArgs {
  readonly rows: number;
  readonly dim: number;
  readonly eps: number;
  readonly x: number;
  readonly y: number;
  readonly weight?: number;
  readonly bias?: number;
  readonly scale?: number;
  readonly shift?: number;
  readonly rowsPerGroup?: number;
}

/**
 * Top-k (0 or ≥ vocab: off), then top-p (≤ 0 or ≥ 1: off) of float32 logits [rows, vocab] at byte offset `values`, in
 * place: core's topKInPlace and topPInPlace (VAR's rules: ties with the k-th stay; the smallest entries go while their
 * cumulative softmax share stays ≤ 1 − p, lowest indices first within a run of equal values). The heap may be any
 * ArrayBuffer or typed array: the sampler passes its host copy of the logits.
 */
export interface FilterLogitsArgs {
  readonly rows: number;
  readonly vocab: number;
  readonly values: number;
  readonly topK: number;
  readonly topP: number;
}

/**
 * torch's F.normalize over the last axis of x [rows, dim] into y (x / max(‖x‖₂, eps), the sum of squares in float64),
 * then, with `scale` (`scales` floats), row r multiplied by scale[⌊r / rowsPerScale⌋ mod scales]: a per-head
 * temperature over [B, H, L, d] rows is rowsPerScale = L, scales = H.
 */
export interface L2NormalizeArgs {
  readonly rows: number;
  readonly dim: number;
  readonly eps: number;
  readonly x: number;
  readonly y: number;
  readonly scale?: number;
  readonly scales?: number;
  readonly rowsPerScale?: number;
}

export interface BlasLibrary {
  /** openblas_get_config(): version and build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
  readonly config: string;
  /** The kernel set chosen for this CPU at run time (e.g. SkylakeX, Haswell, Zen). */
  readonly corename: string;
  readonly parallel: 'sequential' | 'pthreads' | 'openmp';
  /** What runs conv2d: "oneDNN 2.6.3 (OpenMP) forward, im2col + OpenBLAS sgemm gradients" or "im2col + OpenBLAS sgemm" (absent from binaries built before oneDNN support). */
  readonly convolution?: string;
}

/** The addon. Every call checks its arguments against the heap and throws a TypeError or RangeError on bad ones. */
export interface NativeBlas {
  gemm(heap: Heap, args: GemmArgs): void;
  conv2d(heap: Heap, args: Conv2dArgs): void;
  /** The normalisations between the products (not BLAS routines; vectorized loops of the addon). */
  groupNorm(heap: Heap, args: GroupNormArgs): void;
  layerNorm(heap: Heap, args: LayerNormArgs): void;
  l2Normalize(heap: Heap, args: L2NormalizeArgs): void;
  /** The sampler's costliest filters (not BLAS either: one radix sort per row in C++). */
  filterLogits(heap: Heap, args: FilterLogitsArgs): void;
  /** OpenBLAS's thread count for later calls (openblas_set_num_threads). */
  setThreads(count: number): void;
  threads(): number;
  library(): BlasLibrary;
}
