import { tf } from '../tf.js';
import type { MatmulPass } from './matmul-bench.js';
import { medianMs, round2 } from './timing.js';

/** One NHWC conv2d: x [batch, size, size, inChannels], a k×k filter to outChannels, 'same' padding. */
export interface ConvShape {
  readonly label: string;
  readonly batch: number;
  readonly size: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
}

export interface ConvFigure {
  readonly label: string;
  readonly pass: MatmulPass;
  readonly gflops: number;
  readonly msMedian: number;
}

/** The convolutions of a VQVAE at `size`² (its 3×3 blocks, stride-2 down-sampler, 1×1 shortcut). */
export function convShapes(size: number): ConvShape[] {
  return [
    { label: `3×3 [4,${size},${size},128]→128`, batch: 4, size, inChannels: 128, outChannels: 128, kernel: 3, stride: 1 },
    { label: `3×3 stride 2 [4,${size},${size},64]→64`, batch: 4, size, inChannels: 64, outChannels: 64, kernel: 3, stride: 2 },
    { label: `3×3 [4,${size},${size},32]→32 (few channels)`, batch: 4, size, inChannels: 32, outChannels: 32, kernel: 3, stride: 1 },
    { label: `1×1 [4,${size},${size},256]→128`, batch: 4, size, inChannels: 256, outChannels: 128, kernel: 1, stride: 1 },
  ];
}

/**
 * Median GFLOP/s of a conv2d, forced with dataSync. forward: 2·(output pixels)·k²·Ci·Co FLOPs; forward+backward
 * (a training step: the conv and both gradients): three times that.
 */
export function measureConv(shape: ConvShape, pass: MatmulPass, repeats = 3, warmup = 1): ConvFigure {
  const { batch, size, inChannels, outChannels, kernel, stride } = shape;
  const x = tf.randomNormal([batch, size, size, inChannels]) as tf.Tensor4D;
  const w = tf.randomNormal([kernel, kernel, inChannels, outChannels]) as tf.Tensor4D;
  const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same');
  const run =
    pass === 'forward'
      ? () => {
          const y = conv(x, w);
          y.dataSync();
          y.dispose();
        }
      : () => {
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv(a, b)))([x, w]);
          for (const g of grads) g.dataSync();
          tf.dispose(grads);
        };
  const msMedian = medianMs(run, repeats, warmup);
  tf.dispose([x, w]);
  const out = Math.ceil(size / stride);
  const flops = (pass === 'forward' ? 2 : 6) * batch * out * out * kernel * kernel * inChannels * outChannels;
  return { label: shape.label, pass, gflops: round2(flops / msMedian / 1e6), msMedian: round2(msMedian) };
}
