import { tf } from '../../tf.js';
import { activeBlas } from './native-blas.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/**
 * dL/dx of an NHWC conv2d computed with the forward Conv2D kernel, which on wasm is XNNPACK: dy is dilated by the
 * stride (zeros between rows and columns), padded by kh − 1 − pad_top (and what makes the output H×W), and
 * correlated with the filter rotated by 180° with its channel axes swapped. wasm's own Conv2DBackpropInput is a
 * plain loop about 10× slower; it ran half of every convolutional training step.
 */
export function conv2dInputGradient(
  xShape: readonly [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo([...xShape] as [number, number, number, number], filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
    const dilated = dilate(dy, sh, sw);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = inHeight + kh - 1 - (dilated.shape[1] as number) - top;
    const right = inWidth + kw - 1 - (dilated.shape[2] as number) - left;
    const padded = padOrCrop(dilated, top, bottom, left, right);
    return tf.conv2d(padded, rotated, 1, 'valid') as tf.Tensor4D;
  });
}

/**
 * dL/dW of an NHWC conv2d, also as a forward Conv2D: with batch and channels swapped, the padded input
 * [Ci, H, W, B] correlated (dilation = stride) with dy as a filter [Ho, Wo, B, Co] gives [Ci, kh, kw, Co].
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, [...filterShape] as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight, outWidth } = info;
    const needH = (kh - 1) + (outHeight - 1) * sh + 1;
    const needW = (kw - 1) + (outWidth - 1) * sw + 1;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const padded = padOrCrop(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const swapped = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const grad = tf.conv2d(swapped, dyFilter, 1, 'valid', 'NHWC', [sh, sw]);
    return tf.transpose(grad, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Inserts s − 1 zeros between consecutive rows (and columns): [B, H, W, C] → [B, (H−1)s+1, (W−1)s+1, C]. */
function dilate(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [b, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [b, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(tf.reshape(spread, [b, h * sh, w * sw, c]), [0, 0, 0, 0], [b, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as tf.Tensor4D;
}

/** Zero-pads positive amounts and crops negative ones on each side of H and W. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const padded = tf.pad(x, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  const [b, h, w, c] = padded.shape;
  const cropTop = Math.max(-top, 0);
  const cropLeft = Math.max(-left, 0);
  return tf.slice(padded, [0, cropTop, cropLeft, 0], [b, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c]);
}

let installed = false;

/**
 * Replaces the Conv2D gradient with one whose input and filter gradients are forward convolutions when the active
 * backend is wasm (other backends keep tfjs's own). Measured on a VQVAE training step: 9.5 s → see BENCHMARKS.md.
 */
export function installConv2dGradient(): void {
  if (installed) return;
  const original = tf.getGradient(tf.Conv2D);
  if (!original) return;
  tf.registerGradient({
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs);
      const { dilations, strides, pad, dimRoundingMode, dataFormat } = attrs as unknown as {
        dilations: number | [number, number];
        strides: number | [number, number];
        pad: Pad;
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        dataFormat: string;
      };
      const plain = tf.backend_util.tupleValuesAreOne(dilations) && dataFormat === 'NHWC';
      // With OpenBLAS, tfjs's own gradient is the fast one: its backprop kernels run on the addon (blas-conv2d.ts).
      if (tf.getBackend() !== 'wasm' || !plain || activeBlas()) return grads;
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      return {
        x: () => conv2dInputGradient(x.shape, dy as tf.Tensor4D, filter, strides, pad, dimRoundingMode),
        filter: () => conv2dFilterGradient(x, dy as tf.Tensor4D, filter.shape, strides, pad, dimRoundingMode),
      };
    },
  });
  installed = true;
}
