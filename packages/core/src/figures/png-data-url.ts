import type { RasterImage } from '../image/image.js';
import { encodePng } from '../image/png.js';

/**
 * The image as a `data:image/png;base64,…` URL, how Vega's image marks carry pixels into the SVG. Encoded for speed
 * (no row filters, zlib level 1): it is decoded again a moment later, and a grid has a hundred of them.
 */
export function pngDataUrl(image: RasterImage): string {
  return `data:image/png;base64,${Buffer.from(encodePng(image, { deflateLevel: 1, filterType: 0 })).toString('base64')}`;
}
