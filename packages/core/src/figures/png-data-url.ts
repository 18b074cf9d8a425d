import type { RasterImage } from '../image/image.js';
import { encodePng } from '../image/png.js';

/** The image as a `data:image/png;base64,…` URL, how Vega's image marks carry pixels into the SVG. */
export function pngDataUrl(image: RasterImage): string {
  return `data:image/png;base64,${Buffer.from(encodePng(image)).toString('base64')}`;
}
