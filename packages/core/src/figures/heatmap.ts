import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { colorize, colorScaleOf, colorSchemeSchema, colorTable } from './color-scheme.js';
import { Figure } from './figure.js';
import { titleOf } from './figure-options.js';
import { extent, finiteNumbers, interval } from './numeric-data.js';
import { pngDataUrl } from './png-data-url.js';

/** Side of the plot area a heatmap aims for when no width or height is given (in whole pixels per cell). */
const TARGET_SIDE = 320;

const heatmapSchema = z
  .object({
    /** Row-major values, rows × cols of them (a Float32Array of an image, a matrix, a depth grid). */
    values: finiteNumbers,
    rows: z.number().int().min(1),
    cols: z.number().int().min(1),
    colorScheme: colorSchemeSchema.default('viridis'),
    /** The values at the two ends of the colour scale (default: min and max of the data); values outside are clamped. */
    domain: interval.optional(),
    colorbar: z.boolean().default(true),
    /** Title of the colour bar. */
    valueLabel: z.string().optional(),
    title: z.string().optional(),
    /** Axes with ticks (default true); false for images such as MRI slices. */
    axes: z.boolean().default(true),
    xLabel: z.string().optional(),
    yLabel: z.string().optional(),
    /** Where row 0 is drawn: 'top' (images, default) or 'bottom' (matrices whose y grows upwards, e.g. price levels). */
    origin: z.enum(['top', 'bottom']).default('top'),
    /** Axis values at the left edge of column 0 and the right edge of the last column (default [0, cols]). */
    xExtent: interval.optional(),
    /** Axis values at the outer edges of row 0 and of the last row (default [0, rows]). */
    yExtent: interval.optional(),
    /** Plot size in pixels (default: a whole number of pixels per cell, about 320 on the longer side). */
    width: z.number().int().min(1).max(8192).optional(),
    height: z.number().int().min(1).max(8192).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.values.length !== o.rows * o.cols) {
      ctx.addIssue({ code: 'custom', message: `has ${o.values.length} values but rows × cols = ${o.rows} × ${o.cols} = ${o.rows * o.cols}`, path: ['values'] });
    }
  });

export type HeatmapOptions = z.input<typeof heatmapSchema>;

/**
 * A grid of values as colours, with axes and a colour bar (both optional); each cell is a block of whole pixels, so
 * an image shown at its own size stays exact:
 *
 *     heatmap({ values: depth, rows: levels, cols: steps, origin: 'bottom', colorScheme: 'blues', valueLabel: 'size' })
 *     heatmap({ values: errorMap, rows: 320, cols: 320, axes: false, colorScheme: 'magma', title: '|error|' })
 */
export function heatmap(options: HeatmapOptions): Figure {
  const o = parseConfig(heatmapSchema, options, 'heatmap options');
  const values = Float32Array.from(o.values);
  const domain = o.domain ?? widen(extent(values));
  const cell = Math.max(1, Math.floor(TARGET_SIDE / Math.max(o.rows, o.cols)));
  const width = o.width ?? o.cols * cell;
  const height = o.height ?? o.rows * cell;
  const [x0, x1] = o.xExtent ?? [0, o.cols];
  const [y0, y1] = o.yExtent ?? [0, o.rows];
  // Row 0 of the values is the first row of the image; drawing it at the bottom flips the raster, not the data.
  const raster = o.origin === 'top' ? values : flipRows(values, o.rows, o.cols);
  return new Figure((vega) => {
    const url = pngDataUrl({ data: colorize(raster, colorTable(vega, o.colorScheme), domain), height: o.rows, width: o.cols, channels: 4 });
    const image = {
      data: { values: [{ url }] },
      mark: { type: 'image', width, height, aspect: false, smooth: false, align: 'left', baseline: 'top' },
      encoding: { x: { value: 0 }, y: { value: 0 }, url: { field: 'url', type: 'nominal' } },
    };
    const guides = {
      data: { values: [{ x: x0, y: y0, v: domain[0] }, { x: x1, y: y1, v: domain[1] }] },
      mark: { type: 'point', opacity: 0 },
      encoding: {
        ...(o.axes
          ? {
              x: { field: 'x', type: 'quantitative', scale: { domain: [x0, x1], nice: false, zero: false }, title: o.xLabel ?? null },
              y: { field: 'y', type: 'quantitative', scale: { domain: [y0, y1], nice: false, zero: false, reverse: o.origin === 'top' }, title: o.yLabel ?? null },
            }
          : { x: { value: 0 }, y: { value: 0 } }),
        ...(o.colorbar
          ? { color: { field: 'v', type: 'quantitative', scale: colorScaleOf(o.colorScheme, domain), legend: { title: o.valueLabel ?? null, gradientLength: Math.max(40, Math.min(height, 240)) } } }
          : {}),
      },
    };
    return { ...titleOf(o.title), width, height, layer: o.axes || o.colorbar ? [image, guides] : [image] };
  });
}

/** A degenerate [v, v] colour domain made [v − 0.5, v + 0.5], so a constant map is drawn in the middle colour. */
function widen([low, high]: [number, number]): [number, number] {
  return low < high ? [low, high] : [low - 0.5, high + 0.5];
}

function flipRows(values: Float32Array, rows: number, cols: number): Float32Array {
  const flipped = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) flipped.set(values.subarray(r * cols, (r + 1) * cols), (rows - 1 - r) * cols);
  return flipped;
}
