import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { InputError } from '../errors.js';
import { rasterFromTensor, type RasterImage } from '../image/image.js';
import { tf } from '../tf.js';
import { Figure } from './figure.js';
import { interval } from './numeric-data.js';
import { pngDataUrl } from './png-data-url.js';
import { titleOf } from './figure-options.js';
import { FIGURE_PADDING, LABEL_FONT_SIZE, TITLE_FONT_SIZE, TITLE_OFFSET } from './theme.js';

/** Images given to `imageGridFigure`: RasterImages or [H, W, C] tensors, or one [N, H, W, C] tensor. */
export type GridImages = tf.Tensor | readonly (RasterImage | tf.Tensor)[];

const imageGridSchema = z.object({
  images: z.custom<GridImages>((v) => v instanceof tf.Tensor || Array.isArray(v), { message: 'must be an array of images or an [N, H, W, C] tensor' }),
  /** Images per row (default ⌈√n⌉). */
  columns: z.number().int().min(1).optional(),
  /** One caption per image, above it. */
  titles: z.array(z.string()).readonly().optional(),
  /** One label per row, at its left (e.g. class names). */
  rowLabels: z.array(z.string()).readonly().optional(),
  /** What black and white are for float images: [0, 1] (default) or e.g. [-1, 1]; 8-bit images are 0…255. */
  valueRange: interval.default([0, 1]),
  /** Screen pixels per image pixel (default: the largest whole number that keeps each image within 64 pixels, at least 1). */
  zoom: z.number().int().min(1).max(64).optional(),
  /** Pixels between images (default 2). */
  gap: z.number().int().min(0).max(256).default(2),
  title: z.string().optional(),
});

export type ImageGridFigureOptions = z.input<typeof imageGridSchema>;

