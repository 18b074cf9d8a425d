import { tf } from '../tf.js';

/**
 * How a parameter is stored in a PyTorch state dict versus how nextx keeps it for tfjs.
 * Converted once at load (and back at save), never in the forward pass.
 *  - `linear`: torch [out, in] → ours [in, out], so y = x·W is an untransposed matMul (the fast path).
 *  - `conv2d`: torch [out, in, kh, kw] → tfjs [kh, kw, in, out].
 *  - `conv1d`: torch [out, in, k] → tfjs [k, in, out].
 */
export type TorchLayout = 'same' | 'linear' | 'conv1d' | 'conv2d';

const TO_OURS: Record<Exclude<TorchLayout, 'same'>, number[]> = {
  linear: [1, 0],
  conv1d: [2, 1, 0],
  conv2d: [2, 3, 1, 0],
};
const TO_TORCH: Record<Exclude<TorchLayout, 'same'>, number[]> = {
  linear: [1, 0],
  conv1d: [2, 1, 0],
  conv2d: [3, 2, 0, 1],
};

export function fromTorchLayout(tensor: tf.Tensor, layout: TorchLayout): tf.Tensor {
  return layout === 'same' ? tensor.clone() : tf.transpose(tensor, TO_OURS[layout]);
}

export function toTorchLayout(tensor: tf.Tensor, layout: TorchLayout): tf.Tensor {
  return layout === 'same' ? tensor.clone() : tf.transpose(tensor, TO_TORCH[layout]);
}

export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'same') return [...shape];
  return TO_TORCH[layout].map((axis) => shape[axis] as number);
}
