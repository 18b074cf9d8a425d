import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { Figure } from './figure.js';

const panelsSchema = z.object({
  /** Panels per row (default: all in one row). */
  columns: z.number().int().min(1).optional(),
  title: z.string().optional(),
  /** Pixels between panels (default 24). */
  spacing: z.number().int().min(0).max(512).optional(),
});

export type PanelsOptions = z.input<typeof panelsSchema>;

/** Every scale and legend of a panel is its own: panels never share axes or colours by accident. */
const INDEPENDENT = ['x', 'y', 'color', 'opacity', 'size', 'shape', 'strokeDash'];

/**
 * Several figures side by side, `columns` per row (row-major), each with its own axes, legend and title; panels
 * nest (a panel may itself be `panels(...)`):
 *
 *     panels([linePlot(...), histogram(...), heatmap(...)], { columns: 2, title: 'Stylized facts' })
 */
export function panels(figures: readonly Figure[], options: PanelsOptions = {}): Figure {
  const o = parseConfig(panelsSchema, options, 'panels options');
  parseConfig(z.array(z.instanceof(Figure, { message: 'must be a Figure' })).min(1, 'needs at least one figure'), figures, 'panels figures');
  return new Figure((vega) => ({
    ...(o.title === undefined ? {} : { title: { text: o.title, fontSize: 16, offset: 14 } }),
    ...(o.columns === undefined ? {} : { columns: o.columns }),
    ...(o.spacing === undefined ? {} : { spacing: o.spacing }),
    concat: figures.map((figure) => figure.viewSpec(vega)),
    resolve: {
      scale: Object.fromEntries(INDEPENDENT.map((channel) => [channel, 'independent'])),
      legend: Object.fromEntries(['color', 'opacity', 'size', 'shape', 'strokeDash'].map((channel) => [channel, 'independent'])),
    },
  }));
}
