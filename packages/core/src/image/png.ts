import { PNG } from 'pngjs';
import { tf } from '../tf.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { rasterFromTensor, toRgba, type RasterImage } from './image.js';

export interface PngEncodeOptions {
  /** zlib level 0–9 (default 9: smallest file). */
  readonly deflateLevel?: number;
  /** Row filter: -1 tries all five per row (default, smallest), 0 none (fastest). */
  readonly filterType?: -1 | 0 | 1 | 2 | 3 | 4;
}

/** Encodes an image (RasterImage, or a [H, W, C] tensor in [0, 1]) as PNG bytes. */
export function encodePng(image: RasterImage | tf.Tensor, options: PngEncodeOptions = {}): Uint8Array {
  const raster = image instanceof tf.Tensor ? rasterFromTensor(image) : image;
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(toRgba(raster));
  return PNG.sync.write(png, options);
}

/** Writes a PNG atomically (a crash never leaves a half-written image under `path`). */
export function writePng(path: string, image: RasterImage | tf.Tensor): void {
  writeFileAtomic(path, encodePng(image));
}