/** Where an image lies in the rendered figure, in SVG pixels from its top-left corner (× `scale` in a PNG). */
export interface GridCell {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An image grid, with the position of each image, for tests and for cropping. */
export class ImageGridFigure extends Figure {
  constructor(
    build: ConstructorParameters<typeof Figure>[0],
    /** Each image's cell, in input order, when the figure is rendered on its own (not inside `panels`). */
    readonly cells: readonly GridCell[],
  ) {
    super(build);
  }
}

/** Height Vega gives a title: its font size plus the title offset of the theme. */
const TITLE_BLOCK = TITLE_FONT_SIZE + TITLE_OFFSET;
const CAPTION_BLOCK = LABEL_FONT_SIZE + 4;
/** Vega's own estimate of a text's width (0.8 em per character), so that its layout never overflows what we reserve. */
const estimatedWidth = (text: string, fontSize: number) => Math.ceil(0.8 * text.length * fontSize);

/**
 * Images in a grid, row-major, like torchvision's make_grid, with optional captions, row labels and a title; each
 * image pixel becomes a `zoom` × `zoom` block of exactly its value (nearest neighbour, no smoothing):
 *
 *     imageGridFigure({ images: samples, columns: 8, rowLabels: classNames, valueRange: [-1, 1], title: 'VAR samples' })
 */
export function imageGridFigure(options: ImageGridFigureOptions): ImageGridFigure {
  const o = parseConfig(imageGridSchema, options, 'imageGridFigure options');
  const images = toRasters(o.images);
  const { height, width } = sameSize(images);
  const n = images.length;
  const columns = Math.min(o.columns ?? Math.ceil(Math.sqrt(n)), n);
  const rows = Math.ceil(n / columns);
  if (o.titles && o.titles.length !== n) throw new InputError(`imageGridFigure: ${o.titles.length} titles for ${n} images`);
  if (o.rowLabels && o.rowLabels.length !== rows) throw new InputError(`imageGridFigure: ${o.rowLabels.length} row labels for ${rows} rows (${n} images, ${columns} per row)`);
  const zoom = o.zoom ?? Math.max(1, Math.floor(64 / Math.max(height, width)));
  const cellW = width * zoom;
  const cellH = height * zoom;
  const labelW = o.rowLabels ? Math.max(...o.rowLabels.map((l) => estimatedWidth(l, LABEL_FONT_SIZE))) + 12 : 0;
  const caption = o.titles ? CAPTION_BLOCK : 0;
  const local = images.map((_, i) => ({
    x: labelW + (i % columns) * (cellW + o.gap),
    y: Math.floor(i / columns) * (caption + cellH + o.gap) + caption,
  }));
  const plotW = labelW + columns * cellW + (columns - 1) * o.gap;
  const plotH = rows * (caption + cellH) + (rows - 1) * o.gap;
  const urls = images.map((image, i) => pngDataUrl(normalized(image, o.valueRange, i)));
  const pixel = (field: string) => ({ field, type: 'quantitative', scale: null });
  const textLayer = (values: readonly { x: number; y: number; text: string }[], mark: Record<string, unknown>) =>
    values.length ? [{ data: { values }, mark: { type: 'text', ...mark }, encoding: { x: pixel('x'), y: pixel('y'), text: { field: 'text', type: 'nominal' } } }] : [];
  const spec = {
    ...titleOf(o.title),
    width: plotW,
    height: plotH,
    layer: [
      {
        data: { values: local.map((at, i) => ({ ...at, url: urls[i] })) },
        mark: { type: 'image', width: cellW, height: cellH, aspect: false, smooth: false, align: 'left', baseline: 'top' },
        encoding: { x: pixel('x'), y: pixel('y'), url: { field: 'url', type: 'nominal' } },
      },
      ...textLayer(
        (o.titles ?? []).map((text, i) => ({ x: local[i]!.x + cellW / 2, y: local[i]!.y - 3, text })),
        { fontSize: LABEL_FONT_SIZE - 1, align: 'center', baseline: 'bottom', limit: cellW + o.gap },
      ),
      ...textLayer(
        (o.rowLabels ?? []).map((text, r) => ({ x: labelW - 6, y: local[r * columns]!.y + cellH / 2, text })),
        { fontSize: LABEL_FONT_SIZE, align: 'right', baseline: 'middle', limit: labelW - 6 },
      ),
    ],
  };
  const top = FIGURE_PADDING + (o.title === undefined ? 0 : TITLE_BLOCK);
  const cells = local.map((at) => ({ x: at.x + FIGURE_PADDING, y: at.y + top, width: cellW, height: cellH }));
  return new ImageGridFigure(() => spec, cells);
}

function toRasters(images: GridImages): RasterImage[] {
  if (images instanceof tf.Tensor) {
    if (images.rank === 3) return [rasterFromTensor(images)];
    if (images.rank !== 4) throw new InputError(`imageGridFigure: a tensor of images must be [N, H, W, C]; got shape [${images.shape.join(', ')}]`);
    const [n, h, w, c] = images.shape as [number, number, number, number];
    const data = images.dataSync() as Float32Array;
    return Array.from({ length: n }, (_, i) => ({ data: data.subarray(i * h * w * c, (i + 1) * h * w * c), height: h, width: w, channels: c as RasterImage['channels'] }));
  }
  if (images.length === 0) throw new InputError('imageGridFigure: no images');
  return images.map((image) => (image instanceof tf.Tensor ? rasterFromTensor(image) : image));
}

function sameSize(images: readonly RasterImage[]): { height: number; width: number } {
  const { height, width } = images[0]!;
  images.forEach((image, i) => {
    if (image.channels !== 1 && image.channels !== 3 && image.channels !== 4) throw new InputError(`imageGridFigure: image ${i} has ${image.channels} channels; 1, 3 or 4 are drawn`);
    if (image.height !== height || image.width !== width) throw new InputError(`imageGridFigure: image ${i} is ${image.height}×${image.width}, image 0 is ${height}×${width}`);
    const expected = image.height * image.width * image.channels;
    if (image.data.length !== expected) throw new InputError(`imageGridFigure: image ${i} has ${image.data.length} values; ${image.height}×${image.width}×${image.channels} needs ${expected}`);
  });
  return { height, width };
}

/** A float image mapped from `range` to [0, 1] (8-bit images pass unchanged); a value that is not finite is an error. */
function normalized(image: RasterImage, [low, high]: readonly [number, number], index: number): RasterImage {
  if (image.data instanceof Uint8Array) return image;
  const data = new Float32Array(image.data.length);
  const scale = 1 / (high - low);
  for (let p = 0; p < data.length; p++) {
    const value = image.data[p] as number;
    if (!Number.isFinite(value)) throw new InputError(`imageGridFigure: image ${index} has ${value} at value ${p} (row ${Math.floor(p / image.channels / image.width)})`);
    data[p] = (value - low) * scale;
  }
  return { ...image, data };
}
